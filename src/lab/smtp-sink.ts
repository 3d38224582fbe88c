// A test SMTP server that records every exchange: the greeting, each command, and each message
// (envelope and un-dot-stuffed data). It accepts everything unless told to refuse at one stage
// with a 5xx reply, to refuse some recipients, or not to know EHLO. In process (startSmtpSink)
// for unit tests, or as a child in a lab namespace (`node dist/src/lab/smtp-sink.js --port 25`)
// printing one JSON event per line on stdout. Must not: relay or store mail anywhere.
import { createServer, type Server, type Socket } from 'node:net'
import { pathToFileURL } from 'node:url'

export type SinkStage = 'ehlo' | 'mail' | 'rcpt' | 'data' | 'message'

export interface SmtpSinkOptions {
  host?: string
  /** 0 (default): any free port. */
  port?: number
  /** Answer this stage with `rejectReply` (default "554 5.7.1 sink refuses"). */
  rejectAt?: SinkStage
  rejectReply?: string
  /** Recipients answered with "550 5.1.1 no such user". */
  rejectRecipients?: readonly string[]
  /** Answer EHLO with "502 5.5.1 command not implemented" (the client must fall back to HELO). */
  noEhlo?: boolean
  /** Never send the greeting (the client must time out). */
  silent?: boolean
}

export interface SinkMessage {
  remoteAddress: string
  helo: string
  mailFrom: string
  rcptTo: string[]
  /** The message as the client meant it (dot-stuffing removed), CRLF line ends, no final ".". */
  data: string
  /** The bytes received after DATA up to and including ".\r\n". */
  raw: string
}

export type SinkEvent =
  | { event: 'listening', host: string, port: number }
  | { event: 'command', remoteAddress: string, line: string, reply: string }
  | { event: 'message', message: SinkMessage }

export interface SmtpSink {
  readonly port: number
  readonly events: SinkEvent[]
  readonly messages: SinkMessage[]
  close: () => Promise<void>
}

export async function startSmtpSink (options: SmtpSinkOptions = {}, onEvent: (e: SinkEvent) => void = () => {}): Promise<SmtpSink> {
  const events: SinkEvent[] = []
  const messages: SinkMessage[] = []
  const emit = (e: SinkEvent): void => {
    events.push(e)
    if (e.event === 'message') messages.push(e.message)
    onEvent(e)
  }
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    session(socket, options, emit)
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => { server.off('error', reject); resolve() })
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  emit({ event: 'listening', host, port })
  return {
    port,
    events,
    messages,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function session (socket: Socket, o: SmtpSinkOptions, emit: (e: SinkEvent) => void): void {
  const remoteAddress = socket.remoteAddress ?? ''
  socket.setEncoding('utf8')
  socket.on('error', () => {})
  let helo = ''
  let mailFrom = ''
  let rcptTo: string[] = []
  let inData = false
  let raw = ''
  let buffer = ''
  const reject = o.rejectReply ?? '554 5.7.1 sink refuses'
  const send = (line: string, reply: string): void => {
    emit({ event: 'command', remoteAddress, line, reply })
    socket.write(reply + '\r\n')
  }
  const command = (line: string): void => {
    const verb = line.split(' ')[0].toUpperCase()
    const arg = (prefix: RegExp): string => /<([^>]*)>/.exec(line.replace(prefix, ''))?.[1] ?? ''
    if (verb === 'EHLO') {
      helo = line.slice(5)
      if (o.noEhlo === true) send(line, '502 5.5.1 command not implemented')
      else send(line, o.rejectAt === 'ehlo' ? reject : '250-sink greets you\r\n250-8BITMIME\r\n250 SIZE 1000000')
    } else if (verb === 'HELO') {
      helo = line.slice(5)
      send(line, o.rejectAt === 'ehlo' ? reject : '250 sink')
    } else if (verb === 'MAIL') {
      mailFrom = arg(/^MAIL FROM:/i)
      rcptTo = []
      send(line, o.rejectAt === 'mail' ? reject : '250 2.1.0 ok')
    } else if (verb === 'RCPT') {
      const to = arg(/^RCPT TO:/i)
      if (o.rejectAt === 'rcpt') send(line, reject)
      else if (o.rejectRecipients?.includes(to) === true) send(line, '550 5.1.1 no such user')
      else { rcptTo.push(to); send(line, '250 2.1.5 ok') }
    } else if (verb === 'DATA') {
      if (o.rejectAt === 'data') send(line, reject)
      else { inData = true; raw = ''; send(line, '354 end with <CRLF>.<CRLF>') }
    } else if (verb === 'QUIT') {
      send(line, '221 2.0.0 bye')
      socket.end()
    } else if (verb === 'RSET' || verb === 'NOOP') {
      send(line, '250 ok')
    } else {
      send(line, '500 5.5.2 unknown command')
    }
  }
  const dataLine = (line: string): void => {
    raw += line + '\r\n'
    if (line !== '.') return
    inData = false
    const body = raw.slice(0, -3).split('\r\n').map((l) => l.startsWith('.') ? l.slice(1) : l).join('\r\n')
    if (o.rejectAt === 'message') { send('<message>', reject); return }
    emit({ event: 'message', message: { remoteAddress, helo, mailFrom, rcptTo, data: body, raw } })
    send('<message>', '250 2.0.0 queued')
  }
  socket.on('data', (chunk: string) => {
    buffer += chunk
    for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
      const line = buffer.slice(0, i)
      buffer = buffer.slice(i + 2)
      if (inData) dataLine(line)
      else command(line)
    }
  })
  if (o.silent !== true) socket.write('220 sink ESMTP test server\r\n')
}

/** argv: --host H --port P [--reject-at STAGE] [--reject-reply TEXT] [--reject-rcpt ADDR]... [--no-ehlo] [--silent] */
export function parseSinkArgs (argv: readonly string[]): SmtpSinkOptions {
  const o: SmtpSinkOptions = { host: '0.0.0.0', port: 25 }
  const rejectRecipients: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = (): string => argv[++i] ?? ''
    if (a === '--host') o.host = next()
    else if (a === '--port') o.port = Number(next())
    else if (a === '--reject-at') o.rejectAt = next() as SinkStage
    else if (a === '--reject-reply') o.rejectReply = next()
    else if (a === '--reject-rcpt') rejectRecipients.push(next())
    else if (a === '--no-ehlo') o.noEhlo = true
    else if (a === '--silent') o.silent = true
    else throw new Error(`smtp-sink: unknown argument ${a}`)
  }
  if (rejectRecipients.length > 0) o.rejectRecipients = rejectRecipients
  return o
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sink = await startSmtpSink(parseSinkArgs(process.argv.slice(2)), (e) => process.stdout.write(JSON.stringify(e) + '\n'))
  const stop = (): void => { void sink.close().then(() => process.exit(0)) }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

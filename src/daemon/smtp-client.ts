// A minimal SMTP client (RFC 5321) for alerts: one message per TCP connection over node:net:
// greeting, EHLO (HELO if the server does not know EHLO), MAIL FROM, one RCPT TO per recipient,
// DATA, the dot-stuffed message, QUIT. Every reply code is checked; every wait (connect and each
// reply) is bounded. Never throws and never rejects: the result says what happened, with the
// server's reply or Node's system error (code, errno, syscall). No TLS, no AUTH (keepalived has
// neither). Must not: log (the caller does), retry, or keep a connection open.
import { connect, type Socket } from 'node:net'

export interface SmtpReply {
  code: number
  /** The text of each line, without the code and separator. */
  lines: string[]
}

export type SmtpStage = 'connect' | 'greeting' | 'ehlo' | 'helo' | 'mail' | 'rcpt' | 'data' | 'message' | 'quit'

export interface SmtpFailure {
  ok: false
  stage: SmtpStage
  /** reply: the server answered with an unexpected code; the others: no (usable) answer. */
  reason: 'reply' | 'timeout' | 'socket' | 'closed' | 'protocol' | 'aborted'
  message: string
  reply?: SmtpReply
  /** Node's system error fields when reason is 'socket'. */
  code?: string
  errno?: number
  syscall?: string
}

export interface SmtpSuccess {
  ok: true
  /** The server's answer to the end of the message (250 ...). */
  reply: SmtpReply
  /** Recipients the server refused with their replies (the message went to the others). */
  rejected: Array<{ recipient: string, reply: SmtpReply }>
}

export type SmtpResult = SmtpSuccess | SmtpFailure

export interface SmtpRequest {
  host: string
  port: number
  heloName: string
  from: string
  to: readonly string[]
  /** The message (headers, empty line, body), CRLF line ends; dot-stuffed here. */
  message: string
  /** Bound on the connection and on each reply (keepalived's smtp_connect_timeout). */
  timeoutMs: number
  signal?: AbortSignal
}

/** A reply line longer than this (RFC 5321 §4.5.3.1.5: 512 octets) is a protocol error. */
const MAX_LINE = 4096

/** Splits received text into complete replies (RFC 5321 §4.2: "250-..." lines continue, "250 ..." ends). */
export class ReplyParser {
  #partial = ''
  #lines: string[] = []

  /** The complete replies in `text`, or an Error on a malformed or overlong line. */
  push (text: string): SmtpReply[] | Error {
    const parts = (this.#partial + text).split('\n')
    this.#partial = parts.pop() ?? ''
    if (this.#partial.length > MAX_LINE) return new Error(`reply line longer than ${MAX_LINE} bytes`)
    const out: SmtpReply[] = []
    for (const raw of parts) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
      const m = /^([2-5]\d\d)([ -]|$)(.*)$/.exec(line)
      if (m === null) return new Error(`malformed reply line '${line.slice(0, 80)}'`)
      this.#lines.push(m[3])
      if (m[2] !== '-') {
        out.push({ code: Number(m[1]), lines: this.#lines })
        this.#lines = []
      }
    }
    return out
  }
}

/** RFC 5321 §4.5.2: a line of the message that starts with "." gets one more; then "." ends it. */
export function dotStuff (message: string): string {
  const text = message.endsWith('\r\n') ? message : message + '\r\n'
  return text.replace(/^\./gm, '..') + '.\r\n'
}

/** "550 5.1.1 no such user" (the reply's lines joined with " / "). */
export function formatReply (reply: SmtpReply): string {
  return `${reply.code} ${reply.lines.join(' / ')}`.trim()
}

class Failed extends Error {
  constructor (readonly failure: SmtpFailure) { super(failure.message) }
}

/** One connection: waits for events with a deadline; the first failure sticks. */
class Connection {
  readonly #socket: Socket
  readonly #parser = new ReplyParser()
  readonly #replies: SmtpReply[] = []
  readonly #timeoutMs: number
  #stage: SmtpStage = 'connect'
  #connected = false
  #failure: SmtpFailure | undefined
  #wake: () => void = () => {}

  constructor (req: SmtpRequest) {
    this.#timeoutMs = req.timeoutMs
    this.#socket = connect({ host: req.host, port: req.port })
    this.#socket.setEncoding('utf8')
    this.#socket.setNoDelay(true)
    this.#socket.on('connect', () => { this.#connected = true; this.#wake() })
    this.#socket.on('data', (chunk: string) => {
      const got = this.#parser.push(chunk)
      if (got instanceof Error) this.fail({ reason: 'protocol', message: got.message })
      else { this.#replies.push(...got); this.#wake() }
    })
    this.#socket.on('error', (err: NodeJS.ErrnoException) => this.fail({ reason: 'socket', message: err.message, code: err.code, errno: err.errno, syscall: err.syscall }))
    this.#socket.on('close', () => this.fail({ reason: 'closed', message: 'the server closed the connection' }))
    const signal = req.signal
    if (signal !== undefined) {
      const onAbort = (): void => this.fail({ reason: 'aborted', message: 'aborted' })
      if (signal.aborted) queueMicrotask(onAbort)
      else {
        signal.addEventListener('abort', onAbort, { once: true })
        this.#socket.once('close', () => signal.removeEventListener('abort', onAbort))
      }
    }
  }

  fail (f: Omit<SmtpFailure, 'ok' | 'stage'>): void {
    if (this.#failure !== undefined) return
    this.#failure = { ok: false, stage: this.#stage, ...f }
    this.#socket.destroy()
    this.#wake()
  }

  async #until (stage: SmtpStage, ready: () => boolean): Promise<void> {
    this.#stage = stage
    if (this.#failure === undefined && !ready()) {
      await new Promise<void>((resolve) => {
        const what = stage === 'connect' ? 'not connected' : 'no reply'
        const timer = setTimeout(() => this.fail({ reason: 'timeout', message: `${what} within ${this.#timeoutMs} ms` }), this.#timeoutMs)
        this.#wake = () => {
          if (this.#failure === undefined && !ready()) return
          clearTimeout(timer)
          this.#wake = () => {}
          resolve()
        }
      })
    }
    if (this.#failure !== undefined) throw new Failed(this.#failure)
  }

  async connected (): Promise<void> {
    await this.#until('connect', () => this.#connected)
  }

  /** Sends `text` (if any) and returns the next reply. */
  async exchange (stage: SmtpStage, text: string | null): Promise<SmtpReply> {
    this.#stage = stage
    if (text !== null && this.#failure === undefined) this.#socket.write(text)
    await this.#until(stage, () => this.#replies.length > 0)
    return this.#replies.shift() as SmtpReply
  }

  /** The reply must have one of `codes`, or the session fails at this stage. */
  async expect (stage: SmtpStage, text: string | null, codes: readonly number[]): Promise<SmtpReply> {
    const reply = await this.exchange(stage, text)
    if (!codes.includes(reply.code)) throw new Failed({ ok: false, stage, reason: 'reply', message: `${stage}: ${formatReply(reply)}`, reply })
    return reply
  }

  async quit (): Promise<void> {
    // Best effort: the message is already accepted; a server that drops the line here is fine.
    try { await this.exchange('quit', 'QUIT\r\n') } catch {}
    this.#socket.end()
  }

  destroy (): void { this.#socket.destroy() }
}

export async function sendMail (req: SmtpRequest): Promise<SmtpResult> {
  const c = new Connection(req)
  try {
    await c.connected()
    await c.expect('greeting', null, [220])
    // RFC 5321 §3.2: a client that gets "command not recognized" for EHLO falls back to HELO.
    const ehlo = await c.exchange('ehlo', `EHLO ${req.heloName}\r\n`)
    if (ehlo.code !== 250) {
      if (![500, 502, 504, 550].includes(ehlo.code)) throw new Failed({ ok: false, stage: 'ehlo', reason: 'reply', message: `ehlo: ${formatReply(ehlo)}`, reply: ehlo })
      await c.expect('helo', `HELO ${req.heloName}\r\n`, [250])
    }
    await c.expect('mail', `MAIL FROM:<${req.from}>\r\n`, [250])
    const rejected: SmtpSuccess['rejected'] = []
    for (const recipient of req.to) {
      const reply = await c.exchange('rcpt', `RCPT TO:<${recipient}>\r\n`)
      if (reply.code !== 250 && reply.code !== 251) rejected.push({ recipient, reply })
    }
    if (rejected.length === req.to.length) {
      const last = rejected.at(-1)?.reply
      throw new Failed({ ok: false, stage: 'rcpt', reason: 'reply', message: last === undefined ? 'no recipients' : `rcpt: ${formatReply(last)}`, reply: last })
    }
    await c.expect('data', 'DATA\r\n', [354])
    const reply = await c.expect('message', dotStuff(req.message), [250])
    await c.quit()
    return { ok: true, reply, rejected }
  } catch (err) {
    if (err instanceof Failed) {
      // A refusal still ends the session politely (RFC 5321 §4.1.1.10).
      if (err.failure.reason === 'reply') await c.quit()
      return err.failure
    }
    return { ok: false, stage: 'connect', reason: 'socket', message: (err as Error).message }
  } finally {
    c.destroy()
  }
}

// SMTP alerts without a lab: keepalived's wording, the RFC 5322 message and RFC 5321 dot-stuffing,
// the reply parser, and the real client (node:net) against the test server of src/lab/smtp-sink.ts
// on 127.0.0.1: a full exchange, HELO fallback, 5xx refusals, refused recipients, timeouts,
// ECONNREFUSED, abort; then the alerter's plan (smtp_alert inheritance) and its queue.
import t, { type Test } from 'tap'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import { alertText, formatMessage, rfc5322Date } from '../../src/daemon/smtp-message.js'
import { ReplyParser, dotStuff, sendMail, type SmtpRequest, type SmtpResult } from '../../src/daemon/smtp-client.js'
import { planSmtpAlerts, SmtpAlerter, type SmtpAlertPlan } from '../../src/daemon/smtp-alerts.js'
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from '../../src/lab/smtp-sink.js'
import type { EngineEvent } from '../../src/engine/events.js'

function capture (): { log: pino.Logger, lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  return { log: pino({ level: 'info' }, stream), lines }
}

async function sink (t: Test, options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const s = await startSmtpSink(options)
  t.teardown(async () => await s.close())
  return s
}

const request = (port: number, extra: Partial<SmtpRequest> = {}): SmtpRequest => ({
  host: '127.0.0.1', port, heloName: 'lb-a.example.com', from: 'ka@example.com', to: ['ops@example.com', 'noc@example.com'], message: 'Subject: x\r\n\r\nhello\r\n', timeoutMs: 2000, ...extra
})

const commands = (s: SmtpSink): string[] => s.events.flatMap((e) => e.event === 'command' ? [e.line.split(' ')[0]] : [])

t.test('KEEPALIVED wording: subject and body per state, instance and group', async (t) => {
  t.same(alertText('instance', 'VI_1', 'MASTER', 'lb-a'), { subject: '[lb-a] VRRP Instance VI_1 - Entering MASTER state', body: '=> VRRP Instance is now owning VRRP VIPs <=' })
  t.same(alertText('instance', 'VI_1', 'BACKUP', 'lb-a'), { subject: '[lb-a] VRRP Instance VI_1 - Entering BACKUP state', body: '=> VRRP Instance is no longer owning VRRP VIPs <=' })
  t.same(alertText('instance', 'VI_1', 'FAULT', 'lb-a'), { subject: '[lb-a] VRRP Instance VI_1 - Entering FAULT state', body: '=> VRRP Instance is no longer owning VRRP VIPs <=' })
  t.same(alertText('instance', 'VI_1', 'STOP', 'lb-a'), { subject: '[lb-a] VRRP Instance VI_1 - Stopping', body: '=> VRRP Instance stopping <=' })
  t.same(alertText('group', 'G1', 'MASTER', 'lb-a'), { subject: '[lb-a] VRRP Group G1 - Entering MASTER state', body: '=> All VRRP group instances are now in MASTER state <=' })
  t.same(alertText('group', 'G1', 'STOP', 'lb-a').body, '=> All VRRP group instances are now stopping <=')
})

t.test('RFC 5322 message: headers in keepalived order, CRLF everywhere, no header injection', async (t) => {
  const date = new Date(Date.UTC(2025, 2, 4, 9, 5, 1))
  const text = formatMessage({ date, from: 'ka@example.com', to: ['a@example.com', 'b@example.com'], subject: 'S\r\nBcc: evil@example.com', body: 'line 1\nline 2' })
  const [head, body] = text.split('\r\n\r\n')
  t.same(head.split('\r\n').map((l) => l.split(':')[0]), ['Date', 'From', 'Subject', 'X-Mailer', 'To'])
  t.match(head, /\r\nSubject: S Bcc: evil@example.com\r\n/, 'CR/LF in a header value become a space')
  t.match(head, /\r\nTo: a@example.com, b@example.com$/)
  t.equal(body, 'line 1\r\nline 2\r\n')
  t.notOk(/[^\r]\n/.test(text), 'no bare LF')
  t.match(rfc5322Date(date), /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/)
  t.equal(Date.parse(rfc5322Date(date)), date.getTime(), 'the date reads back as the same instant')
})

t.test('RFC 5321 §4.5.2 dot-stuffing', async (t) => {
  t.equal(dotStuff('a\r\n.\r\n.b\r\nc.\r\n'), 'a\r\n..\r\n..b\r\nc.\r\n.\r\n')
  t.equal(dotStuff('.first'), '..first\r\n.\r\n', 'a missing final CRLF is added before the end mark')
  t.equal(dotStuff(''), '\r\n.\r\n')
})

t.test('RFC 5321 §4.2 replies: multi-line, split across reads, malformed', async (t) => {
  const p = new ReplyParser()
  t.same(p.push('250-first\r\n250-sec'), [])
  t.same(p.push('ond\r\n250 last\r\n220 next\r\n'), [{ code: 250, lines: ['first', 'second', 'last'] }, { code: 220, lines: ['next'] }])
  t.same(p.push('354\r\n'), [{ code: 354, lines: [''] }], 'a code alone is a reply')
  t.type(new ReplyParser().push('hello\r\n'), Error)
  t.type(new ReplyParser().push('2'.repeat(5000)), Error, 'an overlong line')
})

t.test('a full exchange: EHLO, MAIL, one RCPT per recipient, DATA, the message, QUIT', async (t) => {
  const s = await sink(t)
  const message = formatMessage({ date: new Date(), from: 'ka@example.com', to: ['ops@example.com', 'noc@example.com'], subject: 'x', body: '.hidden?\n..two\nend' })
  const result = await sendMail(request(s.port, { message }))
  t.match(result, { ok: true, reply: { code: 250 }, rejected: [] })
  t.same(commands(s), ['EHLO', 'MAIL', 'RCPT', 'RCPT', 'DATA', '<message>', 'QUIT'])
  t.equal(s.messages.length, 1)
  t.match(s.messages[0], { helo: 'lb-a.example.com', mailFrom: 'ka@example.com', rcptTo: ['ops@example.com', 'noc@example.com'] })
  t.equal(s.messages[0].data, message, 'the server reads back exactly the message (dot-stuffing undone)')
  t.match(s.messages[0].raw, /\r\n\.\.hidden\?\r\n\.\.\.two\r\nend\r\n\.\r\n$/, 'lines starting with a dot were stuffed on the wire')
})

t.test('a server without EHLO gets HELO', async (t) => {
  const s = await sink(t, { noEhlo: true })
  t.match(await sendMail(request(s.port)), { ok: true })
  t.same(commands(s).slice(0, 3), ['EHLO', 'HELO', 'MAIL'])
})

for (const stage of ['mail', 'rcpt', 'data', 'message'] as const) {
  t.test(`a 5xx reply at ${stage} fails at that stage with the reply, and the session still QUITs`, async (t) => {
    const s = await sink(t, { rejectAt: stage, rejectReply: '554 5.7.1 not today' })
    const result = await sendMail(request(s.port))
    t.match(result, { ok: false, stage, reason: 'reply', reply: { code: 554, lines: ['5.7.1 not today'] } })
    t.equal(commands(s).at(-1), 'QUIT')
    t.equal(s.messages.length, 0)
  })
}

t.test('a refused recipient is reported; the others get the message', async (t) => {
  const s = await sink(t, { rejectRecipients: ['noc@example.com'] })
  const result = await sendMail(request(s.port))
  t.match(result, { ok: true, rejected: [{ recipient: 'noc@example.com', reply: { code: 550 } }] })
  t.same(s.messages[0].rcptTo, ['ops@example.com'])
})

t.test('every recipient refused: fails at rcpt, sends no DATA', async (t) => {
  const s = await sink(t, { rejectRecipients: ['ops@example.com', 'noc@example.com'] })
  t.match(await sendMail(request(s.port)), { ok: false, stage: 'rcpt', reason: 'reply', reply: { code: 550 } })
  t.notOk(commands(s).includes('DATA'))
})

t.test('a server that never greets: timeout at greeting, bounded', async (t) => {
  const s = await sink(t, { silent: true })
  const started = Date.now()
  t.match(await sendMail(request(s.port, { timeoutMs: 200 })), { ok: false, stage: 'greeting', reason: 'timeout' })
  t.ok(Date.now() - started < 5000, 'returned (not hung)')
})

t.test('nobody listening: the system error with code, errno and syscall', async (t) => {
  const s = await sink(t)
  const port = s.port
  await s.close()
  const result = await sendMail(request(port))
  t.match(result, { ok: false, stage: 'connect', reason: 'socket', code: 'ECONNREFUSED', syscall: 'connect' })
  t.type((result as { errno?: number }).errno, 'number')
})

t.test('abort cuts the session', async (t) => {
  const s = await sink(t, { silent: true })
  const ac = new AbortController()
  const pending = sendMail(request(s.port, { signal: ac.signal, timeoutMs: 10_000 }))
  setTimeout(() => ac.abort(), 50)
  t.match(await pending, { ok: false, reason: 'aborted' })
})

function parse (text: string): ReturnType<typeof loadConfig>['model'] {
  return loadConfig('/etc/keepalived/keepalived.conf', { reader: createMemoryReader({ '/etc/keepalived/keepalived.conf': text }), configId: 'test' }).model
}

const instance = (name: string, vrid: number, extra = ''): string => `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n priority 100\n virtual_ipaddress {\n  192.0.2.10${vrid}\n }\n ${extra}\n}\n`

t.test('KEEPALIVED smtp_alert: the instance\'s own value, else smtp_alert_vrrp, else smtp_alert, else off', async (t) => {
  const mail = 'notification_email {\n  ops@example.com\n }\n smtp_server 192.0.2.25\n'
  const names = ['A', 'B', 'C']
  const conf = (global: string): string => `global_defs {\n ${mail} ${global}\n}\n` + instance('A', 1, 'smtp_alert') + instance('B', 2, 'smtp_alert off') + instance('C', 3)
  const on = (global: string): string[] => [...(planSmtpAlerts(parse(conf(global)), names, 'host1').plan?.instances ?? [])]
  t.same(on(''), ['A'], 'default off')
  t.same(on('smtp_alert'), ['A', 'C'])
  t.same(on('smtp_alert\n smtp_alert_vrrp off'), ['A'], 'smtp_alert_vrrp wins over smtp_alert')
  t.same(on('smtp_alert off\n smtp_alert_vrrp'), ['A', 'C'])
  const plan = planSmtpAlerts(parse(conf('')), names, 'host1').plan
  t.match(plan, { host: '192.0.2.25', port: 25, heloName: 'host1', from: 'keepalived@host1', routerId: 'host1', timeoutMs: 30_000, to: ['ops@example.com'] }, 'keepalived defaults')
  const none = planSmtpAlerts(parse(instance('A', 1, 'smtp_alert')), ['A'], 'host1')
  t.equal(none.plan, undefined)
  t.match(none.warnings[0].message, /no notification_email or smtp_server/)
})

const plan = (port: number, extra: Partial<SmtpAlertPlan> = {}): SmtpAlertPlan => ({
  host: '127.0.0.1', port, heloName: 'lb-a', from: 'ka@example.com', to: ['ops@example.com'], routerId: 'lb-a', timeoutMs: 2000, noEmailFaults: false, instances: new Set(['VI_1', 'VI_2']), groups: new Set(['G1']), ...extra
})
const tr = (instance: string, from: string, to: string): EngineEvent => ({ type: 'transition', transition: { instance, from, to, reason: 'test', priority: 100, atUs: 0 } as never })

t.test('the alerter: in order, one connection at a time, keepalived\'s last_email_state and no_email_faults', async (t) => {
  const s = await sink(t)
  const { log, lines } = capture()
  let open = 0
  let maxOpen = 0
  const send = async (req: SmtpRequest): Promise<SmtpResult> => { maxOpen = Math.max(maxOpen, ++open); try { return await sendMail(req) } finally { open-- } }
  const alerter = new SmtpAlerter(plan(s.port, { noEmailFaults: true }), log, { send })
  alerter.handle(tr('VI_1', 'INIT', 'BACKUP'))
  alerter.handle(tr('VI_1', 'BACKUP', 'MASTER'))
  alerter.handle(tr('VI_3', 'INIT', 'MASTER'))
  alerter.handle(tr('VI_1', 'MASTER', 'FAULT'))
  alerter.handle(tr('VI_1', 'FAULT', 'MASTER'))
  alerter.handle({ type: 'group-transition', transition: { group: 'G1', from: 'BACKUP', to: 'MASTER', atUs: 0 } })
  alerter.handle(tr('VI_2', 'MASTER', 'INIT'))
  alerter.handle({ type: 'priority-changed', instance: 'VI_1', from: 100, to: 90, state: 'MASTER', atUs: 0 })
  t.equal(await alerter.drain(5000), true)
  t.same(s.messages.map((m) => /Subject: (.*)\r\n/.exec(m.data)?.[1]), [
    '[lb-a] VRRP Instance VI_1 - Entering BACKUP state',
    '[lb-a] VRRP Instance VI_1 - Entering MASTER state',
    '[lb-a] VRRP Group G1 - Entering MASTER state',
    '[lb-a] VRRP Instance VI_2 - Stopping'
  ], 'VI_3 has no smtp_alert; FAULT is not mailed; MASTER after FAULT is not mailed twice')
  t.equal(maxOpen, 1, 'one connection at a time')
  t.equal(lines.filter((l) => l.msg === 'smtp alert sent').length, 4)
  t.match(lines[0], { instance: 'VI_1', state: 'BACKUP', to: ['ops@example.com'], reply: '250 2.0.0 queued' })
  alerter.close()
})

t.test('the alerter logs a refusal with the reply and goes on; a full queue drops the oldest waiting alert', async (t) => {
  const s = await sink(t, { rejectAt: 'mail', rejectReply: '550 5.7.1 relaying denied' })
  const { log, lines } = capture()
  const alerter = new SmtpAlerter(plan(s.port), log, { maxQueued: 2 })
  for (const [from, to] of [['INIT', 'MASTER'], ['MASTER', 'BACKUP'], ['BACKUP', 'MASTER'], ['MASTER', 'BACKUP'], ['BACKUP', 'MASTER']]) alerter.handle(tr('VI_1', from, to))
  t.equal(alerter.dropped, 2)
  t.equal(await alerter.drain(5000), true)
  const failed = lines.filter((l) => l.msg === 'smtp alert failed')
  t.same(failed.map((l) => l.subject), ['[lb-a] VRRP Instance VI_1 - Entering MASTER state', '[lb-a] VRRP Instance VI_1 - Entering BACKUP state', '[lb-a] VRRP Instance VI_1 - Entering MASTER state'])
  t.match(failed[0], { stage: 'mail', reason: 'reply', reply: '550 5.7.1 relaying denied', server: `127.0.0.1:${s.port}` })
  t.match(lines.find((l) => l.msg === 'smtp alert queue full; oldest alert dropped'), { dropped: 1, maxQueued: 2 })
  alerter.close()
})

t.test('close() cuts a hung session; drain is bounded', async (t) => {
  const s = await sink(t, { silent: true })
  const { log, lines } = capture()
  const alerter = new SmtpAlerter(plan(s.port, { timeoutMs: 60_000 }), log)
  alerter.handle(tr('VI_1', 'BACKUP', 'MASTER'))
  t.equal(await alerter.drain(100), false, 'still sending after 100 ms')
  alerter.close()
  t.equal(await alerter.drain(2000), true, 'ends once closed')
  t.match(lines.find((l) => l.msg === 'smtp alert failed'), { reason: 'aborted', stage: 'greeting' })
})

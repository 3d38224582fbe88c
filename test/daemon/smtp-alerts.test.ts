// SMTP alerts end to end in a namespace lab: floatip routers on LAN 0 and the test SMTP server
// (src/lab/smtp-sink.ts, built into dist/) in the client namespace, reached over the LAN at its
// default port 25. The master is killed; the backup's MASTER alert must reach the server with
// keepalived's subject, envelope and headers. A server refusing with 5xx is logged with its reply
// and floatip carries on (and still shuts down cleanly). Every wait is bounded.
import t, { type Test } from 'tap'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { withLab, waitFor, type Lab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, type RunningDaemon } from '../helpers/daemons.js'
import { packageRoot } from '../../src/native/index.js'
import { onLines } from '../../src/lab/index.js'
import type { SinkEvent, SinkMessage } from '../../src/lab/smtp-sink.js'

const SINK = join(packageRoot, 'dist', 'src', 'lab', 'smtp-sink.js')

interface RunningSink { child: ChildProcess, events: SinkEvent[], messages: SinkMessage[], address: string, receivedAtMs: Map<SinkMessage, number> }

async function startSink (t: Test, lab: Lab, args: string[] = []): Promise<RunningSink> {
  const child = lab.spawn('c', [process.execPath, SINK, '--host', '0.0.0.0', '--port', '25', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const events: SinkEvent[] = []
  const messages: SinkMessage[] = []
  const receivedAtMs = new Map<SinkMessage, number>()
  const stderr: string[] = []
  onLines(child.stdout, (line) => {
    const e = JSON.parse(line) as SinkEvent
    events.push(e)
    if (e.event === 'message') { messages.push(e.message); receivedAtMs.set(e.message, Date.now()) }
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk))
  t.teardown(() => { lab.kill(child, 'SIGTERM') })
  try {
    await waitFor(() => events.some((e) => e.event === 'listening'), { timeoutMs: 5000, what: 'smtp sink listening' })
  } catch (err) {
    t.comment(stderr.join(''))
    throw err
  }
  return { child, events, messages, address: lab.node('c').ipv4, receivedAtMs }
}

function conf (routerId: string, priority: number, vip: string, sink: RunningSink): string {
  return keepalivedConf({
    routerId,
    globalExtra: [
      'notification_email {', '    ops@example.com', '    noc@example.com', '}',
      'notification_email_from floatip@example.com',
      `smtp_server ${sink.address}`,
      'smtp_connect_timeout 5',
      'smtp_alert'
    ],
    instances: [{ name: 'VI_1', vrid: 52, priority, advertInt: 0.1, version: 3, vips: [vip] }]
  })
}

/** Index of the daemon's last `state changed` line. */
function lastChange (d: RunningDaemon): number {
  let i = d.logs.length - 1
  while (i >= 0 && d.logs[i].msg !== 'state changed') i--
  return Math.max(i, 0)
}

const subjectOf = (m: SinkMessage): string | undefined => /^Subject: (.*)$/m.exec(m.data)?.[1]?.trim()

function dump (t: Test, daemons: RunningDaemon[], sink: RunningSink): void {
  for (const d of daemons) t.comment(d.node, JSON.stringify(d.logs.map(({ time, pid, name, ...l }) => l)), d.stderr.join('\n'))
  t.comment('sink', JSON.stringify(sink.events))
}

t.test('the master dies: the backup mails "Entering MASTER state" to every notification_email', async (t) => {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const sink = await startSink(t, lab)
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const r1 = daemons.floatip('r1', conf('r1', 150, vip, sink))
  const r2 = daemons.floatip('r2', conf('r2', 100, vip, sink))
  try {
    await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
    await waitFor(() => sink.messages.some((m) => subjectOf(m) === '[r1] VRRP Instance VI_1 - Entering MASTER state'), { timeoutMs: 10_000, what: 'r1 MASTER alert' })
    t.pass('r1 mailed its MASTER state')
    // r2 may have been MASTER for a moment at start: wait until it is BACKUP and has mailed that.
    const lastState = (): unknown => r2.logs.filter((l) => l.msg === 'state changed').at(-1)?.to
    await waitFor(() => lastState() === 'BACKUP', { timeoutMs: 5000, what: 'r2 BACKUP' })
    await r2.waitForLog((l) => l.msg === 'smtp alert sent' && l.state === 'BACKUP', 'r2 mailed BACKUP', { from: lastChange(r2), timeoutMs: 10_000 })
    const mailed = sink.messages.length
    const from2 = r2.logs.length
    lab.kill(r1.child, 'SIGKILL')
    const takeover = await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from: from2, timeoutMs: 5000 })
    const mail = await waitFor(() => sink.messages.slice(mailed).find((m) => subjectOf(m) === '[r2] VRRP Instance VI_1 - Entering MASTER state'), { timeoutMs: 10_000, what: 'r2 MASTER alert' })
    t.comment(`MASTER alert received ${(sink.receivedAtMs.get(mail) ?? NaN) - Date.parse(String(takeover.time))} ms after r2's 'state changed' line (not asserted)`)
    t.equal(mail.remoteAddress, lab.node('r2').ipv4, 'sent by r2 over the LAN')
    t.equal(mail.helo, hostname(), 'smtp_helo_name defaults to the host name')
    t.equal(mail.mailFrom, 'floatip@example.com')
    t.same(mail.rcptTo, ['ops@example.com', 'noc@example.com'], 'one RCPT TO per notification_email')
    const [head, body] = mail.data.split('\r\n\r\n')
    t.match(head, /^Date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}\r\nFrom: floatip@example.com\r\nSubject: \[r2\] VRRP Instance VI_1 - Entering MASTER state\r\nX-Mailer: Keepalived \(floatip\)\r\nTo: ops@example.com, noc@example.com$/)
    t.equal(body, '=> VRRP Instance is now owning VRRP VIPs <=\r\n')
    await r2.waitForLog((l) => l.msg === 'smtp alert sent' && l.subject === '[r2] VRRP Instance VI_1 - Entering MASTER state', 'r2 logs the alert as sent', { from: from2, timeoutMs: 5000 })
    const r2Subjects = sink.messages.filter((m) => m.remoteAddress === lab.node('r2').ipv4).map(subjectOf)
    t.same(r2Subjects.slice(-2), ['[r2] VRRP Instance VI_1 - Entering BACKUP state', '[r2] VRRP Instance VI_1 - Entering MASTER state'], 'r2 mailed BACKUP, then MASTER, in order')
    t.same(sink.messages.slice(mailed).map(subjectOf), ['[r2] VRRP Instance VI_1 - Entering MASTER state'], 'one mail for the takeover')
  } catch (err) {
    dump(t, [r1, r2], sink)
    throw err
  }
})

t.test('a server answering 5xx: the failure is logged with the reply; floatip keeps running and stops cleanly', async (t) => {
  const lab = await withLab(t, { routers: 1, client: true, ipv6: false })
  const sink = await startSink(t, lab, ['--reject-at', 'mail', '--reject-reply', '550 5.7.1 relaying denied'])
  const daemons = withDaemons(t, lab)
  const r1 = daemons.floatip('r1', conf('r1', 150, lab.vip4(0), sink))
  try {
    await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
    const failed = await r1.waitForLog((l) => l.msg === 'smtp alert failed' && l.state === 'MASTER', 'the MASTER alert fails', { timeoutMs: 10_000 })
    t.match(failed, { component: 'smtp', instance: 'VI_1', stage: 'mail', reason: 'reply', reply: '550 5.7.1 relaying denied', server: `${sink.address}:25` })
    t.ok(sink.events.some((e) => e.event === 'command' && e.line === 'QUIT'), 'the session ended with QUIT')
    t.equal(sink.messages.length, 0)
    t.equal(r1.child.exitCode, null, 'floatip is still running')
    await new Promise((resolve) => setTimeout(resolve, 300))
    t.notOk(r1.logs.some((l) => l.msg === 'state changed' && l.to !== 'MASTER' && l.from === 'MASTER'), 'still MASTER')
    const before = r1.logs.length
    lab.kill(r1.child, 'SIGTERM')
    t.ok(await lab.waitExit(r1.child, 15_000), 'exits after SIGTERM')
    t.equal(r1.child.exitCode, 0, 'exit status 0')
    t.ok(r1.logs.slice(before).some((l) => l.msg === 'smtp alert failed' && l.state === 'STOP'), 'the Stopping alert was attempted before exit')
  } catch (err) {
    dump(t, [r1], sink)
    throw err
  }
})

// A backup whose JavaScript thread is stuck (a reload, a cold start of 255 instances) while
// adverts keep coming: more than the ring holds. The native thread must not drop them, and must
// not let a deadline fire before JavaScript has seen the adverts that arrived ahead of it (RFC
// 5798 §6.4.2: each resets the Master_Down_Timer). Before, the ring dropped the overflow and the
// timer fired first: a 255-instance backup took instances over from a live master at start-up.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { withLab } from '../helpers/lab.js'
import { runTsChild } from '../helpers/child.js'
import { VrrpSocket, monotonicUs } from '../../src/native/index.js'

const fixture = fileURLToPath(new URL('./fixtures/stalled-ring.ts', import.meta.url))
const advert = Buffer.from('3101640100010000c00002fe', 'hex')
const STUCK_MS = 400
const DEADLINE_MS = 200 // into the stall: ~100 adverts before it, the ring holds 24

t.test('a stuck JavaScript thread: no advert dropped, the timer fires after the adverts before it', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false })
  const r1 = lab.node('r1')
  const r2 = lab.node('r2')
  const tx = new VrrpSocket({ family: 4, interface: r1.ifname, netns: r1.ns, source: r1.ipv4, receive: false })
  const sentUs: number[] = []
  const sender = setInterval(() => { tx.send(advert); sentUs.push(monotonicUs()) }, 2)
  t.teardown(() => { clearInterval(sender); tx.close() })

  const result = await runTsChild(fixture, [r2.ns, r2.ifname, String(STUCK_MS), String(DEADLINE_MS)], { timeoutMs: 30_000 })
  t.equal(result.code, 0, `the child ran (${result.stderr.trim()})`)
  const report = JSON.parse(result.stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}') as Record<string, number>
  // Sent well inside (opened, deadline): the kernel had them before the timer was due.
  const sentBefore = sentUs.filter((us) => us > report.openedUs + 2000 && us < report.deadlineUs - 2000).length
  t.ok(sentBefore > 32, `${sentBefore} adverts sent between the socket's opening and the deadline (more than the 32-slot ring)`)
  t.equal(report.rxDroppedRingFull, 0, 'no packet dropped at the full ring')
  t.ok(report.rxPaused > 0, `the socket was paused ${report.rxPaused} times while the ring was full`)
  t.ok(report.deadlinesDeferred >= 1, 'the due timer was held back')
  t.equal(report.timersFired, 1)
  t.ok(report.beforeDeadline >= sentBefore, `JavaScript got ${report.beforeDeadline} adverts stamped before the deadline (${sentBefore} sent well before it)`)
  t.ok(report.seenAtTimer >= report.beforeDeadline, `when the timer fired JavaScript had seen ${report.seenAtTimer} adverts, all ${report.beforeDeadline} stamped before the deadline among them`)
  t.equal(report.rxDelivered, report.rxPackets, 'every packet read was delivered')
})

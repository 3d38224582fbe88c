// Interop with keepalived (issue 4): floatip and Debian's keepalived 2.2.7 in one VRRP group, each
// in its own lab namespace, both reading the same style of keepalived.conf (only the priority and
// the unicast addresses differ). They must hold the same elections and takeovers as two keepalived
// hosts: the higher priority wins, a crash (SIGKILL) or a graceful stop (SIGTERM: priority-0
// advert) hands the VIP over, a restarted higher priority preempts it back, and never are there two
// masters in steady state. Ground truth is `ip addr` on the nodes and a client's ping, not what
// either daemon says. Matrix: VRRPv2 (PASS authentication) and VRRPv3, multicast and unicast.
import t from 'tap'
import type { Test } from 'tap'
import { withLab, type Lab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, type RunningDaemon } from '../helpers/daemons.js'
import { floatipStatus, lastState, reportedStates, steadyHolders, tail, waitForPing, waitForState, type VrrpState } from './interop-helpers.js'

// Every subtest has its own lab: run a few at once (VRRPv2's whole-second adverts make one
// handover scenario take ~14 s of mostly waiting).
t.jobs = 3

type Kind = 'floatip' | 'keepalived'

const INSTANCE = 'VI_1'
const VRID = 51
const HIGH = 150
const LOW = 100
const TIMEOUT_MS = 10_000
const NODES = ['r1', 'r2']
const NODE: Record<Kind, string> = { floatip: 'r1', keepalived: 'r2' }

interface Mode {
  name: string
  version: 2 | 3
  unicast: boolean
  /** Seconds: whole seconds for VRRPv2 (RFC 3768 §5.3.7), centiseconds for VRRPv3. */
  advertInt: number
  authPass?: string
}

const MODES: Mode[] = [
  { name: 'VRRPv2 multicast PASS', version: 2, unicast: false, advertInt: 1, authPass: 'fl0at1p' },
  { name: 'VRRPv3 multicast', version: 3, unicast: false, advertInt: 0.1 },
  { name: 'VRRPv2 unicast PASS', version: 2, unicast: true, advertInt: 1, authPass: 'fl0at1p' },
  { name: 'VRRPv3 unicast', version: 3, unicast: true, advertInt: 0.1 }
]

interface Handover { master: Kind, backup: Kind, signal: 'SIGKILL' | 'SIGTERM' }

const HANDOVERS: Handover[] = [
  { master: 'floatip', backup: 'keepalived', signal: 'SIGKILL' },
  { master: 'keepalived', backup: 'floatip', signal: 'SIGTERM' }
]

interface Group {
  lab: Lab
  vip: string
  /** Starts `kind` on its node with this mode's config at `priority` (and `authPass` if given). */
  start: (kind: Kind, priority: number, authPass?: string) => RunningDaemon
}

async function group (t: Test, mode: Mode, started: RunningDaemon[]): Promise<Group> {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const address = (kind: Kind): string => lab.node(NODE[kind]).ipv4
  const other = (kind: Kind): Kind => kind === 'floatip' ? 'keepalived' : 'floatip'
  const start = (kind: Kind, priority: number, authPass = mode.authPass): RunningDaemon => {
    const text = keepalivedConf({
      routerId: kind,
      instances: [{
        name: INSTANCE,
        vrid: VRID,
        priority,
        version: mode.version,
        advertInt: mode.advertInt,
        authPass,
        vips: [`${vip}/24`],
        ...(mode.unicast ? { unicastSrcIp: address(kind), unicastPeers: [address(other(kind))] } : {})
      }]
    })
    const daemon = kind === 'floatip' ? daemons.floatip(NODE[kind], text) : daemons.keepalived(NODE[kind], text)
    started.push(daemon)
    return daemon
  }
  return { lab, vip, start }
}

/** Runs `body`; when it throws or an assertion failed, comments the daemons' last log lines. */
async function withDiagnostics (t: Test, started: RunningDaemon[], body: () => Promise<void>): Promise<void> {
  try {
    await body()
  } catch (err) {
    for (const d of started) t.comment(tail(d))
    throw err
  }
  if (!t.passing()) for (const d of started) t.comment(tail(d))
}

/** Asserts that exactly `holder` keeps the VIP over a 1 s window and that `other` reports `otherState`. */
async function assertSteady (t: Test, g: Group, holder: Kind, other: RunningDaemon, otherState: VrrpState, what: string): Promise<void> {
  const samples = await steadyHolders(g.lab, NODES, g.vip, [NODE[holder]], { timeoutMs: TIMEOUT_MS })
  t.strictSame(samples, samples.map(() => [NODE[holder]]), `${what}: the VIP stays on ${holder}'s node only`)
  t.equal(lastState(other, INSTANCE), otherState, `${what}: ${other.kind} reports ${otherState}`)
  await waitForPing(g.lab, g.vip, { timeoutMs: 5000 })
  t.pass(`${what}: the client reaches the VIP`)
}

for (const mode of MODES) {
  for (const h of HANDOVERS) {
    const name = `${mode.name}: ${h.master} ${HIGH} MASTER, ${h.backup} ${LOW} BACKUP; ${h.master} ${h.signal} -> ${h.backup} takes over; ${h.master} restarted preempts back`
    t.test(name, async (t) => {
      const started: RunningDaemon[] = []
      const g = await group(t, mode, started)
      await withDiagnostics(t, started, async () => {
        // 1. Election: the higher priority wins, the other stays BACKUP.
        let high = g.start(h.master, HIGH)
        const low = g.start(h.backup, LOW)
        await waitForState(high, INSTANCE, 'MASTER', { timeoutMs: TIMEOUT_MS })
        await assertSteady(t, g, h.master, low, 'BACKUP', 'election')

        // 2. Takeover when the master dies (SIGKILL: no goodbye) or stops (SIGTERM: priority 0).
        const lowSeen = reportedStates(low, INSTANCE).length
        t.ok(g.lab.kill(high.child, h.signal), `${h.master} sent ${h.signal}`)
        t.ok(await g.lab.waitExit(high.child, 5000), `${h.master} exited`)
        await waitForState(low, INSTANCE, 'MASTER', { timeoutMs: TIMEOUT_MS, from: lowSeen })
        if (h.signal === 'SIGTERM') {
          await assertSteady(t, g, h.backup, low, 'MASTER', 'takeover')
        } else {
          // A SIGKILLed daemon cannot remove its VIP: it stays on the dead node (one master, one
          // corpse) until the restarted daemon removes it at start-up.
          const both = [NODE[h.master], NODE[h.backup]].sort()
          const samples = await steadyHolders(g.lab, NODES, g.vip, both, { timeoutMs: TIMEOUT_MS })
          t.strictSame(samples, samples.map(() => both), `takeover: ${h.backup} holds the VIP (still on the killed ${h.master}'s node too)`)
        }

        // 3. Preemption: the restarted higher priority takes the VIP back; the other releases it.
        const lowSeenAgain = reportedStates(low, INSTANCE).length
        high = g.start(h.master, HIGH)
        await waitForState(high, INSTANCE, 'MASTER', { timeoutMs: TIMEOUT_MS })
        await waitForState(low, INSTANCE, 'BACKUP', { timeoutMs: TIMEOUT_MS, from: lowSeenAgain })
        await assertSteady(t, g, h.master, low, 'BACKUP', 'preemption')
      })
    })
  }
}

t.test('VRRPv2 multicast, PASS mismatch: floatip discards keepalived\'s adverts (auth-failure), so both are MASTER', async (t) => {
  const started: RunningDaemon[] = []
  const g = await group(t, MODES[0], started)
  await withDiagnostics(t, started, async () => {
    // keepalived has the higher priority: were its adverts accepted, floatip would stay BACKUP.
    const keepalived = g.start('keepalived', HIGH, 'kaPass01')
    const floatip = g.start('floatip', LOW, 'fipPass2')
    await waitForState(keepalived, INSTANCE, 'MASTER', { timeoutMs: TIMEOUT_MS })
    await waitForState(floatip, INSTANCE, 'MASTER', { timeoutMs: TIMEOUT_MS })
    // RFC 3768 §7.1 (PASS): an advert with the wrong key is discarded, so each side sees no master.
    const samples = await steadyHolders(g.lab, NODES, g.vip, NODES, { timeoutMs: TIMEOUT_MS })
    t.strictSame(samples, samples.map(() => NODES), 'both nodes hold the VIP')
    // KEEPALIVED 2.2.7 re-arms its Adver_Timer on every packet it receives for the VRID, valid
    // or not, so once floatip advertises every second keepalived stops sending (observed: one
    // advert on becoming MASTER, then silence): floatip's count is small but never zero.
    const status = await floatipStatus(g.lab, floatip, 5000)
    const instance = status.instances[0]
    t.equal(instance.state, 'MASTER', 'floatip reports MASTER')
    t.ok(instance.counters.discards['auth-failure'] > 0, `floatip counted auth failures (${instance.counters.discards['auth-failure']})`)
    t.equal(instance.counters.advertsReceived, 0, 'floatip accepted no advert')
    t.ok(keepalived.stderr.some((l) => l.includes('received an invalid passwd')), 'keepalived rejected floatip\'s adverts too')
  })
})

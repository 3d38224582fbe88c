// The interop tests' VRRP group (issue 4): two lab routers, r1 and r2, each running floatip or
// Debian's keepalived 2.2.7 on the same style of keepalived.conf (only router_id, the priority and
// the unicast addresses differ), in one of four modes; and the protocol's takeover bounds those
// tests assert, loosely. Must not: start anything beyond the group's lab and daemons, or wait
// without a bound.
import type { Test } from 'tap'
import { withLab, type Lab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, type RunningDaemon } from '../helpers/daemons.js'
import { masterDownIntervalUs, skewTimeUs } from '../../src/core/index.js'
import { lastState, steadyHolders, tail, waitForPing, type VrrpState } from './interop-helpers.js'

export type Kind = 'floatip' | 'keepalived'
export type Node = 'r1' | 'r2'

export const INSTANCE = 'VI_1'
export const VRID = 51
export const HIGH = 150
export const LOW = 100
export const TIMEOUT_MS = 10_000
export const NODES: readonly Node[] = ['r1', 'r2']

export interface Mode {
  name: string
  version: 2 | 3
  unicast: boolean
  /** Seconds: whole seconds for VRRPv2 (RFC 3768 §5.3.7), centiseconds for VRRPv3. */
  advertInt: number
  authPass?: string
}

// VRRPv3 at advert_int 0.3: a backup that honours a priority-0 advert takes over Skew_Time after
// it, one that ignores it at least Master_Down_Interval - advert_int after it, 2 x advert_int
// later; at 0.3 s that leaves 300 ms either side of the bound the tests assert (see
// takeoverWindow), enough for a shared 2-core machine, and keeps a takeover near one second.
export const MODES: readonly Mode[] = [
  { name: 'VRRPv2 multicast PASS', version: 2, unicast: false, advertInt: 1, authPass: 'fl0at1p' },
  { name: 'VRRPv3 multicast', version: 3, unicast: false, advertInt: 0.3 },
  { name: 'VRRPv2 unicast PASS', version: 2, unicast: true, advertInt: 1, authPass: 'fl0at1p' },
  { name: 'VRRPv3 unicast', version: 3, unicast: true, advertInt: 0.3 }
]

export interface Group {
  lab: Lab
  vip: string
  mode: Mode
  /** Every daemon started so far, for diagnostics. */
  started: RunningDaemon[]
  /** Starts `kind` on `node` with this mode's config at `priority` (and `authPass` if given). */
  start: (node: Node, kind: Kind, priority: number, options?: { authPass?: string, nopreempt?: boolean }) => RunningDaemon
}

export async function group (t: Test, mode: Mode): Promise<Group> {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const started: RunningDaemon[] = []
  const start: Group['start'] = (node, kind, priority, options = {}) => {
    const peer = node === 'r1' ? 'r2' : 'r1'
    const text = keepalivedConf({
      routerId: `${kind}-${node}`,
      instances: [{
        name: INSTANCE,
        vrid: VRID,
        priority,
        version: mode.version,
        advertInt: mode.advertInt,
        authPass: options.authPass ?? mode.authPass,
        nopreempt: options.nopreempt,
        vips: [`${vip}/24`],
        ...(mode.unicast ? { unicastSrcIp: lab.node(node).ipv4, unicastPeers: [lab.node(peer).ipv4] } : {})
      }]
    })
    const daemon = kind === 'floatip' ? daemons.floatip(node, text) : daemons.keepalived(node, text)
    started.push(daemon)
    return daemon
  }
  return { lab, vip, mode, started, start }
}

/** Runs `body`; when it throws or an assertion failed, comments the daemons' last log lines. */
export async function withDiagnostics (t: Test, g: Group, body: () => Promise<void>): Promise<void> {
  try {
    await body()
  } catch (err) {
    for (const d of g.started) t.comment(tail(d))
    throw err
  }
  if (!t.passing()) for (const d of g.started) t.comment(tail(d))
}

/**
 * Asserts that exactly `holders` keep the VIP over a window (`windowMs`, default 1 s), that
 * `other` last reported `otherState`, and (unless `ping` is false) that the client reaches the VIP.
 */
export async function assertSteady (t: Test, g: Group, holders: readonly Node[], other: RunningDaemon, otherState: VrrpState,
  what: string, options: { windowMs?: number, ping?: boolean } = {}): Promise<void> {
  const want = [...holders].sort()
  const samples = await steadyHolders(g.lab, NODES, g.vip, want, { timeoutMs: TIMEOUT_MS, windowMs: options.windowMs })
  t.strictSame(samples, samples.map(() => want), `${what}: the VIP stays on ${want.join(' and ')} only`)
  t.equal(lastState(other, INSTANCE), otherState, `${what}: ${other.kind} on ${other.node} reports ${otherState}`)
  if (options.ping === false) return
  await waitForPing(g.lab, g.vip, { timeoutMs: 5000 })
  t.pass(`${what}: the client reaches the VIP`)
}

/** How a master goes away: a crash, a graceful stop, or its cable pulled (carrier lost). */
export type Failure = 'SIGKILL' | 'SIGTERM' | 'link-down'

export interface TakeoverWindow {
  /** What the bound is, e.g. "Master_Down_Interval 1082.8 ms". */
  bound: string
  minUs: number
  maxUs: number
}

/** Scheduling and event-loop delays a takeover may show on a shared, busy 2-core machine. */
const NOISE_US = 500_000
/** Margin under a lower bound; only the direction of every measurement error makes it safe. */
const EARLY_US = 50_000

/**
 * The window in which the backup (priority LOW) must take over from a master (HIGH) in `mode`,
 * counted from the failure (SIGKILL, link down) or from the priority-0 advert (SIGTERM), as
 * between two keepalived hosts:
 * - silence (SIGKILL, link down): RFC 5798 §6.4.2 / RFC 3768 §6.4.2: Master_Down_Interval after
 *   the master's last advert, which left up to one advert_int before the failure: within
 *   [MDI - advert_int, MDI], plus NOISE_US for a loaded machine (the link is set down by an `ip`
 *   command, and keepalived's transitions are timed when its log line reaches the test).
 * - priority 0 (SIGTERM): RFC 5798 §6.4.2 "If the Priority in the ADVERTISEMENT is zero, then:
 *   Set the Master_Down_Timer to Skew_Time": Skew_Time after it. A backup that ignored it would
 *   take over at the earliest MDI - advert_int = Skew_Time + 2 x advert_int after it: the upper
 *   bound, Skew_Time + advert_int, lies halfway, one advert_int from either (1 s for VRRPv2,
 *   0.3 s for VRRPv3 at advert_int 0.3). The lower bound, half Skew_Time, catches a backup that
 *   did not wait at all.
 */
export function takeoverWindow (mode: Mode, failure: Failure): TakeoverWindow {
  const adverIntCs = Math.round(mode.advertInt * 100)
  const intervalUs = adverIntCs * 10_000
  const msText = (us: number): string => `${(us / 1000).toFixed(1)} ms`
  if (failure === 'SIGTERM') {
    const skewUs = skewTimeUs(mode.version, LOW, adverIntCs)
    return { bound: `Skew_Time ${msText(skewUs)}`, minUs: skewUs / 2, maxUs: skewUs + intervalUs }
  }
  const mdiUs = masterDownIntervalUs(mode.version, LOW, adverIntCs)
  return { bound: `Master_Down_Interval ${msText(mdiUs)}`, minUs: mdiUs - intervalUs - EARLY_US, maxUs: mdiUs + NOISE_US }
}

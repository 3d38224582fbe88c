// One failover cycle of the failover bench: r1 (MASTER, priority 200) and r2 (BACKUP, priority
// 100) run the same daemon from one generated keepalived.conf each; then, one after the other,
// each fault of the configuration hits r1 and r1 comes back (a restart is the "original master
// returning" scenario, measured too). Every fault yields one Sample: the outage the client saw and
// where the time went (wire and kernel timestamps). Must not: wait without a bound, or leave a
// daemon, a VIP or a pulled cable behind when a step fails.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { waitFor, type Lab, type LabDaemons } from '../src/lab/index.js'
import { monotonicUs } from '../src/native/index.js'
import { masterDownIntervalUs } from '../src/core/index.js'
import type { Probe } from './lib/probe.js'
import { Router, type DaemonKind } from './lib/routers.js'
import type { Wire } from './lib/wire.js'

export type Scenario = 'crash' | 'graceful' | 'link-down' | 'track-script' | 'preempt'

export interface FailoverConfig {
  id: string
  version: 2 | 3
  /** advert_int, seconds. */
  advertInt: number
  family: 'ipv4' | 'ipv6'
  unicast: boolean
  /** Faults in cycle order; with 'preempt', every restart of r1 is measured too. */
  scenarios: Scenario[]
  cycles: number
}

export interface Sample {
  config: string
  daemon: DaemonKind
  scenario: Scenario
  cycle: number
  ok: boolean
  error?: string
  /** Client: last reply before the gap to first reply from the new master. */
  outageUs?: number
  /** Fault instant (kill, SIGTERM, carrier loss, failing check; preempt: r1's spawn) to the new master's first advert. */
  faultToAdvertUs?: number
  /** The old master's last advert (graceful, track-script: its priority-0 advert) to the new master's first advert. */
  masterToAdvertUs?: number
  /** The new master's VIP appearing in its kernel, relative to its first advert (negative: before). */
  vipToAdvertUs?: number
  advertToGarpUs?: number
  garpToClientUs?: number
  faultToClientUs?: number
  /** Further client gaps (> 2.5 ms) in the second after the switch: flaps, ARP trouble. */
  extraGapsUs?: number[]
  /** graceful, track-script: adverts with priority > 0 the old master sent after its priority-0 advert (each one restarts the backup's Master_Down_Timer). */
  strayAdverts?: number
  /** The first such advert, after the priority-0 advert. */
  strayAfterUs?: number
}

export interface CycleContext {
  lab: Lab
  daemons: LabDaemons
  wire: Wire
  probe: Probe
  config: FailoverConfig
  /** The VIP as the wire capture writes it, and as keepalived.conf writes it. */
  vip: string
  vipSpec: string
  configs: { r1: string, r2: string }
  /** track-script: r1's check fails while this file exists; the check appends its failure time here. */
  track: { failFile: string, markFile: string } | null
  routers: { r1: Router, r2: Router }
}

const INSTANCE = 'VI_1'
const START_TIMEOUT_MS = 20_000
const STEADY_MS = 100

const sleep = async (msec: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, msec))

export async function runCycle (ctx: CycleContext, daemon: DaemonKind, cycle: number, samples: Sample[]): Promise<void> {
  const { r1, r2 } = ctx.routers
  const c = ctx.config
  const mdiMs = masterDownIntervalUs(c.version, 100, Math.round(c.advertInt * 100)) / 1000
  const takeoverMs = mdiMs + 5_000
  let current: Scenario = 'preempt'
  const record = (sample: Omit<Sample, 'config' | 'daemon' | 'cycle'>): void => { samples.push({ config: c.id, daemon, cycle, ...sample }) }
  try {
    ctx.wire.clear()
    await removeVip(ctx, 'r1')
    await removeVip(ctx, 'r2')
    await r1.startResponder()
    await r2.startResponder()
    r1.start(daemon, ctx.configs.r1)
    await r1.waitState(INSTANCE, 'MASTER', START_TIMEOUT_MS)
    await ctx.probe.waitServed('r1', STEADY_MS, START_TIMEOUT_MS)
    r2.start(daemon, ctx.configs.r2)
    await r2.waitState(INSTANCE, 'BACKUP', START_TIMEOUT_MS)
    let backupSinceUs = monotonicUs()
    const faults = c.scenarios.filter((s) => s !== 'preempt' && (s !== 'track-script' || ctx.track !== null))
    for (const [i, scenario] of faults.entries()) {
      current = scenario
      // r2 must have heard r1 as a backup (else its Master_Down_Timer still runs from its own
      // start: at advert_int 1 that adds up to a second), then a random phase against the
      // cadence, so a fault lands anywhere in the interval.
      await waitFor(() => ctx.wire.firstAdvert('r1', backupSinceUs, (a) => a.priority > 0), { timeoutMs: 3 * c.advertInt * 1000 + 1000, intervalMs: 5, what: 'an advert from r1 after r2 became BACKUP' })
      await sleep(STEADY_MS + Math.random() * c.advertInt * 1000)
      const r2Mark = r2.logMark()
      const fault = await inject(ctx, scenario)
      await ctx.probe.waitServed('r2', STEADY_MS, takeoverMs)
      record({ scenario, ...measure(ctx, 'r1', 'r2', fault.atUs, scenario === 'graceful' || scenario === 'track-script' ? 'release' : 'takeover') })
      // The original master returns: a restart (measured as preempt), the cable, or the check;
      // after the last fault only when its restart is a preempt sample (cleanUp stops everything).
      if (i === faults.length - 1 && !(c.scenarios.includes('preempt') && (scenario === 'crash' || scenario === 'graceful'))) break
      current = 'preempt'
      const restartedUs = await recover(ctx, scenario, daemon)
      await ctx.probe.waitServed('r1', STEADY_MS, takeoverMs + START_TIMEOUT_MS)
      if (restartedUs !== null && c.scenarios.includes('preempt')) record({ scenario: 'preempt', ...measure(ctx, 'r2', 'r1', restartedUs, 'preempt') })
      await r2.waitState(INSTANCE, 'BACKUP', takeoverMs, r2Mark)
      backupSinceUs = monotonicUs()
    }
  } catch (err) {
    record({ scenario: current, ok: false, error: (err as Error).message })
  } finally {
    await cleanUp(ctx)
  }
}

/** The fault on r1; returns its instant on CLOCK_MONOTONIC. */
async function inject (ctx: CycleContext, scenario: Scenario): Promise<{ atUs: number }> {
  const r1 = ctx.routers.r1
  switch (scenario) {
    case 'crash':
      return { atUs: r1.crash() }
    case 'graceful':
      return { atUs: r1.terminate() }
    case 'link-down': {
      // The switch side: r1 loses carrier (a pulled cable). The instant is the switch port's
      // netlink event; the command's start if that was not seen.
      const before = monotonicUs()
      await ctx.lab.setLinkDown('r1', { side: 'switch' })
      await sleep(5)
      const port = ctx.lab.node('r1').links[0].switchPort
      return { atUs: ctx.wire.linkChange(port, false, before)?.us ?? before }
    }
    case 'track-script': {
      const track = ctx.track as NonNullable<CycleContext['track']>
      rmSync(track.markFile, { force: true })
      const created = monotonicUs()
      writeFileSync(track.failFile, '')
      // The instant the check first failed: its own timestamp (CLOCK_REALTIME, mapped here).
      const mark = await waitForFile(track.markFile, 3_000)
      return { atUs: mark === null ? created : realtimeNsToMonotonicUs(mark) }
    }
    case 'preempt':
      throw new Error('preempt is not a fault')
  }
}

/** Brings r1 back; returns the restart instant when r1's daemon was restarted (a preempt sample). */
async function recover (ctx: CycleContext, scenario: Scenario, daemon: DaemonKind): Promise<number | null> {
  const r1 = ctx.routers.r1
  switch (scenario) {
    case 'crash':
    case 'graceful':
      await r1.reaped()
      // A crashed host reboots without the VIP (keepalived and floatip leave it on SIGKILL).
      if (scenario === 'crash') await removeVip(ctx, 'r1')
      await r1.startResponder()
      r1.start(daemon, ctx.configs.r1)
      return r1.startedUs
    case 'link-down':
      await ctx.lab.setLinkUp('r1', { side: 'switch' })
      return null
    case 'track-script':
      rmSync((ctx.track as NonNullable<CycleContext['track']>).failFile, { force: true })
      return null
    case 'preempt':
      return null
  }
}

/** Where the time went between `atUs` and the client's first reply from `to`. */
function measure (ctx: CycleContext, from: string, to: string, atUs: number, kind: 'takeover' | 'release' | 'preempt'): Omit<Sample, 'config' | 'daemon' | 'cycle' | 'scenario'> {
  const { wire, probe } = ctx
  const outage = probe.outageAfter(atUs, to)
  if (outage === null) return { ok: false, error: `no reply from ${to} after the fault` }
  const advert = wire.firstAdvert(to, atUs, (a) => a.priority > 0)
  // The old master's last word: its priority-0 advert when it releases (SIGTERM, FAULT), its last
  // advert when it falls silent; none for preempt (the old master advertises until it hears the new one).
  const masterLast = advert === undefined || kind === 'preempt'
    ? undefined
    : kind === 'release' ? wire.firstAdvert(from, atUs, (a) => a.priority === 0) : wire.lastAdvertBefore(from, advert.us, (a) => a.priority > 0)
  const garp = wire.firstAnnouncement(to, ctx.vip, atUs)
  const vip = wire.vipAdded(to, ctx.vip, atUs)
  const extra = probe.gapsBetween(outage.firstUs + 1, outage.firstUs + 1_000_000).map((g) => g.us - g.prevUs)
  const stray = kind === 'release' && masterLast !== undefined
    ? wire.adverts.filter((a) => a.router === from && a.us > masterLast.us && a.priority > 0)
    : undefined
  return {
    ok: true,
    outageUs: outage.outageUs,
    faultToAdvertUs: advert === undefined ? undefined : advert.us - atUs,
    masterToAdvertUs: advert === undefined || masterLast === undefined ? undefined : advert.us - masterLast.us,
    vipToAdvertUs: advert === undefined || vip === undefined ? undefined : vip.us - advert.us,
    advertToGarpUs: advert === undefined || garp === undefined ? undefined : garp.us - advert.us,
    garpToClientUs: garp === undefined ? undefined : outage.firstUs - garp.us,
    faultToClientUs: outage.firstUs - atUs,
    extraGapsUs: extra,
    strayAdverts: stray?.length,
    strayAfterUs: stray !== undefined && stray.length > 0 && masterLast !== undefined ? stray[0].us - masterLast.us : undefined
  }
}

/** Stops both daemons, restores r1's cable and check, removes leftover VIPs. Never throws. */
async function cleanUp (ctx: CycleContext): Promise<void> {
  const steps: Array<() => Promise<unknown>> = [
    async () => await ctx.routers.r2.stopDaemon(),
    async () => await ctx.routers.r1.stopDaemon(),
    async () => { if (ctx.track !== null) rmSync(ctx.track.failFile, { force: true }) },
    async () => await ctx.lab.setLinkUp('r1', { side: 'switch' }),
    async () => await removeVip(ctx, 'r1'),
    async () => await removeVip(ctx, 'r2')
  ]
  for (const step of steps) {
    try { await step() } catch (err) { console.warn(`cleanup: ${(err as Error).message}`) }
  }
}

async function removeVip (ctx: CycleContext, router: string): Promise<void> {
  const present = (await ctx.lab.addresses(router, 'eth0')).some((a) => a.address === ctx.vip)
  if (present) await ctx.lab.run(router, ['ip', 'addr', 'del', ctx.vipSpec, 'dev', 'eth0'])
}

async function waitForFile (path: string, timeoutMs: number): Promise<string | null> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8').trim().split('\n')[0]
      if (text !== undefined && text !== '') return text
    }
    await sleep(2)
  }
  return null
}

/** `date +%s%N` output to CLOCK_MONOTONIC µs, through the current offset between the clocks. */
function realtimeNsToMonotonicUs (ns: string): number {
  const realtimeNowUs = (performance.timeOrigin + performance.now()) * 1000
  return Number(BigInt(ns) / 1000n) - (realtimeNowUs - monotonicUs())
}

export function trackScriptFiles (dir: string): { failFile: string, markFile: string, script: string } {
  return { failFile: join(dir, 'check-fails'), markFile: join(dir, 'check-failed-at'), script: join(dir, 'check.sh') }
}

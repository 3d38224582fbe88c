// Bench: cost and cadence at scale, floatip against keepalived 2.2.7 in the same lab and run. r1
// runs N VRRPv3 instances as MASTER (priority 200), r2 the same N as BACKUP (priority 100), both
// from one generated keepalived.conf per node; a receiver in the client namespace timestamps every
// advert on the wire (kernel receive time). Per run: CPU (% of one core, and µs per advert) and
// RSS of master and backup from /proc, and adverts/s actually sent against N / advert_int, over a
// 3 s window that starts 9.5 s after the daemons' spawn at the earliest (start-up is not the
// steady state); at advert_int 0.01 also the cadence over 10 s (interval deviation, systematic
// lateness). "busy" runs load the control plane: 10 track scripts (/bin/true, every second)
// tracked by every instance, a status query to both daemons every 50 ms (SIGUSR2: keepalived
// writes its stats file, floatip logs its status) and a reload (SIGHUP) of the unchanged file
// half-way (both keep every instance's state). Each daemon runs with its own default scheduling
// (floatip's I/O thread SCHED_FIFO 1, keepalived the normal scheduler); "-fair" puts floatip on
// the normal scheduler as well (--rt-priority 0), "-rt" runs both with vrrp_rt_priority. Prints
// two tables, writes bench/results/cost.json.
// Run: npm run build:ts && node dist/bench/cost.js [--quick] [--seconds N] [--only 255x10ms,...] [--busy scripts,status,reload] [--logs DIR]
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { createLab, floatipStatus, keepalivedConf, LabDaemons, parseProcNetRaw, vrrpRawDrops, waitFor, type Lab, type NsRef, type RunningDaemon } from '../src/lab/index.js'
import { IoLoop, TX_LATE_BOUNDS_US, VrrpSocket, monotonicUs } from '../src/native/index.js'
import { parseArgs } from './lib/args.js'
import { cpuTimeUs, processTree, rssKb } from './lib/proc.js'
import { markdownTable, ratio, writeResults } from './lib/report.js'
import type { DaemonKind } from './lib/routers.js'
import { intervals, summarize, type Summary } from './stats.js'

const DAEMONS: readonly DaemonKind[] = ['floatip', 'keepalived']
const BUSY_SCRIPTS = 10
const STATUS_EVERY_MS = 50
const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000
const CAPTURE_RT_PRIORITY = 20
/** Below the receiver's: it must still read promptly when the daemons run SCHED_FIFO too. */
const RT_PRIORITY = 10
/**
 * KEEPALIVED: with vrrp_rt_priority its VRRP process gets RLIMIT_RTTIME 10 ms by default; starting
 * 255 instances with 10 track scripts takes longer than that without blocking, the kernel kills
 * the process and keepalived respawns it, again and again; a reload takes longer still. 5 s.
 */
const RT_RLIMIT_US = 5_000_000
const WARM_UP_MS = 9_500
/** The floor process (bench/lib/floor.ts) has no engine and no start-up GC to wait out. */
const FLOOR_WARM_UP_MS = 1_500
const FLOOR = fileURLToPath(new URL('lib/floor.js', import.meta.url))
type BusyPart = 'scripts' | 'status' | 'reload'
/** `--busy scripts,status` keeps only those parts of the busy load (to see which one costs what). */
const BUSY_PARTS: readonly BusyPart[] = (() => {
  const i = process.argv.indexOf('--busy')
  const all: BusyPart[] = ['scripts', 'status', 'reload']
  return i < 0 ? all : all.filter((p) => (process.argv[i + 1] ?? '').split(',').includes(p))
})()

/** `--logs DIR`: keep each daemon's log of every run there (keepLogs). */
const LOG_DIR: string | undefined = (() => {
  const i = process.argv.indexOf('--logs')
  return i < 0 ? undefined : process.argv[i + 1]
})()

interface Case {
  id: string
  instances: number
  advertInt: number
  load: 'idle' | 'busy'
  /**
   * Scheduling: 'default' is each daemon's own (floatip: its I/O thread SCHED_FIFO 1; keepalived:
   * the normal scheduler); 'rt' is `vrrp_rt_priority` in the config for both (and `--rt-priority`
   * for floatip); 'fair' puts floatip on the normal scheduler too (`--rt-priority 0`).
   */
  sched: 'default' | 'rt' | 'fair'
  seconds: number
  cpuSeconds: number
}

interface Side { cpuPct: number, cpuUs: number, rssKb: number, pids: number }

interface Run {
  case: string
  daemon: DaemonKind
  instances: number
  advertInt: number
  load: 'idle' | 'busy'
  /** Capture window (cadence, missing adverts). */
  windowUs: number
  /** Adverts from the master in the capture window. */
  adverts: number
  /** CPU window (CPU %, adverts/s, µs per advert): WARM_UP_MS after the backup's spawn at the earliest. */
  cpuWindowUs: number
  expectedPerS: number
  sentPerS: number
  /** Adverts from the backup during the window: instances it took over (the master fell behind). */
  backupAdverts: number
  master: Side
  backup: Side
  masterUsPerAdvert: number
  backupUsPerAdvert: number
  /** Interval between consecutive adverts of one instance, minus advert_int (signed), pooled. */
  lateUs: Summary
  /** |interval - advert_int|, pooled. */
  deviationUs: Summary
  missing: number
  captureDrops: number
  statusQueries: number
  reloads: number
  /** The bench's own event loop delay during the window (p99 and max, ms): it drains the daemons' log pipes. */
  benchLagMs: { p99: number, max: number }
  /** Log lines the two daemons wrote during the window. */
  logLines: number
  /** floatip's master: its native thread's sends in the cadence window by lateness (TX_LATE_BOUNDS_US buckets); null for keepalived. */
  ownLateness: number[] | null
  /** What went wrong in a run that still produced figures (a respawned process, keepalived's rlimit kill). */
  notes: string[]
  error?: string
}

/**
 * The kernel's floor at one case (bench/lib/floor.ts): CPU of a process that only sends the
 * adverts the way floatip's native thread does, to a receiving socket on r2.
 */
interface Floor {
  case: string
  instances: number
  advertInt: number
  cpuPct: number
  usPerAdvert: number
  sentPerS: number
  error?: string
}

const sleep = async (msec: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, msec))
const sleepUntil = async (us: number): Promise<void> => { const left = (us - monotonicUs()) / 1000; if (left > 0) await sleep(left) }

function cases (): Case[] {
  const args = parseArgs()
  const cadence = args.seconds ?? (args.quick ? 3 : 10)
  const cpu = 3
  const label = (n: number, ai: number): string => `${n}x${ai >= 1 ? `${ai}s` : `${Math.round(ai * 1000)}ms`}`
  const all: Case[] = []
  const add = (n: number, ai: number, load: Case['load'], sched: Case['sched'] = 'default'): void => {
    all.push({ id: `${label(n, ai)}${load === 'busy' ? '-busy' : ''}${sched === 'default' ? '' : `-${sched}`}`, instances: n, advertInt: ai, load, sched, seconds: cadence, cpuSeconds: cpu })
  }
  if (args.quick) {
    add(255, 0.01, 'idle')
    add(255, 0.01, 'busy')
  } else {
    for (const ai of [1, 0.1, 0.01]) for (const n of [1, 50, 255]) add(n, ai, 'idle')
    for (const n of [1, 50, 255]) add(n, 0.01, 'busy')
    add(255, 0.01, 'busy', 'fair')
    add(255, 0.01, 'busy', 'rt')
  }
  return args.only === undefined ? all : all.filter((c) => args.only?.includes(c.id))
}

/** 203.0.113.0/24 (TEST-NET-3, unused by the lab) gives every instance its own VIP. */
function nodeConfig (c: Case, router: 'r1' | 'r2'): string {
  const busy = c.load === 'busy' && BUSY_PARTS.includes('scripts')
  const scripts = Array.from({ length: BUSY_SCRIPTS }, (_, i) => `chk_busy_${i + 1}`)
  return keepalivedConf({
    routerId: router,
    // No second GARP burst 5 s after becoming master: every window is the steady state.
    globalExtra: ['vrrp_garp_master_delay 0', ...(c.sched === 'rt' ? [`vrrp_rt_priority ${RT_PRIORITY}`, `vrrp_rlimit_rttime ${RT_RLIMIT_US}`] : []), ...(busy ? ['enable_script_security', 'script_user root'] : [])],
    sections: busy ? scripts.flatMap((name) => [`vrrp_script ${name} {`, '    script "/bin/true"', '    interval 1', '}']) : [],
    instances: Array.from({ length: c.instances }, (_, i) => ({
      name: `VI_${i + 1}`,
      state: router === 'r1' ? 'MASTER' as const : 'BACKUP' as const,
      vrid: i + 1,
      priority: router === 'r1' ? 200 : 100,
      advertInt: c.advertInt,
      version: 3 as const,
      vips: [`203.0.113.${i}/32`],
      extra: busy ? ['track_script {', ...scripts.map((s) => `    ${s}`), '}'] : []
    }))
  })
}

function floatipArgs (c: Case): string[] {
  if (c.sched === 'rt') return ['--rt-priority', String(RT_PRIORITY)]
  return c.sched === 'fair' ? ['--rt-priority', '0'] : []
}

function logLines (d: RunningDaemon): number {
  return d.logs.length + d.stderr.length
}

/** Distinct instances the daemon has logged entering `state`. */
function inState (d: RunningDaemon, state: 'MASTER' | 'BACKUP'): number {
  const names = new Set<string>()
  if (d.kind === 'floatip') {
    for (const l of d.logs) if (l.msg === 'state changed' && l.to === state && typeof l.instance === 'string') names.add(l.instance)
  } else {
    const re = new RegExp(`\\((VI_\\d+)\\) Entering ${state} STATE`)
    for (const l of d.stderr) { const m = re.exec(l); if (m !== null) names.add(m[1]) }
  }
  return names.size
}

class Capture {
  readonly byVrid = new Map<number, number[]>()
  backup: number[] = []
  // SCHED_FIFO: the receiver reads promptly on a busy machine (a raw socket buffers ~300 adverts,
  // 12 ms at 25,500/s); it costs each daemon the same few µs per advert.
  readonly #loop = new IoLoop({ slots: 32768, slotSize: 192, realtimePriority: CAPTURE_RT_PRIORITY })
  readonly #socket: VrrpSocket
  readonly #lab: Lab

  constructor (lab: Lab) {
    this.#lab = lab
    const c = lab.node('c')
    const [r1, r2] = [lab.node('r1').ipv4, lab.node('r2').ipv4]
    const last1 = Number(r1.split('.')[3])
    const last2 = Number(r2.split('.')[3])
    this.#socket = new VrrpSocket({ family: 4, interface: c.ifname, netns: c.ns })
    this.#loop.attach(this.#socket, (p) => {
      if (p.source[3] === last1) {
        let list = this.byVrid.get(p.data[1])
        if (list === undefined) this.byVrid.set(p.data[1], list = [])
        list.push(p.receivedUs)
      } else if (p.source[3] === last2) this.backup.push(p.receivedUs)
    })
  }

  clear (): void {
    this.byVrid.clear()
    this.backup = []
  }

  /** Adverts lost by the receiver: its ring, plus the kernel's count for raw sockets in the client namespace. */
  drops (): number {
    const kernel = parseProcNetRaw(this.#lab.exec('c', ['cat', '/proc/net/raw'])).reduce((sum, s) => sum + s.drops, 0)
    return this.#loop.stats().rxDroppedRingFull + kernel
  }

  close (): void {
    this.#socket.close()
    this.#loop.close()
  }
}

async function stop (lab: Lab, d: RunningDaemon | null): Promise<void> {
  if (d === null || d.child.exitCode !== null || d.child.signalCode !== null) return
  lab.kill(d.child, 'SIGTERM')
  if (!await lab.waitExit(d.child, STOP_TIMEOUT_MS)) {
    lab.kill(d.child, 'SIGKILL', { group: true })
    await lab.waitExit(d.child, STOP_TIMEOUT_MS)
  }
}

function side (before: number, after: number, windowUs: number, pids: number[]): Side {
  return { cpuUs: after - before, cpuPct: ((after - before) / windowUs) * 100, rssKb: rssKb(pids), pids: pids.length }
}

async function runCase (lab: Lab, daemons: LabDaemons, capture: Capture, c: Case, daemon: DaemonKind): Promise<Run> {
  const base = { case: c.id, daemon, instances: c.instances, advertInt: c.advertInt, load: c.load, expectedPerS: c.instances / c.advertInt }
  const pair: { master: RunningDaemon | null, backup: RunningDaemon | null } = { master: null, backup: null }
  try {
    capture.clear()
    const start = await startPair(lab, daemons, c, daemon, pair)
    return { ...base, ...await measure(lab, capture, c, pair.master as RunningDaemon, pair.backup as RunningDaemon, start) }
  } catch (err) {
    const why = [pair.master, pair.backup].flatMap((d) => d === null ? [] : trouble(d).slice(0, 2))
    if (why.length > 0) (err as Error).message += ` (${why.join('; ')})`
    const empty = summarize([])
    const none: Side = { cpuPct: NaN, cpuUs: NaN, rssKb: NaN, pids: 0 }
    return { ...base, windowUs: 0, adverts: 0, cpuWindowUs: 0, sentPerS: NaN, backupAdverts: 0, master: none, backup: none, masterUsPerAdvert: NaN, backupUsPerAdvert: NaN, lateUs: empty, deviationUs: empty, missing: 0, captureDrops: 0, statusQueries: 0, reloads: 0, benchLagMs: { p99: NaN, max: NaN }, logLines: 0, ownLateness: null, notes: [], error: (err as Error).message }
  } finally {
    await stop(lab, pair.backup)
    await stop(lab, pair.master)
    for (const d of [pair.master, pair.backup]) if (d !== null) keepLogs(c, d)
  }
}

/** How the pair started: r2's spawn instant, and r1's native counters just before it (floatip, advert_int < 1). */
interface PairStart { backupSpawnedUs: number, masterNative: NativeCounters | null }
type NativeCounters = Record<string, number>

/** Starts r1 (all instances MASTER) and r2 (all BACKUP). */
async function startPair (lab: Lab, daemons: LabDaemons, c: Case, daemon: DaemonKind, pair: { master: RunningDaemon | null, backup: RunningDaemon | null }): Promise<PairStart> {
  const spawn = (node: 'r1' | 'r2'): RunningDaemon => daemon === 'floatip'
    ? daemons.floatip(node, nodeConfig(c, node), floatipArgs(c))
    : daemons.keepalived(node, nodeConfig(c, node), { detailedLog: false })
  const all = async (d: RunningDaemon, state: 'MASTER' | 'BACKUP'): Promise<void> => {
    await waitFor(() => inState(d, state) === c.instances || d.child.exitCode !== null, { timeoutMs: START_TIMEOUT_MS, intervalMs: 20, what: `${d.node}: ${c.instances} instances ${state}` })
  }
  const m = pair.master = spawn('r1')
  // At advert_int 1 both start at once (r1's 3.2 s Master_Down_Interval beats r2's 3.6 s by far
  // more than start-up jitter); faster, r2 waits until r1 is master.
  if (c.advertInt < 1) await all(m, 'MASTER')
  const masterNative = c.advertInt < 1 ? await nativeCounters(lab, m) : null
  const backupSpawnedUs = monotonicUs()
  const b = pair.backup = spawn('r2')
  if (c.advertInt >= 1) await all(m, 'MASTER')
  await all(b, 'BACKUP')
  if (m.child.exitCode !== null || b.child.exitCode !== null) throw new Error(`a daemon exited: ${[...m.stderr, ...b.stderr].slice(-4).join(' | ')}`)
  return { backupSpawnedUs, masterNative }
}

type Measured = Omit<Run, 'case' | 'daemon' | 'instances' | 'advertInt' | 'load' | 'expectedPerS' | 'error'>

/** The windows of one run: cadence and CPU, with the busy load if any. */
async function measure (lab: Lab, capture: Capture, c: Case, m: RunningDaemon, b: RunningDaemon, { backupSpawnedUs, masterNative }: PairStart): Promise<Measured> {
  // Settle: start-up bursts (GARP rounds, the backup's first watch) are not the steady state.
  await sleep(500 + c.advertInt * 1000)
  const pids = [processTree(m.child.pid as number), processTree(b.child.pid as number)]
  const dropsBefore = capture.drops()
  // Windows: cadence from now for c.seconds (10 ms cases); CPU for c.cpuSeconds from WARM_UP_MS
  // after the later spawn at the earliest (V8's memory reducer runs a one-off GC 8 s after a
  // Node process starts: start-up work, not the steady state).
  const now = monotonicUs()
  const cadenceUs = c.advertInt === 0.01 ? c.seconds * 1e6 : 0
  const tc0 = Math.max(now, backupSpawnedUs + WARM_UP_MS * 1000)
  const t0 = cadenceUs > 0 ? now : tc0
  const t1 = Math.max(t0 + cadenceUs, tc0 + c.cpuSeconds * 1e6)
  const [mLines0, bLines0, bStderr0] = [m.logs.length, b.logs.length, b.stderr.length]
  const rawDrops0 = await vrrpRawDrops(lab, 'r2')
  const startNative = await nativeNotes(lab, m, b, masterNative)
  const lines0 = logLines(m) + logLines(b)
  const lag = monitorEventLoopDelay({ resolution: 5 })
  lag.enable()
  await sleepUntil(t0)
  const own0 = cadenceUs > 0 ? ownLateness(lab, m) : Promise.resolve(null)
  const load = c.load === 'busy' ? busyLoad(lab, [m, b], (t1 - t0) / 1000) : Promise.resolve({ statusQueries: 0, reloads: 0 })
  await sleepUntil(tc0)
  const cpu0 = [cpuTimeUs(pids[0]), cpuTimeUs(pids[1]), monotonicUs()]
  await sleepUntil(tc0 + c.cpuSeconds * 1e6)
  const cpu1 = [cpuTimeUs(pids[0]), cpuTimeUs(pids[1]), monotonicUs()]
  // A process that died and was respawned in the window (keepalived's VRRP child) makes the CPU figure wrong: say so.
  const respawned = [m, b].some((d, i) => processTree(d.child.pid as number).join() !== pids[i].join())
  await sleepUntil(t1)
  const own1 = cadenceUs > 0 ? await ownLateness(lab, m) : null
  const rawDrops1 = await vrrpRawDrops(lab, 'r2')
  lag.disable()
  const lines1 = logLines(m) + logLines(b)
  const { statusQueries, reloads } = await load
  await sleep(50) // the last adverts of the window reach the receiver's handler
  const cpuWindowUs = cpu1[2] - cpu0[2]
  const intervalUs = c.advertInt * 1_000_000
  const t = tally(capture, intervalUs, [t0, t1], [cpu0[2], cpu1[2]])
  const master = side(cpu0[0], cpu1[0], cpuWindowUs, pids[0])
  const backup = side(cpu0[1], cpu1[1], cpuWindowUs, pids[1])
  return {
    windowUs: t1 - t0,
    adverts: t.sent,
    cpuWindowUs,
    sentPerS: t.sentInCpuWindow / (cpuWindowUs / 1e6),
    backupAdverts: capture.backup.filter((us) => us >= t0 && us < t1).length,
    master,
    backup,
    masterUsPerAdvert: master.cpuUs / Math.max(1, t.sentInCpuWindow),
    backupUsPerAdvert: backup.cpuUs / Math.max(1, t.sentInCpuWindow),
    lateUs: summarize(t.late),
    deviationUs: summarize(t.late.map(Math.abs)),
    missing: Math.max(0, Math.round(c.instances * ((t1 - t0) / intervalUs)) - t.sent),
    captureDrops: capture.drops() - dropsBefore,
    statusQueries,
    reloads,
    benchLagMs: { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 },
    logLines: lines1 - lines0,
    ownLateness: subtract(own1, await own0),
    notes: [...(respawned ? ['a daemon process was replaced during the window: CPU figures invalid'] : []), ...startupTakeovers(b, bLines0, bStderr0), ...startNative, ...(rawDrops0 > 0 ? [`r2: ${rawDrops0} VRRP packets dropped by the kernel at the backup's raw sockets between its start and the window`] : []), ...[m, b].flatMap((d) => trouble(d, d === m ? mLines0 : bLines0).slice(0, 6)), ...(rawDrops1 > rawDrops0 ? [`r2: ${rawDrops1 - rawDrops0} VRRP packets dropped by the kernel at the backup's raw sockets (receive buffer full)`] : [])]
  }
}

/** A floatip daemon's native counters now (its full status, SIGUSR1); null for keepalived or when it does not answer. */
async function nativeCounters (lab: Lab, d: RunningDaemon): Promise<NativeCounters | null> {
  if (d.kind !== 'floatip') return null
  return ((await floatipStatus(lab, d, 5000).catch(() => null))?.native ?? null) as NativeCounters | null
}

/**
 * floatip's native counters before the window: the master's send errors and missed intervals
 * since r2 was spawned (from r1's own start when r1 was not asked first), the backup's ring.
 */
async function nativeNotes (lab: Lab, m: RunningDaemon, b: RunningDaemon, masterBefore: NativeCounters | null): Promise<string[]> {
  if (m.kind !== 'floatip') return []
  const [ms, bs] = await Promise.all([nativeCounters(lab, m), nativeCounters(lab, b)])
  const out: string[] = []
  const since = (key: string): number => (ms?.[key] ?? 0) - (masterBefore?.[key] ?? 0)
  const span = masterBefore === null ? 'from its start to the window' : 'from r2\'s spawn to the window'
  if (ms !== null && (since('txErrors') > 0 || since('txMissedIntervals') > 0)) out.push(`r1 ${span}: ${since('txErrors')} send errors, ${since('txMissedIntervals')} missed intervals`)
  if (bs !== null && (bs.rxPaused > 0 || bs.rxDroppedRingFull > 0)) out.push(`r2 before the window: receive ring full ${bs.rxPaused} times (${bs.deadlinesDeferred} deadlines held back, ${bs.rxDroppedRingFull} dropped)`)
  return out
}

/** floatip's native send-lateness histogram now (in its full status, SIGUSR1); null for keepalived. */
async function ownLateness (lab: Lab, d: RunningDaemon): Promise<number[] | null> {
  // The one field of the native status that is not a counter.
  const native = await nativeCounters(lab, d) as unknown as { txLateHistogram?: number[] } | null
  return native?.txLateHistogram ?? null
}

function subtract (after: number[] | null, before: number[] | null): number[] | null {
  return after === null || before === null ? null : after.map((n, i) => n - (before[i] ?? 0))
}

/** The bucket bound (ms) below which 99% of the sends in `histogram` were made, e.g. "≤ 0.25". */
function ownP99 (histogram: number[] | null): string {
  if (histogram === null) return ''
  const total = histogram.reduce((a, b) => a + b, 0)
  let seen = 0
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]
    if (seen >= total * 0.99) return i < TX_LATE_BOUNDS_US.length ? `≤ ${TX_LATE_BOUNDS_US[i] / 1000}` : `> ${TX_LATE_BOUNDS_US[TX_LATE_BOUNDS_US.length - 1] / 1000}`
  }
  return ''
}

/** The master's adverts in the capture window (and their interval minus advert_int) and in the CPU window. */
function tally (capture: Capture, intervalUs: number, [t0, t1]: number[], [c0, c1]: number[]): { sent: number, sentInCpuWindow: number, late: number[] } {
  let sent = 0
  let sentInCpuWindow = 0
  const late: number[] = []
  for (const list of capture.byVrid.values()) {
    const inWindow = list.filter((us) => us >= t0 && us < t1)
    sent += inWindow.length
    sentInCpuWindow += list.filter((us) => us >= c0 && us < c1).length
    for (const gap of intervals(inWindow)) late.push(gap - intervalUs)
  }
  return { sent, sentInCpuWindow, late }
}

/**
 * The backup's takeovers between its start and the window (a backup that starts next to a busy
 * master must stay BACKUP): floatip's state changes to MASTER, keepalived's "Entering MASTER STATE".
 */
function startupTakeovers (b: RunningDaemon, logLines: number, stderrLines: number): string[] {
  const count = b.kind === 'floatip'
    ? b.logs.slice(0, logLines).filter((l) => l.msg === 'state changed' && l.to === 'MASTER').length
    : b.stderr.slice(0, stderrLines).filter((l) => l.includes('Entering MASTER STATE')).length
  return count > 0 ? [`${b.node}: the backup took over ${count} times between its start and the window`] : []
}

/** `--logs DIR`: each daemon's log of the run (floatip's JSON lines, keepalived's console), for a post-mortem. */
function keepLogs (c: Case, d: RunningDaemon): void {
  if (LOG_DIR === undefined) return
  mkdirSync(LOG_DIR, { recursive: true })
  const lines = d.kind === 'floatip' ? d.logs.map((l) => JSON.stringify(l)) : d.stderr
  writeFileSync(join(LOG_DIR, `${c.id}-${d.kind}-${d.node}.${d.kind === 'floatip' ? 'jsonl' : 'log'}`), lines.join('\n') + '\n')
}

/** keepalived's lines about its VRRP process dying (killed by RLIMIT_RTTIME, respawned). */
function trouble (d: RunningDaemon, fromLine = 0): string[] {
  if (d.kind !== 'keepalived') {
    // floatip: its warnings and errors, and how many state changes, since the window began.
    const lines = d.logs.slice(fromLine)
    const changed = lines.filter((l) => l.msg === 'state changed')
    const changes = changed.length
    const first = changed.slice(0, 2).map((l) => `${d.node}: ${String(l.instance)} ${String(l.from)} -> ${String(l.to)} (${String(l.reason)}) at ${String(l.atUs)}`)
    const warnings = lines.filter((l) => typeof l.level === 'number' && l.level >= 40).map((l) => `${d.node}: ${String(l.msg)} ${JSON.stringify({ ...l, level: undefined, time: undefined, pid: undefined, hostname: undefined, name: undefined, msg: undefined })}`)
    return [...(changes > 0 ? [`${d.node}: ${changes} state changes in the window`, ...first] : []), ...warnings]
  }
  return d.stderr.filter((l) => /rlimit_rttime|Respawning|died/.test(l)).map((l) => `${d.node}: ${l.replace(/^.*?\d{4}: /, '')}`)
}

/** The control plane under load for `ms`: status queries to both daemons, one reload half-way. */
async function busyLoad (lab: Lab, ds: RunningDaemon[], ms: number): Promise<{ statusQueries: number, reloads: number }> {
  const until = Date.now() + ms
  let statusQueries = 0
  let reloads = 0
  let reloaded = !BUSY_PARTS.includes('reload')
  while (Date.now() < until) {
    if (BUSY_PARTS.includes('status')) for (const d of ds) if (lab.kill(d.child, 'SIGUSR2')) statusQueries++
    if (!reloaded && Date.now() > until - ms / 2) {
      for (const d of ds) if (lab.kill(d.child, 'SIGHUP')) reloads++
      reloaded = true
    }
    await sleep(STATUS_EVERY_MS)
  }
  return { statusQueries, reloads }
}

async function floorRun (lab: Lab, capture: Capture, c: Case): Promise<Floor> {
  const base = { case: c.id, instances: c.instances, advertInt: c.advertInt }
  const [r1, r2] = [lab.node('r1'), lab.node('r2')]
  capture.clear()
  const rx = lab.spawn('r2', [process.execPath, FLOOR, 'receive', r2.ifname], { stdio: 'ignore' })
  const tx = lab.spawn('r1', [process.execPath, FLOOR, 'send', r1.ifname, r1.ipv4, String(c.instances), String(Math.round(c.advertInt * 1e6))], { stdio: 'ignore' })
  try {
    await sleep(FLOOR_WARM_UP_MS)
    if (tx.exitCode !== null || rx.exitCode !== null) throw new Error('the floor process exited')
    const pids = processTree(tx.pid as number)
    const [cpu0, t0] = [cpuTimeUs(pids), monotonicUs()]
    await sleep(c.cpuSeconds * 1000)
    const [cpu1, t1] = [cpuTimeUs(pids), monotonicUs()]
    await sleep(50)
    let sent = 0
    for (const list of capture.byVrid.values()) sent += list.filter((us) => us >= t0 && us < t1).length
    return { ...base, cpuPct: ((cpu1 - cpu0) / (t1 - t0)) * 100, usPerAdvert: (cpu1 - cpu0) / Math.max(1, sent), sentPerS: sent / ((t1 - t0) / 1e6) }
  } catch (err) {
    return { ...base, cpuPct: NaN, usPerAdvert: NaN, sentPerS: NaN, error: (err as Error).message }
  } finally {
    for (const child of [tx, rx]) {
      lab.kill(child, 'SIGTERM')
      if (!await lab.waitExit(child, STOP_TIMEOUT_MS)) lab.kill(child, 'SIGKILL')
    }
  }
}

async function main (): Promise<void> {
  const list = cases()
  const lab = await createLab({ routers: 2, client: true, ipv6: false })
  const daemons = new LabDaemons(lab)
  const capture = new Capture(lab)
  const runs: Run[] = []
  const floors: Floor[] = []
  const startedMs = Date.now()
  try {
    for (const [i, c] of list.entries()) {
      // Alternate who goes first, so slow drifts of the machine hit both daemons alike.
      for (const daemon of i % 2 === 0 ? DAEMONS : [...DAEMONS].reverse()) {
        const run = await runCase(lab, daemons, capture, c, daemon)
        runs.push(run)
        for (const note of run.notes) console.log(`  note: ${note}`)
        console.log(`${c.id.padEnd(14)} ${daemon.padEnd(10)} ${run.error !== undefined ? `FAILED: ${run.error}` : `master ${run.master.cpuPct.toFixed(1)}% backup ${run.backup.cpuPct.toFixed(1)}% sent ${run.sentPerS.toFixed(0)}/${run.expectedPerS.toFixed(0)} per s, late p50 ${(run.lateUs.p50 / 1000).toFixed(3)} ms, |dev| p99 ${(run.deviationUs.p99 / 1000).toFixed(3)} ms; bench lag max ${run.benchLagMs.max.toFixed(1)} ms, ${run.logLines} log lines`}`)
      }
      if (c.load === 'idle' && c.sched === 'default' && c.advertInt < 1) {
        const floor = await floorRun(lab, capture, c)
        floors.push(floor)
        console.log(`${c.id.padEnd(14)} ${'floor'.padEnd(10)} ${floor.error !== undefined ? `FAILED: ${floor.error}` : `${floor.cpuPct.toFixed(1)}% sent ${floor.sentPerS.toFixed(0)} per s, ${floor.usPerAdvert.toFixed(2)} µs/advert`}`)
      }
    }
  } finally {
    capture.close()
    await lab.destroy()
    daemons.close()
  }
  report(list, runs, floors, (Date.now() - startedMs) / 1000)
}

function report (list: Case[], runs: Run[], floors: Floor[], seconds: number): void {
  const f = (x: number, d = 1): string => Number.isFinite(x) ? x.toFixed(d) : '-'
  const msOf = (us: number, d = 3): string => Number.isFinite(us) ? (us / 1000).toFixed(d) : '-'
  const find = (id: string, d: DaemonKind): Run | undefined => runs.find((r) => r.case === id && r.daemon === d)
  const costRows: string[][] = []
  const cadenceRows: string[][] = []
  for (const c of list) {
    const fl = find(c.id, 'floatip')
    const ka = find(c.id, 'keepalived')
    for (const r of [fl, ka]) {
      if (r === undefined) continue
      const interval = c.advertInt >= 1 ? `${c.advertInt} s` : `${Math.round(c.advertInt * 1000)} ms`
      const plane = `${c.load}${c.sched === 'rt' ? ', vrrp_rt_priority' : c.sched === 'fair' ? ', floatip --rt-priority 0' : ''}`
      if (r.error !== undefined) {
        costRows.push([String(c.instances), interval, plane, r.daemon, `failed: ${r.error}`, '', '', '', '', '', '', ''])
        continue
      }
      const kept = `${f(r.sentPerS, 0)} / ${f(r.expectedPerS, 0)} (${f((100 * r.sentPerS) / r.expectedPerS)}%)${r.backupAdverts > 0 ? `, backup sent ${r.backupAdverts}` : ''}`
      // CPU of a process tree that changed in the window is not the daemon's: no figure.
      const replaced = invalidCpu(r)
      const cpu = (x: number): string => replaced ? 'n/a (respawned)' : f(x)
      costRows.push([String(c.instances), interval, plane, r.daemon, cpu(r.master.cpuPct), cpu(r.masterUsPerAdvert), kept, cpu(r.backup.cpuPct), cpu(r.backupUsPerAdvert),
        f(r.master.rssKb / 1024), f(r.backup.rssKb / 1024), r.daemon === 'floatip' && [fl, ka].every((x) => x !== undefined && !invalidCpu(x)) ? ratio(fl?.masterUsPerAdvert, ka?.masterUsPerAdvert) : ''])
      if (c.advertInt === 0.01) {
        cadenceRows.push([String(c.instances), plane, r.daemon, String(r.adverts), msOf(r.lateUs.mean), msOf(r.deviationUs.p50), msOf(r.deviationUs.p99), msOf(r.deviationUs.max), String(r.missing), String(r.captureDrops), ownP99(r.ownLateness)])
      }
    }
  }
  const costTable = markdownTable(['instances', 'advert_int', 'control plane', 'daemon', 'master CPU %', 'master µs/advert', 'adverts/s sent / expected', 'backup CPU %', 'backup µs/advert', 'master RSS MB', 'backup RSS MB', 'µs/advert fl/ka'], costRows)
  const cadenceTable = markdownTable(['instances × 10 ms', 'control plane', 'daemon', 'adverts', 'mean lateness per interval', 'dev p50', 'dev p99', 'dev max', 'missing', 'capture drops', 'own send lateness p99'], cadenceRows)
  console.log('\nCost: CPU as % of one core (all threads and child processes) over 3 s from 9.5 s after the daemons\' start, RSS; adverts counted on the wire\n')
  console.log(costTable)
  console.log('\nCadence on the wire at advert_int 0.01 (ms): interval minus 10 ms per instance, pooled (dev = |interval - 10 ms|); busy = 10 track scripts + a status query every 50 ms + one reload (SIGHUP)\n')
  console.log(cadenceTable)
  const floorRows = floors.map((fl) => {
    const a = find(fl.case, 'floatip')
    const b = find(fl.case, 'keepalived')
    const over = (r: Run | undefined): number => r === undefined || invalidCpu(r) ? NaN : r.masterUsPerAdvert - fl.usPerAdvert
    return [String(fl.instances), `${Math.round(fl.advertInt * 1000)} ms`, f(fl.usPerAdvert, 2), f(a?.masterUsPerAdvert ?? NaN, 2), f(b?.masterUsPerAdvert ?? NaN, 2), f(over(a), 2), f(over(b), 2), ratio(over(a), over(b))]
  })
  const floorTable = markdownTable(['instances', 'advert_int', 'floor µs/advert', 'floatip µs/advert', 'keepalived µs/advert', 'floatip above floor', 'keepalived above floor', 'above floor fl/ka'], floorRows)
  if (floorRows.length > 0) {
    console.log('\nThe kernel\'s floor (bench/lib/floor.ts: the adverts alone, sent as floatip\'s native thread sends them, no daemon): master CPU per advert, and each daemon\'s own share above it\n')
    console.log(floorTable)
  }
  const targets = targetLines(runs, floors)
  if (targets.length > 0) console.log(`\nTargets (issue 6), this run:\n${targets.map((t) => `- ${t}`).join('\n')}`)
  console.log(`\n${runs.length} runs, ${runs.filter((r) => r.error !== undefined).length} failed, ${seconds.toFixed(0)} s`)
  const path = writeResults('cost', { seconds, targets, cases: list, busy: { parts: BUSY_PARTS, statusEveryMs: STATUS_EVERY_MS, reloads: 1, trackScripts: BUSY_SCRIPTS }, runs, floors, tables: { cost: costTable, cadence: cadenceTable, floor: floorTable } })
  console.log(`wrote ${path}`)
}

function invalidCpu (r: Run): boolean {
  return r.notes.some((n) => n.includes('replaced'))
}

/** The issue's targets for floatip, judged on this run. */
function targetLines (runs: Run[], floors: Floor[]): string[] {
  const out: string[] = []
  const get = (id: string, d: DaemonKind): Run | undefined => runs.find((r) => r.case === id && r.daemon === d && r.error === undefined)
  for (const id of ['255x10ms', '255x10ms-busy', '255x10ms-busy-fair', '255x10ms-busy-rt']) {
    const fl = get(id, 'floatip')
    if (fl === undefined) continue
    out.push(`${id}: floatip cadence |dev| p99 ${(fl.deviationUs.p99 / 1000).toFixed(3)} ms (target < 0.5), mean lateness ${(fl.lateUs.mean / 1000).toFixed(3)} ms per interval; ` +
      `sent ${fl.sentPerS.toFixed(0)} of ${fl.expectedPerS.toFixed(0)} adverts/s${fl.backupAdverts > 0 ? `, the backup took over (${fl.backupAdverts} adverts)` : ''} (target: in full)`)
  }
  for (const id of ['50x10ms', '255x10ms']) {
    const fl = get(id, 'floatip')
    const ka = get(id, 'keepalived')
    if (fl === undefined || ka === undefined) continue
    const floor = floors.find((x) => x.case === id && x.error === undefined)
    const above = floor === undefined ? '' : `; the kernel's floor ${floor.usPerAdvert.toFixed(1)} µs, above it ${ratio(fl.masterUsPerAdvert - floor.usPerAdvert, ka.masterUsPerAdvert - floor.usPerAdvert)}`
    out.push(`${id}: CPU per advert floatip ${fl.masterUsPerAdvert.toFixed(1)} µs, keepalived ${ka.masterUsPerAdvert.toFixed(1)} µs, ratio ${ratio(fl.masterUsPerAdvert, ka.masterUsPerAdvert)} (target <= 0.33)${above}`)
  }
  return out
}

await main()

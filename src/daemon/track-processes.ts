// keepalived's vrrp_track_process on the daemon's main thread: counts the running processes that
// match each tracked process and reports up/down (quorum <= count <= quorum_max, with fork_delay
// and terminate_delay) to the Tracker. Must not compute priorities (tracker.ts does).
// DEVIATION(keepalived): keepalived follows the kernel's proc connector (NETLINK_CONNECTOR
// process events); floatip cannot open that socket from JavaScript, so it scans /proc every
// PROCESS_SCAN_INTERVAL_MS: a change is seen up to one interval late. Processes are host-wide
// (floatip's PID namespace), also with --namespace, which is only a network namespace.
import { closeSync, openSync, readSync, readdirSync } from 'node:fs'
import type { Logger } from '../io/logger.js'
import type { CheckStatus, TrackedProcessPlan } from './tracking-plan.js'
import type { ReportValue } from './tracker.js'

/** How often /proc is scanned (the latency of a process change). */
export const PROCESS_SCAN_INTERVAL_MS = 200

/** Linux keeps 15 bytes of a process name (TASK_COMM_LEN 16): a longer name never matches comm. */
export const COMM_MAX_BYTES = 15

/** One process as /proc shows it. */
export interface ProcEntry {
  pid: number
  ppid: number
  /** /proc/PID/comm (from /proc/PID/stat). */
  comm: string
  /** /proc/PID/cmdline (argv joined by NULs), read only when some tracked process needs it. */
  cmdline: Buffer | null
}

/** /proc/PID/stat: "PID (comm) S PPID ...". Null for a zombie (or dead) process or bad text. */
export function parseProcStat (text: string): { comm: string, state: string, ppid: number } | null {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) return null
  const [state, ppid] = text.slice(close + 2).split(' ')
  if (state === undefined || state === 'Z' || state === 'X' || ppid === undefined) return null
  return { comm: text.slice(open + 1, close), state, ppid: Number(ppid) }
}

/** True when the process needs /proc/PID/cmdline (keepalived: parameters or param_match force full_command). */
export function usesCmdline (plan: TrackedProcessPlan): boolean {
  return plan.fullCommand || plan.process.length > 1 || plan.paramMatchGiven
}

/**
 * keepalived's matching (check_process / check_params): by process name, exactly /proc/PID/comm;
 * with full_command, argv[0] of /proc/PID/cmdline exactly; with parameters (or param_match) the
 * parameters too: `exact` (the default) the same list, `partial` the configured ones first,
 * `initial` the same but the last one may be longer. Like pgrep "^name$", never a pattern.
 */
export function matchesProcess (plan: TrackedProcessPlan, entry: ProcEntry): boolean {
  if (!usesCmdline(plan)) return entry.comm === plan.process[0]
  const cmdline = entry.cmdline
  if (cmdline === null || cmdline.length === 0) return false
  const nul = cmdline.indexOf(0)
  const argv0 = nul < 0 ? cmdline : cmdline.subarray(0, nul)
  if (!argv0.equals(Buffer.from(plan.process[0]))) return false
  if (plan.process.length === 1 && !plan.paramMatchGiven) return true
  return paramsMatch(plan, nul < 0 ? Buffer.alloc(0) : cmdline.subarray(nul + 1))
}

function paramsMatch (plan: TrackedProcessPlan, params: Buffer): boolean {
  const wanted = Buffer.concat(plan.process.slice(1).map((p) => Buffer.concat([Buffer.from(p), Buffer.alloc(1)])))
  if (plan.paramMatch === 'exact') return params.equals(wanted)
  if (params.length < wanted.length) return false
  if (wanted.length === 0) return true
  if (plan.paramMatch === 'partial') return params.subarray(0, wanted.length).equals(wanted)
  // initial: the last configured parameter is a prefix of the process's one.
  return params.subarray(0, wanted.length - 1).equals(wanted.subarray(0, wanted.length - 1))
}

const statBuffer = Buffer.alloc(512)

function readSmall (path: string, buffer: Buffer): number | null {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return null
  }
  try {
    return readSync(fd, buffer, 0, buffer.length, 0)
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}

/**
 * The running (not zombie) processes in /proc, with cmdline when `cmdlineBytes` > 0 (at most
 * that many bytes: enough to tell whether a configured command line matches).
 */
export function scanProc (cmdlineBytes: number, root = '/proc'): ProcEntry[] {
  const entries: ProcEntry[] = []
  const cmdBuffer = cmdlineBytes > 0 ? Buffer.alloc(cmdlineBytes) : null
  for (const name of readdirSync(root)) {
    if (!/^[1-9]\d*$/.test(name)) continue
    const n = readSmall(`${root}/${name}/stat`, statBuffer)
    if (n === null) continue
    const stat = parseProcStat(statBuffer.toString('utf8', 0, n))
    if (stat === null) continue
    let cmdline: Buffer | null = null
    if (cmdBuffer !== null) {
      const c = readSmall(`${root}/${name}/cmdline`, cmdBuffer)
      if (c === null) continue
      cmdline = Buffer.from(cmdBuffer.subarray(0, c))
    }
    entries.push({ pid: Number(name), ppid: stat.ppid, comm: stat.comm, cmdline })
  }
  return entries
}

/** Why the matching processes changed since the last scan: keepalived's delays depend on it. */
export type ChangeCause = 'fork' | 'exit' | 'other'

/**
 * One tracked process's up/down from its count, with keepalived's delays
 * (track_process.c): a change of quorum caused by a matching process forking waits
 * `fork_delay`, one caused by a matching process exiting waits `terminate_delay`, others (a new
 * process exec'd, a name change) apply at once; when the count comes back before the delay
 * ends, nothing is reported. At the delay's end the current count decides.
 */
export class ProcessQuorum {
  #status: CheckStatus = 'init'
  #count = 0
  #timer: NodeJS.Timeout | null = null

  constructor (readonly plan: TrackedProcessPlan, private readonly onChange: (status: CheckStatus, count: number) => void) {}

  get status (): CheckStatus { return this.#status }
  get count (): number { return this.#count }

  #wanted (): CheckStatus {
    return this.#count >= this.plan.quorum && this.#count <= this.plan.quorumMax ? 'up' : 'down'
  }

  /** The first count (at start): applies at once, no delay. */
  initial (count: number): void {
    this.#count = count
    this.#set(this.#wanted())
  }

  update (count: number, cause: ChangeCause): void {
    this.#count = count
    const wanted = this.#wanted()
    if (wanted === this.#status) {
      this.#cancel()
      return
    }
    if (this.#timer !== null) return
    const delayUs = cause === 'fork' ? this.plan.forkDelayUs : cause === 'exit' ? this.plan.terminateDelayUs : 0
    if (delayUs <= 0) {
      this.#set(wanted)
      return
    }
    this.#timer = setTimeout(() => {
      this.#timer = null
      const now = this.#wanted()
      if (now !== this.#status) this.#set(now)
    }, Math.ceil(delayUs / 1000))
  }

  stop (): void {
    this.#cancel()
  }

  #cancel (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
  }

  #set (status: CheckStatus): void {
    this.#status = status
    this.onChange(status, this.#count)
  }
}

/** Scans /proc for the tracked processes and reports each status change to the Tracker. */
export class TrackProcesses {
  readonly #plans: readonly TrackedProcessPlan[]
  readonly #log: Logger
  readonly #report: ReportValue
  readonly #intervalMs: number
  readonly #cmdlineBytes: number
  readonly #quorums = new Map<string, ProcessQuorum>()
  /** Per tracked process, the matching pids of the last scan. */
  readonly #pids = new Map<string, Set<number>>()
  #timer: NodeJS.Timeout | null = null
  #stopped = false
  #scanFailed = false

  constructor (processes: readonly TrackedProcessPlan[], log: Logger, report: ReportValue, options: { intervalMs?: number } = {}) {
    this.#plans = processes
    this.#log = log
    this.#report = report
    this.#intervalMs = options.intervalMs ?? PROCESS_SCAN_INTERVAL_MS
    // KEEPALIVED reads the longest configured command line + 2 bytes: enough to see a longer one.
    const lengths = processes.filter(usesCmdline).map((p) => p.process.reduce((n, w) => n + Buffer.byteLength(w) + 1, 0))
    this.#cmdlineBytes = lengths.length > 0 ? Math.max(...lengths) + 2 : 0
    for (const p of processes) {
      this.#quorums.set(p.name, new ProcessQuorum(p, (status, count) => this.#changed(p, status, count)))
      if (!usesCmdline(p) && Buffer.byteLength(p.process[0]) > COMM_MAX_BYTES) {
        log.warn({ trackProcess: p.name, process: p.process[0] }, `process name longer than ${COMM_MAX_BYTES} bytes never matches /proc/PID/comm (as in keepalived); use full_command`)
      }
    }
  }

  /** Before the engine starts: counts the processes now, so that instances start right. */
  prime (): void {
    const entries = this.#scan()
    if (entries === null) return
    for (const p of this.#plans) {
      const pids = new Set(entries.filter((e) => matchesProcess(p, e)).map((e) => e.pid))
      this.#pids.set(p.name, pids)
      this.#quorums.get(p.name)?.initial(pids.size)
    }
  }

  /** Scans every interval from now on (the first scan at once). */
  start (): void {
    if (this.#plans.length === 0 || this.#stopped) return
    if (this.#pids.size === 0) this.prime()
    const tick = (): void => {
      if (this.#stopped) return
      this.#tick()
      this.#timer = setTimeout(tick, this.#intervalMs)
    }
    tick()
  }

  stop (): void {
    this.#stopped = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    for (const q of this.#quorums.values()) q.stop()
  }

  #scan (): ProcEntry[] | null {
    try {
      const entries = scanProc(this.#cmdlineBytes)
      this.#scanFailed = false
      return entries
    } catch (err) {
      if (!this.#scanFailed) this.#log.error({ code: (err as NodeJS.ErrnoException).code }, 'cannot scan /proc; tracked processes keep their status')
      this.#scanFailed = true
      return null
    }
  }

  #tick (): void {
    const entries = this.#scan()
    if (entries === null) return
    const alive = new Set(entries.map((e) => e.pid))
    for (const p of this.#plans) {
      const before = this.#pids.get(p.name) ?? new Set<number>()
      const matched = entries.filter((e) => matchesProcess(p, e))
      const now = new Set(matched.map((e) => e.pid))
      this.#pids.set(p.name, now)
      const forked = matched.some((e) => !before.has(e.pid) && before.has(e.ppid))
      const exited = [...before].some((pid) => !alive.has(pid))
      if (now.size !== before.size) this.#log.debug({ trackProcess: p.name, count: now.size, before: before.size }, 'track_process count changed')
      this.#quorums.get(p.name)?.update(now.size, forked ? 'fork' : exited ? 'exit' : 'other')
    }
  }

  #changed (p: TrackedProcessPlan, status: CheckStatus, count: number): void {
    const fields = { trackProcess: p.name, count, quorum: p.quorum, quorumMax: p.quorumMax === Number.MAX_SAFE_INTEGER ? undefined : p.quorumMax }
    if (status === 'up') this.#log.info(fields, 'track_process up')
    else this.#log.warn(fields, 'track_process down')
    this.#report('process', p.name, status)
  }
}

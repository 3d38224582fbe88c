// keepalived's notify FIFOs (global_defs notify_fifo / vrrp_notify_fifo): one line per event,
// `INSTANCE "VI_1" MASTER 100`, `GROUP "G1" BACKUP 0`, `INSTANCE "VI_1" MASTER_RX_LOWER_PRI 100`,
// `INSTANCE "VI_1" BACKUP_PRIORITY 80`, in event order, and the optional *_fifo_script that reads
// them. Owns the FIFO files (created when missing, removed at exit if created here) and the
// script's lifetime. Must not block: the FIFO is opened read-write and non-blocking, so a write
// without a reader, or with a slow one, never waits; a line that does not fit is dropped and
// counted.
import { spawnSync } from 'node:child_process'
import { closeSync, constants, lstatSync, openSync, unlinkSync, writeSync, type Stats } from 'node:fs'
import type { KeepalivedConfig } from '../config/model.js'
import type { EngineEvent } from '../engine/events.js'
import type { EngineEventObserver } from './event-observer.js'
import type { Logger } from '../io/logger.js'
import { describeResult, findExecutable, splitCommand, type ScriptResult, type ScriptRunner } from './script-runner.js'
import type { PrepareScript, RunUser } from './script-security.js'

export type FifoKeyword = 'notify_fifo' | 'vrrp_notify_fifo'

export interface FifoPlan {
  keyword: FifoKeyword
  path: string
  /** `notify_fifo PATH [user [group]]`: the owner given to a FIFO created here. */
  owner: { user: string | undefined, group: string | undefined }
  /** `*_fifo_script`, with the FIFO's path appended (KEEPALIVED: "passed ... as the last parameter"). */
  script: { keyword: string, argv: string[], user: RunUser } | undefined
}

export interface NotifyFifoPlan {
  fifos: FifoPlan[]
  /** Instances whose priority changes are written (MASTER_PRIORITY / BACKUP_PRIORITY lines). */
  priorityChanges: ReadonlySet<string>
}

/** How long a FIFO script may take to end by itself after SIGTERM at shutdown before floatip moves on. */
export const FIFO_SCRIPT_STOP_WAIT_MS = 3000
/** At most one "line dropped" warning per FIFO this often; the count covers the lines in between. */
export const DROP_LOG_INTERVAL_MS = 10_000

/** `prepare`: script users and security (ScriptPolicy.prepare) for the FIFO scripts. */
export function planNotifyFifos (model: KeepalivedConfig, names: readonly string[], findFile: (file: string) => string | null = findExecutable, prepare?: PrepareScript): { plan: NotifyFifoPlan, warnings: Array<{ message: string }> } {
  const warnings: Array<{ message: string }> = []
  const g = model.globalDefs
  const fifos: FifoPlan[] = []
  const add = (keyword: FifoKeyword, fifo: typeof g.notifyFifo, script: typeof g.notifyFifoScript): void => {
    if (fifo == null) {
      if (script != null) warnings.push({ message: `${keyword}_script without ${keyword}: the script is not run` })
      return
    }
    if (fifos.some((f) => f.path === fifo.path)) {
      // KEEPALIVED: "the FIFO names must all be different".
      warnings.push({ message: `${keyword} ${fifo.path}: the same FIFO as ${fifos.find((f) => f.path === fifo.path)?.keyword ?? ''}; written once` })
      return
    }
    let planned: FifoPlan['script']
    if (script != null) {
      const argv = splitCommand(script.path)
      // With `prepare`, ScriptPolicy checks the file (the wording floatip check-config shows).
      const missing = argv.length === 0 || (prepare === undefined && findFile(argv[0]) === null)
      const prepared = missing ? null : prepare?.(`${keyword}_script`, argv, script.user === undefined ? null : { user: script.user, group: script.group })
      for (const message of prepared?.messages ?? []) warnings.push({ message })
      if (missing) warnings.push({ message: `${keyword}_script ${argv[0] ?? ''}: not an executable file; the script is disabled` })
      else if (prepared?.argv !== null) planned = { keyword: `${keyword}_script`, argv: [...(prepared?.argv ?? argv), fifo.path], user: prepared?.user }
    }
    fifos.push({ keyword, path: fifo.path, owner: { user: fifo.user, group: fifo.group }, script: planned })
  }
  add('notify_fifo', g.notifyFifo, g.notifyFifoScript)
  // For floatip every event is a VRRP one: vrrp_notify_fifo gets what notify_fifo gets.
  add('vrrp_notify_fifo', g.vrrpNotifyFifo, g.vrrpNotifyFifoScript)
  return { plan: { fifos, priorityChanges: priorityChangeInstances(model, names) }, warnings }
}

/**
 * Instances whose priority changes go to the FIFOs: the instance's notify_priority_changes when
 * written, else its sync group's, else global_defs vrrp_notify_priority_changes (KEEPALIVED: an
 * unset instance value takes the global one).
 */
export function priorityChangeInstances (model: KeepalivedConfig, names: readonly string[]): Set<string> {
  const out = new Set<string>()
  for (const inst of model.vrrpInstances) {
    if (!names.includes(inst.name)) continue
    const group = model.vrrpSyncGroups.find((sg) => sg.group.includes(inst.name))
    const on = inst.notifyPriorityChanges ?? group?.notifyPriorityChanges ?? model.globalDefs.vrrpNotifyPriorityChanges
    if (on) out.add(inst.name)
  }
  return out
}

/** The state word keepalived writes: INIT is only reached by a stop. */
function stateWord (state: string): string {
  return state === 'INIT' ? 'STOP' : state
}

/**
 * The line keepalived writes for an event, or undefined when it writes none. KEEPALIVED: a
 * group's priority is always 0; MASTER_RX_LOWER_PRI carries the instance's own (effective)
 * priority, not the advert's; a priority change is MASTER_PRIORITY in MASTER and
 * BACKUP_PRIORITY in any other state.
 */
export function fifoLine (event: EngineEvent, priorityChanges: ReadonlySet<string>): string | undefined {
  switch (event.type) {
    case 'transition': return `INSTANCE "${event.transition.instance}" ${stateWord(event.transition.to)} ${event.transition.priority}\n`
    case 'group-transition': return `GROUP "${event.transition.group}" ${stateWord(event.transition.to)} 0\n`
    case 'master-rx-lower-pri': return `INSTANCE "${event.instance}" MASTER_RX_LOWER_PRI ${event.priority}\n`
    // KEEPALIVED: an instance a reload removed is reported FAULT, or DELETED with notify_deleted.
    case 'deleted': return `INSTANCE "${event.instance}" ${event.state} ${event.priority}\n`
    case 'priority-changed':
      if (!priorityChanges.has(event.instance)) return undefined
      return `INSTANCE "${event.instance}" ${event.state === 'MASTER' ? 'MASTER' : 'BACKUP'}_PRIORITY ${event.to}\n`
  }
}

export interface FifoStats { path: string, written: number, dropped: number, errors: number }

class OpenFifo {
  readonly plan: FifoPlan
  readonly stats: FifoStats
  fd: number | undefined
  created = false
  lastDropLogMs = -Infinity
  droppedSinceLog = 0
  script: { controller: AbortController, ended: Promise<ScriptResult> } | undefined

  constructor (plan: FifoPlan) {
    this.plan = plan
    this.stats = { path: plan.path, written: 0, dropped: 0, errors: 0 }
  }
}

export class NotifyFifo implements EngineEventObserver {
  readonly #fifos: OpenFifo[] = []
  #plan: NotifyFifoPlan
  readonly #log: Logger
  #closed = false

  /** Creates (when missing) and opens each FIFO and starts its script. A FIFO that cannot be used is logged and left out. */
  constructor (plan: NotifyFifoPlan, runner: ScriptRunner, log: Logger) {
    this.#plan = plan
    this.#log = log
    for (const p of plan.fifos) {
      const fifo = new OpenFifo(p)
      if (!this.#prepare(fifo)) continue
      // KEEPALIVED: the script is started before the FIFO is opened, with no timeout.
      if (p.script !== undefined) this.#startScript(fifo, p.script, runner)
      try {
        // KEEPALIVED: O_RDWR | O_NONBLOCK | O_NOFOLLOW: holding the read side too, opening never
        // waits for a reader and a write never fails with EPIPE; a full pipe is EAGAIN. (libuv adds
        // O_CLOEXEC: scripts do not inherit it.)
        fifo.fd = openSync(p.path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW)
      } catch (err) {
        this.#log.error({ fifo: p.path, keyword: p.keyword, code: (err as NodeJS.ErrnoException).code }, 'notify FIFO could not be opened; not written')
        fifo.script?.controller.abort()
        this.#unlinkCreated(fifo)
        continue
      }
      this.#log.info({ fifo: p.path, keyword: p.keyword, created: fifo.created, script: p.script?.argv.join(' ') }, 'notify FIFO open')
      this.#fifos.push(fifo)
    }
  }

  /**
   * A reload's plan: taken over (true) when it names the same FIFOs and scripts, so the FIFOs stay
   * open and their scripts keep running; otherwise (false) the caller replaces this observer.
   */
  adopt (plan: NotifyFifoPlan): boolean {
    if (this.#closed || JSON.stringify(plan.fifos) !== JSON.stringify(this.#plan.fifos)) return false
    this.#plan = plan
    return true
  }

  /** Per FIFO: lines written, dropped (pipe full), failed. */
  get stats (): FifoStats[] { return this.#fifos.map((f) => ({ ...f.stats })) }

  handle (event: EngineEvent): void {
    const line = fifoLine(event, this.#plan.priorityChanges)
    if (line === undefined) return
    const bytes = Buffer.from(line)
    for (const fifo of this.#fifos) this.#write(fifo, bytes)
  }

  /**
   * At shutdown, after the STOP lines: KEEPALIVED sends SIGTERM to the FIFO script, then closes the
   * FIFO (its sample_notify_fifo.sh, on SIGTERM, reads on until end-of-file). floatip waits for the
   * script to end (SIGKILL 2 s after the SIGTERM), at most `timeoutMs`.
   */
  async drain (timeoutMs: number): Promise<boolean> {
    const scripts = this.#fifos.flatMap((f) => f.script === undefined ? [] : [f.script])
    for (const s of scripts) s.controller.abort()
    // A moment for the script's SIGTERM handler to run before it reads end-of-file.
    await Promise.race([Promise.all(scripts.map(async (s) => await s.ended)), delay(Math.min(200, timeoutMs))])
    this.#closeFifos()
    const bound = Math.min(timeoutMs, FIFO_SCRIPT_STOP_WAIT_MS)
    return await Promise.race([Promise.all(scripts.map(async (s) => await s.ended)).then(() => true), delay(bound).then(() => false)])
  }

  close (): void {
    for (const f of this.#fifos) f.script?.controller.abort()
    this.#closeFifos()
  }

  #closeFifos (): void {
    if (this.#closed) return
    this.#closed = true
    for (const f of this.#fifos) {
      // KEEPALIVED: unlinked first, so a script that reopens the FIFO when it is closed cannot.
      this.#unlinkCreated(f)
      if (f.fd !== undefined) closeSync(f.fd)
      f.fd = undefined
      if (f.stats.dropped > 0 || f.stats.errors > 0) this.#log.warn({ ...f.stats }, 'notify FIFO closed with lines lost')
    }
  }

  #write (fifo: OpenFifo, bytes: Buffer): void {
    if (fifo.fd === undefined) return
    try {
      // A line is shorter than PIPE_BUF: written whole or not at all (POSIX).
      writeSync(fifo.fd, bytes)
      fifo.stats.written++
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EAGAIN') fifo.stats.dropped++
      else fifo.stats.errors++
      fifo.droppedSinceLog++
      const nowMs = Date.now()
      if (nowMs - fifo.lastDropLogMs >= DROP_LOG_INTERVAL_MS) {
        this.#log.warn({ fifo: fifo.plan.path, code, lost: fifo.droppedSinceLog, ...fifo.stats }, code === 'EAGAIN' ? 'notify FIFO full (reader too slow or gone); line dropped' : 'notify FIFO write failed; line dropped')
        fifo.lastDropLogMs = nowMs
        fifo.droppedSinceLog = 0
      }
    }
  }

  /** Makes sure `path` is a FIFO: created (mode 0644, KEEPALIVED) when missing, refused when something else. */
  #prepare (fifo: OpenFifo): boolean {
    const { path, keyword, owner } = fifo.plan
    let exists = true
    try {
      const st = lstatSync(path)
      if (!st.isFIFO()) {
        this.#log.error({ fifo: path, keyword }, `${keyword} ${path} exists and is not a FIFO (${fileKind(st)}); not written: remove it or name another path`)
        return false
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#log.error({ fifo: path, keyword, code: (err as NodeJS.ErrnoException).code }, 'notify FIFO path cannot be checked; not written')
        return false
      }
      exists = false
    }
    if (exists) return true
    // Node has no mkfifo(3): coreutils mkfifo, once at start-up.
    const made = spawnSync('mkfifo', ['-m', '0644', '--', path], { encoding: 'utf8' })
    if (made.status !== 0) {
      this.#log.error({ fifo: path, keyword, error: (made.stderr ?? made.error?.message ?? '').trim() }, 'notify FIFO could not be created; not written')
      return false
    }
    fifo.created = true
    if (owner.user !== undefined) {
      const spec = owner.group === undefined ? `${owner.user}:` : `${owner.user}:${owner.group}`
      const chown = spawnSync('chown', ['--', spec, path], { encoding: 'utf8' })
      if (chown.status !== 0) this.#log.warn({ fifo: path, keyword, owner: spec, error: (chown.stderr ?? '').trim() }, 'notify FIFO owner could not be set')
    }
    return true
  }

  #startScript (fifo: OpenFifo, script: NonNullable<FifoPlan['script']>, runner: ScriptRunner): void {
    const controller = new AbortController()
    const label = { component: 'notify', keyword: script.keyword, fifo: fifo.plan.path }
    const ended = runner.run(script.argv, { timeoutMs: Infinity, label, user: script.user, signal: controller.signal }).then((result) => {
      // KEEPALIVED logs "notify fifo script terminated" and does not restart it.
      const fields = { ...label, command: script.argv.join(' '), ...describeResult(result) }
      if (controller.signal.aborted) this.#log.info(fields, 'notify FIFO script stopped')
      else this.#log.warn(fields, 'notify FIFO script ended; not restarted')
      return result
    })
    fifo.script = { controller, ended }
  }

  #unlinkCreated (fifo: OpenFifo): void {
    if (!fifo.created) return
    fifo.created = false
    try { unlinkSync(fifo.plan.path) } catch { /* already gone */ }
  }
}

function fileKind (st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link'
  if (st.isDirectory()) return 'a directory'
  if (st.isFile()) return 'a regular file'
  if (st.isSocket()) return 'a socket'
  return 'a device'
}

async function delay (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

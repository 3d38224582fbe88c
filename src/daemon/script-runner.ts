// Runs the daemon's external scripts (vrrp_script checks, notify scripts) on the main thread:
// keepalived's command splitting, no shell, each script in its own process group (so a timeout
// kills everything it started), a bound on how many run at once, and every child reaped (the
// addon waits for each one through a pidfd; nothing is left as a zombie). Scripts are started
// with posix_spawn, not fork (src/native/spawn.ts says why). Must not decide what a result
// means: the callers (track-scripts.ts, notify.ts) do.
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { Logger } from '../io/logger.js'
import { spawnDetached } from '../native/index.js'
import { splitQuotedEscaped } from '../config/lexer.js'

/** How one run ended. `ok` is exit code 0. */
export type ScriptResult =
  | { outcome: 'exit', code: number, ok: boolean, durationMs: number }
  | { outcome: 'signal', signal: NodeJS.Signals, ok: false, durationMs: number }
  | { outcome: 'timeout', ok: false, durationMs: number }
  | { outcome: 'error', code: string, message: string, ok: false, durationMs: number }

export interface RunOptions {
  /** Kill the script (its process group) after this long; Infinity: never (the notify FIFO script). */
  timeoutMs: number
  /** Log fields identifying the script (e.g. { script: 'chk_haproxy' }). */
  label: Record<string, unknown>
  /** Extra environment variables for this run, merged over the daemon's own environment. */
  env?: Record<string, string>
  /**
   * Run the script as this user (keepalived's script_user / `user` / notify `USER [GROUP]`).
   * The switch is made by util-linux `setpriv` (like `nsenter` for --namespace) as the last step
   * before the script is executed, so a netns is entered with the daemon's privileges first.
   * Supplementary groups become `groups` when given (script-user.ts resolves the user's groups
   * from /etc/group, as initgroups(3) would); otherwise they are cleared, so the script never
   * keeps the daemon's (root's) groups. Absent: the script runs as the daemon's user.
   */
  user?: { uid: number, gid: number, groups?: readonly number[] }
  /** Ends the run early: SIGTERM to its process group, SIGKILL after the grace period. */
  signal?: AbortSignal
}

export interface ScriptRunnerOptions {
  log: Logger
  /** Scripts running at once; more wait their turn (default 32). */
  maxConcurrent?: number
  /** keepalived -s / --namespace: run every script inside this network namespace (nsenter). */
  netns?: string
  /** After SIGTERM on timeout, SIGKILL the group this much later (keepalived: 2 s). */
  killGraceMs?: number
}

interface Pending { argv: readonly string[], options: RunOptions, resolve: (result: ScriptResult) => void }

export class ScriptRunner {
  readonly #log: Logger
  readonly #max: number
  readonly #netns: string | undefined
  readonly #graceMs: number
  readonly #queue: Pending[] = []
  /** pid (= process group id) of every running script. */
  readonly #running = new Set<number>()
  #active = 0
  #closed = false

  constructor (options: ScriptRunnerOptions) {
    this.#log = options.log
    this.#max = options.maxConcurrent ?? 32
    this.#netns = options.netns
    this.#graceMs = options.killGraceMs ?? 2000
  }

  get running (): number { return this.#active }

  /** Runs `argv` (argv[0] is executed directly, no shell) and resolves with how it ended. */
  async run (argv: readonly string[], options: RunOptions): Promise<ScriptResult> {
    if (this.#closed) return { outcome: 'error', code: 'ERR_FLOATIP_STOPPING', message: 'the daemon is stopping', ok: false, durationMs: 0 }
    return await new Promise((resolve) => {
      this.#queue.push({ argv, options, resolve })
      this.#next()
    })
  }

  /** SIGTERM every running script's process group and refuse new runs (daemon exit). */
  close (): void {
    this.#closed = true
    for (const p of this.#queue.splice(0)) p.resolve({ outcome: 'error', code: 'ERR_FLOATIP_STOPPING', message: 'the daemon is stopping', ok: false, durationMs: 0 })
    for (const pid of this.#running) killGroup(pid, 'SIGTERM')
  }

  #next (): void {
    while (this.#active < this.#max && this.#queue.length > 0) {
      const p = this.#queue.shift() as Pending
      this.#active++
      this.#spawn(p.argv, p.options, (result) => {
        this.#active--
        p.resolve(result)
        this.#next()
      })
    }
  }

  #spawn (argv: readonly string[], options: RunOptions, done: (result: ScriptResult) => void): void {
    const startedMs = Date.now()
    const elapsed = (): number => Date.now() - startedMs
    if (options.signal?.aborted === true) return done({ outcome: 'error', code: 'ABORT_ERR', message: 'aborted before it started', ok: false, durationMs: 0 })
    // The same namespace names as native/netns.cc: a name is looked up in /run/netns, a path is used as is.
    const nsPath = this.#netns === undefined ? undefined : this.#netns.startsWith('/') ? this.#netns : `/run/netns/${this.#netns}`
    const asUser = options.user === undefined ? argv : [...setprivArgs(options.user), ...argv]
    const full = nsPath === undefined ? asUser : ['nsenter', `--net=${nsPath}`, '--', ...asUser]
    let finished = false
    let timedOut = false
    let aborted = false
    let termTimer: NodeJS.Timeout | undefined
    let killTimer: NodeJS.Timeout | undefined
    let onAbort = (): void => {}
    const finish = (result: ScriptResult): void => {
      if (finished) return
      finished = true
      clearTimeout(termTimer)
      clearTimeout(killTimer)
      options.signal?.removeEventListener('abort', onAbort)
      done(result)
    }
    // KEEPALIVED runs each script as the leader of its own process group (setpgid(0, 0));
    // spawnDetached gives it a new session (pid = process group id) and does not fork.
    const env = options.env === undefined ? undefined : { ...process.env, ...options.env }
    let pid: number
    try {
      pid = spawnDetached(full, env, (exit) => {
        this.#running.delete(pid)
        const durationMs = elapsed()
        // The leader is gone; anything it left in its group goes too.
        if (timedOut || aborted) killGroup(pid, 'SIGKILL')
        if (timedOut) return finish({ outcome: 'timeout', ok: false, durationMs })
        if (exit.signal !== null) return finish({ outcome: 'signal', signal: exit.signal, ok: false, durationMs })
        if (exit.code < 0) return finish({ outcome: 'error', code: 'ECHILD', message: 'the exit status was lost', ok: false, durationMs })
        finish({ outcome: 'exit', code: exit.code, ok: exit.code === 0, durationMs })
      })
    } catch (caught) {
      const err = caught as Error & { code?: string }
      this.#log.error({ ...options.label, command: argv.join(' '), code: err.code, err: err.message }, 'script could not run')
      return finish({ outcome: 'error', code: err.code ?? 'ERR_SPAWN', message: err.message, ok: false, durationMs: elapsed() })
    }
    this.#running.add(pid)
    onAbort = () => {
      aborted = true
      killGroup(pid, 'SIGTERM')
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), this.#graceMs)
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    if (Number.isFinite(options.timeoutMs)) termTimer = setTimeout(() => {
      // KEEPALIVED: SIGTERM the script's process group, SIGKILL it if still there 2 s later.
      timedOut = true
      this.#log.warn({ ...options.label, pid, timeoutMs: options.timeoutMs }, 'script timed out; killing its process group')
      killGroup(pid, 'SIGTERM')
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), this.#graceMs)
    }, options.timeoutMs)
  }
}

/** The `setpriv` prefix that switches to `user` and then executes the rest of the argv. */
export function setprivArgs (user: { uid: number, gid: number, groups?: readonly number[] }): string[] {
  const groups = user.groups === undefined || user.groups.length === 0 ? '--clear-groups' : `--groups=${user.groups.join(',')}`
  return ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, groups, '--']
}

function killGroup (pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Log fields describing a result: exitCode / signal / timedOut / error. */
export function describeResult (r: ScriptResult): Record<string, unknown> {
  switch (r.outcome) {
    case 'exit': return { exitCode: r.code, durationMs: r.durationMs }
    case 'signal': return { signal: r.signal, durationMs: r.durationMs }
    case 'timeout': return { timedOut: true, durationMs: r.durationMs }
    case 'error': return { error: r.code, durationMs: r.durationMs }
  }
}

/**
 * KEEPALIVED: a script string is split into words at unquoted whitespace and executed directly
 * (execve, no shell): `"/bin/check.sh 'a b' c"` runs /bin/check.sh with `a b` and `c`. The rules
 * are keepalived's (config/lexer.ts splitQuotedEscaped): single or double quotes group, a
 * backslash escapes (\t, \xHH, ...) in and out of quotes. Shell syntax (`|`, `&&`, `$VAR`) is
 * passed as plain words, as keepalived does: wrap it in `/bin/sh -c '...'` to get a shell. A
 * string keepalived cannot split (the config check reports it) gives no words.
 */
export function splitCommand (command: string): string[] {
  const r = splitQuotedEscaped(command)
  return r.ok ? r.words.map((w) => w.text) : []
}

/**
 * The file argv[0] will execute, or null when there is none (KEEPALIVED: a bare name is looked
 * up in PATH; a script that cannot be found or executed is disabled at start with a warning).
 */
export function findExecutable (file: string, path = process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'): string | null {
  const candidates = file.includes('/') ? [file] : path.split(delimiter).filter((d) => d !== '').map((d) => join(d, file))
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return null
}

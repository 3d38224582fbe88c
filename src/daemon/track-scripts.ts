// keepalived's vrrp_script checks on the daemon's main thread: runs each tracked script every
// `interval` (its first run at start-up) and turns exit codes into an up/down status with
// `rise`/`fall`, reported to the Tracker. Must not compute priorities (tracker.ts does).
import type { Logger } from '../io/logger.js'
import { describeResult, type ScriptResult, type ScriptRunner } from './script-runner.js'
import type { CheckStatus, TrackedScriptPlan } from './tracking-plan.js'
import type { ReportValue } from './tracker.js'

/**
 * One script's status from its consecutive results, as keepalived counts them
 * (vrrp_script_child_thread): `result` runs from 0 to rise + fall - 1 and the script is up from
 * `rise`. At start one success is enough to be up and one failure to be down, unless
 * `init_fail`, which starts down (`rise` successes needed).
 */
export class ScriptCheck {
  #result: number
  #status: CheckStatus

  constructor (readonly rise: number, readonly fall: number, initFail: boolean) {
    this.#result = initFail ? 0 : rise - 1
    this.#status = initFail ? 'down' : 'init'
  }

  get status (): CheckStatus { return this.#status }

  /** Records one run; returns true when the status changed. */
  record (success: boolean): boolean {
    const before = this.#status
    const top = this.rise + this.fall - 1
    if (success) {
      if (this.#result < this.rise - 1) this.#result++
      else this.#result = top
    } else {
      if (this.#result > this.rise) this.#result--
      else this.#result = 0
    }
    this.#status = this.#result >= this.rise ? 'up' : 'down'
    return this.#status !== before
  }

  /** A check that goes on from this one's count (for the next generation after a reload). */
  copy (): ScriptCheck {
    const c = new ScriptCheck(this.rise, this.fall, false)
    c.#result = this.#result
    c.#status = this.#status
    return c
  }
}

/** Runs the tracked scripts and reports each status change (not every run) to the Tracker. */
export class TrackScripts {
  readonly #scripts: readonly TrackedScriptPlan[]
  readonly #runner: ScriptRunner
  readonly #log: Logger
  readonly #report: ReportValue
  readonly #checks = new Map<string, ScriptCheck>()
  readonly #busy = new Set<string>()
  /** Scripts with a result: run here, or handed over by the previous generation. */
  readonly #ran = new Set<string>()
  readonly #timers = new Set<NodeJS.Timeout>()
  #stopped = false

  constructor (scripts: readonly TrackedScriptPlan[], runner: ScriptRunner, log: Logger, report: ReportValue) {
    this.#scripts = scripts
    this.#runner = runner
    this.#log = log
    this.#report = report
    for (const s of scripts) {
      const check = new ScriptCheck(s.rise, s.fall, s.initFail)
      this.#checks.set(s.name, check)
      if (check.status !== 'init') report('script', s.name, check.status)
    }
  }

  /**
   * KEEPALIVED runs each script once at start-up; floatip waits for these first results (each
   * bounded by its timeout) so that instances start with the right priority and faults.
   *
   * On a reload, `previous` is the running generation's: a script it has already run with the
   * same command, user, rise, fall and init_fail keeps its count and status instead of running
   * now (KEEPALIVED: "VRRP_Script(NAME) considered successful on reload"); it next runs one
   * interval after `start`. The counts are taken after this round's own runs, just before the
   * caller stops `previous`, so no result of the old generation is lost.
   */
  async firstRound (previous?: TrackScripts): Promise<void> {
    const kept = previous === undefined ? [] : this.#scripts.filter((s) => previous.#canHandOver(s))
    await Promise.all(this.#scripts.filter((s) => !kept.includes(s)).map(async (s) => await this.#runOnce(s)))
    if (previous === undefined || kept.length === 0) return
    for (const s of kept) {
      const check = (previous.#checks.get(s.name) as ScriptCheck).copy()
      this.#checks.set(s.name, check)
      this.#ran.add(s.name)
      this.#report('script', s.name, check.status)
    }
    this.#log.info({ scripts: kept.map((s) => s.name) }, 'vrrp_script results kept across the reload')
  }

  /** Runs every script each `interval` from now on. */
  start (): void {
    for (const s of this.#scripts) this.#schedule(s)
  }

  stop (): void {
    this.#stopped = true
    for (const t of this.#timers) clearTimeout(t)
    this.#timers.clear()
  }

  #schedule (s: TrackedScriptPlan): void {
    if (this.#stopped) return
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      this.#schedule(s)
      // KEEPALIVED: a script still running when its interval comes round is not started again.
      if (this.#busy.has(s.name)) return
      void this.#runOnce(s)
    }, Math.max(1, Math.round(s.intervalUs / 1000)))
    this.#timers.add(timer)
  }

  /** Whether this generation has run `s` as the next one would, so its count carries over. */
  #canHandOver (s: TrackedScriptPlan): boolean {
    const mine = this.#scripts.find((m) => m.name === s.name)
    if (mine === undefined || !this.#ran.has(s.name)) return false
    return sameArgv(mine.argv, s.argv) && sameUser(mine.runAs, s.runAs) && mine.rise === s.rise && mine.fall === s.fall && mine.initFail === s.initFail
  }

  async #runOnce (s: TrackedScriptPlan): Promise<void> {
    this.#busy.add(s.name)
    let result: ScriptResult
    try {
      result = await this.#runner.run(s.argv, { timeoutMs: Math.max(1, Math.round(s.timeoutUs / 1000)), label: { component: 'track', script: s.name }, user: s.runAs })
    } finally {
      this.#busy.delete(s.name)
    }
    if (this.#stopped) return
    this.#record(s, result)
  }

  #record (s: TrackedScriptPlan, result: ScriptResult): void {
    const check = this.#checks.get(s.name) as ScriptCheck
    const changed = check.record(result.ok)
    this.#ran.add(s.name)
    const fields = { script: s.name, ...describeResult(result) }
    if (!changed) {
      this.#log.debug(fields, 'vrrp_script ran')
      return
    }
    if (check.status === 'up') this.#log.info(fields, 'vrrp_script succeeded')
    else this.#log.warn(fields, result.outcome === 'timeout' ? 'vrrp_script timed out' : 'vrrp_script failed')
    this.#report('script', s.name, check.status)
  }
}

function sameArgv (a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

function sameUser (a: TrackedScriptPlan['runAs'], b: TrackedScriptPlan['runAs']): boolean {
  if (a === undefined || b === undefined) return a === b
  const groups = (u: typeof a): string => [...(u.groups ?? [])].join(',')
  return a.uid === b.uid && a.gid === b.gid && groups(a) === groups(b)
}

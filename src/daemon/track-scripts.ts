// keepalived's vrrp_script / track_script on the daemon's main thread: runs each tracked script
// every `interval` (its first run at start-up), turns exit codes into an up/down status with
// `rise`/`fall`, and per instance computes the effective priority (base + weights) and the set
// of FAULT reasons (weight 0 scripts). Changes go to a TrackingSink (the engine thread). Must not
// touch VRRP state itself: the engine's cores decide what a priority or a fault means.
import type { KeepalivedConfig } from '../config/model.js'
import type { InstancePlan } from '../engine/instance-plan.js'
import type { Logger } from '../io/logger.js'
import { describeResult, findExecutable, splitCommand, type ScriptResult, type ScriptRunner } from './script-runner.js'

/** KEEPALIVED: vrrp_script interval defaults to 1 s; a missing timeout means the interval. */
export const DEFAULT_SCRIPT_INTERVAL_US = 1_000_000

export interface TrackedScriptPlan {
  name: string
  argv: string[]
  intervalUs: number
  timeoutUs: number
  rise: number
  fall: number
  initFail: boolean
}

export interface TrackRefPlan {
  script: string
  /** >0: added while the script is up; <0: added while it is down; 0: FAULT while down. */
  weight: number
  /** keepalived `reverse`: the adjustment's sign flips (weight 0: FAULT while up). */
  reverse: boolean
}

export interface InstanceTrackingPlan {
  instance: string
  basePriority: number
  refs: TrackRefPlan[]
}

export interface TrackingPlan {
  scripts: TrackedScriptPlan[]
  instances: InstanceTrackingPlan[]
  /** Warnings for start-up (unknown or unrunnable scripts, as keepalived reports them). */
  warnings: Array<{ instance?: string, script?: string, message: string }>
}

/** What the engine should apply to one instance. */
export interface InstanceTracking {
  priority: number
  /** FAULT reasons from scripts; empty = no script holds the instance in FAULT. */
  faults: string[]
}

export interface TrackingSink {
  priority: (instance: string, priority: number) => void
  fault: (instance: string, reason: string) => void
  faultCleared: (instance: string, reason: string) => void
}

export function planTracking (model: KeepalivedConfig, plans: readonly InstancePlan[], findFile: (file: string) => string | null = findExecutable): TrackingPlan {
  const warnings: TrackingPlan['warnings'] = []
  const defined = new Map(model.vrrpScripts.map((s) => [s.name, s]))
  const runnable = new Map<string, TrackedScriptPlan>()
  const instances: InstanceTrackingPlan[] = []
  for (const plan of plans) {
    const inst = model.vrrpInstances.find((i) => i.name === plan.name)
    const refs: TrackRefPlan[] = []
    for (const ref of inst?.trackScript ?? []) {
      const def = defined.get(ref.name)
      if (def === undefined) {
        // KEEPALIVED: a track_script naming no vrrp_script is ignored with a warning.
        warnings.push({ instance: plan.name, script: ref.name, message: `track_script ${ref.name}: no vrrp_script of that name; ignored` })
        continue
      }
      if (!runnable.has(def.name)) {
        const argv = splitCommand(def.script ?? '')
        if (argv.length === 0 || findFile(argv[0]) === null) {
          // KEEPALIVED: "Disabling track script ... since not found": the instance runs without it.
          warnings.push({ script: def.name, message: `vrrp_script ${def.name}: ${argv[0] ?? '(no script)'} is not an executable file; the script is disabled` })
          defined.delete(def.name)
          continue
        }
        if (def.user != null) warnings.push({ script: def.name, message: `vrrp_script ${def.name}: user ${def.user.user} is not applied yet; the script runs as the daemon's user` })
        const intervalUs = def.intervalUs ?? DEFAULT_SCRIPT_INTERVAL_US
        runnable.set(def.name, { name: def.name, argv, intervalUs, timeoutUs: def.timeoutUs ?? intervalUs, rise: def.rise, fall: def.fall, initFail: def.initFail })
      }
      // KEEPALIVED: a weight on the track_script line overrides the script's (and its reverse);
      // without one, the script's weight and reverse apply (a line's `reverse` also counts).
      refs.push(ref.weight !== undefined
        ? { script: def.name, weight: ref.weight, reverse: ref.reverse }
        : { script: def.name, weight: def.weight.weight, reverse: def.weight.reverse || ref.reverse })
    }
    if (refs.length > 0) instances.push({ instance: plan.name, basePriority: plan.core.basePriority, refs })
  }
  return { scripts: [...runnable.values()], instances, warnings }
}

export type CheckStatus = 'init' | 'up' | 'down'

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
}

/** Effective priority and FAULT reasons of one instance from its scripts' statuses. */
export function evaluateInstance (plan: InstanceTrackingPlan, statusOf: (script: string) => CheckStatus): InstanceTracking {
  let priority = plan.basePriority
  const faults: string[] = []
  for (const ref of plan.refs) {
    const status = statusOf(ref.script)
    // KEEPALIVED: a script that has not reported yet changes nothing.
    if (status === 'init') continue
    const up = status === 'up'
    const sign = ref.reverse ? -1 : 1
    if (ref.weight === 0) {
      if (up === ref.reverse) faults.push(ref.reverse ? `vrrp_script ${ref.script} succeeded (reverse)` : `vrrp_script ${ref.script} failed`)
    } else if ((ref.weight > 0 && up) || (ref.weight < 0 && !up)) {
      priority += sign * ref.weight
    }
  }
  return { priority, faults: [...new Set(faults)] }
}

/** Runs the tracked scripts and reports every change of an instance's priority or faults. */
export class TrackScripts {
  readonly #plan: TrackingPlan
  readonly #runner: ScriptRunner
  readonly #log: Logger
  readonly #checks = new Map<string, ScriptCheck>()
  readonly #busy = new Set<string>()
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #current = new Map<string, InstanceTracking>()
  #sink: TrackingSink | null = null
  #stopped = false

  constructor (plan: TrackingPlan, runner: ScriptRunner, log: Logger) {
    this.#plan = plan
    this.#runner = runner
    this.#log = log
    for (const s of plan.scripts) this.#checks.set(s.name, new ScriptCheck(s.rise, s.fall, s.initFail))
    for (const i of plan.instances) this.#current.set(i.instance, this.#evaluate(i))
  }

  /** Priority and faults of every tracking instance now (for the engine's start). */
  snapshot (): Map<string, InstanceTracking> {
    return new Map([...this.#current].map(([k, v]) => [k, { priority: v.priority, faults: [...v.faults] }]))
  }

  /**
   * KEEPALIVED runs each script once at start-up; floatip waits for these first results (each
   * bounded by its timeout) so that instances start with the right priority and faults.
   */
  async firstRound (): Promise<void> {
    await Promise.all(this.#plan.scripts.map(async (s) => await this.#runOnce(s)))
  }

  /** Runs every script each `interval` from now on, reporting changes to `sink`. */
  start (sink: TrackingSink): void {
    this.#sink = sink
    for (const s of this.#plan.scripts) this.#schedule(s)
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

  async #runOnce (s: TrackedScriptPlan): Promise<void> {
    this.#busy.add(s.name)
    let result: ScriptResult
    try {
      result = await this.#runner.run(s.argv, { timeoutMs: Math.max(1, Math.round(s.timeoutUs / 1000)), label: { component: 'track', script: s.name } })
    } finally {
      this.#busy.delete(s.name)
    }
    if (this.#stopped) return
    this.#record(s, result)
  }

  #record (s: TrackedScriptPlan, result: ScriptResult): void {
    const check = this.#checks.get(s.name) as ScriptCheck
    const changed = check.record(result.ok)
    const fields = { script: s.name, ...describeResult(result) }
    if (!changed) {
      this.#log.debug(fields, 'vrrp_script ran')
      return
    }
    if (check.status === 'up') this.#log.info(fields, 'vrrp_script succeeded')
    else this.#log.warn(fields, result.outcome === 'timeout' ? 'vrrp_script timed out' : 'vrrp_script failed')
    for (const inst of this.#plan.instances) {
      if (inst.refs.some((r) => r.script === s.name)) this.#update(inst)
    }
  }

  #update (plan: InstanceTrackingPlan): void {
    const before = this.#current.get(plan.instance) as InstanceTracking
    const after = this.#evaluate(plan)
    this.#current.set(plan.instance, after)
    const sink = this.#sink
    if (sink === null) return
    for (const reason of after.faults) if (!before.faults.includes(reason)) sink.fault(plan.instance, reason)
    if (after.priority !== before.priority) sink.priority(plan.instance, after.priority)
    for (const reason of before.faults) if (!after.faults.includes(reason)) sink.faultCleared(plan.instance, reason)
  }

  #evaluate (plan: InstanceTrackingPlan): InstanceTracking {
    return evaluateInstance(plan, (name) => this.#checks.get(name)?.status ?? 'init')
  }
}

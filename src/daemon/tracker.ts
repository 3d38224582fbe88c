// Holds the current value of every tracked object (vrrp_script, track_file, vrrp_track_process)
// and turns changes into per-instance effective priorities and FAULT reasons for a TrackingSink
// (the engine thread). Sources (track-scripts.ts, track-files.ts, track-processes.ts) only
// report values; this class owns the arithmetic. Must not touch VRRP state itself: the engine's
// cores decide what a priority or a fault means.
import {
  evaluateInstance,
  type InstanceTracking,
  type TrackedKind,
  type TrackedValue,
  type InstanceTrackingPlan,
  type TrackingPlan,
  type TrackRefPlan
} from './tracking-plan.js'

export interface TrackingSink {
  priority: (instance: string, priority: number) => void
  fault: (instance: string, reason: string) => void
  faultCleared: (instance: string, reason: string) => void
}

/** Where a source reports its objects' values. */
export type ReportValue = (kind: TrackedKind, name: string, value: TrackedValue) => void

export class Tracker {
  /** Each tracking instance's plan by name. */
  readonly #plans = new Map<string, InstanceTrackingPlan>()
  /** The instances that track each object (`kind:name`), in plan order, each once. */
  readonly #trackers = new Map<string, string[]>()
  readonly #values = new Map<string, TrackedValue>()
  readonly #current = new Map<string, InstanceTracking>()
  #sink: TrackingSink | null = null

  constructor (plan: TrackingPlan) {
    for (const i of plan.instances) {
      this.#plans.set(i.instance, i)
      for (const r of i.refs) {
        const key = `${r.kind}:${r.name}`
        const list = this.#trackers.get(key)
        if (list === undefined) this.#trackers.set(key, [i.instance])
        else if (list[list.length - 1] !== i.instance) list.push(i.instance)
      }
    }
    for (const i of plan.instances) this.#current.set(i.instance, this.#evaluate(i.instance))
  }

  /** Priority and faults of every tracking instance now (for the engine's start). */
  snapshot (): Map<string, InstanceTracking> {
    return new Map([...this.#current].map(([k, v]) => [k, { priority: v.priority, faults: [...v.faults] }]))
  }

  /** From now on, changes go to `sink` (before this, they only change the snapshot). */
  attach (sink: TrackingSink): void {
    this.#sink = sink
  }

  readonly report: ReportValue = (kind, name, value) => {
    const key = `${kind}:${name}`
    if (this.#values.get(key) === value) return
    this.#values.set(key, value)
    for (const instance of this.#trackers.get(key) ?? []) this.#update(instance)
  }

  #update (instance: string): void {
    const before = this.#current.get(instance) as InstanceTracking
    const after = this.#evaluate(instance)
    this.#current.set(instance, after)
    const sink = this.#sink
    if (sink === null) return
    // Faults first: an instance about to lose mastership must not advertise a better priority.
    for (const reason of after.faults) if (!before.faults.includes(reason)) sink.fault(instance, reason)
    if (after.priority !== before.priority) sink.priority(instance, after.priority)
    for (const reason of before.faults) if (!after.faults.includes(reason)) sink.faultCleared(instance, reason)
  }

  #evaluate (instance: string): InstanceTracking {
    const plan = this.#plans.get(instance)
    if (plan === undefined) return { priority: 0, faults: [] }
    return evaluateInstance(plan, (ref: TrackRefPlan) => this.#values.get(`${ref.kind}:${ref.name}`) ?? 'init')
  }
}

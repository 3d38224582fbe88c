// What the daemon tracks for the VRRP instances, from the config: the vrrp_script, track_file and
// vrrp_track_process objects that some instance (or its sync group) references, and per instance
// the references with their weights. Also the pure rule that turns the objects' current values
// into an instance's effective priority and FAULT reasons (keepalived's weights). No I/O here
// except `findFile` (injected) to tell whether a script can run. track_interface is the
// engine's (it sees link events first): see src/engine/instance-plan.ts.
import type { KeepalivedConfig, TrackRef, VrrpSyncGroup } from '../config/model.js'
import type { InstancePlan } from '../engine/instance-plan.js'
import { findExecutable, splitCommand } from './script-runner.js'
import { disabledTrackEffect, type PrepareScript, type RunUser } from './script-security.js'

/** KEEPALIVED: vrrp_script interval defaults to 1 s; a missing timeout means the interval. */
export const DEFAULT_SCRIPT_INTERVAL_US = 1_000_000

/** KEEPALIVED: a tracked adjustment below this puts the instance in FAULT (track_file). */
export const FAULT_BELOW = -253

/** KEEPALIVED: a track_file's value × weight adds at most this (weight_range / `status > 253`). */
export const FILE_ADJUSTMENT_MAX = 253

export type TrackedKind = 'script' | 'file' | 'process'

export interface TrackedScriptPlan {
  name: string
  argv: string[]
  intervalUs: number
  timeoutUs: number
  rise: number
  fall: number
  initFail: boolean
  /** keepalived `user USER [GROUP]` on the vrrp_script (null: the default script user). */
  user: { user: string, group: string | undefined } | null
  /** The resolved user to run as (script-security.ts; undefined: the daemon's own user). */
  runAs?: RunUser
}

export interface TrackedFilePlan {
  name: string
  path: string
  /** keepalived `init_file [VALUE] [overwrite]`. */
  init: { value: number, overwrite: boolean } | null
}

export interface TrackedProcessPlan {
  name: string
  /** Process name, then the parameters to match (none: match the name only). */
  process: string[]
  paramMatch: 'exact' | 'initial' | 'partial'
  /** param_match was written: parameters are matched (with exact and none listed: the process must have none). */
  paramMatchGiven: boolean
  quorum: number
  quorumMax: number
  forkDelayUs: number
  terminateDelayUs: number
  fullCommand: boolean
}

export interface TrackRefPlan {
  kind: TrackedKind
  name: string
  /**
   * Script/process: >0 added while up; <0 added while down; 0: FAULT while down.
   * File: the file's value times the weight is added; 0: FAULT while the value is not 0
   * (`reverse`: while it is 0).
   */
  weight: number
  /** keepalived `reverse`: the adjustment's sign flips (weight 0 script: FAULT while up). */
  reverse: boolean
}

export interface InstanceTrackingPlan {
  instance: string
  basePriority: number
  refs: TrackRefPlan[]
}

export interface TrackingPlan {
  scripts: TrackedScriptPlan[]
  files: TrackedFilePlan[]
  processes: TrackedProcessPlan[]
  instances: InstanceTrackingPlan[]
  /** Warnings for start-up (unknown or unrunnable objects, ignored weights), as keepalived reports them. */
  warnings: Array<{ instance?: string, script?: string, message: string }>
}

/** The current value of a tracked object: up/down for scripts and processes, a number for files. */
export type CheckStatus = 'init' | 'up' | 'down'
export type TrackedValue = CheckStatus | number

/** What the engine should apply to one instance. */
export interface InstanceTracking {
  priority: number
  /** FAULT reasons from tracked objects; empty = nothing holds the instance in FAULT. */
  faults: string[]
}

/** The sync group an instance belongs to, if any (keepalived allows one). */
export function syncGroupOf (model: KeepalivedConfig, instance: string): VrrpSyncGroup | undefined {
  return model.vrrpSyncGroups.find((g) => g.group.includes(instance))
}

/** The instances that track vrrp_script `name`, directly or through their sync group. */
export function instancesTracking (model: KeepalivedConfig, name: string): string[] {
  return model.vrrpInstances.filter((i) => i.trackScript.some((r) => r.name === name) ||
    syncGroupOf(model, i.name)?.trackScript.some((r) => r.name === name) === true).map((i) => i.name)
}

/** `prepare`: script users and security (ScriptPolicy.prepare); without it scripts run as given. */
export function planTracking (model: KeepalivedConfig, plans: readonly InstancePlan[], findFile: (file: string) => string | null = findExecutable, prepare?: PrepareScript): TrackingPlan {
  const warnings: TrackingPlan['warnings'] = []
  const scripts = new Map<string, TrackedScriptPlan>()
  const files = new Map<string, TrackedFilePlan>()
  const processes = new Map<string, TrackedProcessPlan>()
  const disabled = new Set<string>()
  const instances: InstanceTrackingPlan[] = []

  const scriptRef = (instance: string, ref: TrackRef): TrackRefPlan | null => {
    const def = model.vrrpScripts.find((s) => s.name === ref.name)
    if (def === undefined) {
      // KEEPALIVED: a track_script naming no vrrp_script is ignored with a warning.
      warnings.push({ instance, script: ref.name, message: `track_script ${ref.name}: no vrrp_script of that name; ignored` })
      return null
    }
    if (disabled.has(`script:${def.name}`)) return null
    if (!scripts.has(def.name)) {
      const argv = splitCommand(def.script ?? '')
      const effect = disabledTrackEffect(instancesTracking(model, def.name))
      // With `prepare`, ScriptPolicy checks the file (the wording floatip check-config shows).
      if (argv.length === 0 || (prepare === undefined && findFile(argv[0]) === null)) {
        // KEEPALIVED: "Disabling track script ... since not found": the instance runs without it.
        warnings.push({ script: def.name, message: `vrrp_script ${def.name}: ${argv[0] ?? '(no script)'} is not an executable file; the script is disabled (${effect})` })
        disabled.add(`script:${def.name}`)
        return null
      }
      // KEEPALIVED: "Disabling track script ... due to insecure" (or an unknown user): likewise.
      const prepared = prepare?.(`vrrp_script ${def.name}`, argv, def.user)
      const messages = prepared?.messages ?? []
      messages.forEach((message, n) => warnings.push({ script: def.name, message: prepared?.argv === null && n === messages.length - 1 ? `${message} (${effect})` : message }))
      if (prepared?.argv === null) {
        disabled.add(`script:${def.name}`)
        return null
      }
      const intervalUs = def.intervalUs ?? DEFAULT_SCRIPT_INTERVAL_US
      scripts.set(def.name, { name: def.name, argv: prepared?.argv ?? argv, intervalUs, timeoutUs: def.timeoutUs ?? intervalUs, rise: def.rise, fall: def.fall, initFail: def.initFail, user: def.user ?? null, runAs: prepared?.user })
    }
    // KEEPALIVED: a weight on the track_script line overrides the script's (and its reverse);
    // without one, the script's weight and reverse apply (a line's `reverse` also counts).
    return ref.weight !== undefined
      ? { kind: 'script', name: def.name, weight: ref.weight, reverse: ref.reverse }
      : { kind: 'script', name: def.name, weight: def.weight.weight, reverse: def.weight.reverse || ref.reverse }
  }

  const fileRef = (instance: string, ref: TrackRef): TrackRefPlan | null => {
    const def = model.trackFiles.find((f) => f.name === ref.name)
    if (def === undefined || def.file == null) {
      warnings.push({ instance, message: `track_file ${ref.name}: no track_file of that name (or it has no file); ignored` })
      return null
    }
    if (!files.has(def.name)) files.set(def.name, { name: def.name, path: def.file, init: def.initFile ?? null })
    return ref.weight !== undefined
      ? { kind: 'file', name: def.name, weight: ref.weight, reverse: ref.reverse }
      : { kind: 'file', name: def.name, weight: def.weight.weight, reverse: def.weight.reverse || ref.reverse }
  }

  const processRef = (instance: string, ref: TrackRef): TrackRefPlan | null => {
    const def = model.vrrpTrackProcesses.find((p) => p.name === ref.name)
    if (def === undefined || def.process == null || def.process.length === 0) {
      warnings.push({ instance, message: `track_process ${ref.name}: no vrrp_track_process of that name (or it has no process); ignored` })
      return null
    }
    if (!processes.has(def.name)) {
      // KEEPALIVED: `delay` sets both delays; the specific ones win.
      const delay = def.delayUs ?? 0
      processes.set(def.name, {
        name: def.name,
        process: def.process,
        paramMatch: def.paramMatch ?? 'exact',
        paramMatchGiven: def.paramMatch != null,
        quorum: def.quorum,
        quorumMax: def.quorumMax ?? Number.MAX_SAFE_INTEGER,
        forkDelayUs: def.forkDelayUs ?? delay,
        terminateDelayUs: def.terminateDelayUs ?? delay,
        fullCommand: def.fullCommand
      })
    }
    return ref.weight !== undefined
      ? { kind: 'process', name: def.name, weight: ref.weight, reverse: ref.reverse }
      : { kind: 'process', name: def.name, weight: def.weight.weight, reverse: def.weight.reverse || ref.reverse }
  }

  for (const plan of plans) {
    const inst = model.vrrpInstances.find((i) => i.name === plan.name)
    if (inst === undefined) continue
    const group = syncGroupOf(model, plan.name)
    const lists: Array<[TrackRef[], typeof scriptRef]> = [
      [inst.trackScript, scriptRef], [inst.trackFile, fileRef], [inst.trackProcess, processRef]
    ]
    // keepalived: a sync group's track_* apply to every member instance.
    if (group !== undefined) lists.push([group.trackScript, scriptRef], [group.trackFile, fileRef], [group.trackProcess, processRef])
    const refs: TrackRefPlan[] = []
    for (const [list, resolve] of lists) {
      for (const ref of list) {
        const r = resolve(plan.name, ref)
        if (r === null) continue
        if (group !== undefined && !group.syncGroupTrackingWeight && r.weight !== 0) {
          // KEEPALIVED: in a sync group, tracking weights are set to 0 (a failure is a FAULT of
          // the whole group) unless the group says sync_group_tracking_weight.
          warnings.push({ instance: plan.name, message: `${r.kind === 'script' ? 'track_script' : `track_${r.kind}`} ${r.name}: weight ${r.weight} ignored in vrrp_sync_group ${group.name} (no sync_group_tracking_weight): a failure means FAULT` })
          r.weight = 0
        }
        refs.push(r)
      }
    }
    if (refs.length > 0) instances.push({ instance: plan.name, basePriority: plan.core.basePriority, refs })
  }
  return { scripts: [...scripts.values()], files: [...files.values()], processes: [...processes.values()], instances, warnings }
}

function label (ref: TrackRefPlan): string {
  return ref.kind === 'script' ? `vrrp_script ${ref.name}` : ref.kind === 'file' ? `track_file ${ref.name}` : `track_process ${ref.name}`
}

/**
 * Effective priority (base + weights, not clamped: the core clamps to [1, 254]) and FAULT
 * reasons of one instance from its tracked objects' values. Objects that have not reported
 * yet ('init') change nothing.
 */
export function evaluateInstance (plan: InstanceTrackingPlan, valueOf: (ref: TrackRefPlan) => TrackedValue): InstanceTracking {
  let priority = plan.basePriority
  const faults: string[] = []
  for (const ref of plan.refs) {
    const value = valueOf(ref)
    if (value === 'init') continue
    const sign = ref.reverse ? -1 : 1
    if (typeof value === 'number') {
      // KEEPALIVED track_file (update_track_file_status): weight 0 means a non-zero value is a
      // failure (`reverse`: a zero value is); otherwise value × weight (× -1 with `reverse`) is
      // added, capped at +253, and a result below -253 means FAULT. The reasons do not carry
      // the value, so a FAULT does not flap while the value changes.
      if (ref.weight === 0) {
        if ((value !== 0) !== ref.reverse) faults.push(ref.reverse ? `${label(ref)} is 0 (reverse)` : `${label(ref)} is not 0`)
        continue
      }
      const adjustment = sign * value * ref.weight
      if (adjustment < FAULT_BELOW) faults.push(`${label(ref)} × weight is below ${FAULT_BELOW}`)
      else priority += Math.min(adjustment, FILE_ADJUSTMENT_MAX)
      continue
    }
    const up = value === 'up'
    if (ref.weight === 0) {
      const script = ref.kind === 'script'
      if (up === ref.reverse) faults.push(ref.reverse ? `${label(ref)} ${script ? 'succeeded' : 'is up'} (reverse)` : `${label(ref)} ${script ? 'failed' : 'is down'}`)
    } else if ((ref.weight > 0 && up) || (ref.weight < 0 && !up)) {
      priority += sign * ref.weight
    }
  }
  return { priority, faults: [...new Set(faults)] }
}

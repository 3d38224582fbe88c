// One loaded config's side of the daemon, next to the engine: its tracking sources (vrrp_script,
// track_file, vrrp_track_process) feeding one Tracker, and its observers of engine events
// (notify scripts, notify FIFOs, SMTP alerts). The daemon has one at start-up; a reload
// (SIGHUP) builds the next one beside it and swaps them once the engine runs the new plans.
import type { KeepalivedConfig } from '../config/model.js'
import type { InstancePlan } from '../engine/instance-plan.js'
import type { SyncGroupPlan } from '../engine/sync-group-plan.js'
import type { InitialTracking } from '../engine/worker-protocol.js'
import type { Logger } from '../io/logger.js'
import type { EngineEventObserver } from './event-observer.js'
import { createObservers } from './observers.js'
import type { ScriptRunner } from './script-runner.js'
import { ScriptPolicy } from './script-security.js'
import { TrackFiles } from './track-files.js'
import { TrackProcesses } from './track-processes.js'
import { TrackScripts } from './track-scripts.js'
import { planTracking } from './tracking-plan.js'
import { Tracker, type TrackingSink } from './tracker.js'

export interface Generation {
  readonly model: KeepalivedConfig
  readonly plans: InstancePlan[]
  readonly syncGroups: SyncGroupPlan[]
  readonly observers: readonly EngineEventObserver[]
  /**
   * Runs each vrrp_script once (KEEPALIVED does at start-up): the engine starts with those
   * results. On a reload, scripts `previous` already runs the same way keep their results instead.
   */
  firstRound: (previous?: Generation) => Promise<void>
  /** The vrrp_script checks now (a reload's next generation takes their counts over). */
  scripts: () => TrackScripts
  /** Priority and faults per instance now, for the engine's start or reload. */
  tracking: () => Record<string, InitialTracking>
  /** From now on tracking changes go to `sink`, and the sources run on. */
  start: (sink: TrackingSink) => void
  stopTracking: () => void
  /** Stops the tracking sources and sets up fresh ones (call firstRound, then start, again). */
  resetTracking: () => void
  /** Closes the observers, except those a later generation took over. */
  closeObservers: (keep?: readonly EngineEventObserver[]) => void
}

interface TrackingSources {
  tracker: Tracker
  scripts: TrackScripts
  files: TrackFiles
  processes: TrackProcesses
}

/**
 * Plans tracking and observers for `model` and logs their warnings. `previous`: the observers of
 * the generation this one replaces (a notify FIFO with the same FIFOs and scripts is taken over).
 */
export function createGeneration (model: KeepalivedConfig, plans: InstancePlan[], syncGroups: SyncGroupPlan[], runner: ScriptRunner, log: Logger, previous: readonly EngineEventObserver[] = []): Generation {
  // script_user, per-script users and enable_script_security, checked once for every script.
  const policy = ScriptPolicy.fromConfig(model.globalDefs)
  const plan = planTracking(model, plans, undefined, policy.prepare)
  const observers = createObservers(model, plans, runner, log, policy.prepare, previous)
  for (const { message, ...fields } of [...plan.warnings, ...observers.warnings]) log.warn(fields, message)
  for (const message of policy.summary()) log.warn({ component: 'scripts' }, message)
  const trackLog = log.child({ component: 'track' })
  const sources = (): TrackingSources => {
    const tracker = new Tracker(plan)
    const files = new TrackFiles(plan.files, trackLog, tracker.report)
    const processes = new TrackProcesses(plan.processes, trackLog, tracker.report)
    // track_file and vrrp_track_process values are read before the engine starts, like the scripts' first round.
    files.prime()
    processes.prime()
    return { tracker, scripts: new TrackScripts(plan.scripts, runner, trackLog, tracker.report), files, processes }
  }
  let tracking = sources()
  const stopTracking = (): void => { for (const source of [tracking.scripts, tracking.files, tracking.processes]) source.stop() }
  return {
    model,
    plans,
    syncGroups,
    observers: observers.list,
    firstRound: async (previous) => { await tracking.scripts.firstRound(previous?.scripts()) },
    scripts: () => tracking.scripts,
    tracking: () => Object.fromEntries(tracking.tracker.snapshot()),
    start: (sink) => {
      tracking.tracker.attach(sink)
      tracking.scripts.start()
      tracking.files.start()
      tracking.processes.start()
    },
    stopTracking,
    resetTracking: () => {
      stopTracking()
      tracking = sources()
    },
    closeObservers: (keep = []) => { for (const o of observers.list) if (!keep.includes(o)) o.close?.() }
  }
}

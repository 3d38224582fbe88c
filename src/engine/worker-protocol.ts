// Messages between the daemon (main thread) and the engine's worker thread. Types only.
import type { InstancePlan } from './instance-plan.js'
import type { EngineEvent } from './events.js'
import type { SyncGroupPlan } from './sync-group-plan.js'
import type { EngineStatus, ReloadSummary } from './engine.js'
import type { IoThreadRealtime } from './io-thread-scheduling.js'

/** What the engine starts from: the daemon sends it in the `start` message, once it has read the config. */
export interface EngineWorkerData {
  plans: InstancePlan[]
  netns: string | undefined
  logLevel: string
  /** The native I/O thread's scheduling (io-thread-scheduling.ts). */
  realtime: IoThreadRealtime
  /** Tracking at start (the daemon ran each vrrp_script once): applied before the cores start. */
  tracking?: Record<string, InitialTracking>
  syncGroups?: SyncGroupPlan[]
  /**
   * keepalived `vrrp_priority`: the nice value. The thread starts before the config is read, so it
   * cannot inherit the main thread's; it sets its own before the native I/O thread exists.
   */
  nice?: number
}

export interface InitialTracking {
  /** Effective priority: base + weights (the core clamps it to [1, 254]). */
  priority: number
  /** FAULT reasons (weight 0 scripts that are down). */
  faults: string[]
}

export type ToEngine =
  /** The first message: the thread has loaded its modules and waits for it. */
  | { type: 'start', data: EngineWorkerData }
  | { type: 'shutdown' }
  | { type: 'status', requestId: number }
  /** SIGUSR2: keepalived.stats as text (cheap: no status objects cross threads). */
  | { type: 'keepalived-stats', requestId: number }
  /** Tracking changed the instance's effective priority (base + sum of weights). */
  | { type: 'tracking', instance: string, priority: number }
  /** A tracked object failed: FAULT until every reason is cleared. */
  | { type: 'fault', instance: string, reason: string }
  | { type: 'fault-cleared', instance: string, reason: string }
  /** SIGHUP: run these plans from now on (tracking as the daemon's new first round left it). */
  | { type: 'reload', requestId: number, plans: InstancePlan[], syncGroups: SyncGroupPlan[], tracking: Record<string, InitialTracking> }

export type FromEngine =
  | { type: 'ready', status: EngineStatus }
  | { type: 'start-failed', code: string, message: string }
  | { type: 'event', event: EngineEvent }
  | { type: 'status', requestId: number, status: EngineStatus }
  | { type: 'keepalived-stats', requestId: number, text: string }
  | { type: 'stopped', status: EngineStatus }
  | { type: 'reloaded', requestId: number, summary: ReloadSummary }
  | { type: 'reload-failed', requestId: number, code: string, message: string }

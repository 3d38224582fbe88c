// Messages between the daemon (main thread) and the engine's worker thread. Types only.
import type { InstancePlan } from './instance-plan.js'
import type { Transition } from './instance-runtime.js'
import type { EngineStatus } from './engine.js'

export interface EngineWorkerData {
  plans: InstancePlan[]
  netns: string | undefined
  logLevel: string
  realtimePriority: number
}

export type ToEngine =
  | { type: 'shutdown' }
  | { type: 'status', requestId: number }

export type FromEngine =
  | { type: 'ready', status: EngineStatus }
  | { type: 'start-failed', code: string, message: string }
  | { type: 'transition', transition: Transition }
  | { type: 'status', requestId: number, status: EngineStatus }
  | { type: 'stopped', status: EngineStatus }

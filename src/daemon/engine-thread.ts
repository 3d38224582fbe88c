// The daemon's handle on the engine's worker thread: start it, wait until every instance runs (or
// report why not), forward transitions, pass tracking changes (priority, faults) in, ask for
// status, and shut it down. If the thread dies, the daemon is told through onExit so it can clean
// up.
import { Worker } from 'node:worker_threads'
import type { EngineStatus, ReloadSummary } from '../engine/engine.js'
import type { EngineEvent } from '../engine/events.js'
import type { EngineWorkerData, FromEngine, InitialTracking, ToEngine } from '../engine/worker-protocol.js'
import { EngineStartError } from '../engine/errors.js'
import type { TrackingSink } from './tracker.js'
import type { InstancePlan } from '../engine/instance-plan.js'
import type { SyncGroupPlan } from '../engine/sync-group-plan.js'

const WORKER_URL = new URL('../engine/worker.js', import.meta.url)

export interface EngineThreadEvents {
  /** Transitions and other events, in the order the engine produced them. */
  onEvent: (event: EngineEvent) => void
  /** The thread ended without being asked to (a crash). */
  onUnexpectedExit: (error: Error | null, code: number) => void
}

export class EngineThread implements TrackingSink {
  readonly #worker: Worker
  readonly #pendingStatus = new Map<number, (status: EngineStatus | null) => void>()
  readonly #pendingStats = new Map<number, (text: string | null) => void>()
  readonly #pendingReload = new Map<number, (result: ReloadSummary | EngineStartError) => void>()
  #nextRequest = 1
  #stopping: Promise<EngineStatus | null> | null = null
  #stoppedWith: ((status: EngineStatus | null) => void) | null = null
  #exited = false

  private constructor (worker: Worker) {
    this.#worker = worker
  }

  /** Resolves when every instance started; rejects with EngineStartError otherwise. */
  static async start (data: EngineWorkerData, events: EngineThreadEvents): Promise<{ thread: EngineThread, status: EngineStatus }> {
    const worker = new Worker(WORKER_URL, { workerData: data, stdout: false, stderr: false })
    const thread = new EngineThread(worker)
    return await new Promise((resolve, reject) => {
      let started = false
      worker.on('message', (message: FromEngine) => {
        switch (message.type) {
          case 'ready':
            started = true
            resolve({ thread, status: message.status })
            break
          case 'start-failed':
            reject(new EngineStartError(message.message))
            break
          case 'event':
            events.onEvent(message.event)
            break
          case 'status':
            thread.#pendingStatus.get(message.requestId)?.(message.status)
            thread.#pendingStatus.delete(message.requestId)
            break
          case 'keepalived-stats':
            thread.#pendingStats.get(message.requestId)?.(message.text)
            thread.#pendingStats.delete(message.requestId)
            break
          case 'reloaded':
          case 'reload-failed':
            thread.#pendingReload.get(message.requestId)?.(message.type === 'reloaded' ? message.summary : new EngineStartError(message.message))
            thread.#pendingReload.delete(message.requestId)
            break
          case 'stopped':
            thread.#stoppedWith?.(message.status)
            break
        }
      })
      let lastError: Error | null = null
      worker.on('error', (err) => { lastError = err })
      worker.on('exit', (code) => {
        thread.#exited = true
        thread.#stoppedWith?.(null)
        for (const resolve of thread.#pendingReload.values()) resolve(new EngineStartError(`the engine thread exited with code ${code}`))
        thread.#pendingReload.clear()
        for (const pending of [thread.#pendingStatus, thread.#pendingStats]) {
          for (const resolve of pending.values()) resolve(null)
          pending.clear()
        }
        if (!started) reject(lastError ?? new EngineStartError(`the engine thread exited with code ${code} before starting`))
        else if (thread.#stopping === null) events.onUnexpectedExit(lastError, code)
      })
    })
  }

  /** The full status; null once the thread has exited (also when it exits before answering). */
  async status (): Promise<EngineStatus | null> {
    return await this.#ask(this.#pendingStatus, 'status')
  }

  /** keepalived.stats as the engine formats it (SIGUSR2); null once the thread has exited. */
  async keepalivedStats (): Promise<string | null> {
    return await this.#ask(this.#pendingStats, 'keepalived-stats')
  }

  async #ask<T> (pending: Map<number, (answer: T | null) => void>, type: 'status' | 'keepalived-stats'): Promise<T | null> {
    if (this.#exited) return null
    const requestId = this.#nextRequest++
    return await new Promise((resolve) => {
      pending.set(requestId, resolve)
      this.#post({ type, requestId })
    })
  }

  /**
   * Runs new plans (see Engine.reload). Resolves once the engine has applied them, after every
   * event the reload caused has been passed to onEvent; rejects with EngineStartError when the
   * engine refused them (the old ones keep running).
   */
  async reload (plans: InstancePlan[], syncGroups: SyncGroupPlan[], tracking: Record<string, InitialTracking>): Promise<ReloadSummary> {
    if (this.#exited) throw new EngineStartError('the engine thread has stopped')
    const requestId = this.#nextRequest++
    const result = await new Promise<ReloadSummary | EngineStartError>((resolve) => {
      this.#pendingReload.set(requestId, resolve)
      this.#post({ type: 'reload', requestId, plans, syncGroups, tracking })
    })
    if (result instanceof EngineStartError) throw result
    return result
  }

  /** Priority-0 adverts and VIPs removed; resolves with the final status (null on timeout). */
  async shutdown (timeoutMs = 5000): Promise<EngineStatus | null> {
    if (this.#stopping !== null) return await this.#stopping
    this.#stopping = new Promise<EngineStatus | null>((resolve) => {
      if (this.#exited) return resolve(null)
      const timer = setTimeout(() => {
        void this.#worker.terminate()
        resolve(null)
      }, timeoutMs)
      this.#stoppedWith = (status) => {
        clearTimeout(timer)
        resolve(status)
      }
      this.#post({ type: 'shutdown' })
    })
    return await this.#stopping
  }

  priority (instance: string, priority: number): void {
    this.#post({ type: 'tracking', instance, priority })
  }

  fault (instance: string, reason: string): void {
    this.#post({ type: 'fault', instance, reason })
  }

  faultCleared (instance: string, reason: string): void {
    this.#post({ type: 'fault-cleared', instance, reason })
  }

  #post (message: ToEngine): void {
    if (this.#exited) return
    this.#worker.postMessage(message)
  }
}

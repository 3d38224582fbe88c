// The daemon's handle on the engine's worker thread: spawn it early, start it, wait until every
// instance runs (or report why not), forward transitions, pass tracking changes (priority,
// faults) in, ask for status, and shut it down. If the thread dies, the daemon is told through
// onUnexpectedExit so it can clean up.
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
  #exitCode = 0
  #lastError: Error | null = null
  /** Set by start(); null before it. */
  #events: EngineThreadEvents | null = null
  /** While start() waits for the engine's answer. */
  #starting: { resolve: (status: EngineStatus) => void, reject: (err: Error) => void } | null = null
  /** The engine reported ready: an exit from now on is a crash unless shutdown() asked for it. */
  #running = false

  private constructor (worker: Worker) {
    this.#worker = worker
    worker.on('message', (message: FromEngine) => { this.#receive(message) })
    worker.on('error', (err) => { this.#lastError = err })
    worker.on('exit', (code) => { this.#exit(code) })
  }

  /**
   * Starts the worker thread. It loads the engine's modules and waits for start(): the daemon
   * spawns it before it reads the config, so that both threads' start-up runs at once.
   */
  static spawn (): EngineThread {
    return new EngineThread(new Worker(WORKER_URL, { stdout: false, stderr: false }))
  }

  /** Resolves with the status when every instance started; rejects with EngineStartError otherwise. */
  async start (data: EngineWorkerData, events: EngineThreadEvents): Promise<EngineStatus> {
    if (this.#events !== null) throw new Error('EngineThread.start: already started')
    this.#events = events
    if (this.#exited) throw this.#startError()
    return await new Promise((resolve, reject) => {
      this.#starting = { resolve, reject }
      this.#post({ type: 'start', data })
    })
  }

  /** Ends a thread that will not be started (the config cannot run, a signal came first). */
  async discard (): Promise<void> {
    if (this.#events === null) await this.#worker.terminate()
  }

  #receive (message: FromEngine): void {
    switch (message.type) {
      case 'ready':
        this.#running = true
        this.#starting?.resolve(message.status)
        this.#starting = null
        break
      case 'start-failed':
        this.#starting?.reject(new EngineStartError(message.message))
        this.#starting = null
        break
      case 'event':
        this.#events?.onEvent(message.event)
        break
      case 'status':
        this.#pendingStatus.get(message.requestId)?.(message.status)
        this.#pendingStatus.delete(message.requestId)
        break
      case 'keepalived-stats':
        this.#pendingStats.get(message.requestId)?.(message.text)
        this.#pendingStats.delete(message.requestId)
        break
      case 'reloaded':
      case 'reload-failed':
        this.#pendingReload.get(message.requestId)?.(message.type === 'reloaded' ? message.summary : new EngineStartError(message.message))
        this.#pendingReload.delete(message.requestId)
        break
      case 'stopped':
        this.#stoppedWith?.(message.status)
        break
    }
  }

  #exit (code: number): void {
    this.#exited = true
    this.#exitCode = code
    this.#stoppedWith?.(null)
    for (const resolve of this.#pendingReload.values()) resolve(new EngineStartError(`the engine thread exited with code ${code}`))
    this.#pendingReload.clear()
    for (const pending of [this.#pendingStatus, this.#pendingStats]) {
      for (const resolve of pending.values()) resolve(null)
      pending.clear()
    }
    if (this.#starting !== null) {
      this.#starting.reject(this.#startError())
      this.#starting = null
    } else if (this.#running && this.#stopping === null) {
      this.#events?.onUnexpectedExit(this.#lastError, code)
    }
  }

  #startError (): Error {
    return this.#lastError ?? new EngineStartError(`the engine thread exited with code ${this.#exitCode} before starting`)
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

// What the daemon does with the engine's events: each observer (notify scripts, the notify FIFO,
// SMTP alerts) gets every event in order and must not block (queue its own work).
import type { EngineEvent } from '../engine/events.js'

export interface EngineEventObserver {
  handle: (event: EngineEvent) => void
  /** At shutdown: resolves true once queued work has ended, false after timeoutMs. */
  drain?: (timeoutMs: number) => Promise<boolean>
  /** Releases files or sockets; called once, last. */
  close?: () => void
}

// The one way floatip creates loggers: pino writing JSON lines synchronously to stdout (fd 1), so
// lines from the engine's worker thread and the main thread never interleave mid-line and nothing
// is lost when the process exits. Components and instances get child loggers.
import { pino, type Logger, type Level } from 'pino'

export type { Logger }

export interface LoggerOptions {
  level?: Level | 'silent'
  /** Extra fields on every line, e.g. { component: 'engine' }. */
  base?: Record<string, unknown>
}

export function createLogger (options: LoggerOptions = {}): Logger {
  return pino({
    name: 'floatip',
    level: options.level ?? 'info',
    base: { pid: process.pid, ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime
  }, pino.destination({ dest: 1, sync: true }))
}

/** Logs at most once per `intervalMs` per key (keepalived's per-peer rate-limited errors). */
export class RateLimitedLog {
  readonly #last = new Map<string, { atMs: number, suppressed: number }>()
  constructor (readonly intervalMs = 10_000, private readonly nowMs: () => number = Date.now) {}

  /** Calls `emit(suppressedSinceLast)` when the key may log now. */
  maybe (key: string, emit: (suppressed: number) => void): void {
    const now = this.nowMs()
    const entry = this.#last.get(key)
    if (entry !== undefined && now - entry.atMs < this.intervalMs) {
      entry.suppressed++
      return
    }
    if (this.#last.size > 1000) this.#last.clear()
    this.#last.set(key, { atMs: now, suppressed: 0 })
    emit(entry?.suppressed ?? 0)
  }
}

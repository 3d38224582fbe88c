// Entry of the engine's worker thread: the engine has its own event loop and heap, so takeovers
// and adverts keep time while the daemon's main thread runs scripts, parses config or answers
// status queries. Talks to the daemon only through worker-protocol.ts messages. The daemon starts
// the thread before it reads the config, so that loading these modules overlaps its own start-up;
// the engine starts on the first message, `start`.
import { parentPort, type MessagePort } from 'node:worker_threads'
import { setPriority } from 'node:os'
import type { Level } from 'pino'
import { createLogger } from '../io/logger.js'
import { Engine } from './engine.js'
import { formatKeepalivedStats } from './keepalived-stats.js'
import type { EngineWorkerData, FromEngine, ToEngine } from './worker-protocol.js'

const port: MessagePort = parentPort ?? (() => { throw new Error('src/engine/worker.ts runs as a worker thread') })()
const post = (message: FromEngine): void => port.postMessage(message)

/** The running engine, or null until `start` (and after a failed start). */
function start (data: EngineWorkerData): Engine | null {
  const log = createLogger({ level: data.logLevel as Level, base: { component: 'engine' } })
  // Linux nice is per thread: set here, it is inherited by the native I/O thread the engine makes.
  // The daemon has already logged whether the value could be applied.
  if (data.nice !== undefined) {
    try { setPriority(data.nice) } catch {}
  }
  const engine = new Engine(data.plans, {
    netns: data.netns,
    log,
    realtime: data.realtime,
    tracking: data.tracking,
    syncGroups: data.syncGroups,
    onEvent: (event) => post({ type: 'event', event })
  })
  try {
    engine.start()
    post({ type: 'ready', status: engine.status() })
    return engine
  } catch (err) {
    const e = err as Error & { code?: string }
    engine.close()
    post({ type: 'start-failed', code: e.code ?? 'ERR_FLOATIP_START', message: e.message })
    port.close()
    return null
  }
}

let engine: Engine | null = null

port.on('message', (message: ToEngine) => {
  if (message.type === 'start') {
    if (engine === null) engine = start(message.data)
    return
  }
  if (engine === null) return
  if (message.type === 'status') {
    post({ type: 'status', requestId: message.requestId, status: engine.status() })
  } else if (message.type === 'keepalived-stats') {
    post({ type: 'keepalived-stats', requestId: message.requestId, text: formatKeepalivedStats(engine.keepalivedStats()) })
  } else if (message.type === 'tracking') {
    engine.setTrackedPriority(message.instance, message.priority)
  } else if (message.type === 'fault') {
    engine.fault(message.instance, message.reason)
  } else if (message.type === 'fault-cleared') {
    engine.faultCleared(message.instance, message.reason)
  } else if (message.type === 'reload') {
    try {
      post({ type: 'reloaded', requestId: message.requestId, summary: engine.reload(message.plans, message.syncGroups, message.tracking) })
    } catch (err) {
      const e = err as Error & { code?: string }
      post({ type: 'reload-failed', requestId: message.requestId, code: e.code ?? 'ERR_FLOATIP_START', message: e.message })
    }
  } else if (message.type === 'shutdown') {
    engine.shutdown()
    const status = engine.status()
    engine.close()
    post({ type: 'stopped', status })
    port.close()
  }
})

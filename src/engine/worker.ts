// Entry of the engine's worker thread: the engine has its own event loop and heap, so takeovers
// and adverts keep time while the daemon's main thread runs scripts, parses config or answers
// status queries. Talks to the daemon only through worker-protocol.ts messages.
import { parentPort, workerData } from 'node:worker_threads'
import type { Level } from 'pino'
import { createLogger } from '../io/logger.js'
import { Engine } from './engine.js'
import { formatKeepalivedStats } from './keepalived-stats.js'
import type { EngineWorkerData, FromEngine, ToEngine } from './worker-protocol.js'

const port = parentPort
if (port === null) throw new Error('src/engine/worker.ts runs as a worker thread')
const data = workerData as EngineWorkerData
const log = createLogger({ level: data.logLevel as Level, base: { component: 'engine' } })
const post = (message: FromEngine): void => port.postMessage(message)

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
} catch (err) {
  const e = err as Error & { code?: string }
  engine.close()
  post({ type: 'start-failed', code: e.code ?? 'ERR_FLOATIP_START', message: e.message })
  port.close()
}

port.on('message', (message: ToEngine) => {
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

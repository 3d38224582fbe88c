// keepalived's dump signals. SIGUSR2 writes keepalived.stats (per-instance counters, formatted in
// the engine thread: a status query that runs 20 times a second must not disturb the adverts).
// SIGUSR1 writes keepalived.data (configuration and state) and floatip.status.json, floatip's full
// status (every discard reason, per-socket and native counters, send lateness). All in $TMPDIR or
// /tmp (dump-file.ts); each write is logged with its path. A dump that cannot be written is logged;
// the daemon runs on.
import { hostname } from 'node:os'
import { monotonicUs } from '../native/index.js'
import type { EngineStatus } from '../engine/engine.js'
import type { Logger } from '../io/logger.js'
import type { Generation } from './generation.js'
import { writeDump, type DumpName } from './dump-file.js'
import { formatKeepalivedData } from './keepalived-data.js'

export interface DumpSources {
  status: () => Promise<EngineStatus | null>
  keepalivedStats: () => Promise<string | null>
  /** The generation whose plans the engine runs now. */
  generation: () => Generation
}

export function onDumpSignals (sources: DumpSources, log: Logger): void {
  process.on('SIGUSR2', () => { void dumpStats(sources, log) })
  process.on('SIGUSR1', () => { void dumpData(sources, log) })
}

async function dumpStats (sources: DumpSources, log: Logger): Promise<void> {
  const text = await sources.keepalivedStats()
  if (text === null) return
  const path = await write('keepalived.stats', text, log)
  if (path !== null) log.info({ path }, 'stats')
}

async function dumpData (sources: DumpSources, log: Logger): Promise<void> {
  const status = await sources.status()
  if (status === null) return
  const { model, plans } = sources.generation()
  const byName = new Map(status.instances.map((s) => [s.name, s]))
  const nowWallUs = Date.now() * 1000
  const nowMonoUs = monotonicUs()
  const text = formatKeepalivedData({
    routerId: model.globalDefs.routerId ?? hostname(),
    mcastGroup4: model.globalDefs.vrrpMcastGroup4 ?? '224.0.0.18',
    mcastGroup6: model.globalDefs.vrrpMcastGroup6 ?? 'ff02::12',
    instances: plans.map((plan) => ({ plan, status: byName.get(plan.name) })),
    wallClockUs: (us) => nowWallUs - (nowMonoUs - us)
  })
  const data = await write('keepalived.data', text, log)
  const json = await write('floatip.status.json', JSON.stringify(status, null, 1) + '\n', log)
  if (data !== null || json !== null) log.info({ path: data, status: json }, 'data')
}

async function write (name: DumpName, text: string, log: Logger): Promise<string | null> {
  try {
    return await writeDump(name, text)
  } catch (err) {
    const e = err as Error & { code?: string }
    log.warn({ dump: name, code: e.code, err: e.message }, 'dump not written')
    return null
  }
}

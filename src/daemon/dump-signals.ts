// keepalived's dump signals: SIGUSR1 writes keepalived.data (configuration and state), SIGUSR2
// writes keepalived.stats (per-instance counters), both in $TMPDIR or /tmp (dump-file.ts). SIGUSR2
// also logs floatip's full status (`stats`: discards by reason, per-socket and native counters).
// A dump that cannot be written is logged; the daemon runs on.
import { hostname } from 'node:os'
import { monotonicUs } from '../native/index.js'
import type { EngineStatus } from '../engine/engine.js'
import type { Logger } from '../io/logger.js'
import type { Generation } from './generation.js'
import { writeDump, type DumpName } from './dump-file.js'
import { formatKeepalivedStats } from './keepalived-stats.js'
import { formatKeepalivedData } from './keepalived-data.js'

export interface DumpSources {
  status: () => Promise<EngineStatus | null>
  /** The generation whose plans the engine runs now. */
  generation: () => Generation
}

export function onDumpSignals (sources: DumpSources, log: Logger): void {
  process.on('SIGUSR2', () => { void dumpStats(sources, log) })
  process.on('SIGUSR1', () => { void dumpData(sources, log) })
}

async function dumpStats (sources: DumpSources, log: Logger): Promise<void> {
  const status = await sources.status()
  if (status === null) return
  log.info({ status }, 'stats')
  await write('keepalived.stats', formatKeepalivedStats(status.instances), log)
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
  await write('keepalived.data', text, log)
}

async function write (name: DumpName, text: string, log: Logger): Promise<void> {
  try {
    const path = await writeDump(name, text)
    log.debug({ path }, 'dump written')
  } catch (err) {
    const e = err as Error & { code?: string }
    log.warn({ dump: name, code: e.code, err: e.message }, 'dump not written')
  }
}

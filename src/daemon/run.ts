// `floatip run`: the daemon's main thread. Loads and checks the config (errors stop start-up with
// the check-config diagnostics), plans the instances and sync groups, starts the engine thread,
// and handles signals: SIGTERM/SIGINT shut down (priority-0 adverts, VIPs removed, queued
// notifications given time to finish, exit 0), SIGUSR1/SIGUSR2 write keepalived's data and stats
// dumps (dump-signals.ts), SIGHUP reloads the config like keepalived (a config with errors changes
// nothing). Runs the current generation (generation.ts): the tracking sources, whose values go to
// the engine thread as priorities and faults, and the observers of engine events.
import { setPriority } from 'node:os'
import { loadConfig } from '../config/load.js'
import { formatReport, summarize } from '../config/format.js'
import { planInstances, type InstancePlan, type PlanProblem } from '../engine/instance-plan.js'
import type { SyncGroupPlan } from '../engine/sync-group-plan.js'
import { createLogger, type Logger } from '../io/logger.js'
import type { KeepalivedConfig } from '../config/model.js'
import type { EngineStatus } from '../engine/engine.js'
import { EngineThread } from './engine-thread.js'
import { removeAllVips } from './vip-cleanup.js'
import { ScriptRunner } from './script-runner.js'
import { NOTIFY_TIMEOUT_MS } from './notify.js'
import { drainObservers } from './observers.js'
import { createGeneration, type Generation } from './generation.js'
import { onDumpSignals } from './dump-signals.js'
import { ReloadQueue } from './reload-queue.js'
import { DEFAULT_IO_RT_PRIORITY, type IoThreadRealtime } from '../engine/io-thread-scheduling.js'

/** On SIGTERM, how long queued notify scripts (notify_stop) may still run before floatip exits. */
export const SHUTDOWN_NOTIFY_WAIT_MS = NOTIFY_TIMEOUT_MS + 1000

export interface RunOptions {
  file: string
  namespace?: string
  configId?: string
  logLevel?: string
  /** `--rt-priority N`: the I/O thread's SCHED_FIFO priority, 0 for the normal policy. */
  realtimePriority?: number
}

/**
 * Resolves with the exit code once the daemon has stopped. `engine`: the engine's thread, spawned
 * as early as the caller could (src/cli/main.ts does it before loading the command line); it is
 * started once the config is read, or discarded when the config cannot run.
 */
export async function runDaemon (options: RunOptions, engine = EngineThread.spawn()): Promise<number> {
  const log = createLogger({ level: (options.logLevel ?? 'info') as 'info', base: { component: 'daemon' } })
  const loaded = loadConfig(options.file, { configId: options.configId })
  const summary = summarize(loaded.diagnostics)
  if (loaded.diagnostics.length > 0) process.stderr.write(formatReport(loaded.diagnostics))
  const refuse = async (): Promise<number> => {
    await engine.discard()
    return 1
  }
  if (!loaded.ok) {
    log.error({ file: options.file, errors: summary.errors, warnings: summary.warnings }, 'configuration has errors; not starting (see floatip check-config)')
    return await refuse()
  }
  const { plans, syncGroups, problems } = planInstances(loaded.model)
  logProblems(problems, log)
  if (problems.some((p) => p.severity === 'error')) return await refuse()
  if (plans.length === 0) {
    log.error({ file: options.file }, 'no vrrp_instance to run')
    return await refuse()
  }
  return await supervise(plans, syncGroups, loaded.model, options, log, engine)
}

async function supervise (plans: InstancePlan[], syncGroups: SyncGroupPlan[], model: KeepalivedConfig, options: RunOptions, log: Logger, thread: EngineThread): Promise<number> {
  const netns = options.namespace
  applyNice(model, log)
  const runner = new ScriptRunner({ log: log.child({ component: 'scripts' }), netns })
  let current = createGeneration(model, plans, syncGroups, runner, log)
  /** While a reload runs: the generation it replaces (its observers hear the removed instances). */
  let retiring: Generation | null = null
  // KEEPALIVED runs each vrrp_script at start-up; the cores start with those results. A signal
  // meanwhile stops here (nothing else has started).
  const early = signalPromise(['SIGTERM', 'SIGINT'])
  const interrupted = await Promise.race([current.firstRound().then(() => null), early.signal])
  early.dispose()
  if (interrupted !== null) {
    log.info({ signal: interrupted }, 'shutting down')
    current.stopTracking()
    current.closeObservers()
    runner.close()
    await thread.discard()
    return 0
  }
  const closeAll = (): void => {
    current.stopTracking()
    current.closeObservers()
    retiring?.closeObservers(current.observers)
    runner.close()
  }
  let crashed: (code: number) => void = () => {}
  const crash = new Promise<number>((resolve) => { crashed = resolve })
  let status: EngineStatus
  try {
    status = await thread.start(
      { plans, netns, logLevel: options.logLevel ?? 'info', realtime: ioThreadRealtime(options, model), tracking: current.tracking(), syncGroups, nice: model.globalDefs.vrrpPriority ?? undefined },
      {
        onEvent: (event) => {
          const observers = event.type === 'deleted' && retiring !== null ? retiring.observers : current.observers
          for (const o of observers) o.handle(event)
        },
        onUnexpectedExit: (error, code) => {
          log.fatal({ err: error, code }, 'engine thread stopped unexpectedly')
          const all = [...current.plans, ...(retiring?.plans ?? [])]
          closeAll()
          removeAllVips(all, netns, log)
          crashed(1)
        }
      })
  } catch (err) {
    const e = err as Error & { code?: string }
    log.error({ code: e.code, err: e.message }, 'could not start')
    closeAll()
    return 1
  }
  current.start(thread)
  log.info({ instances: status.instances.map((i) => ({ name: i.name, interface: i.interface, vrid: i.vrid, state: i.state, primaryAddress: i.primaryAddress })) }, 'running')
  let stopping = false
  /**
   * SIGHUP (keepalived's reload): a config with errors changes nothing; otherwise the new
   * generation's scripts run once, then the engine swaps plans (engine.ts reload) and the new
   * tracking and observers take over. One reload at a time; a SIGHUP meanwhile runs one more.
   */
  const reloads = new ReloadQueue(async () => {
    if (stopping) return
    const next = await loadNextGeneration(options, runner, log, current)
    if (next === null || stopping) {
      next?.stopTracking()
      next?.closeObservers(current.observers)
      return
    }
    await next.firstRound(current)
    if (stopping) {
      next.stopTracking()
      next.closeObservers(current.observers)
      return
    }
    const previous = current
    previous.stopTracking()
    retiring = previous
    current = next
    // The snapshot goes with the reload message; changes after it follow it, in order.
    const reload = thread.reload(next.plans, next.syncGroups, next.tracking())
    next.start(thread)
    try {
      const summary = await reload
      log.info({ file: options.file, ...summary }, 'reloaded')
      previous.closeObservers(next.observers)
    } catch (err) {
      const e = err as Error & { code?: string }
      log.error({ code: e.code, err: e.message }, 'reload refused by the engine; the running configuration stays')
      next.stopTracking()
      next.closeObservers(previous.observers)
      current = previous
      retiring = null
      // The running config's tracking restarts from a fresh first round; the engine (which still
      // runs its plans: every instance kept) takes the results.
      previous.resetTracking()
      await previous.firstRound()
      if (stopping) return
      const resync = thread.reload(previous.plans, previous.syncGroups, previous.tracking())
      previous.start(thread)
      await resync
    } finally {
      retiring = null
    }
  }, log)
  const stop = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'shutting down')
      stopping = true
      current.stopTracking()
      void thread.shutdown().then(async (final) => {
        if (final === null) removeAllVips([...current.plans, ...(retiring?.plans ?? [])], netns, log)
        else log.info({ status: final }, 'stopped')
        // The engine's last transitions (to INIT: notify_stop) are queued by now.
        const observers = [...current.observers, ...(retiring?.observers ?? [])]
        if (!await drainObservers(observers, SHUTDOWN_NOTIFY_WAIT_MS)) log.warn('notifications still pending at exit; scripts killed')
        closeAll()
        resolve(0)
      })
    }
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
  })
  onDumpSignals({ status: async () => await thread.status(), keepalivedStats: async () => await thread.keepalivedStats(), generation: () => current }, log)
  process.on('SIGHUP', () => { void reloads.request() })
  return await Promise.race([stop, crash])
}

/** The next generation from the config file, or null (logged) when the file cannot run. */
async function loadNextGeneration (options: RunOptions, runner: ScriptRunner, log: Logger, current: Generation): Promise<Generation | null> {
  log.info({ file: options.file }, 'reloading')
  const loaded = loadConfig(options.file, { configId: options.configId })
  if (loaded.diagnostics.length > 0) process.stderr.write(formatReport(loaded.diagnostics))
  const refuse = (message: string, fields: object = {}): null => {
    log.error({ file: options.file, ...fields }, `reload: ${message}; the running configuration stays`)
    return null
  }
  if (!loaded.ok) {
    const summary = summarize(loaded.diagnostics)
    return refuse('configuration has errors (see floatip check-config)', { errors: summary.errors, warnings: summary.warnings })
  }
  const { plans, syncGroups, problems } = planInstances(loaded.model)
  logProblems(problems, log)
  if (problems.some((p) => p.severity === 'error')) return refuse('an instance cannot run')
  if (plans.length === 0) return refuse('no vrrp_instance to run')
  return createGeneration(loaded.model, plans, syncGroups, runner, log, current.observers)
}

function logProblems (problems: readonly PlanProblem[], log: Logger): void {
  for (const p of problems) {
    const at = `${p.source.file}:${p.source.line}:${p.source.column}`
    if (p.severity === 'error') log.error({ instance: p.instance, at }, p.message)
    else log.warn({ instance: p.instance, at }, p.message)
  }
}

function signalPromise (signals: NodeJS.Signals[]): { signal: Promise<NodeJS.Signals>, dispose: () => void } {
  let handler: (signal: NodeJS.Signals) => void = () => {}
  const signal = new Promise<NodeJS.Signals>((resolve) => { handler = resolve })
  for (const s of signals) process.on(s, handler)
  return { signal, dispose: () => { for (const s of signals) process.off(s, handler) } }
}

/**
 * KEEPALIVED global_defs `vrrp_priority` (-20..19): the nice value of the VRRP process. Linux nice
 * is per thread: set here on the main thread, whose scripts inherit it; the engine thread, which
 * already runs, sets it on itself from its start data before it makes the native I/O thread.
 */
function applyNice (model: KeepalivedConfig, log: Logger): void {
  const nice = model.globalDefs.vrrpPriority
  if (nice == null) return
  try {
    setPriority(nice)
    log.info({ nice }, 'vrrp_priority applied')
  } catch (err) {
    const e = err as Error & { code?: string }
    log.warn({ nice, code: e.code, err: e.message }, 'vrrp_priority: cannot set the nice value')
  }
}

/**
 * `--rt-priority N` wins (0: the normal policy); otherwise keepalived's global_defs
 * `vrrp_rt_priority`; both must take effect. Without either, SCHED_FIFO 1 if the system allows it
 * (src/engine/io-thread-scheduling.ts).
 */
function ioThreadRealtime (options: RunOptions, model: KeepalivedConfig): IoThreadRealtime {
  if (options.realtimePriority !== undefined) return { priority: options.realtimePriority, required: options.realtimePriority > 0 }
  const configured = model.globalDefs.vrrpRtPriority
  if (configured != null) return { priority: configured, required: true }
  return { priority: DEFAULT_IO_RT_PRIORITY, required: false }
}

// `floatip run`: the daemon's main thread. Loads and checks the config (errors stop start-up with
// the check-config diagnostics), plans the instances and sync groups, starts the engine thread,
// and handles signals: SIGTERM/SIGINT shut down (priority-0 adverts, VIPs removed, queued
// notifications given time to finish, exit 0), SIGUSR2 logs the counters (keepalived writes them
// to a stats file), SIGHUP is not a reload yet. Runs the tracking sources (vrrp_script,
// track_file, vrrp_track_process: their values go to the engine thread as priorities and faults)
// and the observers of engine events (notify scripts, notify FIFOs, SMTP alerts).
import { loadConfig } from '../config/load.js'
import { formatReport, summarize } from '../config/format.js'
import { planInstances, type InstancePlan } from '../engine/instance-plan.js'
import type { SyncGroupPlan } from '../engine/sync-group-plan.js'
import { createLogger, type Logger } from '../io/logger.js'
import type { KeepalivedConfig } from '../config/model.js'
import { EngineThread } from './engine-thread.js'
import { removeAllVips } from './vip-cleanup.js'
import { ScriptRunner } from './script-runner.js'
import { ScriptPolicy } from './script-security.js'
import { TrackScripts } from './track-scripts.js'
import { TrackFiles } from './track-files.js'
import { TrackProcesses } from './track-processes.js'
import { planTracking } from './tracking-plan.js'
import { Tracker } from './tracker.js'
import { NOTIFY_TIMEOUT_MS } from './notify.js'
import { createObservers, drainObservers } from './observers.js'

/** On SIGTERM, how long queued notify scripts (notify_stop) may still run before floatip exits. */
export const SHUTDOWN_NOTIFY_WAIT_MS = NOTIFY_TIMEOUT_MS + 1000

export interface RunOptions {
  file: string
  namespace?: string
  configId?: string
  logLevel?: string
  realtimePriority?: number
}

/** Resolves with the exit code once the daemon has stopped. */
export async function runDaemon (options: RunOptions): Promise<number> {
  const log = createLogger({ level: (options.logLevel ?? 'info') as 'info', base: { component: 'daemon' } })
  const loaded = loadConfig(options.file, { configId: options.configId })
  const summary = summarize(loaded.diagnostics)
  if (loaded.diagnostics.length > 0) process.stderr.write(formatReport(loaded.diagnostics))
  if (!loaded.ok) {
    log.error({ file: options.file, errors: summary.errors, warnings: summary.warnings }, 'configuration has errors; not starting (see floatip check-config)')
    return 1
  }
  const { plans, syncGroups, problems } = planInstances(loaded.model)
  for (const p of problems) {
    const at = `${p.source.file}:${p.source.line}:${p.source.column}`
    if (p.severity === 'error') log.error({ instance: p.instance, at }, p.message)
    else log.warn({ instance: p.instance, at }, p.message)
  }
  if (problems.some((p) => p.severity === 'error')) return 1
  if (plans.length === 0) {
    log.error({ file: options.file }, 'no vrrp_instance to run')
    return 1
  }
  return await supervise(plans, syncGroups, loaded.model, options, log)
}

async function supervise (plans: InstancePlan[], syncGroups: SyncGroupPlan[], model: KeepalivedConfig, options: RunOptions, log: Logger): Promise<number> {
  const netns = options.namespace
  const runner = new ScriptRunner({ log: log.child({ component: 'scripts' }), netns })
  // script_user, per-script users and enable_script_security, checked once for every script.
  const policy = ScriptPolicy.fromConfig(model.globalDefs)
  const tracking = planTracking(model, plans, undefined, policy.prepare)
  const observers = createObservers(model, plans, runner, log, policy.prepare)
  for (const { message, ...fields } of [...tracking.warnings, ...observers.warnings]) log.warn(fields, message)
  for (const message of policy.summary()) log.warn({ component: 'scripts' }, message)
  const closeObservers = (): void => { for (const o of observers.list) o.close?.() }
  const tracker = new Tracker(tracking)
  const scripts = new TrackScripts(tracking.scripts, runner, log.child({ component: 'track' }), tracker.report)
  // track_file and vrrp_track_process values are read before the engine starts, like the scripts' first round.
  const files = new TrackFiles(tracking.files, log.child({ component: 'track' }), tracker.report)
  const processes = new TrackProcesses(tracking.processes, log.child({ component: 'track' }), tracker.report)
  files.prime()
  processes.prime()
  const stopTracking = (): void => { for (const source of [scripts, files, processes]) source.stop() }
  // KEEPALIVED runs each vrrp_script at start-up; the cores start with those results. A signal
  // meanwhile stops here (nothing else has started).
  const early = signalPromise(['SIGTERM', 'SIGINT'])
  const interrupted = await Promise.race([scripts.firstRound().then(() => null), early.signal])
  early.dispose()
  if (interrupted !== null) {
    log.info({ signal: interrupted }, 'shutting down')
    stopTracking()
    closeObservers()
    runner.close()
    return 0
  }
  let crashed: (code: number) => void = () => {}
  const crash = new Promise<number>((resolve) => { crashed = resolve })
  let started: Awaited<ReturnType<typeof EngineThread.start>>
  try {
    started = await EngineThread.start(
      { plans, netns, logLevel: options.logLevel ?? 'info', realtimePriority: realtimePriorityOf(options, model), tracking: Object.fromEntries(tracker.snapshot()), syncGroups },
      {
        onEvent: (event) => { for (const o of observers.list) o.handle(event) },
        onUnexpectedExit: (error, code) => {
          log.fatal({ err: error, code }, 'engine thread stopped unexpectedly')
          stopTracking()
          closeObservers()
          runner.close()
          removeAllVips(plans, netns, log)
          crashed(1)
        }
      })
  } catch (err) {
    const e = err as Error & { code?: string }
    log.error({ code: e.code, err: e.message }, 'could not start')
    stopTracking()
    closeObservers()
    runner.close()
    return 1
  }
  const { thread, status } = started
  tracker.attach(thread)
  scripts.start()
  files.start()
  processes.start()
  log.info({ instances: status.instances.map((i) => ({ name: i.name, interface: i.interface, vrid: i.vrid, state: i.state, primaryAddress: i.primaryAddress })) }, 'running')
  const stop = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'shutting down')
      stopTracking()
      void thread.shutdown().then(async (final) => {
        if (final === null) removeAllVips(plans, netns, log)
        else log.info({ status: final }, 'stopped')
        // The engine's last transitions (to INIT: notify_stop) are queued by now.
        if (!await drainObservers(observers.list, SHUTDOWN_NOTIFY_WAIT_MS)) log.warn('notifications still pending at exit; scripts killed')
        closeObservers()
        runner.close()
        resolve(0)
      })
    }
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
  })
  process.on('SIGUSR2', () => { void thread.status().then((s) => log.info({ status: s }, 'stats')) })
  process.on('SIGHUP', () => log.warn('reload (SIGHUP) is not supported yet; restart floatip to apply a new config'))
  return await Promise.race([stop, crash])
}

function signalPromise (signals: NodeJS.Signals[]): { signal: Promise<NodeJS.Signals>, dispose: () => void } {
  let handler: (signal: NodeJS.Signals) => void = () => {}
  const signal = new Promise<NodeJS.Signals>((resolve) => { handler = resolve })
  for (const s of signals) process.on(s, handler)
  return { signal, dispose: () => { for (const s of signals) process.off(s, handler) } }
}

/** `--rt-priority` wins; otherwise keepalived's global_defs `vrrp_rt_priority` (SCHED_FIFO). */
function realtimePriorityOf (options: RunOptions, model: KeepalivedConfig): number {
  if (options.realtimePriority !== undefined && options.realtimePriority > 0) return options.realtimePriority
  return model.globalDefs.vrrpRtPriority ?? 0
}

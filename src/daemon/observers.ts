// Builds the daemon's observers of engine events from the config: notify scripts (notify.ts),
// SMTP alerts (smtp-alerts.ts) and whatever else acts on transitions. One place to add an
// observer; run.ts only fans events out, drains them at shutdown and closes them.
import type { KeepalivedConfig } from '../config/model.js'
import type { InstancePlan } from '../engine/instance-plan.js'
import type { Logger } from '../io/logger.js'
import type { EngineEventObserver } from './event-observer.js'
import { Notifier, planGroupNotify, planNotify } from './notify.js'
import { NotifyFifo, planNotifyFifos } from './notify-fifo.js'
import type { ScriptRunner } from './script-runner.js'
import type { PrepareScript } from './script-security.js'
import { planSmtpAlerts, SmtpAlerter } from './smtp-alerts.js'

export interface Observers {
  list: EngineEventObserver[]
  /** Start-up warnings (disabled scripts, unsupported options), as keepalived reports them. */
  warnings: Array<{ instance?: string, message: string }>
}

/**
 * `previous`: the observers of the config a reload replaces. A NotifyFifo that names the same
 * FIFOs and scripts is taken over (its FIFOs stay open, its scripts keep running); the caller
 * closes the previous observers that are not in the new list.
 */
export function createObservers (model: KeepalivedConfig, plans: readonly InstancePlan[], runner: ScriptRunner, log: Logger, prepare?: PrepareScript, previous: readonly EngineEventObserver[] = []): Observers {
  const notifyPlan = planNotify(model.vrrpInstances, plans.map((p) => p.name), undefined, prepare)
  const groupPlan = planGroupNotify(model.vrrpSyncGroups, undefined, prepare)
  const fifoPlan = planNotifyFifos(model, plans.map((p) => p.name), undefined, prepare)
  const warnings: Observers['warnings'] = [...notifyPlan.warnings, ...groupPlan.warnings.map(({ group, message }) => ({ message: `vrrp_sync_group ${group}: ${message}` })), ...fifoPlan.warnings]
  const list: EngineEventObserver[] = [new Notifier(notifyPlan.plans, runner, log.child({ component: 'notify' }), undefined, groupPlan.plans)]
  if (fifoPlan.plan.fifos.length > 0) {
    const kept = previous.find((o): o is NotifyFifo => o instanceof NotifyFifo && o.adopt(fifoPlan.plan))
    list.push(kept ?? new NotifyFifo(fifoPlan.plan, runner, log.child({ component: 'notify' })))
  }
  const smtp = planSmtpAlerts(model, plans.map((p) => p.name))
  warnings.push(...smtp.warnings)
  if (smtp.plan !== undefined) list.push(new SmtpAlerter(smtp.plan, log.child({ component: 'smtp' })))
  return { list, warnings }
}

/** Resolves true once every observer's queued work has ended (false after timeoutMs). */
export async function drainObservers (observers: readonly EngineEventObserver[], timeoutMs: number): Promise<boolean> {
  const results = await Promise.all(observers.map(async (o) => o.drain === undefined ? true : await o.drain(timeoutMs)))
  return results.every(Boolean)
}

// keepalived's SMTP alerts for VRRP: on a vrrp_instance or vrrp_sync_group state change, a mail
// "[<router_id>] VRRP Instance <name> - Entering MASTER state" to every notification_email, via
// smtp_server. The plan resolves who alerts (smtp_alert as keepalived 2.2.7 does); SmtpAlerter is
// the engine-event observer: alerts queue in order (bounded) and go out one connection at a time,
// so handle() never waits. Failures are logged with the server's reply or the system error and
// dropped (no retry, as keepalived). Must not: block, throw from handle(), or crash the daemon.
import { hostname } from 'node:os'
import type { KeepalivedConfig } from '../config/model.js'
import type { EngineEvent } from '../engine/events.js'
import { RateLimitedLog, type Logger } from '../io/logger.js'
import type { EngineEventObserver } from './event-observer.js'
import { formatReply, sendMail, type SmtpRequest, type SmtpResult } from './smtp-client.js'
import { alertText, formatMessage, type AlertKind, type AlertState } from './smtp-message.js'

/** Alerts waiting behind the one being sent; beyond this the oldest waiting one is dropped. */
export const MAX_QUEUED_ALERTS = 100

export interface SmtpAlertPlan {
  host: string
  port: number
  heloName: string
  from: string
  to: string[]
  routerId: string
  timeoutMs: number
  /** global_defs no_email_faults: no mail for FAULT. */
  noEmailFaults: boolean
  instances: Set<string>
  groups: Set<string>
}

const ADDRESS = /^[^\s<>]+$/

/**
 * Who alerts. KEEPALIVED 2.2.7 (vrrp_complete_instance): an instance's smtp_alert, if not written,
 * is global_defs smtp_alert_vrrp, else smtp_alert, else off; sync groups resolve the same way.
 * KEEPALIVED sends nothing (silently) without notification_email or smtp_server; floatip warns.
 */
export function planSmtpAlerts (model: KeepalivedConfig, instanceNames: readonly string[], host = hostname()): { plan: SmtpAlertPlan | undefined, warnings: Array<{ instance?: string, message: string }> } {
  const g = model.globalDefs
  const warnings: Array<{ instance?: string, message: string }> = []
  const on = (own: boolean | undefined): boolean => own ?? g.smtpAlertVrrp ?? g.smtpAlert ?? false
  const instances = new Set(model.vrrpInstances.filter((i) => instanceNames.includes(i.name) && on(i.smtpAlert)).map((i) => i.name))
  const groups = new Set(model.vrrpSyncGroups.filter((s) => on(s.smtpAlert)).map((s) => s.name))
  if (instances.size === 0 && groups.size === 0) return { plan: undefined, warnings }
  const to = g.notificationEmail.filter((a) => {
    if (ADDRESS.test(a)) return true
    warnings.push({ message: `notification_email '${a}' is not a plain address; skipped` })
    return false
  })
  const missing = [to.length === 0 ? 'notification_email' : '', g.smtpServer === undefined ? 'smtp_server' : ''].filter((m) => m !== '')
  if (missing.length > 0) {
    warnings.push({ message: `smtp_alert is on but global_defs has no ${missing.join(' or ')}: no alerts are sent` })
    return { plan: undefined, warnings }
  }
  const from = g.notificationEmailFrom ?? `keepalived@${host}`
  if (!ADDRESS.test(from)) {
    warnings.push({ message: `notification_email_from '${from}' is not a plain address: no alerts are sent` })
    return { plan: undefined, warnings }
  }
  const server = g.smtpServer as { address: string, port: number }
  return {
    plan: {
      host: server.address,
      port: server.port,
      heloName: g.smtpHeloName ?? host,
      from,
      to,
      routerId: g.routerId ?? host,
      timeoutMs: g.smtpConnectTimeoutS * 1000,
      noEmailFaults: g.noEmailFaults,
      instances,
      groups
    },
    warnings
  }
}

interface Alert { kind: AlertKind, name: string, state: AlertState, subject: string, body: string, date: Date }

export interface SmtpAlerterOptions {
  /** The transport (tests may pass a wrapper; production: sendMail). */
  send?: (req: SmtpRequest) => Promise<SmtpResult>
  maxQueued?: number
  now?: () => Date
}

export class SmtpAlerter implements EngineEventObserver {
  readonly #plan: SmtpAlertPlan
  readonly #log: Logger
  readonly #send: (req: SmtpRequest) => Promise<SmtpResult>
  readonly #maxQueued: number
  readonly #now: () => Date
  readonly #queue: Alert[] = []
  /** KEEPALIVED last_email_state: no second mail for the state last mailed. */
  readonly #lastMailed = new Map<string, AlertState>()
  readonly #abort = new AbortController()
  readonly #overflowLog = new RateLimitedLog(10_000)
  #sending: Promise<void> | undefined
  #closed = false
  #dropped = 0

  constructor (plan: SmtpAlertPlan, log: Logger, options: SmtpAlerterOptions = {}) {
    this.#plan = plan
    this.#log = log
    this.#send = options.send ?? sendMail
    this.#maxQueued = options.maxQueued ?? MAX_QUEUED_ALERTS
    this.#now = options.now ?? (() => new Date())
  }

  /** Alerts dropped because the queue was full. */
  get dropped (): number { return this.#dropped }
  /** Alerts queued or being sent. */
  get pending (): number { return this.#queue.length + (this.#sending === undefined ? 0 : 1) }

  handle (event: EngineEvent): void {
    if (event.type === 'transition') this.#alert('instance', event.transition.instance, event.transition.to)
    else if (event.type === 'group-transition') this.#alert('group', event.transition.group, event.transition.to)
  }

  #alert (kind: AlertKind, name: string, to: string): void {
    if (this.#closed || !(kind === 'instance' ? this.#plan.instances : this.#plan.groups).has(name)) return
    // The transition to INIT is the stop at shutdown (keepalived's STOP state).
    const state: AlertState = to === 'INIT' ? 'STOP' : to as AlertState
    if (state === 'FAULT' && this.#plan.noEmailFaults) return
    const key = `${kind}:${name}`
    if (this.#lastMailed.get(key) === state) return
    this.#lastMailed.set(key, state)
    const { subject, body } = alertText(kind, name, state, this.#plan.routerId)
    if (this.#queue.length >= this.#maxQueued) {
      // The newest state matters most: drop the oldest waiting alert.
      const lost = this.#queue.shift() as Alert
      this.#dropped++
      this.#overflowLog.maybe('overflow', (suppressed) => this.#log.warn({ subject: lost.subject, dropped: this.#dropped, suppressed, maxQueued: this.#maxQueued }, 'smtp alert queue full; oldest alert dropped'))
    }
    this.#queue.push({ kind, name, state, subject, body, date: this.#now() })
    this.#sending ??= this.#pump()
  }

  async #pump (): Promise<void> {
    try {
      for (let alert = this.#queue.shift(); alert !== undefined && !this.#closed; alert = this.#queue.shift()) await this.#deliver(alert)
    } finally {
      this.#sending = undefined
    }
  }

  async #deliver (alert: Alert): Promise<void> {
    const p = this.#plan
    const message = formatMessage({ date: alert.date, from: p.from, to: p.to, subject: alert.subject, body: alert.body })
    const fields = { [alert.kind]: alert.name, state: alert.state, subject: alert.subject, server: p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}` }
    let result: SmtpResult
    try {
      result = await this.#send({ host: p.host, port: p.port, heloName: p.heloName, from: p.from, to: p.to, message, timeoutMs: p.timeoutMs, signal: this.#abort.signal })
    } catch (err) {
      result = { ok: false, stage: 'connect', reason: 'socket', message: (err as Error).message }
    }
    if (result.ok) {
      for (const r of result.rejected) this.#log.warn({ ...fields, recipient: r.recipient, reply: formatReply(r.reply) }, 'smtp alert recipient refused')
      const refused = new Set(result.rejected.map((r) => r.recipient))
      this.#log.info({ ...fields, to: p.to.filter((a) => !refused.has(a)), reply: formatReply(result.reply) }, 'smtp alert sent')
      return
    }
    const { ok, reply, ...failure } = result
    this.#log.warn({ ...fields, ...failure, ...(reply === undefined ? {} : { reply: formatReply(reply) }) }, 'smtp alert failed')
  }

  /** Resolves true once every queued alert has been sent or has failed, false after timeoutMs. */
  async drain (timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs) })
    const all = (async () => {
      while (this.#sending !== undefined) await this.#sending
      return true
    })()
    try {
      return await Promise.race([all, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Drops what is queued and cuts the connection in progress. */
  close (): void {
    if (this.#closed) return
    this.#closed = true
    this.#queue.length = 0
    this.#abort.abort()
  }
}

// keepalived's notify scripts: for vrrp_instance transitions notify_master / notify_backup /
// notify_fault / notify_stop, then `notify` with "INSTANCE" <name> <STATE> <priority> appended;
// the same for vrrp_sync_group transitions with "GROUP" <name> <STATE> 0; and an instance's
// notify_master_rx_lower_pri (no arguments appended) when it is master and hears a lower priority.
// Per instance (and per group) the scripts run one at a time, in event order (a queue): a script
// of a later event never starts before every script of an earlier one has ended. Nothing is
// coalesced or dropped. Each script is killed after NOTIFY_TIMEOUT_MS. Each run gets FLOATIP_*
// environment variables: the event's sequence number and state, and the latest ones when the
// script starts, so a script that starts late can tell it is stale. Must not delay the engine:
// events arrive after the fact, from the engine thread, and only scripts wait.
import type { VrrpInstance, VrrpSyncGroup, ScriptRef } from '../config/model.js'
import type { EngineEvent, GroupTransition, Transition } from '../engine/events.js'
import type { EngineEventObserver } from './event-observer.js'
import type { Logger } from '../io/logger.js'
import { describeResult, findExecutable, splitCommand, type ScriptRunner } from './script-runner.js'
import type { PrepareScript, RunUser } from './script-security.js'

/**
 * keepalived waits for no notify script (it forks them and moves on); floatip queues them, so a
 * hung one must not block the next: each is killed (its whole process group) after this long.
 * 10 s, keepalived's default for startup_script_timeout / shutdown_script_timeout.
 */
export const NOTIFY_TIMEOUT_MS = 10_000

/** DELETED: an instance a reload removed, when it has notify_deleted (otherwise it is FAULT). */
export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED'

export interface NotifyPlan {
  instance: string
  /** argv per target state (notify_master, ...), without keepalived's `notify` arguments. */
  byState: Partial<Record<NotifyState, string[]>>
  /** `notify`: run after the state's own script with INSTANCE <name> <STATE> <priority>. */
  notify: string[] | undefined
  /** notify_master_rx_lower_pri, run as written (KEEPALIVED appends no arguments). */
  masterRxLowerPri?: string[]

  /** Per keyword (notify_master, ..., notify): the user to run as (absent: the daemon's own). */
  users?: Partial<Record<string, RunUser>>
}

/** A vrrp_sync_group's scripts; `notify` gets GROUP <name> <STATE> 0 (KEEPALIVED: a group's priority is 0). */
export interface GroupNotifyPlan {
  group: string
  byState: Partial<Record<NotifyState, string[]>>
  notify: string[] | undefined
  users?: Partial<Record<string, RunUser>>
}

type Scripts = Pick<VrrpInstance, 'notifyMaster' | 'notifyBackup' | 'notifyFault' | 'notifyStop' | 'notify'> & { notifyDeleted?: VrrpInstance['notifyDeleted'] }

/** argv per keyword of one instance or group: missing, insecure or unknown-user scripts are reported and left out. */
function planScripts (scripts: Scripts & { notifyMasterRxLowerPri?: ScriptRef | null }, warn: (message: string) => void, findFile: (file: string) => string | null, prepare?: PrepareScript): { byState: NotifyPlan['byState'], notify: string[] | undefined, masterRxLowerPri: string[] | undefined, users: NonNullable<NotifyPlan['users']> } {
  const users: NonNullable<NotifyPlan['users']> = {}
  const argvOf = (keyword: string, ref: ScriptRef | null | undefined): string[] | undefined => {
    if (ref == null) return undefined
    const argv = splitCommand(ref.command)
    // With `prepare`, ScriptPolicy checks the file (the wording floatip check-config shows).
    if (argv.length === 0 || (prepare === undefined && findFile(argv[0]) === null)) {
      // KEEPALIVED: "Disabling notify script ... since not found".
      warn(`${keyword} ${argv[0] ?? ''}: not an executable file; the script is disabled`)
      return undefined
    }
    // KEEPALIVED: "Disabling notify script ... due to insecure" (or an unknown user).
    const prepared = prepare?.(keyword, argv, ref.user === undefined ? null : { user: ref.user, group: ref.group })
    for (const message of prepared?.messages ?? []) warn(message)
    if (prepared?.argv === null) return undefined
    if (prepared?.user !== undefined) users[keyword] = prepared.user
    return prepared?.argv ?? argv
  }
  const byState: NotifyPlan['byState'] = {}
  const set = (state: NotifyState, argv: string[] | undefined): void => { if (argv !== undefined) byState[state] = argv }
  set('MASTER', argvOf('notify_master', scripts.notifyMaster))
  set('BACKUP', argvOf('notify_backup', scripts.notifyBackup))
  set('FAULT', argvOf('notify_fault', scripts.notifyFault))
  set('STOP', argvOf('notify_stop', scripts.notifyStop))
  const deleted = scripts.notifyDeleted
  if (deleted?.command !== undefined) set('DELETED', argvOf('notify_deleted', { command: deleted.command, user: deleted.user, group: deleted.group }))
  const notify = argvOf('notify', scripts.notify)
  const masterRxLowerPri = argvOf('notify_master_rx_lower_pri', scripts.notifyMasterRxLowerPri)
  return { byState, notify, masterRxLowerPri, users }
}

/** `prepare`: script users and security (ScriptPolicy.prepare); without it scripts run as given. */
export function planNotify (instances: readonly VrrpInstance[], names: readonly string[], findFile: (file: string) => string | null = findExecutable, prepare?: PrepareScript): { plans: NotifyPlan[], warnings: Array<{ instance: string, message: string }> } {
  const warnings: Array<{ instance: string, message: string }> = []
  const plans: NotifyPlan[] = []
  for (const inst of instances) {
    if (!names.includes(inst.name)) continue
    const p = planScripts(inst, (message) => warnings.push({ instance: inst.name, message }), findFile, prepare)
    if (p.notify !== undefined || p.masterRxLowerPri !== undefined || Object.keys(p.byState).length > 0) {
      plans.push({
        instance: inst.name,
        byState: p.byState,
        notify: p.notify,
        ...(p.masterRxLowerPri !== undefined ? { masterRxLowerPri: p.masterRxLowerPri } : {}),
        users: p.users
      })
    }
  }
  return { plans, warnings }
}

/** The sync groups' notify scripts (notify_master / backup / fault / stop, notify). */
export function planGroupNotify (groups: readonly VrrpSyncGroup[], findFile: (file: string) => string | null = findExecutable, prepare?: PrepareScript): { plans: GroupNotifyPlan[], warnings: Array<{ group: string, message: string }> } {
  const warnings: Array<{ group: string, message: string }> = []
  const plans: GroupNotifyPlan[] = []
  for (const g of groups) {
    const p = planScripts(g, (message) => warnings.push({ group: g.name, message }), findFile, prepare)
    if (p.notify !== undefined || Object.keys(p.byState).length > 0) plans.push({ group: g.name, byState: p.byState, notify: p.notify, users: p.users })
  }
  return { plans, warnings }
}

/** The target state keepalived names in notify arguments; INIT is only reached by a stop. */
function notifyState (to: Transition['to'] | GroupTransition['to']): NotifyState {
  return to === 'INIT' ? 'STOP' : to
}

type Command = { keyword: string, argv: string[], user?: RunUser }

function commandsOf (plan: NotifyPlan | GroupNotifyPlan, type: 'INSTANCE' | 'GROUP', name: string, state: NotifyState, priority: number): Command[] {
  const out: Command[] = []
  const own = plan.byState[state]
  const keyword = `notify_${state.toLowerCase()}`
  if (own !== undefined) out.push({ keyword, argv: own, user: plan.users?.[keyword] })
  if (plan.notify !== undefined) out.push({ keyword: 'notify', argv: [...plan.notify, type, name, state, String(priority)], user: plan.users?.notify })
  return out
}

/** The commands one transition runs, in keepalived's order: the state's script, then `notify`. */
export function commandsFor (plan: NotifyPlan, t: Transition): Command[] {
  return commandsOf(plan, 'INSTANCE', t.instance, notifyState(t.to), t.priority)
}

/** A sync group's transition: its state's script, then `notify` with GROUP <name> <STATE> 0. */
export function groupCommandsFor (plan: GroupNotifyPlan, t: GroupTransition): Command[] {
  // KEEPALIVED: "the prio will be indicated as zero for a group".
  return commandsOf(plan, 'GROUP', t.group, notifyState(t.to), 0)
}

/**
 * The FLOATIP_* variables of one notify run (not in keepalived). `seq` numbers the transitions of
 * one instance or group from 1 (the first after start-up); a notify_master_rx_lower_pri run has
 * the seq and state of the transition the instance was in. CURRENT_* are read when the script
 * starts: CURRENT_SEQ > SEQ means later transitions happened while this one waited.
 */
export interface NotifyEnv {
  type: 'INSTANCE' | 'GROUP'
  name: string
  event: 'transition' | 'master-rx-lower-pri'
  seq: number
  state: NotifyState
}

export function notifyEnv (e: NotifyEnv, current: { seq: number, state: NotifyState }): Record<string, string> {
  return {
    FLOATIP_NOTIFY_TYPE: e.type,
    FLOATIP_NOTIFY_NAME: e.name,
    FLOATIP_NOTIFY_EVENT: e.event === 'transition' ? 'TRANSITION' : 'MASTER_RX_LOWER_PRI',
    FLOATIP_NOTIFY_SEQ: String(e.seq),
    FLOATIP_NOTIFY_STATE: e.state,
    FLOATIP_CURRENT_SEQ: String(current.seq),
    FLOATIP_CURRENT_STATE: current.state
  }
}

interface Latest { seq: number, state: NotifyState }

export class Notifier implements EngineEventObserver {
  readonly #plans: Map<string, NotifyPlan>
  readonly #groupPlans: Map<string, GroupNotifyPlan>
  readonly #runner: ScriptRunner
  readonly #log: Logger
  readonly #timeoutMs: number
  /** Per queue ("INSTANCE VI_1", "GROUP G1"): resolves when every script queued so far has ended. */
  readonly #tails = new Map<string, Promise<void>>()
  /** Per queue: the latest transition's sequence number and state (updated as events arrive). */
  readonly #latest = new Map<string, Latest>()
  #pending = 0

  constructor (plans: readonly NotifyPlan[], runner: ScriptRunner, log: Logger, timeoutMs = NOTIFY_TIMEOUT_MS, groupPlans: readonly GroupNotifyPlan[] = []) {
    this.#plans = new Map(plans.map((p) => [p.instance, p]))
    this.#groupPlans = new Map(groupPlans.map((p) => [p.group, p]))
    this.#runner = runner
    this.#log = log
    this.#timeoutMs = timeoutMs
  }

  /** Scripts queued or running. */
  get pending (): number { return this.#pending }

  handle (event: EngineEvent): void {
    if (event.type === 'transition') this.transition(event.transition)
    else if (event.type === 'group-transition') this.groupTransition(event.transition)
    else if (event.type === 'master-rx-lower-pri') this.masterRxLowerPri(event.instance)
    else if (event.type === 'deleted') this.deleted(event.instance, event.state, event.priority)
  }

  /**
   * A reload removed the instance. KEEPALIVED: its notifies see FAULT (notify_fault, then notify
   * with FAULT), or with notify_deleted DELETED (the notify_deleted script if one is given, then
   * notify with DELETED).
   */
  deleted (instance: string, state: 'DELETED' | 'FAULT', priority: number): void {
    const plan = this.#plans.get(instance)
    const env = this.#advance('INSTANCE', instance, state)
    if (plan !== undefined) this.#enqueue(env, commandsOf(plan, 'INSTANCE', instance, state, priority), { instance })
  }

  /** Queues the transition's scripts behind the instance's earlier ones. */
  transition (t: Transition): void {
    const env = this.#advance('INSTANCE', t.instance, notifyState(t.to))
    const plan = this.#plans.get(t.instance)
    if (plan !== undefined) this.#enqueue(env, commandsFor(plan, t), { instance: t.instance })
  }

  groupTransition (t: GroupTransition): void {
    const env = this.#advance('GROUP', t.group, notifyState(t.to))
    const plan = this.#groupPlans.get(t.group)
    if (plan !== undefined) this.#enqueue(env, groupCommandsFor(plan, t), { group: t.group })
  }

  /** notify_master_rx_lower_pri, queued with the instance's transition scripts. */
  masterRxLowerPri (instance: string): void {
    const argv = this.#plans.get(instance)?.masterRxLowerPri
    if (argv === undefined) return
    const latest = this.#latest.get(`INSTANCE ${instance}`) ?? { seq: 0, state: 'MASTER' }
    const env: NotifyEnv = { type: 'INSTANCE', name: instance, event: 'master-rx-lower-pri', seq: latest.seq, state: latest.state }
    const keyword = 'notify_master_rx_lower_pri'
    this.#enqueue(env, [{ keyword, argv, user: this.#plans.get(instance)?.users?.[keyword] }], { instance })
  }

  #advance (type: NotifyEnv['type'], name: string, state: NotifyState): NotifyEnv {
    const key = `${type} ${name}`
    const seq = (this.#latest.get(key)?.seq ?? 0) + 1
    this.#latest.set(key, { seq, state })
    return { type, name, event: 'transition', seq, state }
  }

  #enqueue (env: NotifyEnv, commands: Command[], who: { instance: string } | { group: string }): void {
    if (commands.length === 0) return
    const key = `${env.type} ${env.name}`
    this.#pending += commands.length
    const previous = this.#tails.get(key) ?? Promise.resolve()
    const tail = previous.then(async () => {
      for (const c of commands) {
        const label = { component: 'notify', ...who, keyword: c.keyword }
        const vars = notifyEnv(env, this.#latest.get(key) ?? env)
        const result = await this.#runner.run(c.argv, { timeoutMs: this.#timeoutMs, label, user: c.user, env: vars })
        this.#pending--
        const fields = { ...label, state: env.state, seq: env.seq, command: c.argv.join(' '), ...describeResult(result) }
        if (result.ok) this.#log.info(fields, 'notify script ran')
        else this.#log.warn(fields, 'notify script failed')
      }
    })
    this.#tails.set(key, tail)
  }

  /** Resolves true once every queued script has ended, or false after `timeoutMs`. */
  async drain (timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs) })
    const all = (async () => {
      // A script may queue behind one that is running: wait until the tails stop changing.
      for (;;) {
        const tails = [...this.#tails.values()]
        await Promise.all(tails)
        if ([...this.#tails.values()].every((t, i) => t === tails[i])) return true
      }
    })()
    try {
      return await Promise.race([all, timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}

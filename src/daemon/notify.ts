// keepalived's notify scripts for vrrp_instance transitions: notify_master / notify_backup /
// notify_fault / notify_stop, then `notify` with "INSTANCE" <name> <STATE> <priority> appended.
// Per instance the scripts run one at a time, in transition order (a queue): a script of a later
// transition never starts before every script of an earlier one has ended. Each is killed after
// NOTIFY_TIMEOUT_MS. Must not delay the engine: transitions arrive after the fact, from the
// engine thread, and only scripts wait.
import type { VrrpInstance, ScriptRef } from '../config/model.js'
import type { EngineEvent, Transition } from '../engine/events.js'
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

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP'

export interface NotifyPlan {
  instance: string
  /** argv per target state (notify_master, ...), without keepalived's `notify` arguments. */
  byState: Partial<Record<NotifyState, string[]>>
  /** `notify`: run after the state's own script with INSTANCE <name> <STATE> <priority>. */
  notify: string[] | undefined
  /** Per keyword (notify_master, ..., notify): the user to run as (absent: the daemon's own). */
  users?: Partial<Record<string, RunUser>>
}

/** `prepare`: script users and security (ScriptPolicy.prepare); without it scripts run as given. */
export function planNotify (instances: readonly VrrpInstance[], names: readonly string[], findFile: (file: string) => string | null = findExecutable, prepare?: PrepareScript): { plans: NotifyPlan[], warnings: Array<{ instance: string, message: string }> } {
  const warnings: Array<{ instance: string, message: string }> = []
  const plans: NotifyPlan[] = []
  for (const inst of instances) {
    if (!names.includes(inst.name)) continue
    const users: NonNullable<NotifyPlan['users']> = {}
    const argvOf = (keyword: string, ref: ScriptRef | null | undefined): string[] | undefined => {
      if (ref == null) return undefined
      const argv = splitCommand(ref.command)
      if (argv.length === 0 || findFile(argv[0]) === null) {
        // KEEPALIVED: "Disabling notify script ... since not found".
        warnings.push({ instance: inst.name, message: `${keyword} ${argv[0] ?? ''}: not an executable file; the script is disabled` })
        return undefined
      }
      // KEEPALIVED: "Disabling notify script ... due to insecure" (or an unknown user).
      const prepared = prepare?.(keyword, argv, ref.user === undefined ? null : { user: ref.user, group: ref.group })
      for (const message of prepared?.messages ?? []) warnings.push({ instance: inst.name, message })
      if (prepared?.argv === null) return undefined
      if (prepared?.user !== undefined) users[keyword] = prepared.user
      return prepared?.argv ?? argv
    }
    const byState: NotifyPlan['byState'] = {}
    const set = (state: NotifyState, argv: string[] | undefined): void => { if (argv !== undefined) byState[state] = argv }
    set('MASTER', argvOf('notify_master', inst.notifyMaster))
    set('BACKUP', argvOf('notify_backup', inst.notifyBackup))
    set('FAULT', argvOf('notify_fault', inst.notifyFault))
    set('STOP', argvOf('notify_stop', inst.notifyStop))
    const notify = argvOf('notify', inst.notify)
    if (notify !== undefined || Object.keys(byState).length > 0) plans.push({ instance: inst.name, byState, notify, users })
  }
  return { plans, warnings }
}

/** The target state keepalived names in notify arguments; INIT is only reached by a stop. */
function notifyState (to: Transition['to']): NotifyState {
  return to === 'INIT' ? 'STOP' : to
}

/** The commands one transition runs, in keepalived's order: the state's script, then `notify`. */
export function commandsFor (plan: NotifyPlan, t: Transition): Array<{ keyword: string, argv: string[], user?: RunUser }> {
  const state = notifyState(t.to)
  const out: Array<{ keyword: string, argv: string[], user?: RunUser }> = []
  const own = plan.byState[state]
  const keyword = `notify_${state.toLowerCase()}`
  if (own !== undefined) out.push({ keyword, argv: own, user: plan.users?.[keyword] })
  if (plan.notify !== undefined) out.push({ keyword: 'notify', argv: [...plan.notify, 'INSTANCE', t.instance, state, String(t.priority)], user: plan.users?.notify })
  return out
}

export class Notifier implements EngineEventObserver {
  readonly #plans: Map<string, NotifyPlan>
  readonly #runner: ScriptRunner
  readonly #log: Logger
  readonly #timeoutMs: number
  /** Per instance: resolves when every script queued so far has ended. */
  readonly #tails = new Map<string, Promise<void>>()
  #pending = 0

  constructor (plans: readonly NotifyPlan[], runner: ScriptRunner, log: Logger, timeoutMs = NOTIFY_TIMEOUT_MS) {
    this.#plans = new Map(plans.map((p) => [p.instance, p]))
    this.#runner = runner
    this.#log = log
    this.#timeoutMs = timeoutMs
  }

  /** Scripts queued or running. */
  get pending (): number { return this.#pending }

  handle (event: EngineEvent): void {
    if (event.type === 'transition') this.transition(event.transition)
  }

  /** Queues the transition's scripts behind the instance's earlier ones. */
  transition (t: Transition): void {
    const plan = this.#plans.get(t.instance)
    if (plan === undefined) return
    const commands = commandsFor(plan, t)
    if (commands.length === 0) return
    this.#pending += commands.length
    const previous = this.#tails.get(t.instance) ?? Promise.resolve()
    const tail = previous.then(async () => {
      for (const c of commands) {
        const label = { component: 'notify', instance: t.instance, keyword: c.keyword }
        const result = await this.#runner.run(c.argv, { timeoutMs: this.#timeoutMs, label, user: c.user })
        this.#pending--
        const fields = { ...label, state: notifyState(t.to), command: c.argv.join(' '), ...describeResult(result) }
        if (result.ok) this.#log.info(fields, 'notify script ran')
        else this.#log.warn(fields, 'notify script failed')
      }
    })
    this.#tails.set(t.instance, tail)
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

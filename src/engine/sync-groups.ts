// keepalived's vrrp_sync_group in the engine: members change state together. Rules (keepalived
// vrrp_sync.c behaviour, man keepalived.conf "vrrp_sync_group"):
// - FAULT: a member with a fault of its own puts every other member in FAULT (one reason per
//   group); when no member has one left, they all leave FAULT (to BACKUP, as at start-up).
// - MASTER: a member whose Master_Down_Timer fired waits (core `wants-master`); once every
//   member is MASTER or waiting, all of them become MASTER at once.
// - BACKUP: a member that leaves MASTER for BACKUP by itself (a higher priority advert, a
//   deleted VIP) takes the other masters with it (they send priority 0, so the peer takes over
//   after Skew_Time). After a deleted VIP they, like the member, wait only their own Skew_Time
//   before wanting MASTER again (keepalived does this for every master of the group; not
//   measured here).
// The group's own state (for group notify) is FAULT if a member is, else MASTER / BACKUP / INIT
// once every member is. Works after each input (never inside one): runtimes call back through
// onSyncRelevant and this settles in a microtask.
import type { Logger } from '../io/logger.js'
import type { GroupState, EngineEvent } from './events.js'
import type { InstanceRuntime } from './instance-runtime.js'
import type { SyncGroupPlan } from './sync-group-plan.js'

interface GroupRuntime {
  plan: SyncGroupPlan
  members: InstanceRuntime[]
  /** Members whose last transition has been looked at (to see a MASTER → BACKUP by itself). */
  seen: Map<InstanceRuntime, InstanceRuntime['lastTransition']>
  state: GroupState
}

export class SyncGroups {
  readonly #groups: GroupRuntime[]
  readonly #emit: (event: EngineEvent) => void
  readonly #log: Logger
  readonly #now: () => number
  #scheduled = false
  #closed = false

  /** `previous`: group states to carry over (a reload: a group keeps its state, no notify for it). */
  constructor (plans: readonly SyncGroupPlan[], runtimeOf: (name: string) => InstanceRuntime | undefined, deps: { emit: (event: EngineEvent) => void, log: Logger, now: () => number, previous?: ReadonlyMap<string, GroupState> }) {
    this.#emit = deps.emit
    this.#log = deps.log
    this.#now = deps.now
    this.#groups = plans.map((plan) => {
      const members = plan.members.map(runtimeOf).filter((r): r is InstanceRuntime => r !== undefined)
      return { plan, members, seen: new Map(members.map((m) => [m, m.lastTransition])), state: deps.previous?.get(plan.name) ?? 'INIT' }
    })
  }

  /** A member's state, faults or wish changed: settle its group after the current input. */
  changed (): void {
    if (this.#scheduled || this.#closed) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      if (!this.#closed) this.settle()
    })
  }

  close (): void {
    this.#closed = true
  }

  /** Applies the rules until nothing changes (bounded: a few rounds per group). */
  settle (): void {
    for (const group of this.#groups) {
      for (let round = 0; round < 4; round++) {
        if (!this.#settleOnce(group)) break
      }
      this.#updateGroupState(group)
    }
  }

  #settleOnce (group: GroupRuntime): boolean {
    let acted = false
    const reason = `vrrp_sync_group ${group.plan.name}: a member is in FAULT`
    // FAULT: faults of a member's own (not the group's reason) count.
    const ownFaulty = group.members.filter((m) => [...m.faults].some((f) => f !== reason))
    for (const m of group.members) {
      const shouldHold = ownFaulty.some((o) => o !== m)
      if (shouldHold && !m.hasFault(reason)) {
        this.#log.warn({ group: group.plan.name, instance: m.name, because: ownFaulty.map((o) => o.name) }, 'sync group: FAULT with the other member')
        m.fault(reason)
        acted = true
      } else if (!shouldHold && m.hasFault(reason)) {
        m.faultCleared(reason)
        acted = true
      }
    }
    if (group.members.some((m) => m.core.state === 'FAULT')) return acted
    // BACKUP: a member that left MASTER by itself takes the other masters along.
    let leftByItself = false
    let quickReturn = false
    for (const m of group.members) {
      const last = m.lastTransition
      if (group.seen.get(m) === last) continue
      group.seen.set(m, last)
      if (last !== null && last.from === 'MASTER' && last.to === 'BACKUP' && last.reason !== 'sync-group') {
        leftByItself = true
        if (last.reason === 'vip-deleted') quickReturn = true
      }
    }
    if (leftByItself) {
      for (const m of group.members) {
        if (m.core.state !== 'MASTER') continue
        this.#log.info({ group: group.plan.name, instance: m.name }, 'sync group: to BACKUP with the other member')
        m.syncTo('BACKUP', { quickReturn })
        group.seen.set(m, m.lastTransition)
        acted = true
      }
      return acted
    }
    // MASTER: all at once, when every member is MASTER or waiting to be.
    const wanting = group.members.filter((m) => m.core.snapshot().wantsMaster)
    if (wanting.length > 0 && group.members.every((m) => m.core.state === 'MASTER' || m.core.snapshot().wantsMaster)) {
      for (const m of group.members) {
        if (m.core.state !== 'BACKUP') continue
        m.syncTo('MASTER')
        group.seen.set(m, m.lastTransition)
        acted = true
      }
    }
    return acted
  }

  #updateGroupState (group: GroupRuntime): void {
    const states = group.members.map((m) => m.core.state)
    let next: GroupState = group.state
    if (states.includes('FAULT')) next = 'FAULT'
    else if (states.every((s) => s === 'MASTER')) next = 'MASTER'
    else if (states.every((s) => s === 'BACKUP')) next = 'BACKUP'
    else if (states.every((s) => s === 'INIT')) next = 'INIT'
    if (next === group.state) return
    const from = group.state
    group.state = next
    this.#log.info({ group: group.plan.name, from, to: next }, 'sync group state changed')
    this.#emit({ type: 'group-transition', transition: { group: group.plan.name, from, to: next, atUs: this.#now() } })
  }

  status (): Array<{ name: string, state: GroupState, members: string[] }> {
    return this.#groups.map((g) => ({ name: g.plan.name, state: g.state, members: g.members.map((m) => m.name) }))
  }
}

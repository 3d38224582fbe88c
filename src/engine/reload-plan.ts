// What a reload (SIGHUP) does to each instance, decided from the running plans and the new ones.
// KEEPALIVED matches an instance across a reload by its interface, address family and VRID (not
// its name) and keeps its state: an instance whose plan is identical keeps running untouched;
// one whose plan changed is replaced by a runtime that resumes its state (core resume: a master
// stays master, its VIPs stay up); one that is gone is released (priority-0 advert, VIPs
// removed, keepalived's "deleted" notification); a new one starts as at start-up. Pure.
import type { InstancePlan } from './instance-plan.js'

export interface ReloadPlan {
  /** Same identity, same plan: left running, only its tracking is re-applied. */
  kept: Array<{ old: InstancePlan, next: InstancePlan }>
  /** Same identity, different plan: replaced, resuming the old state. */
  changed: Array<{ old: InstancePlan, next: InstancePlan }>
  added: InstancePlan[]
  removed: InstancePlan[]
}

/**
 * KEEPALIVED: an instance is "the same" across a reload when interface, family and VRID match.
 * Instances that share those (a multicast and unicast ones, which keepalived allows on one VRID:
 * vrid-routing.ts) are told apart by multicast or unicast, then by their order in the file.
 */
function identities (plans: readonly InstancePlan[]): string[] {
  const seen = new Map<string, number>()
  return plans.map((p) => {
    const base = `${p.interface}|${p.family}|${p.core.vrid}|${p.unicastPeers.length === 0 ? 'multicast' : 'unicast'}`
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    return `${base}#${n}`
  })
}

/** Plans equal in everything but where they were written (lines move when a file is edited). */
export function samePlan (a: InstancePlan, b: InstancePlan): boolean {
  return comparable(a) === comparable(b)
}

export function planReload (running: readonly InstancePlan[], next: readonly InstancePlan[]): ReloadPlan {
  const plan: ReloadPlan = { kept: [], changed: [], added: [], removed: [] }
  const runningIds = identities(running)
  const byIdentity = new Map(running.map((p, i) => [runningIds[i], p]))
  const nextIds = identities(next)
  const seen = new Set<string>()
  for (const [i, n] of next.entries()) {
    const id = nextIds[i]
    seen.add(id)
    const old = byIdentity.get(id)
    if (old === undefined) plan.added.push(n)
    else if (samePlan(old, n)) plan.kept.push({ old, next: n })
    else plan.changed.push({ old, next: n })
  }
  for (const [id, old] of byIdentity) if (!seen.has(id)) plan.removed.push(old)
  return plan
}

function comparable (plan: InstancePlan): string {
  const { source: _source, ...rest } = plan
  return JSON.stringify(rest, (_key, value: unknown) => value instanceof Uint8Array ? Array.from(value) : value)
}

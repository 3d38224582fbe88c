// keepalived's interface tracking, pure: from the links' states, an instance's FAULT reasons
// and priority adjustment. The instance's own interface down is FAULT (unless
// dont_track_primary); track_interface entries follow the weight rules of man keepalived.conf:
// weight 0 = FAULT while down (reverse: while up), a positive weight is added while up, a
// negative one while down, and reverse flips the direction.
import type { InstancePlan } from './instance-plan.js'

export interface LinkTracking {
  faults: string[]
  adjustment: number
}

/** `isUp(name)`: the link is administratively up with carrier; undefined if it does not exist. */
export function linkTracking (plan: Pick<InstancePlan, 'interface' | 'trackOwnInterface' | 'trackInterfaces'>, isUp: (name: string) => boolean | undefined): LinkTracking {
  const faults: string[] = []
  let adjustment = 0
  if (plan.trackOwnInterface && isUp(plan.interface) !== true) faults.push(interfaceDown(plan.interface))
  for (const t of plan.trackInterfaces) {
    // A tracked interface that does not exist counts as down.
    const up = isUp(t.name) === true
    if (t.weight === 0) {
      if (up === t.reverse) faults.push(t.reverse ? `track_interface ${t.name} is up (reverse)` : `track_interface ${t.name} is down`)
      continue
    }
    const sign = t.reverse ? -1 : 1
    if ((t.weight > 0 && up) || (t.weight < 0 && !up)) adjustment += sign * t.weight
  }
  return { faults: [...new Set(faults)], adjustment }
}

export function interfaceDown (name: string): string {
  return `interface ${name} is down`
}

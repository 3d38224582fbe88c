// keepalived's vrrp_sync_group, planned: which running instances move together. Pure. An
// instance belongs to at most one group (keepalived ignores it in a later one); names that are
// not running instances are left out with a warning.
import type { KeepalivedConfig } from '../config/model.js'
import type { SourceLocation } from '../config/diagnostics.js'

export interface SyncGroupPlan {
  name: string
  members: string[]
}

export interface SyncGroupProblem {
  group: string
  source: SourceLocation
  message: string
}

export function planSyncGroups (model: KeepalivedConfig, running: readonly string[]): { groups: SyncGroupPlan[], problems: SyncGroupProblem[] } {
  const groups: SyncGroupPlan[] = []
  const problems: SyncGroupProblem[] = []
  const taken = new Map<string, string>()
  for (const g of model.vrrpSyncGroups) {
    const members: string[] = []
    for (const name of g.group) {
      const other = taken.get(name)
      if (other !== undefined) {
        // KEEPALIVED: "Virtual router ... cannot exist in more than one sync group".
        problems.push({ group: g.name, source: g.source, message: `vrrp_instance ${name} is already in vrrp_sync_group ${other}; ignored here` })
      } else if (!running.includes(name)) {
        problems.push({ group: g.name, source: g.source, message: `vrrp_instance ${name} does not exist (or cannot run); left out of the group` })
      } else if (!members.includes(name)) {
        members.push(name)
        taken.set(name, g.name)
      }
    }
    if (members.length === 0) continue
    // KEEPALIVED warns that a group of one "probably isn't what you want"; it still runs.
    if (members.length === 1) problems.push({ group: g.name, source: g.source, message: `vrrp_sync_group ${g.name} has only one instance (${members[0]})` })
    groups.push({ name: g.name, members })
  }
  return { groups, problems }
}

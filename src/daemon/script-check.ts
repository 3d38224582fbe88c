// The script files of a loaded config checked as keepalived checks them at start-up (and as
// `keepalived -t` reports them): every vrrp_script, every notify script of the instances and
// sync groups, and the notify FIFO scripts, through the daemon's own ScriptPolicy (users,
// existence, execute permission, enable_script_security). Returns config Diagnostics that point
// at the script in the file, for `floatip check-config`. Reads the file system and the user
// database; src/config stays pure. Runs no script.
import type { Diagnostic, DiagnosticCode, SourceLocation } from '../config/diagnostics.js'
import { valueKey } from '../config/keywords/apply.js'
import { fieldLocation, type FieldLocations } from '../config/keywords/spec.js'
import type { KeepalivedConfig, ScriptRef } from '../config/model.js'
import { splitCommand } from './script-runner.js'
import { ScriptPolicy, disabledTrackEffect } from './script-security.js'
import type { ScriptUserRef } from './script-user.js'
import { instancesTracking } from './tracking-plan.js'

/** One script keepalived would check: where it is written and what it runs. */
interface ScriptSite {
  /** Names the script in messages, as the daemon's start-up log does ("vrrp_script chk", "notify_master"). */
  what: string
  /** The block it is in ("vrrp_instance VI_1"), for notify scripts. */
  owner: string | undefined
  command: string
  user: ScriptUserRef | null
  at: SourceLocation
  /** Instances that track it (vrrp_script only). */
  trackedBy: string[]
}

const EXPECTED = {
  disabled: 'an existing file that the script user may execute (chmod +x), owned by root and not writable by others when it runs as root',
  security: 'enable_script_security in global_defs, with every script owned by root and not writable by others'
}

function refOf (r: { user?: string | undefined, group?: string | undefined } | null | undefined): ScriptUserRef | null {
  return r?.user === undefined ? null : { user: r.user, group: r.group }
}

/** Every script keepalived 2.2.7 checks (check_vrrp_script_security), in its order. */
function scriptSites (model: KeepalivedConfig, locations: FieldLocations): ScriptSite[] {
  const fallback: SourceLocation = { file: model.files[0] ?? '', line: 1, column: 1 }
  const at = (obj: object, field: string, or: SourceLocation): SourceLocation =>
    fieldLocation(locations, obj, valueKey(field)) ?? fieldLocation(locations, obj, field) ?? or
  const sites: ScriptSite[] = []
  for (const s of model.vrrpScripts) {
    if (s.script == null) continue
    sites.push({ what: `vrrp_script ${s.name}`, owner: undefined, command: s.script, user: s.user ?? null, at: at(s, 'script', s.source), trackedBy: instancesTracking(model, s.name) })
  }
  const notifies = (owner: string, obj: object, list: Array<[string, string, ScriptRef | { command: string | undefined, user: string | undefined, group: string | undefined } | null | undefined]>, source: SourceLocation): void => {
    for (const [keyword, field, ref] of list) {
      if (ref?.command === undefined) continue
      sites.push({ what: keyword, owner, command: ref.command, user: refOf(ref), at: at(obj, field, source), trackedBy: [] })
    }
  }
  for (const i of model.vrrpInstances) {
    notifies(`vrrp_instance ${i.name}`, i, [
      ['notify_backup', 'notifyBackup', i.notifyBackup], ['notify_master', 'notifyMaster', i.notifyMaster],
      ['notify_fault', 'notifyFault', i.notifyFault], ['notify_stop', 'notifyStop', i.notifyStop],
      ['notify_deleted', 'notifyDeleted', i.notifyDeleted], ['notify', 'notify', i.notify],
      ['notify_master_rx_lower_pri', 'notifyMasterRxLowerPri', i.notifyMasterRxLowerPri]
    ], i.source)
  }
  for (const g of model.vrrpSyncGroups) {
    notifies(`vrrp_sync_group ${g.name}`, g, [
      ['notify_backup', 'notifyBackup', g.notifyBackup], ['notify_master', 'notifyMaster', g.notifyMaster],
      ['notify_fault', 'notifyFault', g.notifyFault], ['notify_stop', 'notifyStop', g.notifyStop], ['notify', 'notify', g.notify]
    ], g.source)
  }
  const gd = model.globalDefs
  // KEEPALIVED: a FIFO script is kept only with its FIFO (planNotifyFifos warns about the rest).
  if (gd.notifyFifo != null && gd.notifyFifoScript != null) notifies('global_defs', gd, [['notify_fifo_script', 'notifyFifoScript', { ...gd.notifyFifoScript, command: gd.notifyFifoScript.path }]], fallback)
  if (gd.vrrpNotifyFifo != null && gd.vrrpNotifyFifoScript != null) notifies('global_defs', gd, [['vrrp_notify_fifo_script', 'vrrpNotifyFifoScript', { ...gd.vrrpNotifyFifoScript, command: gd.vrrpNotifyFifoScript.path }]], fallback)
  return sites
}

function diagnostic (code: DiagnosticCode, message: string, at: SourceLocation, text: string, expected: string): Diagnostic {
  return { severity: 'warning', code, message, file: at.file, line: at.line, column: at.column, text, expected }
}

/**
 * The script diagnostics of a loaded config (warnings: keepalived starts, without the scripts it
 * disables). `policy`: the one the daemon would use (default: from global_defs).
 */
export function checkScripts (model: KeepalivedConfig, locations: FieldLocations, policy = ScriptPolicy.fromConfig(model.globalDefs)): Diagnostic[] {
  // KEEPALIVED: scripts are checked only when there is a vrrp_instance (the VRRP process runs).
  if (model.vrrpInstances.length === 0) return []
  const out: Diagnostic[] = []
  let firstRun: ScriptSite | undefined
  const sites = scriptSites(model, locations)
  for (const site of sites) {
    const prepared = policy.prepare(site.what, splitCommand(site.command), site.user)
    const where = site.owner === undefined ? '' : `${site.owner}: `
    prepared.messages.forEach((m, n) => {
      const last = n === prepared.messages.length - 1
      if (prepared.argv === null && last) {
        const effect = site.what.startsWith('vrrp_script') ? ` (${disabledTrackEffect(site.trackedBy)})` : ' (it is never run; keepalived drops it without a message)'
        out.push(diagnostic('script-disabled', `${where}${m}${effect}`, site.at, site.command, EXPECTED.disabled))
      } else out.push(diagnostic('script-security', `${where}${m}`, site.at, site.command, EXPECTED.security))
    })
    if (prepared.argv !== null) firstRun ??= site
  }
  const gd = model.globalDefs
  const userLoc = locations.get(gd)?.get(valueKey('scriptUser'))
  for (const m of policy.summary()) {
    const user = !m.startsWith('SECURITY VIOLATION')
    const site = firstRun ?? sites[0]
    const at = user && userLoc !== undefined ? { file: userLoc.file, line: userLoc.line, column: userLoc.column } : site?.at
    if (at === undefined) continue
    const text = !user ? site?.command ?? '' : userLoc !== undefined ? `script_user ${userLoc.text}` : ''
    const expected = user ? 'script_user USER [GROUP] in global_defs naming an existing user, or the user keepalived_script' : EXPECTED.security
    out.push(diagnostic('script-security', m, at, text, expected))
  }
  return out
}

// Whole-config checks that no single keyword can make: references between blocks, duplicate
// names and VRIDs, version-dependent advert_int ranges, settings that contradict each other, and
// tracking weights that can never take effect. Also resolves defaults inherited from global_defs
// (and, through lvs-defaults.ts, from virtual_server to real_server to checker).
// Pure: reads the model, writes diagnostics and the resolved fields, no I/O.
import type { DiagnosticSink, SourceLocation } from './diagnostics.js'
import type { KeepalivedConfig, VrrpInstance } from './model.js'
import { checkAdvertInt, checkFamily, checkHasVip, checkVrids } from './instance-checks.js'
import { resolveLvsDefaults } from './lvs-defaults.js'
import { fieldLocation, type FieldLocations as Locations } from './keywords/spec.js'

export function resolveAndCheck (model: KeepalivedConfig, locations: Locations, sink: DiagnosticSink, peers: VrrpInstance[] = []): void {
  const at = (obj: object, field: string, fallback: SourceLocation): SourceLocation => fieldLocation(locations, obj, field) ?? fallback
  checkDuplicateNames(model, sink)
  const removedScripts = removeScriptsWithoutScript(model, sink)
  const scripts = new Set(model.vrrpScripts.map((s) => s.name))
  const files = new Set(model.trackFiles.map((s) => s.name))
  const processes = new Set(model.vrrpTrackProcesses.map((s) => s.name))
  const bfds = new Set(model.bfdInstances.map((s) => s.name))
  const instanceNames = new Set(model.vrrpInstances.map((i) => i.name))
  const syncMember = new Map<string, string>()
  for (const g of model.vrrpSyncGroups) {
    for (const member of g.group) {
      if (!instanceNames.has(member)) {
        sink.error({ code: 'undefined-reference', message: `vrrp_sync_group ${g.name} lists '${member}', which is not a vrrp_instance`, at: at(g, 'group', g.source), text: member, expected: `one of: ${[...instanceNames].join(', ') || '(no vrrp_instance defined)'}` })
      } else if (syncMember.has(member)) {
        sink.error({ code: 'duplicate-name', message: `vrrp_instance ${member} is in two sync groups (${syncMember.get(member)} and ${g.name})`, at: at(g, 'group', g.source), text: member, expected: 'each instance in at most one vrrp_sync_group' })
      } else syncMember.set(member, g.name)
    }
    if (g.group.length === 1) {
      // KEEPALIVED: "Sync group G has only 1 virtual router(s) - this probably isn't what you want".
      sink.warning({ code: 'single-member-sync-group', message: `vrrp_sync_group ${g.name} has only one member (${g.group[0]}); a sync group keeps several instances in the same state, so one member does nothing`, at: at(g, 'group', g.source), text: g.name, expected: 'two or more instances in group { }, or no sync group' })
    }
    if (g.group.length === 0) sink.error({ code: 'missing-required', message: `vrrp_sync_group ${g.name} has no group { } members`, at: g.source, text: g.name, expected: 'group { INSTANCE ... }' })
    checkRefs(g, `vrrp_sync_group ${g.name}`, { scripts, files, processes, bfds, removedScripts }, sink)
  }
  const strict = model.globalDefs.vrrpStrict
  const families: Array<{ inst: VrrpInstance, family: 'inet' | 'inet6' }> = []
  for (const inst of model.vrrpInstances) {
    const raw = inst as unknown as { version: 2 | 3 | undefined, accept: boolean | undefined, priority: number | undefined }
    inst.version = raw.version ?? (model.globalDefs.vrrpVersion as 2 | 3)
    inst.accept = raw.accept ?? !strict
    // KEEPALIVED 2.2.7: state MASTER without a priority line runs as the address owner (255).
    inst.priority = raw.priority ?? (inst.state === 'MASTER' ? 255 : 100)
    checkInstance(inst, at, sink)
    checkAdvertInt(inst, locations, sink)
    families.push({ inst, family: checkFamily(inst, locations, sink) })
    checkHasVip(inst, sink)
    checkRefs(inst, `vrrp_instance ${inst.name}`, { scripts, files, processes, bfds, removedScripts }, sink)
    checkWeights(inst, syncMember.get(inst.name), model, peers, at, sink)
    if (strict && inst.authentication.authType !== undefined) {
      sink.warning({ code: 'conflicting-options', message: `vrrp_instance ${inst.name}: vrrp_strict does not allow authentication; keepalived ignores the authentication block`, at: at(inst, 'authentication', inst.source), text: 'authentication', expected: 'no authentication with vrrp_strict' })
    }
    if (strict && inst.state === 'MASTER' && inst.priority !== 255) {
      sink.warning({ code: 'conflicting-options', message: `vrrp_instance ${inst.name}: with vrrp_strict, state MASTER needs priority 255 (address owner); keepalived starts it as BACKUP`, at: at(inst, 'state', inst.source), text: 'MASTER', expected: 'state BACKUP, or priority 255' })
    }
    checkInterfaceName(inst, at, sink)
    if (strict && inst.unicastPeer.length > 0) {
      sink.error({ code: 'conflicting-options', message: `vrrp_instance ${inst.name}: vrrp_strict does not allow unicast_peer`, at: at(inst, 'unicastPeer', inst.source), text: 'unicast_peer', expected: 'remove vrrp_strict from global_defs or use multicast' })
    }
  }
  checkVrids(families, locations, sink)
  resolveLvsDefaults(model)
  checkStaticTrackGroups(model, locations, sink)
  if (model.vrrpInstances.length === 0 && model.virtualServers.length === 0 && model.files.length > 0) {
    sink.warning({ code: 'empty-config', message: 'no vrrp_instance or virtual_server is configured; floatip would do nothing', at: { file: model.files[0] ?? '', line: 1, column: 1 }, text: '', expected: 'at least one vrrp_instance NAME { ... }' })
  }
}

function checkDuplicateNames (model: KeepalivedConfig, sink: DiagnosticSink): void {
  const lists: Array<[string, Array<{ name: string, source: SourceLocation }>]> = [
    ['vrrp_instance', model.vrrpInstances], ['vrrp_script', model.vrrpScripts], ['track_file', model.trackFiles],
    ['vrrp_track_process', model.vrrpTrackProcesses], ['vrrp_sync_group', model.vrrpSyncGroups], ['bfd_instance', model.bfdInstances]
  ]
  for (const [kind, list] of lists) {
    const seen = new Map<string, SourceLocation>()
    for (const item of list) {
      const first = seen.get(item.name)
      if (first !== undefined) {
        sink.error({ code: 'duplicate-name', message: `${kind} ${item.name} is defined twice (first at ${first.file}:${first.line})`, at: item.source, text: item.name, expected: `a unique ${kind} name` })
      } else seen.set(item.name, item.source)
    }
  }
}

type At = (obj: object, field: string, fallback: SourceLocation) => SourceLocation

function checkInstance (inst: VrrpInstance, at: At, sink: DiagnosticSink): void {
  const where = `vrrp_instance ${inst.name}`
  if (inst.virtualRouterId === undefined) {
    sink.error({ code: 'missing-vrid', message: `${where} has no (valid) virtual_router_id`, at: inst.source, text: inst.name, expected: 'virtual_router_id 1-255' })
  }
  if (inst.interface === undefined && (inst.vrf === undefined || inst.unicastPeer.length === 0)) {
    // KEEPALIVED 2.2.7: "(NAME) Unknown interface!", with or without unicast_peer (man
    // keepalived.conf: a unicast instance may name its vrf instead).
    const why = inst.unicastPeer.length === 0 ? 'multicast VRRP needs one' : 'keepalived 2.2.7 needs one with unicast_peer too ("Unknown interface!")'
    sink.error({ code: 'missing-interface', message: `${where} has no interface; ${why}`, at: inst.source, text: inst.name, expected: 'interface IFNAME' })
  }
  if (!inst.preempt && inst.state === 'MASTER') {
    // KEEPALIVED: clears nopreempt when the initial state is MASTER.
    sink.warning({ code: 'nopreempt-with-master', message: `${where}: nopreempt has no effect with state MASTER (keepalived ignores it); use state BACKUP on every node`, at: at(inst, 'preempt', inst.source), text: 'nopreempt', expected: 'state BACKUP together with nopreempt' })
  }
  if (inst.version === 3 && inst.authentication.authType !== undefined) {
    sink.warning({ code: 'conflicting-options', message: `${where}: VRRPv3 has no authentication (RFC 5798 §9); the authentication block is ignored`, at: at(inst, 'authentication', inst.source), text: 'authentication', expected: 'no authentication block with version 3' })
  }
}

interface RefSets { scripts: Set<string>, files: Set<string>, processes: Set<string>, bfds: Set<string>, removedScripts: Set<string> }

/** KEEPALIVED: "No script set for vrrp_script chk - removing"; tracks to it then dangle. */
function removeScriptsWithoutScript (model: KeepalivedConfig, sink: DiagnosticSink): Set<string> {
  const removed = new Set<string>()
  model.vrrpScripts = model.vrrpScripts.filter((s) => {
    if (s.script !== undefined) return true
    removed.add(s.name)
    sink.warning({ code: 'missing-required', message: `vrrp_script ${s.name} has no script; keepalived removes it, so track_script ${s.name} is ignored`, at: s.source, text: s.name, expected: 'script "COMMAND" in the vrrp_script block' })
    return false
  })
  return removed
}

/** track_group on static addresses, routes and rules must name a track_group block. */
function checkStaticTrackGroups (model: KeepalivedConfig, locations: Locations, sink: DiagnosticSink): void {
  const groups = new Set(model.trackGroups.map((g) => g.name))
  const items: Array<[string, { trackGroup?: string }]> = [
    ...model.staticIpAddresses.map((a) => ['static_ipaddress', a] as [string, { trackGroup?: string }]),
    ...model.staticRoutes.map((r) => ['static_routes', r] as [string, { trackGroup?: string }]),
    ...model.staticRules.map((r) => ['static_rules', r] as [string, { trackGroup?: string }])
  ]
  for (const [kind, item] of items) {
    const name = item.trackGroup
    if (name === undefined || groups.has(name)) continue
    const at = fieldLocation(locations, item, 'trackGroup') ?? fieldLocation(locations, item, 'address') ?? { file: model.files[0] ?? '', line: 1, column: 1 }
    // KEEPALIVED: "track_group NOPE not found"; the entry is then not tracked.
    sink.error({ code: 'undefined-reference', message: `${kind}: track_group '${name}' is not defined, so keepalived does not track this entry`, at, text: name, expected: groups.size > 0 ? `one of: ${[...groups].join(', ')}` : `a track_group ${name} { group { INSTANCE } } block` })
  }
}

function checkRefs (obj: VrrpInstance | KeepalivedConfig['vrrpSyncGroups'][number], where: string, sets: RefSets, sink: DiagnosticSink): void {
  const lists: Array<[string, string, Set<string>, Array<{ name: string, source: SourceLocation }>]> = [
    ['track_script', 'vrrp_script', sets.scripts, obj.trackScript],
    ['track_file', 'track_file', sets.files, obj.trackFile],
    ['track_process', 'vrrp_track_process', sets.processes, obj.trackProcess],
    ['track_bfd', 'bfd_instance', sets.bfds, obj.trackBfd]
  ]
  for (const [kw, kind, defined, refs] of lists) {
    for (const r of refs) {
      if (defined.has(r.name)) continue
      const removed = kw === 'track_script' && sets.removedScripts.has(r.name) ? ' (it was removed because it has no script)' : ''
      // KEEPALIVED: warns and drops the reference, so the instance silently runs untracked.
      sink.error({ code: 'undefined-reference', message: `${where}: ${kw} refers to '${r.name}', but no ${kind} ${r.name} is defined${removed}`, at: r.source, text: r.name, expected: defined.size > 0 ? `one of: ${[...defined].join(', ')}` : `a ${kind} ${r.name} { ... } block` })
    }
  }
}

function checkWeights (inst: VrrpInstance, syncGroup: string | undefined, model: KeepalivedConfig, peers: VrrpInstance[], at: At, sink: DiagnosticSink): void {
  // A reference's own weight wins; otherwise the tracked object's (track_file and
  // vrrp_track_process default to weight 1, vrrp_script to 0).
  const weights = inst.trackScript.map((r) => ({ r, w: r.weight ?? model.vrrpScripts.find((s) => s.name === r.name)?.weight.weight ?? 0 }))
    .concat(inst.trackInterface.map((r) => ({ r, w: r.weight ?? 0 })))
    .concat(inst.trackFile.map((r) => ({ r, w: r.weight ?? model.trackFiles.find((f) => f.name === r.name)?.weight.weight ?? 0 })))
    .concat(inst.trackProcess.map((r) => ({ r, w: r.weight ?? model.vrrpTrackProcesses.find((p) => p.name === r.name)?.weight.weight ?? 0 })))
    .concat(inst.trackBfd.map((r) => ({ r, w: r.weight ?? 0 })))
    .filter((x) => x.w !== 0)
  if (weights.length === 0) return
  const where = `vrrp_instance ${inst.name}`
  const group = syncGroup === undefined ? undefined : model.vrrpSyncGroups.find((g) => g.name === syncGroup)
  if (group !== undefined && !group.syncGroupTrackingWeight) {
    for (const { r, w } of weights) {
      sink.warning({ code: 'ineffective-weight', message: `${where}: tracking weight ${w} of '${r.name}' is forced to 0 because the instance is in vrrp_sync_group ${group.name}; a failure puts the instance in FAULT instead`, at: r.source, text: r.name, expected: 'sync_group_tracking_weight in the sync group, or no weight' })
    }
    return
  }
  if (inst.priority === 255) {
    for (const { r, w } of weights) {
      sink.warning({ code: 'ineffective-weight', message: `${where}: priority 255 (address owner) cannot be changed by tracking, so weight ${w} of '${r.name}' never changes mastership`, at: r.source, text: r.name, expected: 'priority 1-254 when using tracking weights' })
    }
    return
  }
  const down = weights.filter((x) => x.w < 0).reduce((a, x) => a + x.w, 0)
  const up = weights.filter((x) => x.w > 0).reduce((a, x) => a + x.w, 0)
  // The peers' configs (check-config --peer FILE) tell us the priorities we compete with.
  for (const peer of peers) {
    if (peer.virtualRouterId !== inst.virtualRouterId) continue
    if (inst.priority > peer.priority && inst.priority + down > peer.priority && down !== 0) {
      sink.warning({ code: 'ineffective-weight', message: `${where}: priority ${inst.priority} with tracking weights totalling ${down} stays above the peer's ${peer.name} priority ${peer.priority}, so a failed check never moves the VIP`, at: at(inst, 'priority', inst.source), text: String(inst.priority), expected: `weights totalling at most ${peer.priority - inst.priority - 1}` })
    }
    if (inst.priority < peer.priority && inst.priority + up < peer.priority && up !== 0) {
      sink.warning({ code: 'ineffective-weight', message: `${where}: priority ${inst.priority} plus tracking weights ${up} stays below the peer's ${peer.name} priority ${peer.priority}`, at: at(inst, 'priority', inst.source), text: String(inst.priority), expected: `weights totalling at least ${peer.priority - inst.priority + 1}` })
    }
  }
}

/** Interface names like `etho` (letter o for digit 0) are a common copy-paste typo. */
function checkInterfaceName (inst: VrrpInstance, at: At, sink: DiagnosticSink): void {
  const name = inst.interface
  if (name === undefined) return
  const fixed = name.replace(/^(eth|ens|eno|enp|em|bond|br|vlan)([0-9]*)[oO]([0-9]*)$/, '$1$20$3').replace(/^(eth|ens|eno|em|bond)[lI]$/, '$11')
  if (fixed === name) return
  sink.warning({ code: 'suspicious-interface', message: `vrrp_instance ${inst.name}: interface '${name}' looks like a typo; did you mean '${fixed}'?`, at: at(inst, 'interface', inst.source), text: name, expected: fixed })
}

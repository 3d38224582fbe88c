// Turns the parsed keepalived.conf model into one InstancePlan per vrrp_instance: what the engine
// runs, with keepalived's global_defs inheritance applied (garp_*, down_timer_adverts,
// lower_prio_no_advert, ...). Pure: no kernel access (the interface, its index and its primary
// address are looked up at start, in instance-runtime.ts). Must not start anything.
import type { GlobalDefs, KeepalivedConfig, UnicastPeer, VirtualIpAddress, VrrpInstance, VrrpSyncGroup } from '../config/model.js'
import type { InstanceConfig } from '../core/index.js'
import { authDataFromPassword, type ChecksumForm } from '../protocol/vrrp-advert.js'
import { VRRP_AUTH_TYPE_NONE, VRRP_AUTH_TYPE_SIMPLE_TEXT_PASSWORD } from '../protocol/vrrp-constants.js'
import type { SourceLocation } from '../config/diagnostics.js'
import { planSyncGroups, type SyncGroupPlan } from './sync-group-plan.js'
import { rxBufferShare, type RxBufferShare } from './rx-buffer.js'

/** keepalived's gratuitous ARP / unsolicited NA schedule for one instance (µs, counts). */
export interface GarpPlan {
  /** `garp_master_delay`: the second burst after becoming master; 0 = none. */
  masterDelayUs: number
  /** `garp_master_repeat`: messages per VIP per burst. */
  masterRepeat: number
  /** `garp_lower_prio_delay` / `_repeat`: after a lower-priority advert while master. */
  lowerPrioDelayUs: number
  lowerPrioRepeat: number
  /** `garp_master_refresh`: periodic re-announcement while master; 0 = off. */
  refreshUs: number
  refreshRepeat: number
  /** `vrrp_garp_interval` (IPv4) or `vrrp_gna_interval` (IPv6): gap between messages; 0 = back to back. */
  intervalUs: number
}

export interface InstancePlan {
  name: string
  source: SourceLocation
  interface: string
  family: 'ipv4' | 'ipv6'
  /** Everything the core needs except the primary address, which comes from the interface. */
  core: Omit<InstanceConfig, 'primaryAddress'>
  /** `unicast_src_ip` or `mcast_src_ip`; undefined = the interface's primary address. */
  sourceAddress: string | undefined
  /** Empty = multicast to `multicastGroup`. */
  unicastPeers: UnicastPeer[]
  multicastGroup: string
  vips: VirtualIpAddress[]
  excludedVips: VirtualIpAddress[]
  /** VRRPv2 authentication (RFC 3768 §5.3.6): NONE or PASS with its 8 bytes. */
  authType: number
  authData: Uint8Array | undefined
  garp: GarpPlan
  /**
   * The VRRPv3 IPv4 checksum this instance sends: 'pseudo-header' (keepalived's default) or, with
   * KEEPALIVED `v3_checksum_as_v2` (instance, else global_defs), 'v2-style' (RFC 9568 §5.2.8).
   * Adverts in either form are accepted. VRRPv2 and IPv6 ignore it.
   */
  checksumForm: ChecksumForm
  /** KEEPALIVED `skip_check_adv_addr` (instance or global). */
  skipCheckAdvAddr: boolean
  /** KEEPALIVED `check_unicast_src`: unicast adverts only from a configured peer. */
  checkUnicastSrc: boolean
  /** KEEPALIVED: the instance's own interface going down means FAULT, unless `dont_track_primary`. */
  trackOwnInterface: boolean
  /**
   * KEEPALIVED `track_interface` of the instance and of its vrrp_sync_group. Weight 0: FAULT
   * while down (reverse: while up); >0 added while up; <0 added while down; reverse flips.
   */
  trackInterfaces: TrackedInterface[]
  /** KEEPALIVED `notify_deleted`: removed by a reload, the instance is reported DELETED, not FAULT. */
  notifyDeleted: boolean
  /** KEEPALIVED kernel_rx_buf_size / vrrp_rx_bufs_policy: this instance's share of its socket's buffer. */
  rxBuffer: RxBufferShare
}

export interface TrackedInterface {
  name: string
  weight: number
  reverse: boolean
}

export interface PlanProblem {
  instance: string
  source: SourceLocation
  severity: 'error' | 'warning'
  message: string
}

export interface PlanResult {
  plans: InstancePlan[]
  /** keepalived vrrp_sync_group over the planned instances. */
  syncGroups: SyncGroupPlan[]
  problems: PlanProblem[]
}

export function planInstances (model: KeepalivedConfig): PlanResult {
  const plans: InstancePlan[] = []
  const problems: PlanProblem[] = []
  for (const instance of model.vrrpInstances) {
    const report = (severity: PlanProblem['severity'], message: string): void => {
      problems.push({ instance: instance.name, source: instance.source, severity, message })
    }
    const plan = planInstance(instance, model, report)
    if (plan !== null) plans.push(plan)
    reportUnsupported(instance, model, report)
  }
  const groups = planSyncGroups(model, plans.map((p) => p.name))
  for (const p of groups.problems) problems.push({ instance: p.group, source: p.source, severity: 'warning', message: p.message })
  return { plans, syncGroups: groups.groups, problems }
}

type Report = (severity: PlanProblem['severity'], message: string) => void

function planInstance (inst: VrrpInstance, model: KeepalivedConfig, report: Report): InstancePlan | null {
  const g = model.globalDefs
  const group = model.vrrpSyncGroups.find((sg) => sg.group.includes(inst.name))
  if (inst.interface == null) {
    report('error', 'no interface: floatip needs the interface to send adverts on')
    return null
  }
  if (inst.virtualRouterId == null) {
    report('error', 'no virtual_router_id')
    return null
  }
  const family = instanceFamily(inst)
  // KEEPALIVED: the instance's family is its addresses' family; VIPs of the other family in
  // virtual_ipaddress cannot be advertised, so they are handled like virtual_ipaddress_excluded.
  const vips = inst.virtualIpAddresses.filter((v) => familyOf(v) === family)
  const moved = inst.virtualIpAddresses.filter((v) => familyOf(v) !== family)
  if (moved.length > 0) report('warning', `${moved.map((v) => v.address).join(', ')}: not ${family}; handled as virtual_ipaddress_excluded`)
  let version = inst.version
  if (family === 'ipv6' && version === 2) {
    // RFC 3768 is IPv4 only; RFC 5798 §1 brings IPv6 with version 3.
    report('warning', 'VRRPv2 has no IPv6: running version 3')
    version = 3
  }
  const auth = authenticationOf(inst, version, g.vrrpStrict ? 'global' : inst.strictMode ? 'instance' : false, report)
  if (auth === null) return null
  return {
    name: inst.name,
    source: inst.source,
    interface: inst.interface,
    family,
    core: {
      name: inst.name,
      vrid: inst.virtualRouterId,
      version,
      family,
      basePriority: inst.priority,
      adverIntervalCs: version === 2 ? Math.max(100, Math.round(inst.advertIntervalCs / 100) * 100) : inst.advertIntervalCs,
      preempt: inst.preempt,
      preemptDelayUs: inst.preemptDelayUs ?? 0,
      initialState: inst.state,
      acceptMode: inst.accept,
      downTimerAdverts: inst.downTimerAdverts ?? g.vrrpDownTimerAdverts,
      lowerPrioNoAdvert: inst.lowerPrioNoAdvert || g.vrrpLowerPrioNoAdvert,
      higherPrioSendAdvert: inst.higherPrioSendAdvert || g.vrrpHigherPrioSendAdvert,
      syncGroupMember: group !== undefined
    },
    sourceAddress: inst.unicastSrcIp ?? inst.mcastSrcIp ?? undefined,
    unicastPeers: inst.unicastPeer,
    // RFC 5798 §5.1.1.2 / §5.1.2.2: 224.0.0.18 and ff02::12 unless configured otherwise.
    multicastGroup: inst.mcastDstIp ?? (family === 'ipv4' ? g.vrrpMcastGroup4 ?? '224.0.0.18' : g.vrrpMcastGroup6 ?? 'ff02::12'),
    vips,
    excludedVips: [...inst.virtualIpAddressesExcluded, ...moved],
    authType: auth.type,
    authData: auth.data,
    garp: garpPlan(inst, g, family),
    checksumForm: (inst.v3ChecksumAsV2 ?? g.v3ChecksumAsV2) ? 'v2-style' : 'pseudo-header',
    skipCheckAdvAddr: inst.skipCheckAdvAddr || g.vrrpSkipCheckAdvAddr,
    checkUnicastSrc: inst.checkUnicastSrc || g.vrrpCheckUnicastSrc,
    trackOwnInterface: !inst.dontTrackPrimary,
    trackInterfaces: trackedInterfaces(inst, group, report),
    notifyDeleted: inst.notifyDeleted != null,
    rxBuffer: rxBufferShare(inst.kernelRxBufSize, g.vrrpRxBufsPolicy, g.vrrpRxBufsMultiplier)
  }
}

/** The instance's and its sync group's track_interface; in a group, weights become 0 (FAULT). */
function trackedInterfaces (inst: VrrpInstance, group: VrrpSyncGroup | undefined, report: Report): TrackedInterface[] {
  const out: TrackedInterface[] = []
  for (const ref of [...inst.trackInterface, ...(group?.trackInterface ?? [])]) {
    let weight = ref.weight ?? 0
    if (group !== undefined && !group.syncGroupTrackingWeight && weight !== 0) {
      // KEEPALIVED: members of a sync group have their tracking weights set to 0.
      report('warning', `track_interface ${ref.name}: weight ${weight} ignored in vrrp_sync_group ${group.name} (no sync_group_tracking_weight): down means FAULT`)
      weight = 0
    }
    out.push({ name: ref.name, weight, reverse: ref.reverse })
  }
  return out
}

function familyOf (vip: VirtualIpAddress): 'ipv4' | 'ipv6' {
  return vip.family === 'inet6' ? 'ipv6' : 'ipv4'
}

function instanceFamily (inst: VrrpInstance): 'ipv4' | 'ipv6' {
  const first = inst.virtualIpAddresses[0] ?? inst.virtualIpAddressesExcluded[0]
  if (first !== undefined) return familyOf(first)
  const src = inst.unicastSrcIp ?? inst.mcastSrcIp ?? inst.unicastPeer[0]?.address
  return src !== undefined && src !== null && src.includes(':') ? 'ipv6' : 'ipv4'
}

function authenticationOf (inst: VrrpInstance, version: 2 | 3, strict: 'global' | 'instance' | false, report: Report): { type: number, data: Uint8Array | undefined } | null {
  const a = inst.authentication
  if (strict !== false && a?.authType != null) {
    // KEEPALIVED vrrp_strict / strict_mode: "Authentication is not supported": the block is
    // ignored and adverts carry none (check-config warns for vrrp_strict in global_defs).
    if (strict === 'instance') report('warning', 'strict_mode: authentication is not supported; the authentication block is ignored')
    return { type: VRRP_AUTH_TYPE_NONE, data: undefined }
  }
  if (a?.authType == null || version === 3) {
    // RFC 5798 §9: VRRPv3 has no authentication; keepalived ignores the block for version 3.
    if (a?.authType != null) report('warning', 'authentication is ignored with VRRPv3 (RFC 5798 §9)')
    return { type: VRRP_AUTH_TYPE_NONE, data: undefined }
  }
  if (a.authType === 'AH') {
    report('error', 'auth_type AH (IPsec AH) is not supported by floatip; use PASS or none')
    return null
  }
  // The exact bytes the config parser kept (auth_pass cut to 8 bytes, KEEPALIVED); zero padded.
  const data = authDataFromPassword('')
  data.set((a.authPassHex ?? '').match(/../g)?.map((h) => parseInt(h, 16)) ?? [])
  return { type: VRRP_AUTH_TYPE_SIMPLE_TEXT_PASSWORD, data }
}

function garpPlan (inst: VrrpInstance, g: GlobalDefs, family: 'ipv4' | 'ipv6'): GarpPlan {
  const masterDelayUs = inst.garpMasterDelayUs ?? g.vrrpGarpMasterDelayUs
  const masterRepeat = inst.garpMasterRepeat ?? g.vrrpGarpMasterRepeat
  return {
    masterDelayUs,
    masterRepeat,
    // KEEPALIVED: the lower-priority schedule defaults to the master one.
    lowerPrioDelayUs: inst.garpLowerPrioDelayUs ?? g.vrrpGarpLowerPrioDelayUs ?? masterDelayUs,
    lowerPrioRepeat: inst.garpLowerPrioRepeat ?? g.vrrpGarpLowerPrioRepeat ?? masterRepeat,
    refreshUs: inst.garpMasterRefreshUs ?? g.vrrpGarpMasterRefreshUs,
    refreshRepeat: inst.garpMasterRefreshRepeat ?? g.vrrpGarpMasterRefreshRepeat,
    intervalUs: family === 'ipv4' ? g.vrrpGarpIntervalUs : g.vrrpGnaIntervalUs
  }
}

/** Parsed and kept, but not run yet: say so once at start, never silently. */
function reportUnsupported (inst: VrrpInstance, _model: KeepalivedConfig, report: Report): void {
  // track_script and notify / notify_master / _backup / _fault / _stop / _master_rx_lower_pri run
  // (src/daemon), with their users and enable_script_security (src/daemon/script-security.ts).
  const notRun: Array<[string, unknown[]]> = [['track_bfd', inst.trackBfd]]
  for (const [keyword, items] of notRun) {
    if (items.length > 0) report('warning', `${keyword} is parsed but not acted on yet`)
  }
  // KEEPALIVED: DELETED is sent for an instance a reload removed; floatip has no reload yet.
  if (inst.useVmac != null) report('warning', 'use_vmac is not supported yet: the VIPs go on the interface itself')
  if (inst.vrf != null) report('warning', 'vrf is not supported yet')
  if (inst.mcastDstIp != null && inst.mcastDstIp !== '224.0.0.18' && inst.mcastDstIp !== 'ff02::12') report('warning', `mcast_dst_ip ${inst.mcastDstIp}: adverts go there, but floatip receives on the standard group only`)
  if (inst.virtualRoutes.length > 0 || inst.virtualRules.length > 0) report('warning', 'virtual_routes/virtual_rules are not installed yet')
}

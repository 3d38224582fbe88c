// keepalived 2.2.7's per-instance completion rules, checked on the model: the instance's address
// family (mismatched VIPs dropped), unicast peers, VIP presence, advert_int by VRRP version, and
// which instances may share a VRID. Pure: reads the model and source locations, writes
// diagnostics and the fields keepalived itself would change.
import type { DiagnosticSink, SourceLocation } from './diagnostics.js'
import type { VrrpInstance } from './model.js'
import { valueKey } from './keywords/apply.js'
import { fieldLocation as loc, type FieldLocations as Locations } from './keywords/spec.js'

function before (a: SourceLocation, b: SourceLocation): boolean {
  return a.line < b.line || (a.line === b.line && a.column < b.column)
}

const familyOf = (address: string): 'inet' | 'inet6' => (address.includes(':') ? 'inet6' : 'inet')
const familyName = (f: 'inet' | 'inet6'): string => (f === 'inet' ? 'IPv4' : 'IPv6')

/**
 * KEEPALIVED: the instance's family is that of the first of unicast_src_ip/mcast_src_ip, a
 * unicast_peer or a virtual_ipaddress in the file; a peer of the other family is skipped
 * ("MUST be of the same family"), a VIP of the other family ignored ("address family must match
 * VRRP instance"). virtual_ipaddress_excluded may mix families.
 */
export function checkFamily (inst: VrrpInstance, locations: Locations, sink: DiagnosticSink): 'inet' | 'inet6' {
  const where = `vrrp_instance ${inst.name}`
  const candidates: Array<{ family: 'inet' | 'inet6', at: SourceLocation, what: string }> = []
  for (const field of ['unicastSrcIp', 'mcastSrcIp'] as const) {
    const v = inst[field]
    const at = loc(locations, inst, valueKey(field))
    if (v !== undefined && at !== undefined) candidates.push({ family: familyOf(v), at, what: `${field === 'unicastSrcIp' ? 'unicast_src_ip' : 'mcast_src_ip'} ${v}` })
  }
  for (const p of inst.unicastPeer.slice(0, 1)) {
    const at = loc(locations, p, 'address')
    if (at !== undefined) candidates.push({ family: familyOf(p.address), at, what: `unicast_peer ${p.address}` })
  }
  for (const v of inst.virtualIpAddresses.slice(0, 1)) {
    const at = loc(locations, v, 'address')
    if (at !== undefined) candidates.push({ family: v.family, at, what: `virtual_ipaddress ${v.address}` })
  }
  const first = candidates.reduce<typeof candidates[number] | undefined>((a, c) => (a === undefined || before(c.at, a.at) ? c : a), undefined)
  const family = first?.family ?? 'inet'
  const because = first === undefined ? '' : ` (set by ${first.what} at line ${first.at.line})`
  for (const p of inst.unicastPeer) {
    if (familyOf(p.address) === family) continue
    sink.error({ code: 'conflicting-options', message: `${where}: unicast_peer ${p.address} is ${familyName(familyOf(p.address))} but the instance is ${familyName(family)}${because}; keepalived skips this peer`, at: loc(locations, p, 'address') ?? inst.source, text: p.address, expected: `${familyName(family)} peers only` })
  }
  inst.virtualIpAddresses = inst.virtualIpAddresses.filter((v) => {
    if (v.family === family) return true
    sink.warning({ code: 'family-mismatch', message: `${where}: ${v.address}/${v.prefixLength} is ${familyName(v.family)} but the instance is ${familyName(family)}${because}; keepalived ignores this VIP ("address family must match")`, at: loc(locations, v, 'address') ?? inst.source, text: `${v.address}/${v.prefixLength}`, expected: `an ${familyName(family)} address, or a separate vrrp_instance for ${familyName(v.family)}` })
    return false
  })
  return family
}

export function checkHasVip (inst: VrrpInstance, sink: DiagnosticSink): void {
  if (inst.virtualIpAddresses.length > 0) return
  // KEEPALIVED: "No VIP specified; at least one is sensible" (multicast) / "is required" (unicast).
  sink.warning({ code: 'missing-vip', message: `vrrp_instance ${inst.name} has no virtual_ipaddress; keepalived warns "No VIP specified" and the instance moves no address`, at: inst.source, text: inst.name, expected: 'virtual_ipaddress { IP/len }' })
}

/** RFC 3768 §5.3.7 (v2: whole seconds) and RFC 5798 §5.2.7 (v3: 12 bits of centiseconds). */
export function checkAdvertInt (inst: VrrpInstance, locations: Locations, sink: DiagnosticSink): void {
  const where = `vrrp_instance ${inst.name}`
  const tok = locations.get(inst)?.get(valueKey('advertIntervalCs'))
  if (tok === undefined) return
  const at: SourceLocation = { file: tok.file, line: tok.line, column: tok.column }
  const written = tok.text
  const seconds = Number(written)
  const cs = inst.advertIntervalCs
  if (inst.version === 2) {
    if (seconds >= 0.01 && cs % 100 !== 0) {
      const rounded = Math.max(100, Math.round(cs / 100) * 100)
      sink.warning({ code: 'fractional-advert-v2', message: `${where}: VRRPv2 adverts are in whole seconds; advert_int ${written} is rounded to ${rounded / 100}`, at, text: written, expected: 'whole seconds 1-255, or version 3 for fractions' })
      inst.advertIntervalCs = rounded
    }
    if (seconds < 0.01 || inst.advertIntervalCs > 25500) {
      sink.error({ code: 'out-of-range', message: `${where}: advert_int ${written} is out of range for VRRPv2`, at, text: written, expected: 'whole seconds 1-255' })
    }
    return
  }
  if (seconds < 0.01 || cs > 4095) {
    sink.error({ code: 'out-of-range', message: `${where}: advert_int ${written} is out of range for VRRPv3`, at, text: written, expected: 'seconds 0.01-40.95' })
  } else if (Math.abs(seconds * 100 - cs) > 1e-6) {
    // KEEPALIVED: "VRRPv3 advertisement interval ...s must be in units of 10ms - rounding".
    sink.warning({ code: 'fractional-advert-v3', message: `${where}: VRRPv3 adverts are in units of 10 ms; advert_int ${written} is rounded to ${cs / 100}`, at, text: written, expected: 'a multiple of 0.01 seconds' })
  }
}

/**
 * KEEPALIVED 2.2.7 refuses two multicast instances with the same interface, VRID, family and
 * multicast group ("A and E both use VRID 5 with IPv4 on interface eth0"); unicast instances
 * have their own sockets and may share a VRID with anything.
 */
export function checkVrids (instances: Array<{ inst: VrrpInstance, family: 'inet' | 'inet6' }>, locations: Locations, sink: DiagnosticSink): void {
  const owners = new Map<string, VrrpInstance>()
  for (const { inst, family } of instances) {
    if (inst.virtualRouterId === undefined || inst.interface === undefined || inst.unicastPeer.length > 0) continue
    const group = inst.mcastDstIp ?? (family === 'inet' ? '224.0.0.18' : 'ff02::12')
    const key = `${inst.interface}|${inst.virtualRouterId}|${family}|${group}`
    const other = owners.get(key)
    if (other === undefined) { owners.set(key, inst); continue }
    const at = loc(locations, inst, valueKey('virtualRouterId')) ?? inst.source
    sink.error({ code: 'duplicate-vrid', message: `vrrp_instance ${inst.name} and vrrp_instance ${other.name} (line ${other.source.line}) both use virtual_router_id ${inst.virtualRouterId} with ${familyName(family)} multicast ${group} on ${inst.interface}`, at, text: String(inst.virtualRouterId), expected: `another virtual_router_id, interface or mcast_dst_ip (or unicast_peer)` })
  }
}

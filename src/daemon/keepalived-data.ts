// The text keepalived writes to keepalived.data on SIGUSR1: its "Global definitions" and "VRRP
// Topology" sections, with the lines of keepalived 2.2.7's layout that floatip has values for
// (state, interface, source, VRID, priorities, advert interval, accept, preempt, authentication,
// VIPs, unicast peers, the GARP schedule), so that `grep 'State ='` and friends work as before.
// Pure: the caller gives the wall-clock time of each transition.
import type { InstancePlan } from '../engine/instance-plan.js'
import type { InstanceStatus } from '../engine/instance-runtime.js'
import type { VirtualIpAddress } from '../config/model.js'

export interface DataDumpInput {
  routerId: string
  mcastGroup4: string
  mcastGroup6: string
  /** Plans and their engine status, in config order. */
  instances: ReadonlyArray<{ plan: InstancePlan, status: InstanceStatus | undefined }>
  /** Wall-clock µs since the epoch of a CLOCK_MONOTONIC µs time. */
  wallClockUs: (monotonicUs: number) => number
}

export function formatKeepalivedData (input: DataDumpInput): string {
  const lines = [
    '------< Global definitions >------',
    ` Router ID = ${input.routerId}`,
    ` VRRP IPv4 mcast group = ${input.mcastGroup4}`,
    ` VRRP IPv6 mcast group = ${input.mcastGroup6}`,
    '------< VRRP Topology >------'
  ]
  for (const { plan, status } of input.instances) lines.push(...instanceLines(plan, status, input.wallClockUs))
  return lines.join('\n') + '\n'
}

function instanceLines (plan: InstancePlan, status: InstanceStatus | undefined, wallClockUs: (us: number) => number): string[] {
  const c = plan.core
  const g = plan.garp
  const state = status?.state ?? 'INIT'
  const out = [` VRRP Instance = ${plan.name}`, `   VRRP Version = ${c.version}`]
  if (plan.family === 'ipv6') out.push('   Using Native IPv6')
  out.push(`   State = ${state}`)
  if (status?.lastTransitionUs != null) out.push(`   Last transition = ${timestamp(wallClockUs(status.lastTransitionUs))}`)
  out.push(`   Interface = ${plan.interface}`)
  if (status !== undefined) out.push(`   Using src_ip = ${status.primaryAddress}`)
  if (plan.unicastPeers.length === 0) out.push(`   Multicast address ${plan.multicastGroup}`)
  out.push(
    `   Gratuitous ARP delay = ${g.masterDelayUs / 1e6}`,
    `   Gratuitous ARP repeat = ${g.masterRepeat}`,
    `   Gratuitous ARP refresh = ${g.refreshUs / 1e6}`,
    `   Gratuitous ARP refresh repeat = ${g.refreshRepeat}`,
    `   Gratuitous ARP lower priority delay = ${g.lowerPrioDelayUs / 1e6}`,
    `   Gratuitous ARP lower priority repeat = ${g.lowerPrioRepeat}`,
    `   Down timer adverts = ${c.downTimerAdverts ?? 3}`,
    `   Send advert after receive lower priority advert = ${String(c.lowerPrioNoAdvert !== true)}`,
    `   Send advert after receive higher priority advert = ${String(c.higherPrioSendAdvert === true)}`,
    `   Virtual Router ID = ${c.vrid}`,
    `   Priority = ${c.basePriority}`,
    `   Effective priority = ${status?.priority ?? c.basePriority}`,
    `   Advert interval = ${c.version === 2 ? `${c.adverIntervalCs / 100} sec` : `${c.adverIntervalCs * 10} milli-sec`}`,
    `   Accept = ${c.acceptMode ? 'enabled' : 'disabled'}`,
    `   Preempt = ${c.preempt ? 'enabled' : 'disabled'}`
  )
  if (c.version === 2) {
    if (plan.authData === undefined) out.push('   Authentication type = none')
    else out.push('   Authentication type = SIMPLE_PASSWORD', `   Password = ${Buffer.from(plan.authData).toString('latin1').replace(/\0+$/, '')}`)
  }
  out.push(`   Virtual IP (${plan.vips.length}):`, ...plan.vips.map((v) => `     ${vipLine(v, plan.interface, state === 'MASTER')}`))
  if (plan.unicastPeers.length > 0) {
    out.push('   Unicast Peer :', ...plan.unicastPeers.map((p) => `     ${p.address} min_ttl 0 max_ttl 255`))
  }
  out.push(`   Notify deleted = ${plan.notifyDeleted ? 'Deleted' : 'Fault'}`)
  return out
}

/** keepalived's VIP line: address/prefix, device, scope, label, and `set` while installed. */
function vipLine (v: VirtualIpAddress, iface: string, installed: boolean): string {
  const parts = [`${v.address}/${v.prefixLength}`, `dev ${v.dev ?? iface}`, `scope ${v.scope ?? 'global'}`]
  if (v.label !== undefined) parts.push(`label ${v.label}`)
  if (installed) parts.push('set')
  return parts.join(' ')
}

/** `1795320888.420743 (Sun Nov 22 04:14:48.420743 2026)`, local time, as keepalived prints it. */
export function timestamp (epochUs: number): string {
  const us = Math.floor(epochUs)
  const seconds = Math.floor(us / 1e6)
  const micros = String(us - seconds * 1e6).padStart(6, '0')
  const d = new Date(seconds * 1000)
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const two = (n: number): string => String(n).padStart(2, '0')
  const clock = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${micros}`
  return `${seconds}.${micros} (${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${clock} ${d.getFullYear()})`
}

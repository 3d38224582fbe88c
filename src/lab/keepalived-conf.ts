// Writes the keepalived.conf text of one VRRP node for the lab, the demo and the benches: both
// floatip and keepalived read the very same file. Only the keywords the scenarios need.

export interface VrrpInstanceSpec {
  name?: string
  interface?: string
  state?: 'MASTER' | 'BACKUP'
  vrid: number
  priority: number
  /** advert_int in seconds (0.01 resolution with version 3). */
  advertInt?: number
  version?: 2 | 3
  vips: string[]
  unicastSrcIp?: string
  unicastPeers?: string[]
  authPass?: string
  nopreempt?: boolean
  preemptDelayS?: number
  garpMasterDelayS?: number
  garpMasterRepeat?: number
  extra?: string[]
}

export interface NodeConfigSpec {
  routerId?: string
  instances: VrrpInstanceSpec[]
  globalExtra?: string[]
  /** Top-level lines written after global_defs, as they are (e.g. a vrrp_script block). */
  sections?: string[]
}

export function keepalivedConf (spec: NodeConfigSpec): string {
  const lines = ['global_defs {', `    router_id ${spec.routerId ?? 'lab'}`, ...(spec.globalExtra ?? []).map((l) => `    ${l}`), '}', '']
  if (spec.sections !== undefined && spec.sections.length > 0) lines.push(...spec.sections, '')
  spec.instances.forEach((inst, i) => lines.push(...instanceLines(inst, i)))
  return lines.join('\n') + '\n'
}

function instanceLines (inst: VrrpInstanceSpec, index: number): string[] {
  const out = [`vrrp_instance ${inst.name ?? `VI_${index + 1}`} {`]
  const put = (line: string): void => { out.push(`    ${line}`) }
  put(`state ${inst.state ?? 'BACKUP'}`)
  put(`interface ${inst.interface ?? 'eth0'}`)
  put(`virtual_router_id ${inst.vrid}`)
  put(`priority ${inst.priority}`)
  put(`advert_int ${inst.advertInt ?? 1}`)
  if (inst.version !== undefined) put(`version ${inst.version}`)
  if (inst.nopreempt === true) put('nopreempt')
  if (inst.preemptDelayS !== undefined) put(`preempt_delay ${inst.preemptDelayS}`)
  if (inst.garpMasterDelayS !== undefined) put(`garp_master_delay ${inst.garpMasterDelayS}`)
  if (inst.garpMasterRepeat !== undefined) put(`garp_master_repeat ${inst.garpMasterRepeat}`)
  if (inst.unicastSrcIp !== undefined) put(`unicast_src_ip ${inst.unicastSrcIp}`)
  if (inst.unicastPeers !== undefined && inst.unicastPeers.length > 0) {
    put('unicast_peer {')
    for (const peer of inst.unicastPeers) put(`    ${peer}`)
    put('}')
  }
  if (inst.authPass !== undefined) {
    put('authentication {')
    put('    auth_type PASS')
    put(`    auth_pass ${inst.authPass}`)
    put('}')
  }
  put('virtual_ipaddress {')
  for (const vip of inst.vips) put(`    ${vip}`)
  put('}')
  for (const line of inst.extra ?? []) put(line)
  out.push('}', '')
  return out
}

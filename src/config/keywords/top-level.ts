// The root keyword table of keepalived.conf: every top-level block (global_defs, static_*,
// linkbeat_interfaces, track_group, garp_group, bfd_instance, vrrp_*, track_file, virtual_server*,
// SSL), plus bfd_instance's table. Also the index used to say which block a misplaced keyword
// belongs to.
import { alias, named, type KeywordTable } from './spec.js'
import { applyTable, block, namedBlocks, type initialModel } from './apply.js'
import type { Statement } from '../tree.js'
import type { ApplyContext } from './spec.js'
import { custom, flag, int, ip, nameList, decimal } from './helpers.js'
import { globalDefsKeywords } from './global-defs.js'
import { vrrpInstanceKeywords, authenticationKeywords } from './vrrp-instance.js'
import { garpGroupKeywords, syncGroupKeywords, trackFileKeywords, trackGroupKeywords, trackProcessKeywords, vrrpScriptKeywords } from './vrrp-tracking.js'
import { addressList, interfaceDelays, routeList } from './vrrp-items.js'
import { realServerKeywords, virtualServerGroupSpec, virtualServerKeywords, virtualServerSpec } from './virtual-server.js'
import { checkerKeywords, sslKeywords, urlKeywords } from './checkers.js'

export const bfdInstanceKeywords = {
  neighbor_ip: named('neighborIp', ip()),
  neighbour_ip: alias('neighbor_ip'),
  source_ip: named('sourceIp', ip()),
  min_rx: named('minRxMs', decimal(0.001, 1000, 10)),
  min_tx: named('minTxMs', decimal(0.001, 1000, 10)),
  idle_tx: named('idleTxMs', decimal(0.001, 1000, 1000)),
  multiplier: int(1, 255, 5),
  passive: flag(),
  ttl: int(1, 255, 255),
  hoplimit: int(1, 255, 64),
  max_hops: int(0, 255, 0),
  weight: custom<{ weight: number, reverse: boolean }>({ minArgs: 1, maxArgs: 2, initial: () => ({ weight: 0, reverse: false }), parse: (s) => ({ weight: Number(s.args[0].text) || 0, reverse: s.args[1]?.text === 'reverse' }) }),
  vrrp: flag(),
  checker: flag()
} as const

/** A garp_group has no name; each occurrence is appended. */
const garpGroups = custom<Array<ReturnType<typeof garpGroupModel>>>({
  block: 'required',
  maxArgs: 0,
  repeatable: true,
  table: garpGroupKeywords,
  initial: () => [],
  parse: (stmt, ctx, prev) => [...prev, garpGroupModel(stmt, ctx)]
})
function garpGroupModel (stmt: Statement, ctx: ApplyContext): ReturnType<typeof initialModel<typeof garpGroupKeywords>> {
  return applyTable(garpGroupKeywords, 'garp_group', stmt.block ?? [], ctx)
}

export const topLevelKeywords = {
  global_defs: named('globalDefs', block(globalDefsKeywords, 'global_defs')),
  linkbeat_interfaces: nameList('one interface [ETHTOOL|MII|IOCTL] per line'),
  interface_up_down_delays: interfaceDelays(),
  track_group: named('trackGroups', namedBlocks(trackGroupKeywords, 'track_group')),
  static_ipaddress: named('staticIpAddresses', addressList('static_ipaddress')),
  static_routes: routeList('static_routes', false),
  static_rules: routeList('static_rules', true),
  garp_group: named('garpGroups', garpGroups),
  bfd_instance: named('bfdInstances', namedBlocks(bfdInstanceKeywords, 'bfd_instance')),
  vrrp_script: named('vrrpScripts', namedBlocks(vrrpScriptKeywords, 'vrrp_script')),
  track_file: named('trackFiles', namedBlocks(trackFileKeywords, 'track_file')),
  vrrp_track_file: alias('track_file'),
  vrrp_track_process: named('vrrpTrackProcesses', namedBlocks(trackProcessKeywords, 'vrrp_track_process')),
  vrrp_sync_group: named('vrrpSyncGroups', namedBlocks(syncGroupKeywords, 'vrrp_sync_group')),
  vrrp_instance: named('vrrpInstances', namedBlocks(vrrpInstanceKeywords, 'vrrp_instance')),
  virtual_server_group: named('virtualServerGroups', virtualServerGroupSpec),
  virtual_server: named('virtualServers', virtualServerSpec),
  SSL: named('ssl', { ...block(sslKeywords, 'SSL') })
} as const

/** keyword -> block names it is valid in, for "belongs in ..." hints. */
export function buildKeywordIndex (): Map<string, string[]> {
  const tables: Array<[string, KeywordTable]> = [
    ['top level', topLevelKeywords], ['global_defs', globalDefsKeywords], ['vrrp_instance', vrrpInstanceKeywords],
    ['authentication', authenticationKeywords], ['vrrp_script', vrrpScriptKeywords], ['track_file', trackFileKeywords],
    ['vrrp_track_process', trackProcessKeywords], ['vrrp_sync_group', syncGroupKeywords], ['garp_group', garpGroupKeywords],
    ['bfd_instance', bfdInstanceKeywords], ['virtual_server', virtualServerKeywords], ['real_server', realServerKeywords],
    ['url', urlKeywords], ['SSL', sslKeywords], ...Object.entries(checkerKeywords) as Array<[string, KeywordTable]>
  ]
  const index = new Map<string, string[]>()
  for (const [name, table] of tables) {
    for (const kw of Object.keys(table)) {
      const list = index.get(kw) ?? []
      if (!list.includes(name)) list.push(name)
      index.set(kw, list)
    }
  }
  return index
}

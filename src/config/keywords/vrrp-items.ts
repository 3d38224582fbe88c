// Item grammars of the list blocks used by vrrp_instance, vrrp_sync_group and the static_* blocks:
// virtual/static addresses (`IP[/len] [brd IP] [dev IF] [scope S] [label L] ... [no_track]`),
// routes, rules, unicast peers and tracking lists (`NAME [weight N] [reverse|noreverse]`).
// Each item line is validated on its own so one bad line never hides the others.
import type { Statement } from '../tree.js'
import type { Token } from '../lexer.js'
import type { ApplyContext, KeywordSpec } from './spec.js'
import { invalid, locOf } from './spec.js'
import { intArg } from './helpers.js'
import { ipFamily, parsePrefix, parseDecimal, type IpFamily } from '../values.js'

export interface VirtualIpAddress {
  address: string
  prefixLength: number
  family: IpFamily
  broadcast?: string
  dev?: string
  scope?: string
  label?: string
  peer?: string
  noTrack: boolean
  useVmac: boolean
  home: boolean
  noDad: boolean
  mngTmpAddr: boolean
  noPrefixRoute: boolean
  autoJoin: boolean
  preferredLft?: string
  trackGroup?: string
}

const SCOPES = new Set(['global', 'site', 'link', 'host', 'nowhere'])
const ADDRESS_FLAGS: Record<string, keyof VirtualIpAddress> = {
  no_track: 'noTrack', use_vmac: 'useVmac', home: 'home', '-nodad': 'noDad', mngtmpaddr: 'mngTmpAddr', noprefixroute: 'noPrefixRoute', autojoin: 'autoJoin'
}
const ADDRESS_OPTIONS = ['brd', 'broadcast', 'dev', 'scope', 'label', 'peer', 'preferred_lft', 'track_group']

function itemLine (s: Statement): Token[] { return [s.keyword, ...s.args] }

/** Where an item and its `track_group` value were written, for the semantic checks. */
function itemLocations (s: Statement): Map<string, Token> {
  const locs = new Map<string, Token>([['address', s.keyword]])
  const i = s.args.findIndex((a) => a.text === 'track_group')
  if (i >= 0 && s.args[i + 1] !== undefined) locs.set('trackGroup', s.args[i + 1])
  return locs
}

function parseAddressItem (toks: Token[], ctx: ApplyContext, blockName: string): VirtualIpAddress | undefined {
  const p = parsePrefix(toks[0].text)
  if ('error' in p) return invalid(ctx, toks[0], `${blockName}: ${p.error}`, 'IP[/prefix] [brd IP] [dev IF] [scope S] [label L] [no_track]', 'invalid-address')
  const vip: VirtualIpAddress = { address: p.address, prefixLength: p.prefixLength, family: p.family, noTrack: false, useVmac: false, home: false, noDad: false, mngTmpAddr: false, noPrefixRoute: false, autoJoin: false }
  for (let i = 1; i < toks.length; i++) {
    const t = toks[i]
    const flagField = ADDRESS_FLAGS[t.text]
    if (flagField !== undefined) { (vip as unknown as Record<string, unknown>)[flagField] = true; continue }
    if (!ADDRESS_OPTIONS.includes(t.text)) {
      return invalid(ctx, t, `${blockName}: unknown address option '${t.text}' after ${toks[0].text}`, `one of ${[...ADDRESS_OPTIONS, ...Object.keys(ADDRESS_FLAGS)].join(', ')}`)
    }
    const v = toks[++i]
    if (v === undefined) return invalid(ctx, t, `${blockName}: '${t.text}' needs a value`, `${t.text} VALUE`)
    switch (t.text) {
      case 'brd': case 'broadcast':
        if (v.text !== '+' && v.text !== '-' && ipFamily(v.text) === undefined) return invalid(ctx, v, `broadcast '${v.text}' is not an IP address`, 'an IP address, + or -', 'invalid-address')
        vip.broadcast = v.text
        break
      case 'dev': vip.dev = v.text; break
      case 'scope':
        if (!SCOPES.has(v.text) && !/^\d+$/.test(v.text)) return invalid(ctx, v, `scope '${v.text}' is not known`, 'global|site|link|host|nowhere or a number')
        vip.scope = v.text
        break
      case 'label': vip.label = v.text; break
      case 'peer':
        if (parsePrefix(v.text) instanceof Object && 'error' in parsePrefix(v.text)) return invalid(ctx, v, `peer '${v.text}' is not an IP address`, 'IP[/prefix]', 'invalid-address')
        vip.peer = v.text
        break
      case 'preferred_lft': vip.preferredLft = v.text; break
      case 'track_group':
        if (blockName === 'static_ipaddress') { vip.trackGroup = v.text; break }
        // KEEPALIVED 2.2.7: "Unknown configuration entry 'track_group' for ip address - ignoring"
        // (man keepalived.conf: track_group is for static addresses, routes and rules only).
        ctx.diagnostics.warning({ code: 'keyword-wrong-block', message: `${blockName}: track_group is only for static_ipaddress, static_routes and static_rules; keepalived ignores 'track_group ${v.text}' here and keeps ${toks[0].text}`, at: locOf(t), text: `track_group ${v.text}`, expected: 'track_group only in static_ipaddress/static_routes/static_rules' })
        break
    }
  }
  return vip
}

/** A block of address lines (virtual_ipaddress, virtual_ipaddress_excluded, static_ipaddress). */
export function addressList (blockName: string): KeywordSpec<VirtualIpAddress[]> {
  return {
    block: 'required',
    minArgs: 0,
    maxArgs: 0,
    repeatable: true,
    expected: 'IP[/prefix] [brd IP] [dev IF] [scope S] [label L] [no_track], one per line',
    initial: () => [],
    parse: (stmt, ctx, prev) => {
      const out = [...prev]
      for (const s of stmt.block ?? []) {
        if (s.block !== undefined) { invalid(ctx, s.keyword, `${blockName}: an address line cannot open a block`, 'IP[/prefix] ...'); continue }
        const v = parseAddressItem(itemLine(s), ctx, blockName)
        if (v === undefined) continue
        out.push(v)
        ctx.fieldLocations.set(v, itemLocations(s))
      }
      return out
    }
  }
}

/** A route or rule line: its words plus the fields tools care about. */
export interface RouteOrRule {
  text: string
  destination?: string
  source?: string
  via?: string
  dev?: string
  table?: string
  noTrack: boolean
  trackGroup?: string
  /** Every `key value` option and bare flag as written (`true` for flags). */
  options: Record<string, string | true>
}

const ROUTE_TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast', 'multicast', 'anycast', 'nat'])
const ROUTE_FLAGS = new Set(['no_track', 'onlink', 'pervasive', 'lock', 'add', 'append', 'prepend', 'fastopen_no_cookie', 'ttl-propagate', 'l3mdev', 'not', 'home'])
const ROUTE_KEYS = new Set(['src', 'from', 'to', 'via', 'gw', 'or', 'dev', 'oif', 'table', 'lookup', 'metric', 'priority', 'preference', 'pref', 'order', 'tos', 'dsfield',
  'protocol', 'proto', 'scope', 'realms', 'realm', 'mtu', 'advmss', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd', 'ssthresh', 'rto_min', 'initcwnd', 'initrwnd',
  'features', 'quickack', 'congctl', 'hoplimit', 'expires', 'vrf', 'nexthop', 'weight', 'encap', 'track_group', 'iif', 'fwmark', 'goto', 'uidrange', 'ip_proto', 'ipproto',
  'sport', 'dport', 'suppress_prefixlength', 'sup_pl', 'suppress_ifgroup', 'sup_group', 'tunnel-id', 'type'])

function parseRouteItem (toks: Token[], ctx: ApplyContext, blockName: string, isRule: boolean): RouteOrRule | undefined {
  const r: RouteOrRule = { text: toks.map((t) => t.text).join(' '), noTrack: false, options: {} }
  let i = 0
  if (!isRule && ROUTE_TYPES.has(toks[0].text)) { r.options.type = toks[0].text; i = 1 }
  for (; i < toks.length; i++) {
    const t = toks[i]
    if (ROUTE_FLAGS.has(t.text)) { r.options[t.text] = true; if (t.text === 'no_track') r.noTrack = true; continue }
    if (ROUTE_KEYS.has(t.text)) {
      const v = toks[++i]
      if (v === undefined) return invalid(ctx, t, `${blockName}: '${t.text}' needs a value`, `${t.text} VALUE`)
      r.options[t.text] = v.text
      if (t.text === 'via' || t.text === 'gw') r.via = v.text
      else if (t.text === 'dev' || t.text === 'oif') r.dev ??= v.text
      else if (t.text === 'table' || t.text === 'lookup') r.table = v.text
      else if (t.text === 'src' || t.text === 'from') r.source = v.text
      else if (t.text === 'to') r.destination = v.text
      else if (t.text === 'track_group') r.trackGroup = v.text
      if ((t.text === 'via' || t.text === 'gw' || t.text === 'src') && ipFamily(v.text.replace(/^inet6?\s*/, '')) === undefined && v.text !== 'inet' && v.text !== 'inet6') {
        return invalid(ctx, v, `${blockName}: '${v.text}' is not an IP address`, 'an IP address', 'invalid-address')
      }
      continue
    }
    if (!isRule && r.destination === undefined && (t.text === 'default' || !('error' in parsePrefix(t.text)))) { r.destination = t.text; continue }
    return invalid(ctx, t, `${blockName}: unexpected '${t.text}'`, isRule ? 'from|to|table|iif|oif|fwmark|preference ... VALUE' : 'DEST[/len] [via IP] [dev IF] [table N] [metric N] ...')
  }
  if (!isRule && r.destination === undefined) return invalid(ctx, toks[0], `${blockName}: route has no destination`, 'DEST[/len] or default', 'invalid-address')
  return r
}

export function routeList (blockName: string, isRule: boolean): KeywordSpec<RouteOrRule[]> {
  return {
    block: 'required',
    minArgs: 0,
    maxArgs: 0,
    repeatable: true,
    expected: isRule ? 'a rule per line: from|to PREFIX table N ...' : 'a route per line: DEST[/len] via IP dev IF ...',
    initial: () => [],
    parse: (stmt, ctx, prev) => {
      const out = [...prev]
      for (const s of stmt.block ?? []) {
        const r = parseRouteItem(itemLine(s), ctx, blockName, isRule)
        if (r === undefined) continue
        if (r.trackGroup !== undefined && !blockName.startsWith('static_')) {
          // KEEPALIVED 2.2.7: "unknown route keyword track_group" / "Unknown rule option
          // track_group", and the whole route or rule is dropped.
          const at = itemLocations(s).get('trackGroup') ?? s.keyword
          ctx.diagnostics.warning({ code: 'keyword-wrong-block', message: `${blockName}: track_group is only for static_routes and static_rules; keepalived drops this ${isRule ? 'rule' : 'route'} ('${r.text}')`, at: locOf(at), text: `track_group ${r.trackGroup}`, expected: 'track_group only in static_ipaddress/static_routes/static_rules' })
          continue
        }
        out.push(r)
        ctx.fieldLocations.set(r, itemLocations(s))
      }
      return out
    }
  }
}

export interface UnicastPeer { address: string, minTtl?: number, maxTtl?: number }

export function unicastPeers (): KeywordSpec<UnicastPeer[]> {
  return {
    block: 'required',
    minArgs: 0,
    maxArgs: 0,
    repeatable: true,
    expected: 'IP [min_ttl N] [max_ttl N], one per line',
    initial: () => [],
    parse: (stmt, ctx, prev) => {
      const out = [...prev]
      for (const s of stmt.block ?? []) {
        const toks = itemLine(s)
        if (ipFamily(toks[0].text) === undefined) { invalid(ctx, toks[0], `unicast_peer: '${toks[0].text}' is not an IP address`, 'IP [min_ttl N] [max_ttl N]', 'invalid-address'); continue }
        const peer: UnicastPeer = { address: toks[0].text }
        let ok = true
        for (let i = 1; i < toks.length && ok; i += 2) {
          const k = toks[i]
          const v = toks[i + 1]
          if ((k.text !== 'min_ttl' && k.text !== 'max_ttl') || v === undefined) { invalid(ctx, k, `unicast_peer: unexpected '${k.text}'`, 'min_ttl N or max_ttl N'); ok = false; break }
          const n = intArg(v, 0, 255, ctx, k.text)
          if (n === undefined) { ok = false; break }
          if (k.text === 'min_ttl') peer.minTtl = n; else peer.maxTtl = n
        }
        if (!ok) continue
        out.push(peer)
        ctx.fieldLocations.set(peer, itemLocations(s))
      }
      return out
    }
  }
}

export interface TrackRef { name: string, weight?: number, reverse: boolean, source: { file: string, line: number, column: number } }

/** `NAME [weight N] [reverse|noreverse|no_reverse]` per line. */
export function trackList (what: string, weightMin: number, weightMax: number): KeywordSpec<TrackRef[]> {
  return {
    block: 'required',
    minArgs: 0,
    maxArgs: 0,
    repeatable: true,
    expected: `${what} [weight ${weightMin}..${weightMax}] [reverse], one per line`,
    initial: () => [],
    parse: (stmt, ctx, prev) => {
      const out = [...prev]
      for (const s of stmt.block ?? []) {
        const toks = itemLine(s)
        const ref: TrackRef = { name: toks[0].text, reverse: false, source: locOf(toks[0]) }
        let ok = true
        for (let i = 1; i < toks.length && ok; i++) {
          const t = toks[i]
          if (t.text === 'reverse') ref.reverse = true
          else if (t.text === 'noreverse' || t.text === 'no_reverse') ref.reverse = false
          else if (t.text === 'weight' && toks[i + 1] !== undefined) {
            const w = intArg(toks[++i], weightMin, weightMax, ctx, `${stmt.keyword.text} ${toks[0].text}: weight`)
            if (w === undefined) ok = false; else ref.weight = w
          } else { invalid(ctx, t, `${stmt.keyword.text}: unexpected '${t.text}' after ${toks[0].text}`, `${what} [weight N] [reverse|noreverse]`); ok = false }
        }
        if (ok) out.push(ref)
      }
      return out
    }
  }
}

export interface InterfaceDelay { interface: string, downDelayUs: number, upDelayUs: number }

export function interfaceDelays (): KeywordSpec<InterfaceDelay[]> {
  return {
    block: 'required',
    minArgs: 0,
    maxArgs: 0,
    repeatable: true,
    expected: 'IFNAME DOWN_DELAY [UP_DELAY] (seconds, max 255)',
    initial: () => [],
    parse: (stmt, ctx, prev) => {
      const out = [...prev]
      for (const s of stmt.block ?? []) {
        const toks = itemLine(s)
        const parsed = toks.slice(1, 3).map((t) => {
          const v = parseDecimal(t.text)
          return v === undefined || v < 0 || v > 255 ? invalid(ctx, t, `interface delay '${t.text}' is not 0-255 seconds`, 'seconds 0-255', 'out-of-range') : Math.round(v * 1e6)
        })
        if (parsed.length === 0) { invalid(ctx, toks[0], `interface_up_down_delays: ${toks[0].text} needs a down delay`, 'IFNAME DOWN_DELAY [UP_DELAY]'); continue }
        if (parsed.some((v) => v === undefined)) continue
        out.push({ interface: toks[0].text, downDelayUs: parsed[0]!, upDelayUs: parsed[1] ?? parsed[0]! })
      }
      return out
    }
  }
}

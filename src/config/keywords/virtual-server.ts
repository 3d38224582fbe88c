// Keyword tables of the LVS side (keepalived 2.2.7): virtual_server (IP PORT | IP-RANGE PORT |
// fwmark N | group NAME), real_server with its checkers, virtual_server_group (addresses, ranges,
// CIDR, fwmarks), and the legacy synonyms lb_algo and lb_kind. Parsed into the typed model; floatip
// does not program IPVS.
import { alias, invalid, named, type KeywordSpec } from './spec.js'
import { blocks } from './apply.js'
import { custom, flag, int, oneOf, optionalFlag, script, str, timerUs } from './helpers.js'
import { checkerSpecs } from './checkers.js'
import { ipFamily, parsePort } from '../values.js'
import type { Statement } from '../tree.js'

const timer = (dflt?: number): KeywordSpec<number | undefined> => timerUs<number | undefined>(2 ** 31 / 1e6, dflt)

export interface LvsMethod { method: 'NAT' | 'DR' | 'TUN', options: string[] }
const lvsMethod = (): KeywordSpec<LvsMethod | undefined> => custom({
  minArgs: 1,
  expected: 'NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]',
  initial: () => undefined,
  parse: (s, ctx) => {
    const m = s.args[0].text.toUpperCase()
    if (m !== 'NAT' && m !== 'DR' && m !== 'TUN') return invalid(ctx, s.args[0], `${s.keyword.text}: '${s.args[0].text}' is not NAT, DR or TUN`, 'NAT|DR|TUN')
    if (m !== 'TUN' && s.args.length > 1) {
      ctx.diagnostics.warning({ code: 'extra-arguments', message: `${s.keyword.text} ${m} takes no options; '${s.args[1].text}' is ignored (comments must start with # or !)`, at: { file: s.args[1].file, line: s.args[1].line, column: s.args[1].column }, text: s.args.slice(1).map((a) => a.text).join(' '), expected: 'options only after TUN' })
      return { method: m, options: [] }
    }
    return { method: m, options: s.args.slice(1).map((a) => a.text) }
  }
})

export interface ServerAddress { address: string, port: number | undefined }
function serverAddress (s: Statement, ctx: Parameters<KeywordSpec<unknown>['parse']>[1]): ServerAddress | undefined {
  const a = s.args[0]
  if (ipFamily(a.text) === undefined) return invalid(ctx, a, `${s.keyword.text}: '${a.text}' is not an IP address`, 'IP [PORT]', 'invalid-address')
  if (s.args[1] === undefined) return { address: a.text, port: undefined }
  const port = parsePort(s.args[1].text)
  return port === undefined ? invalid(ctx, s.args[1], `${s.keyword.text}: port '${s.args[1].text}' is not 0-65535`, 'a port 0-65535', 'out-of-range') : { address: a.text, port }
}

// Unset (undefined) unless written: a real_server inherits the virtual_server's, a checker the
// real_server's; lvs-defaults.ts fills in keepalived's defaults after parsing.
const serverCommon = {
  alpha: optionalFlag(),
  connect_timeout: named('connectTimeoutUs', timer()),
  // KEEPALIVED 2.2.7 knows nb_get_retry only in HTTP_GET/SSL_GET (checkers.ts), not here.
  retry: int(0, 2 ** 31 - 1),
  delay_before_retry: named('delayBeforeRetryUs', timer()),
  warmup: named('warmupUs', timer()),
  delay_loop: named('delayLoopUs', timer()),
  inhibit_on_failure: optionalFlag(),
  smtp_alert: optionalFlag(),
  virtualhost: str(),
  snmp_name: str()
} as const

export const realServerKeywords = {
  ...serverCommon,
  weight: int(0, 2 ** 31 - 1, 1),
  // KEEPALIVED 2.2.7 takes the legacy lb_kind only in virtual_server, and no track_file/track_bfd
  // here (FILE_CHECK and BFD_CHECK do that).
  lvs_method: lvsMethod(),
  notify_up: script(),
  notify_down: script(),
  // KEEPALIVED: 0 is no limit ("connection limit range = 0 -> 0").
  uthreshold: int(0, 2 ** 31 - 1, 0),
  lthreshold: int(0, 2 ** 31 - 1, 0),
  ...checkerSpecs()
} as const

const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'sh', 'mh', 'dh', 'fo', 'ovf', 'lblcr', 'sed', 'nq', 'twos'] as const

export const virtualServerKeywords = {
  ...serverCommon,
  ip_family: oneOf(['inet', 'inet6'] as const),
  lvs_sched: oneOf(SCHEDULERS, 'wlc' as const, false),
  lb_algo: alias('lvs_sched'),
  hashed: flag(),
  'flag-1': flag(),
  'flag-2': flag(),
  'flag-3': flag(),
  'sh-port': flag(),
  'sh-fallback': flag(),
  'mh-port': flag(),
  'mh-fallback': flag(),
  ops: flag(),
  lvs_method: lvsMethod(),
  lb_kind: alias('lvs_method'),
  persistence_engine: str(),
  persistence_timeout: named('persistenceTimeoutS', custom<number | undefined>({ maxArgs: 1, expected: '[SECONDS]', initial: () => undefined, parse: (s, ctx) => { if (s.args[0] === undefined) return 360; const v = Number(s.args[0].text); return Number.isInteger(v) && v >= 0 ? v : invalid(ctx, s.args[0], `persistence_timeout '${s.args[0].text}' is not a whole number of seconds`, 'seconds') } })),
  persistence_granularity: str(),
  protocol: oneOf(['TCP', 'UDP', 'SCTP'] as const),
  ha_suspend: flag(),
  omega: flag(),
  quorum: int(1, 2 ** 31 - 1, 1),
  hysteresis: int(0, 2 ** 31 - 1, 0),
  quorum_up: script(),
  quorum_down: script(),
  sorry_server: named('sorryServer', custom<ServerAddress | undefined>({ minArgs: 1, maxArgs: 2, expected: 'IP [PORT]', initial: () => undefined, parse: (s, ctx) => serverAddress(s, ctx) })),
  sorry_server_inhibit: flag(),
  sorry_server_lvs_method: lvsMethod(),
  real_server: named('realServers', blocks(realServerKeywords, serverAddress, { minArgs: 1, maxArgs: 2, expected: 'real_server IP [PORT] { ... }', blockName: (h) => `real_server ${h.address}${h.port === undefined ? '' : ' ' + String(h.port)}` }))
} as const

/** An IP address as a number, for comparing the ends of a range. */
function ipValue (text: string): bigint {
  if (ipFamily(text) === 'inet') return text.split('.').reduce((acc, o) => (acc << 8n) | BigInt(o), 0n)
  let s = text.replace(/%.*$/, '')
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)
  if (v4 !== null) { const n = ipValue(v4[1]); s = `${s.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}` }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined]
  const h = head === '' ? [] : head.split(':')
  const t = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
  return groups.reduce((acc, g) => (acc << 16n) | BigInt('0x' + g), 0n)
}

/**
 * `IP`, a range `IP-LAST` (last IPv4 octet in decimal, last IPv6 group in hex) or `IP-IP`, and with
 * `cidr` also `IP/LEN` (man keepalived.conf "Virtual server group(s)"). Returns the first address
 * and the kind, or why the text is not one.
 */
export function parseAddressRange (text: string, cidr: boolean): { address: string, kind: 'address' | 'range' } | { error: string } {
  const sep = /[-/]/.exec(text)
  const first = sep === null ? text : text.slice(0, sep.index)
  const family = ipFamily(first)
  if (family === undefined) return { error: `'${first}' is not an IP address` }
  if (sep === null) return { address: text, kind: 'address' }
  const rest = text.slice(sep.index + 1)
  const bits = family === 'inet' ? 32 : 128
  if (sep[0] === '/') {
    // KEEPALIVED: the length must be 1..32 (1..128); a dotted netmask is rejected.
    if (!cidr) return { error: `'${text}': a prefix length is only allowed in a virtual_server_group` }
    return /^\d{1,3}$/.test(rest) && Number(rest) >= 1 && Number(rest) <= bits ? { address: first, kind: 'range' } : { error: `'${text}': prefix length '${rest}' is not 1-${bits}` }
  }
  const start = ipValue(first)
  if (ipFamily(rest) !== undefined) {
    if (ipFamily(rest) !== family) return { error: `'${text}': the range ends in another address family` }
    return ipValue(rest) >= start ? { address: first, kind: 'range' } : { error: `'${text}': the range ends before it starts` }
  }
  const lastBits = family === 'inet' ? 8n : 16n
  if (!(family === 'inet' ? /^\+?\d+$/ : /^\+?[0-9a-fA-F]+$/).test(rest)) return { error: `'${text}': range end '${rest}' is not ${family === 'inet' ? 'a decimal octet' : 'a hex group'}` }
  const end = BigInt(family === 'inet' ? rest.replace('+', '') : '0x' + rest.replace('+', ''))
  if (end >= 1n << lastBits) return { error: `'${text}': range end '${rest}' is too large` }
  // KEEPALIVED: a short range must end above the start's last octet/group (a full one may be a single address).
  return end > (start & ((1n << lastBits) - 1n)) ? { address: first, kind: 'range' } : { error: `'${text}': the range does not end above its start` }
}

export type VirtualServerKey =
  | { kind: 'address', address: string, port: number | undefined }
  | { kind: 'fwmark', fwmark: number, family: string | undefined }
  | { kind: 'group', group: string }

function virtualServerHeader (s: Statement, ctx: Parameters<KeywordSpec<unknown>['parse']>[1]): { key: VirtualServerKey } | undefined {
  const a = s.args[0]
  if (a.text === 'fwmark' || a.text === 'group') {
    const v = s.args[1]
    if (v === undefined) return invalid(ctx, a, `virtual_server ${a.text} needs a value`, `virtual_server ${a.text} VALUE {`)
    if (a.text === 'group') return { key: { kind: 'group', group: v.text } }
    const n = Number(v.text)
    return Number.isInteger(n) && n >= 0 && n < 2 ** 32 ? { key: { kind: 'fwmark', fwmark: n, family: s.args[2]?.text } } : invalid(ctx, v, `fwmark '${v.text}' is not 0-4294967295`, 'an integer', 'out-of-range')
  }
  const range = parseAddressRange(a.text, false)
  if ('error' in range) return invalid(ctx, a, `virtual_server: ${range.error}`, 'IP PORT, IP-RANGE PORT, fwmark N or group NAME', 'invalid-address')
  const port = s.args[1] === undefined ? undefined : parsePort(s.args[1].text)
  if (s.args[1] !== undefined && port === undefined) return invalid(ctx, s.args[1], `virtual_server: port '${s.args[1].text}' is not 0-65535`, 'a port 0-65535', 'out-of-range')
  return { key: { kind: 'address', address: a.text, port } }
}

const keyName = (k: VirtualServerKey): string => k.kind === 'address' ? `${k.address} ${k.port ?? ''}`.trim() : k.kind === 'fwmark' ? `fwmark ${k.fwmark}` : `group ${k.group}`

export const virtualServerSpec = blocks(virtualServerKeywords, virtualServerHeader, { minArgs: 1, maxArgs: 3, expected: 'virtual_server IP PORT | fwmark N | group NAME { ... }', blockName: (h) => `virtual_server ${keyName(h.key)}` })

export interface VirtualServerGroupEntry { text: string, kind: 'address' | 'range' | 'fwmark', address?: string, port?: number, fwmark?: number }

export interface VirtualServerGroup { name: string, entries: VirtualServerGroupEntry[], source: { file: string, line: number, column: number } }
export const virtualServerGroupSpec: KeywordSpec<VirtualServerGroup[]> = custom<VirtualServerGroup[]>({
  block: 'required',
  minArgs: 1,
  maxArgs: 1,
  repeatable: true,
  expected: 'virtual_server_group NAME { IP [PORT] | IP-RANGE [PORT] | fwmark N [inet|inet6] }',
  initial: () => [],
  parse: (stmt, ctx, prev) => {
    const entries: VirtualServerGroupEntry[] = []
    for (const s of stmt.block ?? []) {
      const toks = [s.keyword, ...s.args]
      const textLine = toks.map((t) => t.text).join(' ')
      if (toks[0].text === 'fwmark') {
        const n = Number(toks[1]?.text)
        if (!Number.isInteger(n) || n < 0) { invalid(ctx, toks[1] ?? toks[0], 'fwmark needs an integer', 'fwmark N [inet|inet6]'); continue }
        entries.push({ text: textLine, kind: 'fwmark', fwmark: n })
        continue
      }
      const range = parseAddressRange(toks[0].text, true)
      if ('error' in range) { invalid(ctx, toks[0], `virtual_server_group: ${range.error}`, 'IP [PORT], IP-RANGE [PORT], IP/LEN [PORT] or fwmark N', 'invalid-address'); continue }
      const port = toks[1] === undefined ? undefined : parsePort(toks[1].text)
      if (toks[1] !== undefined && port === undefined) { invalid(ctx, toks[1], `virtual_server_group: port '${toks[1].text}' is not 0-65535`, 'a port', 'out-of-range'); continue }
      entries.push({ text: textLine, kind: range.kind, address: toks[0].text, port })
    }
    return [...prev, { name: stmt.args[0].text, entries, source: { file: stmt.keyword.file, line: stmt.keyword.line, column: stmt.keyword.column } }]
  }
})


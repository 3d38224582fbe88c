// Keyword table of `vrrp_instance NAME { }` (keepalived 2.2.7, man keepalived.conf "VRRP
// instance(s)") and its `authentication { }` sub-block. Defaults are keepalived's; fields that
// inherit a global_defs value are left undefined here and filled by resolve-defaults.ts.
import { alias, deprecated, invalid, named, locOf, type KeywordSpec, type ModelOf } from './spec.js'
import { applyTable, block, initialModel } from './apply.js'
import { custom, flag, optionalFlag, int, ip, oneOf, script, str, timerUs, words } from './helpers.js'
import { addressList, routeList, trackList, unicastPeers } from './vrrp-items.js'
import { parseDecimal, truncateUtf8, utf8Length } from '../values.js'

/**
 * auth_pass: keepalived keeps the first 8 bytes (RFC 3768 §5.3.10 Authentication Data is 8
 * octets) — bytes, not characters, so 密码密码 (12 bytes in UTF-8) is cut inside a character.
 */
const authPass: KeywordSpec<string | undefined> = {
  minArgs: 1,
  maxArgs: 1,
  expected: 'a password of at most 8 bytes',
  initial: () => undefined,
  parse: (stmt, ctx) => {
    const a = stmt.args[0]
    const cut = truncateUtf8(a.text, AUTH_PASS_BYTES)
    if (!cut.truncated) return a.text
    const split = cut.text.endsWith('\uFFFD') && !a.text.startsWith(cut.text)
    // KEEPALIVED: "Truncating auth_pass to 8 characters" (it counts bytes).
    ctx.diagnostics.warning({
      code: 'auth-pass-truncated',
      message: `auth_pass is ${utf8Length(a.text)} bytes; keepalived uses only the first ${AUTH_PASS_BYTES} bytes (${hex(cut.bytes)}: '${cut.text}')${split ? ', which ends inside a multi-byte character' : ''}`,
      at: locOf(a),
      text: a.text,
      expected: `at most ${AUTH_PASS_BYTES} bytes (a non-ASCII character takes 2-4)`
    })
    return cut.text
  }
}

const AUTH_PASS_BYTES = 8
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

export const authenticationKeywords = {
  auth_type: oneOf(['PASS', 'AH'] as const),
  auth_pass: authPass
} as const

/**
 * The authentication block; `authPassHex` is the exact bytes sent as Authentication Data (the
 * first 8 bytes of the last auth_pass, before the zero padding): `authPass` is the same as text,
 * where a character cut by the 8-byte limit shows as U+FFFD.
 */
const authentication: KeywordSpec<ModelOf<typeof authenticationKeywords> & { authPassHex: string | undefined }> = {
  ...block(authenticationKeywords, 'authentication'),
  initial: () => ({ ...initialModel(authenticationKeywords), authPassHex: undefined }),
  parse: (stmt, ctx, prev) => {
    const m = applyTable(authenticationKeywords, 'authentication', stmt.block ?? [], ctx, prev)
    const last = (stmt.block ?? []).filter((s) => s.keyword.text === 'auth_pass' && s.args.length > 0 && s.args.every((a) => a.unterminated !== true)).pop()
    return Object.assign(m, { authPassHex: last === undefined ? prev.authPassHex : hex(truncateUtf8(last.args[0].text, AUTH_PASS_BYTES).bytes) })
  }
}

/** state: KEEPALIVED 2.2.7 ignores `state BACKUP` after `state MASTER` ("state previously set as MASTER"). */
const state: KeywordSpec<'MASTER' | 'BACKUP'> = {
  ...oneOf(['MASTER', 'BACKUP'] as const, 'BACKUP' as const),
  parse: (stmt, ctx, prev) => {
    const v = oneOf(['MASTER', 'BACKUP'] as const).parse(stmt, ctx, prev)
    if (v !== 'BACKUP' || prev !== 'MASTER') return v
    ctx.diagnostics.warning({ code: 'conflicting-options', message: 'state BACKUP after state MASTER: keepalived keeps MASTER ("state previously set as MASTER - ignoring BACKUP")', at: locOf(stmt.args[0]), text: 'BACKUP', expected: 'one state line' })
    return 'MASTER'
  }
}

/** advert_int in seconds (0.01 resolution for VRRPv3, RFC 5798 §5.2.7) stored as centiseconds. */
const advertInt = named('advertIntervalCs', {
  minArgs: 1,
  maxArgs: 1,
  expected: 'seconds: 1-255 for VRRPv2, 0.01-40.95 for VRRPv3',
  initial: () => 100,
  parse: (stmt, ctx) => {
    const a = stmt.args[0]
    const v = parseDecimal(a.text)
    if (v === undefined || v <= 0) return invalid(ctx, a, `advert_int '${a.text}' is not a positive number of seconds`, 'seconds: 1-255 (VRRPv2) or 0.01-40.95 (VRRPv3)', v === undefined ? 'invalid-value' : 'out-of-range')
    return Math.round(v * 100)
  }
} satisfies KeywordSpec<number>)

/** `[all] SECONDS` (garp_extra_if) or `SECONDS [all]` (the deprecated vmac_garp_intvl). */
function garpExtraIf (): KeywordSpec<{ all: boolean, delayS: number } | undefined> {
  return custom<{ all: boolean, delayS: number } | undefined>({
    minArgs: 1,
    maxArgs: 2,
    expected: '[all] SECONDS',
    initial: () => undefined,
    parse: (s, ctx) => {
      const all = s.args.some((a) => a.text === 'all')
      const t = s.args.find((a) => a.text !== 'all')
      const n = t === undefined ? undefined : Number(t.text)
      return n === undefined || !Number.isInteger(n) || n < 0 ? invalid(ctx, t ?? s.keyword, `${s.keyword.text} needs a delay in whole seconds`, '[all] SECONDS') : { all, delayS: n }
    }
  })
}

const setFalse = (): KeywordSpec<boolean> => ({ ...flag(), parse: () => false })

export const vrrpInstanceKeywords = {
  state,
  interface: str(),
  vrf: str(),
  use_vmac: named('useVmac', custom<{ name: string | undefined, mac: string | undefined } | undefined>({ maxArgs: 2, expected: '[IFNAME] [MAC]', initial: () => undefined, parse: (s) => ({ name: s.args[0]?.text, mac: s.args[1]?.text }) })),
  use_vmac_addr: flag(),
  vmac_xmit_base: flag(),
  use_ipvlan: custom<string[] | undefined>({ maxArgs: 3, expected: '[IFNAME] [IP] [bridge|private|vepa]', initial: () => undefined, parse: (s) => s.args.map((a) => a.text) }),
  native_ipv6: flag(),
  dont_track_primary: flag(),
  // KEEPALIVED 2.2.7 warns that this is deprecated in favour of the linkbeat_interfaces block.
  linkbeat_use_polling: deprecated('linkbeat_interfaces', flag()),
  track_interface: trackList('IFNAME', -253, 253),
  track_script: trackList('SCRIPT_NAME', -253, 253),
  track_file: trackList('TRACK_FILE_NAME', -254, 254),
  track_process: trackList('PROCESS_NAME', -254, 254),
  track_bfd: trackList('BFD_NAME', -253, 253),
  mcast_src_ip: named('mcastSrcIp', ip()),
  unicast_src_ip: named('unicastSrcIp', ip()),
  mcast_dst_ip: named('mcastDstIp', ip()),
  track_src_ip: flag(),
  version: int(2, 3),
  check_unicast_src: flag(),
  unicast_peer: unicastPeers(),
  unicast_fault_no_peer: flag(),
  unicast_ttl: int(0, 255, 255),
  // KEEPALIVED >= 2.2.8 (not 2.2.7): VRRPv3 IPv4 checksum without the pseudo-header (RFC 9568
  // §5.2.8's form); no value means true. Unset: the global_defs default applies.
  v3_checksum_as_v2: optionalFlag(),
  old_unicast_checksum: custom<'always' | 'never' | undefined>({ maxArgs: 1, expected: '[never]', initial: () => undefined, parse: (s, ctx) => s.args[0] === undefined ? 'always' : s.args[0].text === 'never' ? 'never' : invalid(ctx, s.args[0], `old_unicast_checksum: unexpected '${s.args[0].text}'`, 'nothing or never') }),
  garp_master_delay: named('garpMasterDelayUs', timerUs(255)),
  garp_master_repeat: int(0, 255),
  garp_lower_prio_delay: named('garpLowerPrioDelayUs', timerUs(255)),
  garp_lower_prio_repeat: int(0, 255),
  garp_master_refresh: named('garpMasterRefreshUs', timerUs(86400)),
  garp_master_refresh_repeat: int(0, 255),
  garp_extra_if: garpExtraIf(),
  // KEEPALIVED 2.2.7 still accepts the 2.0 name (`SECONDS [all]`) with a deprecation warning.
  vmac_garp_intvl: named('garpExtraIf', deprecated('garp_extra_if', garpExtraIf())),
  down_timer_adverts: int(1, 100),
  lower_prio_no_advert: flag(),
  higher_prio_send_advert: flag(),
  virtual_router_id: named('virtualRouterId', int(1, 255)),
  // Resolved in semantic.ts: 255 (address owner) with state MASTER, else 100, unless written.
  priority: int(1, 255),
  advert_int: advertInt,
  authentication,
  virtual_ipaddress: named('virtualIpAddresses', addressList('virtual_ipaddress')),
  virtual_ipaddress_excluded: named('virtualIpAddressesExcluded', addressList('virtual_ipaddress_excluded')),
  promote_secondaries: flag(),
  virtual_routes: routeList('virtual_routes', false),
  virtual_rules: routeList('virtual_rules', true),
  accept: custom<boolean | undefined>({ maxArgs: 1, expected: flag().expected, initial: () => undefined, parse: (s, ctx) => flag().parse(s, ctx, false) }),
  no_accept: named('accept', custom<boolean | undefined>({ maxArgs: 1, initial: () => undefined, parse: () => false })),
  preempt: flag(true),
  nopreempt: named('preempt', { ...setFalse(), initial: () => true }),
  preempt_delay: named('preemptDelayUs', timerUs(1000, 0)),
  skip_check_adv_addr: flag(),
  strict_mode: flag(),
  debug: int(0, 4, 0),
  notify_master: script(),
  notify_backup: script(),
  notify_fault: script(),
  notify_stop: script(),
  // KEEPALIVED: without a script, notify_deleted makes `notify` report DELETED instead of FAULT.
  notify_deleted: custom<{ command: string | undefined, user: string | undefined, group: string | undefined } | undefined>({ maxArgs: Infinity, scriptQuoting: true, initial: () => undefined, parse: (s, ctx) => s.args.length === 0 ? { command: undefined, user: undefined, group: undefined } : script().parse(s, ctx, undefined) }),
  notify: script(),
  notify_master_rx_lower_pri: script(),
  notify_priority_changes: optionalFlag(),
  smtp_alert: optionalFlag(),
  kernel_rx_buf_size: int(0, 2 ** 31 - 1),
  // KEEPALIVED 2.2.7 warns that this is deprecated in favour of global_defs lvs_sync_daemon.
  lvs_sync_daemon_interface: deprecated('lvs_sync_daemon in global_defs', str()),
  ipsets: words(1, 5)
} as const

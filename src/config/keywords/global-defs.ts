// Keyword table of `global_defs { }` (keepalived 2.2.7: man keepalived.conf "Global definitions"
// plus the keywords the 2.2.7 binary registers). Process, SNMP, D-Bus and LVS settings are parsed
// and typed even though floatip does not act on all of them (see docs/compatibility.md).
import { alias, deprecated, invalid, locOf, named, type ApplyContext, type KeywordSpec } from './spec.js'
import { custom, flag, int, ip, nameList, optionalFlag, positiveTimerUs, str, timerUs, words } from './helpers.js'
import { parseInteger, parsePort } from '../values.js'
import type { Statement } from '../tree.js'

const fifo = (): KeywordSpec<{ path: string, user: string | undefined, group: string | undefined } | undefined> =>
  custom<{ path: string, user: string | undefined, group: string | undefined } | undefined>({ minArgs: 1, maxArgs: 3, expected: 'PATH [username [groupname]]', initial: () => undefined, parse: (s) => ({ path: s.args[0].text, user: s.args[1]?.text, group: s.args[2]?.text }) })
const scriptWithUser = fifo
const cpus = (): KeywordSpec<number[] | undefined> =>
  custom({ minArgs: 1, expected: 'CPU numbers', initial: () => undefined, parse: (s, ctx) => { const out: number[] = []; for (const a of s.args) { if (!/^\d+$/.test(a.text)) return invalid(ctx, a, `'${a.text}' is not a CPU number`, 'non-negative integers'); out.push(Number(a.text)) } return out } })
const bytes = (): KeywordSpec<number | undefined> => int(0, 2 ** 31 - 1)

const smtpServer: KeywordSpec<{ address: string, port: number } | undefined> = custom({
  minArgs: 1,
  maxArgs: 2,
  expected: 'IP|HOSTNAME [PORT]',
  initial: () => undefined,
  parse: (s, ctx) => {
    const port = s.args[1] === undefined ? 25 : parsePort(s.args[1].text)
    return port === undefined ? invalid(ctx, s.args[1], `smtp_server port '${s.args[1].text}' is not 0-65535`, 'a port number', 'out-of-range') : { address: s.args[0].text, port }
  }
})

export const globalDefsKeywords = {
  // process and namespace
  net_namespace: str(),
  net_namespace_ipvs: custom<string | undefined>({ maxArgs: 1, initial: () => undefined, parse: (s) => s.args[0]?.text ?? '' }),
  namespace_with_ipsets: flag(),
  instance: str(),
  use_pid_dir: flag(),
  linkbeat_use_polling: flag(),
  child_wait_time: named('childWaitTimeS', int(0, 2 ** 31 - 1, 5)),
  tmp_config_directory: str(),
  config_save_dir: str(),
  process_names: flag(),
  process_name: str(),
  vrrp_process_name: str(),
  checker_process_name: str(),
  lvs_process_name: str(),
  bfd_process_name: str(),
  startup_script: scriptWithUser(),
  startup_script_timeout: named('startupScriptTimeoutS', int(1, 1000, 10)),
  shutdown_script: scriptWithUser(),
  shutdown_script_timeout: named('shutdownScriptTimeoutS', int(1, 1000, 10)),
  // email
  notification_email: nameList('one email address per line'),
  notification_email_from: str(),
  smtp_server: smtpServer,
  smtp_helo_name: str(),
  smtp_connect_timeout: named('smtpConnectTimeoutS', int(1, 2 ** 31 - 1, 30)),
  // KEEPALIVED: unset unless written (see optionalFlag); instances inherit them.
  smtp_alert: optionalFlag(),
  smtp_alert_vrrp: optionalFlag(),
  smtp_alert_checker: optionalFlag(),
  checker_log_all_failures: flag(),
  no_email_faults: flag(),
  no_checker_emails: flag(),
  // identity and VRRP defaults
  router_id: str(),
  vrrp_mcast_group4: named('vrrpMcastGroup4', { ...ip(), initial: () => '224.0.0.18' as string | undefined }),
  vrrp_mcast_group6: named('vrrpMcastGroup6', { ...ip(), initial: () => 'ff02::12' as string | undefined }),
  default_interface: str(),
  dynamic_interfaces: custom<'no' | 'yes' | 'allow_if_changes'>({ maxArgs: 1, expected: '[allow_if_changes]', initial: () => 'no', parse: (s, ctx) => s.args[0] === undefined ? 'yes' : s.args[0].text === 'allow_if_changes' ? 'allow_if_changes' : invalid(ctx, s.args[0], `dynamic_interfaces: unexpected '${s.args[0].text}'`, 'allow_if_changes') }),
  disable_local_igmp: flag(),
  vrrp_garp_master_delay: named('vrrpGarpMasterDelayUs', timerUs(255, 5_000_000)),
  vrrp_garp_master_repeat: int(0, 255, 5),
  vrrp_garp_master_refresh: named('vrrpGarpMasterRefreshUs', timerUs(86400, 0)),
  vrrp_garp_master_refresh_repeat: int(0, 255, 1),
  vrrp_garp_lower_prio_delay: named('vrrpGarpLowerPrioDelayUs', timerUs(255)),
  vrrp_garp_lower_prio_repeat: int(0, 255),
  vrrp_down_timer_adverts: int(1, 100, 3),
  vrrp_garp_interval: named('vrrpGarpIntervalUs', positiveTimerUs(4294)),
  vrrp_gna_interval: named('vrrpGnaIntervalUs', positiveTimerUs(4294)),
  vrrp_min_garp: flag(),
  vrrp_garp_extra_if: words(1, 2, '[all] SECONDS'),
  // KEEPALIVED 2.2.7 still accepts the 2.0 name (`SECONDS [all]`) with a deprecation warning.
  vrrp_vmac_garp_intvl: named('vrrpGarpExtraIf', deprecated('vrrp_garp_extra_if', words(1, 2, 'SECONDS [all]'))),
  vrrp_lower_prio_no_advert: flag(),
  vrrp_higher_prio_send_advert: flag(),
  vrrp_version: int(2, 3, 2),
  vrrp_check_unicast_src: flag(),
  vrrp_skip_check_adv_addr: flag(),
  // KEEPALIVED >= 2.2.8 (not 2.2.7): the default of every vrrp_instance's v3_checksum_as_v2.
  v3_checksum_as_v2: flag(),
  vrrp_strict: flag(),
  vrrp_notify_priority_changes: flag(),
  vrrp_startup_delay: named('vrrpStartupDelayUs', timerUs(1000, 0)),
  log_unknown_vrids: flag(),
  vmac_prefix: str(),
  vmac_addr_prefix: str(),
  vrrp_rx_bufs_policy: custom<RxBufsPolicy | undefined>({ minArgs: 1, maxArgs: 3, expected: 'MTU|ADVERT|NUMBER', initial: () => undefined, parse: parseRxBufsPolicy }),
  vrrp_rx_bufs_multiplier: int(1, 2 ** 31 - 1, 3),
  // firewalling
  vrrp_iptables: words(0, 2, '[IN_CHAIN [OUT_CHAIN]]'),
  vrrp_ipsets: words(0, 5, '[set names]'),
  nftables: custom<string | undefined>({ maxArgs: 1, initial: () => undefined, parse: (s) => s.args[0]?.text ?? 'keepalived' }),
  nftables_priority: int(-(2 ** 31), 2 ** 31 - 1),
  nftables_ifindex: flag(),
  nftables_counters: flag(),
  nftables_ipvs: custom<string | undefined>({ maxArgs: 1, initial: () => undefined, parse: (s) => s.args[0]?.text ?? 'keepalived_ipvs' }),
  nftables_ipvs_priority: int(-(2 ** 31), 2 ** 31 - 1),
  nftables_ipvs_start_fwmark: int(0, 2 ** 32 - 1),
  // LVS
  lvs_sync_daemon: words(1, Infinity, 'INTERFACE [[inst] VRRP_INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP]'),
  lvs_timeouts: words(1, 6, '[tcp SECS] [tcpfin SECS] [udp SECS]'),
  lvs_flush: flag(),
  lvs_flush_on_stop: custom<'no' | 'yes' | 'VS'>({ maxArgs: 1, expected: '[VS]', initial: () => 'no', parse: (s) => s.args[0]?.text === 'VS' ? 'VS' : 'yes' }),
  lvs_flush_onstop: alias('lvs_flush_on_stop'),
  rs_init_notifies: flag(),
  // scheduling
  max_auto_priority: int(-1, 99),
  min_auto_priority_delay: named('minAutoPriorityDelayUs', int(0, 2 ** 31 - 1)),
  vrrp_priority: int(-20, 19),
  vrrp_no_swap: flag(),
  vrrp_rt_priority: int(1, 99),
  vrrp_cpu_affinity: cpus(),
  vrrp_rlimit_rttime: int(2, 2 ** 31 - 1),
  vrrp_rlimit_rtime: alias('vrrp_rlimit_rttime'),
  checker_priority: int(-20, 19),
  checker_no_swap: flag(),
  checker_rt_priority: int(1, 99),
  checker_cpu_affinity: cpus(),
  checker_rlimit_rttime: int(2, 2 ** 31 - 1),
  checker_rlimit_rtime: alias('checker_rlimit_rttime'),
  bfd_priority: int(-20, 19),
  bfd_no_swap: flag(),
  bfd_rt_priority: int(1, 99),
  bfd_cpu_affinity: cpus(),
  bfd_rlimit_rttime: int(2, 2 ** 31 - 1),
  bfd_rlimit_rtime: alias('bfd_rlimit_rttime'),
  // SNMP and D-Bus
  snmp_socket: str(),
  enable_traps: flag(),
  enable_snmp_vrrp: flag(),
  enable_snmp_keepalived: alias('enable_snmp_vrrp'),
  enable_snmp_checker: flag(),
  enable_snmp_rfc: flag(),
  enable_snmp_rfcv2: flag(),
  enable_snmp_rfcv3: flag(),
  enable_dbus: flag(),
  dbus_service_name: str(),
  // scripts and notification FIFOs
  script_user: custom<{ user: string, group: string | undefined } | undefined>({ minArgs: 1, maxArgs: 2, expected: 'USERNAME [GROUPNAME]', initial: () => undefined, parse: (s) => ({ user: s.args[0].text, group: s.args[1]?.text }) }),
  enable_script_security: flag(),
  notify_fifo: fifo(),
  notify_fifo_script: scriptWithUser(),
  vrrp_notify_fifo: fifo(),
  vrrp_notify_fifo_script: scriptWithUser(),
  lvs_notify_fifo: fifo(),
  lvs_notify_fifo_script: scriptWithUser(),
  fifo_write_vrrp_states_on_reload: flag(),
  // netlink buffers
  vrrp_netlink_cmd_rcv_bufs: bytes(),
  vrrp_netlink_cmd_rcv_bufs_force: flag(),
  vrrp_netlink_monitor_rcv_bufs: bytes(),
  vrrp_netlink_monitor_rcv_bufs_force: flag(),
  lvs_netlink_cmd_rcv_bufs: bytes(),
  lvs_netlink_cmd_rcv_bufs_force: flag(),
  lvs_netlink_monitor_rcv_bufs: bytes(),
  lvs_netlink_monitor_rcv_bufs_force: flag(),
  process_monitor_rcv_bufs: bytes(),
  process_monitor_rcv_bufs_force: flag(),
  // reload and misc
  umask: str(),
  random_seed: int(0, 2 ** 32 - 1),
  reload_check_config: custom<string | undefined>({ maxArgs: 1, initial: () => undefined, parse: (s) => s.args[0]?.text ?? '' }),
  reload_time_file: str(),
  reload_repeat: flag(),
  reload_file: custom<string | undefined>({ maxArgs: 1, initial: () => undefined, parse: (s) => s.args[0]?.text ?? '' }),
  include_check: words(0, 6, '[readable] [match] [wildcard_match] [brace_match]'),
  data_use_instance: flag()
} as const

/**
 * KEEPALIVED `vrrp_rx_bufs_policy`: how big each VRRP socket's receive buffer is. Each instance
 * adds MTU x vrrp_rx_bufs_multiplier, or its advert's length x the multiplier, or NUMBER bytes
 * (ADVERT wins over MTU; a NUMBER with either is reported and the policy ignored).
 */
export interface RxBufsPolicy { mtu: boolean, advert: boolean, size: number | undefined }

function parseRxBufsPolicy (stmt: Statement, ctx: ApplyContext): RxBufsPolicy | undefined {
  const policy: RxBufsPolicy = { mtu: false, advert: false, size: undefined }
  for (const a of stmt.args) {
    const word = a.text.toUpperCase()
    const size = parseInteger(a.text)
    if (word === 'MTU') policy.mtu = true
    else if (word === 'ADVERT') policy.advert = true
    else if (size !== undefined && size > 0 && size <= 2 ** 30) policy.size = size
    else return invalid(ctx, a, `vrrp_rx_bufs_policy: '${a.text}' is not MTU, ADVERT or a size in bytes`, 'MTU|ADVERT|a size 1-1073741824')
  }
  if (policy.size !== undefined && (policy.mtu || policy.advert)) {
    ctx.diagnostics.warning({ code: 'conflicting-options', message: 'vrrp_rx_bufs_policy: a size and a policy cannot both be set; the policy is ignored (as keepalived does)', at: locOf(stmt.keyword), text: stmt.keyword.text, expected: 'MTU|ADVERT|NUMBER' })
    policy.mtu = false
    policy.advert = false
  }
  return policy
}

// keepalived 2.2.7's defaults and inheritance on the LVS side, resolved into the model after
// parsing: a virtual_server's settings are the defaults of its real_servers, and a real_server's
// the defaults of its checkers (man keepalived.conf, "Virtual server(s)"). Each rule below was
// read off the healthchecker's own config dump (`keepalived -C -d`, see docs/config.md "LVS
// defaults"). Pure: writes the resolved fields, no diagnostics, no I/O.
import type { Checker, GlobalDefs, KeepalivedConfig, LvsMethod, RealServer, VirtualServer } from './model.js'

const SECOND_US = 1_000_000
/** KEEPALIVED 2.2.7: delay_loop and connect_timeout when no level sets them. */
const DELAY_LOOP_US = 60 * SECOND_US
const CONNECT_TIMEOUT_US = 5 * SECOND_US

/** Checkers that take the connection keywords (connect_ip ... connect_timeout). */
const CONNECTING = new Set(['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'SMTP_CHECK', 'DNS_CHECK', 'PING_CHECK', 'UDP_CHECK'])
/** Checkers that take alpha ... delay_loop (all but BFD_CHECK and FILE_CHECK). */
const TIMED = new Set([...CONNECTING, 'MISC_CHECK'])

/** Fields of a virtual_server / real_server that are undefined until resolved (Raw*). */
interface ServerTimers {
  alpha: boolean | undefined
  connectTimeoutUs: number | undefined
  retry: number | undefined
  delayBeforeRetryUs: number | undefined
  warmupUs: number | undefined
  delayLoopUs: number | undefined
  inhibitOnFailure: boolean | undefined
  virtualhost: string | undefined
}

export function resolveLvsDefaults (model: KeepalivedConfig): void {
  for (const vs of model.virtualServers) resolveVirtualServer(vs, model.globalDefs)
}

function resolveVirtualServer (vs: VirtualServer, g: GlobalDefs): void {
  const raw = { ...vs } as unknown as ServerTimers & { lvsMethod: LvsMethod | undefined, smtpAlert: boolean | undefined, protocol: VirtualServer['protocol'] | undefined }
  vs.alpha = raw.alpha ?? false
  vs.inhibitOnFailure = raw.inhibitOnFailure ?? false
  vs.connectTimeoutUs = raw.connectTimeoutUs ?? CONNECT_TIMEOUT_US
  vs.delayLoopUs = raw.delayLoopUs ?? DELAY_LOOP_US
  // KEEPALIVED 2.2.7: "no forwarding method set, setting default NAT"; the sorry server and real
  // servers take the virtual server's.
  vs.lvsMethod = raw.lvsMethod ?? { method: 'NAT', options: [] }
  vs.sorryServerLvsMethod ??= vs.lvsMethod
  // KEEPALIVED 2.2.7: "no protocol set - defaulting to UDP" (an address virtual server only).
  if (vs.key.kind === 'address') vs.protocol = raw.protocol ?? 'UDP'
  // man keepalived.conf: smtp_alert is off for a virtual server, on for a real server, unless
  // global_defs smtp_alert_checker (else smtp_alert) says otherwise.
  const globalAlert = g.smtpAlertChecker ?? g.smtpAlert
  vs.smtpAlert = raw.smtpAlert ?? globalAlert ?? false
  for (const rs of vs.realServers) resolveRealServer(rs, vs, raw, globalAlert, g)
}

function resolveRealServer (rs: RealServer, vs: VirtualServer, vsRaw: ServerTimers, globalAlert: boolean | undefined, g: GlobalDefs): void {
  const raw = { ...rs } as unknown as ServerTimers & { smtpAlert: boolean | undefined, lvsMethod: LvsMethod | undefined }
  rs.alpha = raw.alpha ?? vs.alpha
  rs.inhibitOnFailure = raw.inhibitOnFailure ?? vs.inhibitOnFailure
  rs.connectTimeoutUs = raw.connectTimeoutUs ?? vs.connectTimeoutUs
  rs.delayLoopUs = raw.delayLoopUs ?? vs.delayLoopUs
  // retry, delay_before_retry and warmup stay unset here unless written at either level: their
  // defaults depend on the checker (resolved on each checker below).
  rs.retry = raw.retry ?? vsRaw.retry
  rs.delayBeforeRetryUs = raw.delayBeforeRetryUs ?? vsRaw.delayBeforeRetryUs
  rs.warmupUs = raw.warmupUs ?? vsRaw.warmupUs
  rs.virtualhost = raw.virtualhost ?? vs.virtualhost
  rs.lvsMethod = raw.lvsMethod ?? vs.lvsMethod
  rs.smtpAlert = raw.smtpAlert ?? globalAlert ?? true
  rs.uthreshold ??= 0
  rs.lthreshold ??= 0
  for (const c of rs.checkers) resolveChecker(c, rs, g)
}

/** The checker's own defaults when no level sets retry / delay_before_retry (man keepalived.conf). */
function checkerRetryDefaults (type: string, delayLoopUs: number): { retry: number, delayBeforeRetryUs: number } {
  if (type === 'DNS_CHECK') return { retry: 3, delayBeforeRetryUs: delayLoopUs }
  if (type === 'MISC_CHECK') return { retry: 0, delayBeforeRetryUs: SECOND_US }
  if (type === 'HTTP_GET' || type === 'SSL_GET') return { retry: 1, delayBeforeRetryUs: 3 * SECOND_US }
  return { retry: 1, delayBeforeRetryUs: SECOND_US }
}

function resolveChecker (c: Checker, rs: RealServer, g: GlobalDefs): void {
  const f = c as Record<string, unknown>
  const or = <T>(field: string, dflt: T): T => (f[field] ?? dflt) as T
  if (c.type !== 'FILE_CHECK') f.alpha = or('alpha', rs.alpha)
  if (TIMED.has(c.type)) {
    const delayLoopUs = or('delayLoopUs', rs.delayLoopUs)
    const d = checkerRetryDefaults(c.type, delayLoopUs)
    f.delayLoopUs = delayLoopUs
    f.retry = or('retry', rs.retry ?? d.retry)
    f.delayBeforeRetryUs = or('delayBeforeRetryUs', rs.delayBeforeRetryUs ?? d.delayBeforeRetryUs)
    // KEEPALIVED: the first check starts at a random time within warmup, which is delay_loop
    // unless set (0 disables the scatter).
    f.warmupUs = or('warmupUs', rs.warmupUs ?? delayLoopUs)
    f.logAllFailures = or('logAllFailures', g.checkerLogAllFailures)
  }
  if (CONNECTING.has(c.type)) {
    f.connectTimeoutUs = or('connectTimeoutUs', rs.connectTimeoutUs)
    f.connectIp = or('connectIp', rs.address)
    f.connectPort = or('connectPort', rs.port)
  }
  if (c.type === 'HTTP_GET' || c.type === 'SSL_GET') {
    f.virtualhost = or('virtualhost', rs.virtualhost)
    for (const url of f.urls as Array<Record<string, unknown>>) {
      url.virtualhost ??= f.virtualhost
      url.statusCode ??= ['200-299']
    }
  }
  if (c.type === 'SMTP_CHECK') {
    // Each host { } connects to its connect_ip, by default the real server's port.
    for (const host of f.hosts as Array<Record<string, unknown>>) {
      host.connectIp ??= rs.address
      host.connectPort ??= rs.port
    }
  }
}

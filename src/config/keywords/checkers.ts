// Keyword tables of the real_server health checkers (keepalived 2.2.7): TCP_CHECK, HTTP_GET,
// SSL_GET (with url { }), SMTP_CHECK, DNS_CHECK, MISC_CHECK, BFD_CHECK, PING_CHECK, UDP_CHECK,
// FILE_CHECK, and the connection keywords they share. Parsed and typed; floatip does not run them.
import { alias, named, type KeywordSpec } from './spec.js'
import { blocks } from './apply.js'
import type { SourceLocation } from '../diagnostics.js'
import { custom, flag, int, ip, oneOf, str, text, timerUs, words } from './helpers.js'

const timer = (dflt?: number): KeywordSpec<number | undefined> => timerUs<number | undefined>(2 ** 31 / 1e6, dflt)

export const checkerCommonKeywords = {
  connect_ip: named('connectIp', ip()),
  connect_port: int(0, 65535),
  bindto: ip(),
  bind_if: str(),
  bind_port: int(0, 65535),
  fwmark: int(0, 2 ** 32 - 1),
  alpha: flag(),
  connect_timeout: named('connectTimeoutUs', timer()),
  retry: int(0, 2 ** 31 - 1),
  nb_get_retry: alias('retry'),
  delay_before_retry: named('delayBeforeRetryUs', timer()),
  warmup: named('warmupUs', timer()),
  delay_loop: named('delayLoopUs', timer()),
  log_all_failures: flag()
} as const

export const urlKeywords = {
  path: str(),
  digest: str(),
  status_code: words(1, Infinity, 'CODE|RANGE ...'),
  virtualhost: str(),
  regex: text(),
  regex_no_match: flag(),
  regex_options: words(1, Infinity, 'regex option names'),
  regex_stack: words(2, 2, 'START MAX'),
  regex_min_offset: int(0, 2 ** 31 - 1),
  regex_max_offset: int(0, 2 ** 31 - 1)
} as const

const httpKeywords = {
  ...checkerCommonKeywords,
  http_protocol: oneOf(['1.0', '1.1', '1.0C', '1.0c'] as const),
  fast_recovery: flag(),
  virtualhost: str(),
  enable_sni: flag(),
  url: named('urls', blocks(urlKeywords, () => ({}), { minArgs: 0, maxArgs: 0, expected: 'url { path ... }', blockName: () => 'url' }))
} as const

export const checkerKeywords = {
  TCP_CHECK: checkerCommonKeywords,
  HTTP_GET: httpKeywords,
  SSL_GET: httpKeywords,
  SMTP_CHECK: { ...checkerCommonKeywords, helo_name: text(), host: named('hosts', blocks(checkerCommonKeywords, () => ({}), { minArgs: 0, maxArgs: 0, expected: 'host { connect_ip ... }', blockName: () => 'host' })) },
  DNS_CHECK: { ...checkerCommonKeywords, type: oneOf(['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'] as const, 'SOA' as const), name: str('.') },
  MISC_CHECK: { ...checkerCommonKeywords, misc_path: text(), misc_timeout: named('miscTimeoutS', int(0, 2 ** 31 - 1)), misc_dynamic: flag(), user: words(1, 2, 'USERNAME [GROUPNAME]') },
  BFD_CHECK: { ...checkerCommonKeywords, name: str(), weight: words(1, 2, 'N [reverse]') },
  PING_CHECK: checkerCommonKeywords,
  UDP_CHECK: { ...checkerCommonKeywords, payload: str(), require_reply: custom<string | boolean>({ maxArgs: 1, initial: () => false, parse: (s) => s.args[0]?.text ?? true }), min_reply_length: int(0, 65535, 0), max_reply_length: int(0, 65535, 255) },
  FILE_CHECK: { ...checkerCommonKeywords, track_file: str(), dynamic: flag(), weight: words(1, 2, 'N [reverse]') }
} as const

export type CheckerType = keyof typeof checkerKeywords

/** A checker block of a real_server: its type plus the fields of that checker's table. */
export type Checker = { type: CheckerType, source: SourceLocation } & Record<string, unknown>
type CheckerSpec = KeywordSpec<Checker[]> & { readonly field: 'checkers' }

/** One spec per checker keyword, all appending to the real_server's `checkers` list. */
export function checkerSpecs (): Record<CheckerType, CheckerSpec> {
  const out: Record<string, CheckerSpec> = {}
  for (const [type, table] of Object.entries(checkerKeywords)) {
    const spec = blocks(table, () => ({ type: type as CheckerType }), { minArgs: 0, maxArgs: 0, expected: `${type} { ... }`, blockName: () => type })
    out[type] = { ...(spec as unknown as KeywordSpec<Checker[]>), field: 'checkers' }
  }
  return out as Record<CheckerType, CheckerSpec>
}

export const sslKeywords = {
  password: str(),
  ca: str(),
  certificate: str(),
  key: str()
} as const

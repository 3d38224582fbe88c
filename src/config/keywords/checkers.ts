// Keyword tables of the real_server health checkers (keepalived 2.2.7): TCP_CHECK, HTTP_GET,
// SSL_GET (with url { }), SMTP_CHECK (with host { }), DNS_CHECK, MISC_CHECK, BFD_CHECK, PING_CHECK,
// UDP_CHECK, FILE_CHECK, the keywords they share, and the global SSL block. Parsed and typed;
// floatip does not run them. Which checker takes which shared keyword follows what the 2.2.7
// binary registers (checked with `keepalived -t`, fixtures sections/checkers-*.conf).
import { deprecated, invalid, named, type ApplyContext, type KeywordSpec } from './spec.js'
import type { Statement } from '../tree.js'
import { splitQuotedEscaped } from '../lexer.js'
import { blocks } from './apply.js'
import type { SourceLocation } from '../diagnostics.js'
import { custom, flag, int, ip, oneOf, optionalFlag, scriptCommand, str, text, timerUs, words } from './helpers.js'

const timer = (dflt?: number): KeywordSpec<number | undefined> => timerUs<number | undefined>(2 ** 31 / 1e6, dflt)

/** How a checker connects: every checker except MISC_CHECK, BFD_CHECK and FILE_CHECK. */
export const checkerConnectionKeywords = {
  connect_ip: named('connectIp', ip()),
  // KEEPALIVED: ports 1-65535 ("Invalid checker connect_port '0'").
  connect_port: int(1, 65535),
  bindto: ip(),
  bind_if: str(),
  bind_port: int(1, 65535),
  fwmark: int(0, 2 ** 32 - 1),
  connect_timeout: named('connectTimeoutUs', timer())
} as const

/** The checker options from `alpha` on in man keepalived.conf, bar connect_timeout: all MISC_CHECK takes. */
// Unset (undefined) unless written: lvs-defaults.ts resolves them from the real_server.
export const checkerCommonKeywords = {
  alpha: optionalFlag(),
  retry: int(0, 2 ** 31 - 1),
  delay_before_retry: named('delayBeforeRetryUs', timer()),
  warmup: named('warmupUs', timer()),
  delay_loop: named('delayLoopUs', timer()),
  // KEEPALIVED: unset inherits global_defs checker_log_all_failures.
  log_all_failures: optionalFlag()
} as const

const connectingCheckerKeywords = { ...checkerConnectionKeywords, ...checkerCommonKeywords } as const

/**
 * UDP_CHECK <HEX_STR>: hex digits in free format over several words (`Ab12f 3 456`); in
 * require_reply an X stands for 4 ignored bits. Kept as written.
 */
function hexString (s: Statement, ctx: ApplyContext, mask: boolean): string | undefined {
  const bad = s.args.find((a) => !(mask ? /^[0-9a-fA-FxX\s]+$/ : /^[0-9a-fA-F\s]+$/).test(a.text))
  return bad === undefined ? s.args.map((a) => a.text).join(' ') : invalid(ctx, bad, `${s.keyword.text}: '${bad.text}' is not a hex string`, mask ? 'hex digits, X for a nibble to ignore' : 'hex digits')
}

/**
 * url `regex`: KEEPALIVED 2.2.7 reads its line with the script rules (quotes group, backslash
 * escapes: `regex "a\"b c"` is `a"b c`, `regex 'x  y'` is `x  y`; its generic pass still logs
 * "Unmatched quote" for the first) and takes exactly one word (checked with `keepalived -C -d`).
 */
const regex = (): KeywordSpec<string | undefined> => custom({
  minArgs: 1,
  expected: 'one regular expression (quote it if it has blanks)',
  scriptQuoting: true,
  initial: () => undefined,
  parse: (s, ctx) => {
    const line = splitQuotedEscaped(s.raw)
    if (!line.ok) {
      if (s.args.some((a) => a.unterminated === true)) return undefined // reported by the lexer
      return invalid(ctx, s.keyword, `regex: ${line.message}; keepalived ignores this regex`, 'balanced quotes; \\ for a literal backslash')
    }
    const w = line.words.slice(1).map((x) => ({ text: x.text, file: s.keyword.file, line: s.keyword.line, column: s.keyword.column + x.offset }))
    if (w.length === 1) return w[0].text
    // KEEPALIVED: logs "regex missing or too many fields" (`keepalived -t` still exits 0) and the url
    // has no regex. `regex"^OK"` is one word (regex^OK) to it.
    const at = w[1] ?? { file: s.keyword.file, line: s.keyword.line, column: s.keyword.column }
    const why = w.length === 0 ? 'reads no expression after regex (put a blank after the keyword)' : `takes one word, and reads ${w.map((x) => `'${x.text}'`).join(', ')}`
    ctx.diagnostics.warning({ code: w.length === 0 ? 'missing-argument' : 'extra-arguments', message: `regex: keepalived ${why}; it ignores this regex ("regex missing or too many fields")`, at, text: s.raw, expected: 'regex "EXPRESSION" (quote it if it has blanks)' })
    return undefined
  }
})

export const urlKeywords = {
  path: str(),
  digest: str(),
  status_code: words(1, Infinity, 'CODE|RANGE ...'),
  virtualhost: str(),
  regex: regex(),
  regex_no_match: flag(),
  regex_options: words(1, Infinity, 'regex option names'),
  regex_stack: words(2, 2, 'START MAX'),
  regex_min_offset: int(0, 2 ** 31 - 1),
  regex_max_offset: int(0, 2 ** 31 - 1)
} as const

const httpKeywords = {
  ...connectingCheckerKeywords,
  // KEEPALIVED 2.2.7 accepts nb_get_retry only in HTTP_GET/SSL_GET, warning that it is deprecated.
  nb_get_retry: named('retry', deprecated('retry', int(0, 2 ** 31 - 1))),
  http_protocol: oneOf(['1.0', '1.1', '1.0C', '1.0c'] as const, '1.0' as const),
  fast_recovery: flag(),
  virtualhost: str(),
  enable_sni: flag(),
  url: named('urls', blocks(urlKeywords, () => ({}), { minArgs: 0, maxArgs: 0, expected: 'url { path ... }', blockName: () => 'url' }))
} as const

export const checkerKeywords = {
  TCP_CHECK: connectingCheckerKeywords,
  HTTP_GET: httpKeywords,
  SSL_GET: httpKeywords,
  SMTP_CHECK: { ...connectingCheckerKeywords, helo_name: text('smtpchecker.keepalived.org'), host: named('hosts', blocks(connectingCheckerKeywords, () => ({}), { minArgs: 0, maxArgs: 0, expected: 'host { connect_ip ... }', blockName: () => 'host' })) },
  // `type` is the query type, `queryType` in the model (`type` names the checker).
  DNS_CHECK: { ...connectingCheckerKeywords, type: named('queryType', oneOf(['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'] as const, 'SOA' as const)), name: str('.') },
  MISC_CHECK: { ...checkerCommonKeywords, misc_path: scriptCommand(), misc_timeout: named('miscTimeoutS', int(0, 2 ** 31 - 1)), misc_dynamic: flag(), user: words(1, 2, 'USERNAME [GROUPNAME]') },
  // KEEPALIVED 2.2.7: BFD_CHECK takes only alpha of the shared keywords; FILE_CHECK none, and not the
  // `dynamic` its man page documents (the binary reports it as an unknown keyword).
  BFD_CHECK: { alpha: optionalFlag(), name: str() },
  PING_CHECK: connectingCheckerKeywords,
  UDP_CHECK: {
    ...connectingCheckerKeywords,
    payload: custom<string | undefined>({ minArgs: 1, expected: 'hex digits', initial: () => undefined, parse: (s, ctx) => hexString(s, ctx, false) }),
    require_reply: custom<string | boolean>({ expected: '[hex digits, X for a nibble to ignore]', initial: () => false, parse: (s, ctx) => s.args.length === 0 ? true : hexString(s, ctx, true) }),
    min_reply_length: int(0, 65535, 0),
    max_reply_length: int(0, 65535, 255)
  },
  FILE_CHECK: { track_file: str(), weight: words(1, 2, 'N [reverse]') }
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

// Spec builders for the common keepalived value shapes. Each builder fixes the argument count,
// the default, the validation and the message; tables compose them declaratively.
import type { Statement } from '../tree.js'
import type { Token } from '../lexer.js'
import { splitQuotedEscaped } from '../lexer.js'
import type { ApplyContext, KeywordSpec } from './spec.js'
import { invalid, locOf } from './spec.js'
import { parseBool, parseDecimal, parseInteger, parseSecondsToUs, ipFamily, parsePrefix, type Prefix } from '../values.js'

/** A keyword with no value (or an optional <BOOL>): `nopreempt`, `vrrp_strict on`. */
export function flag (initial = false): KeywordSpec<boolean> {
  return {
    minArgs: 0,
    maxArgs: 1,
    expected: 'no value or on|off|true|false|yes|no',
    initial: () => initial,
    parse: (stmt, ctx) => {
      const a = stmt.args[0]
      if (a === undefined) return true
      return parseBool(a.text) ?? invalid(ctx, a, `'${a.text}' is not a boolean`, 'on|off|true|false|yes|no')
    }
  }
}

/**
 * A flag whose absence matters: undefined unless written. KEEPALIVED: smtp_alert is -1 (unset) until
 * the config sets it, so an instance without it inherits global_defs smtp_alert_vrrp / smtp_alert.
 */
export function optionalFlag (): KeywordSpec<boolean | undefined> {
  const { parse, ...rest } = flag()
  return { ...rest, initial: () => undefined, parse: (stmt, ctx) => parse(stmt, ctx, false) }
}

/** `<BOOL>` with a required value. */
export function bool (initial: boolean): KeywordSpec<boolean> {
  return { ...flag(initial), minArgs: 1, expected: 'on|off|true|false|yes|no' }
}

export function int<D extends number | undefined = undefined> (min: number, max: number, initial?: D): KeywordSpec<number | D> {
  return {
    minArgs: 1,
    maxArgs: 1,
    expected: `an integer in ${min}-${max}`,
    initial: () => initial as D,
    parse: (stmt, ctx) => intArg(stmt.args[0], min, max, ctx, stmt.keyword.text)
  }
}

export function intArg (a: Statement['args'][number], min: number, max: number, ctx: ApplyContext, what: string): number | undefined {
  const v = parseInteger(a.text)
  if (v === undefined) return invalid(ctx, a, `${what}: '${a.text}' is not an integer`, `an integer in ${min}-${max}`)
  if (v < min || v > max) return invalid(ctx, a, `${what} ${v} is out of range`, `an integer in ${min}-${max}`, 'out-of-range')
  return v
}

export function decimal<D extends number | undefined = undefined> (min: number, max: number, initial?: D): KeywordSpec<number | D> {
  return {
    minArgs: 1,
    maxArgs: 1,
    expected: `a number in ${min}-${max}`,
    initial: () => initial as D,
    parse: (stmt, ctx) => {
      const a = stmt.args[0]
      const v = parseDecimal(a.text)
      if (v === undefined) return invalid(ctx, a, `${stmt.keyword.text}: '${a.text}' is not a number`, `a number in ${min}-${max}`)
      if (v < min || v > max) return invalid(ctx, a, `${stmt.keyword.text} ${v} is out of range`, `a number in ${min}-${max}`, 'out-of-range')
      return v
    }
  }
}

/** A <TIMER> keepalived requires to be > 0 although 0 is its default: 0 is reported and ignored. */
export function positiveTimerUs (maxSeconds: number): KeywordSpec<number> {
  const base = timerUs(maxSeconds, 0)
  return {
    ...base,
    parse: (stmt, ctx, prev) => {
      const v = base.parse(stmt, ctx, prev)
      if (v !== 0) return v
      // KEEPALIVED: rejects 0 ("is invalid") and keeps the default, which is 0.
      ctx.diagnostics.warning({ code: 'out-of-range', message: `${stmt.keyword.text} 0 is rejected by keepalived and ignored; 0 is already the default, remove the line`, at: { file: stmt.args[0].file, line: stmt.args[0].line, column: stmt.args[0].column }, text: '0', expected: `seconds in 0.000001-${maxSeconds}` })
      return undefined
    }
  }
}

/** keepalived <TIMER> (seconds, fractional) stored as integer microseconds. */
export function timerUs<D extends number | undefined = undefined> (maxSeconds: number, initial?: D, minSeconds = 0): KeywordSpec<number | D> {
  return {
    minArgs: 1,
    maxArgs: 1,
    expected: `seconds in ${minSeconds}-${maxSeconds} (fractions allowed)`,
    initial: () => initial as D,
    parse: (stmt, ctx) => {
      const a = stmt.args[0]
      const v = parseSecondsToUs(a.text)
      if (v === undefined) return invalid(ctx, a, `${stmt.keyword.text}: '${a.text}' is not a time in seconds`, `seconds in ${minSeconds}-${maxSeconds}`)
      if (v < minSeconds * 1e6 || v > maxSeconds * 1e6) return invalid(ctx, a, `${stmt.keyword.text} ${a.text}s is out of range`, `seconds in ${minSeconds}-${maxSeconds}`, 'out-of-range')
      return v
    }
  }
}

export function str<D extends string | undefined = undefined> (initial?: D, expected = 'a string'): KeywordSpec<string | D> {
  return { minArgs: 1, maxArgs: 1, expected, initial: () => initial as D, parse: (stmt) => stmt.args[0].text }
}

/** A value that is the rest of the line joined by blanks (e.g. `script` without quotes). */
export function text<D extends string | undefined = undefined> (initial?: D): KeywordSpec<string | D> {
  return { minArgs: 1, maxArgs: Infinity, expected: 'a string', initial: () => initial as D, parse: (stmt) => stmt.args.map((a) => a.text).join(' ') }
}

/** Zero or more words, kept as given. */
export function words (minArgs = 0, maxArgs = Infinity, expected = 'words'): KeywordSpec<string[] | undefined> {
  return { minArgs, maxArgs, expected, initial: () => undefined, parse: (stmt) => stmt.args.map((a) => a.text) }
}

export function oneOf<const V extends string, D extends V | undefined = undefined> (values: readonly V[], initial?: D, caseInsensitive = true): KeywordSpec<V | D> {
  return {
    minArgs: 1,
    maxArgs: 1,
    expected: values.join('|'),
    initial: () => initial as D,
    parse: (stmt, ctx) => {
      const a = stmt.args[0]
      const hit = values.find((v) => (caseInsensitive ? v.toLowerCase() === a.text.toLowerCase() : v === a.text))
      return hit ?? invalid(ctx, a, `${stmt.keyword.text}: '${a.text}' is not one of ${values.join(', ')}`, values.join('|'))
    }
  }
}

export function ip (): KeywordSpec<string | undefined> {
  return {
    minArgs: 1,
    maxArgs: 1,
    expected: 'an IPv4 or IPv6 address',
    initial: () => undefined,
    parse: (stmt, ctx) => {
      const a = stmt.args[0]
      return ipFamily(a.text) !== undefined ? a.text : invalid(ctx, a, `${stmt.keyword.text}: '${a.text}' is not an IP address`, 'an IPv4 or IPv6 address', 'invalid-address')
    }
  }
}

export function prefix (): KeywordSpec<Prefix | undefined> {
  return {
    minArgs: 1,
    maxArgs: 1,
    expected: 'IP[/prefix]',
    initial: () => undefined,
    parse: (stmt, ctx) => {
      const a = stmt.args[0]
      const p = parsePrefix(a.text)
      return 'error' in p ? invalid(ctx, a, p.error, 'IP[/prefix]', 'invalid-address') : p
    }
  }
}

/** A script with optional user and group: `notify_master "/path arg" [user [group]]`. */
export interface ScriptRef { command: string, user: string | undefined, group: string | undefined }

/**
 * The words after a script keyword as keepalived reads them: the statement's text split with
 * splitQuotedEscaped, and the script word itself checked the same way (keepalived splits it
 * into the argv with those rules). Undefined, after a diagnostic, when keepalived ignores it.
 */
export function scriptWords (stmt: Statement, ctx: ApplyContext): Token[] | undefined {
  const kw = stmt.keyword
  const at = (offset: number): Token => ({ ...kw, column: kw.column + offset })
  const line = splitQuotedEscaped(stmt.raw)
  if (!line.ok) {
    if (stmt.args.some((a) => a.unterminated === true)) return undefined // reported by the lexer
    // KEEPALIVED: "String '...': missing terminating ..." (a config error); the script is ignored.
    ctx.diagnostics.error({ code: 'unterminated-quote', message: `${kw.text}: ${line.message}; keepalived ignores this script`, at: locOf(kw), text: stmt.raw, expected: 'balanced quotes; \\ for a literal backslash' })
    return undefined
  }
  const words = line.words.slice(1).map((w): Token => ({ ...at(w.offset), text: w.text, quoted: false, offset: kw.offset + w.offset, end: kw.offset + w.offset }))
  if (words.length === 0) return undefined
  const argv = splitQuotedEscaped(words[0].text)
  if (!argv.ok) {
    ctx.diagnostics.error({ code: 'unterminated-quote', message: `${kw.text}: the script '${words[0].text}' has a ${argv.message} once its outer quotes are removed; keepalived ignores this script`, at: locOf(words[0]), text: words[0].text, expected: "quotes inside a quoted script written as \\\" or in '...'" })
    return undefined
  }
  if (argv.words.length === 0) {
    ctx.diagnostics.warning({ code: 'invalid-value', message: `${kw.text}: the script is empty; keepalived ignores it`, at: locOf(words[0]), text: stmt.raw, expected: 'a command' })
    return undefined
  }
  return words
}

function extraWords (stmt: Statement, words: Token[], max: number, ctx: ApplyContext, what: string): void {
  if (words.length <= max) return
  ctx.diagnostics.warning({
    code: 'extra-arguments',
    message: `${stmt.keyword.text}: keepalived ignores '${words.slice(max).map((w) => w.text).join(' ')}'${what}`,
    at: locOf(words[max]),
    text: words.slice(max).map((w) => w.text).join(' '),
    expected: 'the whole command in quotes, e.g. "/path/script arg1 arg2"'
  })
}

export function script (): KeywordSpec<ScriptRef | undefined> {
  return {
    minArgs: 1,
    expected: 'SCRIPT [username [groupname]] (quote a script that has arguments)',
    scriptQuoting: true,
    initial: () => undefined,
    parse: (stmt, ctx) => {
      const w = scriptWords(stmt, ctx)
      if (w === undefined) return undefined
      extraWords(stmt, w, 3, ctx, ` (it takes SCRIPT [username [groupname]]; quote a script that has arguments)`)
      return { command: w[0].text, user: w[1]?.text, group: w[2]?.text }
    }
  }
}

/** `script` of vrrp_script and `misc_path`: the script word only (keepalived ignores the rest). */
export function scriptCommand (): KeywordSpec<string | undefined> {
  return {
    minArgs: 1,
    expected: 'SCRIPT (quote a script that has arguments)',
    scriptQuoting: true,
    initial: () => undefined,
    parse: (stmt, ctx) => {
      const w = scriptWords(stmt, ctx)
      if (w === undefined) return undefined
      extraWords(stmt, w, 1, ctx, `: it runs only '${w[0].text}'; quote the whole command to pass arguments`)
      return w[0].text
    }
  }
}

/** `{ a b c }` block whose lines are plain words, e.g. notification_email, group. */
export function nameList (itemExpected = 'one name per line'): KeywordSpec<string[]> {
  return {
    block: 'required',
    minArgs: 0,
    maxArgs: 0,
    expected: itemExpected,
    repeatable: true,
    initial: () => [],
    parse: (stmt, _ctx, prev) => [...prev, ...(stmt.block ?? []).flatMap((s) => [s.keyword, ...s.args].map((t) => t.text))]
  }
}

/** Fully custom spec with the common shape filled in. */
export function custom<T> (spec: Partial<KeywordSpec<T>> & Pick<KeywordSpec<T>, 'initial' | 'parse'>): KeywordSpec<T> {
  return { minArgs: 0, maxArgs: Infinity, ...spec }
}

// Lexer for one preprocessed keepalived.conf line, with keepalived 2.2.7's two quoting rules
// (checked against the Debian binary; docs/config.md "Quoting"):
// - ordinary keywords: words split at blanks; `{` and `}` outside "..." are tokens of their own;
//   "..." makes one word without the quotes and with no escapes (a backslash is kept, `\"` does
//   not escape); a `"` inside a word ends the word; single quotes are plain characters.
// - script keywords (notify*, vrrp_script script, misc_path, ...) re-read the same text
//   shell-like: "..." and '...' group, quotes may join parts of a word, backslash escapes
//   (\t, \n, \xHH, \ooo, \cX, ...) everywhere: splitQuotedEscaped.
// Comments were already removed by the preprocessor. Never throws; reports unterminated quotes.
import type { DiagnosticSink } from './diagnostics.js'
import type { SourceLine } from './preprocess.js'

export interface Token {
  text: string
  kind: 'word' | 'open' | 'close'
  /** The word was written in "..." (the quotes are not part of text). */
  quoted: boolean
  file: string
  line: number
  column: number
  /** Offset of the token's first character (an opening quote included) in the line text. */
  offset: number
  /** Offset just past the token (its closing quote included). */
  end: number
  /** The rest of a line after a " that is never closed (reported; keepalived drops it). */
  unterminated?: true
}

/** keepalived's WHITE_SPACE: space, \t, \f, \n, \r, \v. */
const BLANK = /[ \t\f\n\r\v]/

export function isBlank (c: string): boolean { return BLANK.test(c) }

export function tokenizeLine (src: SourceLine, diagnostics: DiagnosticSink): Token[] {
  const tokens: Token[] = []
  const s = src.text
  const columnOf = (offset: number, text: string): number => {
    if (src.column !== undefined) return src.column + offset
    const found = text === '' ? -1 : src.source.indexOf(text)
    return found >= 0 ? found + 1 : src.source.length - src.source.trimStart().length + 1
  }
  const tokenAt = (offset: number, end: number): Pick<Token, 'file' | 'line' | 'column' | 'offset' | 'end'> =>
    ({ file: src.file, line: src.line, column: columnOf(offset, s.slice(offset, end)), offset, end })
  const push = (text: string, kind: Token['kind'], quoted: boolean, offset: number, end: number): void => {
    tokens.push({ text, kind, quoted, ...tokenAt(offset, end) })
  }
  let i = 0
  while (i < s.length) {
    const c = s[i]
    if (isBlank(c)) { i++; continue }
    if (c === '{' || c === '}') { push(c, c === '{' ? 'open' : 'close', false, i, i + 1); i++; continue }
    if (c === '"') {
      const close = s.indexOf('"', i + 1)
      if (close < 0) {
        // KEEPALIVED: "Unmatched quote" (a config error); the rest of the line is dropped.
        if (src.quoteReported !== true) {
          diagnostics.error({
            code: 'unterminated-quote',
            message: `missing closing "; keepalived reports "Unmatched quote" and ignores the rest of the line${s.includes('\\"') ? ' (a backslash does not escape " here)' : ''}`,
            at: { file: src.file, line: src.line, column: columnOf(i, s.slice(i, i + 8)) },
            text: s.slice(i),
            expected: 'a closing " on the same line'
          })
        }
        tokens.push({ ...tokenAt(i, s.length), text: s.slice(i + 1), kind: 'word', quoted: true, unterminated: true })
        break
      }
      push(s.slice(i + 1, close), 'word', true, i, close + 1)
      i = close + 1
      continue
    }
    const start = i
    while (i < s.length && !isBlank(s[i]) && s[i] !== '"' && s[i] !== '{' && s[i] !== '}') i++
    push(s.slice(start, i), 'word', false, start, i)
  }
  return tokens
}

/** A word of splitQuotedEscaped, with the offset of its first character in the input. */
export interface QuotedWord { text: string, offset: number }

export type SplitResult = { ok: true, words: QuotedWord[] } | { ok: false, message: string }

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }

/**
 * keepalived's reading of script lines and script strings (it applies it twice: to the line, then
 * to the script word): words split at blanks; "..." and '...' group and may join with the text
 * around them; a backslash escapes the next character in and out of quotes, with C escapes
 * (\a \b \E \f \n \r \t \v, \xHH... keeping the low byte, up to 3 octal digits, \cX control
 * characters). Fails on a missing closing quote or a backslash at the end, as keepalived does.
 */
export function splitQuotedEscaped (text: string): SplitResult {
  const words: QuotedWord[] = []
  let i = 0
  while (i < text.length) {
    while (i < text.length && isBlank(text[i])) i++
    if (i >= text.length) break
    const offset = i
    let word = ''
    let quote = ''
    while (i < text.length) {
      const c = text[i]
      if (c === '\\') {
        if (i + 1 >= text.length) return { ok: false, message: 'a backslash at the end has nothing to escape' }
        const esc = readEscape(text, i + 1)
        word += esc.value
        i = esc.next
      } else if (quote !== '') {
        if (c === quote) quote = ''
        else word += c
        i++
      } else if (c === '"' || c === "'") {
        quote = c
        i++
      } else if (isBlank(c)) {
        break
      } else {
        word += c
        i++
      }
    }
    if (quote !== '') return { ok: false, message: `missing closing ${quote}` }
    words.push({ text: word, offset })
  }
  return { ok: true, words }
}

function readEscape (s: string, i: number): { value: string, next: number } {
  const c = s[i]
  if (c === 'x' && /[0-9a-fA-F]/.test(s[i + 1] ?? '')) {
    // KEEPALIVED: every following hex digit is taken; the value wraps to one byte.
    const m = /^[0-9a-fA-F]+/.exec(s.slice(i + 1))![0]
    return { value: String.fromCharCode(parseInt(m.slice(-2), 16)), next: i + 1 + m.length }
  }
  if (c === 'c' && i + 1 < s.length) return { value: String.fromCharCode(s.charCodeAt(i + 1) & 0x1f), next: i + 2 }
  if (c >= '0' && c <= '7') {
    const m = /^[0-7]{1,3}/.exec(s.slice(i))![0]
    return { value: String.fromCharCode(parseInt(m, 8) & 0xff), next: i + m.length }
  }
  return { value: ESCAPES[c] ?? c, next: i + 1 }
}

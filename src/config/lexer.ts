// Lexer for one preprocessed keepalived.conf line: words separated by blanks, `{` and `}` as
// their own tokens, "..." and '...' quoting (quotes removed, blanks kept, shell-like escapes).
// Comments were already removed by the preprocessor. Never throws; reports unterminated quotes.
import type { DiagnosticSink } from './diagnostics.js'
import type { SourceLine } from './preprocess.js'

export interface Token {
  text: string
  kind: 'word' | 'open' | 'close'
  quoted: boolean
  file: string
  line: number
  column: number
}

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }

export function tokenizeLine (src: SourceLine, diagnostics: DiagnosticSink): Token[] {
  const tokens: Token[] = []
  const s = src.text
  let i = 0
  const columnOf = (offset: number, text: string): number => {
    if (src.column !== undefined) return src.column + offset
    const found = text === '' ? -1 : src.source.indexOf(text)
    return found >= 0 ? found + 1 : src.source.length - src.source.trimStart().length + 1
  }
  while (i < s.length) {
    const c = s[i]
    if (c === ' ' || c === '\t' || c === '\v' || c === '\f') { i++; continue }
    if (c === '{' || c === '}') {
      tokens.push({ text: c, kind: c === '{' ? 'open' : 'close', quoted: false, file: src.file, line: src.line, column: columnOf(i, c) })
      i++
      continue
    }
    const start = i
    let text = ''
    let quoted = false
    let quote = ''
    while (i < s.length) {
      const ch = s[i]
      if (quote !== '') {
        if (ch === quote) { quote = ''; i++; continue }
        if (ch === '\\' && i + 1 < s.length) {
          const esc = readEscape(s, i + 1)
          text += esc.value
          i = esc.next
          continue
        }
        text += ch
        i++
        continue
      }
      if (ch === ' ' || ch === '\t' || ch === '\v' || ch === '\f' || ch === '{' || ch === '}') break
      if (ch === '"' || ch === "'") { quote = ch; quoted = true; i++; continue }
      text += ch
      i++
    }
    if (quote !== '') {
      diagnostics.error({
        code: 'unterminated-quote',
        message: `missing closing ${quote}; the string runs to the end of the line`,
        at: { file: src.file, line: src.line, column: columnOf(start, s.slice(start, start + 8)) },
        text: s.slice(start),
        expected: `a closing ${quote} on the same line`
      })
    }
    tokens.push({ text, kind: 'word', quoted, file: src.file, line: src.line, column: columnOf(start, s.slice(start, i)) })
  }
  return tokens
}

function readEscape (s: string, i: number): { value: string, next: number } {
  const c = s[i]
  if (c in ESCAPES) return { value: ESCAPES[c], next: i + 1 }
  if (c >= '0' && c <= '7') {
    const m = /^[0-7]{1,3}/.exec(s.slice(i))![0]
    return { value: String.fromCharCode(parseInt(m, 8) & 0xff), next: i + m.length }
  }
  if (c === 'x') {
    const m = /^[0-9a-fA-F]+/.exec(s.slice(i + 1))?.[0]
    if (m !== undefined) return { value: String.fromCharCode(parseInt(m.slice(-2), 16)), next: i + 1 + m.length }
  }
  if (c === 'c' && i + 1 < s.length) return { value: String.fromCharCode(s.charCodeAt(i + 1) & 0x1f), next: i + 2 }
  return { value: c, next: i + 1 }
}

// keepalived.conf preprocessor: comments, `include` (globs, paths relative to the including file),
// `@id`/`@^id` conditional lines, `$NAME=value` definitions (multi-line with `\`), `$NAME` and
// `${NAME}` substitution (recursive, with keepalived's predefined _PWD/_INSTANCE/_RANDOM/_HASH/_BANG),
// and `~SEQ`/`~SEQx`/`~LST` sequence lines. Produces logical lines with their origin. Reads files
// only through the FileReader; every expansion is bounded in depth and output size.
import { posix as path } from 'node:path'
import type { FileReader } from './reader.js'
import type { DiagnosticSink } from './diagnostics.js'
import { expandSequence } from './sequence.js'

/** One logical line after preprocessing, with where it came from. */
export interface SourceLine {
  text: string
  file: string
  line: number
  /** Column (1-based) of text[0] in the source line, or undefined when text came from substitution. */
  column: number | undefined
  /** The source line with comments removed, for locating tokens of substituted lines. */
  source: string
  /** An unterminated " on this line was already reported (by the comment stripper). */
  quoteReported?: boolean
}

export interface PreprocessOptions {
  configId: string
  reader: FileReader
  diagnostics: DiagnosticSink
  random?: () => number
  /** Upper bound on produced lines (guards ~SEQ and recursive definitions). */
  maxLines?: number
}

const INCLUDE_WORDS = new Set(['include', 'includer', 'includem', 'includew', 'includeb', 'includea', 'includet'])
const MAX_DEPTH = 24
const MAX_INCLUDE_DEPTH = 32
const MAX_LINE_CHARS = 100_000
const LOOKS_LIKE_CONFIG = /\b(global_defs|vrrp_instance|vrrp_script|virtual_server|vrrp_sync_group)\b[^{}]*\{/

interface FileFrame { file: string, dir: string }

export class Preprocessor {
  readonly lines: SourceLine[] = []
  /** Every file read, main file first, in reading order. */
  readonly files: string[] = []
  private readonly defs = new Map<string, string>()
  private readonly stack: string[] = []
  private readonly maxLines: number
  private limitReported = false
  /** Lines examined, including intermediate expansions; bounded like the output. */
  private work = 0
  /** `file:line` of the last line whose unterminated " was reported while stripping comments. */
  private quoteReportedAt: string | undefined

  constructor (private readonly opts: PreprocessOptions) {
    this.maxLines = opts.maxLines ?? 4_000_000
  }

  run (file: string): SourceLine[] {
    let text: string
    try {
      text = this.opts.reader.readFile(file)
    } catch (err) {
      this.opts.diagnostics.error({
        code: 'read-failed',
        message: `cannot read configuration file: ${(err as Error).message}`,
        at: { file, line: 1, column: 1 },
        text: file,
        expected: 'a readable keepalived.conf'
      })
      return this.lines
    }
    this.processText(file, text)
    return this.lines
  }

  private processText (file: string, text: string): void {
    if (!this.files.includes(file)) this.files.push(file)
    this.stack.push(file)
    const frame: FileFrame = { file, dir: path.dirname(file) }
    const raw = text.split('\n')
    let pending: { name: string, parts: string[] } | undefined
    let warnedComment = false
    for (let i = 0; i < raw.length; i++) {
      if (this.full()) break
      const { code, comment, unterminated } = stripComment(raw[i].replace(/\r$/, ''))
      if (unterminated) {
        this.quoteReportedAt = `${file}:${i + 1}`
        // KEEPALIVED: "Unterminated quote" (a config error); the line is still read.
        this.opts.diagnostics.error({
          code: 'unterminated-quote',
          message: 'missing closing "; keepalived reports "Unterminated quote"',
          at: { file, line: i + 1, column: code.lastIndexOf('"') + 1 },
          text: truncate(code.trim()),
          expected: 'a closing " on the same line'
        })
      }
      if (!warnedComment && comment !== '' && LOOKS_LIKE_CONFIG.test(comment)) {
        warnedComment = true
        this.opts.diagnostics.warning({
          code: 'config-in-comment',
          message: 'this comment contains what looks like configuration; everything after # or ! is ignored, so line breaks may have been lost when copying',
          at: { file, line: i + 1, column: code.length + 1 },
          text: truncate(comment),
          expected: 'one keyword per line, comments after # or !'
        })
      }
      if (pending !== undefined) {
        const cont = /\\\s*$/.test(code)
        pending.parts.push(code.replace(/\\\s*$/, ''))
        if (!cont) { this.defs.set(pending.name, pending.parts.join('\n')); pending = undefined }
        continue
      }
      const def = /^\s*\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(code)
      if (def !== null && /\\\s*$/.test(def[2])) {
        const first = def[2].replace(/\\\s*$/, '').trim()
        pending = { name: def[1], parts: first === '' ? [] : [first] }
        continue
      }
      this.processLine(code, code, frame, i + 1, code.length - code.trimStart().length + 1, 0)
    }
    if (pending !== undefined) this.defs.set(pending.name, pending.parts.join('\n'))
    this.stack.pop()
  }

  private full (): boolean {
    if (this.lines.length < this.maxLines && this.work < this.maxLines * 4) return false
    if (!this.limitReported) {
      this.limitReported = true
      const last = this.lines[this.lines.length - 1]
      this.opts.diagnostics.error({
        code: 'expansion-limit',
        message: `configuration expands to more than ${this.maxLines} lines (or ${this.maxLines * 4} intermediate lines); stopped expanding`,
        at: { file: last?.file ?? '', line: last?.line ?? 1, column: 1 },
        text: '',
        expected: 'fewer ~SEQ/~LST repetitions or non-recursive definitions'
      })
    }
    return true
  }

  /** `column` is the 1-based source column of text's first non-blank char, undefined if substituted. */
  private processLine (text: string, source: string, frame: FileFrame, line: number, column: number | undefined, depth: number): void {
    this.work++
    if (this.full()) return
    const at = { file: frame.file, line, column: column ?? 1 }
    if (depth > MAX_DEPTH) {
      this.opts.diagnostics.error({ code: 'expansion-limit', message: 'definitions nest too deeply (recursive $NAME?)', at, text: truncate(text.trim()), expected: `at most ${MAX_DEPTH} levels of substitution` })
      return
    }
    let t = text.trimStart()
    let col = column === undefined ? undefined : column
    if (t === '') return
    const firstWord = /^\S+/.exec(t)?.[0] ?? ''
    if (INCLUDE_WORDS.has(firstWord)) { this.include(firstWord, t.slice(firstWord.length).trim(), frame, at); return }
    if (t.startsWith('@')) {
      const m = /^@(\^?)(\S*)\s*/.exec(t)!
      const matches = m[2] === this.opts.configId
      if (matches === (m[1] === '^')) return
      if (col !== undefined) col += m[0].length
      t = t.slice(m[0].length)
      if (t === '') return
    }
    const def = /^\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(t)
    if (def !== null) { this.defs.set(def[1], def[2].trim()); return }
    if (t.startsWith('~SEQ') || t.startsWith('~LST')) {
      const seq = expandSequence(t)
      if (!seq.ok) {
        this.opts.diagnostics.error({ code: 'invalid-sequence', message: seq.message, at, text: truncate(t), expected: '~SEQ(var, start, step, end), ~SEQx(...) or ~LST(var, v1, v2, ...)' })
        return
      }
      for (const binding of seq.bindings) {
        if (this.full()) return
        const saved = seq.vars.map((v) => this.defs.get(v))
        seq.vars.forEach((v, k) => this.defs.set(v, binding[k]))
        this.processLine(seq.rest, source, frame, line, undefined, depth + 1)
        seq.vars.forEach((v, k) => { const s = saved[k]; if (s === undefined) this.defs.delete(v); else this.defs.set(v, s) })
      }
      return
    }
    if (t.length > MAX_LINE_CHARS) {
      const how = column === undefined ? 'after substitution this line is' : 'this line is'
      this.opts.diagnostics.error({ code: 'expansion-limit', message: `${how} ${t.length} characters long, more than the ${MAX_LINE_CHARS} floatip reads; line dropped`, at, text: truncate(t), expected: `lines of at most ${MAX_LINE_CHARS} characters` })
      return
    }
    const undefinedNames: string[] = []
    const sub = this.substitute(t, frame, undefinedNames)
    if (sub.length > MAX_LINE_CHARS) {
      this.opts.diagnostics.error({ code: 'expansion-limit', message: `substituting $NAME definitions makes this line ${sub.length} characters long, more than ${MAX_LINE_CHARS} (a definition that refers to itself?); line dropped`, at, text: truncate(t), expected: 'definitions that do not grow without bound' })
      return
    }
    if (sub === t) {
      for (const name of new Set(undefinedNames)) this.reportUndefined(name, source, at)
    } else {
      for (const piece of sub.split('\n')) this.processLine(piece, source, frame, line, undefined, depth + 1)
      return
    }
    const quoteReported = this.quoteReportedAt === `${frame.file}:${line}`
    this.lines.push({ text: t, file: frame.file, line, column: col, source, ...(quoteReported ? { quoteReported } : {}) })
  }

  private reportUndefined (name: string, source: string, at: { file: string, line: number, column: number }): void {
    const i = source.search(new RegExp(`\\$\\{?${name}\\b`))
    // KEEPALIVED: an undefined $NAME stays in the line as written ("invalid IP $UNDEF").
    this.opts.diagnostics.warning({ code: 'undefined-variable', message: `$${name} is not defined (no '$${name}=...' line before this one); keepalived leaves the text '$${name}' as written`, at: i >= 0 ? { ...at, column: i + 1 } : at, text: `$${name}`, expected: `a $${name}=VALUE line before its first use` })
  }

  private substitute (text: string, frame: FileFrame, undefinedNames: string[] = []): string {
    if (!text.includes('$') || text.length > MAX_LINE_CHARS) return text
    return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)((?:\s+\d+){0,2})\s*\}|\$([A-Za-z_][A-Za-z0-9_]*)(?=\s|$)/g,
      (whole: string, braced: string | undefined, args: string | undefined, bare: string | undefined) => {
        const name = braced ?? bare ?? ''
        const value = this.lookup(name, (args ?? '').trim(), frame)
        if (value === undefined) undefinedNames.push(name)
        return value ?? whole
      })
  }

  private lookup (name: string, args: string, frame: FileFrame): string | undefined {
    switch (name) {
      case '_PWD': return frame.dir
      case '_INSTANCE': return this.opts.configId
      case '_HASH': return '#'
      case '_BANG': return '!'
      case '_RANDOM': {
        const [min = 0, max = 32767] = args === '' ? [] : args.split(/\s+/).map(Number)
        const r = this.opts.random ?? Math.random
        return String(min + Math.floor(r() * (Math.max(min, max) - min + 1)))
      }
      default: return args === '' ? this.defs.get(name) : undefined
    }
  }

  private include (word: string, arg: string, frame: FileFrame, at: { file: string, line: number, column: number }): void {
    const strict = word !== 'include'
    const report = (message: string, code: 'include-failed' | 'include-cycle' = 'include-failed'): void => {
      const d = { code, message, at, text: `${word} ${arg}`, expected: 'a path or glob matching readable files' }
      if (strict || code === 'include-cycle') this.opts.diagnostics.error(d)
      else this.opts.diagnostics.warning(d)
    }
    if (arg === '') { report(`${word} needs a file name or glob`); return }
    const pattern = unquote(arg.split(/\s+/)[0])
    const abs = path.isAbsolute(pattern) ? pattern : path.join(frame.dir, pattern)
    let matches: string[]
    try { matches = this.opts.reader.glob(abs) } catch (err) { report(`cannot expand ${abs}: ${(err as Error).message}`); return }
    if (matches.length === 0) { report(`no file matches ${abs}`); return }
    for (const file of matches) {
      if (this.stack.includes(file)) { report(`${file} includes itself (via ${this.stack.join(' -> ')})`, 'include-cycle'); continue }
      if (this.stack.length >= MAX_INCLUDE_DEPTH) { report(`includes nest deeper than ${MAX_INCLUDE_DEPTH} files`, 'include-cycle'); return }
      let text: string
      try { text = this.opts.reader.readFile(file) } catch (err) { report(`cannot read ${file}: ${(err as Error).message}`); continue }
      this.processText(file, text)
    }
  }
}

/**
 * Split a raw line into code and comment, as keepalived 2.2.7 does: `#` and `!` start a comment
 * outside "..." (single quotes do not protect them); a backslash makes the next character skip
 * the quote tracking, so `\"` does not open or close a quote here. `unterminated`: a " is left
 * open at the end of the line.
 */
export function stripComment (line: string): { code: string, comment: string, unterminated: boolean } {
  let quote = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === '"') quote = !quote
    else if (c === '\\' && i + 1 < line.length) {
      // KEEPALIVED 2.2.7 (vrrp process): `\#` and `\!` outside quotes still start a comment,
      // and the backslash goes with it.
      if (!quote && (line[i + 1] === '#' || line[i + 1] === '!')) return { code: line.slice(0, i), comment: line.slice(i + 1), unterminated: false }
      i++
    } else if (!quote && (c === '#' || c === '!')) return { code: line.slice(0, i), comment: line.slice(i), unterminated: false }
  }
  return { code: line, comment: '', unterminated: quote }
}

function unquote (s: string): string {
  return s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0] ? s.slice(1, -1) : s
}

export function truncate (s: string, max = 120): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s
}

export function preprocess (file: string, opts: PreprocessOptions): SourceLine[] {
  return new Preprocessor(opts).run(file)
}

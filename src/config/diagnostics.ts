// Config diagnostics: the Diagnostic record, its stable codes, the collector used while parsing,
// and the typed error thrown by callers that need a usable config. Owns no parsing logic and never
// prints: formatting for humans lives in format-diagnostics.ts.

export type Severity = 'error' | 'warning'

/** Stable machine-readable codes. Never rename one; add new ones. */
export type DiagnosticCode =
  | 'unknown-keyword' | 'keyword-wrong-block' | 'missing-argument' | 'extra-arguments'
  | 'invalid-value' | 'out-of-range' | 'invalid-address' | 'unexpected-block' | 'expected-block'
  | 'unmatched-close-brace' | 'unclosed-block' | 'unterminated-quote' | 'duplicate-keyword'
  | 'duplicate-name' | 'duplicate-vrid' | 'undefined-reference' | 'missing-interface'
  | 'missing-vrid' | 'nopreempt-with-master' | 'ineffective-weight' | 'fractional-advert-v2'
  | 'auth-pass-truncated' | 'include-failed' | 'include-cycle' | 'expansion-limit'
  | 'invalid-sequence' | 'empty-config' | 'config-in-comment' | 'read-failed'
  | 'unknown-block' | 'conflicting-options' | 'deprecated-keyword' | 'missing-required'
  | 'suspicious-interface' | 'missing-vip' | 'family-mismatch' | 'single-member-sync-group'
  | 'fractional-advert-v3' | 'undefined-variable' | 'diagnostics-dropped'
  | 'literal-quote' | 'script-disabled' | 'script-security'

export interface Diagnostic {
  severity: Severity
  code: DiagnosticCode
  message: string
  file: string
  /** 1-based line in `file`. */
  line: number
  /** 1-based column (in UTF-16 code units) of `text` on that line. */
  column: number
  /** The offending source text (a token, or the whole statement). */
  text: string
  /** What would have been accepted here, in words. */
  expected?: string
}

/** Where a token or statement came from. */
export interface SourceLocation {
  file: string
  line: number
  column: number
}

export interface DiagnosticInput {
  code: DiagnosticCode
  message: string
  at: SourceLocation
  text: string
  expected?: string
}

/** Collects diagnostics; bounded so a pathological input cannot exhaust memory. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = []
  private dropped = 0
  private droppedErrors = 0
  constructor (private readonly limit = 10_000) {}

  error (d: DiagnosticInput): void { this.push('error', d) }
  warning (d: DiagnosticInput): void { this.push('warning', d) }

  get errorCount (): number { return this.items.filter((d) => d.severity === 'error').length }
  get droppedCount (): number { return this.dropped }

  /** Appends, past the limit, one warning that says how many diagnostics were dropped. */
  reportDropped (file: string): void {
    if (this.dropped === 0) return
    // An error among the dropped ones still makes the config unusable.
    const severity: Severity = this.droppedErrors > 0 ? 'error' : 'warning'
    this.items.push({ severity, code: 'diagnostics-dropped', message: `${this.dropped} more diagnostic(s) (${this.droppedErrors} error(s)) were not recorded: at most ${this.limit} are kept; fix the ones shown and check again`, file, line: 1, column: 1, text: '' })
  }

  private push (severity: Severity, d: DiagnosticInput): void {
    if (this.items.length >= this.limit) {
      this.dropped++
      if (severity === 'error') this.droppedErrors++
      return
    }
    const out: Diagnostic = {
      severity,
      code: d.code,
      message: d.message,
      file: d.at.file,
      line: d.at.line,
      column: d.at.column,
      text: d.text
    }
    if (d.expected !== undefined) out.expected = d.expected
    this.items.push(out)
  }
}

/** Thrown by callers (not by the parser) when a config with errors cannot be used. */
export class ConfigError extends Error {
  readonly code = 'ERR_FLOATIP_CONFIG'
  readonly diagnostics: Diagnostic[]
  constructor (diagnostics: Diagnostic[], message?: string) {
    const errors = diagnostics.filter((d) => d.severity === 'error')
    const first = errors[0]
    super(message ?? (first === undefined
      ? 'configuration is not usable'
      : `configuration has ${errors.length} error(s); first: ${first.file}:${first.line}:${first.column}: ${first.message}`))
    this.name = 'ConfigError'
    this.diagnostics = diagnostics
  }
}

/** Stable ordering: by file, line, column, then insertion order. */
export function sortDiagnostics (list: Diagnostic[]): Diagnostic[] {
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.file < b.d.file ? -1 : a.d.file > b.d.file ? 1 : 0) ||
      a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map((x) => x.d)
}

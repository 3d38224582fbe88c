// Rendering of diagnostics (human text and JSON) and of the model as stable JSON (undefined
// becomes null so every documented field is present). Pure string building, no I/O.
import type { Diagnostic } from './diagnostics.js'
import type { KeepalivedConfig } from './model.js'

export function formatDiagnostic (d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity}[${d.code}]: ${d.message}`
  const lines = [head]
  if (d.text !== '') lines.push(`    found:    ${d.text}`)
  if (d.expected !== undefined) lines.push(`    expected: ${d.expected}`)
  return lines.join('\n')
}

export function summarize (diagnostics: Diagnostic[]): { errors: number, warnings: number, text: string } {
  const errors = diagnostics.filter((d) => d.severity === 'error').length
  const warnings = diagnostics.length - errors
  const verdict = errors === 0 ? 'configuration is usable' : 'configuration is NOT usable'
  return { errors, warnings, text: `${errors} error(s), ${warnings} warning(s): ${verdict}` }
}

export function formatReport (diagnostics: Diagnostic[]): string {
  return [...diagnostics.map(formatDiagnostic), summarize(diagnostics).text].join('\n') + '\n'
}

/** JSON of the model with undefined fields as null and keys in table order. */
export function modelToJson (model: KeepalivedConfig): string {
  return JSON.stringify(model, (_k, v: unknown) => (v === undefined ? null : v === Infinity ? null : v), 2)
}

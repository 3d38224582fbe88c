// The declarative keyword-table vocabulary: what a keyword spec is, the helpers that build specs
// (flag, int, timer, string, enum, sub-block, named blocks, aliases), and the type-level mapping
// from a table to its typed model (`ModelOf`). Applying a table to statements is in apply.ts.
// Must not know any particular keyword.
import type { DiagnosticSink, SourceLocation } from '../diagnostics.js'
import type { Statement } from '../tree.js'
import type { Token } from '../lexer.js'

/** Model object -> field (or valueKey(field) for its value) -> the token it was read from. */
export type FieldLocations = WeakMap<object, Map<string, Token>>

/** Where `key` (a field, or valueKey(field)) of `obj` was written, if it was. */
export function fieldLocation (locations: FieldLocations, obj: object, key: string): SourceLocation | undefined {
  const t = locations.get(obj)?.get(key)
  return t === undefined ? undefined : { file: t.file, line: t.line, column: t.column }
}

export interface ApplyContext {
  diagnostics: DiagnosticSink
  /** Where each field of a model object was set (for semantic checks). */
  fieldLocations: FieldLocations
  /** Optional hint for a keyword that is unknown here, e.g. the block it belongs to. */
  hintFor: (keyword: string, block: string) => string | undefined
}

export interface KeywordSpec<T> {
  readonly field?: string
  /** Whether the statement takes a `{ }` block. Default 'none'. */
  readonly block?: 'none' | 'required' | 'optional'
  readonly minArgs?: number
  readonly maxArgs?: number
  /** What the arguments should look like, for messages. */
  readonly expected?: string
  readonly initial: () => T
  /** Returns the new value, or undefined after reporting why the statement is unusable. */
  readonly parse: (stmt: Statement, ctx: ApplyContext, prev: T) => T | undefined
  /** Repeating the keyword is normal (lists, named blocks): no duplicate warning. */
  readonly repeatable?: boolean
  /**
   * The keyword reads its line with keepalived's script rules (lexer.ts splitQuotedEscaped), so
   * quotes and backslashes work there and need no warning.
   */
  readonly scriptQuoting?: boolean
  /** Set for keywords kept for compatibility; the value names the replacement. */
  readonly deprecatedFor?: string
  /**
   * The table the statement's `{ }` block is parsed with, when the block holds keywords (not
   * address/route/name items). Lets tools walk the grammar (keyword-coverage test, docs).
   */
  readonly table?: KeywordTable
}

export interface AliasSpec { readonly aliasOf: string }

export type AnySpec = KeywordSpec<any> | AliasSpec
export type KeywordTable = Readonly<Record<string, AnySpec>>

export type CamelCase<S extends string> =
  S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}`
    : S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S

type FieldOf<K extends string, S> = S extends { readonly field: infer F extends string } ? F : CamelCase<K>

/** The typed model a table produces: one field per non-alias keyword. */
export type ModelOf<T extends KeywordTable> = {
  -readonly [K in keyof T as T[K] extends AliasSpec ? never : FieldOf<K & string, T[K]>]:
  T[K] extends KeywordSpec<infer V> ? V : never
}

export function camelCase (s: string): string {
  return s.replace(/[-_]+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase())
}

export function isAlias (s: AnySpec): s is AliasSpec {
  return (s as AliasSpec).aliasOf !== undefined
}

export function alias (of: string): AliasSpec { return { aliasOf: of } }

/** Give a spec an explicit model field name (used to put units in names). */
export function named<const F extends string, T> (field: F, spec: KeywordSpec<T>): KeywordSpec<T> & { readonly field: F } {
  return { ...spec, field }
}

export function deprecated<T> (replacement: string, spec: KeywordSpec<T>): KeywordSpec<T> {
  return { ...spec, deprecatedFor: replacement }
}

export function locOf (t: Token): SourceLocation { return { file: t.file, line: t.line, column: t.column } }

export function stmtText (stmt: Statement): string {
  return [stmt.keyword, ...stmt.args].map((t) => (t.quoted || t.text.includes(' ') ? JSON.stringify(t.text) : t.text)).join(' ')
}

/** Report an invalid argument and return undefined, for use in parse functions. */
export function invalid (ctx: ApplyContext, tok: Token, message: string, expected: string, code: 'invalid-value' | 'out-of-range' | 'invalid-address' = 'invalid-value'): undefined {
  ctx.diagnostics.error({ code, message, at: locOf(tok), text: tok.text, expected })
  return undefined
}

// The keyword-table engine: applies a declarative table to the statements of one block, filling
// keepalived's defaults, checking argument counts and blocks, resolving synonyms, and reporting
// unknown keywords with the closest known one. Also the builders for sub-blocks and repeated
// named blocks, which need the engine. Knows no particular keyword.
import type { Statement } from '../tree.js'
import type { SourceLocation } from '../diagnostics.js'
import { closest } from '../suggest.js'
import { warnLiteralQuoting } from './quoting.js'
import { camelCase, isAlias, locOf, stmtText, type AnySpec, type ApplyContext, type KeywordSpec, type KeywordTable, type ModelOf } from './spec.js'

/** fieldLocations key of the first value token of `field` (the keyword's is under `field`). */
export function valueKey (field: string): string { return field + ':value' }

export function fieldName (keyword: string, spec: KeywordSpec<unknown>): string {
  return spec.field ?? camelCase(keyword)
}

/** A table's model fields: each keyword's field name, and the fields with their specs in order. */
interface TableFields {
  readonly byKeyword: ReadonlyMap<string, string>
  readonly list: ReadonlyArray<readonly [string, KeywordSpec<unknown>]>
}

/**
 * Each table's fields, worked out once per table: a config with hundreds of vrrp_instance blocks
 * fills the same ~150 fields for each (and a reload parses them all again). A cache of a pure
 * function of the immutable tables; it holds nothing of any config.
 */
const fieldCache = new WeakMap<KeywordTable, TableFields>()

function fieldsOf (table: KeywordTable): TableFields {
  let fields = fieldCache.get(table)
  if (fields === undefined) {
    const byKeyword = new Map<string, string>()
    const list: Array<readonly [string, KeywordSpec<unknown>]> = []
    for (const [kw, spec] of Object.entries(table)) {
      if (isAlias(spec)) continue
      const field = fieldName(kw, spec)
      byKeyword.set(kw, field)
      list.push([field, spec])
    }
    fields = { byKeyword, list }
    fieldCache.set(table, fields)
  }
  return fields
}

export function initialModel<T extends KeywordTable> (table: T): ModelOf<T> {
  const obj: Record<string, unknown> = {}
  for (const [field, spec] of fieldsOf(table).list) obj[field] = spec.initial()
  return obj as ModelOf<T>
}

export function applyTable<T extends KeywordTable> (table: T, blockName: string, stmts: readonly Statement[], ctx: ApplyContext, into?: ModelOf<T>): ModelOf<T> {
  const obj = (into ?? initialModel(table)) as Record<string, unknown>
  const seen = new Map<string, Statement>()
  let locs = ctx.fieldLocations.get(obj)
  if (locs === undefined) { locs = new Map(); ctx.fieldLocations.set(obj, locs) }
  for (const stmt of stmts) {
    const kw = stmt.keyword.text
    if (kw === '') continue
    let canonical = kw
    let spec: AnySpec | undefined = Object.prototype.hasOwnProperty.call(table, kw) ? table[kw] : undefined
    if (spec !== undefined && isAlias(spec)) { canonical = spec.aliasOf; spec = table[canonical] }
    if (spec === undefined || isAlias(spec)) { unknownKeyword(table, blockName, stmt, ctx); continue }
    // An unterminated " was reported by the lexer; keepalived drops the rest of the line (script
    // keywords read the whole line again, with their own quoting).
    if (spec.scriptQuoting !== true && stmt.args.some((a) => a.unterminated === true)) continue
    const s = checkShape(spec, blockName, stmt, ctx)
    if (s === undefined) continue
    if (spec.scriptQuoting !== true) warnLiteralQuoting(stmt, ctx)
    if (spec.deprecatedFor !== undefined) {
      ctx.diagnostics.warning({ code: 'deprecated-keyword', message: `'${kw}' is deprecated; use '${spec.deprecatedFor}'`, at: locOf(stmt.keyword), text: kw, expected: spec.deprecatedFor })
    }
    const field = fieldsOf(table).byKeyword.get(canonical) as string
    const before = seen.get(canonical)
    seen.set(canonical, stmt)
    const value = spec.parse(s, ctx, obj[field])
    if (value === undefined) continue
    // A repeat that leaves a plain value as it was (the same value again, or `state BACKUP` after
    // `state MASTER`, which keepalived ignores and the parser reports) overrides nothing.
    const unchanged = typeof value !== 'object' && value === obj[field]
    if (before !== undefined && spec.repeatable !== true && !unchanged) {
      ctx.diagnostics.warning({
        code: 'duplicate-keyword',
        message: `'${kw}' is set again in ${blockName}; the value at line ${before.keyword.line} is overridden`,
        at: locOf(stmt.keyword),
        text: stmtText(stmt),
        expected: `${kw} at most once per ${blockName}`
      })
    }
    obj[field] = value
    locs.set(field, stmt.keyword)
    if (s.args[0] !== undefined) locs.set(valueKey(field), s.args[0])
  }
  return obj as ModelOf<T>
}

/** Checks block presence and argument count; returns the statement trimmed to maxArgs. */
function checkShape (spec: KeywordSpec<unknown>, blockName: string, stmt: Statement, ctx: ApplyContext): Statement | undefined {
  const kw = stmt.keyword.text
  const shape = spec.block ?? 'none'
  if (shape === 'none' && stmt.ignoredOpen !== undefined) {
    // KEEPALIVED: uses the value, then skips the `{` ("Unexpected '{' - ignoring").
    ctx.diagnostics.error({ code: 'unexpected-block', message: `'${kw}' does not take a { } block; ${ignoredBraceNote(stmt, blockName)}`, at: locOf(stmt.ignoredOpen), text: kw + ' {', expected: spec.expected ?? 'a value on the same line' })
  }
  if (shape === 'required' && stmt.block === undefined) {
    ctx.diagnostics.error({ code: 'expected-block', message: `'${kw}' needs a { } block`, at: locOf(stmt.keyword), text: stmtText(stmt), expected: `${kw} { ${spec.expected ?? '...'} }` })
    return undefined
  }
  const min = spec.minArgs ?? 0
  const max = spec.maxArgs ?? Infinity
  if (stmt.args.length < min) {
    const last = stmt.args[stmt.args.length - 1] ?? stmt.keyword
    ctx.diagnostics.error({ code: 'missing-argument', message: `'${kw}' in ${blockName} needs ${min === 1 ? 'a value' : `${min} values`}`, at: { ...locOf(last), column: last.column + last.text.length }, text: stmtText(stmt), expected: spec.expected ?? `${min} value(s)` })
    return undefined
  }
  if (stmt.args.length > max) {
    const extra = stmt.args[max]
    ctx.diagnostics.warning({
      code: 'extra-arguments',
      message: `text after the value of '${kw}' is ignored (comments must start with # or !)`,
      at: locOf(extra),
      text: stmt.args.slice(max).map((t) => t.text).join(' '),
      expected: spec.expected ?? `at most ${max} value(s)`
    })
    return { ...stmt, args: stmt.args.slice(0, max) }
  }
  return stmt
}

function unknownKeyword (table: KeywordTable, blockName: string, stmt: Statement, ctx: ApplyContext): void {
  const kw = stmt.keyword.text
  const hint = ctx.hintFor(kw, blockName)
  const guess = hint === undefined ? closest(kw, Object.keys(table)) : undefined
  const where = blockName === '' ? 'at top level' : `in ${blockName}`
  ctx.diagnostics.warning({
    code: hint !== undefined ? 'keyword-wrong-block' : 'unknown-keyword',
    message: `unknown keyword '${kw}' ${where}${hint !== undefined ? ` (${hint})` : guess !== undefined ? ` (did you mean '${guess}'?)` : ''}${stmt.ignoredOpen !== undefined ? `; ${ignoredBraceNote(stmt, blockName)}` : ''}`,
    at: locOf(stmt.keyword),
    text: kw,
    expected: guess ?? `a ${blockName === '' ? 'top-level' : blockName.split(' ')[0]} keyword`
  })
}

/** Explains what keepalived makes of a `{` it ignores (see BlockRules in tree.ts). */
function ignoredBraceNote (stmt: Statement, blockName: string): string {
  const open = stmt.ignoredOpen!
  const close = stmt.enclosingClose
  if (blockName === '') return `keepalived ignores its '{' at ${open.line}:${open.column}, so the lines after it are read as top-level keywords`
  if (close === undefined) return `keepalived ignores its '{' at ${open.line}:${open.column}`
  return `keepalived ignores its '{', so the '}' at ${close.line}:${close.column} closes ${blockName}: the lines after it are outside that block`
}

/** A `{ }` sub-block parsed with its own table. */
export function block<T extends KeywordTable> (table: T, blockName: string): KeywordSpec<ModelOf<T>> {
  return {
    block: 'required',
    minArgs: 0,
    maxArgs: 0,
    table,
    initial: () => initialModel(table),
    parse: (stmt, ctx, prev) => applyTable(table, blockName, stmt.block ?? [], ctx, prev)
  }
}

export interface Sourced { source: SourceLocation }

/** Repeated blocks with a header (e.g. `vrrp_instance NAME {`, `real_server IP PORT {`), appended in order. */
export function blocks<T extends KeywordTable, H extends object> (
  table: T,
  header: (stmt: Statement, ctx: ApplyContext) => H | undefined,
  opts: { minArgs: number, maxArgs: number, expected: string, blockName: (h: H) => string, block?: 'required' | 'optional' }
): KeywordSpec<Array<H & Sourced & ModelOf<T>>> {
  return {
    block: opts.block ?? 'required',
    minArgs: opts.minArgs,
    maxArgs: opts.maxArgs,
    expected: opts.expected,
    repeatable: true,
    table,
    initial: () => [],
    parse: (stmt, ctx, prev) => {
      const h = header(stmt, ctx)
      if (h === undefined) return undefined
      const item = Object.assign({}, h, { source: locOf(stmt.keyword) }, initialModel(table))
      ctx.fieldLocations.set(item, new Map([['name', stmt.args[0] ?? stmt.keyword]]))
      applyTable(table, opts.blockName(h), stmt.block ?? [], ctx, item)
      return [...prev, item]
    }
  }
}

/** `keyword NAME { ... }` repeated blocks keyed by a name. */
export function namedBlocks<T extends KeywordTable> (table: T, kind: string): KeywordSpec<Array<{ name: string } & Sourced & ModelOf<T>>> {
  return blocks(table, (stmt) => ({ name: stmt.args[0].text }), { minArgs: 1, maxArgs: 1, expected: `${kind} NAME { ... }`, blockName: (h) => `${kind} ${h.name}` })
}

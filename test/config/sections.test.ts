// Keyword coverage of the fixtures: every keyword of every keyword table (found by walking the
// exports of src/config/keywords/*.ts and the `table` of each block keyword, so a table or keyword
// added later is found too) appears in some fixture under test/fixtures/config/ as a statement of a
// block parsed with that table. The fixtures are read with the project's own preprocessor and tree
// builder; the differential test then checks each of them against keepalived -t.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Preprocessor } from '../../src/config/preprocess.js'
import { buildTree, type Statement } from '../../src/config/tree.js'
import { DiagnosticSink } from '../../src/config/diagnostics.js'
import { createFsReader } from '../../src/config/fs-reader.js'
import { topLevelKeywords } from '../../src/config/keywords/top-level.js'
import { isAlias, type AnySpec, type KeywordTable } from '../../src/config/keywords/spec.js'
import { fixtureFiles } from './helpers.js'

const KEYWORDS_DIR = new URL('../../src/config/keywords/', import.meta.url)
const TOP = 'top level'

function isSpec (v: unknown): v is AnySpec {
  if (typeof v !== 'object' || v === null) return false
  return typeof (v as { initial?: unknown }).initial === 'function' || typeof (v as { aliasOf?: unknown }).aliasOf === 'string'
}

function isTable (v: unknown): v is KeywordTable {
  return typeof v === 'object' && v !== null && !isSpec(v) && Object.keys(v).length > 0 && Object.values(v).every(isSpec)
}

/** Exported tables of the keyword modules, and exported records of tables (checkerKeywords.X). */
async function exportedTables (): Promise<Map<string, KeywordTable>> {
  const out = new Map<string, KeywordTable>()
  for (const file of readdirSync(fileURLToPath(KEYWORDS_DIR)).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = await import(new URL(file.replace(/\.ts$/, '.js'), KEYWORDS_DIR).href) as Record<string, unknown>
    for (const [name, value] of Object.entries(mod)) {
      if (isTable(value)) out.set(`${file}: ${name}`, value)
      else if (typeof value === 'object' && value !== null && Object.keys(value).length > 0 && Object.values(value).every(isTable)) {
        for (const [key, table] of Object.entries(value as Record<string, KeywordTable>)) out.set(`${file}: ${name}.${key}`, table)
      }
    }
  }
  return out
}

/** The block kinds of the grammar: path of opening keywords (`virtual_server > real_server > HTTP_GET`) -> table. */
function blockKinds (): Map<string, KeywordTable> {
  const kinds = new Map<string, KeywordTable>([[TOP, topLevelKeywords]])
  const walk = (table: KeywordTable, path: string, depth: number): void => {
    if (depth > 10) throw new Error(`keyword tables nest deeper than 10 at ${path}`)
    for (const [kw, spec] of Object.entries(table)) {
      if (isAlias(spec) || spec.table === undefined) continue
      const child = path === TOP ? kw : `${path} > ${kw}`
      kinds.set(child, spec.table)
      walk(spec.table, child, depth + 1)
    }
  }
  walk(topLevelKeywords, TOP, 0)
  return kinds
}

/** Records, per block kind, the keywords written as statements of such a block (synonyms as written). */
function recordUse (stmts: readonly Statement[], table: KeywordTable, path: string, used: Map<string, Set<string>>): void {
  for (const stmt of stmts) {
    const kw = stmt.keyword.text
    if (!Object.prototype.hasOwnProperty.call(table, kw)) continue
    let set = used.get(path)
    if (set === undefined) { set = new Set(); used.set(path, set) }
    set.add(kw)
    const written = table[kw]
    const canonical = isAlias(written) ? written.aliasOf : kw
    const spec = table[canonical]
    if (spec === undefined || isAlias(spec) || spec.table === undefined || stmt.block === undefined) continue
    recordUse(stmt.block, spec.table, path === TOP ? canonical : `${path} > ${canonical}`, used)
  }
}

function fixtureUse (): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>()
  const reader = createFsReader()
  for (const file of fixtureFiles()) {
    const sink = new DiagnosticSink()
    const lines = new Preprocessor({ configId: 'fixture', reader, diagnostics: sink }).run(file)
    recordUse(buildTree(lines, sink), topLevelKeywords, TOP, used)
  }
  return used
}

t.test('every keyword of every table is used in a fixture, in a block of its kind', async (t) => {
  const kinds = blockKinds()
  const used = fixtureUse()
  const missing: string[] = []
  for (const [path, table] of kinds) {
    const seen = used.get(path) ?? new Set<string>()
    const absent = Object.keys(table).filter((kw) => !seen.has(kw))
    if (absent.length > 0) missing.push(`${path}: ${absent.join(', ')}`)
  }
  t.ok(kinds.size >= 25, `found ${kinds.size} block kinds`)
  // On failure the diff lists, per block kind, the keywords to add to a sections/ fixture (one
  // that keepalived -t accepts, or with an .expect listing what both report).
  t.same(missing, [], missing.length === 0 ? `all keywords of ${kinds.size} block kinds are used` : `${missing.length} block kind(s) have keywords no fixture uses`)
})

t.test('every exported keyword table is reachable from the top-level table', async (t) => {
  const reachable = [...blockKinds().values()]
  const exported = await exportedTables()
  t.ok(exported.size >= 15, `found ${exported.size} exported tables`)
  for (const [name, table] of exported) {
    // A fragment spread into other tables (checkerCommonKeywords) is covered through them.
    const home = reachable.find((r) => r === table || Object.entries(table).every(([kw, spec]) => r[kw] === spec))
    t.ok(home !== undefined, `${name} is the table of a block kind, or spread into one`)
  }
})

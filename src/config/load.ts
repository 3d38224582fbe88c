// Entry point of the config parser: loadConfig(path) runs preprocess -> tree -> keyword tables ->
// defaults and semantic checks, and returns the typed model with every diagnostic. Pure given the
// FileReader (default: node:fs); never touches the kernel and never throws on bad input.
import { hostname } from 'node:os'
import { posix as path } from 'node:path'
import { DiagnosticSink, type Diagnostic } from './diagnostics.js'
import type { FileReader } from './reader.js'
import { createFsReader } from './fs-reader.js'
import { Preprocessor } from './preprocess.js'
import { buildTree } from './tree.js'
import { blockRules } from './keywords/block-rules.js'
import { applyTable } from './keywords/apply.js'
import { buildKeywordIndex, topLevelKeywords } from './keywords/top-level.js'
import type { ApplyContext, FieldLocations } from './keywords/spec.js'
import { MODEL_VERSION, type KeepalivedConfig, type VrrpInstance } from './model.js'
import { resolveAndCheck } from './semantic.js'

export interface LoadOptions {
  /** Matches `@id` lines; default: the host name up to the first dot, as keepalived. */
  configId?: string
  reader?: FileReader
  /** Source of ${_RANDOM}; default Math.random. */
  random?: () => number
  /** Bound on lines produced by the preprocessor. */
  maxLines?: number
  /** Configs of the other nodes, to check that tracking weights can move mastership. */
  peerConfigs?: string[]
}

export interface LoadResult {
  model: KeepalivedConfig
  diagnostics: Diagnostic[]
  /** True when there is no error (warnings allowed). */
  ok: boolean
  /**
   * Where each model object's fields were written: object -> field -> the keyword's token, and
   * `valueKey(field)` -> its first value's token. For checks made after parsing (script files).
   */
  locations: FieldLocations
}

export type { FieldLocations } from './keywords/spec.js'

/** Diagnostics in file order (the order `files` were read), then line, column and insertion. */
export function sortByFile (list: readonly Diagnostic[], files: readonly string[]): Diagnostic[] {
  const order = new Map(files.map((f, i) => [f, i]))
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => ((order.get(a.d.file) ?? -1) - (order.get(b.d.file) ?? -1)) || a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map((x) => x.d)
}

const keywordIndex = buildKeywordIndex()
const rules = blockRules(topLevelKeywords)
function hintFor (keyword: string, blockName: string): string | undefined {
  const homes = keywordIndex.get(keyword)
  const here = blockName === '' ? 'top level' : blockName.split(' ')[0]
  if (homes === undefined || homes.includes(here)) return undefined
  return `'${keyword}' belongs in ${homes.join(' or ')}`
}

export function defaultConfigId (): string {
  return hostname().split('.')[0]
}

export function loadConfig (file: string, options: LoadOptions = {}): LoadResult {
  const reader = options.reader ?? createFsReader()
  const configId = options.configId ?? defaultConfigId()
  const abs = path.isAbsolute(file) ? file : path.join(process.cwd(), file)
  const sink = new DiagnosticSink()
  const pre = new Preprocessor({ configId, reader, diagnostics: sink, random: options.random, maxLines: options.maxLines })
  const lines = pre.run(abs)
  const tree = buildTree(lines, sink, rules)
  const ctx: ApplyContext = { diagnostics: sink, fieldLocations: new WeakMap(), hintFor }
  const top = applyTable(topLevelKeywords, '', tree, ctx)
  const model = { modelVersion: MODEL_VERSION, files: pre.files, configId, ...top } as unknown as KeepalivedConfig
  const peers: VrrpInstance[] = []
  for (const peerFile of options.peerConfigs ?? []) {
    const r = loadConfig(peerFile, { ...options, peerConfigs: [] })
    peers.push(...r.model.vrrpInstances)
  }
  resolveAndCheck(model, ctx.fieldLocations, sink, peers)
  sink.reportDropped(abs)
  const diagnostics = sortByFile(sink.items, pre.files)
  return { model, diagnostics, ok: !diagnostics.some((d) => d.severity === 'error'), locations: ctx.fieldLocations }
}

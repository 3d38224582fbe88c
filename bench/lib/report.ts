// Output helpers for the benches: number formatting, markdown tables (printed to stdout and pasted
// into the READMEs as they are), ratios, and the JSON file in bench/results/ with the machine's
// description. Pure except writeResults.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Summary } from '../stats.js'

/** µs as ms with `digits` decimals; '-' for a missing value. */
export function ms (us: number | undefined | null, digits = 1): string {
  return us === undefined || us === null || !Number.isFinite(us) ? '-' : (us / 1000).toFixed(digits)
}

/** "min / p50 / p90 / max" in ms. */
export function spread (s: Summary | undefined, digits = 1): string {
  if (s === undefined || s.n === 0) return '-'
  return [s.min, s.p50, s.p90, s.max].map((v) => ms(v, digits)).join(' / ')
}

export function ratio (a: number | undefined, b: number | undefined, digits = 2): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '-'
  return (a / b).toFixed(digits)
}

export function markdownTable (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export function machine (): Record<string, unknown> {
  return { node: process.version, kernel: release(), cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg: loadavg() }
}

/** Writes bench/results/<name>.json (from dist/bench/lib/ back to the source tree) and returns its path. */
export function writeResults (name: string, data: Record<string, unknown>): string {
  const dir = fileURLToPath(new URL('../../../bench/results/', import.meta.url))
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${name}.json`)
  writeFileSync(path, JSON.stringify({ bench: name, date: new Date().toISOString(), machine: machine(), ...data }, null, 2) + '\n')
  return path
}

// Shared helpers for the config tests: fixture discovery and expectation files.
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join, relative } from 'node:path'

export const FIXTURES = fileURLToPath(new URL('../fixtures/config/', import.meta.url))

export function fixtureFiles (): string[] {
  const out: string[] = []
  for (const dir of ['seeds', 'broken', 'sections', 'include']) {
    const abs = join(FIXTURES, dir)
    if (!existsSync(abs)) continue
    for (const f of readdirSync(abs).sort()) if (f.endsWith('.conf')) out.push(join(abs, f))
  }
  return out
}

/**
 * One line of a NAME.expect file: `severity code [FILE:]LINE:COLUMN fragment of the message`;
 * FILE (relative to the fixture's folder) only for diagnostics in an included file.
 */
export interface Expectation { key: string, fragment: string }

/** The expectations of NAME.conf (missing file: no diagnostics expected), in file order. */
export function expectations (conf: string): Expectation[] {
  const file = conf.replace(/\.conf$/, '.expect')
  if (!existsSync(file)) return []
  const out: Expectation[] = []
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const l = raw.trim()
    if (l === '' || l.startsWith('#')) continue
    const m = /^(error|warning) (\S+) ((?:\S+:)?\d+:\d+) (.+)$/.exec(l)
    if (m === null) throw new Error(`${file}: malformed line '${l}' (want: severity code [FILE:]LINE:COLUMN message fragment)`)
    out.push({ key: `${m[1]} ${m[2]} ${m[3]}`, fragment: m[4] })
  }
  return out
}

/** The key an .expect line gives a diagnostic of the fixture `conf`. */
export function expectationKey (conf: string, d: { severity: string, code: string, file: string, line: number, column: number }): string {
  const where = d.file === conf ? '' : relative(dirname(conf), d.file) + ':'
  return `${d.severity} ${d.code} ${where}${d.line}:${d.column}`
}

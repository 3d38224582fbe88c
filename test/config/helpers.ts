// Shared helpers for the config tests: fixture discovery and expectation files.
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

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

/** `severity code line` per line of NAME.expect (missing file: no diagnostics expected). */
export function expectations (conf: string): string[] {
  const file = conf.replace(/\.conf$/, '.expect')
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).sort()
}

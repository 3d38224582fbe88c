// The folder tree is the architecture (../shared/STYLE.md): this test is the lint rule per folder.
// The pure layers import no I/O; only src/native/binding.ts loads the addon.
import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

function sources (dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...sources(path))
    else if (name.endsWith('.ts')) out.push(path)
  }
  return out
}

function importsOf (file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((m) => m[1] ?? m[2])
}

const PURE_LAYERS = ['src/protocol', 'src/core']
const FORBIDDEN_IN_PURE = [/^node:/, /^pino/, /^commander/, /\/native\//, /\/io\//, /\/engine\//, /\/daemon\//, /\/lab\//, /\/cli\//, /^\.\.\/native/, /^\.\.\/io/, /^\.\.\/engine/, /^\.\.\/daemon/]

for (const layer of PURE_LAYERS) {
  t.test(`${layer} is pure: no node:*, no I/O layers, no logging`, async (t) => {
    for (const file of sources(join(ROOT, layer))) {
      for (const spec of importsOf(file)) {
        const bad = FORBIDDEN_IN_PURE.find((re) => re.test(spec))
        t.notOk(bad, `${relative(ROOT, file)} imports ${spec}`)
      }
    }
  })
}

t.test('src/core does not depend on the codec or the config parser', async (t) => {
  for (const file of sources(join(ROOT, 'src/core'))) {
    for (const spec of importsOf(file)) t.notMatch(spec, /\.\.\/(protocol|config)\//, `${relative(ROOT, file)} imports ${spec}`)
  }
})

t.test('only src/native/binding.ts loads the addon', async (t) => {
  for (const file of sources(join(ROOT, 'src'))) {
    const rel = relative(ROOT, file)
    if (rel === 'src/native/binding.ts') continue
    const text = readFileSync(file, 'utf8')
    t.notMatch(text, /node-gyp-build|\.node['"]/, `${rel} must import the typed wrappers in src/native instead`)
    for (const spec of importsOf(file)) t.not(spec.endsWith('/binding.js') && !rel.startsWith('src/native/'), true, `${rel} imports ${spec}`)
  }
})

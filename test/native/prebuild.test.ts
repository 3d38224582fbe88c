// The N-API prebuild in prebuilds/ is what loads when no local build is used (PREBUILDS_ONLY=1,
// as on a machine without a compiler), and it was built from the native/ sources in this tree.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { runTsChild } from '../helpers/child.js'
import { packageRoot } from '../../src/native/index.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/which-binding.ts', import.meta.url))

t.test('PREBUILDS_ONLY=1 loads prebuilds/linux-x64 and it matches native/ sources', async (t) => {
  t.ok(existsSync(join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`)), 'a prebuild for this platform is committed')
  const result = await runTsChild(FIXTURE, [], { env: { ...process.env, PREBUILDS_ONLY: '1' }, timeoutMs: 20_000 })
  t.equal(result.code, 0, result.stderr.slice(0, 500))
  const report = JSON.parse(result.stdout) as { path: string, sourceHash: string, abi: number, clock: boolean }
  t.match(report.path, new RegExp(`/prebuilds/${process.platform}-${process.arch}/[^/]+\\.node$`))
  const expected = execFileSync(process.execPath, [join(packageRoot, 'native', 'source-hash.cjs')], { encoding: 'utf8' })
  t.equal(report.sourceHash, expected, 'the prebuild was built from these native sources (else run: npm run prebuild)')
  t.equal(report.clock, true)
})

// `npm run bench`: runs every benchmark in turn, each in its own process (each builds and removes
// its own lab), and prints their tables. Results: bench/results/*.json.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BENCHES = ['cadence.js', 'parse-config.js']
let failed = 0
for (const name of BENCHES) {
  console.log(`\n=== ${name.replace('.js', '')} ===`)
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(name, import.meta.url)), ...process.argv.slice(2)], { stdio: 'inherit', timeout: 600_000 })
  if (result.status !== 0) failed++
}
process.exitCode = failed === 0 ? 0 : 1

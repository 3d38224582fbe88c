// `npm run bench`: runs every benchmark in turn, each in its own process (each builds and removes
// its own lab), and prints their tables. Results: bench/results/*.json.
//   npm run bench                       all of them (~15 min)
//   npm run bench -- failover cost      only these
//   npm run bench -- --quick            the short profile of each (~2-3 min in all)
//   npm run bench -- failover --quick --reps 5 --only v3-10ms
// Words that name a bench select it; every other argument goes to each bench.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BENCHES = ['cadence', 'parse-config', 'failover', 'cost', 'start']
/** Generous bounds: a bench that hangs is killed and counted as failed. */
const TIMEOUT_MS = 40 * 60_000

const argv = process.argv.slice(2)
const selected = argv.filter((a) => BENCHES.includes(a))
const passed = argv.filter((a) => !BENCHES.includes(a))
const quick = passed.includes('--quick')
let failed = 0
for (const name of selected.length > 0 ? selected : BENCHES) {
  console.log(`\n=== ${name} ===`)
  // cadence.ts predates --quick: its short profile is one window per row.
  const extra = name === 'cadence' && quick && !passed.includes('--seconds') ? ['--seconds', '1'] : []
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(`${name}.js`, import.meta.url)), ...passed, ...extra], { stdio: 'inherit', timeout: TIMEOUT_MS })
  if (result.status !== 0) {
    failed++
    console.log(`${name}: failed (${result.error?.message ?? `exit ${String(result.status ?? result.signal)}`})`)
  }
}
process.exitCode = failed === 0 ? 0 : 1

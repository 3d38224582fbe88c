// `npm run demo` as a user runs it (the built dist/src/demo/main.js, which builds its own lab),
// bounded in time: it exits 0, its table has every scenario with a bound, a takeover and a client
// outage, the VIP ends on exactly one router, and no namespace or config directory of its lab
// is left behind. Whether the figures are near their bounds is the demo's own verdict
// (src/demo/verdict.ts, unit-tested below); this test checks that it ran and reported.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packageRoot } from '../../src/native/index.js'
import { listNamespaces } from '../../src/lab/index.js'
import { limitMs, overLimit } from '../../src/demo/verdict.js'
import type { ResultRow } from '../../src/demo/report.js'
import { runNodeChild } from '../helpers/child.js'

const DEMO = join(packageRoot, 'dist', 'src', 'demo', 'main.js')
/** The demo takes 2-4 s; a loaded machine may take several times that. */
const DEMO_TIMEOUT_MS = 60_000
const SCENARIOS = [
  'crash: SIGKILL floatip on r1',
  'restore: r1 restarts, preempts',
  'power-off: SIGKILL + cable pulled',
  'restore: r1 restarts, preempts',
  'graceful: SIGTERM floatip on r1'
]
// "  crash: SIGKILL floatip on r1     36.1 ms    35.4 ms     0.0 ms*"
const ROW = /^ {2}(\S.*?)\s{2,}([\d.]+) ms\s+([\d.]+) ms\s+([\d.]+) ms\*?$/

t.test('npm run demo: exits 0, reports every scenario, leaves one master and no lab behind', async (t) => {
  const run = await runNodeChild(DEMO, [], { timeoutMs: DEMO_TIMEOUT_MS })
  const prefix = `fip-${run.pid}-`
  t.teardown(() => { removeLeftovers(prefix) })
  if (run.code !== 0) t.comment(run.stdout.split('\n').slice(-40).join('\n') + run.stderr)
  t.notOk(run.timedOut, `finished within ${DEMO_TIMEOUT_MS} ms`)
  t.equal(run.code, 0, 'exit status 0')

  const lines = run.stdout.split('\n')
  const rows = lines.map((l) => ROW.exec(l)).filter((m) => m !== null).map((m) => ({
    scenario: m[1], boundMs: Number(m[2]), takeoverMs: Number(m[3]), outageMs: Number(m[4])
  }))
  t.strictSame(rows.map((r) => r.scenario), SCENARIOS, 'the table has one row per scenario, in order')
  for (const r of rows) {
    t.ok(r.boundMs > 0 && r.takeoverMs > 0 && r.outageMs >= 0 && Number.isFinite(r.outageMs),
      `${r.scenario}: bound ${r.boundMs} ms, takeover ${r.takeoverMs} ms, outage ${r.outageMs} ms`)
  }
  t.ok(lines.some((l) => l.includes('every takeover and client outage is within')), 'the demo judged its figures within their limit')

  // The graceful stop is last: r1 removed its VIP, r2 holds it alone.
  const holders = lines.map((l) => /the VIP is on: (.*)$/.exec(l)?.[1]).filter((h) => h !== undefined)
  t.equal(holders.at(-1), 'r2', 'the VIP ends on r2 only')

  t.ok(lines.some((l) => l.endsWith('daemons stopped, lab removed')), 'the demo says it cleaned up')
  t.strictSame(listNamespaces().filter((ns) => ns.startsWith(prefix)), [], `no namespace ${prefix}* left`)
  t.strictSame(readdirSync(tmpdir()).filter((f) => f.startsWith(`floatip-${prefix}`)), [], 'no config directory left')
})

/**
 * A demo ended by the time-out can leave its lab behind: the namespaces named after its pid (so
 * made by this test's child) are emptied by pid and deleted, after the assertions above saw them.
 */
function removeLeftovers (prefix: string): void {
  for (const ns of listNamespaces().filter((n) => n.startsWith(prefix))) {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter((p) => /^\d+$/.test(p))
    for (const pid of pids) { try { process.kill(Number(pid), 'SIGKILL') } catch { /* already gone */ } }
    try { execFileSync('ip', ['netns', 'del', ns]) } catch { /* reported by the assertion above */ }
  }
}

t.test('the demo\'s verdict: a figure over 3 x its bound + 250 ms fails the run', async (t) => {
  const row = (takeoverMs: number, outageMs: number): ResultRow =>
    ({ scenario: 'crash', boundUs: 36_100, takeoverUs: takeoverMs * 1000, outageMs, probePausedMs: 0 })
  t.equal(limitMs({ boundUs: 36_100 }), 3 * 36.1 + 250)
  t.strictSame(overLimit([row(35, 0), row(358, 358)]), [], 'at or under the limit passes')
  t.strictSame(overLimit([row(359, 0)]), ['crash: takeover 359.0 ms > 358.3 ms'])
  t.strictSame(overLimit([row(30, 2000)]), ['crash: client outage 2000.0 ms > 358.3 ms'])
})

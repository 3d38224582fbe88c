// `floatip check-config` and `floatip dump-config` as users run them: the built CLI
// (dist/src/cli/main.js, made by `npm run build:ts`) in a child process, on fixture configs.
// Checks exit codes (0 usable, 1 errors, 2 warnings with --strict), the --json shapes
// documented in docs/config.md, and that dump-config prints the model keepalived would run.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { FIXTURES } from '../config/helpers.js'

const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url))

function floatip (...args: string[]): { code: number | null, stdout: string, stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args, '-i', 'fixture'], { encoding: 'utf8', timeout: 30_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const CLEAN = join(FIXTURES, 'include', 'glob.conf')
const WARNINGS_ONLY = join(FIXTURES, 'broken', 'no-vip.conf')
const ERRORS = join(FIXTURES, 'broken', 'unknown-keyword-block.conf')

t.test('check-config exits 0 on a usable config and 1 on errors, naming file:line:column', async (t) => {
  t.equal(floatip('check-config', '-f', CLEAN).code, 0)
  const bad = floatip('check-config', '-f', ERRORS)
  t.equal(bad.code, 1)
  t.match(bad.stdout, `${ERRORS}:5:3: warning[unknown-keyword]`)
  t.match(bad.stdout, /NOT usable/)
})

t.test('check-config --strict exits 2 on warnings only, 0 without --strict', async (t) => {
  t.equal(floatip('check-config', '-f', WARNINGS_ONLY).code, 0)
  t.equal(floatip('check-config', '--strict', '-f', WARNINGS_ONLY).code, 2)
  t.equal(floatip('check-config', '--strict', '-f', CLEAN).code, 0)
})

t.test('check-config --json: ok, counts, files and located diagnostics', async (t) => {
  const r = floatip('check-config', '--json', '-f', ERRORS)
  t.equal(r.code, 1)
  const out = JSON.parse(r.stdout) as { ok: boolean, errors: number, warnings: number, files: string[], diagnostics: Array<Record<string, unknown>> }
  t.equal(out.ok, false)
  t.equal(out.errors, out.diagnostics.filter((d) => d.severity === 'error').length)
  t.equal(out.warnings, out.diagnostics.length - out.errors)
  t.same(out.files, [ERRORS])
  const d = out.diagnostics.find((x) => x.code === 'unknown-keyword')
  t.match(d, { severity: 'warning', file: ERRORS, line: 5, column: 3, text: 'track_scrpt', expected: 'track_script' })
  const clean = JSON.parse(floatip('check-config', '--json', '-f', CLEAN).stdout) as { ok: boolean, files: string[] }
  t.equal(clean.ok, true)
  t.equal(clean.files.length, 3, 'the main file and both files of conf.d/*.conf')
})

t.test('dump-config --json prints the model keepalived runs', async (t) => {
  const r = floatip('dump-config', '--json', '-f', ERRORS)
  t.equal(r.code, 1, 'not usable: exit 1, model still printed')
  t.match(r.stderr, /unknown keyword 'track_scrpt'/)
  const model = JSON.parse(r.stdout) as { modelVersion: number, vrrpInstances: Array<Record<string, unknown>> }
  t.equal(model.modelVersion, 2)
  // KEEPALIVED: the '}' after `chk` closes the instance, so `priority 200` and the VIP are outside it.
  t.match(model.vrrpInstances[0], { name: 'VI_1', interface: 'eth0', virtualRouterId: 5, priority: 100, virtualIpAddresses: [] })
  const clean = floatip('dump-config', '--json', '-f', CLEAN)
  t.equal(clean.code, 0)
  const m = JSON.parse(clean.stdout) as { vrrpInstances: Array<Record<string, unknown>>, vrrpScripts: Array<Record<string, unknown>> }
  t.match(m.vrrpInstances[0], { name: 'VI_GLOB', state: 'BACKUP', version: 2, advertIntervalCs: 100, virtualIpAddresses: [{ address: '192.0.2.51', prefixLength: 24, family: 'inet' }] })
  t.match(m.vrrpScripts[0], { name: 'chk_ok', script: '/bin/true', source: { line: 1 } })
})

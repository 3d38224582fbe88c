// `floatip check-config` and `floatip dump-config` as users run them: the built CLI
// (dist/src/cli/main.js, made by `npm run build:ts`) in a child process, on fixture configs.
// Checks exit codes (0 usable, 1 errors, 2 warnings with --strict), the --json shapes
// documented in docs/config.md, and that dump-config prints the model keepalived would run.
// The script checks run on real files in a temporary directory, removed at the end.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
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

interface JsonReport { ok: boolean, errors: number, warnings: number, diagnostics: Array<{ severity: string, code: string, message: string, file: string, line: number, column: number, text: string }> }

/** A config in `dir` from `lines`, and the 1-based line and column of `needle`'s first quote. */
function writeConfig (dir: string, name: string, lines: string[]): { file: string, at: (needle: string) => { line: number, column: number } } {
  const file = join(dir, name)
  writeFileSync(file, lines.join('\n') + '\n')
  return {
    file,
    at: (needle) => {
      const i = lines.findIndex((l) => l.includes(needle))
      return { line: i + 1, column: lines[i].indexOf('"') + 1 }
    }
  }
}

function instance (tracks: string[], extra: string[] = []): string[] {
  return ['vrrp_instance VI_1 {', '    state BACKUP', '    interface eth0', '    virtual_router_id 5',
    '    track_script {', ...tracks.map((n) => `        ${n}`), '    }', ...extra,
    '    virtual_ipaddress {', '        192.0.2.29/24', '    }', '}']
}

t.test('check-config checks script files as keepalived -t does, at the script\'s file:line:column', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-scripts-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const script = (name: string, mode: number, gid = 0): string => {
    const path = join(dir, name)
    writeFileSync(path, '#!/bin/sh\nexit 0\n')
    chmodSync(path, mode)
    chownSync(path, 0, gid)
    return path
  }
  const good = script('good.sh', 0o755)
  const noexec = script('noexec.sh', 0o644)
  // Group-writable by a group that is not root's: anyone in it could replace what root runs.
  const unsafe = script('unsafe.sh', 0o775, 4242)
  const secure = writeConfig(dir, 'secure.conf', [
    'global_defs {', '    script_user root', '    enable_script_security', '}',
    'vrrp_script good {', `    script "${good}"`, '}',
    'vrrp_script noexec {', `    script "${noexec}"`, '}',
    'vrrp_script unsafe {', `    script "${unsafe} arg"`, '}',
    'vrrp_script missing {', '    script "/nonexistent/check.sh"', '}',
    ...instance(['good', 'noexec', 'unsafe', 'missing'], [`    notify_master "${join(dir, 'notify.sh')} master"`])
  ])

  const text = floatip('check-config', '-f', secure.file)
  t.equal(text.code, 0, 'warnings only: usable')
  t.equal(floatip('check-config', '--strict', '-f', secure.file).code, 2, '--strict: exit 2')
  const loc = (needle: string): string => { const a = secure.at(needle); return `${secure.file}:${a.line}:${a.column}` }
  t.match(text.stdout, `${loc('/nonexistent/check.sh')}: warning[script-disabled]: vrrp_script missing: /nonexistent/check.sh does not exist; the script is disabled (VI_1 runs as if it were not tracked: no weight, no FAULT)`)
  t.match(text.stdout, `${loc(noexec)}: warning[script-disabled]: vrrp_script noexec: ${noexec} is not executable for uid:gid 0:0`)
  t.match(text.stdout, `${loc(unsafe)}: warning[script-disabled]: vrrp_script unsafe: unsafe: ${unsafe} runs as uid:gid 0:0 but ${unsafe} is writable by group 4242`)
  t.match(text.stdout, `${loc('notify.sh')}: warning[script-disabled]: vrrp_instance VI_1: notify_master: ${join(dir, 'notify.sh')} does not exist`)
  t.match(text.stdout, `    found:    ${unsafe} arg\n`)
  t.notMatch(text.stdout, 'vrrp_script good', 'an executable root-owned script passes')
  t.notMatch(text.stdout, 'SECURITY VIOLATION', 'enable_script_security is set')
  t.match(text.stdout, /0 error\(s\), 4 warning\(s\): configuration is usable/)

  const json = JSON.parse(floatip('check-config', '--json', '-f', secure.file).stdout) as JsonReport
  t.match(json, { ok: true, errors: 0, warnings: 4 })
  t.same(json.diagnostics.map((d) => [d.code, d.line, d.column]).sort(), [
    ['script-disabled', secure.at(noexec).line, secure.at(noexec).column],
    ['script-disabled', secure.at(unsafe).line, secure.at(unsafe).column],
    ['script-disabled', secure.at('/nonexistent/').line, secure.at('/nonexistent/').column],
    ['script-disabled', secure.at('notify.sh').line, secure.at('notify.sh').column]
  ].sort())
  t.match(json.diagnostics.find((d) => d.text === '/nonexistent/check.sh'), { severity: 'warning', file: secure.file, message: /does not exist/ })

  // Without enable_script_security the unsafe script runs, and keepalived's SECURITY VIOLATION says so.
  const open = writeConfig(dir, 'open.conf', [
    'global_defs {', '    script_user root', '}',
    'vrrp_script good {', `    script "${good}"`, '}',
    'vrrp_script unsafe {', `    script "${unsafe}"`, '}',
    ...instance(['good', 'unsafe'])
  ])
  const r = floatip('check-config', '--json', '-f', open.file)
  t.equal(r.code, 0)
  const o = JSON.parse(r.stdout) as JsonReport
  t.match(o.diagnostics, [
    { code: 'script-security', line: open.at(good).line, column: open.at(good).column, message: 'SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.' },
    { code: 'script-security', line: open.at(unsafe).line, message: /unsafe: .* it runs anyway \(set enable_script_security to refuse it\)/ }
  ])
  t.equal(o.diagnostics.length, 2)
  t.equal(floatip('check-config', '--strict', '-f', open.file).code, 2)
})

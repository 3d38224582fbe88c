// Script users and keepalived's script security on real files and real processes (run as root):
// temporary directories and scripts with chosen owners and modes, the system's `nobody` and
// `daemon` users, and scripts that report the uid/gids they ran with.
import t, { type Test } from 'tap'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '../../src/io/logger.js'
import { ScriptRunner } from '../../src/daemon/script-runner.js'
import { ScriptPolicy, checkScriptFile } from '../../src/daemon/script-security.js'
import { ScriptUsers, getentLookup, type AccountLookup } from '../../src/daemon/script-user.js'
import { planTracking } from '../../src/daemon/tracking-plan.js'
import { planNotify } from '../../src/daemon/notify.js'
import { checkScripts } from '../../src/daemon/script-check.js'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import { planInstances } from '../../src/engine/instance-plan.js'

const silent = createLogger({ level: 'silent' })
const ROOT = { uid: 0, gid: 0 }
const NOBODY = getentLookup.user('nobody')
const DAEMON_GID = getentLookup.group('daemon')?.gid ?? 1

if (process.getuid?.() !== 0) t.plan(0, 'needs root (chown, running scripts as other users)')

/** A root-owned 0755 directory under /tmp (sticky, root: safe). */
function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-sec-'))
  chmodSync(dir, 0o755)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function script (path: string, body: string, mode = 0o755): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, mode)
  return path
}

t.test('a root-owned 0755 script in a root-owned 0755 directory passes for root', async (t) => {
  const dir = tempDir(t)
  const file = script(join(dir, 'check.sh'), 'exit 0')
  const r = checkScriptFile(file, ROOT, true)
  t.same(r, { ok: true, path: file, insecure: null, messages: [] })
})

t.test('enable_script_security: a group-writable script is refused, naming it and why', async (t) => {
  const dir = tempDir(t)
  const file = script(join(dir, 'check.sh'), 'exit 0', 0o775)
  chownSync(file, 0, DAEMON_GID)
  const r = checkScriptFile(file, ROOT, true)
  t.equal(r.ok, false)
  if (r.ok) return
  t.match(r.message, `${file} runs as uid:gid 0:0 but ${file} is writable by group ${DAEMON_GID} (mode 0775)`)
  t.match(r.message, 'enable_script_security')
})

t.test('enable_script_security: a group-writable directory above the script is named', async (t) => {
  const dir = tempDir(t)
  const sub = join(dir, 'scripts')
  mkdirSync(sub)
  chmodSync(sub, 0o775)
  chownSync(sub, 0, DAEMON_GID)
  const file = script(join(sub, 'check.sh'), 'exit 0')
  const r = checkScriptFile(file, ROOT, true)
  t.equal(r.ok, false)
  if (!r.ok) t.match(r.message, `but ${sub} is writable by group ${DAEMON_GID} (mode 0775)`)
})

t.test('a script owned by a non-root user is unsafe for root, whatever its mode', async (t) => {
  const dir = tempDir(t)
  const file = script(join(dir, 'check.sh'), 'exit 0', 0o755)
  chownSync(file, 65534, 0)
  const r = checkScriptFile(file, ROOT, true)
  t.equal(r.ok, false)
  if (!r.ok) t.match(r.message, `${file} is owned by uid 65534, not root`)
})

t.test('a group-writable directory whose group is root is safe (keepalived: only non-root groups count)', async (t) => {
  const dir = tempDir(t)
  chmodSync(dir, 0o775)
  const file = script(join(dir, 'check.sh'), 'exit 0')
  t.equal(checkScriptFile(file, ROOT, true).ok, true)
})

t.test('without enable_script_security an unsafe root script runs, with a warning', async (t) => {
  const dir = tempDir(t)
  const file = script(join(dir, 'check.sh'), 'exit 0', 0o757)
  const r = checkScriptFile(file, ROOT, false)
  t.equal(r.ok, true)
  if (!r.ok) return
  t.match(r.insecure, `${file} is writable by everyone (mode 0757)`)
  t.match(r.messages[0], /^unsafe: .* it runs anyway/)
})

t.test('a script that runs as a non-root user is not checked for unsafe paths', async (t) => {
  const dir = tempDir(t)
  const file = script(join(dir, 'check.sh'), 'exit 0', 0o777)
  t.same(checkScriptFile(file, { uid: 65534, gid: 65534 }, true), { ok: true, path: file, insecure: null, messages: [] })
})

t.test('the script must be executable by its user (keepalived is_executable)', async (t) => {
  const dir = tempDir(t)
  const file = script(join(dir, 'check.sh'), 'exit 0', 0o750)
  const r = checkScriptFile(file, { uid: 65534, gid: 65534 }, true)
  t.equal(r.ok, false)
  if (!r.ok) t.equal(r.message, `${file} is not executable for uid:gid 65534:65534`)
  // Its group may execute it.
  chownSync(file, 0, DAEMON_GID)
  t.equal(checkScriptFile(file, { uid: 65534, gid: DAEMON_GID }, true).ok, true)
})

t.test('symlinks: the target is what is checked and run; a link name is kept when it names the same file', async (t) => {
  const safe = tempDir(t)
  const unsafe = join(safe, 'unsafe')
  mkdirSync(unsafe)
  chmodSync(unsafe, 0o777)
  const target = script(join(unsafe, 'real.sh'), 'exit 0')
  const link = join(safe, 'check.sh')
  symlinkSync(target, link)
  const refused = checkScriptFile(link, ROOT, true)
  t.equal(refused.ok, false, 'a safe link to a script in a world-writable directory is refused')
  if (!refused.ok) t.match(refused.message, `but ${unsafe} is writable by everyone (mode 0777)`)

  const good = join(safe, 'bin')
  mkdirSync(good)
  const real = script(join(good, 'tool'), 'exit 0')
  const alias = join(good, 'tool-alias')
  symlinkSync('tool', alias)
  const linkDir = join(safe, 'linked')
  symlinkSync(good, linkDir)
  // A path through a symlinked directory becomes canonical; the alias's own name is kept.
  t.same(checkScriptFile(join(linkDir, 'tool-alias'), ROOT, true), { ok: true, path: alias, insecure: null, messages: [] })
  t.same(checkScriptFile(join(linkDir, 'tool'), ROOT, true), { ok: true, path: real, insecure: null, messages: [] })
})

t.test('a bare name is looked up in PATH as the script user, with keepalived\'s warning', async (t) => {
  const dir = tempDir(t)
  script(join(dir, 'mycheck'), 'exit 0')
  const r = checkScriptFile('mycheck', ROOT, true, `/nonexistent:${dir}`)
  t.same(r, { ok: true, path: join(dir, 'mycheck'), insecure: null, messages: [`mycheck resolved by path search to ${join(dir, 'mycheck')}; please give the full path`] })
  t.equal(checkScriptFile('nosuchcheck', ROOT, true, dir).ok, false)
})

t.test('script users: names, groups, and keepalived\'s default user rules', async (t) => {
  t.ok(NOBODY, 'the system has a nobody user')
  const users = new ScriptUsers({ security: false, daemon: ROOT })
  t.same(users.resolve({ user: 'nobody' }), { ok: true, user: { user: 'nobody', uid: NOBODY?.uid, group: getentLookup.groupName(NOBODY?.gid ?? -1), gid: NOBODY?.gid } })
  t.match(users.resolve({ user: 'nobody', group: 'daemon' }), { ok: true, user: { uid: NOBODY?.uid, group: 'daemon', gid: DAEMON_GID } })
  t.same(users.resolve({ user: 'no-such-user-fip' }), { ok: false, message: "script user 'no-such-user-fip' does not exist" })
  t.same(users.resolve({ user: 'nobody', group: 'no-such-group-fip' }), { ok: false, message: "script group 'no-such-group-fip' does not exist" })
  t.same(users.resolve({ user: '-n' }), { ok: false, message: "script user '-n' does not exist" }, 'an option-like name is not passed to getent')

  // No keepalived_script user (a lookup that hides it, whatever this machine has).
  const without: AccountLookup = { ...getentLookup, user: (name) => name === 'keepalived_script' ? null : getentLookup.user(name) }
  const open = new ScriptUsers({ security: false, daemon: ROOT, lookup: without })
  t.match(open.resolve(null), { ok: true, user: { uid: 0, gid: 0 } })
  t.match(open.warnings, [/default user 'keepalived_script' for script execution does not exist/])
  const strict = new ScriptUsers({ security: true, daemon: ROOT, lookup: without })
  t.match(strict.resolve(undefined), { ok: false, message: /keepalived_script/ })
  t.match(strict.warnings, [/enable_script_security is set: scripts without a user are disabled/])
  t.match(strict.resolve({ user: 'nobody' }), { ok: true }, 'a script with its own user still runs')

  const withKs: AccountLookup = { ...getentLookup, user: (name) => name === 'keepalived_script' ? { name, uid: 4242, gid: 4343 } : getentLookup.user(name) }
  t.match(new ScriptUsers({ security: true, daemon: ROOT, lookup: withKs }).resolve(null), { ok: true, user: { user: 'keepalived_script', uid: 4242, gid: 4343 } })

  const scriptUser = new ScriptUsers({ security: true, daemon: ROOT, scriptUser: { user: 'daemon' }, lookup: without })
  t.match(scriptUser.resolve(null), { ok: true, user: { user: 'daemon', gid: DAEMON_GID } })
  const badScriptUser = new ScriptUsers({ security: false, daemon: ROOT, scriptUser: { user: 'no-such-user-fip' } })
  t.match(badScriptUser.warnings, [/script_user: script user 'no-such-user-fip' does not exist/], 'reported at start even before any script')
  t.equal(badScriptUser.resolve(null).ok, false)
})

t.test('ScriptPolicy runs a script as nobody (per-script user) and as script_user, with only its group', async (t) => {
  const dir = tempDir(t)
  const out = join(dir, 'out')
  mkdirSync(out)
  chmodSync(out, 0o777)
  const file = script(join(dir, 'whoami.sh'), 'echo "$(id -u) $(id -g) $(id -G)" > "$1"')
  const runner = new ScriptRunner({ log: silent })
  const policy = new ScriptPolicy({ security: true, users: new ScriptUsers({ security: true, daemon: ROOT, scriptUser: { user: 'daemon' } }) })

  const asNobody = policy.prepare('notify_master', [file, join(out, 'nobody')], { user: 'nobody' })
  t.same(asNobody.user, { uid: NOBODY?.uid, gid: NOBODY?.gid, groups: [NOBODY?.gid] })
  const r1 = await runner.run(asNobody.argv ?? [], { timeoutMs: 5000, label: {}, user: asNobody.user })
  t.equal(r1.ok, true)
  t.equal(readFileSync(join(out, 'nobody'), 'utf8').trim(), `${NOBODY?.uid} ${NOBODY?.gid} ${NOBODY?.gid}`)

  const asDefault = policy.prepare('vrrp_script chk', [file, join(out, 'default')], null)
  const r2 = await runner.run(asDefault.argv ?? [], { timeoutMs: 5000, label: {}, user: asDefault.user })
  t.equal(r2.ok, true)
  const daemonUid = getentLookup.user('daemon')?.uid
  t.equal(readFileSync(join(out, 'default'), 'utf8').trim(), `${daemonUid} ${DAEMON_GID} ${DAEMON_GID}`)

  const root = policy.prepare('notify', [file, join(out, 'root')], { user: 'root' })
  t.equal(root.user, undefined, 'root (the daemon\'s user) runs without a switch')
  t.same(policy.summary(), [], 'enable_script_security: no SECURITY VIOLATION')
})

t.test('ScriptPolicy: disabled scripts say why; without enable_script_security the summary warns as keepalived does', async (t) => {
  const dir = tempDir(t)
  const file = script(join(dir, 'check.sh'), 'exit 0', 0o775)
  chownSync(file, 0, DAEMON_GID)
  const strict = new ScriptPolicy({ security: true, users: new ScriptUsers({ security: true, daemon: ROOT, scriptUser: { user: 'root' } }) })
  const refused = strict.prepare('vrrp_script chk', [file], null)
  t.equal(refused.argv, null)
  t.match(refused.messages, [`vrrp_script chk: unsafe: ${file} runs as uid:gid 0:0 but ${file} is writable by group ${DAEMON_GID}`])
  t.match(strict.prepare('notify_master', [file], { user: 'no-such-user-fip' }), { argv: null, messages: ["notify_master: script user 'no-such-user-fip' does not exist; the script is disabled"] })

  const lax = new ScriptPolicy({ security: false, users: new ScriptUsers({ security: false, daemon: ROOT, scriptUser: { user: 'root' } }) })
  const ran = lax.prepare('vrrp_script chk', [file, 'arg'], null)
  t.same(ran.argv, [file, 'arg'])
  t.match(ran.messages, [/unsafe: .* it runs anyway/])
  t.same(lax.summary(), ['SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.'])
})

t.test('planTracking and planNotify apply the policy: runAs / users, and a refused script is dropped', async (t) => {
  const dir = tempDir(t)
  const good = script(join(dir, 'good.sh'), 'exit 0')
  const bad = script(join(dir, 'bad.sh'), 'exit 0', 0o775)
  chownSync(bad, 0, DAEMON_GID)
  const text = [
    'global_defs {', '  enable_script_security', '  script_user root', '}',
    'vrrp_script good {', `  script "${good}"`, '  weight 10', '  user nobody', '}',
    'vrrp_script bad {', `  script "${bad}"`, '  weight 10', '}',
    'vrrp_instance VI_1 {', '  interface lo', '  virtual_router_id 51', '  priority 100', '  virtual_ipaddress { 192.0.2.10/32 }',
    '  track_script {', '    good', '    bad', '  }',
    `  notify_master "${good} master" nobody daemon`,
    `  notify_backup "${bad} backup"`,
    '}', ''
  ].join('\n')
  const loaded = loadConfig('/etc/keepalived/keepalived.conf', { reader: createMemoryReader({ '/etc/keepalived/keepalived.conf': text }), configId: 'test' })
  t.equal(loaded.ok, true)
  const { plans } = planInstances(loaded.model)
  const policy = ScriptPolicy.fromConfig(loaded.model.globalDefs)
  const tracking = planTracking(loaded.model, plans, undefined, policy.prepare)
  t.same(tracking.scripts.map((s) => [s.name, s.runAs]), [['good', { uid: NOBODY?.uid, gid: NOBODY?.gid, groups: [NOBODY?.gid] }]])
  t.same(tracking.instances[0].refs.map((r) => r.name), ['good'], 'the refused script is not tracked')
  t.match(tracking.warnings, [{ script: 'bad', message: /vrrp_script bad: unsafe: .* writable by group/ }])

  const notify = planNotify(loaded.model.vrrpInstances, ['VI_1'], undefined, policy.prepare)
  t.same(notify.plans[0].byState, { MASTER: [good, 'master'] })
  t.same(notify.plans[0].users, { notify_master: { uid: NOBODY?.uid, gid: DAEMON_GID, groups: [DAEMON_GID] } })
  t.match(notify.warnings, [{ instance: 'VI_1', message: /notify_backup: unsafe: / }])
  t.same(policy.summary(), [])
})

t.test('floatip run and check-config word a disabled script the same: the tracked one is dropped, not failed', async (t) => {
  const text = [
    'global_defs {', '  enable_script_security', '  script_user root', '}',
    'vrrp_script gone {', '  script "/nonexistent/check.sh"', '  weight 0', '}',
    'vrrp_instance VI_1 {', '  interface lo', '  virtual_router_id 51', '  priority 100', '  virtual_ipaddress { 192.0.2.10/32 }',
    '  track_script {', '    gone', '  }',
    '  notify_master "/nonexistent/notify.sh master"',
    '}', ''
  ].join('\n')
  const file = '/etc/keepalived/keepalived.conf'
  const loaded = loadConfig(file, { reader: createMemoryReader({ [file]: text }), configId: 'test' })
  t.equal(loaded.ok, true)
  const { plans } = planInstances(loaded.model)
  const tracking = planTracking(loaded.model, plans, undefined, ScriptPolicy.fromConfig(loaded.model.globalDefs).prepare)
  // KEEPALIVED check_vrrp_script_security(): the track is removed, so even weight 0 means no FAULT.
  t.same(tracking.instances, [], 'VI_1 tracks nothing')
  t.same(tracking.scripts, [])
  const notify = planNotify(loaded.model.vrrpInstances, ['VI_1'], undefined, ScriptPolicy.fromConfig(loaded.model.globalDefs).prepare)
  t.same(notify.plans, [])
  const daemon = [...tracking.warnings, ...notify.warnings].map((w) => w.message)
  t.same(daemon, [
    'vrrp_script gone: /nonexistent/check.sh does not exist; the script is disabled (VI_1 runs as if it were not tracked: no weight, no FAULT)',
    'notify_master: /nonexistent/notify.sh does not exist; the script is disabled'
  ])
  const cli = checkScripts(loaded.model, loaded.locations)
  t.same(cli.map((d) => [d.code, d.line, d.column]), [['script-disabled', 6, 10], ['script-disabled', 17, 17]])
  for (const [i, message] of daemon.entries()) t.ok(cli[i].message.includes(message), `check-config says what the daemon logs: ${message}`)
})

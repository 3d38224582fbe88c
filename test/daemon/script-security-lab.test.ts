// Script users and enable_script_security with floatip running in a namespace lab (real daemon,
// real scripts): a notify_master script configured with a user runs as that user, and a
// group-writable track script is disabled at start-up with the offending path in the log while
// the daemon runs on.
import t, { type Test } from 'tap'
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withLab, waitFor } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, type RunningDaemon } from '../helpers/daemons.js'
import { getentLookup } from '../../src/daemon/script-user.js'

const NOBODY = getentLookup.user('nobody')
const DAEMON_GID = getentLookup.group('daemon')?.gid ?? 1

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-seclab-'))
  chmodSync(dir, 0o755)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function dump (t: Test, d: RunningDaemon): void {
  t.comment(d.node, JSON.stringify(d.logs.map(({ time, pid, name, ...l }) => l)), d.stderr.join('\n'), `exit ${String(d.child.exitCode)}`)
}

/** A failing check script owned by root but writable by group `daemon` (mode 0775): unsafe. */
function groupWritableCheck (dir: string): string {
  const path = join(dir, 'check.sh')
  writeFileSync(path, '#!/bin/sh\nexit 1\n')
  chmodSync(path, 0o775)
  chownSync(path, 0, DAEMON_GID)
  return path
}

t.test('enable_script_security: a notify_master with a user runs as that user; a group-writable track script is disabled, the daemon runs on', async (t) => {
  const dir = tempDir(t)
  const out = join(dir, 'out')
  mkdirSync(out)
  chmodSync(out, 0o777)
  const whoami = join(dir, 'whoami.sh')
  writeFileSync(whoami, '#!/bin/sh\necho "$(id -u) $(id -g) $(id -G) $1" > "$2"\n')
  chmodSync(whoami, 0o755)
  const unsafe = groupWritableCheck(dir)

  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const conf = keepalivedConf({
    globalExtra: ['enable_script_security', 'script_user root'],
    sections: ['vrrp_script chk {', `    script "${unsafe}"`, '    interval 0.2', '    weight -60', '}'],
    instances: [{
      name: 'VI_1',
      vrid: 51,
      priority: 150,
      advertInt: 0.1,
      version: 3,
      vips: [lab.vip4(0)],
      extra: ['track_script {', '    chk', '}', `notify_master "${whoami} master ${join(out, 'master')}" nobody`]
    }]
  })
  const r1 = daemons.floatip('r1', conf)
  try {
    const refused = await r1.waitForLog((l) => l.script === 'chk' && typeof l.msg === 'string' && l.msg.startsWith('vrrp_script chk: unsafe:'), 'the track script is refused', { timeoutMs: 5000 })
    t.match(refused.msg, `${unsafe} runs as uid:gid 0:0 but ${unsafe} is writable by group ${DAEMON_GID} (mode 0775)`)
    t.equal(refused.level, 40, 'a warning')
    await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER', { timeoutMs: 5000 })
    await waitFor(() => { try { return readFileSync(join(out, 'master'), 'utf8') !== '' } catch { return false } }, { timeoutMs: 5000, what: 'notify_master ran' })
    t.equal(readFileSync(join(out, 'master'), 'utf8').trim(), `${NOBODY?.uid} ${NOBODY?.gid} ${NOBODY?.gid} master`, 'notify_master ran as nobody with only its group')
    await new Promise((resolve) => setTimeout(resolve, 600))
    t.notOk(r1.logs.some((l) => l.msg === 'priority changed'), 'the disabled check never lowers the priority')
    t.notOk(r1.logs.some((l) => typeof l.msg === 'string' && (l.msg.includes('not applied yet') || l.msg.includes('SECURITY VIOLATION'))), 'no "not applied yet" or SECURITY VIOLATION warning')
    t.equal(r1.child.exitCode, null, 'the daemon is still running')
  } catch (err) {
    dump(t, r1)
    throw err
  }
})

t.test('without enable_script_security: scripts run, the unsafe one with a warning, and keepalived\'s SECURITY VIOLATION line', async (t) => {
  const dir = tempDir(t)
  const unsafe = groupWritableCheck(dir)
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const conf = keepalivedConf({
    globalExtra: ['script_user root'],
    sections: ['vrrp_script chk {', `    script "${unsafe}"`, '    interval 0.2', '    weight -60', '}'],
    instances: [{ name: 'VI_1', vrid: 51, priority: 150, advertInt: 0.1, version: 3, vips: [lab.vip4(0)], extra: ['track_script {', '    chk', '}'] }]
  })
  const r1 = daemons.floatip('r1', conf)
  try {
    await r1.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('vrrp_script chk: unsafe:') && l.msg.includes('it runs anyway'), 'the unsafe script is reported', { timeoutMs: 5000 })
    await r1.waitForLog((l) => l.msg === 'SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.', 'SECURITY VIOLATION', { timeoutMs: 5000 })
    await r1.waitForLog((l) => l.msg === 'vrrp_script failed', 'the script ran (and failed)', { timeoutMs: 5000 })
  } catch (err) {
    dump(t, r1)
    throw err
  }
})

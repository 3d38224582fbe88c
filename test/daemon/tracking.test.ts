// vrrp_script / track_script and notify scripts with two floatip routers in a namespace lab (real
// processes, real packets). The check's result is a file in a temporary directory: the daemons
// run inside their namespaces but share the filesystem, so each router tests its own file.
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withLab, waitFor } from '../helpers/lab.js'
import { FLOATIP_CLI } from '../../src/lab/index.js'
import { withDaemons, keepalivedConf, stateChange, vipHolders, holdersOverTime, type RunningDaemon, type LogLine } from '../helpers/daemons.js'

const ROUTERS = ['r1', 'r2']

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-track-'))
  chmodSync(dir, 0o755)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A node's config: VI_1 (v3, 100 ms adverts) tracking `chk`, which tests `okFile`. */
function conf (priority: number, vip: string, check: { script: string, weight: number, extra?: string[] }, instanceExtra: string[] = []): string {
  const script = [
    'vrrp_script chk {',
    `    script "${check.script}"`,
    '    interval 0.2',
    '    fall 2',
    '    rise 1',
    `    weight ${check.weight}`,
    ...(check.extra ?? []).map((l) => `    ${l}`),
    '}',
    ''
  ].join('\n')
  return script + keepalivedConf({ instances: [{ name: 'VI_1', vrid: 51, priority, advertInt: 0.1, version: 3, vips: [vip], extra: ['track_script {', '    chk', '}', ...instanceExtra] }] })
}

function lastState (daemon: RunningDaemon): string | undefined {
  return daemon.logs.filter((l) => l.msg === 'state changed' && l.instance === 'VI_1').at(-1)?.to as string | undefined
}

const priorityChanged = (to: number) => (l: LogLine): boolean => l.msg === 'priority changed' && l.to === to

async function pair (t: Test, dir: string, weight: number, extra?: string[]): Promise<{ lab: Awaited<ReturnType<typeof withLab>>, vip: string, r1: RunningDaemon, r2: RunningDaemon, okR1: string }> {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const okR1 = join(dir, 'ok-r1')
  writeFileSync(okR1, '')
  writeFileSync(join(dir, 'ok-r2'), '')
  const r1 = daemons.floatip('r1', conf(150, vip, { script: `/usr/bin/test -e ${okR1}`, weight, extra }))
  const r2 = daemons.floatip('r2', conf(100, vip, { script: `/usr/bin/test -e ${join(dir, 'ok-r2')}`, weight, extra }))
  try {
    await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
    await waitFor(() => lastState(r2) === 'BACKUP', { timeoutMs: 5000, what: 'r2 BACKUP' })
  } catch (err) {
    for (const d of [r1, r2]) t.comment(d.node, JSON.stringify(d.logs.map(({ time, pid, name, ...l }) => l)), d.stderr.join('\n'), `exit ${String(d.child.exitCode)}`)
    throw err
  }
  return { lab, vip, r1, r2, okR1 }
}

t.test('weight -60: a failing check hands mastership to the backup after fall intervals; its return preempts', async (t) => {
  const dir = tempDir(t)
  const { lab, vip, r1, r2, okR1 } = await pair(t, dir, -60)
  t.notOk(r1.logs.some((l) => l.msg?.includes('not run yet') || l.msg?.includes('not acted on')), 'no "not run yet" warning for track_script')

  const from1 = r1.logs.length
  const from2 = r2.logs.length
  const failedMs = Date.now()
  rmSync(okR1)
  await r1.waitForLog(priorityChanged(90), 'r1 priority 150 - 60', { from: from1, timeoutMs: 3000 })
  t.ok(Date.now() - failedMs >= 200 - 50, 'not on the first failed run: fall is 2')
  await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from: from2, timeoutMs: 3000 })
  await r1.waitForLog(stateChange('VI_1', 'BACKUP'), 'r1 yields', { from: from1, timeoutMs: 3000 })
  await waitFor(async () => (await vipHolders(lab, ROUTERS, vip)).join() === 'r2', { timeoutMs: 3000, what: 'VIP on r2 only' })
  t.pass('the VIP moved to r2')

  const back1 = r1.logs.length
  writeFileSync(okR1, '')
  await r1.waitForLog(priorityChanged(150), 'r1 priority back to 150', { from: back1, timeoutMs: 3000 })
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 preempts', { from: back1, timeoutMs: 3000 })
  await waitFor(async () => (await vipHolders(lab, ROUTERS, vip)).join() === 'r1', { timeoutMs: 3000, what: 'VIP back on r1 only' })
  t.pass('the VIP is back on r1')
})

t.test('weight -20: 150 - 20 still beats 100, the master stays', async (t) => {
  const dir = tempDir(t)
  const { lab, vip, r1, r2, okR1 } = await pair(t, dir, -20)
  const from1 = r1.logs.length
  const from2 = r2.logs.length
  rmSync(okR1)
  await r1.waitForLog(priorityChanged(130), 'r1 priority 130', { from: from1, timeoutMs: 3000 })
  t.same(await holdersOverTime(lab, ROUTERS, vip, 6, 150), ['r1'], 'the VIP stays on r1')
  t.notOk(r2.logs.slice(from2).some(stateChange('VI_1', 'MASTER')), 'r2 never became master')
  t.equal(r1.logs.filter((l) => l.msg === 'vrrp_script failed').length, 1, 'the failure is logged once')
})

t.test('weight 0: a failing check is FAULT (VIP removed, backup takes over) until every fault reason is gone', async (t) => {
  const dir = tempDir(t)
  const { lab, vip, r1, r2, okR1 } = await pair(t, dir, 0)
  const from1 = r1.logs.length
  const from2 = r2.logs.length
  rmSync(okR1)
  const fault = await r1.waitForLog(stateChange('VI_1', 'FAULT'), 'r1 FAULT', { from: from1, timeoutMs: 3000 })
  t.equal(fault.from, 'MASTER')
  await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from: from2, timeoutMs: 3000 })
  t.same(await vipHolders(lab, ROUTERS, vip), ['r2'], 'r1 removed its VIP')

  // A second reason (the interface) keeps it in FAULT when the script recovers.
  await lab.setLinkDown('r1', { side: 'switch' })
  await r1.waitForLog((l) => l.msg === 'interface down', 'r1 sees its link down', { from: from1, timeoutMs: 3000 })
  const mid = r1.logs.length
  writeFileSync(okR1, '')
  await r1.waitForLog((l) => l.msg === 'vrrp_script succeeded', 'the check succeeds again', { from: mid, timeoutMs: 3000 })
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(lastState(r1), 'FAULT', 'still FAULT: the interface is down')
  await lab.setLinkUp('r1', { side: 'switch' })
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 leaves FAULT and preempts', { from: mid, timeoutMs: 5000 })
  await waitFor(async () => (await vipHolders(lab, ROUTERS, vip)).join() === 'r1', { timeoutMs: 3000, what: 'VIP back on r1 only' })
  t.pass('r1 holds the VIP again')
})

t.test('a check that never ends is killed (its process group) after timeout and counts as a failure', async (t) => {
  const dir = tempDir(t)
  const pids = join(dir, 'pids')
  const hang = join(dir, 'hang.sh')
  writeFileSync(hang, `#!/bin/sh\necho $$ >> ${pids}\nexec sleep 1000\n`)
  chmodSync(hang, 0o755)
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const r1 = daemons.floatip('r1', conf(150, lab.vip4(0), { script: hang, weight: -60, extra: ['timeout 0.3'] }))
  const timedOut = await r1.waitForLog((l) => l.msg === 'script timed out; killing its process group', 'timeout logged', { timeoutMs: 5000 })
  t.match(timedOut, { script: 'chk', timeoutMs: 300 })
  await r1.waitForLog((l) => l.msg === 'vrrp_script timed out', 'counted as a failure', { timeoutMs: 5000 })
  await r1.waitForLog(priorityChanged(90), 'weight applied', { timeoutMs: 5000 })
  const runs = (): number[] => readFileSync(pids, 'utf8').trim().split('\n').map(Number)
  await waitFor(() => runs().length >= 3, { timeoutMs: 5000, what: 'three runs' })
  const started = runs()
  t.same(started.slice(0, -1).filter(running), [], 'every earlier run was killed; at most the latest one is running')
  t.equal(r1.logs.filter((l) => l.msg === 'vrrp_script timed out').length, 1, 'the status change is logged once, each kill on its own line')
  t.ok(r1.logs.filter((l) => l.msg === 'script timed out; killing its process group').length >= 2)
})

t.test('notify scripts: notify_* then notify with INSTANCE name STATE priority, in order, notify_stop waited for at SIGTERM', async (t) => {
  const dir = tempDir(t)
  const out = join(dir, 'notify.log')
  const script = join(dir, 'notify.sh')
  // The stop hook is slow: the daemon must wait for it before exiting.
  writeFileSync(script, `#!/bin/sh\n[ "$1" = stop-hook ] && sleep 0.5\necho "$@" >> ${out}\n`)
  chmodSync(script, 0o755)
  writeFileSync(join(dir, 'ok-r1'), '')
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const hooks = ['master', 'backup', 'fault', 'stop'].map((s) => `notify_${s} "${script} ${s}-hook 'two words'"`)
  const r1 = daemons.floatip('r1', conf(150, lab.vip4(0), { script: `/usr/bin/test -e ${join(dir, 'ok-r1')}`, weight: -60 }, [...hooks, `notify ${script}`]))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER (alone)')
  t.notOk(r1.logs.some((l) => /not run|not acted on/.test(l.msg ?? '')), 'no "not run yet" warning for notify or track_script')
  t.same(r1.stderr, [], 'no config diagnostics')
  await r1.waitForLog((l) => l.msg === 'notify script ran' && l.keyword === 'notify' && l.state === 'MASTER', 'MASTER notify ran')
  const exit = new Promise<number | null>((resolve) => r1.child.once('exit', (code) => resolve(code)))
  lab.kill(r1.child, 'SIGTERM')
  t.equal(await exit, 0, 'exit 0 after SIGTERM')
  t.equal(readFileSync(out, 'utf8'), [
    'backup-hook two words',
    'INSTANCE VI_1 BACKUP 150',
    'master-hook two words',
    'INSTANCE VI_1 MASTER 150',
    'stop-hook two words',
    'INSTANCE VI_1 STOP 150',
    ''
  ].join('\n'), 'the file has every transition in order, notify_stop included')
})

function running (pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'
  } catch {
    return false
  }
}

t.test('--namespace: scripts run inside the named namespace, as with keepalived -s', async (t) => {
  const dir = tempDir(t)
  const seen = join(dir, 'netns')
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const ns = lab.node('r1').ns
  const path = daemons.writeConfig('r1', conf(150, lab.vip4(0), { script: `/bin/sh -c 'readlink /proc/self/ns/net >> ${seen}'`, weight: -10 }, [`notify_master "/bin/sh -c 'readlink /proc/self/ns/net >> ${seen}-notify'"`]))
  const child = spawn(process.execPath, [FLOATIP_CLI, 'run', '-f', path, '--namespace', ns], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  await waitFor(() => existsSync(`${seen}-notify`), { timeoutMs: 10_000, what: 'notify_master ran' })
  const inode = `net:[${statSync(`/run/netns/${ns}`).ino}]`
  t.equal(readFileSync(seen, 'utf8').split('\n')[0], inode, 'the vrrp_script ran in the namespace')
  t.equal(readFileSync(`${seen}-notify`, 'utf8').trim(), inode, 'so did notify_master')
  child.kill('SIGTERM')
  t.equal(await exited, 0)
})

// track_file and vrrp_track_process with two floatip routers in a namespace lab (real processes,
// real packets). The daemons run inside their network namespaces but share the filesystem and the
// PID namespace: each router tracks its own file, and only r1 tracks a process (a `sleep` with a
// distinctive argv, started and killed by pid by the test).
import t, { type Test } from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withLab, waitFor } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, vipHolders, holdersOverTime, type RunningDaemon, type LogLine } from '../helpers/daemons.js'

const ROUTERS = ['r1', 'r2']

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-trackfp-'))
  chmodSync(dir, 0o755)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** VI_1 (v3, 100 ms adverts) with `sections` at the top and `track` lines in the instance. */
function conf (priority: number, vip: string, sections: string[], track: string[]): string {
  return keepalivedConf({ sections, instances: [{ name: 'VI_1', vrid: 52, priority, advertInt: 0.1, version: 3, vips: [vip], extra: track }] })
}

function fileConf (priority: number, vip: string, path: string, weight: number): string {
  return conf(priority, vip, [`track_file tf {\n    file ${path}\n    weight ${weight}\n    init_file 0 overwrite\n}`], ['track_file {', '    tf', '}'])
}

const priorityChanged = (to: number) => (l: LogLine): boolean => l.msg === 'priority changed' && l.to === to

function dump (t: Test, daemons: RunningDaemon[]): void {
  for (const d of daemons) t.comment(d.node, JSON.stringify(d.logs.map(({ time, pid, name, ...l }) => l)), d.stderr.join('\n'), `exit ${String(d.child.exitCode)}`)
}

async function settled (t: Test, r1: RunningDaemon, r2: RunningDaemon): Promise<void> {
  try {
    await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
    await waitFor(() => r2.logs.filter(stateChange('VI_1', 'BACKUP')).length > 0, { timeoutMs: 5000, what: 'r2 BACKUP' })
  } catch (err) {
    dump(t, [r1, r2])
    throw err
  }
  t.notOk(r1.logs.some((l) => /not acted on|not run yet/.test(l.msg ?? '')), 'no "not acted on yet" warning')
}

async function holders (lab: Awaited<ReturnType<typeof withLab>>, vip: string, want: string): Promise<void> {
  await waitFor(async () => (await vipHolders(lab, ROUTERS, vip)).join() === want, { timeoutMs: 3000, what: `VIP on ${want} only` })
}

t.test('track_file weight 0: a non-zero value is FAULT (the backup takes the VIP); 0 again preempts back', async (t) => {
  const dir = tempDir(t)
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const f1 = join(dir, 'r1')
  const r1 = daemons.floatip('r1', fileConf(150, vip, f1, 0))
  const r2 = daemons.floatip('r2', fileConf(100, vip, join(dir, 'r2'), 0))
  await settled(t, r1, r2)
  t.ok(r1.logs.some((l) => l.msg === 'track_file value' && l.value === 0), 'init_file wrote 0 and it was read')

  const from1 = r1.logs.length
  const from2 = r2.logs.length
  writeFileSync(f1, '3\n')
  const fault = await r1.waitForLog(stateChange('VI_1', 'FAULT'), 'r1 FAULT', { from: from1, timeoutMs: 3000 })
  t.equal(fault.from, 'MASTER')
  await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from: from2, timeoutMs: 3000 })
  await holders(lab, vip, 'r2')
  t.pass('the VIP moved to r2')

  const back = r1.logs.length
  writeFileSync(f1, '0\n')
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 leaves FAULT and preempts', { from: back, timeoutMs: 5000 })
  await holders(lab, vip, 'r1')
  t.pass('the VIP is back on r1')
})

t.test('track_file weight -10: the value moves the priority, and mastership only when the priorities say so', async (t) => {
  const dir = tempDir(t)
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const f1 = join(dir, 'r1')
  const r1 = daemons.floatip('r1', fileConf(150, vip, f1, -10))
  const r2 = daemons.floatip('r2', fileConf(100, vip, join(dir, 'r2'), -10))
  await settled(t, r1, r2)

  const from2 = r2.logs.length
  let mark = r1.logs.length
  writeFileSync(f1, '2\n')
  await r1.waitForLog(priorityChanged(130), 'r1 priority 150 - 2 × 10', { from: mark, timeoutMs: 3000 })
  t.same(await holdersOverTime(lab, ROUTERS, vip, 5, 100), ['r1'], '130 still beats 100: the VIP stays')
  t.notOk(r2.logs.slice(from2).some(stateChange('VI_1', 'MASTER')), 'r2 did not take over')

  mark = r1.logs.length
  // Replaced by rename, as configuration tools write files.
  writeFileSync(join(dir, 'r1.tmp'), '6\n')
  renameSync(join(dir, 'r1.tmp'), f1)
  await r1.waitForLog(priorityChanged(90), 'r1 priority 150 - 6 × 10', { from: mark, timeoutMs: 3000 })
  await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over (90 < 100)', { from: from2, timeoutMs: 3000 })
  await holders(lab, vip, 'r2')

  mark = r1.logs.length
  rmSync(f1)
  await r1.waitForLog(priorityChanged(150), 'a deleted file is 0: priority 150', { from: mark, timeoutMs: 3000 })
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 preempts', { from: mark, timeoutMs: 3000 })
  await holders(lab, vip, 'r1')
  t.pass('the VIP is back on r1')
})

t.test('track_process: the master tracks a process; killing it (by pid) moves the VIP, starting it again brings it back', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const argv = ['/bin/sleep', `1000.${process.pid}${Date.now() % 100000}`]
  const children: ChildProcess[] = []
  const startProcess = (): ChildProcess => {
    const c = spawn(argv[0], argv.slice(1), { stdio: 'ignore' })
    children.push(c)
    return c
  }
  t.teardown(() => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL') })
  const first = startProcess()
  const tracked = conf(150, vip, [`vrrp_track_process svc {\n    process ${argv.join(' ')}\n    weight 0\n}`], ['track_process {', '    svc', '}'])
  const r1 = daemons.floatip('r1', tracked)
  const r2 = daemons.floatip('r2', conf(100, vip, [], []))
  await settled(t, r1, r2)
  t.ok(r1.logs.some((l) => l.msg === 'track_process up' && l.count === 1), 'counted at start')

  const from1 = r1.logs.length
  const from2 = r2.logs.length
  process.kill(first.pid as number, 'SIGKILL')
  await r1.waitForLog((l) => l.msg === 'track_process down', 'the process is seen gone', { from: from1, timeoutMs: 3000 })
  await r1.waitForLog(stateChange('VI_1', 'FAULT'), 'r1 FAULT', { from: from1, timeoutMs: 3000 })
  await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from: from2, timeoutMs: 3000 })
  await holders(lab, vip, 'r2')

  const back = r1.logs.length
  startProcess()
  await r1.waitForLog((l) => l.msg === 'track_process up', 'the process is seen again', { from: back, timeoutMs: 3000 })
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 preempts', { from: back, timeoutMs: 5000 })
  await holders(lab, vip, 'r1')
  t.pass('the VIP is back on r1')
})

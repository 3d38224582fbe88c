// SIGHUP reload (keepalived's `systemctl reload keepalived`) with two floatip routers in a
// namespace lab: real processes, real packets. What a keepalived user expects: instances that stay
// keep their state (no failover, no notify), a changed instance keeps mastership while its VIPs
// change, an added one starts, a removed one is released (the peer takes it over) and notified
// DELETED (notify_deleted), new tracking weights apply; a config with errors changes nothing.
import t, { type Test } from 'tap'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withLab, waitFor, type Lab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, vipHolders, type RunningDaemon, type LogLine } from '../helpers/daemons.js'
import type { VrrpInstanceSpec } from '../../src/lab/index.js'
import { writeScript } from '../helpers/scripts.js'

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-reload-'))
  chmodSync(dir, 0o755)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function dump (t: Test, daemons: RunningDaemon[]): void {
  for (const d of daemons) t.comment(d.node, JSON.stringify(d.logs.map(({ time, pid, hostname, ...l }) => l)), d.stderr.join('\n'))
}

const transitionsSince = (d: RunningDaemon, from: number, instance: string): LogLine[] => d.logs.slice(from).filter((l) => l.msg === 'state changed' && l.instance === instance)

async function holds (lab: Lab, address: string, nodes: string[], what: string): Promise<void> {
  await waitFor(async () => (await vipHolders(lab, ['r1', 'r2'], address)).join(',') === nodes.join(','), { timeoutMs: 5000, what })
}

t.test('a reload keeps, changes, adds and removes instances the way keepalived does', async (t) => {
  const dir = tempDir(t)
  const notified = join(dir, 'notify.out')
  const notify = join(dir, 'notify.sh')
  writeScript(notify, `echo "$*" >> ${notified}\n`)
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const [a, b, b2, c, d, e] = [0, 1, 2, 3, 4, 5].map((i) => lab.vip4(i))
  const script = (weight: number): string => `vrrp_script chk {\n    script "/bin/false"\n    interval 1\n    weight ${weight}\n}`
  const common = { advertInt: 0.1, version: 3 as const }
  // VI_2's peer keeps its one-VIP config while r1's VI_2 gets a second VIP: skip_check_adv_addr
  // lets it accept the known master's longer address list (RFC 5798 §7.1 "MAY drop"; keepalived
  // and floatip drop adverts whose list differs, and the peer would take over).
  const before = (priority: number, notifyScript = notify): VrrpInstanceSpec[] => [
    { name: 'VI_1', vrid: 51, priority, vips: [`${a}/32`], ...common },
    { name: 'VI_2', vrid: 52, priority, vips: [`${b}/32`], extra: [`notify ${notifyScript}`, 'skip_check_adv_addr'], ...common },
    { name: 'VI_3', vrid: 53, priority, vips: [`${c}/32`], extra: [`notify ${notifyScript}`, 'notify_deleted'], ...common },
    { name: 'VI_5', vrid: 55, priority, vips: [`${e}/32`], extra: ['track_script {', '    chk', '}'], ...common }
  ]
  const r1 = daemons.floatip('r1', keepalivedConf({ sections: [script(-10)], instances: before(150) }))
  const r2 = daemons.floatip('r2', keepalivedConf({ instances: [...before(100, '/bin/true').filter((i) => i.name !== 'VI_5'), { name: 'VI_5', vrid: 55, priority: 100, vips: [`${e}/32`], ...common }] }))
  try {
    for (const name of ['VI_1', 'VI_2', 'VI_3', 'VI_5']) {
      await r1.waitForLog(stateChange(name, 'MASTER'), `r1 ${name} MASTER (VI_5 at 150 - 10)`)
      await r2.waitForLog(stateChange(name, 'BACKUP'), `r2 ${name} BACKUP`)
    }
    await waitFor(() => existsSync(notified) && readFileSync(notified, 'utf8').includes('VI_3 MASTER'), { timeoutMs: 3000, what: 'notify of VI_3 MASTER ran' })
    const mark = { r1: r1.logs.length, r2: r2.logs.length, notified: readFileSync(notified, 'utf8').length }

    // VI_1 as it was; VI_2 with a second VIP and a higher priority; VI_3 gone; VI_4 new (no peer:
    // r1 becomes its master); VI_5's block unchanged but its script now weighs -60 (150 - 60 < 100).
    writeFileSync(r1.configPath, keepalivedConf({
      sections: [script(-60)],
      instances: [
        before(150)[0],
        { name: 'VI_2', vrid: 52, priority: 160, vips: [`${b}/32`, `${b2}/32`], extra: [`notify ${notify}`, 'skip_check_adv_addr'], ...common },
        { name: 'VI_4', vrid: 54, priority: 150, vips: [`${d}/32`], ...common },
        before(150)[3]
      ]
    }))
    lab.kill(r1.child, 'SIGHUP')
    const summary = await r1.waitForLog((l) => l.msg === 'reloaded', 'r1 reloaded', { from: mark.r1 })
    t.same({ kept: summary.kept, changed: summary.changed, added: summary.added, removed: summary.removed }, { kept: ['VI_1', 'VI_5'], changed: ['VI_2'], added: ['VI_4'], removed: ['VI_3'] })
    const handedOver = await r1.waitForLog((l) => l.msg === 'vrrp_script results kept across the reload', 'r1 kept the unchanged check\'s result', { from: mark.r1 })
    t.same(handedOver.scripts, ['chk'], 'chk (same command, new weight) keeps its result instead of running again, as in keepalived')

    await r1.waitForLog(stateChange('VI_4', 'MASTER'), 'the added VI_4 starts and becomes MASTER', { from: mark.r1 })
    await r2.waitForLog(stateChange('VI_3', 'MASTER'), 'r2 takes the removed VI_3 over', { from: mark.r2, timeoutMs: 3000 })
    await r2.waitForLog(stateChange('VI_5', 'MASTER'), 'r2 preempts VI_5: the new weight applies to the kept instance', { from: mark.r2, timeoutMs: 5000 })
    await holds(lab, b2, ['r1'], 'the VIP added to VI_2 is on r1')
    t.same(await vipHolders(lab, ['r1', 'r2'], a), ['r1'], 'VI_1 stays on r1')
    t.same(await vipHolders(lab, ['r1', 'r2'], b), ['r1'], 'VI_2 stays on r1')
    t.same(await vipHolders(lab, ['r1', 'r2'], c), ['r2'], 'VI_3 moved to r2')
    t.same(await vipHolders(lab, ['r1', 'r2'], d), ['r1'], 'VI_4 on r1')
    await holds(lab, e, ['r2'], 'VI_5 moved to r2')
    t.same(transitionsSince(r1, mark.r1, 'VI_1'), [], 'no transition of the unchanged VI_1')
    t.same(transitionsSince(r1, mark.r1, 'VI_2'), [], 'no transition of the changed VI_2: it stays MASTER')
    t.same([...transitionsSince(r2, mark.r2, 'VI_1'), ...transitionsSince(r2, mark.r2, 'VI_2')], [], 'the peer never took VI_1 or VI_2')
    await waitFor(() => readFileSync(notified, 'utf8').includes('VI_3 DELETED'), { timeoutMs: 3000, what: 'notify of VI_3 DELETED' })
    const after = readFileSync(notified, 'utf8').slice(mark.notified).trim().split('\n')
    t.same(after, ['INSTANCE VI_3 DELETED 150'], 'notify_deleted: DELETED for the removed instance; nothing for VI_2, which kept its state')

    // Stopping after a reload releases everything the new config holds.
    const exit = new Promise<number | null>((resolve) => r1.child.once('exit', (code) => resolve(code)))
    lab.kill(r1.child, 'SIGTERM')
    t.equal(await exit, 0, 'r1 exits 0')
    for (const vip of [a, b, b2, d]) t.notOk((await vipHolders(lab, ['r1'], vip)).includes('r1'), `r1 left no ${vip}`)
  } catch (err) {
    dump(t, [r1, r2])
    throw err
  }
})

t.test('a reload with config errors, or with an interface that does not exist, changes nothing', async (t) => {
  const dir = tempDir(t)
  const up = join(dir, 'up')
  writeFileSync(up, '')
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const good = keepalivedConf({
    sections: [`vrrp_script chk {\n    script "/usr/bin/test -e ${up}"\n    interval 1\n    weight 0\n}`],
    instances: [{ name: 'VI_1', vrid: 51, priority: 150, vips: [`${vip}/32`], advertInt: 0.1, version: 3, extra: ['track_script {', '    chk', '}'] }]
  })
  const r1 = daemons.floatip('r1', good)
  try {
    await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
    let mark = r1.logs.length
    writeFileSync(r1.configPath, good.replace('priority 150', 'priority 300'))
    lab.kill(r1.child, 'SIGHUP')
    await r1.waitForLog((l) => /^reload: configuration has errors/.test(l.msg ?? ''), 'reload refused: priority out of range', { from: mark })
    t.ok(r1.stderr.some((l) => /priority/.test(l) && /:\d+:\d+/.test(l)), 'the diagnostic names file:line:column')

    mark = r1.logs.length
    writeFileSync(r1.configPath, good.replace('interface eth0', 'interface etho'))
    lab.kill(r1.child, 'SIGHUP')
    const refused = await r1.waitForLog((l) => /reload refused by the engine/.test(l.msg ?? ''), 'reload refused: no interface etho', { from: mark })
    t.match(refused.err, /interface etho does not exist/)
    t.same(r1.logs.filter((l) => l.msg === 'state changed'), [r1.logs.find(stateChange('VI_1', 'BACKUP')), r1.logs.find(stateChange('VI_1', 'MASTER'))], 'only the start-up transitions, none from the refused reloads')
    t.same(await vipHolders(lab, ['r1'], vip), ['r1'], 'r1 still holds the VIP')

    // The running config's track script runs on after the refused reload.
    rmSync(up)
    const fault = await r1.waitForLog(stateChange('VI_1', 'FAULT'), 'the check fails: FAULT', { from: mark, timeoutMs: 5000 })
    writeFileSync(up, '')
    await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'the check passes: MASTER again', { from: r1.logs.indexOf(fault), timeoutMs: 5000 })

    mark = r1.logs.length
    writeFileSync(r1.configPath, good)
    lab.kill(r1.child, 'SIGHUP')
    const summary = await r1.waitForLog((l) => l.msg === 'reloaded', 'the good config reloads', { from: mark })
    t.same(summary.kept, ['VI_1'])
    await new Promise((resolve) => setTimeout(resolve, 500))
    t.same(transitionsSince(r1, mark, 'VI_1'), [], 'no transition from the reload')
    t.same(await vipHolders(lab, ['r1'], vip), ['r1'], 'r1 still holds the VIP')
  } catch (err) {
    dump(t, [r1])
    throw err
  }
})

t.test('with a keepalived peer: reloading either side moves nothing; an instance removed by a reload goes to keepalived', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const [a, b] = [lab.vip4(0), lab.vip4(1)]
  const vi1 = (priority: number): VrrpInstanceSpec => ({ name: 'VI_1', vrid: 51, priority, vips: [`${a}/32`], advertInt: 0.1, version: 3 })
  const vi2 = (priority: number): VrrpInstanceSpec => ({ name: 'VI_2', vrid: 52, priority, vips: [`${b}/32`], advertInt: 0.1, version: 3 })
  const r1 = daemons.floatip('r1', keepalivedConf({ instances: [vi1(150)] }))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'floatip MASTER')
  const r2 = daemons.keepalived('r2', keepalivedConf({ instances: [vi1(100)] }))
  const entered = (state: string): number => r2.stderr.filter((l) => l.includes(`(VI_1) Entering ${state} STATE`)).length
  try {
    await waitFor(() => entered('BACKUP') > 0, { timeoutMs: 5000, what: 'keepalived BACKUP' })

    let mark = r1.logs.length
    writeFileSync(r1.configPath, keepalivedConf({ instances: [vi1(160)] }))
    lab.kill(r1.child, 'SIGHUP')
    t.same((await r1.waitForLog((l) => l.msg === 'reloaded', 'floatip reloaded', { from: mark })).changed, ['VI_1'])
    await new Promise((resolve) => setTimeout(resolve, 1000))
    t.equal(entered('MASTER'), 0, 'keepalived stayed BACKUP across floatip\'s reload (10 Master_Down_Intervals)')

    const before = r2.stderr.length
    lab.kill(r2.child, 'SIGHUP')
    await waitFor(() => r2.stderr.slice(before).some((l) => /[Rr]eload/.test(l)), { timeoutMs: 5000, what: 'keepalived reloads' })
    await new Promise((resolve) => setTimeout(resolve, 1000))
    t.equal(entered('MASTER'), 0, 'keepalived stayed BACKUP across its own reload')
    t.same(transitionsSince(r1, mark, 'VI_1'), [], 'floatip stayed MASTER throughout')
    t.same(await vipHolders(lab, ['r1', 'r2'], a), ['r1'])

    mark = r1.logs.length
    writeFileSync(r1.configPath, keepalivedConf({ instances: [vi2(150)] }))
    lab.kill(r1.child, 'SIGHUP')
    t.same((await r1.waitForLog((l) => l.msg === 'reloaded', 'floatip reloaded', { from: mark })).removed, ['VI_1'])
    await waitFor(() => entered('MASTER') > 0, { timeoutMs: 3000, what: 'keepalived takes VI_1 over' })
    await holds(lab, a, ['r2'], 'VI_1 on keepalived\'s router only')
  } catch (err) {
    dump(t, [r1, r2])
    throw err
  }
})

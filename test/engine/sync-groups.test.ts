// vrrp_sync_group and track_interface with two floatip routers on two LANs (real links, real
// adverts): a member losing its link drags the other member to FAULT so both VIPs move to the
// backup router together, and both come back together; track_interface puts an instance in
// FAULT, or with a weight lowers its priority so that mastership moves only when it should.
import t, { type Test } from 'tap'
import { withLab, waitFor } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, vipHolders, type RunningDaemon, type LogLine } from '../helpers/daemons.js'

const ROUTERS = ['r1', 'r2']

function dump (t: Test, daemons: RunningDaemon[]): void {
  for (const d of daemons) t.comment(d.node, JSON.stringify(d.logs.map(({ time, pid, hostname, ...l }) => l)), d.stderr.join('\n'))
}

const groupState = (to: string) => (l: LogLine): boolean => l.msg === 'sync group state changed' && l.to === to

t.test('vrrp_sync_group: one member losing its link moves both VIPs; both come back together', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false, lans: 2 })
  const daemons = withDaemons(t, lab)
  const vipA = lab.vip4(0, 0)
  const vipB = lab.vip4(0, 1)
  const conf = (priority: number): string => keepalivedConf({
    sections: ['vrrp_sync_group G1 {', '    group {', '        VI_A', '        VI_B', '    }', '}'],
    instances: [
      { name: 'VI_A', vrid: 61, priority, advertInt: 0.1, version: 3, vips: [vipA] },
      { name: 'VI_B', vrid: 62, priority, advertInt: 0.1, version: 3, vips: [`${vipB}/24 dev eth1`], extra: ['interface eth1'] }
    ]
  })
  const r1 = daemons.floatip('r1', conf(150))
  const r2 = daemons.floatip('r2', conf(100))
  try {
    await r1.waitForLog(groupState('MASTER'), 'r1 group MASTER', { timeoutMs: 5000 })
    await r2.waitForLog(groupState('BACKUP'), 'r2 group BACKUP', { timeoutMs: 5000 })
    await waitFor(async () => (await vipHolders(lab, ROUTERS, vipA)).join() === 'r1' && (await vipHolders(lab, ROUTERS, vipB)).join() === 'r1', { timeoutMs: 3000, what: 'both VIPs on r1' })

    const from1 = r1.logs.length
    const from2 = r2.logs.length
    // Only LAN 1 fails on r1: VI_B's own interface. VI_A's link is fine, but the group moves.
    await lab.setLinkDown('r1', { lan: 1, side: 'switch' })
    const faultA = await r1.waitForLog(stateChange('VI_A', 'FAULT'), 'r1 VI_A FAULT with its group', { from: from1, timeoutMs: 3000 })
    t.equal(faultA.from, 'MASTER')
    await r1.waitForLog(groupState('FAULT'), 'r1 group FAULT', { from: from1, timeoutMs: 3000 })
    await r2.waitForLog(groupState('MASTER'), 'r2 group MASTER', { from: from2, timeoutMs: 5000 })
    const masters2 = r2.logs.slice(from2).filter((l) => l.msg === 'state changed' && l.to === 'MASTER')
    t.same(masters2.map((l) => l.instance).sort(), ['VI_A', 'VI_B'], 'both members of r2 became master')
    t.ok(masters2.every((l) => l.reason === 'sync-group'), 'through the group (all at once), not each on its own')
    await waitFor(async () => (await vipHolders(lab, ROUTERS, vipA)).join() === 'r2' && (await vipHolders(lab, ROUTERS, vipB)).join() === 'r2', { timeoutMs: 3000, what: 'both VIPs on r2' })
    t.pass('VI_A\'s VIP moved although its own link never failed')

    const back1 = r1.logs.length
    await lab.setLinkUp('r1', { lan: 1, side: 'switch' })
    await r1.waitForLog(groupState('MASTER'), 'r1 group MASTER again (preempts)', { from: back1, timeoutMs: 8000 })
    await waitFor(async () => (await vipHolders(lab, ROUTERS, vipA)).join() === 'r1' && (await vipHolders(lab, ROUTERS, vipB)).join() === 'r1', { timeoutMs: 3000, what: 'both VIPs back on r1' })
    await r2.waitForLog(groupState('BACKUP'), 'r2 group BACKUP', { from: from2, timeoutMs: 3000 })
    t.pass('both VIPs are back on r1')

    // A tracked VIP of one member deleted (`ip addr del`): that member leaves MASTER and takes
    // the other along; both wait only Skew_Time (keepalived's quick return), then come back
    // together through the group.
    const del1 = r1.logs.length
    lab.exec('r1', ['ip', 'addr', 'del', `${vipA}/32`, 'dev', 'eth0'])
    const leftA = await r1.waitForLog(stateChange('VI_A', 'BACKUP'), 'r1 VI_A leaves MASTER', { from: del1, timeoutMs: 3000 })
    t.equal(leftA.reason, 'vip-deleted')
    const leftB = await r1.waitForLog(stateChange('VI_B', 'BACKUP'), 'r1 VI_B follows', { from: del1, timeoutMs: 3000 })
    t.equal(leftB.reason, 'sync-group')
    const backB = await r1.waitForLog(stateChange('VI_B', 'MASTER'), 'r1 VI_B MASTER again', { from: del1, timeoutMs: 3000 })
    await r1.waitForLog(stateChange('VI_A', 'MASTER'), 'r1 VI_A MASTER again', { from: del1, timeoutMs: 3000 })
    // Skew_Time (41 ms), not Master_Down_Interval (341 ms): the bound leaves 200 ms for a loaded
    // machine above the one and stays 100 ms below the other.
    const awayMs = ((backB.atUs as number) - (leftB.atUs as number)) / 1000
    t.ok(awayMs < 341 - 100, `VI_B back after ${awayMs.toFixed(1)} ms: Skew_Time, not Master_Down_Interval`)
    await waitFor(async () => (await vipHolders(lab, ROUTERS, vipA)).join() === 'r1' && (await vipHolders(lab, ROUTERS, vipB)).join() === 'r1', { timeoutMs: 3000, what: 'both VIPs on r1 again' })
    t.pass('both VIPs are on r1 again')
  } catch (err) {
    dump(t, [r1, r2])
    throw err
  }
})

t.test('track_interface: weight 0 is FAULT while the tracked link is down; weight -60 moves mastership, -20 does not', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false, lans: 2 })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const conf = (priority: number, track: string): string => keepalivedConf({
    instances: [{ name: 'VI_1', vrid: 63, priority, advertInt: 0.1, version: 3, vips: [vip], extra: ['track_interface {', `    ${track}`, '}'] }]
  })
  for (const [track, moves] of [['eth1', 'FAULT'], ['eth1 weight -60', 'priority'], ['eth1 weight -20', 'stays']] as const) {
    const r1 = daemons.floatip('r1', conf(150, track))
    const r2 = daemons.floatip('r2', conf(100, track))
    try {
      await r1.waitForLog(stateChange('VI_1', 'MASTER'), `${track}: r1 MASTER`, { timeoutMs: 5000 })
      await r2.waitForLog(stateChange('VI_1', 'BACKUP'), `${track}: r2 BACKUP`, { timeoutMs: 5000 })
      const from1 = r1.logs.length
      const from2 = r2.logs.length
      await lab.setLinkDown('r1', { lan: 1, side: 'switch' })
      if (moves === 'FAULT') {
        const fault = await r1.waitForLog(stateChange('VI_1', 'FAULT'), 'r1 FAULT', { from: from1, timeoutMs: 3000 })
        t.match(fault, { from: 'MASTER' }, `${track}: FAULT`)
      } else {
        const changed = await r1.waitForLog((l) => l.msg === 'priority changed', 'r1 priority', { from: from1, timeoutMs: 3000 })
        t.equal(changed.to, moves === 'priority' ? 90 : 130, `${track}: priority 150 ${track.slice(12)}`)
      }
      if (moves === 'stays') {
        await new Promise((resolve) => setTimeout(resolve, 600))
        t.same(await vipHolders(lab, ROUTERS, vip), ['r1'], `${track}: 130 still beats 100, the VIP stays`)
        t.notOk(r2.logs.slice(from2).some(stateChange('VI_1', 'MASTER')), 'r2 never became master')
      } else {
        await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from: from2, timeoutMs: 3000 })
        await waitFor(async () => (await vipHolders(lab, ROUTERS, vip)).join() === 'r2', { timeoutMs: 3000, what: 'VIP on r2 only' })
        t.pass(`${track}: the VIP moved to r2`)
      }
      const back1 = r1.logs.length
      await lab.setLinkUp('r1', { lan: 1, side: 'switch' })
      if (moves !== 'stays') await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 back', { from: back1, timeoutMs: 5000 })
      else await r1.waitForLog((l) => l.msg === 'priority changed' && l.to === 150, 'r1 priority 150', { from: back1, timeoutMs: 3000 })
      await waitFor(async () => (await vipHolders(lab, ROUTERS, vip)).join() === 'r1', { timeoutMs: 3000, what: 'VIP on r1 only' })
    } catch (err) {
      dump(t, [r1, r2])
      throw err
    }
    for (const d of [r1, r2]) {
      d.child.kill('SIGTERM')
      await waitFor(() => d.child.exitCode !== null, { timeoutMs: 5000, what: `${d.node} exit` })
    }
  }
})

t.test('vrrp_sync_group against keepalived: floatip\'s group hands both VIPs to keepalived\'s and takes them back', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false, lans: 2 })
  const daemons = withDaemons(t, lab)
  const vipA = lab.vip4(1, 0)
  const vipB = lab.vip4(1, 1)
  const conf = (priority: number): string => keepalivedConf({
    sections: ['vrrp_sync_group G1 {', '    group {', '        VI_A', '        VI_B', '    }', '}'],
    instances: [
      { name: 'VI_A', vrid: 71, priority, advertInt: 0.1, version: 3, vips: [vipA] },
      { name: 'VI_B', vrid: 72, priority, advertInt: 0.1, version: 3, vips: [`${vipB}/24 dev eth1`], extra: ['interface eth1'] }
    ]
  })
  const both = async (node: string): Promise<boolean> => (await vipHolders(lab, ROUTERS, vipA)).join() === node && (await vipHolders(lab, ROUTERS, vipB)).join() === node
  const r1 = daemons.floatip('r1', conf(150))
  await r1.waitForLog(groupState('MASTER'), 'r1 group MASTER', { timeoutMs: 5000 })
  const r2 = daemons.keepalived('r2', conf(100))
  try {
    await waitFor(both.bind(null, 'r1'), { timeoutMs: 5000, what: 'both VIPs on r1 (floatip)' })
    await new Promise((resolve) => setTimeout(resolve, 1500))
    t.ok(await both('r1'), 'keepalived stays backup for both')

    const from1 = r1.logs.length
    await lab.setLinkDown('r1', { lan: 1, side: 'switch' })
    await r1.waitForLog(groupState('FAULT'), 'r1 group FAULT', { from: from1, timeoutMs: 3000 })
    await waitFor(both.bind(null, 'r2'), { timeoutMs: 5000, what: 'both VIPs on r2 (keepalived)' })
    t.pass('keepalived\'s group took both VIPs')

    const back1 = r1.logs.length
    await lab.setLinkUp('r1', { lan: 1, side: 'switch' })
    await r1.waitForLog(groupState('MASTER'), 'r1 group MASTER again', { from: back1, timeoutMs: 8000 })
    await waitFor(both.bind(null, 'r1'), { timeoutMs: 5000, what: 'both VIPs back on r1' })
    t.pass('floatip preempted both back from keepalived')
  } catch (err) {
    dump(t, [r1])
    t.comment(r2.stderr.join('').slice(-4000))
    throw err
  }
})

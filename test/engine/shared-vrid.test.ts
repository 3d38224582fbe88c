// A multicast instance and a unicast instance with the same VRID on one interface, which
// keepalived 2.2.7 accepts (only two multicast instances on the same interface, VRID, family and
// group clash): each advert must reach the instance it is for (src/engine/vrid-routing.ts), the
// group's adverts the multicast one and r3's unicast adverts the unicast one. Routed by the VRID
// alone, r1's unicast instance would never hear r3 and would hold r3's VIP as a second master.
import t from 'tap'
import { withLab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, vipHolders, holdersOverTime } from '../helpers/daemons.js'
import { pickByDestination } from '../../src/engine/vrid-routing.js'

const VRID = 5

t.test('pickByDestination: the group\'s adverts to the multicast instance, unicast ones by peer', async (t) => {
  const m = { name: 'm', multicast: true, hasPeer: () => false }
  const u1 = { name: 'u1', multicast: false, hasPeer: (s: string) => s === '192.0.2.3' }
  const u2 = { name: 'u2', multicast: false, hasPeer: (s: string) => s === '192.0.2.4' }
  t.equal(pickByDestination([m, u1, u2], '192.0.2.3', true)?.name, 'm', 'to the group: the multicast instance')
  t.equal(pickByDestination([m, u1, u2], '192.0.2.4', false)?.name, 'u2', 'unicast: the instance listing the source')
  t.equal(pickByDestination([m, u1, u2], '192.0.2.9', false)?.name, 'u1', 'unicast from an unlisted source: the first unicast instance')
  t.equal(pickByDestination([u1, u2], '192.0.2.3', true), undefined, 'to the group with no multicast instance: none')
  t.equal(pickByDestination([u1], '192.0.2.3', true)?.name, 'u1', 'a single instance takes everything, as before')
})

t.test('one VRID, a multicast and a unicast instance on r1\'s eth0: each hears its own peer', async (t) => {
  const lab = await withLab(t, { routers: 3, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const [vipM, vipU] = [lab.vip4(0), lab.vip4(1)]
  const [a, c] = [lab.node('r1').ipv4, lab.node('r3').ipv4]
  const multicast = (priority: number) => ({ name: 'VI_M', vrid: VRID, priority, advertInt: 0.1, version: 3 as const, vips: [vipM] })
  const unicast = (priority: number, self: string, peer: string) =>
    ({ name: 'VI_U', vrid: VRID, priority, advertInt: 0.1, version: 3 as const, unicastSrcIp: self, unicastPeers: [peer], vips: [vipU] })

  const r3 = daemons.floatip('r3', keepalivedConf({ instances: [unicast(100, c, a)] }))
  const r2 = daemons.floatip('r2', keepalivedConf({ instances: [multicast(100)] }))
  await r3.waitForLog(stateChange('VI_U', 'MASTER'), 'r3 MASTER of VI_U')
  await r2.waitForLog(stateChange('VI_M', 'MASTER'), 'r2 MASTER of VI_M')
  const r1 = daemons.floatip('r1', keepalivedConf({ instances: [multicast(150), unicast(50, a, c)] }))
  await r1.waitForLog(stateChange('VI_M', 'MASTER'), 'r1 preempts VI_M (150 over r2\'s 100)')
  await r2.waitForLog(stateChange('VI_M', 'BACKUP'), 'r2 yields VI_M')
  // Several Master_Down_Intervals (0.36 s at 0.1 s) for r1's VI_U to hear r3, or to time out.
  const uHolders = await holdersOverTime(lab, ['r1', 'r2', 'r3'], vipU, 8, 150)
  t.same(uHolders, ['r3'], 'VI_U\'s VIP stays on r3 alone: r1\'s unicast instance hears r3\'s adverts')
  t.notOk(r1.logs.some(stateChange('VI_U', 'MASTER')), 'r1\'s VI_U never becomes MASTER')
  t.same(await vipHolders(lab, ['r1', 'r2', 'r3'], vipM), ['r1'], 'VI_M\'s VIP on r1 alone')
})

// virtual_ipaddress options and virtual_ipaddress_excluded, as `floatip run` applies them: the
// master installs each VIP with its prefix, label and device; excluded addresses are installed
// and removed like VIPs but never advertised (a backup checking the address list accepts the
// adverts). Each address is announced on its own interface from that interface's MAC, the
// excluded ones too, as keepalived 2.2.7 does.
import t from 'tap'
import { withLab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange } from '../helpers/daemons.js'
import { FrameCapture, isGarp } from '../helpers/frame-capture.js'

t.test('VIP prefix, label and dev; excluded addresses on another interface', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false, lans: 2 })
  const daemons = withDaemons(t, lab)
  const [vip, excluded] = [lab.vip4(0), lab.vip4(0, 1)]
  const conf = (priority: number): string => keepalivedConf({
    instances: [{
      name: 'VI_1',
      vrid: 51,
      priority,
      advertInt: 0.1,
      version: 3,
      vips: [`${vip}/24 dev eth0 label eth0:vip`],
      extra: ['virtual_ipaddress_excluded {', `    ${excluded}/32 dev eth1`, '}']
    }]
  })
  const captures = [new FrameCapture(t, lab, 'r1', 0), new FrameCapture(t, lab, 'r1', 1)]
  for (const c of captures) await c.ready()
  const r1 = daemons.floatip('r1', conf(150))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
  await new Promise((resolve) => setTimeout(resolve, 200)) // the first GARP burst follows the first advert
  const [lan0, lan1] = await Promise.all(captures.map(async (c) => (await c.stop()).filter((f) => f.outgoing && isGarp(f))))
  const { links } = lab.node('r1')
  const announced = (frames: typeof lan0): string[] => [...new Set(frames.map((f) => `${f.arp?.targetIp ?? '?'} from ${f.sourceMac}`))]
  t.same(announced(lan0), [`${vip} from ${links[0].mac}`], 'eth0 carries the GARPs of the VIP, from eth0\'s MAC, and none of the excluded address')
  t.same(announced(lan1), [`${excluded} from ${links[1].mac}`], 'eth1 carries the GARPs of the excluded address on eth1, from eth1\'s MAC')
  const r2 = daemons.floatip('r2', conf(100))
  await r2.waitForLog(stateChange('VI_1', 'BACKUP'), 'r2 BACKUP')
  await new Promise((resolve) => setTimeout(resolve, 600))
  t.notOk(r2.logs.some((l) => l.msg === 'advert discarded'), 'the backup accepts the adverts: excluded addresses are not in them')
  t.notOk(r2.logs.some(stateChange('VI_1', 'MASTER')), 'so it never becomes MASTER')

  const onR1 = await lab.addresses('r1')
  const main = onR1.find((a) => a.address === vip)
  t.match(main, { ifname: 'eth0', prefixLength: 24 }, 'VIP with its prefix on eth0')
  t.match(lab.exec('r1', ['ip', '-4', 'addr', 'show', 'dev', 'eth0']), /eth0:vip/, 'with its label')
  t.match(onR1.find((a) => a.address === excluded), { ifname: 'eth1', prefixLength: 32 }, 'excluded address on eth1')

  lab.kill(r1.child, 'SIGTERM')
  await r1.waitForLog((l) => l.msg === 'stopped', 'r1 stopped')
  const after = (await lab.addresses('r1')).map((a) => a.address)
  t.notOk(after.includes(vip) || after.includes(excluded), 'both removed on SIGTERM')
})

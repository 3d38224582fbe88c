// AF_PACKET: a frame sent in one namespace is received byte for byte in the peer namespace, and
// interface facts (index, MAC) match what the kernel reports.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { withLab, waitFor } from '../helpers/lab.js'
import { IoLoop, PacketSocket, interfaceInfo } from '../../src/native/index.js'

const ETH_P_LOCAL_EXPERIMENTAL = 0x88b5 // IEEE 802 local experimental EtherType

function macBytes (mac: string): Buffer {
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)))
}

t.test('a raw Ethernet frame crosses the bridge byte for byte', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const r1 = lab.node('r1')
  const r2 = lab.node('r2')
  const loop = new IoLoop()
  t.teardown(() => loop.close())
  const tx = new PacketSocket({ interface: r1.ifname, netns: r1.ns })
  const rx = new PacketSocket({ interface: r2.ifname, netns: r2.ns, protocol: ETH_P_LOCAL_EXPERIMENTAL })
  t.teardown(() => { tx.close(); rx.close() })
  const frames: Buffer[] = []
  const sources: Buffer[] = []
  loop.attach(rx, (p) => { frames.push(Buffer.from(p.data)); sources.push(Buffer.from(p.source.subarray(0, 6))) })

  const frame = Buffer.concat([
    Buffer.from('ffffffffffff', 'hex'),
    macBytes(r1.mac),
    Buffer.from([ETH_P_LOCAL_EXPERIMENTAL >> 8, ETH_P_LOCAL_EXPERIMENTAL & 0xff]),
    randomBytes(100)
  ])
  t.equal(tx.send(frame), frame.length)
  await waitFor(() => frames.length >= 1, { timeoutMs: 5000, what: 'the frame' })
  t.same(frames[0], frame, 'identical bytes')
  t.same(sources[0], macBytes(r1.mac), 'sender MAC reported')
})

t.test('interfaceInfo reads index, MAC, MTU and flags inside a namespace', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const r1 = lab.node('r1')
  const info = interfaceInfo(r1.ifname, r1.ns)
  t.equal(info.index, r1.ifindex)
  t.equal(info.mac, r1.mac)
  t.equal(info.mtu, 1500)
  t.equal(info.up, true)
  t.throws(() => interfaceInfo('nosuch0', r1.ns), { code: 'ENODEV', errno: -19, syscall: 'ioctl(SIOCGIFINDEX)' })
})

// VRRP raw sockets across real namespaces: what one router sends arrives at the other with the
// IP header fields the protocol checks (RFC 5798 §5.1: TTL/hop limit 255, the multicast group).
import t from 'tap'
import type { Test } from 'tap'
import { withLab, waitFor } from '../helpers/lab.js'
import type { LabNode } from '../helpers/lab.js'
import { IoLoop, VrrpSocket, monotonicUs } from '../../src/native/index.js'
import type { LoopPacket, VrrpSocketOptions } from '../../src/native/index.js'
import { formatIp } from '../../src/protocol/ip-address.js'

interface Received { data: Buffer, source: string | null, destination: string | null, ttl: number, ifindex: number, receivedUs: number }

function collector (into: Received[]) {
  return (p: LoopPacket) => {
    into.push({ data: Buffer.from(p.data), source: formatIp(p.source), destination: formatIp(p.destination), ttl: p.ttl, ifindex: p.ifindex, receivedUs: p.receivedUs })
  }
}

const payload = Buffer.from('3101640100010000c00002fe', 'hex') // any bytes: the socket does not parse

type SocketOptions = Partial<Omit<VrrpSocketOptions, 'interface' | 'netns'>>

/** A lab of r1 (sender) and r2 (receiver) with one socket each; everything closed at teardown. */
async function setup (t: Test, family: 4 | 6, txOptions: (r1: LabNode) => SocketOptions = () => ({}), rxOptions: SocketOptions = {}) {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: family === 6 })
  const loop = new IoLoop()
  const r1 = lab.node('r1')
  const r2 = lab.node('r2')
  const tx = new VrrpSocket({ family, interface: r1.ifname, netns: r1.ns, ...txOptions(r1) })
  const rx = new VrrpSocket({ family, interface: r2.ifname, netns: r2.ns, ...rxOptions })
  t.teardown(() => { tx.close(); rx.close(); loop.close() })
  const got: Received[] = []
  loop.attach(rx, collector(got))
  return { lab, loop, r1, r2, tx, rx, got }
}

t.test('IPv4 multicast: arrives with TTL 255 from the sender to 224.0.0.18 on the bound interface', async (t) => {
  const { r1, r2, tx, rx, got } = await setup(t, 4, (r1) => ({ source: r1.ipv4 }))
  const before = monotonicUs()
  t.equal(tx.send(payload), payload.length)
  await waitFor(() => got.length >= 1, { timeoutMs: 5000, what: 'the advert to arrive' })
  const p = got[0]
  t.same(p.data, payload, 'payload intact, IP header stripped')
  t.equal(p.ttl, 255)
  t.equal(p.source, r1.ipv4)
  t.equal(p.destination, '224.0.0.18')
  t.equal(p.ifindex, r2.ifindex)
  t.equal(rx.ifindex, r2.ifindex)
  t.ok(p.receivedUs >= before - 1000 && p.receivedUs <= monotonicUs(), 'kernel timestamp on the monotonic clock')
})

t.test('IPv4 unicast to a peer (unicast_peer) arrives on a socket that joined no group', async (t) => {
  const { r1, r2, tx, got } = await setup(t, 4, (r1) => ({ multicast: false, source: r1.ipv4 }), { multicast: false })
  tx.send(payload, r2.ipv4)
  await waitFor(() => got.length >= 1, { timeoutMs: 5000, what: 'the unicast advert' })
  t.equal(got[0].destination, r2.ipv4)
  t.equal(got[0].source, r1.ipv4)
  t.equal(got[0].ttl, 255)
  t.same(got[0].data, payload)
})

t.test('a socket that joined no group does not see multicast adverts (IP_MULTICAST_ALL off)', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const loop = new IoLoop()
  t.teardown(() => loop.close())
  const r1 = lab.node('r1')
  const r2 = lab.node('r2')
  const tx = new VrrpSocket({ family: 4, interface: r1.ifname, netns: r1.ns })
  const unicastOnly = new VrrpSocket({ family: 4, interface: r2.ifname, netns: r2.ns, multicast: false })
  const member = new VrrpSocket({ family: 4, interface: r2.ifname, netns: r2.ns })
  t.teardown(() => { tx.close(); unicastOnly.close(); member.close() })
  const seenByUnicast: Received[] = []
  const seenByMember: Received[] = []
  loop.attach(unicastOnly, collector(seenByUnicast))
  loop.attach(member, collector(seenByMember))
  tx.send(payload)
  await waitFor(() => seenByMember.length >= 1, { timeoutMs: 5000, what: 'the member to receive' })
  // The member got it, so the unicast-only socket had every chance to see it too.
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(seenByUnicast.length, 0)
})

t.test('IPv6 multicast: hop limit 255, link-local source, ff02::12', async (t) => {
  const { r1, r2, tx, got } = await setup(t, 6)
  tx.send(payload)
  await waitFor(() => got.length >= 1, { timeoutMs: 5000, what: 'the IPv6 advert' })
  t.equal(got[0].ttl, 255)
  t.equal(got[0].source, r1.linkLocal6)
  t.equal(got[0].destination, 'ff02::12')
  t.equal(got[0].ifindex, r2.ifindex)
  t.same(got[0].data, payload)
})

t.test('IPv6 unicast to a global address', async (t) => {
  const { r1, r2, tx, got } = await setup(t, 6, (r1) => ({ multicast: false, source: r1.ipv6 ?? undefined }), { multicast: false })
  tx.send(payload, r2.ipv6 ?? undefined)
  await waitFor(() => got.length >= 1, { timeoutMs: 5000, what: 'the IPv6 unicast advert' })
  t.equal(got[0].source, r1.ipv6)
  t.equal(got[0].destination, r2.ipv6)
  t.equal(got[0].ttl, 255)
})

t.test('a detached socket delivers nothing more', async (t) => {
  const { loop, tx, rx, got } = await setup(t, 4)
  tx.send(payload)
  await waitFor(() => got.length === 1, { timeoutMs: 5000, what: 'the first advert' })
  loop.detach(rx)
  tx.send(payload)
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(got.length, 1)
  t.equal(loop.stats().rxPackets, 1, 'the loop no longer reads the socket')
})

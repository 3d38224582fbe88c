// A VRRP socket's receive buffer, as the kernel counts it (/proc/net/raw): a burst of adverts
// that overflows the system default fits once the socket is sized the way rx-buffer.ts sizes it
// for floatip's own bursts; a send-only socket keeps nothing.
import t from 'tap'
import type { Test } from 'tap'
import { withLab } from '../helpers/lab.js'
import { VrrpSocket } from '../../src/native/index.js'
import { vrrpRawSockets } from '../../src/lab/index.js'
import { rxBufferRequest, type RxBufferUser } from '../../src/engine/rx-buffer.js'

const advert = Buffer.from('3101640100010000c00002fe', 'hex')
const INSTANCES = 255

async function setup (t: Test) {
  const lab = await withLab(t, { routers: 2, client: false })
  const r1 = lab.node('r1')
  const r2 = lab.node('r2')
  const tx = new VrrpSocket({ family: 4, interface: r1.ifname, netns: r1.ns, source: r1.ipv4, receive: false })
  // Not attached to a loop: nothing reads it, so the kernel's queue is all there is.
  const rx = new VrrpSocket({ family: 4, interface: r2.ifname, netns: r2.ns })
  t.teardown(() => { tx.close(); rx.close() })
  return { lab, r1, r2, tx, rx }
}

/** `rounds` rounds of one advert per instance, back to back (a floatip master's batches). */
function burst (tx: VrrpSocket, rounds: number): number {
  let sent = 0
  for (let i = 0; i < rounds * INSTANCES; i++) sent += tx.send(advert) > 0 ? 1 : 0
  return sent
}

t.test('the system default drops part of 4 rounds of 255 adverts; the sized buffer keeps them all', async (t) => {
  const { lab, r2, tx, rx } = await setup(t)
  const defaultBudget = rx.receiveBuffer
  t.ok(defaultBudget > 0, `default budget ${defaultBudget} bytes`)
  t.equal(burst(tx, 4), 4 * INSTANCES)
  const [unsized] = (await vrrpRawSockets(lab, r2)).filter((s) => s.local === '00000000')
  t.ok(unsized.drops > 0, `the default buffer dropped ${unsized.drops} of ${4 * INSTANCES} (kernel cost ${Math.round(unsized.rxQueue / (4 * INSTANCES - unsized.drops))} bytes per queued advert)`)

  const users: RxBufferUser[] = Array.from({ length: INSTANCES }, () => ({ share: { kind: 'floatip' }, advertBytes: 40, mtu: 1500 }))
  const request = rxBufferRequest(users)
  if (request === null) throw new Error('no request')
  const fresh = new VrrpSocket({ family: 4, interface: r2.ifname, netns: r2.ns })
  t.teardown(() => fresh.close())
  rx.close()
  const budget = fresh.setReceiveBuffer(request.value)
  t.equal(budget, request.value * 2, 'the kernel doubles the value; CAP_NET_ADMIN passes net.core.rmem_max')
  t.equal(fresh.receiveBuffer, budget)
  burst(tx, 4)
  const [sized] = (await vrrpRawSockets(lab, r2)).filter((s) => s.local === '00000000')
  t.equal(sized.drops, 0, `no drops; ${sized.rxQueue} of ${budget} bytes used`)
  t.ok(sized.rxQueue > 0 && sized.rxQueue <= budget, 'the burst is queued')
})

t.test('a send-only socket keeps no advert, even one sent to its own address', async (t) => {
  const { lab, r1, r2 } = await setup(t)
  const sendOnly = new VrrpSocket({ family: 4, interface: r2.ifname, netns: r2.ns, source: r2.ipv4, multicast: false, receive: false })
  const peer = new VrrpSocket({ family: 4, interface: r1.ifname, netns: r1.ns, source: r1.ipv4, multicast: false, receive: false })
  t.teardown(() => { sendOnly.close(); peer.close() })
  for (let i = 0; i < 10; i++) peer.send(advert, r2.ipv4)
  const sockets = await vrrpRawSockets(lab, r2)
  const bound = sockets.filter((s) => s.local !== '00000000')
  t.equal(bound.length, 1, 'the send-only socket is bound to its source')
  t.equal(bound[0].rxQueue, 0, 'nothing queued')
  const unbound = sockets.filter((s) => s.local === '00000000')
  t.ok(unbound.some((s) => s.rxQueue > 0), 'the receiving socket got the unicast adverts (the control)')
})

t.test('setReceiveBuffer refuses 0 and a closed socket', async (t) => {
  const { rx } = await setup(t)
  t.throws(() => rx.setReceiveBuffer(0), RangeError)
  rx.close()
  t.throws(() => rx.setReceiveBuffer(1024), { code: 'EBADF' })
})

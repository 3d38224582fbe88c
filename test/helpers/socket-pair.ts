// Two lab routers with a native loop, a VRRP send socket on r1 and a receive socket on r2: the
// set-up of the native timing and batching tests. Everything is closed at teardown.
import type { Test } from 'tap'
import { withLab } from './lab.js'
import { IoLoop, VrrpSocket } from '../../src/native/index.js'

export async function socketPair (t: Test) {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const r1 = lab.node('r1')
  const r2 = lab.node('r2')
  const loop = new IoLoop()
  const tx = new VrrpSocket({ family: 4, interface: r1.ifname, netns: r1.ns, source: r1.ipv4 })
  const rx = new VrrpSocket({ family: 4, interface: r2.ifname, netns: r2.ns })
  t.teardown(() => { loop.close(); tx.close(); rx.close() })
  return { lab, r1, r2, loop, tx, rx }
}

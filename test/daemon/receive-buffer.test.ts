// The VRRP receive socket's buffer, read from the kernel (ss -m: skmem rb) in the lab: keepalived's
// vrrp_rx_bufs_policy gives floatip the same buffer it gives Debian's keepalived for the same
// config, and without a policy floatip sizes the socket for its instances' bursts.
import t from 'tap'
import { withLab, waitFor, type Lab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, type RunningDaemon } from '../helpers/daemons.js'
import { floatipStatus, type VrrpInstanceSpec } from '../../src/lab/index.js'
import { command } from '../../src/lab/command.js'
import { fileURLToPath } from 'node:url'
import { ADVERT_COST_VALUE, FLOATIP_ROUNDS } from '../../src/engine/rx-buffer.js'

/**
 * The receive buffers (bytes) of the raw VRRP sockets a daemon holds. keepalived receives on a
 * socket bound to the group and gives its send socket the kernel's minimum (2304); floatip
 * receives on an unbound socket and filters everything out of its send socket.
 */
async function vrrpReceiveBuffers (d: RunningDaemon): Promise<number[]> {
  const out = await command(['python3', helper, String(d.child.pid)])
  return out.stdout.split('\n').filter((l) => l !== '').map((l) => Number(l.split(' ')[2]))
}

const helper = fileURLToPath(new URL('../helpers/vrrp-rcvbuf.py', import.meta.url))

function instances (lab: Lab, count: number, priority: number): VrrpInstanceSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `VI_${i + 1}`, vrid: i + 1, priority, vips: [`${lab.vip4(i % 50)}/32`], advertInt: 1, version: 3 as const }))
}

async function settled (d: RunningDaemon, name: string, state: string): Promise<void> {
  await d.waitForLog(stateChange(name, state), `${d.kind} ${d.node} ${name} ${state}`)
}

t.test('vrrp_rx_bufs_policy MTU x 100: floatip\'s socket gets the buffer keepalived\'s gets', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const globalExtra = ['vrrp_rx_bufs_policy MTU', 'vrrp_rx_bufs_multiplier 100']
  const fl = daemons.floatip('r1', keepalivedConf({ instances: instances(lab, 2, 150), globalExtra }))
  const ka = daemons.keepalived('r2', keepalivedConf({ instances: instances(lab, 2, 100), globalExtra }))
  await settled(fl, 'VI_2', 'MASTER')
  const expected = 2 * 2 * 1500 * 100 // two instances x MTU x multiplier, doubled by the kernel
  let kaBuffers: number[] = []
  await waitFor(async () => (kaBuffers = await vrrpReceiveBuffers(ka)).includes(expected) || ka.child.exitCode !== null, { timeoutMs: 10_000, what: 'keepalived\'s sized socket' })
  t.ok(kaBuffers.includes(expected), `keepalived: ${kaBuffers.join(', ')}`)
  const flBuffers = await vrrpReceiveBuffers(fl)
  t.ok(flBuffers.includes(expected), `floatip: ${flBuffers.join(', ')}`)
  const status = await floatipStatus(lab, fl) as { channels: Array<{ receiveBuffer: number }> }
  t.same(status.channels.map((c) => c.receiveBuffer), [expected], 'the status reports it')
})

t.test('no policy: floatip leaves a small config at the system default and sizes a large one', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const small = daemons.floatip('r1', keepalivedConf({ instances: instances(lab, 2, 150) }))
  const large = daemons.floatip('r2', keepalivedConf({ instances: instances(lab, 120, 100).map((i) => ({ ...i, vrid: i.vrid + 100 })) }))
  await settled(small, 'VI_2', 'MASTER')
  await settled(large, 'VI_120', 'MASTER')
  const defaultRb = Number((await lab.run('r1', ['cat', '/proc/sys/net/core/rmem_default'])).stdout.trim())
  const smallStatus = await floatipStatus(lab, small) as { channels: Array<{ receiveBuffer: number }> }
  t.same(smallStatus.channels.map((c) => c.receiveBuffer), [defaultRb], `2 instances: the default ${defaultRb} bytes already holds ${FLOATIP_ROUNDS} rounds`)
  const largeStatus = await floatipStatus(lab, large) as { channels: Array<{ receiveBuffer: number }> }
  const want = 2 * 120 * FLOATIP_ROUNDS * ADVERT_COST_VALUE
  t.same(largeStatus.channels.map((c) => c.receiveBuffer), [Math.max(want, defaultRb)], `120 instances: ${FLOATIP_ROUNDS} rounds each`)
  t.ok((await vrrpReceiveBuffers(large)).includes(want), 'the kernel has it')
})

// A master of 255 instances at advert_int 0.01 (25,500 adverts/s): every instance announces its
// VIP through the interface's one AF_PACKET socket, and SIGTERM (priority-0 adverts, 255 VIPs
// removed) ends it, leaving no VIP. With a socket per instance, the kernel's RCU grace period on
// each close (packet_release: synchronize_net, ~15 ms here) made the stop take 3.4-3.9 s; the
// socket count is the regression check, the stop time is only reported (bench/ measures speed).
import t from 'tap'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { withLab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf } from '../helpers/daemons.js'
import { waitFor } from '../../src/lab/index.js'

const INSTANCES = 255

/** AF_PACKET sockets the process holds: its socket fds whose inode /proc/PID/net/packet lists. */
function packetSockets (pid: number): number {
  const inodes = new Set(readFileSync(`/proc/${pid}/net/packet`, 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/).at(-1)))
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try { return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]) } catch { return false }
  }).length
}

t.test('255 instances at 10 ms: one AF_PACKET socket, and SIGTERM stops them', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const master = daemons.floatip('r1', keepalivedConf({
    routerId: 'r1',
    globalExtra: ['vrrp_garp_master_delay 0'],
    instances: Array.from({ length: INSTANCES }, (_, i) => ({ name: `VI_${i + 1}`, state: 'MASTER' as const, vrid: i + 1, priority: 200, advertInt: 0.01, version: 3 as const, vips: [`203.0.113.${i}/32`] }))
  }))
  const held = async (): Promise<number> => (await lab.run('r1', ['ip', '-4', '-o', 'addr', 'show'])).stdout.split('\n').filter((l) => l.includes(' 203.0.113.')).length
  await waitFor(async () => await held() === INSTANCES || master.child.exitCode !== null, { timeoutMs: 30_000, intervalMs: 100, what: 'r1 to own all 255 VIPs' })
  t.equal(await held(), INSTANCES, 'master of all 255 instances')
  t.equal(packetSockets(master.child.pid as number), 1, 'the 255 instances announce through one AF_PACKET socket')
  const stopping = Date.now()
  lab.kill(master.child, 'SIGTERM')
  t.ok(await lab.waitExit(master.child, 20_000), `stopped by SIGTERM in ${Date.now() - stopping} ms`)
  t.equal(await held(), 0, 'no VIP left behind')
})

// A floatip backup that starts next to a busy master: 255 instances at advert_int 0.01 (25,500
// adverts/s), on a loaded host (it shares one CPU with a CPU-bound process; the master has the
// other CPU to itself, so it really sends on time). Until the backup has heard each master once,
// every advert goes to its JavaScript thread, which is also starting 255 instances: it falls
// behind by more than the native ring holds. No advert may be lost for that, and no
// Master_Down_Timer may fire before the adverts that came ahead of it are processed (RFC 5798
// §6.4.2): the backup must stay BACKUP throughout. Before the native back-pressure it took
// instances over in every run. The master is floatip: keepalived 2.2.7 does not sustain this
// rate (issue 6: ~23,900 adverts/s), and a master that really sends late must be taken over.
// Also: the 255 instances share one AF_PACKET socket for their GARPs (closing one per instance
// cost the kernel an RCU grace period each: ~3.7 s to stop).
import t from 'tap'
import { withLab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf } from '../helpers/daemons.js'
import { availableParallelism } from 'node:os'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { floatipStatus, pinProcessTree, waitFor } from '../../src/lab/index.js'

const INSTANCES = 255
const MASTER_CPU = 0
const HOGS = 1
// A CPU-bound process that ends by itself (and is killed by pid before that).
const HOG = 'const end = Date.now() + 60000; while (Date.now() < end) {}'
const BACKUP_CPU = availableParallelism() - 1

/** AF_PACKET sockets the process holds: its socket fds whose inode /proc/PID/net/packet lists. */
function packetSockets (pid: number): number {
  const inodes = new Set(readFileSync(`/proc/${pid}/net/packet`, 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/).at(-1)))
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try { return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]) } catch { return false }
  }).length
}

function config (router: 'r1' | 'r2'): string {
  return keepalivedConf({
    routerId: router,
    globalExtra: ['vrrp_garp_master_delay 0'],
    instances: Array.from({ length: INSTANCES }, (_, i) => ({
      name: `VI_${i + 1}`,
      state: router === 'r1' ? 'MASTER' as const : 'BACKUP' as const,
      vrid: i + 1,
      priority: router === 'r1' ? 200 : 100,
      advertInt: 0.01,
      version: 3 as const,
      vips: [`203.0.113.${i}/32`]
    }))
  })
}

t.test('a backup starting next to 255 masters at 10 ms stays BACKUP', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const master = daemons.floatip('r1', config('r1'))
  const holdsAll = async (): Promise<boolean> => (await lab.run('r1', ['ip', '-4', '-o', 'addr', 'show'])).stdout.split('\n').filter((l) => l.includes(' 203.0.113.')).length === INSTANCES
  await waitFor(async () => await holdsAll() || master.child.exitCode !== null, { timeoutMs: 30_000, intervalMs: 100, what: 'r1 to own all 255 VIPs' })
  t.ok(await holdsAll(), 'r1 is master of all 255 instances')
  await pinProcessTree(master.child.pid as number, MASTER_CPU)

  const hogs = Array.from({ length: HOGS }, () => lab.spawn('r2', [process.execPath, '-e', HOG], { stdio: 'ignore' }))
  t.teardown(() => { for (const h of hogs) lab.kill(h, 'SIGKILL') })
  for (const h of hogs) await pinProcessTree(h.pid as number, BACKUP_CPU)
  const backup = daemons.floatip('r2', config('r2'))
  await pinProcessTree(backup.child.pid as number, BACKUP_CPU)
  const changes = (): Array<Record<string, unknown>> => backup.logs.filter((l) => l.msg === 'state changed')
  await waitFor(() => changes().filter((l) => l.to === 'BACKUP').length >= INSTANCES || backup.child.exitCode !== null, { timeoutMs: 30_000, what: 'floatip: 255 instances BACKUP' })
  await new Promise((resolve) => setTimeout(resolve, 2000))
  for (const h of hogs) lab.kill(h, 'SIGKILL')
  const takeovers = changes().filter((l) => l.to === 'MASTER')
  t.equal(takeovers.length, 0, `no takeover from the live master (${takeovers.slice(0, 3).map((l) => `${String(l.instance)} ${String(l.reason)}`).join(', ')})`)
  const status = await floatipStatus(lab, backup) as { native: { rxDroppedRingFull: number, rxPaused: number, deadlinesDeferred: number } }
  t.equal(status.native.rxDroppedRingFull, 0, `no advert dropped at the ring (paused ${status.native.rxPaused} times, ${status.native.deadlinesDeferred} deadlines held back)`)
  t.equal(master.child.exitCode, null, 'the master still runs')
  t.equal(packetSockets(master.child.pid as number), 1, 'the master\'s 255 instances announce through one AF_PACKET socket')
  const stopping = Date.now()
  lab.kill(master.child, 'SIGTERM')
  t.ok(await lab.waitExit(master.child, 20_000), `the master stops (SIGTERM: priority-0 adverts, 255 VIPs removed) in ${Date.now() - stopping} ms`)
})

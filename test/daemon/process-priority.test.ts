// keepalived's scheduling options in global_defs, read from /proc of a running floatip in a lab:
// vrrp_priority is the nice value of every thread that does VRRP work (main, engine, native I/O);
// vrrp_rt_priority runs the native I/O thread SCHED_FIFO at that priority; without it the I/O
// thread runs SCHED_FIFO 1, and `--rt-priority 0` puts it on the normal policy.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { release } from 'node:os'
import { withLab } from '../helpers/lab.js'
import { kernelHasCustomSlices } from '../helpers/kernel.js'
import { withDaemons, keepalivedConf, stateChange } from '../helpers/daemons.js'
import { FLOATIP_CLI } from '../../src/lab/index.js'

interface ThreadSched { tid: number, comm: string, nice: number, policy: number, rtPriority: number }

/** Per thread of `pid`: comm, nice (stat field 19), rt_priority (40) and policy (41). */
function threads (pid: number): ThreadSched[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ') // fields from 3 (state) on
    const at = (n: number): number => Number(fields[n - 3])
    return { tid: Number(tid), comm: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(), nice: at(19), rtPriority: at(40), policy: at(41) }
  })
}

t.test('vrrp_priority and vrrp_rt_priority apply to the daemon\'s threads', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const r1 = daemons.floatip('r1', keepalivedConf({
    globalExtra: ['vrrp_priority -7', 'vrrp_rt_priority 5'],
    instances: [{ name: 'VI_1', vrid: 51, priority: 150, vips: [`${lab.vip4(0)}/32`], advertInt: 0.1, version: 3 }]
  }))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
  const all = threads(r1.child.pid as number)
  const io = all.find((th) => th.comm === 'floatip-io')
  t.ok(io !== undefined, 'the native I/O thread is named floatip-io')
  t.equal(io?.nice, -7, 'the I/O thread has the nice value')
  t.equal(io?.policy, 1, 'SCHED_FIFO (policy 1)')
  t.equal(io?.rtPriority, 5)
  const main = all.find((th) => th.tid === r1.child.pid)
  t.equal(main?.nice, -7, 'the main thread too')
  t.equal(main?.policy, 0, 'the main thread stays SCHED_OTHER')
  // The engine's worker thread exists before the config is read: it sets the value on itself.
  t.ok(all.some((th) => th.tid !== main?.tid && th !== io && th.nice === -7 && th.policy === 0), 'the engine thread too (SCHED_OTHER)')
  t.ok(r1.logs.some((l) => l.msg === 'vrrp_priority applied' && l.nice === -7), 'logged')
})

t.test('by default the I/O thread alone runs SCHED_FIFO 1', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const r1 = daemons.floatip('r1', keepalivedConf({
    instances: [{ name: 'VI_1', vrid: 51, priority: 150, vips: [`${lab.vip4(0)}/32`], advertInt: 0.1, version: 3 }]
  }))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
  const all = threads(r1.child.pid as number)
  const io = all.find((th) => th.comm === 'floatip-io')
  t.match(io, { policy: 1, rtPriority: 1 }, 'the I/O thread: SCHED_FIFO at 1')
  t.same(all.filter((th) => th.comm !== 'floatip-io').filter((th) => th.policy !== 0).map((th) => th.comm), [], 'every other thread: SCHED_OTHER')
  t.ok(r1.logs.some((l) => l.msg === 'I/O thread scheduling' && l.policy === 'SCHED_FIFO' && l.priority === 1), 'logged')
})

t.test('--rt-priority 0: the I/O thread runs the normal policy with a short slice', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const r1 = daemons.floatip('r1', keepalivedConf({
    globalExtra: ['vrrp_priority -4'],
    instances: [{ name: 'VI_1', vrid: 51, priority: 150, vips: [`${lab.vip4(0)}/32`], advertInt: 0.1, version: 3 }]
  }), ['--rt-priority', '0'])
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
  const pid = r1.child.pid as number
  const io = threads(pid).find((th) => th.comm === 'floatip-io')
  t.equal(io?.policy, 0, 'SCHED_OTHER')
  t.equal(io?.nice, -4, 'the nice value survives the slice request')
  if (!kernelHasCustomSlices()) {
    t.comment(`kernel ${release()} has no custom slices`)
    return
  }
  const sched = readFileSync(`/proc/${pid}/task/${io?.tid ?? 0}/sched`, 'utf8')
  t.match(sched, /^se\.slice\s*:\s*100000$/m, 'the I/O thread asked for a 100 µs slice (io-thread-scheduling.ts)')
  const main = readFileSync(`/proc/${pid}/task/${pid}/sched`, 'utf8')
  t.notMatch(main, /^se\.slice\s*:\s*100000$/m, 'the main thread keeps the default slice')
})

t.test('--rt-priority takes 0-99 only: anything else is refused before the daemon starts', async (t) => {
  for (const bad of ['abc', '-1', '100', '1.5']) {
    const r = spawnSync(process.execPath, [FLOATIP_CLI, 'run', '-f', '/nonexistent/keepalived.conf', '--rt-priority', bad], { encoding: 'utf8', timeout: 20_000 })
    t.equal(r.status, 2, `--rt-priority ${bad}: exit 2`)
    t.match(r.stderr, /--rt-priority must be a whole number from 0 \(normal scheduler\) to 99/, 'says what is expected')
  }
})

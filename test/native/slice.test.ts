// The I/O thread's EEVDF time slice (sched_setattr with the normal policy): the kernel reports the
// requested slice for that thread, and its nice value (vrrp_priority) survives the change.
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { getPriority, release, setPriority } from 'node:os'
import { IoLoop } from '../../src/native/index.js'
import { kernelHasCustomSlices } from '../helpers/kernel.js'

/** The kernel ids of this process's threads named `name`. */
function threadsNamed (name: string): number[] {
  return readdirSync('/proc/self/task').map(Number).filter((tid) => {
    try { return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === name } catch { return false }
  })
}

function sliceNs (tid: number): number {
  const m = /^se\.slice\s*:\s*(\d+)/m.exec(readFileSync(`/proc/self/task/${tid}/sched`, 'utf8'))
  return m === null ? NaN : Number(m[1])
}

/** Field 19 of /proc/<tid>/stat (after the parenthesised name). */
function niceOf (tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}

t.test('the I/O thread gets the requested slice and keeps its nice value', async (t) => {
  const before = new Set(threadsNamed('floatip-io'))
  const mainNice = getPriority(0)
  setPriority(0, 3) // the I/O thread inherits the creating thread's nice value
  const loop = new IoLoop()
  setPriority(0, mainNice)
  t.teardown(() => loop.close())
  const [tid] = threadsNamed('floatip-io').filter((id) => !before.has(id))
  t.ok(tid > 0, 'the loop thread is running')
  t.equal(niceOf(tid), 3, 'inherited nice value')
  const defaultSlice = sliceNs(tid)
  const reported = loop.setLatencySlice(100)
  t.equal(niceOf(tid), 3, 'nice value kept (vrrp_priority)')
  if (!kernelHasCustomSlices()) {
    t.comment(`kernel ${release()} has no custom slices for the normal policy`)
    return
  }
  t.equal(reported, 100_000, 'the kernel reports 100 µs')
  t.equal(sliceNs(tid), 100_000, '/proc shows the 100 µs slice')
  t.ok(defaultSlice > 100_000, `it was the default (${defaultSlice} ns) before`)
  t.equal(sliceNs(Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0])), defaultSlice, 'the JavaScript thread keeps the default')
})

t.test('slices outside the kernel range are refused, and a closed loop says so', async (t) => {
  const loop = new IoLoop()
  t.throws(() => loop.setLatencySlice(50), RangeError)
  t.throws(() => loop.setLatencySlice(200_000), RangeError)
  loop.close()
  t.throws(() => loop.setLatencySlice(100), { code: 'EBADF' })
})

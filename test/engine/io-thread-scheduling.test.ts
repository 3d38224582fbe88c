// The I/O thread's scheduling decision against a loop that records what it was asked and refuses
// on demand (the real thread's policy is read from /proc in test/daemon/process-priority.test.ts).
import t from 'tap'
import pino from 'pino'
import { applyIoThreadScheduling, IO_THREAD_SLICE_US } from '../../src/engine/io-thread-scheduling.js'

function eperm (): Error {
  return Object.assign(new Error('sched_setscheduler: Operation not permitted'), { code: 'EPERM' })
}

function fakeLoop (refuseRealtime: boolean): { calls: string[], loop: { setRealtimePriority: (p: number) => void, setLatencySlice: (us: number) => number } } {
  const calls: string[] = []
  return {
    calls,
    loop: {
      setRealtimePriority: (p) => {
        calls.push(`fifo ${p}`)
        if (refuseRealtime) throw eperm()
      },
      setLatencySlice: (us) => { calls.push(`slice ${us}`); return us * 1000 }
    }
  }
}

function recorder (): { lines: Array<Record<string, unknown>>, log: pino.Logger } {
  const lines: Array<Record<string, unknown>> = []
  return { lines, log: pino({ level: 'debug', base: undefined, timestamp: false }, { write: (s: string) => { lines.push(JSON.parse(s)) } }) }
}

t.test('a priority that is granted: SCHED_FIFO, no slice', async (t) => {
  const { calls, loop } = fakeLoop(false)
  const { lines, log } = recorder()
  applyIoThreadScheduling(loop, { priority: 1, required: false }, log)
  t.same(calls, ['fifo 1'])
  t.same(lines, [{ level: 30, policy: 'SCHED_FIFO', priority: 1, msg: 'I/O thread scheduling' }])
})

t.test('the default refused: a warning, then the normal policy with the short slice', async (t) => {
  const { calls, loop } = fakeLoop(true)
  const { lines, log } = recorder()
  applyIoThreadScheduling(loop, { priority: 1, required: false }, log)
  t.same(calls, ['fifo 1', `slice ${IO_THREAD_SLICE_US}`])
  t.match(lines[0], { level: 40, priority: 1, code: 'EPERM', msg: /SCHED_FIFO refused/ })
  t.same(lines[1], { level: 30, policy: 'SCHED_OTHER', sliceNs: IO_THREAD_SLICE_US * 1000, msg: 'I/O thread scheduling' })
})

t.test('a required priority refused: the error goes to the caller (the daemon does not start)', async (t) => {
  const { calls, loop } = fakeLoop(true)
  const { log } = recorder()
  t.throws(() => applyIoThreadScheduling(loop, { priority: 20, required: true }, log), { code: 'EPERM' })
  t.same(calls, ['fifo 20'], 'no fallback')
})

t.test('priority 0: the normal policy with the short slice, SCHED_FIFO not asked for', async (t) => {
  const { calls, loop } = fakeLoop(false)
  const { log } = recorder()
  applyIoThreadScheduling(loop, { priority: 0, required: false }, log)
  t.same(calls, [`slice ${IO_THREAD_SLICE_US}`])
})

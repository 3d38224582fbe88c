// The I/O thread's time slice on the normal scheduler. On Linux 6.12+ (EEVDF) a thread may ask for
// a shorter slice than the default ~3 ms (sched_attr.sched_runtime): its virtual deadline comes
// earlier, so when its timer fires on a CPU that another thread keeps busy it preempts that thread
// at once instead of waiting out the other's slice. One wake-up of the I/O thread (a batch of
// adverts, a ring hand-off) takes well under 100 µs, the kernel's minimum. Under SCHED_FIFO
// (vrrp_rt_priority) the slice does not apply. Older kernels accept the request and ignore it.
import type { IoLoop } from '../native/io-loop.js'
import type { Logger } from '../io/logger.js'

export const IO_THREAD_SLICE_US = 100

/** Applies the slice unless the thread runs SCHED_FIFO; a refusal is logged, never fatal. */
export function applyIoThreadSlice (loop: Pick<IoLoop, 'setLatencySlice'>, realtimePriority: number, log: Pick<Logger, 'debug' | 'warn'>): void {
  if (realtimePriority > 0) return
  try {
    const sliceNs = loop.setLatencySlice(IO_THREAD_SLICE_US)
    log.debug({ requestedUs: IO_THREAD_SLICE_US, sliceNs }, 'I/O thread slice')
  } catch (err) {
    const e = err as Error & { code?: string }
    log.warn({ requestedUs: IO_THREAD_SLICE_US, code: e.code, err: e.message }, 'I/O thread slice: not applied')
  }
}

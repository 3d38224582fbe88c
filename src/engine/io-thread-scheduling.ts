// How the native I/O thread is scheduled. It sends every advert and runs every timer, a few µs of
// work per wake-up, so it is the one thread whose lateness the peers see: by default it runs
// SCHED_FIFO at the lowest priority (1), as cluster daemons such as corosync run theirs, so that
// a busy control plane (a reload, scripts, status queries) cannot delay an advert. On the normal
// policy, with two daemons reloading on two cores, perf showed the I/O thread runnable but not
// run for up to 18 ms (bench/README.md). Where SCHED_FIFO is refused (no CAP_SYS_NICE, an RT
// cgroup limit) the default falls back to the normal policy with a warning; an explicit priority
// (`--rt-priority N`, keepalived's `vrrp_rt_priority`) is required.
//
// On the normal policy (`--rt-priority 0`, or the fallback), Linux 6.12+ (EEVDF) lets a thread
// ask for a shorter slice than the default ~3 ms (sched_attr.sched_runtime): its virtual deadline
// comes earlier, so when its timer fires on a CPU another thread keeps busy it preempts that
// thread at once. One wake-up takes well under 100 µs, the kernel's minimum. Older kernels
// accept the request and ignore it.
import type { IoLoop } from '../native/io-loop.js'
import type { Logger } from '../io/logger.js'

export const IO_THREAD_SLICE_US = 100

/** SCHED_FIFO priority of the I/O thread when neither the command line nor the config sets one. */
export const DEFAULT_IO_RT_PRIORITY = 1

/** The priority wanted (0: the normal policy) and whether a refusal stops the daemon. */
export interface IoThreadRealtime { priority: number, required: boolean }

/**
 * Applies SCHED_FIFO at `realtime.priority`, or the short slice on the normal policy. Throws
 * only when a required priority is refused; every other refusal is logged.
 */
export function applyIoThreadScheduling (loop: Pick<IoLoop, 'setRealtimePriority' | 'setLatencySlice'>, realtime: IoThreadRealtime, log: Pick<Logger, 'info' | 'warn'>): void {
  if (realtime.priority > 0) {
    try {
      loop.setRealtimePriority(realtime.priority)
      log.info({ policy: 'SCHED_FIFO', priority: realtime.priority }, 'I/O thread scheduling')
      return
    } catch (err) {
      if (realtime.required) throw err
      const e = err as Error & { code?: string }
      log.warn({ priority: realtime.priority, code: e.code, err: e.message }, 'I/O thread: SCHED_FIFO refused, running on the normal policy (adverts may run late on a busy host; --rt-priority 0 silences this)')
    }
  }
  try {
    const sliceNs = loop.setLatencySlice(IO_THREAD_SLICE_US)
    log.info({ policy: 'SCHED_OTHER', sliceNs }, 'I/O thread scheduling')
  } catch (err) {
    const e = err as Error & { code?: string }
    log.warn({ requestedUs: IO_THREAD_SLICE_US, code: e.code, err: e.message }, 'I/O thread slice: not applied')
  }
}

// CPU time and memory of a daemon from /proc: the process the lab spawned plus its descendants
// (keepalived's VRRP child; floatip's threads are counted with its process). CPU time is the sum
// of every thread's sum_exec_runtime (/proc/PID/task/TID/schedstat, ns), memory the sum of VmRSS.
// Must not: look at any process outside the given tree.
import { readFileSync } from 'node:fs'
import { processTasks, processTree } from '../../src/lab/index.js'

export { processTree }

function read (path: string): string | null {
  try { return readFileSync(path, 'utf8') } catch { return null }
}

/** CPU time (µs) used so far by the processes' live threads. */
export function cpuTimeUs (pids: readonly number[]): number {
  let ns = 0
  for (const pid of pids) {
    for (const tid of processTasks(pid)) {
      const text = read(`/proc/${pid}/task/${tid}/schedstat`)
      if (text !== null) ns += Number(text.split(' ')[0])
    }
  }
  return ns / 1000
}

/** Resident memory (kB) of the processes. */
export function rssKb (pids: readonly number[]): number {
  let kb = 0
  for (const pid of pids) {
    const m = /VmRSS:\s+(\d+)/.exec(read(`/proc/${pid}/status`) ?? '')
    if (m !== null) kb += Number(m[1])
  }
  return kb
}

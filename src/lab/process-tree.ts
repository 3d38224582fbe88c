// A lab process and its descendants, from /proc (keepalived forks its VRRP child; a daemon's
// scripts are its children), for the benches' CPU and memory figures. Read only. Must not: look
// at any process outside the given tree.
import { readdirSync, readFileSync } from 'node:fs'

function read (path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

/** The threads (tids) of a process; none once it is gone. */
export function processTasks (pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`)
  } catch {
    return []
  }
}

/** pid and its descendants (through /proc/PID/task/TID/children), at most 64. */
export function processTree (pid: number): number[] {
  const out: number[] = []
  const queue = [pid]
  while (queue.length > 0 && out.length < 64) {
    const p = queue.shift() as number
    if (read(`/proc/${p}/stat`) === null) continue
    out.push(p)
    for (const tid of processTasks(p)) {
      const children = (read(`/proc/${p}/task/${tid}/children`) ?? '').split(' ').filter((s) => s.trim() !== '')
      for (const child of children) queue.push(Number(child))
    }
  }
  return out
}

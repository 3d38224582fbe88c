// A lab process and its descendants, from /proc (keepalived forks its VRRP child; a daemon's
// scripts are its children), and pinning such a tree to one CPU with taskset(1), so that a test
// can load one "host" without starving the other on a small machine. Must not: look at or touch
// any process outside the given tree.
import { readdirSync, readFileSync } from 'node:fs'
import { command } from './command.js'

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

/** Every thread of pid's tree runs on `cpu` only; threads and children made later inherit it. */
export async function pinProcessTree (pid: number, cpu: number): Promise<void> {
  for (const p of processTree(pid)) {
    try {
      await command(['taskset', '-a', '-p', '-c', String(cpu), String(p)])
    } catch (err) {
      if (read(`/proc/${p}/stat`) !== null) throw err // a process that just exited needs no pinning
    }
  }
}

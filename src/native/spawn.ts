// Starting a child process without fork(): the addon's posix_spawn (clone with CLONE_VM |
// CLONE_VFORK), so a daemon with a large heap neither copies its page tables nor makes its own
// pages copy-on-write every time a track script runs. Node's child_process forks; on a kernel
// without preemption that copy held the native I/O thread off its CPU (docs/engine.md).
import { constants } from 'node:os'
import { binding } from './binding.js'

/** How a spawned child ended: an exit code, or the signal that ended it. */
export type ChildExit =
  | { code: number, signal: null }
  | { code: null, signal: NodeJS.Signals }

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]))

/**
 * Runs argv[0] (looked up in PATH) with argv as its arguments, as the leader of a new session
 * (its pid is its process group id), stdio on /dev/null, every signal at its default and none
 * blocked. `env` undefined: the daemon's environment. `onExit` runs once, on this thread, when
 * the child has ended and been reaped. Returns the pid; throws a Node-shaped system error
 * (code ENOENT, EACCES, ...) when it cannot be executed, and then nothing was started.
 */
export function spawnDetached (argv: readonly string[], env: Record<string, string | undefined> | undefined, onExit: (exit: ChildExit) => void): number {
  const envList = env === undefined ? null : Object.entries(env).flatMap(([k, v]) => v === undefined ? [] : [`${k}=${v}`])
  return binding.spawnDetached(argv, envList, (code, signal) => {
    if (code !== null) return onExit({ code, signal: null })
    onExit({ code: null, signal: SIGNAL_NAMES.get(signal as number) ?? `SIG${signal as number}` as NodeJS.Signals })
  })
}

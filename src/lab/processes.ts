// Processes a lab started inside its namespaces. Owns: spawning them (each leads its own process
// group), tracking them by pid, and ending them at destroy — SIGTERM, a bounded wait, then SIGKILL.
// Must not: signal any process it did not spawn, or find processes by name.
//
// Why a process group: `ip netns exec ns prog` execs prog (same pid), and prog may start helpers
// (a daemon's notify scripts, a shell's children). Signalling the group the child leads ends those
// too, and the group id is the child's pid, which cannot be reused while the child is unreaped.

import { spawn as spawnProcess, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LabError } from './errors.js';

export type LabSpawnOptions = Omit<SpawnOptions, 'detached'>;

export interface KillOptions {
  /** Signal the child's whole process group instead of the child alone (default false). */
  group?: boolean;
}

/** SIGTERM first; whatever is still alive after this long gets SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 2_000;
/** After SIGKILL, how long to wait for the kernel to report the exit before giving up. */
const AFTER_SIGKILL_WAIT_MS = 2_000;
const SYNC_POLL_MS = 10;

export class ProcessTracker {
  private readonly exits = new Map<ChildProcess, Promise<void>>();

  /** Starts argv (already wrapped in `ip netns exec`) and tracks it until it exits. */
  spawn(argv: readonly string[], options: LabSpawnOptions = {}): ChildProcess {
    const [file, ...args] = argv;
    const child = spawnProcess(file, args, { stdio: 'ignore', ...options, detached: true });
    const exited = new Promise<void>((resolve) => {
      const done = (): void => {
        this.exits.delete(child);
        resolve();
      };
      child.once('exit', done);
      // A failed spawn emits 'error' and no 'exit'; the caller gets 'error' too (a listener here
      // does not swallow it for them: spawn errors are re-emitted below if nobody else listens).
      child.once('error', (error) => {
        if (child.pid === undefined) done();
        if (child.listenerCount('error') === 0) process.nextTick(() => { throw error; });
      });
    });
    this.exits.set(child, exited);
    return child;
  }

  tracks(child: ChildProcess): boolean {
    return this.exits.has(child);
  }

  get count(): number {
    return this.exits.size;
  }

  /** Sends `signal` to a tracked child (or its group). False if it has already exited. */
  kill(child: ChildProcess, signal: NodeJS.Signals, options: KillOptions = {}): boolean {
    if (!this.exits.has(child)) {
      if (hasExited(child)) return false;
      throw new LabError(`process ${String(child.pid)} was not spawned by this lab: refusing to signal it`);
    }
    return signalChild(child, signal, options.group ?? false);
  }

  /** Resolves when the child has exited, or after timeoutMs (then returns false). */
  async waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
    const exited = this.exits.get(child);
    if (exited === undefined) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([exited.then(() => true as const), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends every tracked child: SIGTERM to its group, wait up to graceMs, then SIGKILL. */
  async terminateAll(graceMs: number = DEFAULT_KILL_GRACE_MS): Promise<void> {
    const children = [...this.exits.keys()];
    for (const child of children) signalChild(child, 'SIGTERM', true);
    await Promise.all(children.map((child) => this.waitExit(child, graceMs)));
    const stubborn = children.filter((child) => this.exits.has(child));
    for (const child of stubborn) signalChild(child, 'SIGKILL', true);
    await Promise.all(stubborn.map((child) => this.waitExit(child, AFTER_SIGKILL_WAIT_MS)));
    const left = stubborn.filter((child) => this.exits.has(child)).map((child) => child.pid);
    if (left.length > 0) throw new LabError(`lab processes ${left.join(', ')} did not exit after SIGKILL`);
  }

  /**
   * The same, for 'exit' and signal handlers where the event loop no longer runs: liveness is
   * read from /proc (an exited but unreaped child is a zombie, state Z) and waiting is a bounded
   * blocking sleep.
   */
  terminateAllSync(graceMs: number = DEFAULT_KILL_GRACE_MS): void {
    const children = [...this.exits.keys()].filter(isRunningChild);
    for (const child of children) signalChild(child, 'SIGTERM', true);
    const stubborn = waitSync(children, graceMs);
    for (const child of stubborn) signalChild(child, 'SIGKILL', true);
    waitSync(stubborn, AFTER_SIGKILL_WAIT_MS);
    for (const child of children) this.exits.delete(child);
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function signalChild(child: ChildProcess, signal: NodeJS.Signals, group: boolean): boolean {
  const pid = child.pid;
  // Not yet reaped by Node means the pid (and the group id equal to it) is still ours.
  if (pid === undefined || hasExited(child)) return false;
  try {
    process.kill(group ? -pid : pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** True while the child runs: /proc/<pid>/stat exists, is not a zombie, and its parent is us. */
function isRunningChild(child: ChildProcess): boolean {
  if (child.pid === undefined || hasExited(child)) return false;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] !== 'Z' && Number(fields[1]) === process.pid;
}

function waitSync(children: readonly ChildProcess[], timeoutMs: number): ChildProcess[] {
  const deadline = Date.now() + timeoutMs;
  let running = children.filter(isRunningChild);
  for (let i = 0; running.length > 0 && Date.now() < deadline && i < timeoutMs / SYNC_POLL_MS + 1; i++) {
    sleepSync(SYNC_POLL_MS);
    running = running.filter(isRunningChild);
  }
  return running;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

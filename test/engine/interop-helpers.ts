// End-to-end helpers for engine tests on a lab: follow what a VRRP daemon (floatip or keepalived)
// says about its state, and check the ground truth neither daemon can fake: which nodes hold a VIP
// over a window, whether the client reaches it. Must not: start labs or daemons of its own, or
// wait without a bound.
import { floatipStatus as readFloatipStatus, vipHolders, waitFor, type Lab, type NsRef, type RunningDaemon } from '../../src/lab/index.js'
import { monotonicUs } from '../../src/native/index.js'

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT'

// KEEPALIVED 2.2.7 console log: "<date>: (VI_1) Entering MASTER STATE" / "... BACKUP STATE (init)".
const KEEPALIVED_ENTERING = /\((\S+)\) Entering (BACKUP|MASTER|FAULT) STATE/

/** The states a daemon reported entering for `instance`, oldest first. */
export function reportedStates (daemon: RunningDaemon, instance: string): VrrpState[] {
  if (daemon.kind === 'floatip') {
    return daemon.logs
      .filter((line) => line.msg === 'state changed' && line.instance === instance)
      .map((line) => line.to as VrrpState)
  }
  const out: VrrpState[] = []
  for (const line of daemon.stderr) {
    const m = KEEPALIVED_ENTERING.exec(line)
    if (m !== null && m[1] === instance) out.push(m[2] as VrrpState)
  }
  return out
}

/** The state the daemon last reported for `instance` (undefined before its first report). */
export function lastState (daemon: RunningDaemon, instance: string): VrrpState | undefined {
  return reportedStates(daemon, instance).at(-1)
}

/**
 * Waits until the daemon reports entering `state` as its report number `from` or later (pass
 * `reportedStates(d, i).length` taken before an action to wait for a transition caused by it).
 */
export async function waitForState (daemon: RunningDaemon, instance: string, state: VrrpState,
  options: { timeoutMs: number, from?: number }): Promise<void> {
  const from = options.from ?? 0
  const what = `${daemon.kind} on ${daemon.node}: ${instance} to enter ${state}`
  // A daemon that exits (e.g. refuses its config) fails the wait at once instead of timing out.
  let onExit: () => void = () => {}
  const reached = (): boolean => reportedStates(daemon, instance).slice(from).includes(state)
  const exited = new Promise<never>((_resolve, reject) => {
    onExit = () => { if (!reached()) reject(new Error(`waiting for ${what}: it exited (code ${String(daemon.child.exitCode)}, signal ${String(daemon.child.signalCode)})`)) }
    if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) onExit()
    else daemon.child.once('exit', onExit)
  })
  try {
    await Promise.race([exited, waitFor(reached,
      { timeoutMs: options.timeoutMs, intervalMs: 20, what })])
  } finally {
    daemon.child.off('exit', onExit)
    exited.catch(() => {})
  }
}

/**
 * waitForState, and resolves with when the daemon entered `state` on CLOCK_MONOTONIC in µs (the
 * clock of monotonicUs()): floatip's own `atUs`; for keepalived, whose console log has whole
 * seconds only, the moment its line reached this process (later than the transition by the pipe
 * and this event loop's delay, never earlier). Call it before the action that causes the
 * transition, so that no keepalived line arrives unobserved.
 */
export async function waitForStateAtUs (daemon: RunningDaemon, instance: string, state: VrrpState,
  options: { timeoutMs: number, from?: number }): Promise<number> {
  const from = options.from ?? 0
  const reachedAt = (): number | undefined => {
    if (daemon.kind === 'floatip') {
      const line = daemon.logs.filter((l) => l.msg === 'state changed' && l.instance === instance).slice(from).find((l) => l.to === state)
      return line === undefined ? undefined : Number(line.atUs)
    }
    return reportedStates(daemon, instance).slice(from).includes(state) ? monotonicUs() : undefined
  }
  // The lab's own listeners were added at spawn, before this one: the line is stored already.
  let seenUs: number | undefined
  const onData = (): void => { seenUs ??= reachedAt() }
  const streams = [daemon.child.stdout, daemon.child.stderr]
  for (const s of streams) s?.on('data', onData)
  try {
    await waitForState(daemon, instance, state, options)
  } finally {
    for (const s of streams) s?.off('data', onData)
  }
  return daemon.kind === 'floatip' ? reachedAt() as number : seenUs ?? monotonicUs()
}

/**
 * Waits until exactly `expected` (sorted node keys) hold `vip`, then samples the holders
 * `samples` times over `windowMs` and returns every sample: a steady state holds throughout.
 */
export async function steadyHolders (lab: Lab, nodes: readonly string[], vip: string, expected: readonly string[],
  options: { timeoutMs: number, windowMs?: number, samples?: number }): Promise<string[][]> {
  const want = [...expected].sort().join(',')
  await waitFor(async () => (await vipHolders(lab, nodes, vip)).sort().join(',') === want,
    { timeoutMs: options.timeoutMs, intervalMs: 20, what: `${vip} on exactly [${want}]` })
  const samples = options.samples ?? 5
  const pauseMs = (options.windowMs ?? 1000) / samples
  const seen: string[][] = []
  for (let i = 0; i < samples; i++) {
    await new Promise((resolve) => setTimeout(resolve, pauseMs))
    seen.push((await vipHolders(lab, nodes, vip)).sort())
  }
  return seen
}

/** Resolves once one ping from `from` (default the client) to `address` is answered. */
export async function waitForPing (lab: Lab, address: string, options: { timeoutMs: number, from?: string }): Promise<void> {
  const from = (options.from ?? 'c') as NsRef
  await waitFor(async () => { await lab.run(from, ['ping', '-n', '-q', '-c', '1', '-W', '1', address]); return true },
    { timeoutMs: options.timeoutMs, intervalMs: 100, what: `${String(from)} to reach ${address}` })
}

/** A running floatip's full status (SIGUSR1 writes floatip.status.json). */
export async function floatipStatus (lab: Lab, daemon: RunningDaemon, timeoutMs: number): Promise<FloatipStatus> {
  return await readFloatipStatus(lab, daemon, timeoutMs) as unknown as FloatipStatus
}

/** The part of floatip's status log field the tests read. */
export interface FloatipStatus {
  instances: Array<{
    name: string
    state: VrrpState
    counters: { advertsReceived: number, discards: Record<string, number> }
  }>
}

/** The last lines a daemon wrote, for a failing test's diagnostics. */
export function tail (daemon: RunningDaemon, lines = 25): string {
  const out = daemon.kind === 'floatip'
    ? [...daemon.logs.map((l) => JSON.stringify(l)), ...daemon.stderr]
    : daemon.stderr
  return `--- ${daemon.kind} on ${daemon.node} (pid ${daemon.child.pid ?? '?'}), last ${lines} lines\n${out.slice(-lines).join('\n')}`
}

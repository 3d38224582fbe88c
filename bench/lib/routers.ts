// The routers of a failover lab: for each node, the echo responder (the service behind the VIP)
// and one VRRP daemon, floatip or keepalived, started from the same keepalived.conf text. Knows
// how to crash (SIGKILL to the daemon's process group and the responder, in one instant), stop
// gracefully (SIGTERM) and wait for a daemon's state from its own log. Must not: signal anything
// the lab did not spawn, or wait without a bound.
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { LabDaemons, waitFor, type Lab, type LogLine, type RunningDaemon } from '../../src/lab/index.js'
import { monotonicUs } from '../../src/native/index.js'
import { ECHO_PORT } from './probe.js'

export type DaemonKind = 'floatip' | 'keepalived'
const RESPONDER = fileURLToPath(new URL('echo-responder.js', import.meta.url))
const STOP_TIMEOUT_MS = 5_000

export class Router {
  readonly key: string
  daemon: RunningDaemon | null = null
  responder: ChildProcess | null = null
  /** CLOCK_MONOTONIC µs just before the daemon was spawned. */
  startedUs = 0
  readonly #lab: Lab
  readonly #daemons: LabDaemons
  #responderKilled = false

  constructor (lab: Lab, daemons: LabDaemons, key: string) {
    this.#lab = lab
    this.#daemons = daemons
    this.key = key
  }

  async startResponder (): Promise<void> {
    if (this.responder !== null) return
    const child = this.#lab.spawn(this.key, [process.execPath, RESPONDER, this.key, String(ECHO_PORT)], { stdio: ['ignore', 'pipe', 'inherit'] })
    this.responder = child
    let ready = false
    child.stdout?.setEncoding('utf8').on('data', (s: string) => { if (s.includes('ready')) ready = true })
    await waitFor(() => ready, { timeoutMs: 10_000, intervalMs: 5, what: `${this.key}: echo responder to start` })
  }

  start (kind: DaemonKind, config: string): RunningDaemon {
    this.startedUs = monotonicUs()
    this.daemon = kind === 'floatip' ? this.#daemons.floatip(this.key, config) : this.#daemons.keepalived(this.key, config, { detailedLog: false })
    return this.daemon
  }

  /** The host dies: SIGKILL to the daemon's process group and to the responder, one after the other. Returns the instant. */
  crash (): number {
    const d = this.daemon
    if (d === null) throw new Error(`${this.key}: no daemon to crash`)
    const atUs = monotonicUs()
    this.#lab.kill(d.child, 'SIGKILL', { group: true })
    if (this.responder !== null) {
      this.#lab.kill(this.responder, 'SIGKILL')
      this.#responderKilled = true
    }
    return atUs
  }

  /** Waits (bounded) until the daemon has exited, and the responder if crash() killed it. */
  async reaped (): Promise<void> {
    const children = [this.daemon?.child, this.#responderKilled ? this.responder : null].filter((c): c is ChildProcess => c != null)
    for (const c of children) {
      if (!await this.#lab.waitExit(c, STOP_TIMEOUT_MS)) throw new Error(`${this.key}: pid ${String(c.pid)} did not exit`)
    }
    if (this.#responderKilled) this.responder = null
    this.#responderKilled = false
    this.daemon = null
  }

  /** SIGTERM: the daemon's graceful shutdown (priority-0 advert, VIPs removed). Returns the instant. */
  terminate (): number {
    const d = this.daemon
    if (d === null) throw new Error(`${this.key}: no daemon to stop`)
    const atUs = monotonicUs()
    this.#lab.kill(d.child, 'SIGTERM')
    return atUs
  }

  /** Stops the daemon (SIGTERM, bounded, then SIGKILL of its group). */
  async stopDaemon (): Promise<void> {
    const d = this.daemon
    if (d === null) return
    if (d.child.exitCode === null && d.child.signalCode === null) {
      this.#lab.kill(d.child, 'SIGTERM')
      if (!await this.#lab.waitExit(d.child, STOP_TIMEOUT_MS)) {
        this.#lab.kill(d.child, 'SIGKILL', { group: true })
        await this.#lab.waitExit(d.child, STOP_TIMEOUT_MS)
      }
    }
    this.daemon = null
  }

  /** Waits until the daemon logs that `instance` entered `state` (after log index `from`). */
  async waitState (instance: string, state: 'MASTER' | 'BACKUP' | 'FAULT', timeoutMs: number, from = 0): Promise<void> {
    const d = this.daemon
    if (d === null) throw new Error(`${this.key}: no daemon`)
    const match = stateMatcher(d, instance, state)
    const exited = (): boolean => d.child.exitCode !== null || d.child.signalCode !== null
    await waitFor(() => match(from) || exited(), { timeoutMs, intervalMs: 2, what: `${this.key} (${d.kind}): ${instance} to enter ${state}` })
    if (!match(from)) throw new Error(`${this.key}: ${d.kind} exited (${String(d.child.exitCode ?? d.child.signalCode)}) before ${instance} entered ${state}: ${d.stderr.slice(-5).join(' | ')}`)
  }

  /** Where the daemon's log is now (pass as `from` to wait for a later transition). */
  logMark (): number {
    const d = this.daemon
    if (d === null) return 0
    return d.kind === 'floatip' ? d.logs.length : d.stderr.length
  }
}

/** floatip: its `state changed` JSON line; keepalived: its console line `(VI_1) Entering MASTER STATE`. */
function stateMatcher (d: RunningDaemon, instance: string, state: string): (from: number) => boolean {
  if (d.kind === 'floatip') {
    return (from) => d.logs.some((l: LogLine, i) => i >= from && l.msg === 'state changed' && l.instance === instance && l.to === state)
  }
  const text = `(${instance}) Entering ${state} STATE`
  return (from) => d.stderr.some((l, i) => i >= from && l.includes(text))
}

// The client's view of a failover: runs client-probe.ts in the client namespace (a TCP attempt to
// a closed port of the VIP every PROBE_INTERVAL_MS; whoever holds the VIP answers with a RST) and
// measures the outage the client saw: the longest run of unanswered attempts, from the send time
// of the answered attempt before it to that of the answered attempt after it. Owns: starting,
// parsing and stopping the probe process. Must not: outlive the lab (the probe is a lab process:
// stop() ends it, and the lab's destroy() would too).
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { waitFor, type Lab } from '../lab/index.js'
import { packageRoot } from '../native/index.js'

export const PROBE_INTERVAL_MS = 2
/** Any port nothing listens on: the answer is the kernel's RST. */
const PROBE_PORT = 9
/** The built script (like FLOATIP_CLI): tests load this module from src/ through tap's loader. */
const PROBE_SCRIPT = join(packageRoot, 'dist', 'src', 'demo', 'client-probe.js')
const STOP_GRACE_MS = 2000

interface Attempt {
  /** Epoch ms when the attempt was sent, and when its answer came (undefined: none yet). */
  sentMs: number
  answeredMs?: number
}

export interface Outage {
  /** Send time of the answered attempts around the longest unanswered run; 0 and 0 if none. */
  fromEpochMs: number
  toEpochMs: number
  /** toEpochMs - fromEpochMs: the outage, to within one probe interval. */
  ms: number
  /** Attempts that got no answer in that run. */
  unanswered: number
  /** The longest time the probe sent nothing at all (it was not scheduled), for comparison. */
  longestPauseMs: number
}

export class ClientProbe {
  readonly #lab: Lab
  readonly #child: ChildProcess
  /** By sequence number (1, 2, ...), in send order. */
  readonly #attempts: Attempt[] = []

  constructor (lab: Lab, target: string) {
    this.#lab = lab
    this.#child = lab.spawn('c', [process.execPath, PROBE_SCRIPT, target, String(PROBE_PORT), String(PROBE_INTERVAL_MS)],
      { stdio: ['ignore', 'pipe', 'inherit'] })
    let partial = ''
    this.#child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) this.#parse(line)
    })
  }

  /** Resolves once `count` attempts sent after `afterEpochMs` (default: any time) were answered. */
  async waitAnswers (count: number, what: string, options: { afterEpochMs?: number, timeoutMs?: number } = {}): Promise<void> {
    const after = options.afterEpochMs ?? 0
    await waitFor(() => {
      if (this.#child.exitCode !== null) throw new Error(`the client probe exited with code ${this.#child.exitCode}`)
      return this.#attempts.filter((a) => a.sentMs > after && a.answeredMs !== undefined).length >= count
    }, { timeoutMs: options.timeoutMs ?? 3000, intervalMs: 5, what: `the client: ${what}` })
  }

  /** Stops the probe (SIGINT, then SIGKILL after a bounded wait). Idempotent. */
  async stop (): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    this.#lab.kill(this.#child, 'SIGINT')
    if (!await this.#lab.waitExit(this.#child, STOP_GRACE_MS)) {
      this.#lab.kill(this.#child, 'SIGKILL')
      await this.#lab.waitExit(this.#child, STOP_GRACE_MS)
    }
  }

  /**
   * The longest run of unanswered attempts from the last answered attempt sent at or before
   * `fromEpochMs` on. Attempts still pending at the end (no answered attempt after them) do not
   * count: call it after waitAnswers() has seen answers again.
   */
  outage (fromEpochMs: number): Outage {
    const sent = this.#attempts.filter((a) => a !== undefined)
    let start = 0
    sent.forEach((a, i) => { if (a.sentMs <= fromEpochMs && a.answeredMs !== undefined) start = i })
    const result: Outage = { fromEpochMs: 0, toEpochMs: 0, ms: 0, unanswered: 0, longestPauseMs: 0 }
    let lastAnswered = sent[start]
    let unanswered = 0
    for (let i = start + 1; i < sent.length; i++) {
      const a = sent[i]
      result.longestPauseMs = Math.max(result.longestPauseMs, a.sentMs - sent[i - 1].sentMs)
      if (a.answeredMs === undefined) { unanswered++; continue }
      const ms = a.sentMs - lastAnswered.sentMs
      if (unanswered > 0 && ms > result.ms) Object.assign(result, { fromEpochMs: lastAnswered.sentMs, toEpochMs: a.sentMs, ms, unanswered })
      lastAnswered = a
      unanswered = 0
    }
    return result
  }

  #parse (line: string): void {
    const [kind, seqText, timeText] = line.split(' ')
    const seq = Number(seqText)
    const time = Number(timeText)
    if (!(seq > 0) || !Number.isFinite(time)) return
    if (kind === 's') this.#attempts[seq - 1] = { sentMs: time }
    else if (kind === 'a' && this.#attempts[seq - 1] !== undefined) this.#attempts[seq - 1].answeredMs = time
  }
}

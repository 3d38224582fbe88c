// The bench side of the client probe: spawns bench/lib/prober.ts in the client namespace, keeps
// its gap events and latest status, and answers the questions the scenarios ask: who serves the
// client now, has it been served steadily, and what outage followed a fault. Must not: outlive
// the lab (the prober is a lab process; stop() ends it by pid).
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { waitFor, type Lab } from '../../src/lab/index.js'

export const ECHO_PORT = 7007
const PROBER = fileURLToPath(new URL('prober.js', import.meta.url))

export interface GapEvent {
  prevUs: number
  prevFrom: string
  us: number
  from: string
}

export interface ProbeStatus {
  us: number
  from: string | null
  lastUs: number
  replies: number
  sent: number
  startUs: number
}

export interface Outage {
  /** Last reply before the gap (µs, CLOCK_MONOTONIC) and who sent it. */
  lastUs: number
  lastFrom: string
  /** First reply from the new server after the fault. */
  firstUs: number
  firstFrom: string
  outageUs: number
}

export class Probe {
  readonly target: string
  readonly gaps: GapEvent[] = []
  status: ProbeStatus | null = null
  firstReply: { us: number, from: string } | null = null
  readonly #lab: Lab
  readonly #child: ChildProcess
  #partial = ''

  constructor (lab: Lab, target: string, intervalUs = 1000, gapUs = 2500) {
    this.#lab = lab
    this.target = target
    this.#child = lab.spawn('c', [process.execPath, PROBER, target, String(ECHO_PORT), String(intervalUs), String(gapUs)], { stdio: ['ignore', 'pipe', 'inherit'] })
    this.#child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.#read(chunk))
  }

  async ready (timeoutMs = 10_000): Promise<void> {
    await waitFor(() => this.status !== null, { timeoutMs, intervalMs: 5, what: `the prober to ${this.target} to start` })
  }

  /** Waits until `router` alone has answered, with no gap, for the last `forMs`. */
  async waitServed (router: string, forMs: number, timeoutMs: number): Promise<void> {
    const since = (): number => {
      const gap = this.gaps.at(-1)
      const firstUs = gap?.from === router ? gap.us : (this.firstReply?.from === router && gap === undefined ? this.firstReply.us : Infinity)
      return firstUs
    }
    await waitFor(() => {
      const s = this.status
      if (s === null || s.from !== router || s.us - s.lastUs > 5_000) return false
      return s.lastUs - since() >= forMs * 1000
    }, { timeoutMs, intervalMs: 5, what: `the client to be served by ${router} for ${forMs} ms (now: ${this.status?.from ?? 'nobody'})` })
  }

  /** The outage that ended with the first reply from `to` after `afterUs`, or null if none yet. */
  outageAfter (afterUs: number, to: string): Outage | null {
    const gap = this.gaps.find((g) => g.us > afterUs && g.from === to)
    if (gap === undefined) return null
    return { lastUs: gap.prevUs, lastFrom: gap.prevFrom, firstUs: gap.us, firstFrom: gap.from, outageUs: gap.us - gap.prevUs }
  }

  /** Gaps that ended within [fromUs, toUs] (for spotting extra outages after a takeover). */
  gapsBetween (fromUs: number, toUs: number): GapEvent[] {
    return this.gaps.filter((g) => g.us >= fromUs && g.us <= toUs)
  }

  /** The prober's actual mean send interval so far (µs). */
  meanIntervalUs (): number {
    const s = this.status
    return s === null || s.sent === 0 ? NaN : (s.us - s.startUs) / s.sent
  }

  async stop (): Promise<void> {
    this.#lab.kill(this.#child, 'SIGTERM')
    await this.#lab.waitExit(this.#child, 2000)
  }

  #read (chunk: string): void {
    const lines = (this.#partial + chunk).split('\n')
    this.#partial = lines.pop() ?? ''
    for (const line of lines) {
      let event: Record<string, unknown>
      try { event = JSON.parse(line) as Record<string, unknown> } catch { continue }
      if (event.t === 'status') this.status = event as unknown as ProbeStatus
      else if (event.t === 'gap') this.gaps.push(event as unknown as GapEvent)
      else if (event.t === 'reply') this.firstReply = { us: event.us as number, from: event.from as string }
    }
  }
}

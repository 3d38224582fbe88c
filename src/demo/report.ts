// What the demo prints: timestamped steps, an indented block (the config), and the result table.
// Owns formatting only; must not measure or decide anything.
import { availableParallelism, loadavg } from 'node:os'

const started = performance.now()

/** One step, stamped with the wall clock and the time since the demo started. */
export function say (text: string): void {
  const clock = new Date().toISOString().slice(11, 23)
  const elapsed = ((performance.now() - started) / 1000).toFixed(2).padStart(6)
  console.log(`[${clock} +${elapsed}s] ${text}`)
}

export function block (text: string): void {
  console.log(text.trimEnd().split('\n').map((line) => `      | ${line}`).join('\n'))
}

/** Milliseconds with one decimal from microseconds. */
export const ms = (us: number): string => (us / 1000).toFixed(1)

export interface ResultRow {
  scenario: string
  /** The RFC timer that bounds the takeover, and what it counts from. */
  boundUs: number
  takeoverUs: number
  outageMs: number
  /** The longest time the client's probe sent nothing in the outage window (ms). */
  probePausedMs: number
}

/** A probe that stalled this long may have slept through (part of) an outage. */
const PROBE_PAUSE_LIMIT_MS = 10

export function printTable (rows: readonly ResultRow[], probeIntervalMs: number): void {
  const head = ['scenario', 'protocol bound', 'takeover', 'client outage ']
  const flag = (r: ResultRow): string => (r.probePausedMs > PROBE_PAUSE_LIMIT_MS ? '*' : ' ')
  const cells = rows.map((r) => [r.scenario, `${ms(r.boundUs)} ms`, `${ms(r.takeoverUs)} ms`, `${r.outageMs.toFixed(1)} ms${flag(r)}`])
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const line = (c: string[]): string => ('  ' + c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('   ')).trimEnd()
  console.log('')
  console.log(line(head))
  console.log(line(widths.map((w) => '-'.repeat(w))))
  for (const c of cells) console.log(line(c))
  console.log('')
  console.log('  protocol bound: crash, power-off: r2\'s Master_Down_Interval (3 x advert_int + Skew_Time),')
  console.log('    counted from r1\'s last advert, which left up to one advert_int before the kill; restore:')
  console.log('    r1\'s Master_Down_Interval from entering BACKUP; graceful: r2\'s Skew_Time after r1\'s')
  console.log('    priority-0 advert.')
  console.log('  takeover: the new master\'s `state changed` log time (atUs, CLOCK_MONOTONIC) minus the')
  console.log('    signal (restore: minus r1 entering BACKUP).')
  console.log(`  client outage: the client sends a TCP probe to the VIP every ${probeIntervalMs} ms (the holder answers`)
  console.log('    with a RST); the longest run of unanswered probes, from the answered probe before it to')
  console.log('    the one after it (0.0: every probe was answered), from the event (restore: the')
  console.log('    preemption) until 50 answers after the takeover.')
  if (rows.some((r) => flag(r) === '*')) {
    console.log(`  * the probe itself was not scheduled for over ${PROBE_PAUSE_LIMIT_MS} ms in that window (a busy machine): it may`)
    console.log('    have slept through part of the outage.')
  }
  console.log(`  this machine: ${availableParallelism()} CPUs, load average ${loadavg()[0].toFixed(2)} (other work makes the figures noisier).`)
  console.log('')
}

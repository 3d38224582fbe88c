// The client's view of a failover in a lab test, with the demo's probe (src/demo/probe.ts: a TCP
// attempt to a closed port of the VIP every 2 ms from the client namespace; whoever holds the VIP
// answers with a RST): the longest run of unanswered attempts around an event, checked against
// the protocol's bound. The probe is stopped at the test's teardown too.
import type { Test } from 'tap'
import { ClientProbe, PROBE_INTERVAL_MS, type Outage } from '../../src/demo/probe.js'
import type { Lab } from '../../src/lab/index.js'

/**
 * What a client's outage may exceed its protocol bound by in a test. It covers: the probe's own
 * granularity (one attempt every 2 ms); the new master's engine thread waking up and running its
 * effects (add the VIP over rtnetlink, send the advert and the gratuitous ARPs) when the shared
 * 2-core machine is busy (other suites, tap's second file: tens of ms seen in the demo's runs);
 * the GARP crossing the bridge and the client's kernel updating its cache (well under 1 ms). The
 * probe's own longest pause (the probe process not scheduled) is added on top, per measurement.
 * Not a speed target: bench/ measures the figures.
 */
export const OUTAGE_MARGIN_MS = 100

const ANSWERS_BEFORE = 25
const ANSWERS_AFTER = 25

const epochMs = (): number => performance.timeOrigin + performance.now()

/**
 * Probes `vip` from the client, runs `event` (which returns once the new master has taken over)
 * and returns the outage the client saw from the event on, once the VIP answers again.
 */
export async function clientOutage (t: Test, lab: Lab, vip: string, event: () => Promise<void>): Promise<Outage> {
  const probe = new ClientProbe(lab, vip)
  t.teardown(() => probe.stop())
  await probe.waitAnswers(ANSWERS_BEFORE, `answers from ${vip} before the event`)
  const fromEpochMs = epochMs()
  await event()
  await probe.waitAnswers(ANSWERS_AFTER, `answers from ${vip} after the takeover`, { afterEpochMs: epochMs() })
  await probe.stop()
  return probe.outage(fromEpochMs)
}

/** Asserts outage <= boundMs + OUTAGE_MARGIN_MS + the probe's own longest pause, and says the figures. */
export function assertOutageWithin (t: Test, outage: Outage, boundMs: number, boundName: string): void {
  const allowedMs = boundMs + OUTAGE_MARGIN_MS + outage.longestPauseMs
  t.ok(outage.ms <= allowedMs, `the client's outage ${outage.ms.toFixed(1)} ms (${outage.unanswered} of its ${PROBE_INTERVAL_MS} ms probes unanswered) ` +
    `<= ${boundName} ${boundMs.toFixed(1)} ms + margin ${OUTAGE_MARGIN_MS} ms + the probe's own longest pause ${outage.longestPauseMs.toFixed(1)} ms`)
}

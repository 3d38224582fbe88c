// nopreempt between floatip and Debian's keepalived 2.2.7 (issue 4, interop-group.ts for the set-
// up): a higher-priority router that returns while a lower one is MASTER stays BACKUP when both
// have `nopreempt` (keepalived.conf(5): "VRRP will normally preempt a lower priority machine when
// a higher priority machine comes online. 'nopreempt' allows the lower priority machine to
// maintain the master role"), floatip and keepalived each in the returning role. Then the master
// stops (SIGTERM) and the returned router, a live backup all along, takes over.
import t from 'tap'
import { masterDownIntervalUs } from '../../src/core/index.js'
import { reportedStates, waitForState } from './interop-helpers.js'
import { assertSteady, group, withDiagnostics, HIGH, INSTANCE, LOW, MODES, TIMEOUT_MS, type Kind, type Mode } from './interop-group.js'

t.jobs = 4

// One mode of each version and each transport; the elections are the same as in interop.test.ts.
const NOPREEMPT_MODES: readonly Mode[] = [MODES[1], MODES[2]]
const KINDS: readonly Kind[] = ['floatip', 'keepalived']

for (const mode of NOPREEMPT_MODES) {
  for (const returning of KINDS) {
    const holding: Kind = returning === 'floatip' ? 'keepalived' : 'floatip'
    t.test(`${mode.name}, nopreempt: ${returning} ${HIGH} returns while ${holding} ${LOW} is MASTER and stays BACKUP`, async (t) => {
      const g = await group(t, mode)
      await withDiagnostics(t, g, async () => {
        const low = g.start('r2', holding, LOW, { nopreempt: true })
        await waitForState(low, INSTANCE, 'MASTER', { timeoutMs: TIMEOUT_MS })
        const high = g.start('r1', returning, HIGH, { nopreempt: true })
        await waitForState(high, INSTANCE, 'BACKUP', { timeoutMs: TIMEOUT_MS })
        // Without nopreempt it would be MASTER one Master_Down_Interval after entering BACKUP
        // (it ignores lower-priority adverts, RFC 5798 §6.4.2); wait that and two adverts more.
        const adverIntCs = Math.round(mode.advertInt * 100)
        const waitMs = (masterDownIntervalUs(mode.version, HIGH, adverIntCs) + 2 * adverIntCs * 10_000) / 1000
        await new Promise((resolve) => setTimeout(resolve, waitMs))
        t.strictSame(reportedStates(high, INSTANCE), ['BACKUP'], `${returning} only ever reported BACKUP (${waitMs.toFixed(0)} ms)`)
        await assertSteady(t, g, ['r2'], high, 'BACKUP', 'nopreempt', { windowMs: 500 })
        t.strictSame(reportedStates(low, INSTANCE).slice(-1), ['MASTER'], `${holding} is still MASTER`)

        const seen = reportedStates(high, INSTANCE).length
        t.ok(g.lab.kill(low.child, 'SIGTERM'), `${holding} sent SIGTERM`)
        await waitForState(high, INSTANCE, 'MASTER', { timeoutMs: TIMEOUT_MS, from: seen })
        t.ok(await g.lab.waitExit(low.child, 5000), `${holding} exited`)
        await assertSteady(t, g, ['r1'], high, 'MASTER', 'the holder stopped', { windowMs: 500 })
      })
    })
  }
}

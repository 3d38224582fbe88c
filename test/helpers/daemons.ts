// tap integration of src/lab/daemons.ts: a LabDaemons per test, its directory removed at teardown
// (the daemons themselves are the lab's processes, ended by pid when the lab is destroyed).
import type { Test } from 'tap'
import { LabDaemons, type Lab } from '../../src/lab/index.js'

export { keepalivedConf, stateChange, vipHolders, type RunningDaemon, type LogLine } from '../../src/lab/index.js'

export function withDaemons (t: Test, lab: Lab): LabDaemons {
  const daemons = new LabDaemons(lab)
  t.teardown(() => daemons.close())
  return daemons
}

/** Samples who holds `vip` `times` times, `gapMs` apart; returns every distinct holder list seen. */
export async function holdersOverTime (lab: Lab, nodes: readonly string[], vip: string, times = 5, gapMs = 100): Promise<string[]> {
  const { vipHolders } = await import('../../src/lab/index.js')
  const seen = new Set<string>()
  for (let i = 0; i < times; i++) {
    seen.add((await vipHolders(lab, nodes, vip)).join(','))
    await new Promise((resolve) => setTimeout(resolve, gapMs))
  }
  return [...seen]
}

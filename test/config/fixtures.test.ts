// Every fixture config gives exactly the diagnostics listed in its .expect file: severity, code,
// file (when included), line and column of each, and a fragment of its message.
import t from 'tap'
import { basename } from 'node:path'
import { checkConfig } from '../../src/daemon/config-check.js'
import { expectationKey, expectations, fixtureFiles } from './helpers.js'

for (const file of fixtureFiles()) {
  t.test(basename(file), async (t) => {
    const r = checkConfig(file, { configId: 'fixture' })
    const got = r.diagnostics
    const want = expectations(file)
    const keys = (list: string[]): string[] => [...list].sort()
    t.same(keys(got.map((d) => expectationKey(file, d))), keys(want.map((w) => w.key)),
      r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n'))
    for (const w of want) {
      const hit = got.find((d) => expectationKey(file, d) === w.key && d.message.includes(w.fragment))
      t.ok(hit, `${w.key}: a message containing '${w.fragment}'`)
    }
    t.equal(r.ok, !got.some((d) => d.severity === 'error'))
    for (const d of r.diagnostics) {
      t.ok(d.line >= 1 && d.column >= 1, 'has a position')
      t.ok(d.message.length > 0)
    }
  })
}

// Every fixture config gives exactly the diagnostics listed in its .expect file.
import t from 'tap'
import { basename } from 'node:path'
import { loadConfig } from '../../src/config/load.js'
import { expectations, fixtureFiles } from './helpers.js'

for (const file of fixtureFiles()) {
  t.test(basename(file), async (t) => {
    const r = loadConfig(file, { configId: 'fixture' })
    const got = r.diagnostics.filter((d) => d.file === file).map((d) => `${d.severity} ${d.code} ${d.line}`).sort()
    t.same(got, expectations(file), r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n'))
    t.equal(r.ok, !got.some((g) => g.startsWith('error')))
    for (const d of r.diagnostics) {
      t.ok(d.line >= 1 && d.column >= 1, 'has a position')
      t.ok(d.message.length > 0)
    }
  })
}

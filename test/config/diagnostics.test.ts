// The diagnostic collector: bounded, and what it drops is counted and reported.
import t from 'tap'
import { DiagnosticSink } from '../../src/config/diagnostics.js'

const at = { file: '/k.conf', line: 1, column: 1 }

t.test('diagnostics past the limit are counted and reported, errors keep the verdict', async (t) => {
  const sink = new DiagnosticSink(3)
  for (let i = 0; i < 5; i++) sink.warning({ code: 'unknown-keyword', message: `w${i}`, at, text: '' })
  sink.error({ code: 'invalid-value', message: 'e', at, text: '' })
  t.equal(sink.items.length, 3)
  t.equal(sink.droppedCount, 3)
  sink.reportDropped('/k.conf')
  const last = sink.items[sink.items.length - 1]
  t.match(last, { severity: 'error', code: 'diagnostics-dropped', message: /^3 more diagnostic\(s\) \(1 error\(s\)\) were not recorded: at most 3 are kept/ })
  const quiet = new DiagnosticSink(3)
  quiet.reportDropped('/k.conf')
  t.equal(quiet.items.length, 0, 'nothing dropped, nothing reported')
})

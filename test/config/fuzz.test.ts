// Bounded fuzzing of the preprocessor, lexer and parser: random token soup and mutations of the
// fixtures must never throw or hang, and any input that is not clean gets diagnostics with positions.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import { fixtureFiles } from './helpers.js'

const BUDGET_MS = 3000
const PIECES = ['{', '}', '"', "'", '#', '!', '\\', '$X', '${X}', '$X=1', '@a', '@^a', '~SEQ(', '~SEQ(N,1,3)', '~LST(', 'include', 'includea /x*',
  'vrrp_instance', 'virtual_ipaddress', 'virtual_router_id', 'priority', '255', '-1', '1e9', 'advert_int', '0.001', 'real_server', 'virtual_server',
  'TCP_CHECK', 'HTTP_GET', 'url', '192.0.2.1/33', '2001:db8::1', 'track_script', 'vrrp_script', 'weight', 'unicast_peer', '\n', '\n', ' ', '\t', '漢字', '\r\n']

function seeded (seed: number): () => number {
  let s = seed >>> 0
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 }
}

t.test('random and mutated configs never throw and always explain', async (t) => {
  const rnd = seeded(0xf10a7)
  const corpus = fixtureFiles().map((f) => readFileSync(f, 'utf8'))
  const deadline = Date.now() + BUDGET_MS
  let runs = 0
  while (Date.now() < deadline && runs < 5000) {
    let text: string
    if (runs % 2 === 0) {
      text = Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => PIECES[Math.floor(rnd() * PIECES.length)]).join(' ')
    } else {
      const base = corpus[Math.floor(rnd() * corpus.length)]
      const chars = [...base]
      for (let k = 0; k < 1 + rnd() * 10; k++) {
        const at = Math.floor(rnd() * chars.length)
        const op = rnd()
        if (op < 0.4) chars.splice(at, 1)
        else if (op < 0.8) chars.splice(at, 0, PIECES[Math.floor(rnd() * PIECES.length)])
        else chars.splice(at, Math.floor(rnd() * 40))
      }
      text = chars.join('')
    }
    const reader = createMemoryReader({ '/f/k.conf': text, '/f/x1': 'include /f/k.conf\n' })
    let r
    try {
      r = loadConfig('/f/k.conf', { reader, configId: 'a', random: rnd, maxLines: 20_000 })
    } catch (err) {
      t.fail(`threw on input ${JSON.stringify(text)}: ${(err as Error).stack ?? String(err)}`)
      return
    }
    for (const d of r.diagnostics) {
      if (!(d.line >= 1 && d.column >= 1 && typeof d.message === 'string' && d.message !== '')) {
        t.fail(`bad diagnostic ${JSON.stringify(d)} for ${JSON.stringify(text)}`)
        return
      }
    }
    t.equal(r.ok, !r.diagnostics.some((d) => d.severity === 'error'))
    runs++
  }
  t.ok(runs > 50, `ran ${runs} inputs`)
})

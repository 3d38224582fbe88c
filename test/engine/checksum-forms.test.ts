// ChecksumFormCounter: the VRRPv3 IPv4 checksum form per peer, bounded (pure).
import t from 'tap'
import { ChecksumFormCounter, CHECKSUM_FORM_PEER_CAP } from '../../src/engine/checksum-forms.js'

t.test('counts each source\'s adverts by form and keeps its latest form', async (t) => {
  const c = new ChecksumFormCounter()
  c.count('192.0.2.1', 'pseudo-header')
  c.count('192.0.2.1', 'pseudo-header')
  c.count('192.0.2.2', 'v2-style')
  c.count('192.0.2.1', 'v2-style')
  const s = c.snapshot()
  t.same(s.peers, {
    '192.0.2.1': { form: 'v2-style', adverts: { 'pseudo-header': 2, 'v2-style': 1 } },
    '192.0.2.2': { form: 'v2-style', adverts: { 'pseudo-header': 0, 'v2-style': 1 } }
  })
  t.same(s.overflow, { 'pseudo-header': 0, 'v2-style': 0 })
  c.count('192.0.2.2', 'v2-style')
  t.equal(s.peers['192.0.2.2'].adverts['v2-style'], 1, 'a snapshot is a copy')
})

t.test(`at most ${CHECKSUM_FORM_PEER_CAP} sources are tracked; the rest are counted together by form`, async (t) => {
  const c = new ChecksumFormCounter()
  for (let i = 0; i < CHECKSUM_FORM_PEER_CAP + 5; i++) c.count(`192.0.2.${i + 1}`, i % 2 === 0 ? 'pseudo-header' : 'v2-style')
  c.count('192.0.2.1', 'pseudo-header')
  c.count(`192.0.2.${CHECKSUM_FORM_PEER_CAP + 5}`, 'pseudo-header')
  const s = c.snapshot()
  t.equal(Object.keys(s.peers).length, CHECKSUM_FORM_PEER_CAP)
  t.equal(s.peers['192.0.2.1'].adverts['pseudo-header'], 2, 'a tracked source is still counted')
  t.same(s.overflow, { 'pseudo-header': 4, 'v2-style': 2 })
})

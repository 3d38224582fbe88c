// The engine's receive ring grows with the instance count (a backup's start-up sends every
// instance's advert through it), within bounds.
import t from 'tap'
import { ringSlots } from '../../src/engine/engine.js'

t.test('four rounds of adverts, a power of two from 256 to 4096', async (t) => {
  t.equal(ringSlots(1), 256)
  t.equal(ringSlots(64), 256)
  t.equal(ringSlots(65), 512)
  t.equal(ringSlots(255), 1024)
  t.equal(ringSlots(5000), 4096)
})

// firstAdvertAtUs / advertPhaseUs: a master's periodic starts on its VRID's phase of a grid
// shared by every instance with the same Advertisement_Interval, never later than the core asked
// (pure: time is an argument).
import t from 'tap'
import { ADVERT_PHASES, advertPhaseUs, firstAdvertAtUs } from '../../src/engine/advert-phase.js'

const I = 10_000 // advert_int 0.01

t.test('§6.4.3 the first advert moves back onto the grid, never later than the core asked', async (t) => {
  // Became master (and sent an advert) at 1_234_567: the core asks for the next one an interval later.
  const sentUs = 1_234_567
  for (const phase of [0, 625, 9_375]) {
    const first = firstAdvertAtUs(sentUs + I, I, phase)
    t.equal((first - phase) % I, 0, `on phase ${phase}`)
    t.ok(first <= sentUs + I, 'not after the core deadline: the backups Master_Down_Timer runs from our last advert')
    t.ok(first > sentUs, 'after the advert the core counts as the last one: one interval shortened, none skipped')
  }
  t.equal(firstAdvertAtUs(sentUs + I, I, 0), 1_240_000)
  t.equal(firstAdvertAtUs(sentUs + I, I, 5_000), 1_235_000)
  t.equal(firstAdvertAtUs(sentUs + I, I, 9_375), 1_239_375)
})

t.test('instances on one phase that became master at different times then send together', async (t) => {
  const firsts = [1_000_001, 1_003_333, 1_007_500, 1_009_999].map((sentUs) => firstAdvertAtUs(sentUs + I, I, 625))
  t.same(firsts, [1_000_625, 1_010_625, 1_010_625, 1_010_625], 'the first one a round earlier, in the same wake-ups from then on')
})

t.test('a deadline on the grid is kept (the steady state after catch-up)', async (t) => {
  t.equal(firstAdvertAtUs(2_000_000, I), 2_000_000)
  t.equal(firstAdvertAtUs(2_000_625, I, 625), 2_000_625)
  t.equal(firstAdvertAtUs(2_000_000, 1_000_000), 2_000_000)
})

t.test('consecutive VRIDs take turns on the phases; the same VRID always has the same one', async (t) => {
  const phases = Array.from({ length: ADVERT_PHASES }, (_, i) => advertPhaseUs(i + 1, I))
  t.equal(new Set(phases).size, ADVERT_PHASES, 'every phase used once by 16 consecutive VRIDs')
  for (const p of phases) t.ok(p >= 0 && p < I)
  t.equal(advertPhaseUs(1, I), advertPhaseUs(1 + ADVERT_PHASES, I))
  t.equal(advertPhaseUs(ADVERT_PHASES, I), 0)
  t.equal(advertPhaseUs(3, 1_000_000), (3 * 1_000_000) / ADVERT_PHASES)
})

t.test('no interval or no deadline: the core value unchanged', async (t) => {
  t.equal(firstAdvertAtUs(1_234_567, 0), 1_234_567)
  t.equal(firstAdvertAtUs(Infinity, I), Infinity)
})

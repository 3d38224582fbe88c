// firstAdvertAtUs: a master's periodic starts on the grid shared by every instance with the same
// Advertisement_Interval, never later than the core asked (pure: time is an argument).
import t from 'tap'
import { firstAdvertAtUs } from '../../src/engine/advert-phase.js'

const I = 10_000 // advert_int 0.01

t.test('§6.4.3 the first advert moves back onto the grid, never later than the core asked', async (t) => {
  // Became master (and sent an advert) at 1_234_567: the core asks for the next one an interval later.
  const sentUs = 1_234_567
  const first = firstAdvertAtUs(sentUs + I, I)
  t.equal(first, 1_240_000)
  t.ok(first <= sentUs + I, 'not after the core deadline: the backups Master_Down_Timer runs from our last advert')
  t.ok(first > sentUs, 'after the advert the core counts as the last one: one interval shortened, none skipped')
})

t.test('instances that became master at different times share one phase', async (t) => {
  const firsts = [1_000_001, 1_003_333, 1_007_500, 1_009_999].map((sentUs) => firstAdvertAtUs(sentUs + I, I))
  t.same(firsts, [1_010_000, 1_010_000, 1_010_000, 1_010_000])
  // A 1 s interval lands on the 10 ms grid too: one wake-up serves both.
  t.equal(firstAdvertAtUs(5_432_100 + 1_000_000, 1_000_000) % I, 0)
})

t.test('a deadline on the grid is kept (the steady state after catch-up)', async (t) => {
  t.equal(firstAdvertAtUs(2_000_000, I), 2_000_000)
  t.equal(firstAdvertAtUs(2_000_000, 1_000_000), 2_000_000)
})

t.test('no interval or no deadline: the core value unchanged', async (t) => {
  t.equal(firstAdvertAtUs(1_234_567, 0), 1_234_567)
  t.equal(firstAdvertAtUs(Infinity, I), Infinity)
})

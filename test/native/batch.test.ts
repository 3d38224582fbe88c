// Periodic sends that fall due together leave in one batch (one sendmmsg per socket), every
// round in the same order, each with its own counters and send errors as if sent alone.
import t from 'tap'
import { waitFor } from '../helpers/lab.js'
import { socketPair } from '../helpers/socket-pair.js'
import { monotonicUs, type NativeSystemError } from '../../src/native/index.js'

/** A VRRPv3 advert for `vrid` (the receiver tells the periodics apart by it). */
function advert (vrid: number): Buffer {
  const bytes = Buffer.from('31016401000a0000c00002c8', 'hex')
  bytes[1] = vrid
  return bytes
}

/** Larger than any IPv4 datagram: the kernel refuses it with EMSGSIZE, every time. */
const OVERSIZED = Buffer.alloc(70_000)

t.test('periodics due at the same instant go out every round, in the same order (by id)', async (t) => {
  const { loop, tx, rx } = await socketPair(t)
  const got: Array<{ vrid: number, us: number }> = []
  loop.attach(rx, (p) => got.push({ vrid: p.data[1], us: p.receivedUs }))
  const n = 40
  const rounds = 5
  const intervalUs = 10_000
  const firstAtUs = monotonicUs() + 50_000
  // Created in a shuffled VRID order: the burst follows creation (id) order, not the bytes.
  const vrids = Array.from({ length: n }, (_, i) => ((i * 17) % n) + 1)
  const periodics = vrids.map((vrid) => loop.startPeriodic(tx, advert(vrid), { intervalUs, firstAtUs, count: rounds }))
  await waitFor(() => got.length >= n * rounds, { timeoutMs: 5000, what: `${n * rounds} adverts` })
  await new Promise((resolve) => setTimeout(resolve, 30))
  t.equal(got.length, n * rounds, 'each periodic sent exactly `count` times')
  for (let r = 0; r < rounds; r++) {
    const round = got.slice(r * n, (r + 1) * n)
    t.same(round.map((g) => g.vrid), vrids, `round ${r + 1}: every advert, in creation order`)
    t.ok(round[0].us >= firstAtUs + r * intervalUs - 1_000, `round ${r + 1} not early`)
  }
  for (const p of periodics) t.equal(p.info(), null, 'gone after its count')
  const stats = loop.stats()
  t.equal(stats.txSent, n * rounds)
  t.equal(stats.txErrors, 0)
  t.equal(stats.txLateHistogram.length, 8, 'lateness buckets: ≤50 µs ... ≤5 ms, later')
  t.equal(stats.txLateHistogram.reduce((a, b) => a + b, 0), n * rounds, 'every send counted in one lateness bucket')
})

t.test('a send error in a batch is that periodic\'s own; the others in the batch still go out', async (t) => {
  const { loop, tx, rx } = await socketPair(t)
  const got: number[] = []
  loop.attach(rx, (p) => got.push(p.data[1]))
  const errors: Array<{ name: string, code: string }> = []
  const intervalUs = 10_000
  const firstAtUs = monotonicUs() + 50_000
  // A refused one first (sendmmsg fails at once), another in the middle (sendmmsg stops short).
  const plan: Array<[string, Buffer]> = [['refused first', OVERSIZED], ['vrid 1', advert(1)], ['vrid 2', advert(2)], ['refused middle', OVERSIZED], ['vrid 3', advert(3)]]
  const periodics = plan.map(([name, bytes]) => loop.startPeriodic(tx, bytes, { intervalUs, firstAtUs },
    (err: NativeSystemError) => errors.push({ name, code: err.code })))
  await waitFor(() => got.length >= 3 * 4, { timeoutMs: 5000, what: 'four rounds of the good adverts' })
  const infos = periodics.map((p) => p.info())
  for (const p of periodics) p.stop()
  const rounds = Math.floor(got.length / 3)
  t.same(got.slice(0, rounds * 3), Array.from({ length: rounds }, () => [1, 2, 3]).flat(), 'the good ones every round, in order')
  t.same(errors, [{ name: 'refused first', code: 'EMSGSIZE' }, { name: 'refused middle', code: 'EMSGSIZE' }],
    'one error record per refused periodic (repeats of the same errno are only counted)')
  for (const [i, info] of infos.entries()) {
    const refused = plan[i][1] === OVERSIZED
    t.match(info, refused ? { sent: 0, lastErrno: 90 } : { errors: 0, lastErrno: 0 }, plan[i][0])
    t.ok(refused ? (info?.errors ?? 0) >= rounds : (info?.sent ?? 0) >= rounds, `${plan[i][0]}: counted every round`)
  }
})

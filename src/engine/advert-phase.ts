// Where a master's periodic adverts start: on one of a few phases shared by every instance with
// the same Advertisement_Interval, so that the native thread sends them together, a handful per
// wake-up and one sendmmsg, instead of one wake-up per instance. Pure: time is an argument.
// Decides only the phase, never the interval.

/**
 * Phases per interval. One phase for all would be fewest wake-ups, but the native thread's
 * delays add up along a burst, and the grid keeps each advert's place: in the cost bench's lab
 * (255 instances × 10 ms) one burst lasted ~1.5 ms and the intervals of its last adverts
 * deviated 0.2-0.6 ms at p50 and 1.1-1.6 ms at p99. With 16 phases a burst is ~16 adverts
 * (~0.1 ms), the deviation p99 was 0.08-0.23 ms, and the CPU per advert the same as with one.
 */
export const ADVERT_PHASES = 16

/** The phase (µs into the interval) of an instance's adverts: consecutive VRIDs take turns. */
export function advertPhaseUs (vrid: number, intervalUs: number): number {
  return Math.floor(((vrid % ADVERT_PHASES) * intervalUs) / ADVERT_PHASES)
}

/**
 * The first send of a master's native periodic (monotonic µs): the latest t ≤ nextSendUs with
 * t ≡ phaseUs (mod intervalUs). The core asked for its next advert at `nextSendUs`, one
 * Advertisement_Interval after the advert it last sent (or counted as sent), so t is also later
 * than that one: t is the only grid point in (nextSendUs - intervalUs, nextSendUs].
 *
 * RFC 5798 §6.4.3: "... send an ADVERTISEMENT ... Reset the Adver_Timer to
 * Advertisement_Interval". The backups' Master_Down_Timer runs from our last advert, so an
 * advert must never leave later than the core asked; moving one earlier (by less than an
 * interval) only shortens one interval, once per (re)start.
 *
 * When the engine thread ran late (t has passed when the periodic is set: the core's time is
 * when its deadline fired, the engine acts later, as when many instances take over at once), the
 * native thread sends at once, shortly after the advert the engine has just sent, and keeps the
 * grid from there. An extra advert once, rather than an instance off the grid for good.
 */
export function firstAdvertAtUs (nextSendUs: number, intervalUs: number, phaseUs = 0): number {
  if (!(intervalUs > 0) || !Number.isFinite(nextSendUs)) return nextSendUs
  return Math.floor((nextSendUs - phaseUs) / intervalUs) * intervalUs + phaseUs
}

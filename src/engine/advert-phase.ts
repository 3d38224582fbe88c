// Where a master's periodic adverts start: on a grid shared by every instance with the same
// Advertisement_Interval, so that the native thread sends them all in one wake-up instead of one
// wake-up per instance. Pure: time is an argument. Decides only the phase, never the interval.

/**
 * The first send of a master's native periodic (monotonic µs): the latest t ≤ nextSendUs with
 * t ≡ 0 (mod intervalUs). The core asked for its next advert at `nextSendUs`, one
 * Advertisement_Interval after the advert it last sent (or counted as sent), so t is also later
 * than that one: t is the only grid point in (nextSendUs - intervalUs, nextSendUs].
 *
 * RFC 5798 §6.4.3: "... send an ADVERTISEMENT ... Reset the Adver_Timer to
 * Advertisement_Interval". The backups' Master_Down_Timer runs from our last advert, so an
 * advert must never leave later than the core asked; moving one earlier (by less than an
 * interval) only shortens one interval, once per (re)start, and puts every instance with this
 * interval (or a multiple of it: 1 s lands on the 10 ms grid) on one phase.
 *
 * When the engine thread ran late (t has passed when the periodic is set: the core's time is
 * when its deadline fired, the engine acts later, as when many instances take over at once), the
 * native thread sends at once, shortly after the advert the engine has just sent, and keeps the
 * grid from there. An extra advert once, rather than an instance off the grid for good.
 */
export function firstAdvertAtUs (nextSendUs: number, intervalUs: number): number {
  if (!(intervalUs > 0) || !Number.isFinite(nextSendUs)) return nextSendUs
  return Math.floor(nextSendUs / intervalUs) * intervalUs
}

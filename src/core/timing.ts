// RFC timer arithmetic in integer microseconds: Skew_Time, Master_Down_Interval, intervals.
// Pure functions of their arguments; never reads a clock.
import type { VrrpVersion } from './types.js';

export const US_PER_CS = 10_000;
export const US_PER_S = 1_000_000;

/** Advertisement interval in microseconds. */
export function intervalUs(adverIntCs: number): number {
  return adverIntCs * US_PER_CS;
}

/**
 * Skew_Time in µs for the LOCAL priority.
 * RFC 5798 §6.1: "Skew_Time ... ((256 - priority) * Master_Adver_Interval) / 256" (centiseconds).
 * RFC 3768 §6.1 (v2): "Skew_Time ... (256 - Priority) / 256" seconds, independent of the interval.
 * Rounding: the RFC leaves the fraction open; we take the exact value floored to whole
 * microseconds. KEEPALIVED computes the same numbers (v3: (256-p) * cs * 625 / 16 µs, v2:
 * (256-p) * 10^6 / 256 µs, both truncated), so mixed clusters time out alike.
 */
export function skewTimeUs(version: VrrpVersion, priority: number, masterAdverIntCs: number): number {
  const weight = 256 - priority;
  if (version === 2) return Math.floor((weight * US_PER_S) / 256);
  return Math.floor((weight * masterAdverIntCs * US_PER_CS) / 256);
}

/**
 * RFC 5798 §6.1: "Master_Down_Interval ... (3 * Master_Adver_Interval) + Skew_Time".
 * RFC 3768 §6.1: "(3 * Advertisement_Interval) + Skew_time".
 * KEEPALIVED: `down_timer_adverts` replaces the factor 3 (a deviation the user opts into).
 */
export function masterDownIntervalUs(
  version: VrrpVersion,
  priority: number,
  masterAdverIntCs: number,
  downTimerAdverts = 3,
): number {
  return downTimerAdverts * intervalUs(masterAdverIntCs) + skewTimeUs(version, priority, masterAdverIntCs);
}

// Validates an InstanceConfig and applies keepalived's start-up rules to it, giving the
// ResolvedConfig the state machine runs on. Pure; throws CoreConfigError (a programming or
// config-layer error, never network input).
import { addressBytes, CoreConfigError } from './address.js';
import { OWNER_PRIORITY, type InstanceConfig } from './types.js';

export interface ResolvedConfig extends Required<InstanceConfig> {
  primaryAddressBytes: Uint8Array;
  /** Human-readable notes on settings the keepalived rules overrode (for the host to log). */
  adjustments: readonly string[];
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CoreConfigError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

function checkRanges(c: InstanceConfig): void {
  checkInt('vrid', c.vrid, 1, 255);
  checkInt('basePriority', c.basePriority, 1, 255);
  // RFC 5798 §5.2.7: 12-bit Max Adver Int in centiseconds; RFC 3768 §5.3.7: 8-bit seconds.
  if (c.version === 2) {
    checkInt('adverIntervalCs (v2, whole seconds)', c.adverIntervalCs / 100, 1, 255);
  } else {
    checkInt('adverIntervalCs', c.adverIntervalCs, 1, 4095);
  }
  if (!(Number.isInteger(c.preemptDelayUs) && c.preemptDelayUs >= 0)) {
    throw new CoreConfigError(`preemptDelayUs must be a non-negative integer, got ${c.preemptDelayUs}`);
  }
  checkInt('downTimerAdverts', c.downTimerAdverts ?? 3, 1, 100);
}

export function resolveConfig(c: InstanceConfig): ResolvedConfig {
  checkRanges(c);
  const bytes = addressBytes(c.primaryAddress);
  const wantLength = c.family === 'ipv4' ? 4 : 16;
  if (!bytes || bytes.length !== wantLength) {
    throw new CoreConfigError(`primaryAddress ${JSON.stringify(c.primaryAddress)} is not an ${c.family} address`);
  }
  const adjustments: string[] = [];
  let preempt = c.preempt;
  let preemptDelayUs = c.preemptDelayUs;
  // KEEPALIVED: "nopreempt is incompatible with priority 255 - resetting nopreempt".
  if (c.basePriority === OWNER_PRIORITY && !preempt) {
    preempt = true;
    adjustments.push('nopreempt ignored: priority 255 (address owner) always preempts');
  }
  // KEEPALIVED: with `state MASTER`, nopreempt and preempt_delay are cleared (the man page:
  // "For this to work, the initial state must not be MASTER").
  if (c.initialState === 'MASTER' && !preempt) {
    preempt = true;
    adjustments.push('nopreempt ignored: it needs `state BACKUP`');
  }
  if (c.initialState === 'MASTER' && preemptDelayUs > 0) {
    preemptDelayUs = 0;
    adjustments.push('preempt_delay ignored: it needs `state BACKUP`');
  }
  // KEEPALIVED: preempt_delay is meaningless (and reset) with nopreempt.
  if (!preempt && preemptDelayUs > 0) {
    preemptDelayUs = 0;
    adjustments.push('preempt_delay ignored: nopreempt is set');
  }
  return {
    ...c,
    preempt,
    preemptDelayUs,
    downTimerAdverts: c.downTimerAdverts ?? 3,
    lowerPrioNoAdvert: c.lowerPrioNoAdvert ?? false,
    higherPrioSendAdvert: c.higherPrioSendAdvert ?? false,
    syncGroupMember: c.syncGroupMember ?? false,
    primaryAddressBytes: bytes,
    adjustments,
  };
}

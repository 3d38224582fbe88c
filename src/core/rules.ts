// The RFC 5798/9568 §6.4.2 and §6.4.3 receive decisions as small pure functions, so that the
// instance and the steady-state check share one definition. No state, no effects, no clock.
import { STOP_PRIORITY } from './types.js';

/** What a Backup does with an advert (RFC 5798 §6.4.2). */
export type BackupDecision =
  | 'skew' // priority 0: Master_Down_Timer = Skew_Time
  | 'accept' // learn the interval (v3) and reset Master_Down_Timer
  | 'discard'; // preempting a lower-priority master: let Master_Down_Timer run

export function backupDecision(
  advertPriority: number,
  localPriority: number,
  preempt: boolean,
  preemptHoldActive: boolean,
): BackupDecision {
  // RFC 5798 §6.4.2: "If the Priority in the ADVERTISEMENT is zero, then: Set the
  // Master_Down_Timer to Skew_Time".
  if (advertPriority === STOP_PRIORITY) return 'skew';
  // RFC 5798 §6.4.2: "If Preempt_Mode is False, or if the Priority in the ADVERTISEMENT is
  // greater than or equal to the local Priority, then: ... Reset the Master_Down_Timer".
  if (!preempt || advertPriority >= localPriority) return 'accept';
  // KEEPALIVED: while preempt_delay holds, a lower-priority master is accepted as if preempt
  // were off; once the hold ends its adverts are discarded as the RFC says.
  if (preemptHoldActive) return 'accept';
  // RFC 5798 §6.4.2: "Else: Discard the ADVERTISEMENT".
  return 'discard';
}

/** What a Master does with an advert (RFC 5798 §6.4.3, RFC 9568 §6.4.3). */
export type MasterDecision =
  | 'answer-stop' // priority 0: send an advert at once, reset Adver_Timer
  | 'yield-higher' // higher priority: become Backup
  | 'yield-tie' // equal priority, sender's primary address greater: become Backup
  | 'assert'; // lower priority (or tie lost by the sender): stay Master, advert at once

export function masterDecision(
  advertPriority: number,
  localPriority: number,
  senderVsLocalAddress: number,
): MasterDecision {
  // RFC 5798 §6.4.3: "If the Priority in the ADVERTISEMENT is zero, then: Send an
  // ADVERTISEMENT; Reset the Adver_Timer to Advertisement_Interval".
  if (advertPriority === STOP_PRIORITY) return 'answer-stop';
  // RFC 5798 §6.4.3: "If the Priority in the ADVERTISEMENT is greater than the local Priority
  // or ... equal to the local Priority and the primary IPvX Address of the sender is greater
  // than the local primary IPvX Address, then: ... Transition to the {Backup} state".
  if (advertPriority > localPriority) return 'yield-higher';
  if (advertPriority === localPriority && senderVsLocalAddress > 0) return 'yield-tie';
  // RFC 9568 §6.4.3: "Send an ADVERTISEMENT immediately to assert the Active Router state".
  // An equal-priority advert carrying our own address (a loop) lands here too, as in keepalived.
  return 'assert';
}

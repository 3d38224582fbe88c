// What the engine tells the daemon as it happens (after the fact: the engine never waits for
// the daemon). Notify scripts, the notify FIFO and SMTP alerts are built from these. Types only.
import type { VrrpState } from '../core/index.js'

export interface Transition {
  instance: string
  from: VrrpState
  to: VrrpState
  reason: string
  priority: number
  atUs: number
}

/** A vrrp_sync_group's state: FAULT if a member is, MASTER/BACKUP once every member is. */
export type GroupState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT'

export interface GroupTransition {
  group: string
  from: GroupState
  to: GroupState
  atUs: number
}

export type EngineEvent =
  | { type: 'transition', transition: Transition }
  | { type: 'group-transition', transition: GroupTransition }
  /** The effective priority changed (tracking); keepalived's MASTER_PRIORITY / BACKUP_PRIORITY. */
  | { type: 'priority-changed', instance: string, from: number, to: number, state: VrrpState, atUs: number }
  /** keepalived MASTER_RX_LOWER_PRI: a master received an advert of lower priority. */
  | { type: 'master-rx-lower-pri', instance: string, priority: number, advertPriority: number, source: string, atUs: number }
  /**
   * A reload removed the instance (released like a stop). `state`: what keepalived notifies,
   * DELETED with notify_deleted, FAULT without.
   */
  | { type: 'deleted', instance: string, from: VrrpState, state: 'DELETED' | 'FAULT', priority: number, atUs: number }

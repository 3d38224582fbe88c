// The core's own vocabulary: configuration, inputs, effects and the steady-state description.
// Owns only type declarations and a few constants. Must not import from src/protocol (the
// codec is a separate layer) nor anything with I/O: the core is pure and deterministic.

/** VRRP states as keepalived names them. RFC 5798 §6.4: Initialize, Backup, Master (RFC 9568:
 * Active); FAULT is keepalived's. INIT is also where shutdown leaves an instance. */
export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';

export type VrrpVersion = 2 | 3;
export type AddressFamily = 'ipv4' | 'ipv6';

/** RFC 5798 §6.1: Priority 255 is the address owner. */
export const OWNER_PRIORITY = 255;
/** RFC 5798 §6.1: priority 0 says the current master stops participating. */
export const STOP_PRIORITY = 0;

/** What the config layer hands the core for one vrrp_instance (already parsed and checked). */
export interface InstanceConfig {
  name: string;
  vrid: number;
  version: VrrpVersion;
  family: AddressFamily;
  /** Configured priority 1..255 (keepalived `priority`); 255 = address owner. */
  basePriority: number;
  /** Configured Advertisement_Interval in centiseconds. v2: a multiple of 100 (whole seconds). */
  adverIntervalCs: number;
  /** keepalived `nopreempt` sets false. */
  preempt: boolean;
  /** keepalived `preempt_delay` in microseconds; 0 = none. */
  preemptDelayUs: number;
  /** keepalived `state`. */
  initialState: 'BACKUP' | 'MASTER';
  /** This router's primary address (the advert source), dotted IPv4 or IPv6 text. */
  primaryAddress: string;
  /** RFC 5798 §6.1 Accept_Mode; carried for the host, the core's decisions do not depend on it. */
  acceptMode: boolean;
  /** keepalived `down_timer_adverts` (default 3, the RFC's factor). */
  downTimerAdverts?: number;
  /** keepalived `lower_prio_no_advert` (default false): a master stays silent on a lower advert. */
  lowerPrioNoAdvert?: boolean;
  /** keepalived `higher_prio_send_advert` (default false): advert once before yielding. */
  higherPrioSendAdvert?: boolean;
  /**
   * Member of a keepalived vrrp_sync_group (default false): when the Master_Down_Timer fires the
   * instance does not become master by itself but says it wants to (effect `wants-master`) and
   * waits for the host's syncTo('MASTER'), so that the group's members move together.
   */
  syncGroupMember?: boolean;
}

/** An advert the codec and the per-instance checks (VRID, auth, interval, addresses) accepted. */
export interface ReceivedAdvert {
  /** Source address as text (for reports and the steady state). */
  srcAddress: string;
  /** Source address in network byte order: 4 bytes (IPv4) or 16 (IPv6). */
  srcAddressBytes: Uint8Array;
  /** 0..255. */
  priority: number;
  /** v3: Max Adver Int (centiseconds). v2: Adver Int seconds × 100. */
  adverIntCs: number;
}

export type TransitionReason =
  | 'start' // RFC 5798 §6.4.1 Startup event
  | 'master-down-timer' // §6.4.2 Master_Down_Timer fired
  | 'higher-priority' // §6.4.3 higher priority advert
  | 'tie-break' // §6.4.3 equal priority, greater primary address
  | 'shutdown' // §6.4.2/§6.4.3 Shutdown event
  | 'fault' // keepalived FAULT entered
  | 'fault-cleared' // keepalived FAULT left
  | 'sync-group' // keepalived vrrp_sync_group: moved with the other members
  | 'vip-deleted' // keepalived: a tracked VIP was deleted from the master's interface
  | 'reload'; // keepalived reload: the instance's state carried over into its new config

export type GarpTrigger = 'became-master' | 'lower-priority-advert';

/** Work for the host, executed in array order. The order is part of the contract. */
export type Effect =
  | { type: 'add-vips' }
  | { type: 'remove-vips' }
  | { type: 'send-advert'; priority: number; adverIntCs: number }
  /** The host expands this into keepalived's GARP/NA schedule (garp_master_* or garp_lower_prio_*). */
  | { type: 'send-garp'; trigger: GarpTrigger }
  | { type: 'state-changed'; from: VrrpState; to: VrrpState; reason: TransitionReason }
  | { type: 'priority-changed'; from: number; to: number }
  /** A sync group member's Master_Down_Timer fired: it waits for syncTo('MASTER'). */
  | { type: 'wants-master' };

/** What native code may repeat with no JavaScript per packet (see docs/core.md). */
export type SteadyState =
  | {
      kind: 'master';
      advert: { priority: number; adverIntCs: number };
      /** Send the advert at nextSendUs, then every intervalUs. */
      nextSendUs: number;
      intervalUs: number;
    }
  | {
      kind: 'backup-watching';
      /** The current master's address (text) and bytes. */
      masterKey: string;
      masterAddressBytes: Uint8Array;
      masterPriority: number;
      masterAdverIntCs: number;
      /** An identical advert arriving at t sets Master_Down_Timer to t + masterDownIntervalUs. */
      masterDownIntervalUs: number;
      /** Valid for adverts arriving before untilUs only (preempt_delay); Infinity otherwise. */
      untilUs: number;
    }
  | { kind: 'idle' };

/** Read-only view for status and tests. */
export interface CoreSnapshot {
  state: VrrpState;
  effectivePriority: number;
  masterAdverIntCs: number;
  masterAddress: string | null;
  masterPriority: number | null;
  nextDeadlineUs: number;
  faultReason: string | null;
  /** A sync group member waiting for syncTo('MASTER') (its Master_Down_Timer fired). */
  wantsMaster: boolean;
}

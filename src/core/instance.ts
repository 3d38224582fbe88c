// VrrpInstanceCore: one vrrp_instance's RFC 5798 §6 state machine (with RFC 9568's changes and
// keepalived's FAULT, preempt, preempt_delay and priority policy). Owns the state, the single live
// RFC deadline and the effects of each input. Must not read a clock, log, or do I/O: time comes in
// as `nowUs`, work goes out as Effect[]; docs/core.md is the host contract.
import { compareAddressBytes } from './address.js';
import { resolveConfig, type ResolvedConfig } from './config.js';
import { backupDecision, masterDecision } from './rules.js';
import { intervalUs, masterDownIntervalUs, skewTimeUs } from './timing.js';
import {
  OWNER_PRIORITY,
  STOP_PRIORITY,
  type CoreSnapshot,
  type Effect,
  type InstanceConfig,
  type ReceivedAdvert,
  type SteadyState,
  type TransitionReason,
  type VrrpState,
} from './types.js';

interface KnownMaster {
  address: string;
  bytes: Uint8Array;
  priority: number;
}

const NONE: readonly Effect[] = Object.freeze([]);

export class VrrpInstanceCore {
  readonly config: ResolvedConfig;
  #state: VrrpState = 'INIT';
  #priority: number;
  /** RFC 5798 §6.1 Master_Adver_Interval (centiseconds). */
  #masterAdverIntCs: number;
  /** Adver_Timer (MASTER) or Master_Down_Timer (BACKUP) as an absolute deadline. */
  #deadlineUs = Infinity;
  #master: KnownMaster | null = null;
  /** KEEPALIVED preempt_delay: lower-priority masters are accepted while now < this. */
  #preemptHoldUntilUs = 0;
  #faultReason: string | null = null;
  /** Sync group member whose Master_Down_Timer fired (see InstanceConfig.syncGroupMember). */
  #wantsMaster = false;

  constructor(config: InstanceConfig) {
    this.config = resolveConfig(config);
    this.#priority = this.config.basePriority;
    this.#masterAdverIntCs = this.config.adverIntervalCs;
  }

  get state(): VrrpState {
    return this.#state;
  }

  /** The one live RFC timer as an absolute deadline (µs); Infinity when none. */
  nextDeadlineUs(): number {
    return this.#deadlineUs;
  }

  snapshot(): CoreSnapshot {
    return {
      state: this.#state,
      effectivePriority: this.#priority,
      masterAdverIntCs: this.#masterAdverIntCs,
      masterAddress: this.#master?.address ?? null,
      masterPriority: this.#master?.priority ?? null,
      nextDeadlineUs: this.#deadlineUs,
      faultReason: this.#faultReason,
      wantsMaster: this.#wantsMaster,
    };
  }

  // ---- inputs -------------------------------------------------------------------------------

  /** RFC 5798 §6.4.1: the Startup event. */
  start(nowUs: number): readonly Effect[] {
    if (this.#state !== 'INIT') return NONE;
    // KEEPALIVED: an instance whose tracked objects are already down starts in FAULT.
    if (this.#faultReason !== null) return this.#enterFault('INIT');
    return this.#initialize(nowUs, 'INIT', 'start');
  }

  /**
   * KEEPALIVED reload: an instance kept across a reload (same interface, family and VRID) takes
   * over the state of the one it replaces instead of starting afresh, so a reload moves no VIP.
   * Like start(), from INIT, except that a previous MASTER becomes MASTER at once (its VIPs are
   * added where missing, an advert and gratuitous ARPs go out: the advert may carry a new
   * priority or interval) and a state-changed effect comes only when the state differs from
   * `previous` (no notify script for a state the instance already had).
   */
  resume(nowUs: number, previous: VrrpState): readonly Effect[] {
    if (this.#state !== 'INIT') return NONE;
    let effects: readonly Effect[];
    if (this.#faultReason !== null) {
      // A master that is now in FAULT releases first (priority-0 advert, VIPs removed).
      effects = this.#enterFault(previous === 'MASTER' ? 'MASTER' : 'INIT');
    } else if (previous === 'MASTER') {
      effects = this.#becomeMaster(nowUs, previous, 'reload');
    } else {
      effects = this.#initialize(nowUs, previous, 'reload');
    }
    return effects.flatMap((e): Effect[] => {
      if (e.type !== 'state-changed') return [e];
      return e.to === previous ? [] : [{ ...e, from: previous, reason: 'reload' }];
    });
  }

  advertReceived(nowUs: number, advert: ReceivedAdvert): readonly Effect[] {
    if (this.#state === 'BACKUP') return this.#backupReceive(nowUs, advert);
    if (this.#state === 'MASTER') return this.#masterReceive(nowUs, advert);
    // KEEPALIVED: INIT and FAULT ignore adverts (a FAULT instance never becomes master).
    return NONE;
  }

  /** The host calls this when nextDeadlineUs() <= nowUs (late is fine; early is ignored). */
  timerExpired(nowUs: number): readonly Effect[] {
    if (nowUs < this.#deadlineUs) return NONE;
    if (this.#state === 'BACKUP') {
      if (this.config.syncGroupMember) {
        // KEEPALIVED vrrp_sync_group: a member goes master only when every member wants to
        // (the host decides, then calls syncTo); until then it stays BACKUP with no timer.
        this.#wantsMaster = true;
        this.#deadlineUs = Infinity;
        this.#master = null;
        return [{ type: 'wants-master' }];
      }
      // RFC 5798 §6.4.2: "If the Master_Down_Timer fires, then: Send an ADVERTISEMENT ...
      // Transition to the {Master} state".
      return this.#becomeMaster(nowUs, 'BACKUP', 'master-down-timer');
    }
    if (this.#state === 'MASTER') {
      // RFC 5798 §6.4.3: "If the Adver_Timer fires, then: Send an ADVERTISEMENT; Reset the
      // Adver_Timer to Advertisement_Interval". A late call sends one advert (no burst) and
      // keeps the cadence when it can.
      const next = this.#deadlineUs + this.#ownIntervalUs();
      this.#deadlineUs = next > nowUs ? next : nowUs + this.#ownIntervalUs();
      return [this.#advert(this.#priority)];
    }
    return NONE;
  }

  /** RFC 5798 §6.4.2/§6.4.3: the Shutdown event (keepalived stop). */
  shutdown(_nowUs: number): readonly Effect[] {
    const from = this.#state;
    if (from === 'INIT') return NONE;
    const effects: Effect[] = [];
    if (from === 'MASTER') {
      // RFC 5798 §6.4.3: "Cancel the Adver_Timer; Send an ADVERTISEMENT with Priority = 0".
      effects.push(this.#advert(STOP_PRIORITY), { type: 'remove-vips' });
    }
    this.#clearTimers();
    this.#state = 'INIT';
    effects.push({ type: 'state-changed', from, to: 'INIT', reason: 'shutdown' });
    return effects;
  }

  /** Tracking changed the effective priority (base + weights). */
  setEffectivePriority(nowUs: number, priority: number): readonly Effect[] {
    // KEEPALIVED: "if an instance has priority 255 configured, the priority cannot be reduced".
    if (this.config.basePriority === OWNER_PRIORITY) return NONE;
    // KEEPALIVED: a non-owner's effective priority is limited to [1, 254].
    if (!Number.isFinite(priority)) return NONE;
    const next = Math.min(OWNER_PRIORITY - 1, Math.max(1, Math.round(priority)));
    if (next === this.#priority) return NONE;
    const effects: Effect[] = [{ type: 'priority-changed', from: this.#priority, to: next }];
    this.#priority = next;
    if (this.#state === 'MASTER') {
      // KEEPALIVED: a master advertises a priority change at once (the next Adver_Timer
      // counts from this advert). A Backup's new Skew_Time applies from the next advert
      // (RFC 5798 §6.4.2 "Recompute the Skew_Time").
      effects.push(this.#advert(next));
      this.#deadlineUs = nowUs + this.#ownIntervalUs();
    }
    return effects;
  }

  /**
   * KEEPALIVED vrrp_sync_group: the host moves this member with the others. To MASTER: only
   * from BACKUP (as the Master_Down_Timer would). To BACKUP: only from MASTER, sending a
   * priority-0 advert first so that the peer takes over after Skew_Time (keepalived leaves
   * master with an advert of priority 0), then waiting Master_Down_Interval as a new backup;
   * with `quickReturn` (the member that left did so because a VIP was deleted, see vipDeleted)
   * only Skew_Time, as keepalived does for every master of that group.
   */
  syncTo(nowUs: number, state: 'MASTER' | 'BACKUP', options: { quickReturn?: boolean } = {}): readonly Effect[] {
    if (state === 'MASTER') {
      if (this.#state !== 'BACKUP') return NONE;
      return this.#becomeMaster(nowUs, 'BACKUP', 'sync-group');
    }
    if (this.#state !== 'MASTER') return NONE;
    return this.#leaveMaster(nowUs, 'sync-group', options.quickReturn === true);
  }

  /**
   * The host saw a tracked VIP (virtual_ipaddress or virtual_ipaddress_excluded without
   * `no_track`) deleted from the interface while this instance was MASTER and held it (not a
   * deletion of its own). man keepalived.conf: no_track "means that the vrrp_instance will not
   * transition out of master state if the address/route/rule is deleted", so without it the
   * instance does leave: KEEPALIVED (2.2.7, measured) sends a priority-0 advert, removes all
   * its VIPs and becomes BACKUP with the Master_Down_Timer at its own Skew_Time instead of
   * Master_Down_Interval. RFC 5798 §6.4.2 gives a backup that hears priority 0 the same
   * Skew_Time, so the router with the highest priority (the shortest Skew_Time) becomes master
   * next: this one again, re-adding every VIP, unless a peer outranks it.
   */
  vipDeleted(nowUs: number): readonly Effect[] {
    if (this.#state !== 'MASTER') return NONE;
    return this.#leaveMaster(nowUs, 'vip-deleted', true);
  }

  /** KEEPALIVED: a tracked object failed (weight 0 script, interface down, ...). */
  fault(_nowUs: number, reason: string): readonly Effect[] {
    const wasFault = this.#faultReason !== null;
    this.#faultReason = reason;
    if (wasFault || this.#state === 'INIT' || this.#state === 'FAULT') return NONE;
    return this.#enterFault(this.#state);
  }

  /** KEEPALIVED: all tracked objects are up again: leave FAULT the way start-up would. */
  faultCleared(nowUs: number): readonly Effect[] {
    this.#faultReason = null;
    if (this.#state !== 'FAULT') return NONE;
    return this.#initialize(nowUs, 'FAULT', 'fault-cleared');
  }

  /**
   * Host contract step 5 (docs/core.md): native code repeated the steady state on its own; the
   * latest repetition (advert sent as master / identical advert received as backup) was at
   * lastRepeatUs. Advances the core's deadline to match. Never produces effects.
   */
  steadyRepeated(_nowUs: number, lastRepeatUs: number): readonly Effect[] {
    const steady = this.steadyState();
    if (steady.kind === 'master') {
      this.#deadlineUs = Math.max(this.#deadlineUs, lastRepeatUs + steady.intervalUs);
    } else if (steady.kind === 'backup-watching' && lastRepeatUs < steady.untilUs) {
      this.#deadlineUs = Math.max(this.#deadlineUs, lastRepeatUs + steady.masterDownIntervalUs);
    }
    return NONE;
  }

  /** What native code may repeat without asking the core (docs/core.md). */
  steadyState(): SteadyState {
    if (this.#state === 'MASTER') {
      return {
        kind: 'master',
        advert: { priority: this.#priority, adverIntCs: this.config.adverIntervalCs },
        nextSendUs: this.#deadlineUs,
        intervalUs: this.#ownIntervalUs(),
      };
    }
    const m = this.#master;
    if (this.#state !== 'BACKUP' || m === null) return { kind: 'idle' };
    const untilUs = this.#plainResetUntilUs(m.priority);
    if (untilUs === null) return { kind: 'idle' };
    return {
      kind: 'backup-watching',
      masterKey: m.address,
      masterAddressBytes: m.bytes,
      masterPriority: m.priority,
      masterAdverIntCs: this.#masterAdverIntCs,
      masterDownIntervalUs: this.#masterDownIntervalUs(),
      untilUs,
    };
  }

  // ---- transitions ----------------------------------------------------------------------

  /** RFC 5798 §6.4.1, also used when leaving FAULT. */
  #initialize(nowUs: number, from: VrrpState, reason: TransitionReason): readonly Effect[] {
    // RFC 5798 §6.4.1: "If the Priority = 255 ... Transition to the {Master} state".
    // KEEPALIVED 2.2.7 does this only with `state MASTER` and otherwise waits Master_Down_Interval;
    // DEVIATION(keepalived): we follow the RFC for an owner configured `state BACKUP` too.
    if (this.config.basePriority === OWNER_PRIORITY) return this.#becomeMaster(nowUs, from, reason);
    // KEEPALIVED 2.2.7 (measured): a non-owner with `state MASTER` starts as BACKUP and waits
    // the full Master_Down_Interval like `state BACKUP`; only nopreempt/preempt_delay differ
    // (cleared in resolveConfig). RFC 5798 §6.4.1: "Set Master_Adver_Interval to
    // Advertisement_Interval; Set the Master_Down_Timer to Master_Down_Interval".
    this.#masterAdverIntCs = this.config.adverIntervalCs;
    this.#master = null;
    this.#deadlineUs = nowUs + this.#masterDownIntervalUs();
    // KEEPALIVED: the preempt_delay hold starts when the instance enters BACKUP from start-up
    // or from FAULT.
    this.#preemptHoldUntilUs = this.config.preemptDelayUs > 0 ? nowUs + this.config.preemptDelayUs : 0;
    this.#state = 'BACKUP';
    return [{ type: 'state-changed', from, to: 'BACKUP', reason }];
  }

  /** Effects in contract order: add-vips, send-advert, send-garp, state-changed. */
  #becomeMaster(nowUs: number, from: VrrpState, reason: TransitionReason): readonly Effect[] {
    this.#state = 'MASTER';
    this.#wantsMaster = false;
    this.#master = null;
    this.#preemptHoldUntilUs = 0;
    this.#deadlineUs = nowUs + this.#ownIntervalUs();
    return [
      { type: 'add-vips' },
      this.#advert(this.#priority),
      { type: 'send-garp', trigger: 'became-master' },
      { type: 'state-changed', from, to: 'MASTER', reason },
    ];
  }

  /**
   * MASTER → BACKUP on the host's word (sync group, deleted VIP), in the order of the Shutdown
   * event (RFC 5798 §6.4.3: "Send an ADVERTISEMENT with Priority = 0") so that a backup takes
   * over after Skew_Time: priority-0 advert, remove-vips, state-changed. The new
   * Master_Down_Timer: Master_Down_Interval, or with `quickReturn` the local Skew_Time.
   */
  #leaveMaster(nowUs: number, reason: TransitionReason, quickReturn: boolean): readonly Effect[] {
    const effects: Effect[] = [this.#advert(STOP_PRIORITY), { type: 'remove-vips' }];
    this.#state = 'BACKUP';
    this.#master = null;
    this.#wantsMaster = false;
    this.#preemptHoldUntilUs = 0;
    this.#masterAdverIntCs = this.config.adverIntervalCs;
    this.#deadlineUs = nowUs + (quickReturn ? this.#skewTimeUs() : this.#masterDownIntervalUs());
    effects.push({ type: 'state-changed', from: 'MASTER', to: 'BACKUP', reason });
    return effects;
  }

  #enterFault(from: VrrpState): readonly Effect[] {
    const effects: Effect[] = [];
    if (from === 'MASTER') {
      // KEEPALIVED: a master leaving for FAULT sends a priority-0 advert so that a backup takes
      // over after Skew_Time, then removes its VIPs.
      effects.push(this.#advert(STOP_PRIORITY), { type: 'remove-vips' });
    }
    this.#clearTimers();
    this.#state = 'FAULT';
    effects.push({ type: 'state-changed', from, to: 'FAULT', reason: 'fault' });
    return effects;
  }

  // ---- receive ----------------------------------------------------------------------------

  #backupReceive(nowUs: number, advert: ReceivedAdvert): readonly Effect[] {
    const hold = nowUs < this.#preemptHoldUntilUs;
    const decision = backupDecision(advert.priority, this.#priority, this.config.preempt, hold);
    if (decision === 'skew') {
      // RFC 5798 §6.4.2: "Set the Master_Down_Timer to Skew_Time". The master is leaving.
      this.#master = null;
      this.#deadlineUs = nowUs + this.#skewTimeUs();
    } else if (decision === 'accept') {
      this.#acceptMaster(nowUs, advert);
    }
    return NONE;
  }

  #acceptMaster(nowUs: number, advert: ReceivedAdvert): void {
    // RFC 5798 §6.4.2: "Set Master_Adver_Interval to Adver Interval contained in the
    // ADVERTISEMENT" (v3 only: RFC 3768 has no learning; v2 intervals must match, §7.1).
    if (this.config.version === 3) this.#masterAdverIntCs = advert.adverIntCs;
    this.#master = { address: advert.srcAddress, bytes: advert.srcAddressBytes, priority: advert.priority };
    this.#wantsMaster = false;
    // KEEPALIVED: an advert at or above our priority ends the preempt_delay hold.
    if (advert.priority >= this.#priority) this.#preemptHoldUntilUs = 0;
    this.#deadlineUs = nowUs + this.#masterDownIntervalUs();
  }

  #masterReceive(nowUs: number, advert: ReceivedAdvert): readonly Effect[] {
    const cmp = compareAddressBytes(advert.srcAddressBytes, this.config.primaryAddressBytes);
    const decision = masterDecision(advert.priority, this.#priority, cmp);
    if (decision === 'answer-stop') {
      this.#deadlineUs = nowUs + this.#ownIntervalUs();
      return [this.#advert(this.#priority)];
    }
    if (decision === 'assert') {
      // RFC 9568 §6.4.3 / KEEPALIVED: advert at once (unless lower_prio_no_advert), and GARP so
      // that learning bridges point at us; the Adver_Timer keeps its cadence.
      const effects: Effect[] = [];
      if (!this.config.lowerPrioNoAdvert) effects.push(this.#advert(this.#priority));
      effects.push({ type: 'send-garp', trigger: 'lower-priority-advert' });
      return effects;
    }
    return this.#yieldToMaster(nowUs, advert, decision === 'yield-higher' ? 'higher-priority' : 'tie-break');
  }

  #yieldToMaster(nowUs: number, advert: ReceivedAdvert, reason: TransitionReason): readonly Effect[] {
    const effects: Effect[] = [];
    // KEEPALIVED higher_prio_send_advert: one last advert before yielding.
    if (this.config.higherPrioSendAdvert) effects.push(this.#advert(this.#priority));
    effects.push({ type: 'remove-vips' });
    // RFC 5798 §6.4.3: "Cancel Adver_Timer; Set Master_Adver_Interval ...; Set
    // Master_Down_Timer to Master_Down_Interval; Transition to the {Backup} state".
    this.#state = 'BACKUP';
    this.#preemptHoldUntilUs = 0;
    this.#acceptMaster(nowUs, advert);
    effects.push({ type: 'state-changed', from: 'MASTER', to: 'BACKUP', reason });
    return effects;
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Until when an identical advert from a master of this priority is a plain reset; null never. */
  #plainResetUntilUs(masterPriority: number): number | null {
    if (masterPriority === STOP_PRIORITY) return null;
    if (backupDecision(masterPriority, this.#priority, this.config.preempt, false) === 'accept') return Infinity;
    return this.#preemptHoldUntilUs > 0 ? this.#preemptHoldUntilUs : null;
  }

  #advert(priority: number): Effect {
    return { type: 'send-advert', priority, adverIntCs: this.config.adverIntervalCs };
  }

  #ownIntervalUs(): number {
    return intervalUs(this.config.adverIntervalCs);
  }

  #skewTimeUs(): number {
    return skewTimeUs(this.config.version, this.#priority, this.#masterAdverIntCs);
  }

  #masterDownIntervalUs(): number {
    const c = this.config;
    return masterDownIntervalUs(c.version, this.#priority, this.#masterAdverIntCs, c.downTimerAdverts);
  }

  #clearTimers(): void {
    this.#deadlineUs = Infinity;
    this.#wantsMaster = false;
    this.#master = null;
    this.#preemptHoldUntilUs = 0;
  }
}

/** Convenience factory (same as `new VrrpInstanceCore(config)`). */
export function createInstance(config: InstanceConfig): VrrpInstanceCore {
  return new VrrpInstanceCore(config);
}

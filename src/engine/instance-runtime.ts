// One running vrrp_instance: its pure core, the native steady state, its VIPs and announcements.
// Routes every input through the host contract of docs/core.md (catch up, step the core, execute
// the effects in order, resync native code) and counts what it drops. Must not parse config or
// own sockets shared with other instances (the engine does).
import { VrrpInstanceCore, type Effect, type ReceivedAdvert, type VrrpState } from '../core/index.js'
import { checkAdvertForInstance, type InstanceExpectations } from '../protocol/receive-checks.js'
import { emptyDiscardCounters, type DiscardReason } from '../protocol/discard-reasons.js'
import type { DecodedVrrpAdvert, ChecksumForm } from '../protocol/vrrp-advert.js'
import { formatIp, parseIpOrThrow } from '../protocol/ip-address.js'
import type { IoLoop, LoopPacket, VrrpSocket, NativeSystemError } from '../native/index.js'
import type { VipSet } from '../io/vip-set.js'
import type { Announcer } from '../io/announcer.js'
import { RateLimitedLog, type Logger } from '../io/logger.js'
import type { InstancePlan } from './instance-plan.js'
import { AdvertEncoder } from './advert-encoder.js'
import { SteadyDriver, type AcceptedAdvert } from './steady-driver.js'
import { GarpSchedule } from './garp-schedule.js'
import type { EngineEvent } from './events.js'
import type { KeepalivedStatsSource } from './keepalived-stats.js'
import { ChecksumFormCounter, type ChecksumFormCounts } from './checksum-forms.js'

export type { Transition } from './events.js'

export interface InstanceCounters {
  /** Adverts the core saw (the native watch absorbs the known master's repeats: advertsMatchedNative). */
  advertsReceived: number
  advertsSentByJs: number
  /** RFC 5798 §6.4.2/§6.4.3: priority-0 adverts received from the master, and sent (shutdown, FAULT). */
  priorityZeroReceived: number
  priorityZeroSent: number
  sendErrors: number
  becameMaster: number
  releasedMaster: number
  announcements: number
  vipFailures: number
  discards: Record<DiscardReason | 'unknown-unicast-source', number>
}

export interface InstanceStatus {
  name: string
  vrid: number
  interface: string
  state: VrrpState
  priority: number
  master: string | null
  primaryAddress: string
  steady: string
  /** CLOCK_MONOTONIC µs of the latest state change (null: none yet). */
  lastTransitionUs: number | null
  /** Why the instance is in FAULT (interface, scripts); empty otherwise. */
  faults: string[]
  counters: InstanceCounters & {
    advertsSentNative: number
    advertsMatchedNative: number
    /** VRRPv3 IPv4 only: the checksum form each peer sends (checksum-forms.ts). */
    checksumForms: ChecksumFormCounts
  }
}

export interface RuntimeDeps {
  loop: IoLoop
  sockets: { rx: VrrpSocket, tx: VrrpSocket }
  vips: VipSet
  announcer: Announcer
  primaryAddress: string
  log: Logger
  now: () => number
  onEvent: (event: EngineEvent) => void
  /**
   * After an input that a sync group must look at (a transition, a member wanting master, a
   * change of fault reasons). Called when the input is done, never in the middle of it.
   */
  onSyncRelevant?: () => void
}

export class InstanceRuntime {
  readonly plan: InstancePlan
  readonly core: VrrpInstanceCore
  readonly #deps: RuntimeDeps
  readonly #log: Logger
  readonly #encoder: AdvertEncoder
  readonly #driver: SteadyDriver
  readonly #garp: GarpSchedule
  readonly #expectations: InstanceExpectations
  readonly #peers: Set<string>
  readonly #limited = new RateLimitedLog()
  readonly #counters: InstanceCounters = {
    advertsReceived: 0,
    advertsSentByJs: 0,
    priorityZeroReceived: 0,
    priorityZeroSent: 0,
    sendErrors: 0,
    becameMaster: 0,
    releasedMaster: 0,
    announcements: 0,
    vipFailures: 0,
    discards: { ...emptyDiscardCounters(), 'unknown-unicast-source': 0 }
  }

  readonly #checksumForms = new ChecksumFormCounter()

  readonly #faults = new Set<string>()
  /** The daemon's tracked priority (base + script/file/process weights). */
  #trackedPriority: number
  /** track_interface weights (the engine sees the links). */
  #interfaceAdjustment = 0
  #lastTransition: { from: VrrpState, to: VrrpState, reason: string, atUs: number } | null = null
  #syncRelevant = false
  #lastAccepted: AcceptedAdvert | null = null
  #lastNowUs = 0
  #closed = false
  #deleting = false

  constructor (plan: InstancePlan, deps: RuntimeDeps) {
    this.plan = plan
    this.#deps = deps
    this.#log = deps.log
    this.core = new VrrpInstanceCore({ ...plan.core, primaryAddress: deps.primaryAddress })
    this.#trackedPriority = plan.core.basePriority
    for (const note of this.core.config.adjustments) this.#log.warn({ note }, 'setting adjusted')
    this.#encoder = new AdvertEncoder(plan, deps.primaryAddress)
    this.#driver = new SteadyDriver(deps.loop, deps.sockets, this.#encoder, (firedUs) => this.#deadline(firedUs), (error) => this.#sendError(error))
    this.#garp = new GarpSchedule(deps.loop, deps.announcer, plan.garp)
    this.#expectations = {
      version: plan.core.version,
      vrid: plan.core.vrid,
      authType: plan.authType,
      authData: plan.authData,
      adverIntS: plan.core.version === 2 ? plan.core.adverIntervalCs / 100 : undefined,
      virtualAddresses: plan.vips.map((v) => v.address)
    }
    this.#peers = new Set(plan.unicastPeers.map((p) => formatIp(parseIpOrThrow(p.address).bytes) ?? p.address))
  }

  get name (): string { return this.plan.name }

  start (): void {
    this.#input(this.#deps.now(), (now) => this.core.start(now))
  }

  /** Reload: take over the state of the runtime this one replaces (core resume). */
  resume (previous: VrrpState): void {
    this.#input(this.#deps.now(), (now) => this.core.resume(now, previous))
  }

  /** An advert for this instance's VRID that the codec accepted (packet rules of §7.1). */
  receive (packet: LoopPacket, decoded: DecodedVrrpAdvert, checksumForm: ChecksumForm): void {
    const source = formatIp(packet.source) ?? ''
    // KEEPALIVED skip_check_adv_addr: skip the address list check for the master we know.
    const checkAddresses = !(this.plan.skipCheckAdvAddr && this.#lastAccepted?.source === source)
    const reason = checkAdvertForInstance(decoded, { ...this.#expectations, checkAddresses })
    if (reason !== null) return this.#discard(reason, source)
    if (this.plan.checkUnicastSrc && this.#peers.size > 0 && !this.#peers.has(source)) return this.#discard('unknown-unicast-source', source)
    this.#counters.advertsReceived++
    if (decoded.priority === 0) this.#counters.priorityZeroReceived++
    // RFC 5798 §5.2.8 / RFC 9568 §5.2.8: only VRRPv3 over IPv4 has two forms.
    if (decoded.version === 3 && this.plan.family === 'ipv4') this.#checksumForms.count(source, checksumForm)
    const adverIntCs = decoded.version === 3 ? decoded.maxAdverIntCs : decoded.adverIntS * 100
    const received: ReceivedAdvert = { srcAddress: source, srcAddressBytes: Uint8Array.from(packet.source), priority: decoded.priority, adverIntCs }
    this.#lastAccepted = { source, priority: decoded.priority, adverIntCs, bytes: Uint8Array.from(packet.data) }
    this.#input(packet.receivedUs, (now) => this.core.advertReceived(now, received))
  }

  /**
   * A tracked object failed (the interface, a weight 0 script): FAULT while any reason remains.
   * The core keeps one reason string; the set of reasons lives here.
   */
  fault (reason: string): void {
    if (this.#faults.has(reason)) return
    this.#faults.add(reason)
    this.#syncRelevant = true
    const all = [...this.#faults].join('; ')
    this.#input(this.#deps.now(), (now) => this.core.fault(now, all))
  }

  /** One fault reason is gone; the instance leaves FAULT (re-runs start-up) when none remains. */
  faultCleared (reason: string): void {
    if (!this.#faults.delete(reason)) return
    this.#syncRelevant = true
    if (this.#faults.size > 0) {
      const rest = [...this.#faults].join('; ')
      this.#input(this.#deps.now(), (now) => this.core.fault(now, rest))
      return
    }
    this.#input(this.#deps.now(), (now) => this.core.faultCleared(now))
  }

  hasFault (reason: string): boolean {
    return this.#faults.has(reason)
  }

  get faults (): ReadonlySet<string> { return this.#faults }

  /** The latest state change (for sync groups: who moved, and why). */
  get lastTransition (): { from: VrrpState, to: VrrpState, reason: string, atUs: number } | null { return this.#lastTransition }

  /** Tracking's effective priority (base + weights); the core clamps it and ignores it at 255. */
  setTrackedPriority (priority: number): void {
    this.#trackedPriority = priority
    this.#applyPriority()
  }

  /** The sum of the track_interface weights that apply now (engine-side tracking). */
  setInterfaceAdjustment (adjustment: number): void {
    if (adjustment === this.#interfaceAdjustment) return
    this.#interfaceAdjustment = adjustment
    this.#applyPriority()
  }

  /** Whether `source` (as formatIp prints it) is one of the instance's unicast peers. */
  hasPeer (source: string): boolean {
    return this.#peers.has(source)
  }

  /** KEEPALIVED vrrp_sync_group: move with the group's other members (see core syncTo). */
  syncTo (state: 'MASTER' | 'BACKUP', options: { quickReturn?: boolean } = {}): void {
    this.#input(this.#deps.now(), (now) => this.core.syncTo(now, state, options))
  }

  /**
   * rtnetlink reported `address` gone from `ifindex` (RTM_DELADDR, received at `atUs`). Counts
   * only for a MASTER, for one of its VIPs or excluded VIPs, when the address is really absent
   * now: the deletions the engine makes itself come while the instance is not MASTER (leaving
   * master, shutdown, reload, FAULT), and an address removed and added again since (a reload's
   * stale-VIP sweep before an owner starts) is present. Then: a `no_track` one is logged and left
   * deleted (man keepalived.conf: "will not be reinstated until the vrrp instance next
   * transitions to master"; add-vips on that transition re-adds it); any other makes the core
   * leave MASTER (core vipDeleted). Returns whether the instance left MASTER.
   */
  addressDeleted (ifindex: number, address: string, atUs: number): boolean {
    if (this.#closed || this.core.state !== 'MASTER') return false
    const vip = this.#deps.vips.match(ifindex, address)
    if (vip === undefined || this.#deps.vips.isPresent(vip)) return false
    const where = { address: `${vip.address}/${vip.prefixLength}`, interface: vip.dev ?? this.plan.interface }
    if (vip.noTrack) {
      this.#log.info(where, 'no_track VIP deleted: staying MASTER, it returns on the next transition to MASTER')
      return false
    }
    this.#log.warn(where, 'VIP deleted from the interface: leaving MASTER (priority 0, VIPs removed, back after Skew_Time)')
    this.#input(atUs, (now) => this.core.vipDeleted(now))
    return true
  }

  /** After lost rtnetlink events: a MASTER missing one of its tracked VIPs reacts as to its deletion. */
  recheckVips (atUs: number): void {
    if (this.#closed || this.core.state !== 'MASTER') return
    const present = new Set(this.#deps.vips.present())
    const missing = [...this.plan.vips, ...this.plan.excludedVips].find((v) => !v.noTrack && !present.has(v))
    if (missing === undefined) return
    this.#log.warn({ address: `${missing.address}/${missing.prefixLength}`, interface: missing.dev ?? this.plan.interface }, 'VIP missing after lost rtnetlink events: leaving MASTER')
    this.#input(atUs, (now) => this.core.vipDeleted(now))
  }

  #applyPriority (): void {
    const priority = this.#trackedPriority + this.#interfaceAdjustment
    this.#input(this.#deps.now(), (now) => this.core.setEffectivePriority(now, priority))
  }

  /**
   * RFC 5798 §6.4.3 Shutdown: priority-0 advert, VIPs removed. Leaves no VIP behind. `deleted`:
   * the instance is gone from the config after a reload, and the daemon hears a `deleted` event
   * instead of the transition to INIT (keepalived notifies FAULT, or DELETED with notify_deleted).
   */
  shutdown (options: { deleted?: boolean } = {}): void {
    if (this.#closed) return
    this.#deleting = options.deleted === true
    this.#input(this.#deps.now(), (now) => this.core.shutdown(now))
    this.#driver.stop()
    this.#garp.stop()
    this.#reportVipFailures('remove', this.#deps.vips.remove())
  }

  close (): void {
    if (this.#closed) return
    this.#closed = true
    this.#driver.dispose()
    this.#garp.dispose()
  }

  status (): InstanceStatus {
    const snap = this.core.snapshot()
    return {
      name: this.plan.name,
      vrid: this.plan.core.vrid,
      interface: this.plan.interface,
      state: snap.state,
      priority: snap.effectivePriority,
      master: snap.state === 'MASTER' ? this.#deps.primaryAddress : snap.masterAddress,
      primaryAddress: this.#deps.primaryAddress,
      steady: this.#driver.mode,
      lastTransitionUs: this.#lastTransition?.atUs ?? null,
      faults: [...this.#faults],
      counters: {
        ...this.#counters,
        discards: { ...this.#counters.discards },
        checksumForms: this.#checksumForms.snapshot(),
        announcements: this.#garp.sent,
        advertsSentNative: this.#driver.sent(),
        advertsMatchedNative: this.#driver.matched()
      }
    }
  }

  /** The counters keepalived.stats shows, without building the full status (live discards: format at once). */
  keepalivedStats (): KeepalivedStatsSource {
    const c = this.#counters
    return {
      name: this.plan.name,
      counters: {
        advertsReceived: c.advertsReceived,
        advertsMatchedNative: this.#driver.matched(),
        advertsSentByJs: c.advertsSentByJs,
        advertsSentNative: this.#driver.sent(),
        becameMaster: c.becameMaster,
        releasedMaster: c.releasedMaster,
        discards: c.discards,
        priorityZeroReceived: c.priorityZeroReceived,
        priorityZeroSent: c.priorityZeroSent
      }
    }
  }

  // ---- host contract ---------------------------------------------------------------------

  #input (atUs: number, step: (nowUs: number) => readonly Effect[]): void {
    if (this.#closed) return
    const now = this.#driver.catchUp(this.core, Math.max(this.#lastNowUs, atUs))
    this.#lastNowUs = now
    const effects = step(now)
    // RFC 5798 §6.4.3: "Cancel the Adver_Timer" comes before the priority-0 advert (shutdown,
    // FAULT) or the yield: stop the native periodic first, so that no advert of the old
    // priority can follow the effects on the wire.
    if (this.core.state !== 'MASTER') this.#driver.stopSending()
    this.#execute(effects, now)
    this.#driver.sync(this.core, this.#lastAccepted)
    if (this.#syncRelevant) {
      this.#syncRelevant = false
      this.#deps.onSyncRelevant?.()
    }
  }

  #deadline (firedUs: number): void {
    this.#input(firedUs, (now) => this.core.timerExpired(now))
  }

  /** Effects in array order: the order is the contract (docs/core.md step 2). */
  #execute (effects: readonly Effect[], nowUs: number): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'add-vips':
          this.#reportVipFailures('add', this.#deps.vips.add())
          break
        case 'remove-vips':
          this.#garp.stop()
          this.#reportVipFailures('remove', this.#deps.vips.remove())
          break
        case 'send-advert':
          this.#sendAdvert(effect.priority, effect.adverIntCs)
          break
        case 'send-garp':
          this.#garp.start(effect.trigger, nowUs)
          // The core asks for garp_lower_prio_* exactly when a master received a lower priority
          // advert (RFC 9568 §6.4.3): keepalived's MASTER_RX_LOWER_PRI.
          if (effect.trigger === 'lower-priority-advert') this.#masterRxLowerPri(nowUs)
          break
        case 'priority-changed':
          this.#log.info({ from: effect.from, to: effect.to }, 'priority changed')
          this.#deps.onEvent({ type: 'priority-changed', instance: this.plan.name, from: effect.from, to: effect.to, state: this.core.state, atUs: nowUs })
          break
        case 'state-changed':
          this.#transition(effect.from, effect.to, effect.reason, nowUs)
          break
        case 'wants-master':
          this.#log.info('Master_Down_Timer fired: waiting for the sync group')
          this.#syncRelevant = true
          break
      }
    }
  }

  #sendAdvert (priority: number, adverIntCs: number): void {
    for (const advert of this.#encoder.encode(priority, adverIntCs)) {
      try {
        this.#deps.sockets.tx.send(advert.bytes, advert.destination)
        this.#counters.advertsSentByJs++
        if (priority === 0) this.#counters.priorityZeroSent++
      } catch (err) {
        this.#sendError(err as NativeSystemError)
      }
    }
  }

  #transition (from: VrrpState, to: VrrpState, reason: string, atUs: number): void {
    this.#lastTransition = { from, to, reason, atUs }
    this.#syncRelevant = true
    if (to === 'MASTER') this.#counters.becameMaster++
    if (from === 'MASTER') this.#counters.releasedMaster++
    const priority = this.core.snapshot().effectivePriority
    const master = this.core.snapshot().masterAddress
    this.#log.info({ from, to, reason, priority, master, atUs }, 'state changed')
    if (this.#deleting && to === 'INIT') {
      this.#deps.onEvent({ type: 'deleted', instance: this.plan.name, from, state: this.plan.notifyDeleted ? 'DELETED' : 'FAULT', priority, atUs })
      return
    }
    this.#deps.onEvent({ type: 'transition', transition: { instance: this.plan.name, from, to, reason, priority, atUs } })
  }

  #masterRxLowerPri (nowUs: number): void {
    const last = this.#lastAccepted
    this.#deps.onEvent({ type: 'master-rx-lower-pri', instance: this.plan.name, priority: this.core.snapshot().effectivePriority, advertPriority: last?.priority ?? 0, source: last?.source ?? '', atUs: nowUs })
  }

  /** A packet for this VRID that failed a packet rule (TTL, length, type, checksum, version). */
  countPacketDiscard (reason: DiscardReason): void {
    this.#counters.discards[reason]++
  }

  #discard (reason: DiscardReason | 'unknown-unicast-source', source: string): void {
    this.#counters.discards[reason]++
    this.#limited.maybe(`${reason}/${source}`, (suppressed) => {
      this.#log.warn({ reason, source, suppressed }, 'advert discarded')
    })
  }

  #sendError (error: NativeSystemError): void {
    this.#counters.sendErrors++
    this.#limited.maybe(`send/${error.code ?? ''}`, (suppressed) => {
      this.#log.warn({ code: error.code, err: error.message, suppressed }, 'advert send failed')
    })
  }

  #reportVipFailures (action: 'add' | 'remove', failures: ReadonlyArray<{ address: string, error: Error & { code?: string } }>): void {
    for (const f of failures) {
      this.#counters.vipFailures++
      this.#log.error({ address: f.address, code: f.error.code, err: f.error.message }, `could not ${action} VIP`)
    }
  }
}

// The VRRP engine: owns the native I/O loop, the rtnetlink socket, one VrrpChannel per (interface,
// family, source) and one InstanceRuntime per vrrp_instance. Start-up order: resolve interfaces,
// remove stale VIPs a crashed run left, pick each instance's primary address, open the sockets,
// start the cores. Shutdown: every instance's RFC 5798 §6.4.3 Shutdown, then close. Link events
// of an instance's own interface become FAULT (keepalived's default interface tracking), address
// deletions of a master's tracked VIPs make it leave MASTER (instance-runtime.ts); the
// daemon's track scripts arrive as setTrackedPriority / fault / faultCleared. A reload (SIGHUP)
// swaps in new plans: reload-plan.ts decides per instance, everything that can fail is prepared
// before anything running changes.
import { IoLoop, NetlinkMonitor, RtNetlink, monotonicUs, type NetlinkEvent } from '../native/index.js'
import { VipSet } from '../io/vip-set.js'
import { Announcer } from '../io/announcer.js'
import type { Logger } from '../io/logger.js'
import { canonicalIp, isIpv6LinkLocal, parseIpOrThrow } from '../protocol/ip-address.js'
import type { InstancePlan } from './instance-plan.js'
import { InstanceRuntime, type InstanceStatus } from './instance-runtime.js'
import type { VrrpState } from '../core/index.js'
import type { EngineEvent, GroupState } from './events.js'
import { pickByDestination } from './vrid-routing.js'
import { VrrpChannel } from './vrrp-channel.js'
import { EngineStartError } from './errors.js'
import type { InitialTracking } from './worker-protocol.js'
import { linkTracking, type LinkTracking } from './link-tracking.js'
import { SyncGroups } from './sync-groups.js'
import type { SyncGroupPlan } from './sync-group-plan.js'
import type { KeepalivedStatsSource } from './keepalived-stats.js'
import { planReload } from './reload-plan.js'
import { applyIoThreadScheduling, type IoThreadRealtime } from './io-thread-scheduling.js'
import { advertWireBytes } from './rx-buffer.js'
import { PacketSockets } from './packet-sockets.js'

export interface EngineOptions {
  /** keepalived -s / floatip --namespace: every socket and address lives in this namespace. */
  netns?: string
  log: Logger
  onEvent?: (event: EngineEvent) => void
  /** The native thread's SCHED_FIFO priority (0: the normal policy) and whether it is required (io-thread-scheduling.ts). */
  realtime?: IoThreadRealtime
  /** Per instance name: priority and faults from the daemon's first script run, set before start. */
  tracking?: Record<string, InitialTracking>
  /** keepalived vrrp_sync_group: instances that move together. */
  syncGroups?: SyncGroupPlan[]
}

export interface EngineStatus {
  instances: InstanceStatus[]
  syncGroups: ReturnType<SyncGroups['status']>
  channels: Array<{ interface: string, family: string, source: string, discards: Record<string, number>, receiveErrors: number, receiveBuffer: number }>
  native: ReturnType<IoLoop['stats']>
}

interface Started {
  runtime: InstanceRuntime
  channel: VrrpChannel
  announcer: Announcer
  primary: string
  /** What interface tracking applied last. */
  links: LinkTracking
}

/** An instance ready to run: its interface, VIPs and source address resolved. */
interface Prepared {
  plan: InstancePlan
  vips: VipSet
  primary: string
}

/** What a reload did, by instance name. */
export interface ReloadSummary {
  kept: string[]
  changed: string[]
  added: string[]
  removed: string[]
}

export class Engine {
  #plans: readonly InstancePlan[]
  readonly #options: EngineOptions
  readonly #log: Logger
  #loop: IoLoop | null = null
  #netlink: RtNetlink | null = null
  #monitor: NetlinkMonitor | null = null
  readonly #channels = new Map<string, VrrpChannel>()
  readonly #packetSockets: PacketSockets
  readonly #started: Started[] = []
  /** Link name → up (administratively up and running), from rtnetlink. */
  readonly #links = new Map<string, boolean>()
  #syncGroups: SyncGroups | null = null
  #syncGroupPlans: readonly SyncGroupPlan[]
  #stopped = false

  constructor (plans: readonly InstancePlan[], options: EngineOptions) {
    this.#plans = plans
    this.#options = options
    this.#log = options.log
    this.#syncGroupPlans = options.syncGroups ?? []
    this.#packetSockets = new PacketSockets(options.netns)
  }

  /** Throws EngineStartError (and releases what it opened) when an instance cannot start. */
  start (): void {
    try {
      this.#open()
    } catch (err) {
      this.close()
      throw err
    }
    for (const s of this.#started) {
      const initial = this.#options.tracking?.[s.runtime.name]
      if (initial !== undefined) {
        for (const reason of initial.faults) s.runtime.fault(reason)
        s.runtime.setTrackedPriority(initial.priority)
      }
      s.runtime.start()
    }
    this.#syncGroups?.settle()
  }

  /**
   * KEEPALIVED reload: run `plans` from now on. Kept instances run on untouched (their tracking
   * is re-applied), changed ones are replaced and resume their state, removed ones are released
   * (a `deleted` event each), added ones start. Throws EngineStartError, with nothing changed,
   * when a new or changed instance cannot run (no such interface, no address, socket refused).
   */
  reload (plans: readonly InstancePlan[], syncGroups: readonly SyncGroupPlan[], tracking: Record<string, InitialTracking>): ReloadSummary {
    const loop = this.#loop
    const netlink = this.#netlink
    if (this.#stopped || loop === null || netlink === null) throw new EngineStartError('the engine is not running')
    const diff = planReload(this.#started.map((s) => s.runtime.plan), plans)
    const startedOf = (plan: InstancePlan): Started | undefined => this.#started.find((s) => s.runtime.plan === plan)
    // ---- prepare (may throw; nothing running has changed yet) ----
    const links = new Map(netlink.listLinks().map((l) => [l.name, l]))
    const allVips = vipAddresses(plans)
    const fresh = [...diff.changed.map((c) => c.next), ...diff.added].map((plan) => this.#prepare(plan, links, allVips))
    const keptPrimary = new Map(diff.kept.map((k) => [k.next, (startedOf(k.old) as Started).primary]))
    const multicastKeys = new Set([...fresh.map((p) => ({ plan: p.plan, primary: p.primary })), ...diff.kept.map((k) => ({ plan: k.next, primary: keptPrimary.get(k.next) as string }))]
      .filter((p) => p.plan.unicastPeers.length === 0).map((p) => channelKey(p.plan, p.primary)))
    // A channel that must now receive multicast but was opened without it is reopened, and the
    // kept instances on it are replaced (they move to the new sockets).
    const reopen = new Set([...this.#channels].filter(([key, c]) => multicastKeys.has(key) && !c.options.multicast).map(([key]) => key))
    const moved = diff.kept.filter((k) => reopen.has(channelKey(k.next, keptPrimary.get(k.next) as string)))
    diff.kept = diff.kept.filter((k) => !moved.includes(k))
    diff.changed.push(...moved)
    fresh.push(...moved.map((k) => this.#prepare(k.next, links, allVips)))
    const channels = new Map([...this.#channels].filter(([key]) => !reopen.has(key)))
    const opened: VrrpChannel[] = []
    try {
      for (const p of fresh) {
        const key = channelKey(p.plan, p.primary)
        if (channels.has(key)) continue
        const channel = this.#openChannel(loop, p.plan, p.primary, multicastKeys.has(key))
        channels.set(key, channel)
        opened.push(channel)
      }
    } catch (err) {
      for (const c of opened) c.close()
      throw err
    }
    // ---- apply ----
    const summary: ReloadSummary = { kept: diff.kept.map((k) => k.next.name), changed: diff.changed.map((c) => c.next.name), added: diff.added.map((p) => p.name), removed: diff.removed.map((p) => p.name) }
    const previousGroups = new Map((this.#syncGroups?.status() ?? []).map((g) => [g.name, g.state]))
    this.#syncGroups?.close()
    for (const plan of diff.removed) {
      const s = startedOf(plan) as Started
      s.runtime.shutdown({ deleted: true })
      this.#retire(s)
    }
    const states = new Map<InstancePlan, VrrpState>()
    for (const { old, next } of diff.changed) {
      const s = startedOf(old) as Started
      states.set(next, s.runtime.core.state)
      this.#retire(s)
      // A master keeps the VIPs both configs have; the ones only the old config had go now.
      if (s.runtime.core.state === 'MASTER') this.#removeDroppedVips(old, next, links)
    }
    for (const p of fresh) {
      const channel = channels.get(channelKey(p.plan, p.primary)) as VrrpChannel
      const started = this.#run(loop, p, channel, links)
      const initial = tracking[p.plan.name]
      if (initial !== undefined) {
        for (const reason of initial.faults) started.runtime.fault(reason)
        started.runtime.setTrackedPriority(initial.priority)
      }
      const previous = states.get(p.plan)
      if (previous === undefined) {
        this.#removeStale(p)
        started.runtime.start()
      } else {
        started.runtime.resume(previous === 'INIT' ? 'BACKUP' : previous)
      }
    }
    const groupNames = new Set(syncGroups.map((g) => g.name))
    for (const k of diff.kept) this.#retrack(startedOf(k.old) as Started, tracking[k.next.name], groupNames)
    for (const [key, c] of this.#channels) {
      if (!this.#started.some((s) => s.channel === c)) {
        c.close()
        this.#channels.delete(key)
      }
    }
    for (const [key, c] of channels) {
      if (this.#channels.get(key) === c) continue
      this.#channels.set(key, c)
      c.route((vrid, from) => this.#lookup(c, vrid, from))
    }
    this.#sizeReceiveBuffers(this.#started.map((x) => ({ plan: x.runtime.plan, channel: x.channel })), links)
    this.#packetSockets.closeUnused(new Set(this.#started.flatMap(({ runtime: { plan } }) => [plan.interface, ...[...plan.vips, ...plan.excludedVips].map((v) => v.dev ?? plan.interface)])))
    this.#plans = plans
    this.#syncGroupPlans = syncGroups
    this.#syncGroups = this.#newSyncGroups(previousGroups)
    this.#syncGroups.settle()
    return summary
  }

  /** Tracking (base + weights) changed an instance's effective priority. */
  setTrackedPriority (instance: string, priority: number): void {
    this.#runtime(instance)?.setTrackedPriority(priority)
  }

  /** A tracked object of the instance failed (a weight 0 script): FAULT until all reasons clear. */
  fault (instance: string, reason: string): void {
    this.#runtime(instance)?.fault(reason)
  }

  faultCleared (instance: string, reason: string): void {
    this.#runtime(instance)?.faultCleared(reason)
  }

  #runtime (name: string): InstanceRuntime | undefined {
    if (this.#stopped) return undefined
    const s = this.#started.find((x) => x.runtime.name === name)
    if (s === undefined) this.#log.warn({ instance: name }, 'tracking update for an unknown instance')
    return s?.runtime
  }

  /** RFC 5798 §6.4.3 Shutdown for every instance: priority-0 adverts, VIPs removed. */
  shutdown (): void {
    if (this.#stopped) return
    this.#stopped = true
    for (const s of this.#started) {
      try {
        s.runtime.shutdown()
      } catch (err) {
        this.#log.error({ instance: s.runtime.name, err }, 'shutdown failed')
      }
    }
    // The groups' last state (INIT) is reported before the engine closes.
    this.#syncGroups?.settle()
    this.#syncGroups?.close()
  }

  close (): void {
    for (const s of this.#started.splice(0)) {
      s.runtime.close()
      s.announcer.close()
    }
    for (const c of this.#channels.values()) c.close()
    this.#channels.clear()
    this.#packetSockets.closeAll()
    this.#monitor?.close()
    this.#loop?.close()
    this.#netlink?.close()
    this.#monitor = null
    this.#loop = null
    this.#netlink = null
  }

  status (): EngineStatus {
    return {
      instances: this.#started.map((s) => s.runtime.status()),
      syncGroups: this.#syncGroups?.status() ?? [],
      channels: [...this.#channels.values()].map((c) => ({ interface: c.options.interface, family: c.options.family, source: c.options.source, discards: { ...c.discards }, receiveErrors: c.receiveErrors, receiveBuffer: c.receiveBuffer })),
      native: this.#loop?.stats() ?? ({} as ReturnType<IoLoop['stats']>)
    }
  }

  /** What keepalived.stats shows of each instance (SIGUSR2), in status order; far cheaper than status(). */
  keepalivedStats (): KeepalivedStatsSource[] {
    return this.#started.map((s) => s.runtime.keepalivedStats())
  }

  // ---- start-up ---------------------------------------------------------------------------

  #open (): void {
    const netns = this.#options.netns
    const netlink = this.#netlink = new RtNetlink({ netns })
    const loop = this.#loop = new IoLoop({ slots: ringSlots(this.#plans.length), onHandlerError: (err) => this.#log.error({ err }, 'handler failed') })
    applyIoThreadScheduling(loop, this.#options.realtime ?? { priority: 0, required: false }, this.#log)
    const links = new Map(netlink.listLinks().map((l) => [l.name, l]))
    for (const l of links.values()) this.#links.set(l.name, l.up && l.running)
    const allVips = vipAddresses(this.#plans)
    const prepared = this.#plans.map((plan) => this.#prepare(plan, links, allVips))
    for (const p of prepared) this.#removeStale(p)
    const multicastKeys = new Set(prepared.filter((p) => p.plan.unicastPeers.length === 0).map((p) => channelKey(p.plan, p.primary)))
    const members = prepared.map((p) => {
      const key = channelKey(p.plan, p.primary)
      let channel = this.#channels.get(key)
      if (channel === undefined) {
        channel = this.#openChannel(loop, p.plan, p.primary, multicastKeys.has(key))
        this.#channels.set(key, channel)
      }
      return { p, plan: p.plan, channel }
    })
    // Sized before the instances are set up: the sockets receive from now on, and the masters'
    // bursts queue while the engine thread is busy starting (the default holds one round of 255).
    this.#sizeReceiveBuffers(members, links)
    for (const { p, channel } of members) this.#run(loop, p, channel, links)
    this.#syncGroups = this.#newSyncGroups(new Map())
    for (const channel of this.#channels.values()) channel.route((vrid, from) => this.#lookup(channel, vrid, from))
    this.#monitor = new NetlinkMonitor(loop, (event, atUs) => this.#netlinkEvent(event, atUs), { netns, onOverflow: () => this.#resync() })
  }

  /** Resolves what an instance needs from the kernel; throws EngineStartError when it cannot run. */
  #prepare (plan: InstancePlan, links: ReadonlyMap<string, { ifindex: number }>, allVips: Set<string | null>): Prepared {
    const ifindexOf = (name: string): number => {
      const link = links.get(name)
      if (link === undefined) throw new EngineStartError(`interface ${name} does not exist${this.#options.netns === undefined ? '' : ` in namespace ${this.#options.netns}`}`)
      return link.ifindex
    }
    const ifindex = ifindexOf(plan.interface)
    const vips = new VipSet(this.#netlink as RtNetlink, [...plan.vips, ...plan.excludedVips], (dev) => ifindexOf(dev ?? plan.interface))
    return { plan, vips, primary: plan.sourceAddress ?? this.#primaryAddress(plan, ifindex, allVips) }
  }

  /** A previous run that crashed left these; keepalived also starts from a clean interface. */
  #removeStale (p: Prepared): void {
    const stale = p.vips.present()
    if (stale.length === 0) return
    this.#log.warn({ instance: p.plan.name, vips: stale.map((v) => `${v.address}/${v.prefixLength}`) }, 'removing stale VIPs')
    p.vips.remove()
  }

  /** Creates the runtime of a prepared instance (not started) and applies interface tracking. */
  #run (loop: IoLoop, p: Prepared, channel: VrrpChannel, links: ReadonlyMap<string, unknown>): Started {
    const announcer = new Announcer({
      netns: this.#options.netns,
      targets: [...p.plan.vips, ...p.plan.excludedVips].map((v) => ({ socket: this.#packetSockets.get(v.dev ?? p.plan.interface), address: v.address }))
    })
    const runtime = new InstanceRuntime(p.plan, {
      loop,
      sockets: channel,
      vips: p.vips,
      announcer,
      primaryAddress: p.primary,
      log: this.#log.child({ instance: p.plan.name }),
      now: monotonicUs,
      onEvent: (e) => this.#options.onEvent?.(e),
      onSyncRelevant: () => this.#syncGroups?.changed()
    })
    const started: Started = { runtime, channel, announcer, primary: p.primary, links: { faults: [], adjustment: 0 } }
    this.#started.push(started)
    for (const t of p.plan.trackInterfaces) {
      if (!links.has(t.name)) this.#log.warn({ instance: p.plan.name, interface: t.name }, 'track_interface: no such interface (counts as down)')
    }
    this.#applyLinks(started)
    return started
  }

  #newSyncGroups (previous: ReadonlyMap<string, GroupState>): SyncGroups {
    return new SyncGroups(this.#syncGroupPlans, (name) => this.#started.find((x) => x.runtime.name === name)?.runtime, {
      emit: (e) => this.#options.onEvent?.(e),
      log: this.#log.child({ component: 'sync-group' }),
      now: monotonicUs,
      previous
    })
  }

  /** Each channel's buffer for the instances now on it (rx-buffer.ts). */
  #sizeReceiveBuffers (members: ReadonlyArray<{ plan: InstancePlan, channel: VrrpChannel }>, links: ReadonlyMap<string, { mtu?: number }>): void {
    for (const c of this.#channels.values()) {
      c.sizeReceiveBuffer(members.filter((m) => m.channel === c).map(({ plan }) => ({
        share: plan.rxBuffer,
        advertBytes: advertWireBytes(plan.family, plan.core.version, plan.vips.length),
        mtu: links.get(plan.interface)?.mtu ?? 1500
      })))
    }
  }

  #openChannel (loop: IoLoop, plan: InstancePlan, primary: string, multicast: boolean): VrrpChannel {
    try {
      return new VrrpChannel(loop, { interface: plan.interface, netns: this.#options.netns, family: plan.family, source: primary, multicast }, this.#log.child({ component: 'channel' }))
    } catch (err) {
      const e = err as Error & { code?: string }
      throw new EngineStartError(`vrrp_instance ${plan.name}: cannot open a VRRP socket on ${plan.interface} from ${primary}: ${e.code ?? ''} ${e.message}`.trim(), e)
    }
  }

  // ---- reload -----------------------------------------------------------------------------

  /** Stops a runtime without touching its VIPs or sending anything (it is released or replaced). */
  #retire (s: Started): void {
    s.runtime.close()
    s.announcer.close()
    this.#started.splice(this.#started.indexOf(s), 1)
  }

  /** A master's VIPs that the old plan had and the new one has not. */
  #removeDroppedVips (old: InstancePlan, next: InstancePlan, links: ReadonlyMap<string, { ifindex: number }>): void {
    const key = (v: InstancePlan['vips'][number], plan: InstancePlan): string => `${canonicalIp(v.address) ?? v.address}/${v.prefixLength}/${v.dev ?? plan.interface}`
    const kept = new Set([...next.vips, ...next.excludedVips].map((v) => key(v, next)))
    const dropped = [...old.vips, ...old.excludedVips].filter((v) => !kept.has(key(v, old)))
    const ifindexOf = (dev: string | undefined): number => links.get(dev ?? old.interface)?.ifindex ?? 0
    const usable = dropped.filter((v) => ifindexOf(v.dev) > 0)
    if (usable.length === 0) return
    for (const f of new VipSet(this.#netlink as RtNetlink, usable, ifindexOf).remove()) {
      this.#log.error({ instance: next.name, address: f.address, code: f.error.code, err: f.error.message }, 'could not remove VIP')
    }
    this.#log.info({ instance: next.name, vips: usable.map((v) => `${v.address}/${v.prefixLength}`) }, 'VIPs removed by the reload')
  }

  /**
   * A kept instance takes the new tracking: its priority, and the faults of the new tracking
   * plan. Faults the engine owns stay: its interfaces' and those of sync groups that still exist.
   */
  #retrack (s: Started, initial: InitialTracking | undefined, groupNames: ReadonlySet<string>): void {
    const wanted = new Set(initial?.faults ?? [])
    const ownedHere = (reason: string): boolean => s.links.faults.includes(reason) || [...groupNames].some((g) => reason.startsWith(`vrrp_sync_group ${g}:`))
    for (const reason of wanted) s.runtime.fault(reason)
    s.runtime.setTrackedPriority(initial?.priority ?? s.runtime.plan.core.basePriority)
    for (const reason of [...s.runtime.faults]) if (!wanted.has(reason) && !ownedHere(reason)) s.runtime.faultCleared(reason)
  }

  /** KEEPALIVED: the interface's first address (IPv4), or its link-local address (IPv6, RFC 5798 §5.1.2.1). */
  #primaryAddress (plan: InstancePlan, ifindex: number, vips: Set<string | null>): string {
    const family = plan.family === 'ipv4' ? 4 : 6
    const addresses = (this.#netlink?.listAddresses({ ifindex, family }) ?? []).filter((a) => !vips.has(canonicalIp(a.address)))
    const pick = family === 4 ? addresses[0] : addresses.find((a) => isIpv6LinkLocal(parseIpOrThrow(a.address).bytes))
    if (pick === undefined) {
      throw new EngineStartError(`vrrp_instance ${plan.name}: interface ${plan.interface} has no ${family === 4 ? 'IPv4' : 'IPv6 link-local'} address to send adverts from (or set unicast_src_ip / mcast_src_ip)`)
    }
    return pick.address
  }

  #lookup (channel: VrrpChannel, vrid: number, from?: { source: string, toGroup: boolean }): { runtime: InstanceRuntime, mine: boolean } | undefined {
    const o = channel.options
    const same = this.#started.filter((x) => x.runtime.plan.core.vrid === vrid && x.runtime.plan.interface === o.interface && x.runtime.plan.family === o.family)
    const s = from === undefined || same.length <= 1
      ? same[0]
      : pickByDestination(same.map((x) => ({ x, multicast: x.runtime.plan.unicastPeers.length === 0, hasPeer: (src: string) => x.runtime.hasPeer(src) })), from.source, from.toGroup)?.x
    return s === undefined ? undefined : { runtime: s.runtime, mine: s.channel === channel }
  }

  // ---- links and addresses ----------------------------------------------------------------

  #netlinkEvent (event: NetlinkEvent, atUs: number): void {
    if (this.#stopped) return
    if (event.type === 'address') {
      // KEEPALIVED: a tracked VIP deleted from a master's interface takes it out of MASTER
      // (man keepalived.conf, virtual_ipaddress no_track); instance-runtime.ts filters.
      if (event.action === 'del') for (const s of [...this.#started]) s.runtime.addressDeleted(event.address.ifindex, event.address.address, atUs)
      return
    }
    const up = event.action === 'new' && event.link.up && event.link.running
    if (event.action === 'del') this.#links.delete(event.link.name)
    else this.#links.set(event.link.name, up)
    for (const s of this.#started) this.#applyLinks(s)
  }

  /** Interface tracking of one instance from the current links (new faults first). */
  #applyLinks (s: Started): void {
    const next = linkTracking(s.runtime.plan, (name) => this.#links.get(name))
    const before = s.links
    s.links = next
    for (const reason of next.faults) {
      if (before.faults.includes(reason)) continue
      this.#log.warn({ instance: s.runtime.name, reason }, 'interface down')
      s.runtime.fault(reason)
    }
    s.runtime.setInterfaceAdjustment(next.adjustment)
    for (const reason of before.faults) {
      if (next.faults.includes(reason)) continue
      this.#log.info({ instance: s.runtime.name, reason }, 'interface up')
      s.runtime.faultCleared(reason)
    }
  }

  /** The kernel dropped events (ENOBUFS): re-read the links, and look for VIPs deleted meanwhile. */
  #resync (): void {
    this.#links.clear()
    for (const l of this.#netlink?.listLinks() ?? []) this.#links.set(l.name, l.up && l.running)
    for (const s of this.#started) this.#applyLinks(s)
    for (const s of [...this.#started]) s.runtime.recheckVips(monotonicUs())
  }
}

function channelKey (plan: InstancePlan, primary: string): string {
  return `${plan.interface}|${plan.family}|${primary}`
}

/**
 * Receive ring slots for `instances`: a backup hears every instance's advert each interval, and
 * until its watches are armed (start-up, takeovers) every one of them goes through the ring to
 * JavaScript. Four rounds of headroom, a power of two, 256 to 4096 (8 KiB each). Sized at start:
 * instances a reload adds share it.
 */
export function ringSlots (instances: number): number {
  let slots = 256
  while (slots < instances * 4 && slots < 4096) slots *= 2
  return slots
}

/** Every VIP of the plans: never picked as an instance's primary (source) address. */
function vipAddresses (plans: readonly InstancePlan[]): Set<string | null> {
  return new Set(plans.flatMap((p) => [...p.vips, ...p.excludedVips].map((v) => canonicalIp(v.address))))
}

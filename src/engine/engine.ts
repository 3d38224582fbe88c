// The VRRP engine: owns the native I/O loop, the rtnetlink socket, one VrrpChannel per (interface,
// family, source) and one InstanceRuntime per vrrp_instance. Start-up order: resolve interfaces,
// remove stale VIPs a crashed run left, pick each instance's primary address, open the sockets,
// start the cores. Shutdown: every instance's RFC 5798 §6.4.3 Shutdown, then close. Link events
// of an instance's own interface become FAULT (keepalived's default interface tracking); the
// daemon's track scripts arrive as setTrackedPriority / fault / faultCleared.
import { IoLoop, NetlinkMonitor, RtNetlink, monotonicUs, type NetlinkEvent } from '../native/index.js'
import { VipSet } from '../io/vip-set.js'
import { Announcer } from '../io/announcer.js'
import type { Logger } from '../io/logger.js'
import { canonicalIp, isIpv6LinkLocal, parseIpOrThrow } from '../protocol/ip-address.js'
import type { InstancePlan } from './instance-plan.js'
import { InstanceRuntime, type InstanceStatus } from './instance-runtime.js'
import type { EngineEvent } from './events.js'
import { VrrpChannel } from './vrrp-channel.js'
import { EngineStartError } from './errors.js'
import type { InitialTracking } from './worker-protocol.js'
import { linkTracking, type LinkTracking } from './link-tracking.js'
import { SyncGroups } from './sync-groups.js'
import type { SyncGroupPlan } from './sync-group-plan.js'

export interface EngineOptions {
  /** keepalived -s / floatip --namespace: every socket and address lives in this namespace. */
  netns?: string
  log: Logger
  onEvent?: (event: EngineEvent) => void
  /** SCHED_FIFO priority of the native thread (keepalived vrrp_rt_priority); 0 = normal. */
  realtimePriority?: number
  /** Per instance name: priority and faults from the daemon's first script run, set before start. */
  tracking?: Record<string, InitialTracking>
  /** keepalived vrrp_sync_group: instances that move together. */
  syncGroups?: SyncGroupPlan[]
}

export interface EngineStatus {
  instances: InstanceStatus[]
  syncGroups: ReturnType<SyncGroups['status']>
  channels: Array<{ interface: string, family: string, source: string, discards: Record<string, number>, receiveErrors: number }>
  native: ReturnType<IoLoop['stats']>
}

interface Started {
  runtime: InstanceRuntime
  channel: VrrpChannel
  announcer: Announcer
  /** What interface tracking applied last. */
  links: LinkTracking
}

export class Engine {
  readonly #plans: readonly InstancePlan[]
  readonly #options: EngineOptions
  readonly #log: Logger
  #loop: IoLoop | null = null
  #netlink: RtNetlink | null = null
  #monitor: NetlinkMonitor | null = null
  readonly #channels = new Map<string, VrrpChannel>()
  readonly #started: Started[] = []
  /** Link name → up (administratively up and running), from rtnetlink. */
  readonly #links = new Map<string, boolean>()
  #syncGroups: SyncGroups | null = null
  #stopped = false

  constructor (plans: readonly InstancePlan[], options: EngineOptions) {
    this.#plans = plans
    this.#options = options
    this.#log = options.log
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
      channels: [...this.#channels.values()].map((c) => ({ interface: c.options.interface, family: c.options.family, source: c.options.source, discards: { ...c.discards }, receiveErrors: c.receiveErrors })),
      native: this.#loop?.stats() ?? ({} as ReturnType<IoLoop['stats']>)
    }
  }

  // ---- start-up ---------------------------------------------------------------------------

  #open (): void {
    const netns = this.#options.netns
    const netlink = this.#netlink = new RtNetlink({ netns })
    const loop = this.#loop = new IoLoop({ realtimePriority: this.#options.realtimePriority, onHandlerError: (err) => this.#log.error({ err }, 'handler failed') })
    const links = new Map(netlink.listLinks().map((l) => [l.name, l]))
    for (const l of links.values()) this.#links.set(l.name, l.up && l.running)
    const ifindexOf = (name: string): number => {
      const link = links.get(name)
      if (link === undefined) throw new EngineStartError(`interface ${name} does not exist${netns === undefined ? '' : ` in namespace ${netns}`}`)
      return link.ifindex
    }
    const withVips = this.#plans.map((plan) => {
      const ifindex = ifindexOf(plan.interface)
      const vips = new VipSet(netlink, [...plan.vips, ...plan.excludedVips], (dev) => ifindexOf(dev ?? plan.interface))
      const stale = vips.present()
      if (stale.length > 0) {
        // A previous run that crashed left these; keepalived also starts from a clean interface.
        this.#log.warn({ instance: plan.name, vips: stale.map((v) => `${v.address}/${v.prefixLength}`) }, 'removing stale VIPs')
        vips.remove()
      }
      return { plan, ifindex, vips }
    })
    const allVips = new Set(this.#plans.flatMap((p) => [...p.vips, ...p.excludedVips].map((v) => canonicalIp(v.address))))
    const prepared = withVips.map((p) => ({ ...p, primary: p.plan.sourceAddress ?? this.#primaryAddress(p.plan, p.ifindex, allVips) }))
    const multicastKeys = new Set(prepared.filter((p) => p.plan.unicastPeers.length === 0).map((p) => channelKey(p.plan, p.primary)))
    for (const p of prepared) {
      const channel = this.#channel(loop, p.plan, p.primary, multicastKeys)
      const announcer = new Announcer({ interface: p.plan.interface, netns, family: p.plan.family, vips: p.plan.vips.map((v) => v.address) })
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
      const started: Started = { runtime, channel, announcer, links: { faults: [], adjustment: 0 } }
      this.#started.push(started)
      for (const t of p.plan.trackInterfaces) {
        if (!links.has(t.name)) this.#log.warn({ instance: p.plan.name, interface: t.name }, 'track_interface: no such interface (counts as down)')
      }
      this.#applyLinks(started)
    }
    this.#syncGroups = new SyncGroups(this.#options.syncGroups ?? [], (name) => this.#started.find((x) => x.runtime.name === name)?.runtime, {
      emit: (e) => this.#options.onEvent?.(e),
      log: this.#log.child({ component: 'sync-group' }),
      now: monotonicUs
    })
    for (const channel of this.#channels.values()) channel.route((vrid) => this.#lookup(channel, vrid))
    this.#monitor = new NetlinkMonitor(loop, (event) => this.#linkEvent(event), { netns, onOverflow: () => this.#resyncLinks() })
  }

  #channel (loop: IoLoop, plan: InstancePlan, primary: string, multicastKeys: Set<string>): VrrpChannel {
    const key = channelKey(plan, primary)
    let channel = this.#channels.get(key)
    if (channel === undefined) {
      try {
        channel = new VrrpChannel(loop, { interface: plan.interface, netns: this.#options.netns, family: plan.family, source: primary, multicast: multicastKeys.has(key) }, this.#log.child({ component: 'channel' }))
      } catch (err) {
        const e = err as Error & { code?: string }
        throw new EngineStartError(`vrrp_instance ${plan.name}: cannot open a VRRP socket on ${plan.interface} from ${primary}: ${e.code ?? ''} ${e.message}`.trim(), e)
      }
      this.#channels.set(key, channel)
    }
    return channel
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

  #lookup (channel: VrrpChannel, vrid: number): { runtime: InstanceRuntime, mine: boolean } | undefined {
    const o = channel.options
    const s = this.#started.find((x) => x.runtime.plan.core.vrid === vrid && x.runtime.plan.interface === o.interface && x.runtime.plan.family === o.family)
    return s === undefined ? undefined : { runtime: s.runtime, mine: s.channel === channel }
  }

  // ---- links ------------------------------------------------------------------------------

  #linkEvent (event: NetlinkEvent): void {
    if (event.type !== 'link' || this.#stopped) return
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

  #resyncLinks (): void {
    this.#links.clear()
    for (const l of this.#netlink?.listLinks() ?? []) this.#links.set(l.name, l.up && l.running)
    for (const s of this.#started) this.#applyLinks(s)
  }
}

function channelKey (plan: InstancePlan, primary: string): string {
  return `${plan.interface}|${plan.family}|${primary}`
}

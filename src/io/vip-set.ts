// The virtual addresses of one vrrp_instance on their interfaces, through rtnetlink: add them on
// becoming master, remove them on leaving, find the ones a crashed earlier run left behind, and
// tell which of them an rtnetlink address event is about.
// Idempotent (EEXIST on add and EADDRNOTAVAIL on delete are success). Owns no timing and no
// policy: the engine decides when.
import { IFA_F_NODAD, SCOPES, type RtNetlink } from '../native/index.js'
import type { VirtualIpAddress } from '../config/model.js'
import { canonicalIp } from '../protocol/ip-address.js'

export interface VipFailure {
  address: string
  error: Error & { code?: string }
}

export class VipSet {
  readonly #netlink: RtNetlink
  readonly #specs: Array<{ vip: VirtualIpAddress, ifindex: number }>

  /** `ifindexOf` resolves a VIP's `dev` (default: the instance's interface). Throws ENODEV. */
  constructor (netlink: RtNetlink, vips: readonly VirtualIpAddress[], ifindexOf: (dev: string | undefined) => number) {
    this.#netlink = netlink
    this.#specs = vips.map((vip) => ({ vip, ifindex: ifindexOf(vip.dev) }))
  }

  get size (): number { return this.#specs.length }

  add (): VipFailure[] {
    return this.#each((spec) => this.#netlink.addAddress(spec), 'EEXIST')
  }

  remove (): VipFailure[] {
    return this.#each((spec) => this.#netlink.deleteAddress(spec), 'EADDRNOTAVAIL')
  }

  /** The VIPs that are on their interface now (stale ones at start-up, or ours as master). */
  present (): VirtualIpAddress[] {
    const byIfindex = new Map<number, Set<string>>()
    for (const { ifindex } of this.#specs) {
      if (byIfindex.has(ifindex)) continue
      const here = this.#netlink.listAddresses({ ifindex }).map((a) => `${canonicalIp(a.address) ?? a.address}/${a.prefixLength}`)
      byIfindex.set(ifindex, new Set(here))
    }
    return this.#specs.filter(({ vip, ifindex }) => byIfindex.get(ifindex)?.has(`${canonicalIp(vip.address) ?? vip.address}/${vip.prefixLength}`)).map((s) => s.vip)
  }

  /** The VIP of this set that `address` on `ifindex` is (an RTM_DELADDR event's); prefix ignored, as keepalived does. */
  match (ifindex: number, address: string): VirtualIpAddress | undefined {
    const key = canonicalIp(address) ?? address
    return this.#specs.find((s) => s.ifindex === ifindex && (canonicalIp(s.vip.address) ?? s.vip.address) === key)?.vip
  }

  /** Whether `vip`'s address is on its interface now, with any prefix (one address dump). */
  isPresent (vip: VirtualIpAddress): boolean {
    const spec = this.#specs.find((s) => s.vip === vip)
    if (spec === undefined) return false
    const key = canonicalIp(vip.address) ?? vip.address
    return this.#netlink.listAddresses({ ifindex: spec.ifindex }).some((a) => (canonicalIp(a.address) ?? a.address) === key)
  }

  #each (action: (spec: Parameters<RtNetlink['addAddress']>[0]) => void, fine: string): VipFailure[] {
    const failures: VipFailure[] = []
    for (const { vip, ifindex } of this.#specs) {
      try {
        action({
          ifindex,
          address: vip.address,
          prefixLength: vip.prefixLength,
          broadcast: vip.broadcast,
          label: vip.label,
          scope: vip.scope === undefined ? undefined : SCOPES[vip.scope],
          // KEEPALIVED: IPv6 VIPs skip duplicate address detection, so they answer at once.
          flags: vip.family === 'inet6' ? IFA_F_NODAD : 0
        })
      } catch (err) {
        const error = err as Error & { code?: string }
        if (error.code !== fine) failures.push({ address: vip.address, error })
      }
    }
    return failures
  }
}

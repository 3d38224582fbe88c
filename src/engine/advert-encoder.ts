// The bytes of one instance's adverts, per destination (the multicast group, or each unicast
// peer: the VRRPv3 checksum covers the destination, RFC 5798 §5.2.8). Cached per priority, since
// a master sends the same advert until its priority changes. Pure apart from the cache. The
// native periodic sends these very bytes (steady-driver.ts), so the plan's checksum form
// (`v3_checksum_as_v2`) reaches every advert, the ones JavaScript sends and the repeated ones.
import type { InstancePlan } from './instance-plan.js'
import { encodeAdvertOrThrow } from '../protocol/vrrp-codec.js'
import { parseIpOrThrow } from '../protocol/ip-address.js'
import type { VrrpAdvert } from '../protocol/vrrp-advert.js'

export interface EncodedAdvert {
  destination: string
  bytes: Uint8Array
}

export class AdvertEncoder {
  readonly #plan: InstancePlan
  readonly #source: Uint8Array
  readonly #destinations: string[]
  readonly #cache = new Map<string, EncodedAdvert[]>()

  constructor (plan: InstancePlan, sourceAddress: string) {
    this.#plan = plan
    this.#source = parseIpOrThrow(sourceAddress).bytes
    this.#destinations = plan.unicastPeers.length > 0 ? plan.unicastPeers.map((p) => p.address) : [plan.multicastGroup]
  }

  get destinations (): readonly string[] { return this.#destinations }

  encode (priority: number, adverIntCs: number): EncodedAdvert[] {
    const key = `${priority}/${adverIntCs}`
    let encoded = this.#cache.get(key)
    if (encoded === undefined) {
      const advert = this.#advert(priority, adverIntCs)
      encoded = this.#destinations.map((destination) => ({
        destination,
        bytes: encodeAdvertOrThrow(advert, {
          family: this.#plan.family,
          sourceAddress: this.#source,
          destinationAddress: parseIpOrThrow(destination).bytes,
          checksumForm: this.#plan.checksumForm
        })
      }))
      if (this.#cache.size > 300) this.#cache.clear()
      this.#cache.set(key, encoded)
    }
    return encoded
  }

  #advert (priority: number, adverIntCs: number): VrrpAdvert {
    const p = this.#plan
    const addresses = p.vips.map((v) => v.address)
    if (p.core.version === 2) {
      // RFC 3768 §5.3.7: whole seconds; §5.3.6/§5.3.10 authentication.
      return { version: 2, vrid: p.core.vrid, priority, adverIntS: Math.round(adverIntCs / 100), authType: p.authType, authData: p.authData ?? new Uint8Array(8), addresses }
    }
    return { version: 3, vrid: p.core.vrid, priority, maxAdverIntCs: adverIntCs, addresses }
  }
}

// One VRRP raw socket (an interface, a family, a source address) shared by the instances that
// send from it. Decodes what the native thread could not absorb, counts packet-level discards
// (RFC 5798 §7.1: TTL, version, type, length, checksum) and hands valid adverts to the instance
// that owns the VRID. Never throws on input.
import { VrrpSocket, type IoLoop, type LoopPacket, type NativeSystemError } from '../native/index.js'
import { decodeAdvert } from '../protocol/vrrp-codec.js'
import { emptyDiscardCounters, type DiscardReason } from '../protocol/discard-reasons.js'
import { formatIp } from '../protocol/ip-address.js'
import { RateLimitedLog, type Logger } from '../io/logger.js'
import type { InstanceRuntime } from './instance-runtime.js'
import { rxBufferRequest, type RxBufferUser } from './rx-buffer.js'

export interface ChannelOptions {
  interface: string
  netns: string | undefined
  family: 'ipv4' | 'ipv6'
  source: string
  multicast: boolean
}

/**
 * Finds the instance for a VRID on this interface and family; `mine` says if it uses this
 * channel. `from`: the advert's source and whether it was sent to a multicast group, which
 * tell apart instances that share the VRID (vrid-routing.ts); without it, the first one.
 */
export type VridLookup = (vrid: number, from?: { source: string, toGroup: boolean }) => { runtime: InstanceRuntime, mine: boolean } | undefined

export class VrrpChannel {
  /** Receives (and holds the watches): not bound to an address, or the kernel would filter the
   * multicast group out; joined to the group when an instance multicasts. */
  readonly rx: VrrpSocket
  /** Sends from the source address (bound), for adverts and periodics. */
  readonly tx: VrrpSocket
  readonly options: ChannelOptions
  readonly discards: Record<DiscardReason, number> = { ...emptyDiscardCounters() }
  readonly #log: Logger
  readonly #limited = new RateLimitedLog()
  #lookup: VridLookup = () => undefined
  receiveErrors = 0
  /** The SO_RCVBUF value last asked for (0: the system default). */
  #rxBufferValue = 0

  constructor (loop: IoLoop, options: ChannelOptions, log: Logger) {
    this.options = options
    this.#log = log
    const family = options.family === 'ipv4' ? 4 : 6
    this.rx = new VrrpSocket({ family, interface: options.interface, netns: options.netns, multicast: options.multicast })
    try {
      this.tx = new VrrpSocket({ family, interface: options.interface, netns: options.netns, multicast: false, source: options.source, receive: false })
    } catch (err) {
      this.rx.close()
      throw err
    }
    loop.attach(this.rx, (packet) => this.#receive(packet), (error) => this.#receiveError(error))
  }

  route (lookup: VridLookup): void {
    this.#lookup = lookup
  }

  /** The receive socket's buffer as the kernel counts it (bytes). */
  get receiveBuffer (): number { return this.rx.closed ? 0 : this.rx.receiveBuffer }

  /**
   * Sizes the receive socket for the instances on it (rx-buffer.ts): what they configured, or
   * floatip's floor when nothing is. Never throws; a failure or a cap is logged.
   */
  sizeReceiveBuffer (users: readonly RxBufferUser[]): void {
    const request = rxBufferRequest(users)
    if (request === null || request.value === this.#rxBufferValue) return
    const before = this.receiveBuffer
    if (request.floorOnly && request.value * 2 <= before) return
    try {
      const budget = this.rx.setReceiveBuffer(request.value)
      this.#rxBufferValue = request.value
      const fields = { interface: this.options.interface, family: this.options.family, instances: users.length, requested: request.value, bytes: budget }
      // The kernel doubles what it is given, unless net.core.rmem_max capped it (no CAP_NET_ADMIN).
      if (budget < request.value * 2) this.#log.warn(fields, 'receive buffer capped by net.core.rmem_max (no CAP_NET_ADMIN)')
      else this.#log.debug(fields, 'receive buffer sized')
    } catch (err) {
      const e = err as Error & { code?: string }
      this.#log.warn({ interface: this.options.interface, requested: request.value, code: e.code, err: e.message }, 'could not size the receive buffer')
    }
  }

  close (): void {
    this.rx.close()
    this.tx.close()
  }

  #receive (packet: LoopPacket): void {
    const source = formatIp(packet.source) ?? '?'
    if (packet.truncated) return this.#packetDiscard(packet, 'packet-length-error', source)
    // KEEPALIVED: unicast adverts may arrive with any TTL (unicast_ttl, min_ttl/max_ttl); the
    // RFC 5798 §7.1 TTL-255 rule applies to the multicast group.
    const multicast = this.options.family === 'ipv4' ? (packet.destination[0] & 0xf0) === 0xe0 : packet.destination[0] === 0xff
    const result = decodeAdvert(packet.data, {
      family: this.options.family,
      sourceAddress: packet.source,
      destinationAddress: packet.destination,
      ttl: packet.ttl,
      requireTtl255: multicast
    })
    if (!result.ok) return this.#packetDiscard(packet, result.reason, source)
    const target = this.#lookup(result.advert.vrid, { source, toGroup: multicast })
    // RFC 5798 §7.1: "MUST verify that the VRID is configured on the receiving interface".
    if (target === undefined) return this.#discard('vrid-error', source)
    if (target.mine) target.runtime.receive(packet, result.advert, result.checksumForm)
  }

  /** KEEPALIVED counts packet errors per instance too: the VRID byte (RFC 5798 §5.1) names it. */
  #packetDiscard (packet: LoopPacket, reason: DiscardReason, source: string): void {
    const target = packet.data.length >= 2 ? this.#lookup(packet.data[1]) : undefined
    if (target?.mine === true) target.runtime.countPacketDiscard(reason)
    this.#discard(reason, source)
  }

  #discard (reason: DiscardReason, source: string): void {
    this.discards[reason]++
    this.#limited.maybe(`${reason}/${source}`, (suppressed) => {
      this.#log.warn({ reason, source, interface: this.options.interface, suppressed }, 'packet discarded')
    })
  }

  #receiveError (error: NativeSystemError): void {
    this.receiveErrors++
    this.#limited.maybe(`rx/${error.code ?? ''}`, (suppressed) => {
      this.#log.warn({ code: error.code, err: error.message, suppressed }, 'receive error')
    })
  }
}

// Gratuitous ARP (IPv4, RFC 5227 §3 / RFC 5798 §6.4.1) and unsolicited Neighbor Advertisement
// (IPv6, RFC 4861 §7.2.6) for the VIPs of one instance, sent on an AF_PACKET socket. Frames are
// built once. Sends now (one round = one message per VIP) or hands a paced burst to the native
// thread; the schedule (when, how many) is the engine's.
import { PacketSocket, interfaceInfo, type IoLoop, type PeriodicSend } from '../native/index.js'
import { buildGratuitousArp } from '../protocol/garp.js'
import { buildUnsolicitedNeighbourAdvert } from '../protocol/neighbour-advert.js'
import { parseIpOrThrow } from '../protocol/ip-address.js'

export interface AnnouncerOptions {
  interface: string
  netns: string | undefined
  family: 'ipv4' | 'ipv6'
  vips: readonly string[]
}

export class Announcer {
  readonly #socket: PacketSocket
  readonly #frames: Uint8Array[]
  readonly #paced: PeriodicSend[] = []

  constructor (options: AnnouncerOptions) {
    const mac = interfaceInfo(options.interface, options.netns).macBytes
    this.#frames = options.vips.map((vip) => {
      const bytes = parseIpOrThrow(vip).bytes
      const frame = options.family === 'ipv4'
        ? buildGratuitousArp({ vip: bytes, senderMac: mac })
        : buildUnsolicitedNeighbourAdvert({ target: bytes, senderMac: mac })
      if (frame === null) throw new TypeError(`cannot build an announcement for ${vip}`)
      return frame
    })
    this.#socket = new PacketSocket({ interface: options.interface, netns: options.netns })
  }

  /** `rounds` messages per VIP. intervalUs 0: back to back, now; else paced on the native thread. */
  announce (loop: IoLoop, rounds: number, intervalUs: number, nowUs: number): number {
    if (rounds <= 0 || this.#frames.length === 0) return 0
    if (intervalUs <= 0) {
      let sent = 0
      for (let r = 0; r < rounds; r++) {
        for (const frame of this.#frames) sent += this.#send(frame)
      }
      return sent
    }
    // KEEPALIVED vrrp_garp_interval: the gap between consecutive messages on the interface.
    this.cancel()
    const period = intervalUs * this.#frames.length
    this.#frames.forEach((frame, i) => {
      this.#paced.push(loop.startPeriodic(this.#socket, frame, { intervalUs: period, firstAtUs: nowUs + i * intervalUs, count: rounds }))
    })
    return rounds * this.#frames.length
  }

  /** Stops a paced burst (leaving MASTER). */
  cancel (): void {
    for (const p of this.#paced.splice(0)) p.stop()
  }

  close (): void {
    this.cancel()
    this.#socket.close()
  }

  #send (frame: Uint8Array): number {
    try {
      this.#socket.send(frame)
      return 1
    } catch {
      return 0 // link down: the VIP is announced again by the next round or the refresh
    }
  }
}

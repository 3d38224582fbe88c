// Gratuitous ARP (IPv4, RFC 5227 §3 / RFC 5798 §6.4.1) and unsolicited Neighbor Advertisement
// (IPv6, RFC 4861 §7.2.6) for the VIPs of one instance, sent on the interface's AF_PACKET socket.
// The socket is the engine's, shared by every instance on the interface: the kernel waits for an
// RCU grace period (synchronize_net, ~15 ms here) each time one is closed, so one per instance
// made stopping 255 instances take ~3.7 s. Frames are built once. Sends now (one round = one
// message per VIP) or hands a paced burst to the native thread; the schedule (when, how many) is
// the engine's.
import { interfaceInfo, monotonicUs, type IoLoop, type PacketSocket, type PeriodicSend } from '../native/index.js'
import { buildGratuitousArp } from '../protocol/garp.js'
import { buildUnsolicitedNeighbourAdvert } from '../protocol/neighbour-advert.js'
import { parseIpOrThrow } from '../protocol/ip-address.js'

export interface AnnouncerOptions {
  /** Bound to the instance's interface; not closed by the announcer. */
  socket: PacketSocket
  netns: string | undefined
  family: 'ipv4' | 'ipv6'
  vips: readonly string[]
}

export class Announcer {
  readonly #socket: PacketSocket
  readonly #frames: Uint8Array[]
  readonly #paced: PeriodicSend[] = []

  constructor (options: AnnouncerOptions) {
    const mac = interfaceInfo(options.socket.interfaceName, options.netns).macBytes
    this.#frames = options.vips.map((vip) => {
      const bytes = parseIpOrThrow(vip).bytes
      const frame = options.family === 'ipv4'
        ? buildGratuitousArp({ vip: bytes, senderMac: mac })
        : buildUnsolicitedNeighbourAdvert({ target: bytes, senderMac: mac })
      if (frame === null) throw new TypeError(`cannot build an announcement for ${vip}`)
      return frame
    })
    this.#socket = options.socket
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
    // The first message leaves now and the rest are paced from the moment it left, not from
    // nowUs: the input this burst answers (a timer, an advert) was read some ms earlier, and a
    // first message due at nowUs left that much less than an interval before the second (16 ms
    // of 20 on the wire, test/engine/announcements.test.ts).
    this.cancel()
    this.#send(this.#frames[0])
    const sentUs = Math.max(nowUs, monotonicUs())
    const period = intervalUs * this.#frames.length
    this.#frames.forEach((frame, i) => {
      const count = i === 0 ? rounds - 1 : rounds // 0 would mean "until stopped"
      if (count === 0) return
      const firstAtUs = sentUs + (i === 0 ? period : i * intervalUs)
      this.#paced.push(loop.startPeriodic(this.#socket, frame, { intervalUs: period, firstAtUs, count }))
    })
    return rounds * this.#frames.length
  }

  /** Stops a paced burst (leaving MASTER). */
  cancel (): void {
    for (const p of this.#paced.splice(0)) p.stop()
  }

  /** Stops its paced sends; the shared socket stays open. */
  close (): void {
    this.cancel()
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

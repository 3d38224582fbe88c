// Gratuitous ARP (IPv4, RFC 5227 §3 / RFC 5798 §6.4.1) and unsolicited Neighbor Advertisement
// (IPv6, RFC 4861 §7.2.6) for the addresses of one instance, each sent on the AF_PACKET socket of
// the interface the address is on, from that interface's MAC: KEEPALIVED 2.2.7 announces every
// virtual_ipaddress and virtual_ipaddress_excluded entry on its own `dev` (measured: "Sending
// gratuitous ARP on eth1 for 198.51.100.7" for an excluded address on eth1). The sockets are the
// engine's, shared by every instance on an interface: the kernel waits for an RCU grace period
// (synchronize_net, ~15 ms here) each time one is closed, so one per instance made stopping 255
// instances take ~3.7 s. Frames are built once. Sends now (one round = one message per address)
// or hands a paced burst to the native thread; the schedule (when, how many) is the engine's.
import { interfaceInfo, monotonicUs, type IoLoop, type PacketSocket, type PeriodicSend } from '../native/index.js'
import { buildGratuitousArp } from '../protocol/garp.js'
import { buildUnsolicitedNeighbourAdvert } from '../protocol/neighbour-advert.js'
import { parseIpOrThrow } from '../protocol/ip-address.js'

/** One address to announce, and the socket of the interface it is on (not closed here). */
export interface AnnounceTarget {
  socket: PacketSocket
  address: string
}

export interface AnnouncerOptions {
  netns: string | undefined
  /** In announcing order (keepalived: the VIPs, then the excluded addresses). */
  targets: readonly AnnounceTarget[]
}

interface Frame { socket: PacketSocket, bytes: Uint8Array }

export class Announcer {
  readonly #frames: Frame[]
  readonly #paced: PeriodicSend[] = []

  constructor (options: AnnouncerOptions) {
    const macs = new Map<string, Uint8Array>()
    const macOf = (ifname: string): Uint8Array => {
      let mac = macs.get(ifname)
      if (mac === undefined) macs.set(ifname, mac = interfaceInfo(ifname, options.netns).macBytes)
      return mac
    }
    this.#frames = options.targets.map(({ socket, address }) => {
      const bytes = parseIpOrThrow(address).bytes
      const senderMac = macOf(socket.interfaceName)
      // The address's own family: excluded addresses may mix IPv4 and IPv6 in one instance.
      const frame = bytes.length === 4
        ? buildGratuitousArp({ vip: bytes, senderMac })
        : buildUnsolicitedNeighbourAdvert({ target: bytes, senderMac })
      if (frame === null) throw new TypeError(`cannot build an announcement for ${address}`)
      return { socket, bytes: frame }
    })
  }

  /** `rounds` messages per address. intervalUs 0: back to back, now; else paced on the native thread. */
  announce (loop: IoLoop, rounds: number, intervalUs: number, nowUs: number): number {
    if (rounds <= 0 || this.#frames.length === 0) return 0
    if (intervalUs <= 0) {
      let sent = 0
      for (let r = 0; r < rounds; r++) {
        for (const frame of this.#frames) sent += this.#send(frame)
      }
      return sent
    }
    // KEEPALIVED vrrp_garp_interval: the gap between consecutive messages on the interface
    // (floatip paces the instance's whole sequence, whatever interfaces its addresses are on).
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
      this.#paced.push(loop.startPeriodic(frame.socket, frame.bytes, { intervalUs: period, firstAtUs, count }))
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

  #send (frame: Frame): number {
    try {
      frame.socket.send(frame.bytes)
      return 1
    } catch {
      return 0 // link down: the VIP is announced again by the next round or the refresh
    }
  }
}

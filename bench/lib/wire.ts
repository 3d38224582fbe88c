// What the failover benches see on the wire and in the kernel, with timestamps on CLOCK_MONOTONIC:
// every VRRP advert and every gratuitous ARP / unsolicited NA a router sends (captured on the
// router's switch port, so unicast adverts are seen too), VIP additions and removals in each
// router namespace, and link changes of the switch ports (the instant a cable is pulled). One
// native IoLoop in the bench process. Must not: send anything.
import { IoLoop, NetlinkMonitor, PacketSocket, ETH_P_ALL, type LoopPacket } from '../../src/native/index.js'
import { canonicalIp, formatIp } from '../../src/protocol/ip-address.js'
import type { Lab } from '../../src/lab/index.js'

export interface AdvertSeen { us: number, router: string, vrid: number, priority: number }
export interface AnnounceSeen { us: number, router: string, address: string }
export interface AddressEvent { us: number, router: string, address: string, added: boolean }
export interface LinkEvent { us: number, port: string, up: boolean }

const ETHERTYPE_IPV4 = 0x0800
const ETHERTYPE_IPV6 = 0x86dd
const ETHERTYPE_ARP = 0x0806
const IPPROTO_VRRP = 112
const IPPROTO_ICMPV6 = 58
const ND_NEIGHBOR_ADVERT = 136

export class Wire {
  readonly adverts: AdvertSeen[] = []
  readonly announcements: AnnounceSeen[] = []
  readonly addresses: AddressEvent[] = []
  readonly links: LinkEvent[] = []
  // SCHED_FIFO: packet-socket timestamps are the I/O thread's read time, which must stay close to
  // the arrival on a busy machine.
  readonly #loop = new IoLoop({ slots: 4096, slotSize: 512, realtimePriority: 20 })
  readonly #sockets: PacketSocket[] = []
  readonly #monitors: NetlinkMonitor[] = []

  constructor (lab: Lab, routers: readonly string[]) {
    for (const router of routers) {
      const port = lab.node(router).links[0].switchPort
      const socket = new PacketSocket({ interface: port, netns: lab.switchNs, protocol: ETH_P_ALL })
      this.#loop.attach(socket, (p) => this.#frame(router, p), () => {}) // ENETDOWN while the port is down
      this.#sockets.push(socket)
      this.#monitors.push(new NetlinkMonitor(this.#loop, (event, us) => {
        if (event.type === 'address') {
          this.addresses.push({ us, router, address: canonicalIp(event.address.address) ?? event.address.address, added: event.action === 'new' })
        }
      }, { netns: lab.node(router).ns }))
    }
    this.#monitors.push(new NetlinkMonitor(this.#loop, (event, us) => {
      if (event.type === 'link') this.links.push({ us, port: event.link.name, up: event.action === 'new' && event.link.up && event.link.running })
    }, { netns: lab.switchNs }))
  }

  /** Drops what was recorded (between cycles, to keep the searches short). */
  clear (): void {
    for (const list of [this.adverts, this.announcements, this.addresses, this.links]) list.length = 0
  }

  firstAdvert (router: string, afterUs: number, match: (a: AdvertSeen) => boolean = () => true): AdvertSeen | undefined {
    return this.adverts.find((a) => a.us > afterUs && a.router === router && match(a))
  }

  lastAdvertBefore (router: string, beforeUs: number, match: (a: AdvertSeen) => boolean = () => true): AdvertSeen | undefined {
    for (let i = this.adverts.length - 1; i >= 0; i--) {
      const a = this.adverts[i]
      if (a.us <= beforeUs && a.router === router && match(a)) return a
    }
    return undefined
  }

  firstAnnouncement (router: string, address: string, afterUs: number): AnnounceSeen | undefined {
    return this.announcements.find((a) => a.us > afterUs && a.router === router && a.address === address)
  }

  vipAdded (router: string, address: string, afterUs: number): AddressEvent | undefined {
    return this.addresses.find((a) => a.us > afterUs && a.router === router && a.address === address && a.added)
  }

  linkChange (port: string, up: boolean, afterUs: number): LinkEvent | undefined {
    return this.links.find((l) => l.us > afterUs && l.port === port && l.up === up)
  }

  close (): void {
    for (const m of this.#monitors) m.close()
    for (const s of this.#sockets) s.close()
    this.#loop.close()
  }

  #frame (router: string, p: LoopPacket): void {
    const d = p.data
    if (d.length < 34) return
    const type = d.readUInt16BE(12)
    if (type === ETHERTYPE_IPV4 && d[23] === IPPROTO_VRRP) {
      const at = 14 + (d[14] & 0x0f) * 4
      if (d.length >= at + 3) this.adverts.push({ us: p.receivedUs, router, vrid: d[at + 1], priority: d[at + 2] })
    } else if (type === ETHERTYPE_IPV6 && d.length >= 58) {
      if (d[20] === IPPROTO_VRRP) this.adverts.push({ us: p.receivedUs, router, vrid: d[55], priority: d[56] })
      else if (d[20] === IPPROTO_ICMPV6 && d[54] === ND_NEIGHBOR_ADVERT && d.length >= 78) {
        this.announcements.push({ us: p.receivedUs, router, address: formatIp(d.subarray(62, 78)) ?? '' })
      }
    } else if (type === ETHERTYPE_ARP && d.length >= 42) {
      const sender = d.subarray(28, 32)
      const target = d.subarray(38, 42)
      if (sender.equals(target)) this.announcements.push({ us: p.receivedUs, router, address: formatIp(sender) ?? '' })
    }
  }
}

// The engine's AF_PACKET sockets for gratuitous ARP / unsolicited NA, one per interface, shared
// by every instance's announcer there. Closing one costs an RCU grace period in the kernel
// (packet_release calls synchronize_net: ~15 ms measured here), so one socket per instance made
// stopping 255 instances take ~3.7 s; one per interface takes one grace period.
import { PacketSocket } from '../native/index.js'

export class PacketSockets {
  readonly #netns: string | undefined
  readonly #byInterface = new Map<string, PacketSocket>()

  constructor (netns: string | undefined) {
    this.#netns = netns
  }

  /** The interface's socket, opened on first use (throws as PacketSocket does). */
  get (ifname: string): PacketSocket {
    let socket = this.#byInterface.get(ifname)
    if (socket === undefined) {
      socket = new PacketSocket({ interface: ifname, netns: this.#netns })
      this.#byInterface.set(ifname, socket)
    }
    return socket
  }

  /** Closes the sockets of interfaces no instance uses any more (after a reload). */
  closeUnused (inUse: ReadonlySet<string>): void {
    for (const [ifname, socket] of this.#byInterface) {
      if (inUse.has(ifname)) continue
      socket.close()
      this.#byInterface.delete(ifname)
    }
  }

  closeAll (): void {
    this.closeUnused(new Set())
  }
}

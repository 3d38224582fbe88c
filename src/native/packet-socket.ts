// AF_PACKET on one interface: sends complete Ethernet frames (gratuitous ARP, unsolicited NA)
// and, with a protocol (EtherType), receives frames through an IoLoop. Also reads an interface's
// index, MAC, MTU and flags.
import { binding } from './binding.js'
import type { NativePacketSocket } from './binding.js'

export const ETH_P_ALL = 0x0003
export const ETH_P_ARP = 0x0806
export const ETH_P_IPV6 = 0x86dd

export interface PacketSocketOptions {
  interface: string
  netns?: string
  /** EtherType to receive; omit for a send-only socket. */
  protocol?: number
  /** Do not receive our own outgoing frames (default true). */
  ignoreOutgoing?: boolean
}

export class PacketSocket {
  readonly native: NativePacketSocket
  readonly interfaceName: string
  readonly ifindex: number

  constructor (options: PacketSocketOptions) {
    this.native = new binding.PacketSocket({
      ifname: options.interface,
      netns: options.netns,
      protocol: options.protocol ?? 0,
      ignoreOutgoing: options.ignoreOutgoing ?? true
    })
    this.interfaceName = options.interface
    this.ifindex = this.native.ifindex
  }

  send (frame: Uint8Array): number { return this.native.send(frame) }
  get closed (): boolean { return this.native.closed }
  close (): void { this.native.close() }
}

// <linux/if.h>
const IFF_UP = 0x1
const IFF_RUNNING = 0x40

export interface InterfaceInfo {
  index: number
  mac: string
  macBytes: Uint8Array
  mtu: number
  up: boolean
  running: boolean
}

/** Throws a Node-shaped ENODEV for an unknown interface, ENOENT for an unknown namespace. */
export function interfaceInfo (name: string, netns?: string): InterfaceInfo {
  const raw = binding.interfaceInfo(name, netns)
  return {
    index: raw.index,
    mac: [...raw.mac].map((b) => b.toString(16).padStart(2, '0')).join(':'),
    macBytes: new Uint8Array(raw.mac),
    mtu: raw.mtu,
    up: (raw.flags & IFF_UP) !== 0,
    running: (raw.flags & IFF_RUNNING) !== 0
  }
}

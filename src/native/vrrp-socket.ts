// A raw IP socket for VRRP (protocol 112) on one interface, IPv4 or IPv6: sends with TTL / hop
// limit 255, joins 224.0.0.18 / ff02::12, receives (through an IoLoop) with source, destination,
// TTL, interface and kernel timestamp. Knows nothing of the VRRP message format.
import { binding } from './binding.js'
import type { NativeVrrpSocket } from './binding.js'
import { parseIpOrThrow } from '../protocol/ip-address.js'

export interface VrrpSocketOptions {
  family: 4 | 6
  /** Interface to bind (SO_BINDTODEVICE). */
  interface: string
  /** Named network namespace (/run/netns/NAME) to open the socket in. */
  netns?: string
  /** Join the VRRP multicast group (default true; false for unicast-only instances). */
  multicast?: boolean
  /** Source address to send from (unicast_src_ip, or the interface's primary address). */
  source?: string
  /** false: send only. A filter drops what the kernel would queue (unicast adverts to `source`). */
  receive?: boolean
}

export class VrrpSocket {
  readonly native: NativeVrrpSocket
  readonly family: 4 | 6
  readonly interfaceName: string
  readonly netns: string | undefined
  readonly ifindex: number

  constructor (options: VrrpSocketOptions) {
    const source = options.source === undefined ? undefined : parseIpOrThrow(options.source)
    if (source && (source.family === 'ipv4' ? 4 : 6) !== options.family) {
      throw new TypeError(`source ${options.source} is not an IPv${options.family} address`)
    }
    this.native = new binding.VrrpSocket({
      family: options.family,
      ifname: options.interface,
      netns: options.netns,
      multicast: options.multicast ?? true,
      source: source?.bytes,
      receive: options.receive ?? true
    })
    this.family = options.family
    this.interfaceName = options.interface
    this.netns = options.netns
    this.ifindex = this.native.ifindex
  }

  /** Sends one VRRP message; destination defaults to the multicast group. Returns bytes sent. */
  send (message: Uint8Array, destination?: string): number {
    return this.native.send(message, destination === undefined ? null : parseIpOrThrow(destination).bytes)
  }

  /** The receive budget as the kernel counts it: every queued datagram costs its whole buffer. */
  get receiveBuffer (): number { return this.native.receiveBuffer }

  /**
   * SO_RCVBUF `value` (the kernel doubles it), past net.core.rmem_max with CAP_NET_ADMIN
   * (SO_RCVBUFFORCE), else capped by it. Returns the new `receiveBuffer`.
   */
  setReceiveBuffer (value: number): number { return this.native.setReceiveBuffer(value) }

  get closed (): boolean { return this.native.closed }

  /** Idempotent; detaches the socket from its loop first. */
  close (): void { this.native.close() }
}

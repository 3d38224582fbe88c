// How big a VRRP socket's receive buffer is: each instance on the socket adds its share, and the
// sum is asked of the kernel (SO_RCVBUF, which the kernel doubles for its own bookkeeping). Pure.
//
// KEEPALIVED: `kernel_rx_buf_size` (instance), else global_defs `vrrp_rx_bufs_policy` NUMBER,
// ADVERT (advert length x vrrp_rx_bufs_multiplier) or MTU (interface MTU x multiplier); with none
// of them keepalived leaves the system default. floatip then sizes for its own bursts instead:
// a master sends every instance's advert in one batch (advert-phase.ts), so a backup must queue
// whole rounds while its I/O thread waits for a CPU. Left at the default 212,992 bytes, a backup
// of 255 instances at 10 ms dropped adverts under load: 212,992 bytes hold 256 of them.
import type { RxBufsPolicy } from '../config/keywords/global-defs.js'
import { vrrpMessageLength } from '../protocol/vrrp-codec.js'

/** One instance's share of its socket's buffer, as planned from the config. */
export type RxBufferShare =
  | { kind: 'bytes', bytes: number }
  | { kind: 'advert', multiplier: number }
  | { kind: 'mtu', multiplier: number }
  /** Nothing configured: room for FLOATIP_ROUNDS adverts, at the kernel's cost per datagram. */
  | { kind: 'floatip' }

/** Rounds of adverts a backup can hold per instance before the kernel drops one. */
export const FLOATIP_ROUNDS = 4
/**
 * What the kernel charges a queued advert (skb truesize: the buffer plus its bookkeeping), as a
 * SO_RCVBUF value, which the kernel doubles: 1024 stands for 2 KiB. A small advert cost 832 bytes
 * over veth (test/native/receive-buffer.test.ts prints it); NIC drivers that hand up whole pages
 * cost more, hence the margin.
 */
export const ADVERT_COST_VALUE = 1024

export function rxBufferShare (kernelRxBufSize: number | undefined, policy: RxBufsPolicy | undefined, multiplier: number): RxBufferShare {
  if (kernelRxBufSize !== undefined && kernelRxBufSize > 0) return { kind: 'bytes', bytes: kernelRxBufSize }
  if (policy?.size !== undefined) return { kind: 'bytes', bytes: policy.size }
  if (policy?.advert === true) return { kind: 'advert', multiplier }
  if (policy?.mtu === true) return { kind: 'mtu', multiplier }
  return { kind: 'floatip' }
}

/** An instance on the socket: its share, and what the share may be measured in. */
export interface RxBufferUser {
  share: RxBufferShare
  /** The advert as received: IP header and VRRP message (RFC 5798 §5.1, RFC 3768 §5.1). */
  advertBytes: number
  mtu: number
}

export interface RxBufferRequest {
  /** The SO_RCVBUF value to ask for. */
  value: number
  /** true: only when it makes the buffer bigger (nothing configured, floatip's floor). */
  floorOnly: boolean
}

/** The request for one socket, or null when it has no users. */
export function rxBufferRequest (users: readonly RxBufferUser[]): RxBufferRequest | null {
  if (users.length === 0) return null
  let value = 0
  for (const u of users) value += shareValue(u)
  return { value: Math.min(value, 2 ** 30), floorOnly: users.every((u) => u.share.kind === 'floatip') }
}

function shareValue (u: RxBufferUser): number {
  switch (u.share.kind) {
    case 'bytes': return u.share.bytes
    case 'advert': return u.share.multiplier * u.advertBytes
    case 'mtu': return u.share.multiplier * u.mtu
    case 'floatip': return FLOATIP_ROUNDS * ADVERT_COST_VALUE
  }
}

/** The length on the wire (without link header): the IP header and the VRRP message. */
export function advertWireBytes (family: 'ipv4' | 'ipv6', version: 2 | 3, addresses: number): number {
  return (family === 'ipv4' ? 20 : 40) + vrrpMessageLength(version, family, addresses)
}

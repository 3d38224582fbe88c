// The Ethernet II header of the frames floatip writes to an AF_PACKET socket. Pure; no I/O.

import { MAC_ADDRESS_BYTES } from './mac-address.js';

export const ETHERNET_HEADER_BYTES = 14;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;

/** Writes destination, source and EtherType at the start of `frame`. */
export function writeEthernetHeader(
  frame: Uint8Array,
  destination: Uint8Array,
  source: Uint8Array,
  etherType: number,
): void {
  frame.set(destination.subarray(0, MAC_ADDRESS_BYTES), 0);
  frame.set(source.subarray(0, MAC_ADDRESS_BYTES), MAC_ADDRESS_BYTES);
  new DataView(frame.buffer, frame.byteOffset).setUint16(2 * MAC_ADDRESS_BYTES, etherType);
}

// Gratuitous ARP frames announcing an IPv4 VIP (RFC 5798 §6.4.1 / RFC 3768 §6.4.1: "broadcast a
// gratuitous ARP request containing the virtual router MAC address for each IP address").
// Builds bytes only: which MAC to use, when and how often to send are the caller's decisions.

import { ETHERNET_HEADER_BYTES, ETHERTYPE_ARP, ETHERTYPE_IPV4, writeEthernetHeader } from './ethernet.js';
import { IPV4_ADDRESS_BYTES } from './ip-address.js';
import { BROADCAST_MAC, MAC_ADDRESS_BYTES } from './mac-address.js';

// RFC 826 packet layout for Ethernet/IPv4.
export const ARP_HARDWARE_ETHERNET = 1;
export const ARP_OPCODE_REQUEST = 1;
export const ARP_OPCODE_REPLY = 2;
export const ARP_PACKET_BYTES = 28;
/** 42 bytes: the link layer pads to the 60-byte minimum, as it does for keepalived's frames. */
export const GARP_FRAME_BYTES = ETHERNET_HEADER_BYTES + ARP_PACKET_BYTES;

export interface GratuitousArpOptions {
  /** The VIP, 4 bytes network order: both the sender and the target protocol address. */
  readonly vip: Uint8Array;
  /** Ethernet source and ARP sender hardware address: the interface MAC, or virtualMac() for use_vmac. */
  readonly senderMac: Uint8Array;
  /** Default 'request', as keepalived sends (captured from keepalived 2.2.7). */
  readonly opcode?: 'request' | 'reply';
}

/** A complete Ethernet frame (42 bytes), or null when the VIP or MAC has the wrong length. */
export function buildGratuitousArp(options: GratuitousArpOptions): Uint8Array | null {
  const { vip, senderMac } = options;
  if (vip.length !== IPV4_ADDRESS_BYTES || senderMac.length !== MAC_ADDRESS_BYTES) return null;
  const frame = new Uint8Array(GARP_FRAME_BYTES);
  writeEthernetHeader(frame, BROADCAST_MAC, senderMac, ETHERTYPE_ARP);
  const arp = new DataView(frame.buffer, ETHERNET_HEADER_BYTES);
  arp.setUint16(0, ARP_HARDWARE_ETHERNET);
  arp.setUint16(2, ETHERTYPE_IPV4);
  arp.setUint8(4, MAC_ADDRESS_BYTES);
  arp.setUint8(5, IPV4_ADDRESS_BYTES);
  arp.setUint16(6, options.opcode === 'reply' ? ARP_OPCODE_REPLY : ARP_OPCODE_REQUEST);
  const at = ETHERNET_HEADER_BYTES + 8;
  frame.set(senderMac, at); // sender hardware address
  frame.set(vip, at + 6); // sender protocol address
  // KEEPALIVED: the target hardware address is ff:ff:ff:ff:ff:ff (seen on the wire from 2.2.7);
  // RFC 5227 §3 would leave it zero, and receivers ignore it either way.
  frame.set(BROADCAST_MAC, at + 10);
  frame.set(vip, at + 16); // target protocol address = sender's: that makes it gratuitous
  return frame;
}

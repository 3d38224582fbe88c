// Unsolicited Neighbor Advertisement frames announcing an IPv6 VIP (RFC 4861 §7.2.6), complete
// Ethernet frames for an AF_PACKET socket. Builds bytes only: when and how often to send, and
// which MAC to announce, are the caller's decisions.

import { internetChecksum, ipv6PseudoHeader } from './checksum.js';
import { ETHERNET_HEADER_BYTES, ETHERTYPE_IPV6, writeEthernetHeader } from './ethernet.js';
import { IPV6_ADDRESS_BYTES } from './ip-address.js';
import { ipv6MulticastMac, MAC_ADDRESS_BYTES } from './mac-address.js';

export const IPV6_HEADER_BYTES = 40;
export const IP_PROTOCOL_ICMPV6 = 58;
// RFC 4861 §4.4: Neighbor Advertisement is ICMPv6 type 136, code 0.
export const ICMPV6_TYPE_NEIGHBOR_ADVERTISEMENT = 136;
export const NA_FLAG_ROUTER = 0x80;
export const NA_FLAG_SOLICITED = 0x40;
export const NA_FLAG_OVERRIDE = 0x20;
// RFC 4861 §4.6.1: option type 2 is the Target Link-Layer Address, length 1 (8 bytes) on Ethernet.
export const ND_OPTION_TARGET_LINK_LAYER_ADDRESS = 2;
export const NA_MESSAGE_BYTES = 24 + 8;
export const NA_FRAME_BYTES = ETHERNET_HEADER_BYTES + IPV6_HEADER_BYTES + NA_MESSAGE_BYTES;
// RFC 4861 §7.2.6: "the destination address SHOULD be the all-nodes multicast address".
export const ALL_NODES_IPV6: Uint8Array = Uint8Array.of(0xff, 0x02, ...new Array<number>(13).fill(0), 0x01);
// RFC 4861 §7.1.2: receivers drop an NA unless "The IP Hop Limit field has a value of 255".
const ND_HOP_LIMIT = 255;

export interface NeighbourAdvertOptions {
  /** The VIP being announced (Target Address), 16 bytes. */
  readonly target: Uint8Array;
  /** Ethernet source and Target Link-Layer Address: interface MAC, or virtualMac() for use_vmac. */
  readonly senderMac: Uint8Array;
  /** IPv6 source; default the target itself, as keepalived 2.2.7 sends (captured). */
  readonly sourceAddress?: Uint8Array;
  /** Default ff02::1 (all nodes). */
  readonly destinationAddress?: Uint8Array;
  /**
   * The Router flag. RFC 5798 §6.4.1 asks for an NA "with the Router Flag (R) set" since a VRRP
   * virtual router is a router. Default false.
   * DEVIATION(RFC 5798 §6.4.1): keepalived sends only the Override flag (seen on the wire from
   * 2.2.7), and its VIPs are usually service addresses of hosts, not default gateways; a caller
   * acting as a router sets this.
   */
  readonly router?: boolean;
}

/** A complete Ethernet frame (86 bytes), or null when an address or the MAC has the wrong length. */
export function buildUnsolicitedNeighbourAdvert(options: NeighbourAdvertOptions): Uint8Array | null {
  const source = options.sourceAddress ?? options.target;
  const destination = options.destinationAddress ?? ALL_NODES_IPV6;
  const sizes = [options.target, source, destination].every((a) => a.length === IPV6_ADDRESS_BYTES);
  if (!sizes || options.senderMac.length !== MAC_ADDRESS_BYTES) return null;
  const frame = new Uint8Array(NA_FRAME_BYTES);
  writeEthernetHeader(frame, ipv6MulticastMac(destination), options.senderMac, ETHERTYPE_IPV6);
  writeIpv6Header(frame.subarray(ETHERNET_HEADER_BYTES), source, destination);
  const message = frame.subarray(ETHERNET_HEADER_BYTES + IPV6_HEADER_BYTES);
  writeNeighbourAdvert(message, options);
  const pseudo = ipv6PseudoHeader(source, destination, IP_PROTOCOL_ICMPV6, NA_MESSAGE_BYTES);
  new DataView(message.buffer, message.byteOffset).setUint16(2, internetChecksum(pseudo, message));
  return frame;
}

function writeIpv6Header(header: Uint8Array, source: Uint8Array, destination: Uint8Array): void {
  const view = new DataView(header.buffer, header.byteOffset);
  view.setUint32(0, 6 << 28); // version 6, traffic class 0, flow label 0
  view.setUint16(4, NA_MESSAGE_BYTES);
  header[6] = IP_PROTOCOL_ICMPV6;
  header[7] = ND_HOP_LIMIT;
  header.set(source, 8);
  header.set(destination, 24);
}

// RFC 4861 §7.2.6: unsolicited NAs have "the Solicited flag ... zero" and may set Override;
// RFC 5798 §6.4.1 asks for "Override flag (O) set".
function writeNeighbourAdvert(message: Uint8Array, options: NeighbourAdvertOptions): void {
  message[0] = ICMPV6_TYPE_NEIGHBOR_ADVERTISEMENT;
  message[1] = 0;
  message[4] = NA_FLAG_OVERRIDE | (options.router === true ? NA_FLAG_ROUTER : 0);
  message.set(options.target, 8);
  message[24] = ND_OPTION_TARGET_LINK_LAYER_ADDRESS;
  message[25] = 1;
  message.set(options.senderMac, 26);
}

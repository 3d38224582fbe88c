// The Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers that VRRPv3 and ICMPv6 sum
// with their messages. Pure arithmetic over Uint8Array: no Buffer, no I/O.

export const IPV4_PSEUDO_HEADER_BYTES = 12;
export const IPV6_PSEUDO_HEADER_BYTES = 40;

/**
 * RFC 1071 §4.1: the 16-bit one's complement of the one's complement sum of the parts, read as
 * one byte string (an odd-length part shifts the pairing of the next part, as concatenation
 * would). A packet whose checksum field is correct sums, with that field included, to 0.
 */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = false;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      sum += odd ? part[i] : part[i] << 8;
      odd = !odd;
    }
    // RFC 1071 §4.1: "fold 32-bit sum to 16 bits"; folding early keeps the sum a small integer.
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * The IPv4 pseudo-header as TCP/UDP define it (RFC 793 §3.1): source, destination, a zero byte,
 * the protocol and the upper-layer length. VRRPv3 over IPv4 sums it in keepalived's default form.
 */
export function ipv4PseudoHeader(
  source: Uint8Array,
  destination: Uint8Array,
  protocol: number,
  upperLayerLength: number,
): Uint8Array {
  const header = new Uint8Array(IPV4_PSEUDO_HEADER_BYTES);
  header.set(source.subarray(0, 4), 0);
  header.set(destination.subarray(0, 4), 4);
  header[9] = protocol;
  new DataView(header.buffer).setUint16(10, upperLayerLength);
  return header;
}

/**
 * RFC 8200 §8.1: source, destination, a 32-bit upper-layer packet length, three zero bytes and the
 * next header value.
 */
export function ipv6PseudoHeader(
  source: Uint8Array,
  destination: Uint8Array,
  nextHeader: number,
  upperLayerLength: number,
): Uint8Array {
  const header = new Uint8Array(IPV6_PSEUDO_HEADER_BYTES);
  header.set(source.subarray(0, 16), 0);
  header.set(destination.subarray(0, 16), 16);
  new DataView(header.buffer).setUint32(32, upperLayerLength);
  header[39] = nextHeader;
  return header;
}

/** The pseudo-header of the family the addresses belong to (4 bytes: IPv4, else IPv6). */
export function pseudoHeaderFor(
  source: Uint8Array,
  destination: Uint8Array,
  protocol: number,
  upperLayerLength: number,
): Uint8Array {
  return source.length === 4
    ? ipv4PseudoHeader(source, destination, protocol, upperLayerLength)
    : ipv6PseudoHeader(source, destination, protocol, upperLayerLength);
}

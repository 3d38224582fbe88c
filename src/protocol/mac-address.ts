// Ethernet MAC addresses: text <-> 6 bytes and the VRRP virtual router MAC. Pure; never throws.

import type { IpFamily } from './ip-address.js';

export const MAC_ADDRESS_BYTES = 6;
export const BROADCAST_MAC: Uint8Array = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

// RFC 9568 §7.3: IPv4 "00-00-5E-00-01-{VRID}", IPv6 "00-00-5E-00-02-{VRID}".
const VIRTUAL_MAC_PREFIX = [0x00, 0x00, 0x5e, 0x00] as const;
const VIRTUAL_MAC_FAMILY_OCTET: Readonly<Record<IpFamily, number>> = { ipv4: 0x01, ipv6: 0x02 };

/** The virtual router MAC of a VRID (1-255); null for a VRID outside that range. */
export function virtualMac(vrid: number, family: IpFamily): Uint8Array | null {
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) return null;
  return Uint8Array.of(...VIRTUAL_MAC_PREFIX, VIRTUAL_MAC_FAMILY_OCTET[family], vrid);
}

/** "aa:bb:cc:dd:ee:ff" or "aa-bb-cc-dd-ee-ff", case-insensitive; null when not a MAC. */
export function parseMac(text: string): Uint8Array | null {
  const parts = text.split(/[:-]/);
  if (parts.length !== MAC_ADDRESS_BYTES || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return null;
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** Lower-case, colon-separated (as `ip link` prints it). */
export function formatMac(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, MAC_ADDRESS_BYTES), (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** RFC 2464 §7: an IPv6 multicast address maps to 33-33 and its low 32 bits. */
export function ipv6MulticastMac(group: Uint8Array): Uint8Array {
  return Uint8Array.of(0x33, 0x33, group[12], group[13], group[14], group[15]);
}

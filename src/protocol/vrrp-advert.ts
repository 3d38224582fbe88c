// The typed VRRP advertisement and the context the codec needs from the IP layer. Types only,
// plus the small helper that turns keepalived's `auth_pass` into the 8 Authentication Data bytes.

import type { IpFamily } from './ip-address.js';
import { VRRP_V2_AUTH_DATA_BYTES } from './vrrp-constants.js';

/** VRRPv2 (RFC 3768 §5.3) over IPv4. */
export interface VrrpV2Advert {
  readonly version: 2;
  readonly vrid: number;
  readonly priority: number;
  /** RFC 3768 §5.3.7 Advertisement Interval, whole seconds (8 bits). */
  readonly adverIntS: number;
  /** RFC 3768 §5.3.6 Auth Type (see VRRP_AUTH_TYPE_*). */
  readonly authType: number;
  /** RFC 3768 §5.3.10 Authentication Data, 8 bytes (keepalived's `auth_pass`, zero padded). */
  readonly authData: Uint8Array;
  /** Canonical address texts (RFC 5952 for IPv6), in packet order. */
  readonly addresses: readonly string[];
}

/** VRRPv3 (RFC 9568 §5.2) over IPv4 or IPv6. */
export interface VrrpV3Advert {
  readonly version: 3;
  readonly vrid: number;
  readonly priority: number;
  /** RFC 9568 §5.2.7 Max Advertise Interval, 12-bit centiseconds. */
  readonly maxAdverIntCs: number;
  readonly addresses: readonly string[];
}

export type VrrpAdvert = VrrpV2Advert | VrrpV3Advert;

/** What the decoder adds: the wire's Count IPvX Addr (always addresses.length) and checksum. */
export type DecodedVrrpAdvert = VrrpAdvert & {
  readonly countIpAddrs: number;
  readonly checksum: number;
};

/**
 * How a VRRPv3 IPv4 checksum is computed. 'pseudo-header': RFC 5798 §5.2.8 read literally, over
 * an IPv4 pseudo-header and the message (keepalived's default). 'v2-style': the message alone,
 * as VRRPv2 and RFC 9568 §5.2.8 (keepalived's `v3_checksum_as_v2`). IPv6 always uses the
 * pseudo-header; VRRPv2 is always 'v2-style'.
 */
export type ChecksumForm = 'pseudo-header' | 'v2-style';

export interface VrrpPacketAddresses {
  readonly family: IpFamily;
  /** IP source address of the packet, network order (4 or 16 bytes). */
  readonly sourceAddress: Uint8Array;
  /** IP destination address (the multicast group or the unicast peer), network order. */
  readonly destinationAddress: Uint8Array;
}

export interface EncodeContext extends VrrpPacketAddresses {
  /** VRRPv3 over IPv4 only; default 'pseudo-header' (keepalived's default). */
  readonly checksumForm?: ChecksumForm;
}

export interface DecodeContext extends VrrpPacketAddresses {
  /** The received IPv4 TTL or IPv6 Hop Limit. */
  readonly ttl: number;
  /**
   * Default true. KEEPALIVED: unicast peers may be configured with `unicast_ttl` and checked with
   * `min_ttl`/`max_ttl` instead, so the caller turns the TTL-255 rule off for unicast.
   */
  readonly requireTtl255?: boolean;
  /** VRRPv3 over IPv4: accept only this form. Default: accept both, pseudo-header first. */
  readonly acceptChecksumForms?: readonly ChecksumForm[];
}

/**
 * KEEPALIVED: `auth_pass` — "Only the first eight (8) characters are used" (keepalived.conf(5));
 * the bytes of the configured text, zero padded to 8. Text is taken as UTF-8.
 */
export function authDataFromPassword(password: string): Uint8Array {
  const data = new Uint8Array(VRRP_V2_AUTH_DATA_BYTES);
  const bytes = utf8Bytes(password);
  data.set(bytes.subarray(0, VRRP_V2_AUTH_DATA_BYTES));
  return data;
}

function utf8Bytes(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

// VRRP advertisement codec: VRRPv2 (RFC 3768) over IPv4, VRRPv3 (RFC 5798, RFC 9568) over IPv4
// and IPv6. Bytes are the VRRP message only (after the IP header); the IP header's addresses and
// TTL come in the context. Owns the packet-level receive rules of §7.1 (TTL, version, type,
// length, checksum). Must not judge VRID, authentication, interval or addresses against a
// configuration (receive-checks.ts) nor priority (the state machine). decodeAdvert never throws.

import { pseudoHeaderFor, internetChecksum } from './checksum.js';
import type { PacketDiscardReason } from './discard-reasons.js';
import { formatIp, IPV4_ADDRESS_BYTES, IPV6_ADDRESS_BYTES, parseIp, type IpFamily } from './ip-address.js';
import type {
  ChecksumForm,
  DecodeContext,
  DecodedVrrpAdvert,
  EncodeContext,
  VrrpAdvert,
} from './vrrp-advert.js';
import * as W from './vrrp-constants.js';

export type DecodeResult =
  | { readonly ok: true; readonly advert: DecodedVrrpAdvert; readonly checksumForm: ChecksumForm }
  | { readonly ok: false; readonly reason: PacketDiscardReason };

export type EncodeResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly error: string };

export class VrrpEncodeError extends Error {
  readonly code = 'ERR_FLOATIP_VRRP_ENCODE';
  constructor(message: string) {
    super(message);
    this.name = 'VrrpEncodeError';
  }
}

const addressBytesOf = (family: IpFamily): number =>
  family === 'ipv4' ? IPV4_ADDRESS_BYTES : IPV6_ADDRESS_BYTES;

/** The VRRP message length for a version, family and address count. */
export function vrrpMessageLength(version: 2 | 3, family: IpFamily, countIpAddrs: number): number {
  const auth = version === 2 ? W.VRRP_V2_AUTH_DATA_BYTES : 0;
  return W.VRRP_HEADER_BYTES + countIpAddrs * addressBytesOf(family) + auth;
}

const discard = (reason: PacketDiscardReason): DecodeResult => ({ ok: false, reason });

export function decodeAdvert(bytes: Uint8Array, ctx: DecodeContext): DecodeResult {
  // RFC 5798 §7.1: "MUST verify that the IPvX TTL/Hop Limit is 255."
  if ((ctx.requireTtl255 ?? true) && ctx.ttl !== W.VRRP_TTL) return discard('ip-ttl-error');
  if (bytes.length < 1) return discard('packet-length-error');
  const version = bytes[W.VRRP_OFFSET_VERSION_TYPE] >> 4;
  // RFC 5798 §7.1: "MUST verify the VRRP version is 3." The codec also speaks RFC 3768's
  // version 2, which exists for IPv4 only (RFC 3768 §1); the instance picks one (receive-checks).
  if (version !== W.VRRP_VERSION_3 && !(version === W.VRRP_VERSION_2 && ctx.family === 'ipv4')) {
    return discard('version-error');
  }
  // RFC 5798 §5.2.2: "A packet with unknown type MUST be discarded."
  if ((bytes[W.VRRP_OFFSET_VERSION_TYPE] & 0x0f) !== W.VRRP_TYPE_ADVERTISEMENT) return discard('invalid-type');
  // RFC 5798 §7.1: "MUST verify that the received packet contains the complete VRRP packet
  // (including fixed fields, and IPvX address(es))."
  if (bytes.length < W.VRRP_HEADER_BYTES) return discard('packet-length-error');
  const countIpAddrs = bytes[W.VRRP_OFFSET_COUNT_IP_ADDRS];
  // KEEPALIVED: the length must match the count exactly; trailing bytes are a length error too.
  if (bytes.length !== vrrpMessageLength(version, ctx.family, countIpAddrs)) return discard('packet-length-error');
  const checksumForm = verifyChecksum(bytes, version, ctx);
  // RFC 5798 §7.1: "MUST verify the VRRP checksum."
  if (checksumForm === null) return discard('checksum-error');
  return { ok: true, advert: readAdvert(bytes, version, ctx.family, countIpAddrs), checksumForm };
}

function verifyChecksum(bytes: Uint8Array, version: number, ctx: DecodeContext): ChecksumForm | null {
  // RFC 3768 §5.3.8: "the 16-bit one's complement of the one's complement sum of the entire VRRP message"
  if (version === W.VRRP_VERSION_2) return internetChecksum(bytes) === 0 ? 'v2-style' : null;
  if (ctx.family === 'ipv6') return sumsWithPseudoHeader(bytes, ctx) ? 'pseudo-header' : null;
  const forms = ctx.acceptChecksumForms ?? (['pseudo-header', 'v2-style'] as const);
  for (const form of forms) {
    const good = form === 'pseudo-header' ? sumsWithPseudoHeader(bytes, ctx) : internetChecksum(bytes) === 0;
    if (good) return form;
  }
  return null;
}

function sumsWithPseudoHeader(bytes: Uint8Array, ctx: DecodeContext): boolean {
  const pseudo = pseudoHeaderFor(ctx.sourceAddress, ctx.destinationAddress, W.IP_PROTOCOL_VRRP, bytes.length);
  return internetChecksum(pseudo, bytes) === 0;
}

function readAdvert(bytes: Uint8Array, version: number, family: IpFamily, count: number): DecodedVrrpAdvert {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const common = {
    vrid: bytes[W.VRRP_OFFSET_VRID],
    priority: bytes[W.VRRP_OFFSET_PRIORITY],
    countIpAddrs: count,
    checksum: view.getUint16(W.VRRP_OFFSET_CHECKSUM),
    addresses: readAddresses(bytes, family, count),
  };
  if (version === W.VRRP_VERSION_2) {
    const authStart = W.VRRP_OFFSET_ADDRESSES + count * IPV4_ADDRESS_BYTES;
    return {
      version: 2,
      ...common,
      authType: bytes[W.VRRP_V2_OFFSET_AUTH_TYPE],
      adverIntS: bytes[W.VRRP_V2_OFFSET_ADVER_INT],
      authData: bytes.slice(authStart, authStart + W.VRRP_V2_AUTH_DATA_BYTES),
    };
  }
  // RFC 5798 §5.2.7: "rsvd: This field MUST be set to zero on transmission and ignored on reception."
  const maxAdverIntCs = view.getUint16(W.VRRP_V3_OFFSET_MAX_ADVER_INT) & W.VRRP_V3_MAX_ADVER_INT_MASK;
  return { version: 3, ...common, maxAdverIntCs };
}

function readAddresses(bytes: Uint8Array, family: IpFamily, count: number): string[] {
  const size = addressBytesOf(family);
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    const start = W.VRRP_OFFSET_ADDRESSES + i * size;
    addresses.push(formatIp(bytes.subarray(start, start + size)) ?? '');
  }
  return addresses;
}

/** Why an advert cannot be encoded in a context, or null when it can. */
export function validateAdvert(advert: VrrpAdvert, ctx: EncodeContext): string | null {
  const addressBytes = addressBytesOf(ctx.family);
  if (ctx.sourceAddress.length !== addressBytes || ctx.destinationAddress.length !== addressBytes) {
    return `source and destination must be ${ctx.family} addresses`;
  }
  if (!isIntIn(advert.vrid, W.VRRP_VRID_MIN, W.VRRP_VRID_MAX)) return 'vrid must be 1-255';
  if (!isIntIn(advert.priority, 0, W.VRRP_PRIORITY_MAX)) return 'priority must be 0-255';
  if (advert.addresses.length > W.VRRP_COUNT_IP_ADDRS_MAX) return 'at most 255 addresses';
  const badAddress = advert.addresses.find((text) => {
    const parsed = parseIp(text);
    return !parsed.ok || parsed.family !== ctx.family;
  });
  if (badAddress !== undefined) return `${JSON.stringify(badAddress)} is not an ${ctx.family} address`;
  return advert.version === 2 ? validateV2(advert, ctx.family) : validateV3(advert);
}

function validateV2(advert: Extract<VrrpAdvert, { version: 2 }>, family: IpFamily): string | null {
  if (family !== 'ipv4') return 'VRRPv2 is defined for IPv4 only (RFC 3768)';
  if (!isIntIn(advert.adverIntS, 1, W.VRRP_V2_ADVER_INT_S_MAX)) return 'adverIntS must be 1-255';
  if (advert.authType === W.VRRP_AUTH_TYPE_IP_AUTH_HEADER) return 'auth type AH is not supported';
  if (advert.authType !== W.VRRP_AUTH_TYPE_NONE && advert.authType !== W.VRRP_AUTH_TYPE_SIMPLE_TEXT_PASSWORD) {
    return 'auth type must be 0 (none) or 1 (PASS)';
  }
  if (advert.authData.length > W.VRRP_V2_AUTH_DATA_BYTES) return 'authData is at most 8 bytes';
  return null;
}

function validateV3(advert: Extract<VrrpAdvert, { version: 3 }>): string | null {
  if (!isIntIn(advert.maxAdverIntCs, 1, W.VRRP_V3_MAX_ADVER_INT_CS_MAX)) return 'maxAdverIntCs must be 1-4095';
  return null;
}

const isIntIn = (n: number, min: number, max: number): boolean => Number.isInteger(n) && n >= min && n <= max;

export function encodeAdvert(advert: VrrpAdvert, ctx: EncodeContext): EncodeResult {
  const error = validateAdvert(advert, ctx);
  if (error !== null) return { ok: false, error };
  const bytes = new Uint8Array(vrrpMessageLength(advert.version, ctx.family, advert.addresses.length));
  writeHeader(bytes, advert);
  writeAddresses(bytes, advert.addresses);
  if (advert.version === 2 && advert.authType === W.VRRP_AUTH_TYPE_SIMPLE_TEXT_PASSWORD) {
    bytes.set(advert.authData, W.VRRP_OFFSET_ADDRESSES + advert.addresses.length * IPV4_ADDRESS_BYTES);
  }
  const checksum = computeChecksum(bytes, advert.version, ctx);
  new DataView(bytes.buffer).setUint16(W.VRRP_OFFSET_CHECKSUM, checksum);
  return { ok: true, bytes };
}

export function encodeAdvertOrThrow(advert: VrrpAdvert, ctx: EncodeContext): Uint8Array {
  const result = encodeAdvert(advert, ctx);
  if (!result.ok) throw new VrrpEncodeError(result.error);
  return result.bytes;
}

function writeHeader(bytes: Uint8Array, advert: VrrpAdvert): void {
  const view = new DataView(bytes.buffer);
  bytes[W.VRRP_OFFSET_VERSION_TYPE] = (advert.version << 4) | W.VRRP_TYPE_ADVERTISEMENT;
  bytes[W.VRRP_OFFSET_VRID] = advert.vrid;
  bytes[W.VRRP_OFFSET_PRIORITY] = advert.priority;
  bytes[W.VRRP_OFFSET_COUNT_IP_ADDRS] = advert.addresses.length;
  if (advert.version === 2) {
    bytes[W.VRRP_V2_OFFSET_AUTH_TYPE] = advert.authType;
    bytes[W.VRRP_V2_OFFSET_ADVER_INT] = advert.adverIntS;
  } else {
    // RFC 5798 §5.2.7: rsvd "MUST be set to zero on transmission".
    view.setUint16(W.VRRP_V3_OFFSET_MAX_ADVER_INT, advert.maxAdverIntCs & W.VRRP_V3_MAX_ADVER_INT_MASK);
  }
}

function writeAddresses(bytes: Uint8Array, addresses: readonly string[]): void {
  let offset = W.VRRP_OFFSET_ADDRESSES;
  for (const text of addresses) {
    const parsed = parseIp(text);
    if (!parsed.ok) continue; // validateAdvert has ruled this out
    bytes.set(parsed.bytes, offset);
    offset += parsed.bytes.length;
  }
}

function computeChecksum(bytes: Uint8Array, version: 2 | 3, ctx: EncodeContext): number {
  if (version === 2) return internetChecksum(bytes);
  // RFC 9568 §5.2.8: "For the IPv4 address family, the checksum calculation only includes the
  // VRRP message"; for IPv6 it "also includes a prepended 'pseudo-header'".
  // DEVIATION(RFC 9568 §5.2.8): by default we still sum an IPv4 pseudo-header, as RFC 5798
  // §5.2.8 was read by keepalived, so mixed clusters work unchanged.
  // KEEPALIVED: pseudo-header by default; `v3_checksum_as_v2` (keepalived >= 2.2.8) leaves it out.
  if (ctx.family === 'ipv4' && (ctx.checksumForm ?? 'pseudo-header') === 'v2-style') return internetChecksum(bytes);
  const pseudo = pseudoHeaderFor(ctx.sourceAddress, ctx.destinationAddress, W.IP_PROTOCOL_VRRP, bytes.length);
  return internetChecksum(pseudo, bytes);
}

// IPv4 and IPv6 addresses: text <-> network-order bytes, family detection and the canonical text
// form (RFC 5952 for IPv6). Owns nothing else. Pure: no `node:*`, no Buffer, no DNS, no zone
// identifiers. Parsing returns a result and never throws; only `parseIpOrThrow` throws, with a
// typed error.

export type IpFamily = 'ipv4' | 'ipv6';

export const IPV4_ADDRESS_BYTES = 4;
export const IPV6_ADDRESS_BYTES = 16;

export interface IpAddressBytes {
  readonly family: IpFamily;
  /** Network byte order: 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: Uint8Array;
}

export type ParseIpResult =
  | ({ readonly ok: true } & IpAddressBytes)
  | { readonly ok: false; readonly reason: string };

export class InvalidIpAddressError extends Error {
  readonly code = 'ERR_FLOATIP_INVALID_IP';
  constructor(readonly text: string, readonly reason: string) {
    super(`invalid IP address ${JSON.stringify(text)}: ${reason}`);
    this.name = 'InvalidIpAddressError';
  }
}

const fail = (reason: string): ParseIpResult => ({ ok: false, reason });

/** Dotted-quad only: four decimal octets, no leading zeros (as glibc inet_pton), no shorthand. */
export function parseIpv4(text: string): ParseIpResult {
  const parts = text.split('.');
  if (parts.length !== 4) return fail('an IPv4 address has four dot-separated octets');
  const bytes = new Uint8Array(IPV4_ADDRESS_BYTES);
  for (let i = 0; i < 4; i++) {
    const octet = parseDecimalOctet(parts[i]);
    if (octet === null) return fail(`octet ${i + 1} is not a decimal number 0-255`);
    bytes[i] = octet;
  }
  return { ok: true, family: 'ipv4', bytes };
}

function parseDecimalOctet(part: string): number | null {
  if (!/^[0-9]{1,3}$/.test(part)) return null;
  if (part.length > 1 && part[0] === '0') return null;
  const value = Number(part);
  return value <= 255 ? value : null;
}

/** RFC 4291 §2.2 text forms: full, `::`-compressed, and with an embedded dotted IPv4 tail. */
export function parseIpv6(text: string): ParseIpResult {
  if (text.includes('%')) return fail('zone identifiers are not accepted');
  const halves = text.split('::');
  if (halves.length > 2) return fail('"::" may appear only once');
  const head = splitGroups(halves[0]);
  const tail = halves.length === 2 ? splitGroups(halves[1]) : [];
  if (head === null || tail === null) return fail('empty group');
  const words: number[] = [];
  const all = [...head, ...tail];
  // A dotted IPv4 tail may only end the text, so not "1.2.3.4::".
  const lastEndsText = !(halves.length === 2 && tail.length === 0);
  for (let i = 0; i < all.length; i++) {
    const isLast = i === all.length - 1;
    if (isLast && lastEndsText && all[i].includes('.')) {
      const v4 = parseIpv4(all[i]);
      if (!v4.ok) return fail(`embedded IPv4 tail: ${v4.reason}`);
      words.push((v4.bytes[0] << 8) | v4.bytes[1], (v4.bytes[2] << 8) | v4.bytes[3]);
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[i])) return fail(`group ${JSON.stringify(all[i])} is not 1-4 hex digits`);
    words.push(parseInt(all[i], 16));
  }
  const headWords = words.length - tailWordCount(tail);
  return assembleIpv6(words, headWords, halves.length === 2);
}

function splitGroups(part: string): string[] | null {
  if (part === '') return [];
  const groups = part.split(':');
  return groups.some((g) => g === '') ? null : groups;
}

function tailWordCount(tail: string[]): number {
  if (tail.length === 0) return 0;
  return tail.length + (tail[tail.length - 1].includes('.') ? 1 : 0);
}

function assembleIpv6(words: number[], headWords: number, compressed: boolean): ParseIpResult {
  if (compressed ? words.length > 7 : words.length !== 8) {
    return fail(compressed ? 'too many groups around "::"' : 'an IPv6 address has eight groups');
  }
  const bytes = new Uint8Array(IPV6_ADDRESS_BYTES);
  const view = new DataView(bytes.buffer);
  const tailStart = 8 - (words.length - headWords);
  for (let i = 0; i < words.length; i++) {
    const slot = i < headWords ? i : tailStart + (i - headWords);
    view.setUint16(slot * 2, words[i]);
  }
  return { ok: true, family: 'ipv6', bytes };
}

/** Either family, told apart by the presence of ':' (IPv6 text always has one). */
export function parseIp(text: string): ParseIpResult {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

export function parseIpOrThrow(text: string): IpAddressBytes {
  const parsed = parseIp(text);
  if (!parsed.ok) throw new InvalidIpAddressError(text, parsed.reason);
  return { family: parsed.family, bytes: parsed.bytes };
}

/** The family of a valid address text, or null when the text is not an address. */
export function ipFamilyOf(text: string): IpFamily | null {
  const parsed = parseIp(text);
  return parsed.ok ? parsed.family : null;
}

export function familyOfBytes(bytes: Uint8Array): IpFamily | null {
  if (bytes.length === IPV4_ADDRESS_BYTES) return 'ipv4';
  if (bytes.length === IPV6_ADDRESS_BYTES) return 'ipv6';
  return null;
}

export function formatIpv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** RFC 5952 §4: lower case, no leading zeros, the longest run (>= 2) of zero groups as "::". */
export function formatIpv6(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, IPV6_ADDRESS_BYTES);
  const words = Array.from({ length: 8 }, (_, i) => view.getUint16(i * 2));
  // RFC 5952 §5: IPv4-mapped addresses are written with the dotted-quad tail.
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${formatIpv4(bytes.subarray(12, 16))}`;
  }
  const run = longestZeroRun(words);
  const hex = words.map((w) => w.toString(16));
  if (run.length < 2) return hex.join(':');
  const head = hex.slice(0, run.start).join(':');
  const tail = hex.slice(run.start + run.length).join(':');
  return `${head}::${tail}`;
}

/** RFC 5952 §4.2.3: on a tie the first run is compressed. */
function longestZeroRun(words: number[]): { start: number; length: number } {
  let best = { start: -1, length: 0 };
  let start = -1;
  for (let i = 0; i <= words.length; i++) {
    if (i < words.length && words[i] === 0) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start > best.length) best = { start, length: i - start };
    start = -1;
  }
  return best;
}

/** Text for 4 or 16 bytes; null for any other length. */
export function formatIp(bytes: Uint8Array): string | null {
  const family = familyOfBytes(bytes);
  if (family === 'ipv4') return formatIpv4(bytes);
  if (family === 'ipv6') return formatIpv6(bytes);
  return null;
}

/** The canonical text of an address (RFC 5952 for IPv6), or null when it is not an address. */
export function canonicalIp(text: string): string | null {
  const parsed = parseIp(text);
  return parsed.ok ? formatIp(parsed.bytes) : null;
}

export function ipBytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** RFC 4291 §2.5.6: link-local unicast is fe80::/10. */
export function isIpv6LinkLocal(bytes: Uint8Array): boolean {
  return bytes.length === IPV6_ADDRESS_BYTES && bytes[0] === 0xfe && (bytes[1] & 0xc0) === 0x80;
}

// Test builders for the protocol tests: byte strings from readable parts (in the manner of
// pg-protocol's test buffers), an independent checksum, the captured keepalived frames, and a
// deterministic PRNG. Test-only; may use node:*.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseIpOrThrow } from '../../src/protocol/ip-address.js';

/** Bytes from numbers (one byte each), hex strings ("c0 00 02 01") and byte arrays, in order. */
export function bytes(...parts: Array<number | string | Uint8Array | number[]>): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') out.push(part & 0xff);
    else if (typeof part === 'string') out.push(...fromHex(part));
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

export function u16(value: number): number[] {
  return [(value >> 8) & 0xff, value & 0xff];
}

export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex ${text}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

export function toHex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const ip = (text: string): Uint8Array => parseIpOrThrow(text).bytes;
/** ASCII text as bytes. */
export const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));

/**
 * An independent RFC 1071 checksum: concatenate, pad to even length, add 16-bit words in a BigInt
 * without intermediate folding, fold once at the end. Shares no code with src/protocol/checksum.ts.
 */
export function referenceChecksum(...parts: Uint8Array[]): number {
  const all = bytes(...parts, ...(parts.reduce((n, p) => n + p.length, 0) % 2 ? [0] : []));
  let sum = 0n;
  for (let i = 0; i < all.length; i += 2) sum += BigInt((all[i] << 8) | all[i + 1]);
  while (sum >> 16n) sum = (sum & 0xffffn) + (sum >> 16n);
  return Number(~sum & 0xffffn);
}

export interface CapturedFrame {
  readonly name: string;
  readonly description: string;
  readonly hex: string;
}

export function capturedFrame(name: string): Uint8Array {
  const path = fileURLToPath(new URL('../fixtures/protocol/keepalived-2.2.7-frames.json', import.meta.url));
  const fixture = JSON.parse(readFileSync(path, 'utf8')) as { frames: CapturedFrame[] };
  const frame = fixture.frames.find((f) => f.name === name);
  if (!frame) throw new Error(`no captured frame ${name}`);
  return fromHex(frame.hex);
}

export interface IpPayload {
  readonly family: 'ipv4' | 'ipv6';
  readonly sourceAddress: Uint8Array;
  readonly destinationAddress: Uint8Array;
  readonly ttl: number;
  readonly payload: Uint8Array;
}

/** Splits a captured Ethernet frame into what the native layer hands the codec. */
export function ipPayloadOf(frame: Uint8Array): IpPayload {
  const etherType = (frame[12] << 8) | frame[13];
  const ipHeader = frame.subarray(14);
  if (etherType === 0x0800) {
    const headerBytes = (ipHeader[0] & 0x0f) * 4;
    const total = (ipHeader[2] << 8) | ipHeader[3];
    return {
      family: 'ipv4',
      sourceAddress: ipHeader.slice(12, 16),
      destinationAddress: ipHeader.slice(16, 20),
      ttl: ipHeader[8],
      payload: ipHeader.slice(headerBytes, total),
    };
  }
  if (etherType === 0x86dd) {
    const length = (ipHeader[4] << 8) | ipHeader[5];
    return {
      family: 'ipv6',
      sourceAddress: ipHeader.slice(8, 24),
      destinationAddress: ipHeader.slice(24, 40),
      ttl: ipHeader[7],
      payload: ipHeader.slice(40, 40 + length),
    };
  }
  throw new Error(`not an IP frame: ethertype ${etherType.toString(16)}`);
}

/** mulberry32: a small deterministic PRNG so the fuzz test is reproducible. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

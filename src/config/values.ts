// Pure parsers for keepalived value syntax: integers, decimals, <TIMER> seconds, <BOOL>, IP
// addresses with prefix, ports. Each returns undefined on bad input and never throws; callers
// report the diagnostic.
import { isIPv4, isIPv6 } from 'node:net'

export function parseInteger (s: string): number | undefined {
  if (/^[+-]?\d+$/.test(s)) return Number(s)
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s, 16)
  return undefined
}

export function parseDecimal (s: string): number | undefined {
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(s) ? Number(s) : undefined
}

/** keepalived <TIMER>: seconds, fractional allowed, microsecond resolution -> integer µs. */
export function parseSecondsToUs (s: string): number | undefined {
  const v = parseDecimal(s)
  return v === undefined || v < 0 ? undefined : Math.round(v * 1_000_000)
}

const TRUE_WORDS = new Set(['on', 'true', 'yes'])
const FALSE_WORDS = new Set(['off', 'false', 'no'])

/** keepalived <BOOL>: on|off|true|false|yes|no (case-insensitive). */
export function parseBool (s: string): boolean | undefined {
  const l = s.toLowerCase()
  return TRUE_WORDS.has(l) ? true : FALSE_WORDS.has(l) ? false : undefined
}

export type IpFamily = 'inet' | 'inet6'

export function ipFamily (s: string): IpFamily | undefined {
  return isIPv4(s) ? 'inet' : isIPv6(s) ? 'inet6' : undefined
}

export interface Prefix { address: string, prefixLength: number, family: IpFamily }

/** `IP[/len]`; len defaults to 32/128. Also accepts a dotted netmask after `/` for IPv4. */
export function parsePrefix (s: string): Prefix | { error: string } {
  const slash = s.indexOf('/')
  const address = slash < 0 ? s : s.slice(0, slash)
  const family = ipFamily(address)
  if (family === undefined) return { error: `'${address}' is not an IPv4 or IPv6 address` }
  const max = family === 'inet' ? 32 : 128
  if (slash < 0) return { address, prefixLength: max, family }
  const lenText = s.slice(slash + 1)
  let len = /^\d{1,3}$/.test(lenText) ? Number(lenText) : undefined
  if (len === undefined && family === 'inet' && isIPv4(lenText)) len = netmaskToLength(lenText)
  if (len === undefined || len > max) return { error: `prefix length '${lenText}' is not in 0-${max}` }
  return { address, prefixLength: len, family }
}

function netmaskToLength (mask: string): number | undefined {
  const bits = mask.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('')
  return /^1*0*$/.test(bits) ? bits.indexOf('0') < 0 ? 32 : bits.indexOf('0') : undefined
}

export function parsePort (s: string): number | undefined {
  const v = parseInteger(s)
  return v !== undefined && v >= 0 && v <= 65535 ? v : undefined
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8')

export function utf8Length (s: string): number { return encoder.encode(s).length }

/**
 * The first `maxBytes` UTF-8 bytes of `s` (keepalived counts bytes, not characters), as the
 * exact bytes and as text; a character cut by the limit appears in the text as U+FFFD.
 */
export function truncateUtf8 (s: string, maxBytes: number): { bytes: Uint8Array, text: string, truncated: boolean } {
  const all = encoder.encode(s)
  const bytes = all.subarray(0, maxBytes)
  return { bytes, text: decoder.decode(bytes), truncated: all.length > maxBytes }
}

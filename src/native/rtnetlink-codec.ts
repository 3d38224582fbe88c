// rtnetlink wire format (RFC 3549; <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_addr.h>):
// builds RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR / RTM_GETLINK requests and parses replies and
// events. Pure: bytes in, typed values out; no sockets, no node:* imports. Netlink uses the
// host's byte order; every supported Linux target of floatip is little-endian, checked below.
import { formatIp, parseIpOrThrow } from '../protocol/ip-address.js'

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const LE = HOST_LITTLE_ENDIAN

export const NLMSG_ERROR = 2
export const NLMSG_DONE = 3
export const RTM_NEWLINK = 16
export const RTM_DELLINK = 17
export const RTM_GETLINK = 18
export const RTM_NEWADDR = 20
export const RTM_DELADDR = 21
export const RTM_GETADDR = 22

export const NLM_F_REQUEST = 0x1
export const NLM_F_MULTI = 0x2
export const NLM_F_ACK = 0x4
export const NLM_F_DUMP = 0x300
export const NLM_F_REPLACE = 0x100
export const NLM_F_EXCL = 0x200
export const NLM_F_CREATE = 0x400
const NLM_F_ACK_TLVS = 0x200
const NLMSGERR_ATTR_MSG = 1

export const RTMGRP_LINK = 0x1
export const RTMGRP_IPV4_IFADDR = 0x10
export const RTMGRP_IPV6_IFADDR = 0x100

const AF_INET = 2
const AF_INET6 = 10

const IFA_ADDRESS = 1
const IFA_LOCAL = 2
const IFA_LABEL = 3
const IFA_BROADCAST = 4
const IFA_FLAGS = 8
export const IFA_F_SECONDARY = 0x01
export const IFA_F_NODAD = 0x02
export const IFA_F_DADFAILED = 0x08
export const IFA_F_TENTATIVE = 0x40
export const IFA_F_PERMANENT = 0x80

const IFLA_ADDRESS = 1
const IFLA_IFNAME = 3
const IFLA_MTU = 4
const IFLA_OPERSTATE = 16
const IFF_UP = 0x1
const IFF_RUNNING = 0x40
const IFF_LOWER_UP = 0x10000

const NLMSG_HDRLEN = 16
const IFADDRMSG_LEN = 8
const IFINFOMSG_LEN = 16

/** keepalived's scope names (`scope` in virtual_ipaddress) and their RT_SCOPE_* values. */
export const SCOPES: Readonly<Record<string, number>> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 }

export interface NetlinkMessage {
  type: number
  flags: number
  seq: number
  pid: number
  /** The bytes after the 16-byte header. */
  body: Uint8Array
}

export interface AddressSpec {
  ifindex: number
  /** "192.0.2.10" or "2001:db8::10" */
  address: string
  prefixLength: number
  broadcast?: string
  label?: string
  /** RT_SCOPE_* (see SCOPES); default global. */
  scope?: number
  /** IFA_F_* bits, e.g. IFA_F_NODAD for a VIP that must answer at once. */
  flags?: number
}

export interface AddressInfo {
  ifindex: number
  family: 4 | 6
  address: string
  prefixLength: number
  scope: number
  flags: number
  label?: string
  broadcast?: string
}

export interface LinkInfo {
  ifindex: number
  name: string
  mac?: string
  mtu?: number
  /** IFF_UP: administratively up. */
  up: boolean
  /** IFF_RUNNING / IFF_LOWER_UP: carrier. */
  running: boolean
  operState?: number
  flags: number
}

export type NetlinkEvent =
  | { type: 'link', action: 'new' | 'del', link: LinkInfo }
  | { type: 'address', action: 'new' | 'del', address: AddressInfo }

export type NetlinkErrorReply = { errno: number, message?: string }

// ---- building ----

function align4 (n: number): number { return (n + 3) & ~3 }

function attr (type: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(align4(4 + value.length))
  const v = new DataView(out.buffer)
  v.setUint16(0, 4 + value.length, LE)
  v.setUint16(2, type, LE)
  out.set(value, 4)
  return out
}

function u32 (value: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, value >>> 0, LE)
  return out
}

function cString (text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text)
  const out = new Uint8Array(bytes.length + 1)
  out.set(bytes)
  return out
}

export function buildMessage (type: number, flags: number, seq: number, parts: Uint8Array[]): Uint8Array {
  const bodyLength = parts.reduce((n, p) => n + p.length, 0)
  const out = new Uint8Array(NLMSG_HDRLEN + bodyLength)
  const v = new DataView(out.buffer)
  v.setUint32(0, out.length, LE)
  v.setUint16(4, type, LE)
  v.setUint16(6, flags, LE)
  v.setUint32(8, seq >>> 0, LE)
  v.setUint32(12, 0, LE)
  let offset = NLMSG_HDRLEN
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}

function ifaddrmsg (family: number, prefixLength: number, flags: number, scope: number, ifindex: number): Uint8Array {
  const out = new Uint8Array(IFADDRMSG_LEN)
  const v = new DataView(out.buffer)
  v.setUint8(0, family)
  v.setUint8(1, prefixLength)
  v.setUint8(2, flags & 0xff)
  v.setUint8(3, scope)
  v.setUint32(4, ifindex, LE)
  return out
}

/** RTM_NEWADDR (create, fail if present) or RTM_DELADDR for one address. */
export function buildAddressRequest (type: typeof RTM_NEWADDR | typeof RTM_DELADDR, seq: number, spec: AddressSpec): Uint8Array {
  const ip = parseIpOrThrow(spec.address)
  const family = ip.family === 'ipv4' ? AF_INET : AF_INET6
  const maxPrefix = ip.family === 'ipv4' ? 32 : 128
  if (!Number.isInteger(spec.prefixLength) || spec.prefixLength < 0 || spec.prefixLength > maxPrefix) {
    throw new RangeError(`prefix length ${spec.prefixLength} is out of range 0-${maxPrefix} for ${spec.address}`)
  }
  const parts = [
    ifaddrmsg(family, spec.prefixLength, spec.flags ?? 0, spec.scope ?? 0, spec.ifindex),
    attr(IFA_LOCAL, ip.bytes),
    attr(IFA_ADDRESS, ip.bytes)
  ]
  if (spec.broadcast !== undefined && family === AF_INET) parts.push(attr(IFA_BROADCAST, parseIpOrThrow(spec.broadcast).bytes))
  if (spec.label !== undefined && family === AF_INET) parts.push(attr(IFA_LABEL, cString(spec.label)))
  if (spec.flags !== undefined && spec.flags > 0xff) parts.push(attr(IFA_FLAGS, u32(spec.flags)))
  const flags = NLM_F_REQUEST | NLM_F_ACK | (type === RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0)
  return buildMessage(type, flags, seq, parts)
}

export function buildAddressDump (seq: number, family: 0 | 4 | 6 = 0): Uint8Array {
  const af = family === 4 ? AF_INET : family === 6 ? AF_INET6 : 0
  return buildMessage(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq, [ifaddrmsg(af, 0, 0, 0, 0)])
}

export function buildLinkDump (seq: number): Uint8Array {
  return buildMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, [new Uint8Array(IFINFOMSG_LEN)])
}

// ---- parsing ----

/** Splits a datagram into messages; stops at the first malformed length. */
export function parseMessages (data: Uint8Array): NetlinkMessage[] {
  const out: NetlinkMessage[] = []
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength)
  let offset = 0
  while (offset + NLMSG_HDRLEN <= data.length) {
    const length = v.getUint32(offset, LE)
    if (length < NLMSG_HDRLEN || offset + length > data.length) break
    out.push({
      type: v.getUint16(offset + 4, LE),
      flags: v.getUint16(offset + 6, LE),
      seq: v.getUint32(offset + 8, LE),
      pid: v.getUint32(offset + 12, LE),
      body: data.subarray(offset + NLMSG_HDRLEN, offset + length)
    })
    offset += align4(length)
  }
  return out
}

function parseAttributes (data: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>()
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength)
  let offset = 0
  while (offset + 4 <= data.length) {
    const length = v.getUint16(offset, LE)
    if (length < 4 || offset + length > data.length) break
    out.set(v.getUint16(offset + 2, LE) & 0x3fff, data.subarray(offset + 4, offset + length))
    offset += align4(length)
  }
  return out
}

function readCString (bytes: Uint8Array): string {
  const end = bytes.indexOf(0)
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end))
}

/** NLMSG_ERROR: errno 0 is an ACK. The kernel's extended-ack text is kept when present. */
export function parseError (msg: NetlinkMessage): NetlinkErrorReply {
  const v = new DataView(msg.body.buffer, msg.body.byteOffset, msg.body.byteLength)
  const errno = msg.body.length >= 4 ? -v.getInt32(0, LE) : 0
  if ((msg.flags & NLM_F_ACK_TLVS) === 0 || msg.body.length < 4 + NLMSG_HDRLEN) return { errno }
  // With NETLINK_CAP_ACK the echoed request is only its 16-byte header.
  const tlvs = parseAttributes(msg.body.subarray(4 + NLMSG_HDRLEN))
  const text = tlvs.get(NLMSGERR_ATTR_MSG)
  return text ? { errno, message: readCString(text) } : { errno }
}

export function parseAddress (msg: NetlinkMessage): AddressInfo | null {
  if (msg.body.length < IFADDRMSG_LEN) return null
  const v = new DataView(msg.body.buffer, msg.body.byteOffset, msg.body.byteLength)
  const af = v.getUint8(0)
  if (af !== AF_INET && af !== AF_INET6) return null
  const attrs = parseAttributes(msg.body.subarray(IFADDRMSG_LEN))
  // IPv4: IFA_LOCAL is the interface's own address (IFA_ADDRESS is the peer on point-to-point).
  const raw = (af === AF_INET ? attrs.get(IFA_LOCAL) : undefined) ?? attrs.get(IFA_ADDRESS)
  const address = raw ? formatIp(raw) : null
  if (address === null) return null
  const flagsAttr = attrs.get(IFA_FLAGS)
  const info: AddressInfo = {
    ifindex: v.getUint32(4, LE),
    family: af === AF_INET ? 4 : 6,
    address,
    prefixLength: v.getUint8(1),
    scope: v.getUint8(3),
    flags: flagsAttr && flagsAttr.length >= 4 ? new DataView(flagsAttr.buffer, flagsAttr.byteOffset, 4).getUint32(0, LE) : v.getUint8(2)
  }
  const label = attrs.get(IFA_LABEL)
  if (label) info.label = readCString(label)
  const broadcast = attrs.get(IFA_BROADCAST)
  const broadcastText = broadcast ? formatIp(broadcast) : null
  if (broadcastText !== null) info.broadcast = broadcastText
  return info
}

export function parseLink (msg: NetlinkMessage): LinkInfo | null {
  if (msg.body.length < IFINFOMSG_LEN) return null
  const v = new DataView(msg.body.buffer, msg.body.byteOffset, msg.body.byteLength)
  const flags = v.getUint32(8, LE)
  const attrs = parseAttributes(msg.body.subarray(IFINFOMSG_LEN))
  const name = attrs.get(IFLA_IFNAME)
  const info: LinkInfo = {
    ifindex: v.getInt32(4, LE),
    name: name ? readCString(name) : '',
    up: (flags & IFF_UP) !== 0,
    running: (flags & (IFF_RUNNING | IFF_LOWER_UP)) !== 0 && (flags & IFF_UP) !== 0,
    flags
  }
  const mac = attrs.get(IFLA_ADDRESS)
  if (mac && mac.length === 6) info.mac = [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':')
  const mtu = attrs.get(IFLA_MTU)
  if (mtu && mtu.length >= 4) info.mtu = new DataView(mtu.buffer, mtu.byteOffset, 4).getUint32(0, LE)
  const oper = attrs.get(IFLA_OPERSTATE)
  if (oper && oper.length >= 1) info.operState = oper[0]
  return info
}

/** Link and address events of one datagram; anything else is ignored. */
export function parseEvents (data: Uint8Array): NetlinkEvent[] {
  const events: NetlinkEvent[] = []
  for (const msg of parseMessages(data)) {
    if (msg.type === RTM_NEWLINK || msg.type === RTM_DELLINK) {
      const link = parseLink(msg)
      if (link) events.push({ type: 'link', action: msg.type === RTM_NEWLINK ? 'new' : 'del', link })
    } else if (msg.type === RTM_NEWADDR || msg.type === RTM_DELADDR) {
      const address = parseAddress(msg)
      if (address) events.push({ type: 'address', action: msg.type === RTM_NEWADDR ? 'new' : 'del', address })
    }
  }
  return events
}

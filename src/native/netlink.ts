// rtnetlink for floatip: RtNetlink adds, deletes and lists addresses and links (synchronous
// request/acknowledge on its own socket), NetlinkMonitor delivers link up/down and address
// add/remove events through an IoLoop. Messages are built and parsed by rtnetlink-codec.ts.
import { binding } from './binding.js'
import type { NativeNetlinkSocket, NativeSystemError } from './binding.js'
import type { IoLoop } from './io-loop.js'
import {
  buildAddressDump, buildAddressRequest, buildLinkDump, NLMSG_ERROR, parseAddress, parseError, parseEvents,
  parseLink, parseMessages, RTM_DELADDR, RTM_NEWADDR, RTM_NEWLINK, RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR,
  RTMGRP_LINK
} from './rtnetlink-codec.js'
import type { AddressInfo, AddressSpec, LinkInfo, NetlinkEvent } from './rtnetlink-codec.js'
import { systemError } from './system-error.js'

export type { AddressInfo, AddressSpec, LinkInfo, NetlinkEvent } from './rtnetlink-codec.js'
export { IFA_F_NODAD, IFA_F_SECONDARY, SCOPES } from './rtnetlink-codec.js'

export interface RtNetlinkOptions {
  netns?: string
  /** Per-request timeout (default 2000 ms). */
  timeoutMs?: number
}

export class RtNetlink {
  private readonly socket: NativeNetlinkSocket
  private readonly timeoutMs: number
  private seq = 1

  constructor (options: RtNetlinkOptions = {}) {
    this.socket = new binding.NetlinkSocket({ netns: options.netns })
    this.timeoutMs = options.timeoutMs ?? 2000
  }

  /** RTM_NEWADDR. EEXIST when the address is already there. */
  addAddress (spec: AddressSpec): void {
    this.acknowledged(buildAddressRequest(RTM_NEWADDR, this.nextSeq(), spec), 'RTM_NEWADDR', describeSpec(spec))
  }

  /** RTM_DELADDR. EADDRNOTAVAIL when the address is not on the interface. */
  deleteAddress (spec: AddressSpec): void {
    this.acknowledged(buildAddressRequest(RTM_DELADDR, this.nextSeq(), spec), 'RTM_DELADDR', describeSpec(spec))
  }

  listAddresses (filter: { ifindex?: number, family?: 4 | 6 } = {}): AddressInfo[] {
    const out: AddressInfo[] = []
    for (const msg of this.dump(buildAddressDump(this.nextSeq(), filter.family ?? 0), 'RTM_GETADDR')) {
      if (msg.type !== RTM_NEWADDR) continue
      const info = parseAddress(msg)
      if (info && (filter.ifindex === undefined || info.ifindex === filter.ifindex)) out.push(info)
    }
    return out
  }

  listLinks (): LinkInfo[] {
    const out: LinkInfo[] = []
    for (const msg of this.dump(buildLinkDump(this.nextSeq()), 'RTM_GETLINK')) {
      if (msg.type !== RTM_NEWLINK) continue
      const info = parseLink(msg)
      if (info) out.push(info)
    }
    return out
  }

  /** The link called `name`; throws a Node-shaped ENODEV when there is none. */
  linkByName (name: string): LinkInfo {
    const link = this.listLinks().find((l) => l.name === name)
    if (!link) throw systemError(19 /* ENODEV */, 'RTM_GETLINK', `interface '${name}'`)
    return link
  }

  get closed (): boolean { return this.socket.closed }
  close (): void { this.socket.close() }

  private nextSeq (): number {
    this.seq = (this.seq % 0x7fffffff) + 1
    return this.seq
  }

  private acknowledged (request: Uint8Array, what: string, detail: string): void {
    const replies = parseMessages(this.socket.request(request, this.timeoutMs))
    for (const msg of replies) {
      if (msg.type !== NLMSG_ERROR) continue
      const { errno, message } = parseError(msg)
      if (errno !== 0) throw systemError(errno, what, message ? `${detail}: ${message}` : detail)
      return
    }
    throw systemError(71 /* EPROTO */, what, `${detail}: no acknowledgement`)
  }

  private dump (request: Uint8Array, what: string): ReturnType<typeof parseMessages> {
    const messages = parseMessages(this.socket.request(request, this.timeoutMs))
    for (const msg of messages) {
      if (msg.type !== NLMSG_ERROR) continue
      const { errno, message } = parseError(msg)
      if (errno !== 0) throw systemError(errno, what, message)
    }
    return messages
  }
}

function describeSpec (spec: AddressSpec): string {
  return `${spec.address}/${spec.prefixLength} on ifindex ${spec.ifindex}`
}

export interface NetlinkMonitorOptions {
  netns?: string
  /** Called when the kernel dropped events (ENOBUFS): state must be re-read with RtNetlink. */
  onOverflow?: (error: NativeSystemError) => void
}

/** Link and address events of every interface in a namespace, delivered by an IoLoop. */
export class NetlinkMonitor {
  private readonly socket: NativeNetlinkSocket

  constructor (loop: IoLoop, onEvent: (event: NetlinkEvent, atUs: number) => void, options: NetlinkMonitorOptions = {}) {
    this.socket = new binding.NetlinkSocket({
      netns: options.netns,
      groups: RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR
    })
    loop.attach({ native: this.socket }, (packet) => {
      for (const event of parseEvents(packet.data)) onEvent(event, packet.receivedUs)
    }, (error) => options.onOverflow?.(error))
  }

  close (): void { this.socket.close() }
}

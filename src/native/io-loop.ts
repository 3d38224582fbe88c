// IoLoop: the TypeScript face of the native I/O thread. It owns the receive ring (an ArrayBuffer
// the thread writes records into), drains it when the thread signals, and routes each record to
// the handler of the socket, watch, timer or periodic send it belongs to. It decides nothing: the
// engine tells it what to repeat (periodic sends), what to wait for (watches), and when to wake
// (timers). Packet buffers handed to handlers are views into the ring, valid only during the call.
import { binding } from './binding.js'
import type { NativeIoLoop, NativeLoopStats, NativePeriodicInfo, NativeSocket, NativeSystemError, NativeVrrpSocket, NativeWatchInfo } from './binding.js'
import { RECORD, RECORD_FLAG_TRUNCATED, RECORD_KIND } from './record-layout.js'
import { systemError } from './system-error.js'
import { parseIpOrThrow } from '../protocol/ip-address.js'

export interface LoopPacket {
  /** The datagram (IPv4: without its IP header) or frame: a view, valid during the handler only. */
  readonly data: Buffer
  readonly family: 0 | 4 | 6
  /** Source address bytes (4 or 16; AF_PACKET: the source MAC in the first 6). A view. */
  readonly source: Uint8Array
  readonly destination: Uint8Array
  /** IPv4 TTL / IPv6 hop limit (AF_PACKET: the packet type). */
  readonly ttl: number
  readonly ifindex: number
  /** Kernel receive time on the monotonic clock (µs). */
  readonly receivedUs: number
  /** When the I/O thread read it (µs). */
  readonly readUs: number
  readonly truncated: boolean
  readonly wireLength: number
}

export interface SocketLike { readonly native: NativeSocket }
export interface VrrpSocketLike { readonly native: NativeVrrpSocket }

export type PacketHandler = (packet: LoopPacket) => void
export type DeadlineHandler = (firedUs: number, deadlineUs: number) => void
export type ErrorHandler = (error: NativeSystemError) => void

export interface IoLoopOptions {
  /** Ring slots, a power of two (default 256). */
  slots?: number
  /** Bytes per slot including the 80-byte header (default 8192: a full rtnetlink datagram). */
  slotSize?: number
  /**
   * Run the I/O thread SCHED_FIFO at this priority (1-99), like keepalived's vrrp_rt_priority,
   * so adverts keep their cadence when the machine is busy. Default: the normal policy.
   */
  realtimePriority?: number
  /** Called when a handler throws; default: rethrow (an uncaught exception). */
  onHandlerError?: (error: unknown) => void
}

export interface PeriodicOptions {
  /** Destination address (VRRP sockets); default: the socket's multicast group. */
  destination?: string
  intervalUs: number
  /** First send (monotonic µs); default now. */
  firstAtUs?: number
  /** Number of sends, then it stops by itself; default 0 = until stopped. */
  count?: number
}

export interface WatchOptions {
  /** The watched sender's address. */
  source: string
  /** The exact payload that counts as "the same advert". */
  bytes: Uint8Array
  /** Each matching packet moves the deadline to its receive time + timeoutUs. */
  timeoutUs: number
  /** The deadline until the first matching packet arrives. */
  firstDeadlineUs: number
}

type Route =
  | { kind: 'socket', onPacket: PacketHandler, onError?: ErrorHandler }
  | { kind: 'deadline', onDeadline: DeadlineHandler }
  | { kind: 'periodic', onError?: ErrorHandler }

/** Upper bounds (µs) of stats().txLateHistogram's buckets; the last bucket is anything later. */
export const TX_LATE_BOUNDS_US: readonly number[] = [50, 100, 250, 500, 1000, 2000, 5000]

export class IoLoop {
  private readonly native: NativeIoLoop
  private readonly ring: ArrayBuffer
  private readonly view: DataView
  private readonly slots: number
  private readonly slotSize: number
  private readonly onHandlerError: ((error: unknown) => void) | undefined
  private readonly channels = new Map<number, Route>()
  private readonly channelIds = new Map<NativeSocket, number>()
  private readonly deadlines = new Map<number, Route>()
  private readonly periodics = new Map<number, Route>()
  private head = 0
  private nextId = 1
  private closed = false

  constructor (options: IoLoopOptions = {}) {
    this.slots = options.slots ?? 256
    this.slotSize = options.slotSize ?? 8192
    this.onHandlerError = options.onHandlerError
    this.ring = new ArrayBuffer(this.slots * this.slotSize)
    this.view = new DataView(this.ring)
    this.native = new binding.IoLoop(this.ring, this.slotSize, () => this.drain())
    if (options.realtimePriority) {
      try {
        this.native.setRealtimePriority(options.realtimePriority)
      } catch (err) {
        this.native.close()
        throw err
      }
    }
  }

  /** Delivers every packet the socket receives (that no watch consumed) to onPacket. */
  attach (socket: SocketLike, onPacket: PacketHandler, onError?: ErrorHandler): number {
    const id = this.native.attach(socket.native)
    this.channels.set(id, { kind: 'socket', onPacket, onError })
    this.channelIds.set(socket.native, id)
    return id
  }

  /** Stops receiving on the socket (and drops its periodic sends and watches). */
  detach (socket: SocketLike): void {
    const id = this.channelIds.get(socket.native)
    if (id !== undefined) this.channels.delete(id)
    this.channelIds.delete(socket.native)
    if (!socket.native.closed) this.native.detach(socket.native)
  }

  /** Sends `bytes` on `socket` every intervalUs from the native thread until stopped. */
  startPeriodic (socket: SocketLike, bytes: Uint8Array, options: PeriodicOptions, onError?: ErrorHandler): PeriodicSend {
    const id = this.nextId++
    const periodic = new PeriodicSend(this, id)
    this.periodics.set(id, { kind: 'periodic', onError })
    periodic.update(socket, bytes, options)
    return periodic
  }

  /** A deadline that an identical packet from `source` keeps pushing back; fires once. */
  createWatch (onExpired: DeadlineHandler): Watch {
    const id = this.nextId++
    this.deadlines.set(id, { kind: 'deadline', onDeadline: onExpired })
    return new Watch(this, id)
  }

  /** A one-shot timer, re-armable. */
  createTimer (onFire: DeadlineHandler): Timer {
    const id = this.nextId++
    this.deadlines.set(id, { kind: 'deadline', onDeadline: onFire })
    return new Timer(this, id)
  }

  stats (): NativeLoopStats {
    return this.native.stats()
  }

  /**
   * Runs the I/O thread SCHED_FIFO at `priority` (1-99), or on the normal policy (0). Throws a
   * SystemError (EPERM without CAP_SYS_NICE or where an RT cgroup limit refuses it).
   */
  setRealtimePriority (priority: number): void {
    this.native.setRealtimePriority(priority)
  }

  /**
   * Asks the kernel for a `sliceUs` (100-100000) time slice for the I/O thread on the normal
   * policy (EEVDF custom slice, Linux 6.12+), so that its timers preempt busy threads promptly;
   * keeps the nice value. Returns the slice the kernel now reports (ns; 0 on older kernels).
   */
  setLatencySlice (sliceUs: number): number {
    return this.native.setLatencySlice(sliceUs)
  }

  /** Let the process exit while this loop is open (like a socket's unref). */
  unref (): void { this.native.unref() }
  ref (): void { this.native.ref() }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.native.close()
    this.channels.clear()
    this.channelIds.clear()
    this.deadlines.clear()
    this.periodics.clear()
  }

  /** @internal used by the handles */
  get nativeLoop (): NativeIoLoop { return this.native }
  /** @internal */
  forget (id: number): void {
    this.deadlines.delete(id)
    this.periodics.delete(id)
  }

  private drain (): void {
    let failure: unknown
    for (let round = 0; round < 64; round++) {
      const count = this.native.pending()
      if (count === 0) break
      for (let i = 0; i < count; i++) {
        const offset = ((this.head + i) % this.slots) * this.slotSize
        try {
          this.dispatch(offset)
        } catch (err) {
          failure ??= err
        }
      }
      this.head = (this.head + count) >>> 0
      this.native.consume(count)
    }
    if (failure !== undefined) {
      if (this.onHandlerError) this.onHandlerError(failure)
      else throw failure
    }
  }

  private dispatch (offset: number): void {
    const v = this.view
    const kind = v.getUint32(offset + RECORD.KIND, true)
    const id = v.getUint32(offset + RECORD.ID, true)
    const tsUs = v.getFloat64(offset + RECORD.TS_US, true)
    const auxUs = v.getFloat64(offset + RECORD.AUX_US, true)
    switch (kind) {
      case RECORD_KIND.PACKET:
      case RECORD_KIND.NETLINK: {
        const route = this.channels.get(id)
        if (route?.kind === 'socket') route.onPacket(this.packetAt(offset, tsUs, auxUs))
        return
      }
      case RECORD_KIND.WATCH_EXPIRED:
      case RECORD_KIND.TIMER: {
        const route = this.deadlines.get(id)
        if (route?.kind === 'deadline') route.onDeadline(tsUs, auxUs)
        return
      }
      case RECORD_KIND.SEND_ERROR: {
        const route = this.periodics.get(id)
        const errno = v.getUint16(offset + RECORD.ERROR, true)
        if (route?.kind === 'periodic') route.onError?.(systemError(errno, 'sendto', 'periodic send'))
        return
      }
      case RECORD_KIND.RECEIVE_ERROR: {
        const route = this.channels.get(id)
        const errno = v.getUint16(offset + RECORD.ERROR, true)
        if (route?.kind === 'socket') route.onError?.(systemError(errno, 'recvmsg'))
      }
    }
  }

  private packetAt (offset: number, receivedUs: number, readUs: number): LoopPacket {
    const v = this.view
    const family = v.getUint8(offset + RECORD.FAMILY) as 0 | 4 | 6
    const addressLength = family === 4 ? 4 : family === 6 ? 16 : 8
    const length = v.getUint32(offset + RECORD.LENGTH, true)
    return {
      data: Buffer.from(this.ring, offset + RECORD.HEADER_SIZE, length),
      family,
      source: new Uint8Array(this.ring, offset + RECORD.SRC, addressLength),
      destination: new Uint8Array(this.ring, offset + RECORD.DST, addressLength),
      ttl: v.getUint8(offset + RECORD.TTL),
      ifindex: v.getInt32(offset + RECORD.IFINDEX, true),
      receivedUs,
      readUs,
      truncated: (v.getUint32(offset + RECORD.FLAGS, true) & RECORD_FLAG_TRUNCATED) !== 0,
      wireLength: v.getUint32(offset + RECORD.ORIG_LENGTH, true)
    }
  }
}

/** A periodic send running on the native thread (a master's adverts, a GARP burst). */
export class PeriodicSend {
  constructor (private readonly loop: IoLoop, readonly id: number) {}

  /** Replaces what is sent and when; the next send happens at options.firstAtUs (default now). */
  update (socket: SocketLike, bytes: Uint8Array, options: PeriodicOptions): void {
    const destination = options.destination === undefined ? null : parseIpOrThrow(options.destination).bytes
    this.loop.nativeLoop.setPeriodic(this.id, socket.native, bytes, destination, options.intervalUs,
      options.firstAtUs ?? binding.monotonicUs(), options.count ?? 0)
  }

  info (): NativePeriodicInfo | null {
    return this.loop.nativeLoop.periodicInfo(this.id)
  }

  stop (): void {
    this.loop.nativeLoop.clearPeriodic(this.id)
    this.loop.forget(this.id)
  }
}

/** Master_Down_Timer as the native thread keeps it: see IoLoop.createWatch. */
export class Watch {
  constructor (private readonly loop: IoLoop, readonly id: number) {}

  arm (socket: VrrpSocketLike, options: WatchOptions): void {
    this.loop.nativeLoop.setWatch(this.id, socket.native, parseIpOrThrow(options.source).bytes,
      options.bytes, options.timeoutUs, options.firstDeadlineUs)
  }

  disarm (): void {
    this.loop.nativeLoop.clearWatch(this.id)
  }

  /** The deadline and what the native thread absorbed since arm(); null when not armed since. */
  info (): NativeWatchInfo | null {
    return this.loop.nativeLoop.watchInfo(this.id)
  }

  dispose (): void {
    this.disarm()
    this.loop.forget(this.id)
  }
}

export class Timer {
  constructor (private readonly loop: IoLoop, readonly id: number) {}

  set (atUs: number): void {
    this.loop.nativeLoop.setTimer(this.id, atUs)
  }

  clear (): void {
    this.loop.nativeLoop.clearTimer(this.id)
  }

  dispose (): void {
    this.clear()
    this.loop.forget(this.id)
  }
}

// The only module that loads the native addon (through node-gyp-build: build/Release when a local
// build exists, else the N-API prebuild in prebuilds/). It also declares the addon's whole
// JavaScript surface as types; everything else imports the typed wrappers, never this directly.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** Node-shaped system error as thrown by the addon. */
export interface NativeSystemError extends Error {
  code: string
  errno: number
  syscall: string
  hint?: string
}

export interface NativeSocket {
  readonly closed: boolean
  close(): void
}

export interface NativeVrrpSocket extends NativeSocket {
  readonly ifindex: number
  readonly receiveBuffer: number
  send(data: Uint8Array, destination?: Uint8Array | null): number
  setReceiveBuffer(value: number): number
}

export interface NativePacketSocket extends NativeSocket {
  readonly ifindex: number
  send(frame: Uint8Array): number
}

export interface NativeNetlinkSocket extends NativeSocket {
  request(message: Uint8Array, timeoutMs?: number): Buffer
}

export interface NativeLoopStats {
  rxPackets: number
  rxDelivered: number
  rxWatchMatched: number
  rxDroppedRingFull: number
  rxTruncated: number
  rxErrors: number
  txSent: number
  txErrors: number
  txMissedIntervals: number
  txLateMaxUs: number
  txLateTotalUs: number
  /** Sends by lateness: ≤50, ≤100, ≤250, ≤500, ≤1000, ≤2000, ≤5000 µs, and later (TX_LATE_BOUNDS_US). */
  txLateHistogram: number[]
  watchExpired: number
  timersFired: number
  backlogMax: number
  /** Adverts a watch absorbed from the backlog read just before it would have expired. */
  watchBacklogMatched: number
  /** Times a VRRP socket was left unread because the ring was full (its packets wait in the kernel). */
  rxPaused: number
  /** Watches and timers held back, while a socket was paused, until the packets before them were delivered. */
  deadlinesDeferred: number
}

export interface NativePeriodicInfo {
  sent: number
  missed: number
  errors: number
  lastErrno: number
  nextAtUs: number
}

export interface NativeWatchInfo {
  /** false once the watch expired, until it is armed again */
  armed: boolean
  deadlineUs: number
  /** identical adverts consumed since the watch was last armed */
  matched: number
  /** receive time (monotonic µs) of the latest one; 0 when none */
  lastMatchUs: number
}

export interface NativeIoLoop {
  attach(socket: NativeSocket): number
  detach(socket: NativeSocket): void
  setPeriodic(id: number, socket: NativeSocket, bytes: Uint8Array, destination: Uint8Array | null,
    intervalUs: number, firstAtUs: number, count: number): void
  clearPeriodic(id: number): boolean
  periodicInfo(id: number): NativePeriodicInfo | null
  setWatch(id: number, socket: NativeVrrpSocket, source: Uint8Array, bytes: Uint8Array,
    timeoutUs: number, firstDeadlineUs: number): void
  watchInfo(id: number): NativeWatchInfo | null
  clearWatch(id: number): boolean
  setTimer(id: number, atUs: number): void
  clearTimer(id: number): boolean
  pending(): number
  consume(count: number): void
  stats(): NativeLoopStats
  setRealtimePriority(priority: number): void
  setLatencySlice(sliceUs: number): number
  ref(): void
  unref(): void
  close(): void
}

export interface NativeInterfaceInfo {
  index: number
  mac: Buffer
  mtu: number
  flags: number
}

export interface NativeBinding {
  VrrpSocket: new (options: { family: 4 | 6, ifname: string, netns?: string, multicast?: boolean,
    source?: Uint8Array, receive?: boolean }) => NativeVrrpSocket
  PacketSocket: new (options: { ifname: string, netns?: string, protocol?: number,
    ignoreOutgoing?: boolean }) => NativePacketSocket
  NetlinkSocket: new (options?: { netns?: string, groups?: number }) => NativeNetlinkSocket
  IoLoop: new (ring: ArrayBuffer, slotSize: number, onWake: () => void) => NativeIoLoop
  monotonicUs(): number
  interfaceInfo(ifname: string, netns?: string): NativeInterfaceInfo
  /** posix_spawn in a new session (stdio /dev/null); onExit once, on this thread: (code, null) or (null, signal number); code -1 when the status was lost. */
  spawnDetached(argv: readonly string[], env: readonly string[] | null, onExit: (code: number | null, signal: number | null) => void): number
  readonly abiVersion: number
  readonly sourceHash: string
  readonly recordHeaderSize: number
}

/** The ABI version these types describe; the addon must report the same. */
export const EXPECTED_ABI_VERSION = 2

const require = createRequire(import.meta.url)
// src/native/binding.ts and dist/src/native/binding.js: the package root is the same distance up.
const PACKAGE_ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url))

interface NodeGypBuild {
  (dir: string): unknown
  resolve(dir: string): string
}

const nodeGypBuild = require('node-gyp-build') as NodeGypBuild

/** Path of the addon binary that loading picks (build/Release, or prebuilds/ when absent). */
export function bindingPath (): string {
  return nodeGypBuild.resolve(PACKAGE_ROOT)
}

export const packageRoot = PACKAGE_ROOT

export const binding: NativeBinding = (() => {
  const loaded = nodeGypBuild(PACKAGE_ROOT) as NativeBinding
  if (loaded.abiVersion !== EXPECTED_ABI_VERSION) {
    throw new Error(`floatip addon ABI ${loaded.abiVersion} does not match ${EXPECTED_ABI_VERSION}: ` +
      `rebuild it with "npm run build:native" (${bindingPath()})`)
  }
  return loaded
})()

// What crossed a lab interface, for tests of what floatip puts on the wire: frame-capture.py runs
// in the node's namespace (an AF_PACKET socket, both directions, kernel timestamps, the kernel's
// queue order) and its ARP and VRRP frames are decoded here. Stopped at the test's teardown too.
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { onLines, waitFor, type Lab } from '../../src/lab/index.js'

const SCRIPT = fileURLToPath(new URL('./frame-capture.py', import.meta.url))
const MAX_SECONDS = 30
const STOP_WAIT_MS = 3000
const PACKET_OUTGOING = 4

export interface CapturedFrame {
  /** Kernel timestamp (CLOCK_REALTIME), µs. */
  atUs: number
  /** Sent by the captured node (else received). */
  outgoing: boolean
  sourceMac: string
  /** ARP: operation (1 request, 2 reply), sender and target IPv4 addresses. */
  arp?: { op: number, senderIp: string, targetIp: string }
  /** VRRP: the IPv4 source and the advert's priority. */
  vrrp?: { source: string, priority: number }
}

const mac = (b: Buffer, at: number): string => [...b.subarray(at, at + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':')
const ipv4 = (b: Buffer, at: number): string => [...b.subarray(at, at + 4)].join('.')

export function parseFrame (line: string): CapturedFrame | null {
  const [ns, type, hex] = line.split(' ')
  if (hex === undefined) return null
  const b = Buffer.from(hex, 'hex')
  const frame: CapturedFrame = { atUs: Number(BigInt(ns) / 1000n), outgoing: Number(type) === PACKET_OUTGOING, sourceMac: mac(b, 6) }
  if (b.readUInt16BE(12) === 0x0806) frame.arp = { op: b.readUInt16BE(20), senderIp: ipv4(b, 28), targetIp: ipv4(b, 38) }
  else frame.vrrp = { source: ipv4(b, 26), priority: b[14 + (b[14] & 0x0f) * 4 + 2] }
  return frame
}

export class FrameCapture {
  readonly #lab: Lab
  readonly #child: ChildProcess
  readonly #lines: string[] = []
  readonly #closed: Promise<void>

  /** Captures on `node`'s interface on `lan` (default 0) until stop() (at most 30 s). Await ready() first. */
  constructor (t: Test, lab: Lab, node: string, lan = 0) {
    this.#lab = lab
    this.#child = lab.spawn(node, ['python3', SCRIPT, lab.node(node).links[lan].ifname, String(MAX_SECONDS)], { stdio: ['ignore', 'pipe', 'pipe'] })
    onLines(this.#child.stdout, (line) => this.#lines.push(line))
    this.#closed = new Promise((resolve) => this.#child.stdout?.once('close', () => resolve()))
    t.teardown(() => this.stop())
  }

  async ready (): Promise<void> {
    await waitFor(() => {
      if (this.#child.exitCode !== null) throw new Error(`frame-capture.py exited with code ${this.#child.exitCode}`)
      return this.#lines.includes('ready')
    }, { timeoutMs: 5000, intervalMs: 5, what: 'the frame capture to start' })
  }

  /** Ends the capture and returns its frames in capture order. */
  async stop (): Promise<CapturedFrame[]> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#lab.kill(this.#child, 'SIGTERM')
      if (!await this.#lab.waitExit(this.#child, STOP_WAIT_MS)) throw new Error('frame-capture.py did not stop')
    }
    await this.#closed // the frames are written at the end: read them all
    return this.#lines.filter((l) => l !== 'ready').map(parseFrame).filter((f): f is CapturedFrame => f !== null)
  }
}

/** Gratuitous ARP: a frame whose sender and target addresses are the same. */
export function isGarp (f: CapturedFrame): boolean {
  return f.arp !== undefined && f.arp.senderIp === f.arp.targetIp
}

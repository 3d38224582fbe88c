// The kernel's view of a node's raw VRRP sockets (/proc/net/raw, IP protocol 112 = 0x70): how
// much each holds and how many datagrams it dropped because its receive buffer was full. Read
// only; for tests and benches.
import type { Lab, NsRef } from './lab.js'

export interface RawSocketInfo {
  /** Bound local address, as the kernel prints it (hex, "00000000" when unbound). */
  local: string
  /** Bytes queued, as the kernel counts them against the receive buffer. */
  rxQueue: number
  drops: number
}

export function parseProcNetRaw (text: string): RawSocketInfo[] {
  return text.split('\n').slice(1).map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(':0070') === true)
    .map((f) => ({ local: f[1].slice(0, -5), rxQueue: parseInt(f[4]?.split(':')[1] ?? '0', 16), drops: Number(f[f.length - 1]) }))
}

export async function vrrpRawSockets (lab: Lab, node: NsRef): Promise<RawSocketInfo[]> {
  return parseProcNetRaw((await lab.run(node, ['cat', '/proc/net/raw'])).stdout)
}

/** Datagrams the kernel dropped at `node`'s VRRP raw sockets, all together. */
export async function vrrpRawDrops (lab: Lab, node: NsRef): Promise<number> {
  return (await vrrpRawSockets(lab, node)).reduce((sum, s) => sum + s.drops, 0)
}

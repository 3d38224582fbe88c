// The demo's client probe, run as its own process inside the client namespace:
//   node client-probe.js <address> <port> <intervalMs>
// Every intervalMs it opens a TCP connection to a closed port of <address>. Whoever holds the VIP
// answers at once with a RST (the kernel does, no listener needed). It prints one line per
// attempt sent, "s <seq> <epoch ms>", and one per answer, "a <seq> <epoch ms>"; an attempt left
// unanswered (the VIP is nowhere, or behind a pulled cable) is dropped after PENDING_MS. Sends
// tell apart an outage (attempts go out, no answers come) from a probe that was not scheduled
// (no attempts at all), which on a busy 2-core VM happens for a few ms now and then.
//
// Why not `ping -i 0.002`: iputils ping busy-waits (sched_yield) between probes shorter than
// 10 ms, a whole core of a small VM, and while a reply is outstanding it sleeps 10 ms instead:
// it probes every 2 ms while the VIP answers and every 10 ms during the outage it is meant to
// time, so it overstates an outage by up to 10 ms. Each attempt here is independent of the last.
// Must not: run outside a lab namespace (probe.ts starts it through lab.spawn).
import { connect } from 'node:net'

const PENDING_MS = 500

function main (argv: string[]): void {
  const [address, portText, intervalText] = argv
  const port = Number(portText)
  const intervalMs = Number(intervalText)
  if (address === undefined || !(port > 0) || !(intervalMs > 0)) {
    process.stderr.write('usage: client-probe <address> <port> <intervalMs>\n')
    process.exit(2)
  }
  const stamp = (): string => (performance.timeOrigin + performance.now()).toFixed(3)
  let seq = 0
  const probe = (): void => {
    const id = ++seq
    process.stdout.write(`s ${id} ${stamp()}\n`)
    const socket = connect({ host: address, port, timeout: PENDING_MS })
    const answered = (): void => { process.stdout.write(`a ${id} ${stamp()}\n`); socket.destroy() }
    socket.on('error', (err: Error & { code?: string }) => { if (err.code === 'ECONNREFUSED') answered() })
    socket.on('connect', answered)
    socket.on('timeout', () => socket.destroy())
  }
  setInterval(probe, intervalMs)
  process.once('SIGINT', () => process.exit(0))
  process.once('SIGTERM', () => process.exit(0))
}

main(process.argv.slice(2))

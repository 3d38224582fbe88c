// The client of the failover benches, run inside the client namespace
// (`node dist/bench/lib/prober.js TARGET PORT [INTERVAL_US] [GAP_US]`): sends a numbered UDP
// datagram to TARGET:PORT every INTERVAL_US (default 1000) and timestamps every reply on
// CLOCK_MONOTONIC (process.hrtime, the clock floatip's atUs and the native receive timestamps
// use). Node's timers tick at ~1.1-1.2 ms, so a worker thread keeps the pace with Atomics.wait
// (sub-millisecond sleeps) and wakes the main thread, which sends. It prints JSON lines on stdout:
//   {"t":"reply","us":..,"from":"r1"}                      the first reply
//   {"t":"gap","prevUs":..,"prevFrom":"r1","us":..,"from":"r2"}
//        a reply that came more than GAP_US after the previous one, or from another router
//   {"t":"status","us":..,"from":"r1","lastUs":..,"replies":n,"sent":n,"startUs":..}   every 20 ms
// Must not: interpret anything (the bench does).
import { createSocket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import { Worker } from 'node:worker_threads'

const [target = '', portText = '7', intervalText = '1000', gapText = '2500'] = process.argv.slice(2)
const port = Number(portText)
const intervalUs = Number(intervalText)
const gapUs = Number(gapText)
const STATUS_MS = 20

const nowUs = (): number => Number(process.hrtime.bigint() / 1000n)
const emit = (event: Record<string, unknown>): void => { process.stdout.write(JSON.stringify(event) + '\n') }

const socket = createSocket(isIPv6(target) ? 'udp6' : 'udp4')
let seq = 0n
let sent = 0
let replies = 0
let last: { us: number, from: string } | null = null
const payload = Buffer.alloc(8)

socket.on('message', (message) => {
  const us = nowUs()
  const from = message.subarray(8).toString()
  replies++
  if (last === null) emit({ t: 'reply', us, from })
  else if (us - last.us > gapUs || from !== last.from) emit({ t: 'gap', prevUs: last.us, prevFrom: last.from, us, from })
  last = { us, from }
})
socket.on('error', () => {}) // ICMP errors and unreachable neighbours: a missing reply is the signal

function send (): void {
  payload.writeBigUInt64BE(seq++)
  sent++
  socket.send(payload, port, target, () => {})
}

// The pacer: sleeps to each deadline on its own thread and posts a tick; ticks that arrive less
// than half an interval after the previous send are dropped, so a stalled main thread does not burst.
const PACER = `
const { parentPort, workerData } = require('node:worker_threads')
const cell = new Int32Array(new SharedArrayBuffer(4))
const intervalNs = BigInt(workerData.intervalUs) * 1000n
let next = process.hrtime.bigint()
for (;;) {
  next += intervalNs
  const now = process.hrtime.bigint()
  if (next < now) next = now
  else Atomics.wait(cell, 0, 0, Number(next - now) / 1e6)
  parentPort.postMessage(0)
}`

socket.bind(0, () => {
  const startUs = nowUs()
  let lastSendUs = 0
  const pacer = new Worker(PACER, { eval: true, workerData: { intervalUs } })
  pacer.on('message', () => {
    const us = nowUs()
    if (us - lastSendUs < intervalUs / 2) return
    lastSendUs = us
    send()
  })
  pacer.unref()
  setInterval(() => { emit({ t: 'status', us: nowUs(), from: last?.from ?? null, lastUs: last?.us ?? 0, replies, sent, startUs }) }, STATUS_MS)
  emit({ t: 'ready', us: startUs })
})
process.on('SIGTERM', () => process.exit(0))

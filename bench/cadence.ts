// Bench: advert cadence at a 10 ms period, measured on the wire (kernel receive timestamps in a
// peer namespace), floatip's native I/O thread side by side with keepalived 2.2.7 (VRRPv3,
// advert_int 0.01) in the same lab and the same time window: once with the JS main thread idle,
// once while it is blocked for 1 s at a time. floatip runs twice at once: its I/O thread on the
// normal scheduler, and with realtimePriority (SCHED_FIFO, keepalived's vrrp_rt_priority); keepalived
// runs with its defaults. Prints a table, writes bench/results/cadence.json.
// Run: npm run build:ts && node dist/bench/cadence.js [--seconds N]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, cpus, release } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLab, waitFor } from '../src/lab/index.js'
import { IoLoop, VrrpSocket, monotonicUs } from '../src/native/index.js'
import { encodeAdvertOrThrow } from '../src/protocol/vrrp-codec.js'
import { parseIpOrThrow } from '../src/protocol/ip-address.js'
import { intervals, summarize } from './stats.js'
import type { Summary } from './stats.js'

const INTERVAL_US = 10_000
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 3

interface Row {
  daemon: 'floatip' | 'floatip-fifo' | 'keepalived'
  mainThread: 'idle' | 'blocked'
  adverts: number
  meanIntervalUs: number
  /** |interval - 10 ms| */
  intervalDeviationUs: Summary
  /** |arrival - scheduled time| (floatip only: keepalived's schedule is not observable) */
  scheduleDeviationUs: Summary | null
}

function keepalivedConfig (): string {
  return [
    'global_defs {', '  router_id fip_bench', '  vrrp_version 3', '}',
    'vrrp_instance BENCH {', '  state MASTER', '  interface eth0', '  virtual_router_id 77',
    '  priority 255', '  advert_int 0.01', '  virtual_ipaddress {', '    192.0.2.230/32', '  }', '}', ''
  ].join('\n')
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function block (ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

async function main (): Promise<void> {
  const lab = await createLab({ routers: 4, client: false, ipv6: false })
  const dir = mkdtempSync(join(tmpdir(), 'fip-bench-'))
  const loop = new IoLoop()
  const fifoLoop = new IoLoop({ realtimePriority: 10 })
  // The receiver gets its own loop with room for 3 senders x 100/s while JS is blocked for 1 s.
  const rxLoop = new IoLoop({ slots: 1024, slotSize: 1024 })
  try {
    const [r1, r2, r3, r4] = [lab.node('r1'), lab.node('r2'), lab.node('r3'), lab.node('r4')]
    writeFileSync(join(dir, 'keepalived.conf'), keepalivedConfig())
    lab.spawn('r3', ['keepalived', '-n', '-l', '-P', '-f', join(dir, 'keepalived.conf'),
      '-p', join(dir, 'keepalived.pid'), '-r', join(dir, 'vrrp.pid')], { stdio: 'ignore' })

    const rx = new VrrpSocket({ family: 4, interface: r2.ifname, netns: r2.ns })
    const tx = new VrrpSocket({ family: 4, interface: r1.ifname, netns: r1.ns, source: r1.ipv4 })
    const txFifo = new VrrpSocket({ family: 4, interface: r4.ifname, netns: r4.ns, source: r4.ipv4 })
    const arrivals: Record<string, number[]> = { [r1.ipv4]: [], [r3.ipv4]: [], [r4.ipv4]: [] }
    rxLoop.attach(rx, (p) => {
      const src = `${p.source[0]}.${p.source[1]}.${p.source[2]}.${p.source[3]}`
      arrivals[src]?.push(p.receivedUs)
    })
    await waitFor(() => arrivals[r3.ipv4].length > 20, { timeoutMs: 15_000, what: 'keepalived to become master and advertise' })

    const advert = encodeAdvertOrThrow({ version: 3, vrid: 51, priority: 255, maxAdverIntCs: 1, addresses: ['192.0.2.231'] },
      { family: 'ipv4', sourceAddress: parseIpOrThrow(r1.ipv4).bytes, destinationAddress: parseIpOrThrow('224.0.0.18').bytes })
    const startUs = monotonicUs() + 50_000
    loop.startPeriodic(tx, advert, { intervalUs: INTERVAL_US, firstAtUs: startUs })
    const advertFifo = encodeAdvertOrThrow({ version: 3, vrid: 52, priority: 255, maxAdverIntCs: 1, addresses: ['192.0.2.232'] },
      { family: 'ipv4', sourceAddress: parseIpOrThrow(r4.ipv4).bytes, destinationAddress: parseIpOrThrow('224.0.0.18').bytes })
    fifoLoop.startPeriodic(txFifo, advertFifo, { intervalUs: INTERVAL_US, firstAtUs: startUs })
    await sleep(300)

    const rows: Row[] = []
    const measure = async (mainThread: 'idle' | 'blocked') => {
      const windows: Array<[number, number]> = []
      for (let i = 0; i < seconds; i++) {
        const from = monotonicUs()
        if (mainThread === 'blocked') block(1000)
        else await sleep(1000)
        windows.push([from, monotonicUs()])
        await sleep(100) // let JS drain the ring between windows
      }
      for (const [daemon, src] of [['floatip', r1.ipv4], ['floatip-fifo', r4.ipv4], ['keepalived', r3.ipv4]] as const) {
        const gaps: number[] = []
        const schedule: number[] = []
        let count = 0
        for (const [from, to] of windows) {
          const inWindow = arrivals[src].filter((us) => us >= from && us <= to)
          count += inWindow.length
          gaps.push(...intervals(inWindow))
          if (daemon !== 'keepalived') {
            schedule.push(...inWindow.map((us) => Math.abs(us - (startUs + Math.round((us - startUs) / INTERVAL_US) * INTERVAL_US))))
          }
        }
        rows.push({
          daemon,
          mainThread,
          adverts: count,
          meanIntervalUs: gaps.reduce((s, g) => s + g, 0) / (gaps.length || 1),
          intervalDeviationUs: summarize(gaps.map((g) => Math.abs(g - INTERVAL_US))),
          scheduleDeviationUs: daemon !== 'keepalived' ? summarize(schedule) : null
        })
      }
    }
    await measure('idle')
    await measure('blocked')
    const dropped = rxLoop.stats().rxDroppedRingFull
    if (dropped > 0) console.warn(`warning: the receiver dropped ${dropped} adverts (ring full)`)
    report(rows, loop.stats().txMissedIntervals + fifoLoop.stats().txMissedIntervals)
  } finally {
    loop.close()
    fifoLoop.close()
    rxLoop.close()
    await lab.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
}

function report (rows: Row[], missed: number): void {
  const f = (us: number) => (us / 1000).toFixed(3)
  console.log(`\nAdvert cadence at 10 ms, ${seconds} x 1 s windows per row (ms; deviation = |interval - 10 ms|)\n`)
  console.log('daemon         JS main   adverts  mean-int  dev-p50  dev-p99  dev-max  sched-p99  sched-max')
  for (const r of rows) {
    console.log([
      r.daemon.padEnd(14), r.mainThread.padEnd(8), String(r.adverts).padStart(8), f(r.meanIntervalUs).padStart(9),
      f(r.intervalDeviationUs.p50).padStart(8), f(r.intervalDeviationUs.p99).padStart(8), f(r.intervalDeviationUs.max).padStart(8),
      (r.scheduleDeviationUs ? f(r.scheduleDeviationUs.p99) : '-').padStart(10), (r.scheduleDeviationUs ? f(r.scheduleDeviationUs.max) : '-').padStart(10)
    ].join(' '))
  }
  const idle = (d: string) => rows.find((r) => r.daemon === d && r.mainThread === 'idle')
  const ratio = (idle('keepalived')?.intervalDeviationUs.p99 ?? NaN) / (idle('floatip')?.intervalDeviationUs.p99 ?? NaN)
  const ratioFifo = (idle('keepalived')?.intervalDeviationUs.p99 ?? NaN) / (idle('floatip-fifo')?.intervalDeviationUs.p99 ?? NaN)
  console.log(`\nkeepalived/floatip interval-deviation p99 ratio (idle JS): ${ratio.toFixed(1)} (normal), ${ratioFifo.toFixed(1)} (SCHED_FIFO); floatip missed intervals: ${missed}`)
  const out = fileURLToPath(new URL('../../bench/results/', import.meta.url))
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'cadence.json'), JSON.stringify({
    bench: 'cadence', date: new Date().toISOString(), node: process.version, kernel: release(), cpus: cpus().length,
    intervalUs: INTERVAL_US, windowsPerRow: seconds, rows, floatipMissedIntervals: missed, p99RatioIdle: ratio, p99RatioIdleFifo: ratioFifo
  }, null, 2) + '\n')
  console.log(`wrote ${join(out, 'cadence.json')}`)
}

await main()

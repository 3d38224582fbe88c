// Bench: start-up, floatip against keepalived 2.2.7 in the same lab. r1 alone runs N VRRPv3
// instances (state MASTER, priority 200, advert_int 0.01) from one generated keepalived.conf; from
// the spawn of the process we time its first advert on the wire, the moment every instance has
// advertised, the first VIP in the kernel, and the client's first UDP reply through VI_1's VIP.
// Each run starts from a clean node (no VIPs) and ends with SIGTERM. Prints a table, writes
// bench/results/start.json. Run: npm run build:ts && node dist/bench/start.js [--quick] [--reps N]
import { createLab, keepalivedConf, LabDaemons, waitFor, type Lab } from '../src/lab/index.js'
import { parseArgs } from './lib/args.js'
import { Probe } from './lib/probe.js'
import { markdownTable, ratio, spread, writeResults } from './lib/report.js'
import { Router, type DaemonKind } from './lib/routers.js'
import { Wire } from './lib/wire.js'
import { summarize, type Summary } from './stats.js'

const DAEMONS: readonly DaemonKind[] = ['floatip', 'keepalived']
const TIMEOUT_MS = 30_000

interface Sample {
  daemon: DaemonKind
  instances: number
  rep: number
  firstAdvertUs?: number
  allAdvertisingUs?: number
  firstVipUs?: number
  clientReplyUs?: number
  error?: string
}

const sleep = async (msec: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, msec))

/** VI_1 gets the lab's first VIP (the client probes it); the others 203.0.113.0/24. */
function config (lab: Lab, instances: number): string {
  return keepalivedConf({
    routerId: 'r1',
    instances: Array.from({ length: instances }, (_, i) => ({
      name: `VI_${i + 1}`, state: 'MASTER' as const, vrid: i + 1, priority: 200, advertInt: 0.01, version: 3 as const,
      vips: [i === 0 ? `${lab.vip4(0)}/32` : `203.0.113.${i}/32`]
    }))
  })
}

async function run (lab: Lab, router: Router, wire: Wire, probe: Probe, daemon: DaemonKind, instances: number, rep: number): Promise<Sample> {
  const sample: Sample = { daemon, instances, rep }
  try {
    wire.clear()
    const d = router.start(daemon, config(lab, instances))
    const t0 = router.startedUs
    const vrids = (): number => new Set(wire.adverts.filter((a) => a.router === 'r1' && a.us > t0).map((a) => a.vrid)).size
    await waitFor(() => vrids() === instances || d.child.exitCode !== null, { timeoutMs: TIMEOUT_MS, intervalMs: 5, what: `${daemon}: ${instances} instances advertising` })
    await probe.waitServed('r1', 20, TIMEOUT_MS)
    const firsts = new Map<number, number>()
    for (const a of wire.adverts) if (a.router === 'r1' && a.us > t0 && !firsts.has(a.vrid)) firsts.set(a.vrid, a.us)
    const times = [...firsts.values()]
    sample.firstAdvertUs = Math.min(...times) - t0
    sample.allAdvertisingUs = Math.max(...times) - t0
    const vip = wire.addresses.find((e) => e.router === 'r1' && e.added && e.us > t0 && e.address === lab.vip4(0))
    if (vip !== undefined) sample.firstVipUs = vip.us - t0
    // The prober's very first reply is not a gap: it is reported on its own.
    const first = probe.firstReply !== null && probe.firstReply.us > t0 ? probe.firstReply.us : probe.outageAfter(t0, 'r1')?.firstUs
    if (first !== undefined) sample.clientReplyUs = first - t0
  } catch (err) {
    sample.error = (err as Error).message
  } finally {
    await router.stopDaemon()
    // A clean node for the next run (SIGTERM removes the VIPs; this checks it did).
    await waitFor(async () => !(await lab.addresses('r1', 'eth0')).some((a) => a.address === lab.vip4(0)), { timeoutMs: 5_000, what: 'r1 to release the VIP' })
    await sleep(100)
  }
  return sample
}

async function main (): Promise<void> {
  const args = parseArgs()
  const reps = args.reps ?? (args.quick ? 3 : 4)
  const sizes = args.quick ? [1] : [1, 255]
  const lab = await createLab({ routers: 1, client: true, ipv6: false })
  const daemons = new LabDaemons(lab)
  const wire = new Wire(lab, ['r1'])
  const samples: Sample[] = []
  const probe = new Probe(lab, lab.vip4(0))
  try {
    const router = new Router(lab, daemons, 'r1')
    await router.startResponder()
    await probe.ready()
    for (const instances of sizes) {
      for (let rep = 0; rep < reps; rep++) {
        for (const daemon of rep % 2 === 0 ? DAEMONS : [...DAEMONS].reverse()) {
          const s = await run(lab, router, wire, probe, daemon, instances, rep)
          samples.push(s)
          const f = (us?: number): string => us === undefined ? '-' : (us / 1000).toFixed(1)
          console.log(`${String(instances).padStart(3)} instances ${daemon.padEnd(10)} ${s.error !== undefined ? `FAILED: ${s.error}` : `first advert ${f(s.firstAdvertUs)} ms, all advertising ${f(s.allAdvertisingUs)} ms, VIP ${f(s.firstVipUs)} ms, client ${f(s.clientReplyUs)} ms`}`)
        }
      }
    }
  } finally {
    await probe.stop()
    wire.close()
    await lab.destroy()
    daemons.close()
  }
  report(sizes, samples)
}

function report (sizes: number[], samples: Sample[]): void {
  const of = (daemon: DaemonKind, n: number, key: keyof Sample): Summary =>
    summarize(samples.filter((s) => s.daemon === daemon && s.instances === n && s.error === undefined).map((s) => s[key]).filter((v): v is number => typeof v === 'number'))
  const rows: string[][] = []
  const metrics: Array<[keyof Sample, string]> = [['firstAdvertUs', 'first advert'], ['allAdvertisingUs', 'every instance advertising'], ['firstVipUs', 'VI_1 VIP in the kernel'], ['clientReplyUs', 'client reply through VI_1']]
  for (const n of sizes) {
    for (const [key, label] of metrics) {
      const fl = of('floatip', n, key)
      const ka = of('keepalived', n, key)
      rows.push([String(n), label, spread(fl), spread(ka), ratio(fl.p50, ka.p50)])
    }
  }
  const table = markdownTable(['instances', 'from process start to', 'floatip min / p50 / p90 / max', 'keepalived min / p50 / p90 / max', 'p50 fl/ka'], rows)
  console.log('\nStart-up (ms), state MASTER, priority 200, advert_int 0.01, no peer\n')
  console.log(table)
  const failed = samples.filter((s) => s.error !== undefined)
  console.log(`\n${samples.length} runs, ${failed.length} failed`)
  const path = writeResults('start', { sizes, samples, table })
  console.log(`wrote ${path}`)
}

await main()

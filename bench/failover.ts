// Bench: failover, floatip against keepalived 2.2.7 in the same lab and the same run. A client
// namespace probes the VIP over UDP every ~1 ms (bench/lib/prober.ts) and records which router
// answered; r1 (MASTER, priority 200) and r2 (BACKUP, priority 100) run floatip or keepalived from
// the same generated keepalived.conf, alternating daemon by daemon. Faults on r1: SIGKILL of the
// daemon and its service (crash), SIGTERM (graceful, priority 0), carrier loss (link down), a
// failing track_script (weight 0: FAULT), and r1's return (preempt). Prints the outage table with the protocol's bound and the detection/takeover split;
// writes bench/results/failover.json with every sample.
// Run: npm run build:ts && node dist/bench/failover.js [--quick] [--reps N] [--slow-reps N] [--only id,id] [--scenarios crash,preempt]
import { chmodSync, writeFileSync } from 'node:fs'
import { createLab, keepalivedConf, LabDaemons, type Lab } from '../src/lab/index.js'
import { masterDownIntervalUs, skewTimeUs } from '../src/core/index.js'
import { canonicalIp } from '../src/protocol/ip-address.js'
import { runCycle, trackScriptFiles, type CycleContext, type FailoverConfig, type Sample, type Scenario } from './failover-cycle.js'
import { parseArgs } from './lib/args.js'
import { Probe } from './lib/probe.js'
import { markdownTable, ms, ratio, spread, writeResults } from './lib/report.js'
import { Router, type DaemonKind } from './lib/routers.js'
import { Wire } from './lib/wire.js'
import { summarize, type Summary } from './stats.js'

const DAEMONS: readonly DaemonKind[] = ['floatip', 'keepalived']
const TRACK_INTERVAL_S = 1 // keepalived's smallest vrrp_script interval

function configs (): FailoverConfig[] {
  const args = parseArgs()
  const fast = args.reps ?? (args.quick ? 3 : 10)
  const medium = args.reps ?? 6
  const slow = args.slowReps ?? 3
  const all: FailoverConfig[] = args.quick
    ? [{ id: 'v3-10ms', version: 3, advertInt: 0.01, family: 'ipv4', unicast: false, scenarios: ['crash', 'graceful', 'link-down', 'track-script', 'preempt'], cycles: fast }]
    : [
        { id: 'v3-10ms', version: 3, advertInt: 0.01, family: 'ipv4', unicast: false, scenarios: ['crash', 'graceful', 'link-down', 'track-script', 'preempt'], cycles: fast },
        { id: 'v3-50ms', version: 3, advertInt: 0.05, family: 'ipv4', unicast: false, scenarios: ['crash', 'graceful', 'preempt'], cycles: medium },
        { id: 'v3-100ms', version: 3, advertInt: 0.1, family: 'ipv4', unicast: false, scenarios: ['crash', 'graceful', 'preempt'], cycles: medium },
        { id: 'v3-1s', version: 3, advertInt: 1, family: 'ipv4', unicast: false, scenarios: ['crash', 'graceful', 'preempt'], cycles: slow },
        { id: 'v2-1s', version: 2, advertInt: 1, family: 'ipv4', unicast: false, scenarios: ['crash', 'graceful'], cycles: slow },
        { id: 'v3-10ms-unicast', version: 3, advertInt: 0.01, family: 'ipv4', unicast: true, scenarios: ['crash', 'graceful', 'link-down', 'preempt'], cycles: medium },
        { id: 'v3-10ms-ipv6', version: 3, advertInt: 0.01, family: 'ipv6', unicast: false, scenarios: ['crash', 'graceful', 'preempt'], cycles: medium }
      ]
  const chosen = args.only === undefined ? all : all.filter((c) => args.only?.includes(c.id))
  const keep = args.scenarios
  return keep === undefined ? chosen : chosen.map((c) => ({ ...c, scenarios: c.scenarios.filter((s) => keep.includes(s)) }))
}

function describe (c: FailoverConfig): string {
  const interval = c.advertInt >= 1 ? `${c.advertInt} s` : `${Math.round(c.advertInt * 1000)} ms`
  return `v${c.version} ${interval} ${c.unicast ? 'unicast' : 'multicast'} ${c.family === 'ipv4' ? 'IPv4' : 'IPv6'}`
}

function nodeConfig (lab: Lab, c: FailoverConfig, router: 'r1' | 'r2', vipSpec: string, trackScript: string | null): string {
  const self = lab.node(router)
  const peer = lab.node(router === 'r1' ? 'r2' : 'r1')
  const address = (n: typeof self): string => (c.family === 'ipv4' ? n.ipv4 : n.ipv6) ?? ''
  const track = router === 'r1' && trackScript !== null
  return keepalivedConf({
    routerId: router,
    globalExtra: track ? ['enable_script_security', 'script_user root'] : [],
    sections: track ? ['vrrp_script chk_bench {', `    script "${trackScript}"`, `    interval ${TRACK_INTERVAL_S}`, '    fall 1', '    rise 1', '}'] : [],
    instances: [{
      name: 'VI_1',
      state: router === 'r1' ? 'MASTER' : 'BACKUP',
      vrid: 51,
      priority: router === 'r1' ? 200 : 100,
      advertInt: c.advertInt,
      version: c.version,
      vips: [vipSpec],
      ...(c.unicast ? { unicastSrcIp: address(self), unicastPeers: [address(peer)] } : {}),
      extra: track ? ['track_script {', '    chk_bench', '}'] : []
    }]
  })
}

/** r1's check: fails while the fail file exists, and first writes the time it failed. */
function writeTrackScript (files: ReturnType<typeof trackScriptFiles>): void {
  writeFileSync(files.script, ['#!/bin/sh', `[ -e ${files.failFile} ] || exit 0`, `[ -e ${files.markFile} ] || date +%s%N > ${files.markFile}`, 'exit 1', ''].join('\n'))
  chmodSync(files.script, 0o755)
}

async function main (): Promise<void> {
  const list = configs()
  const lab = await createLab({ routers: 2, client: true, ipv6: true })
  const daemons = new LabDaemons(lab)
  const wire = new Wire(lab, ['r1', 'r2'])
  const samples: Sample[] = []
  const probeIntervalsUs: Record<string, number> = {}
  const configSeconds: Record<string, number> = {}
  const startedMs = Date.now()
  try {
    const routers = { r1: new Router(lab, daemons, 'r1'), r2: new Router(lab, daemons, 'r2') }
    const files = trackScriptFiles(daemons.dir)
    writeTrackScript(files)
    for (const config of list) {
      const vipSpec = config.family === 'ipv4' ? `${lab.vip4(0)}/32` : `${lab.vip6(0)}/128`
      const vip = canonicalIp(vipSpec.split('/')[0]) ?? ''
      const track = config.scenarios.includes('track-script') ? files : null
      const probe = new Probe(lab, vip)
      const configStartMs = Date.now()
      try {
        await probe.ready()
        const ctx: CycleContext = {
          lab, daemons, wire, probe, config, vip, vipSpec, routers, track,
          configs: { r1: nodeConfig(lab, config, 'r1', vipSpec, track?.script ?? null), r2: nodeConfig(lab, config, 'r2', vipSpec, null) }
        }
        for (let cycle = 0; cycle < config.cycles; cycle++) {
          // Alternate who goes first, so slow drifts of the machine hit both daemons alike.
          for (const daemon of cycle % 2 === 0 ? DAEMONS : [...DAEMONS].reverse()) {
            const from = samples.length
            await runCycle(ctx, daemon, cycle, samples)
            console.log(`${config.id.padEnd(16)} ${daemon.padEnd(10)} cycle ${cycle + 1}/${config.cycles}: ${samples.slice(from).map((s) => s.ok ? `${s.scenario} ${ms(s.outageUs)}` : `${s.scenario} FAILED (${s.error ?? ''})`).join(', ')}`)
          }
        }
        probeIntervalsUs[config.id] = probe.meanIntervalUs()
        configSeconds[config.id] = (Date.now() - configStartMs) / 1000
      } finally {
        await probe.stop()
      }
    }
  } finally {
    wire.close()
    await lab.destroy()
    daemons.close()
  }
  report(list, samples, { probeIntervalsUs, configSeconds }, (Date.now() - startedMs) / 1000)
}

interface Row {
  config: string
  scenario: Scenario
  daemon: DaemonKind
  samples: number
  failures: number
  boundUs: number | null
  outageUs: Summary
  faultToAdvertUs: Summary
  masterToAdvertUs: Summary
  vipToAdvertUs: Summary
  advertToGarpUs: Summary
  garpToClientUs: Summary
  faultToClientUs: Summary
}

function bound (c: FailoverConfig, scenario: Scenario): number | null {
  const cs = Math.round(c.advertInt * 100)
  if (scenario === 'crash' || scenario === 'link-down') return masterDownIntervalUs(c.version, 100, cs)
  if (scenario === 'graceful' || scenario === 'track-script') return skewTimeUs(c.version, 100, cs)
  return null
}

function rows (list: FailoverConfig[], samples: Sample[]): Row[] {
  const out: Row[] = []
  const pick = (xs: Sample[], key: keyof Sample): Summary => summarize(xs.map((s) => s[key]).filter((v): v is number => typeof v === 'number'))
  for (const c of list) {
    for (const scenario of [...c.scenarios.filter((s) => s !== 'preempt'), ...c.scenarios.filter((s) => s === 'preempt')]) {
      for (const daemon of DAEMONS) {
        const mine = samples.filter((s) => s.config === c.id && s.scenario === scenario && s.daemon === daemon)
        const ok = mine.filter((s) => s.ok)
        out.push({
          config: c.id, scenario, daemon, samples: ok.length, failures: mine.length - ok.length, boundUs: bound(c, scenario),
          outageUs: pick(ok, 'outageUs'),
          faultToAdvertUs: pick(ok, 'faultToAdvertUs'),
          masterToAdvertUs: pick(ok, 'masterToAdvertUs'),
          vipToAdvertUs: pick(ok, 'vipToAdvertUs'),
          advertToGarpUs: pick(ok, 'advertToGarpUs'),
          garpToClientUs: pick(ok, 'garpToClientUs'),
          faultToClientUs: pick(ok, 'faultToClientUs')
        })
      }
    }
  }
  return out
}

function report (list: FailoverConfig[], samples: Sample[], run: { probeIntervalsUs: Record<string, number>, configSeconds: Record<string, number> }, seconds: number): void {
  const { probeIntervalsUs, configSeconds } = run
  const all = rows(list, samples)
  const find = (c: string, s: Scenario, d: DaemonKind): Row | undefined => all.find((r) => r.config === c && r.scenario === s && r.daemon === d)
  const cell = (r: Row | undefined): string => {
    if (r === undefined || (r.samples === 0 && r.failures === 0)) return '-'
    return `${spread(r.outageUs)} (${r.samples}${r.failures > 0 ? `, ${r.failures} failed` : ''})`
  }
  const outageRows: string[][] = []
  const splitRows: string[][] = []
  for (const c of list) {
    for (const scenario of [...new Set(all.filter((r) => r.config === c.id).map((r) => r.scenario))]) {
      const f = find(c.id, scenario, 'floatip')
      const k = find(c.id, scenario, 'keepalived')
      const b = bound(c, scenario)
      outageRows.push([scenario, describe(c), b === null ? '-' : ms(b), cell(f), cell(k),
        ratio(f?.outageUs.p50, k?.outageUs.p50), ratio(f?.outageUs.p90, k?.outageUs.p90)])
      for (const r of [f, k]) {
        if (r === undefined || r.samples === 0) continue
        splitRows.push([scenario, describe(c), r.daemon, ms(r.faultToAdvertUs.p50), ms(r.masterToAdvertUs.p50), ms(r.vipToAdvertUs.p50, 2),
          ms(r.advertToGarpUs.p50, 2), ms(r.garpToClientUs.p50, 2), ms(r.faultToClientUs.p50)])
      }
    }
  }
  const outageTable = markdownTable(['scenario', 'config', 'bound', 'floatip min / p50 / p90 / max (n)', 'keepalived min / p50 / p90 / max (n)', 'p50 fl/ka', 'p90 fl/ka'], outageRows)
  const splitTable = markdownTable(['scenario', 'config', 'daemon', 'fault → new master advert', 'old master last advert → new advert', 'VIP added − advert', 'advert → GARP/NA', 'GARP/NA → client', 'fault → client'], splitRows)
  console.log('\nClient outage (ms): last reply before the gap to the first reply from the new master. Bound: Master_Down_Interval (crash, link down) or Skew_Time (graceful, track_script) for the backup\'s priority 100.\n')
  console.log(outageTable)
  console.log('\nWhere the time goes (medians, ms; timestamps from the wire at the switch ports, the kernel and the client)\n')
  console.log(splitTable)
  const targets = targetLines(list, all)
  if (targets.length > 0) console.log(`\nTargets (issue 6), this run:\n${targets.map((t) => `- ${t}`).join('\n')}`)
  const probeUs = Object.values(probeIntervalsUs)
  console.log(`\n${samples.length} samples, ${samples.filter((s) => !s.ok).length} failed, ${seconds.toFixed(0)} s; client probe interval ${ms(Math.min(...probeUs), 3)}-${ms(Math.max(...probeUs), 3)} ms`)
  console.log(`time per configuration: ${Object.entries(configSeconds).map(([id, s]) => `${id} ${s.toFixed(0)} s`).join(', ')}`)
  for (const s of samples.filter((x) => !x.ok)) console.log(`  failed: ${s.config} ${s.daemon} cycle ${s.cycle + 1} ${s.scenario}: ${s.error ?? ''}`)
  for (const s of samples.filter((x) => (x.strayAdverts ?? 0) > 0)) {
    console.log(`  ${s.config} ${s.daemon} cycle ${s.cycle + 1} ${s.scenario}: the old master sent ${s.strayAdverts ?? 0} advert(s) with priority > 0 after its priority-0 advert (first +${ms(s.strayAfterUs, 2)} ms): outage ${ms(s.outageUs)} ms`)
  }
  const path = writeResults('failover', { seconds, targets, configs: list, trackScriptIntervalS: TRACK_INTERVAL_S, probeIntervalsUs, configSeconds, rows: all, samples, tables: { outage: outageTable, split: splitTable } })
  console.log(`wrote ${path}`)
}

/** The issue's targets for floatip at advert_int 0.01 (multicast IPv4), judged on this run. */
function targetLines (list: FailoverConfig[], all: Row[]): string[] {
  const c = list.find((x) => x.id === 'v3-10ms')
  if (c === undefined) return []
  const out: string[] = []
  const row = (s: Scenario, d: DaemonKind): Row | undefined => all.find((r) => r.config === c.id && r.scenario === s && r.daemon === d)
  const crash = row('crash', 'floatip')
  const mdi = bound(c, 'crash') ?? NaN
  if (crash !== undefined && crash.samples > 0) {
    const limit = mdi + 2000
    out.push(`crash: floatip p90 ${ms(crash.outageUs.p90)} ms, bound + 2 ms = ${ms(limit)} ms: ${crash.outageUs.p90 <= limit ? 'met' : `missed by ${ms(crash.outageUs.p90 - limit)} ms`} (keepalived p50 ${ms(row('crash', 'keepalived')?.outageUs.p50)}, p90 ${ms(row('crash', 'keepalived')?.outageUs.p90)})`)
  }
  const graceful = row('graceful', 'floatip')
  if (graceful !== undefined && graceful.samples > 0) {
    out.push(`graceful: floatip median ${ms(graceful.outageUs.p50)} ms, target < 8 ms: ${graceful.outageUs.p50 < 8000 ? 'met' : 'missed'} (keepalived p50 ${ms(row('graceful', 'keepalived')?.outageUs.p50)}, p90 ${ms(row('graceful', 'keepalived')?.outageUs.p90)})`)
  }
  return out
}

await main()

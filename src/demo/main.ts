// `npm run demo`: floatip doing its job in a namespace lab. Two routers run `floatip run` on a
// keepalived.conf like the ones users copy (VRRPv3, advert_int 0.01); a client probes the VIP.
// The master's daemon is killed (SIGKILL, a crash), the backup takes over, and the demo prints the
// protocol bound, the takeover time from the backup's log and the outage the client saw. Then r1
// comes back and preempts, "loses power" (SIGKILL and its cable pulled: what a client sees when
// the whole node dies), comes back again, and is stopped gracefully (SIGTERM, priority-0 advert).
// Owns: the script and its measurements. Must not: wait unboundedly or leave the lab behind (the
// finally block and the lab's process hooks remove it).
import { createLab, LabDaemons, keepalivedConf, stateChange, vipHolders, waitFor, type Lab, type LogLine, type RunningDaemon } from '../lab/index.js'
import { monotonicUs } from '../native/index.js'
import { intervalUs, masterDownIntervalUs, skewTimeUs } from '../core/index.js'
import { Cable } from './cable.js'
import { ClientProbe, PROBE_INTERVAL_MS } from './probe.js'
import { block, ms, printTable, say, type ResultRow } from './report.js'
import { LIMIT_FACTOR, LIMIT_SLACK_MS, overLimit } from './verdict.js'

const INSTANCE = 'VI_1'
const VRID = 51
const ADVER_INT_CS = 1 // advert_int 0.01
const PRIORITY = { r1: 150, r2: 100 } as const
/** Bounded waits: a daemon's start (Node boot + engine thread), a takeover, a daemon's exit. */
const START_TIMEOUT_MS = 10_000
const TAKEOVER_TIMEOUT_MS = 2_000
const STOP_TIMEOUT_MS = 3_000
/** Answers the client must get before the event (steady) and after the takeover (it reaches the VIP again). */
const ANSWERS_BEFORE = 25
const ANSWERS_AFTER = 50

type Router = 'r1' | 'r2'

interface Demo {
  lab: Lab
  daemons: LabDaemons
  vip: string
  configs: Record<Router, string>
  running: Record<Router, RunningDaemon | null>
}

/** A moment on both clocks: monotonic µs (the daemons' `atUs`) and epoch ms (the probe's). */
interface Instant { us: number, epochMs: number }
const now = (): Instant => ({ epochMs: performance.timeOrigin + performance.now(), us: monotonicUs() })
const epochAt = (ref: Instant, us: number): number => ref.epochMs + (us - ref.us) / 1000

function routerConfig (router: Router, vip: string): string {
  return keepalivedConf({
    routerId: router,
    instances: [{
      name: INSTANCE,
      state: router === 'r1' ? 'MASTER' : 'BACKUP',
      interface: 'eth0',
      vrid: VRID,
      priority: PRIORITY[router],
      advertInt: ADVER_INT_CS / 100,
      version: 3,
      vips: [vip]
    }]
  })
}

/** The first log line at index >= from that matches; fails at once if the daemon exits first. */
async function waitLog (d: RunningDaemon, match: (line: LogLine) => boolean, what: string, from = 0, timeoutMs = START_TIMEOUT_MS): Promise<LogLine> {
  const find = (): LogLine | undefined => d.logs.find((line, i) => i >= from && match(line))
  const exited = (): boolean => d.child.exitCode !== null || d.child.signalCode !== null
  const result = await waitFor(() => { const line = find(); return line !== undefined || exited() ? { line } : undefined },
    { timeoutMs, intervalMs: 2, what: `${d.node}: ${what}` })
  if (result.line !== undefined) return result.line
  const tail = [...d.stderr.slice(-5), ...d.logs.slice(-3).map((l) => JSON.stringify(l))].join('\n    ')
  throw new Error(`${d.node}: floatip exited (${String(d.child.exitCode ?? d.child.signalCode)}) before ${what}\n    ${tail}`)
}

const isMaster = stateChange(INSTANCE, 'MASTER')
const isBackup = stateChange(INSTANCE, 'BACKUP')

/** Says so when `d` changed state more often than `expected` times since log line `from`. */
function noteFlaps (d: RunningDaemon, from: number, expected: number, ref: Instant, refName: string): void {
  const changes = d.logs.slice(from).filter((l) => l.msg === 'state changed' && l.instance === INSTANCE)
  if (changes.length <= expected) return
  const list = changes.map((l) => `${String(l.from)}->${String(l.to)} (${String(l.reason)}) at +${ms(Number(l.atUs) - ref.us)} ms`)
  say(`note: ${d.node} changed state ${changes.length} times after ${refName}, not ${expected}: ${list.join(', ')}`)
}

function lastState (d: RunningDaemon): string | undefined {
  return d.logs.filter((l) => l.msg === 'state changed' && l.instance === INSTANCE).at(-1)?.to as string | undefined
}

async function holders (demo: Demo): Promise<string> {
  return (await vipHolders(demo.lab, ['r1', 'r2'], demo.vip)).join(', ')
}

async function waitHolders (demo: Demo, expected: Router[], why: string): Promise<void> {
  const want = expected.join(', ')
  await waitFor(async () => await holders(demo) === want,
    { timeoutMs: TAKEOVER_TIMEOUT_MS, intervalMs: 10, what: `the VIP to be on ${want} only (${why})` })
}

function start (demo: Demo, router: Router): RunningDaemon {
  const d = demo.daemons.floatip(router, demo.configs[router])
  demo.running[router] = d
  return d
}

/** Signals a router's floatip; returns the instant taken right before the kill(2). */
function signal (demo: Demo, router: Router, sig: 'SIGKILL' | 'SIGTERM'): Instant {
  const d = demo.running[router] as RunningDaemon
  const at = now()
  demo.lab.kill(d.child, sig)
  return at
}

async function stopped (demo: Demo, router: Router): Promise<void> {
  const d = demo.running[router]
  if (d === null) return
  if (!await demo.lab.waitExit(d.child, STOP_TIMEOUT_MS)) throw new Error(`${router}: floatip did not exit within ${STOP_TIMEOUT_MS} ms`)
  demo.running[router] = null
}

async function startPair (demo: Demo): Promise<void> {
  say(`starting floatip on r1 (priority ${PRIORITY.r1}) and r2 (priority ${PRIORITY.r2}) in their namespaces`)
  const spawned = now()
  const r1 = start(demo, 'r1')
  const r2 = start(demo, 'r2')
  const master = await waitLog(r1, isMaster, 'state changed to MASTER')
  await waitLog(r2, isBackup, 'state changed to BACKUP')
  // If r2's process was up first it may have been MASTER briefly; r1 then preempted it.
  await waitFor(() => lastState(r2) === 'BACKUP', { timeoutMs: TAKEOVER_TIMEOUT_MS, intervalMs: 5, what: 'r2 to settle in BACKUP' })
  await waitHolders(demo, ['r1'], 'after start')
  say(`r1 is MASTER ${ms(Number(master.atUs) - spawned.us)} ms after the spawn (Node start-up included), r2 is BACKUP; the VIP ${demo.vip} is on: ${await holders(demo)}`)
  const reply = await waitFor(async () => /time=([\d.]+) ms/.exec((await demo.lab.run('c', ['ping', '-n', '-c', '1', '-W', '1', demo.vip])).stdout),
    { timeoutMs: 3000, intervalMs: 100, what: `the client to ping ${demo.vip}` })
  say(`the client (${demo.lab.node('c').ipv4}) pings ${demo.vip}: reply in ${reply[1]} ms`)
}

async function startProbe (demo: Demo, before: string): Promise<ClientProbe> {
  const probe = new ClientProbe(demo.lab, demo.vip)
  await probe.waitAnswers(ANSWERS_BEFORE, `answers from ${demo.vip} before ${before}`)
  return probe
}

/** Stops the probe and reports the outage from `windowFromEpochMs` on, relative to `event`. */
async function outage (probe: ClientProbe, windowFromEpochMs: number, event: Instant, eventName: string): Promise<Pick<ResultRow, 'outageMs' | 'probePausedMs'>> {
  await probe.stop()
  const o = probe.outage(windowFromEpochMs)
  const rel = (t: number): string => `${t >= event.epochMs ? '+' : ''}${(t - event.epochMs).toFixed(1)}`
  const pause = `the probe itself paused at most ${o.longestPauseMs.toFixed(1)} ms`
  if (o.unanswered === 0) say(`the client: every attempt was answered (${pause})`)
  else say(`the client: ${o.unanswered} attempts unanswered, an outage of ${o.ms.toFixed(1)} ms from ${rel(o.fromEpochMs)} to ${rel(o.toEpochMs)} ms after ${eventName} (${pause})`)
  return { outageMs: o.ms, probePausedMs: o.longestPauseMs }
}

interface Takeover {
  probe: ClientProbe
  event: Instant
  /** r2's `state changed` to MASTER (atUs) minus the event. */
  takeoverUs: number
}

/** Probes the VIP while `act` fails r1 (returning the event's instant) and r2 takes over. */
async function r2TakesOver (demo: Demo, eventName: string, act: () => Promise<Instant>): Promise<Takeover> {
  const r2 = demo.running.r2 as RunningDaemon
  const probe = await startProbe(demo, eventName)
  const from = r2.logs.length
  const event = await act()
  const master = await waitLog(r2, isMaster, `takeover after ${eventName} (state changed to MASTER)`, from, TAKEOVER_TIMEOUT_MS)
  const takeoverUs = Number(master.atUs) - event.us
  await probe.waitAnswers(ANSWERS_AFTER, `answers from ${demo.vip} after the takeover`, { afterEpochMs: epochAt(event, Number(master.atUs)) })
  noteFlaps(r2, from, 1, event, eventName)
  return { probe, event, takeoverUs }
}

async function crash (demo: Demo): Promise<ResultRow> {
  say(`the client probes ${demo.vip} every ${PROBE_INTERVAL_MS} ms; killing r1's floatip with SIGKILL (a crash)`)
  const t = await r2TakesOver(demo, 'the kill', async () => signal(demo, 'r1', 'SIGKILL'))
  await stopped(demo, 'r1')
  const boundUs = masterDownIntervalUs(3, PRIORITY.r2, ADVER_INT_CS)
  say(`r2 is MASTER ${ms(t.takeoverUs)} ms after the kill (bound: Master_Down_Interval ${ms(boundUs)} ms after r1's last advert)`)
  const on = await holders(demo)
  say(`the VIP is on: ${on}${on.includes('r1') ? ' (a SIGKILLed daemon cannot remove its address: r1\'s kernel kept answering until r2\'s gratuitous ARP moved the client)' : ''}`)
  const seen = await outage(t.probe, t.event.epochMs, t.event, 'the kill')
  return { scenario: 'crash: SIGKILL floatip on r1', boundUs, takeoverUs: t.takeoverUs, ...seen }
}

async function powerOff (demo: Demo): Promise<ResultRow> {
  say('r1 "loses power": its floatip is SIGKILLed and its cable pulled at once, so its kernel cannot answer either')
  const cable = new Cable(demo.lab, 'r1')
  try {
    const t = await r2TakesOver(demo, 'the power-off', async () => {
      const at = signal(demo, 'r1', 'SIGKILL')
      cable.pull()
      return at
    })
    await cable.pulled()
    return await afterPowerOff(demo, t)
  } finally {
    await cable.close()
  }
}

async function afterPowerOff (demo: Demo, t: Takeover): Promise<ResultRow> {
  await stopped(demo, 'r1')
  const boundUs = masterDownIntervalUs(3, PRIORITY.r2, ADVER_INT_CS)
  say(`r2 is MASTER ${ms(t.takeoverUs)} ms after the power-off (bound: Master_Down_Interval ${ms(boundUs)} ms after r1's last advert)`)
  const on = await holders(demo)
  say(`the VIP is on: ${on}${on.includes('r1') ? ' (r1\'s copy is behind the pulled cable)' : ''}`)
  const seen = await outage(t.probe, t.event.epochMs, t.event, 'the power-off')
  return { scenario: 'power-off: SIGKILL + cable pulled', boundUs, takeoverUs: t.takeoverUs, ...seen }
}

async function restore (demo: Demo, options: { plugCable: boolean }): Promise<ResultRow> {
  const r2 = demo.running.r2 as RunningDaemon
  if (options.plugCable) {
    await demo.lab.setLinkUp('r1', { side: 'switch' })
    say('r1\'s cable is plugged back in (its switch port forwards again)')
  }
  const probe = await startProbe(demo, 'the restore')
  say('restoring: starting floatip on r1 again')
  const from = r2.logs.length
  const started = now()
  const r1 = start(demo, 'r1')
  const backup = await waitLog(r1, isBackup, 'state changed to BACKUP')
  const stale = r1.logs.find((l) => l.msg === 'removing stale VIPs')
  say(`r1 is BACKUP${stale === undefined ? '' : ` (floatip first removed the stale VIP the killed daemon had left: ${String(stale.vips)})`}`)
  const master = await waitLog(r1, isMaster, 'preemption (state changed to MASTER)', 0, TAKEOVER_TIMEOUT_MS)
  await waitLog(r2, isBackup, 'state changed to BACKUP', from, TAKEOVER_TIMEOUT_MS)
  await waitHolders(demo, ['r1'], 'after the preemption')
  const takeoverUs = Number(master.atUs) - Number(backup.atUs)
  const boundUs = masterDownIntervalUs(3, PRIORITY.r1, ADVER_INT_CS)
  say(`r1 preempted: MASTER ${ms(takeoverUs)} ms after entering BACKUP (it ignores r2's lower-priority adverts; bound: its Master_Down_Interval ${ms(boundUs)} ms); r2 is BACKUP; the VIP is on: ${await holders(demo)}`)
  const masterEpochMs = epochAt(started, Number(master.atUs))
  await probe.waitAnswers(ANSWERS_AFTER, `answers from ${demo.vip} after the preemption`, { afterEpochMs: masterEpochMs })
  noteFlaps(r1, 0, 2, started, 'the restart')
  noteFlaps(r2, from, 1, started, 'the restart')
  const preempted = { epochMs: masterEpochMs, us: Number(master.atUs) }
  // From the preemption on: r1's start before it is CPU work that a 2-core VM also feels in the probe.
  const seen = await outage(probe, masterEpochMs, preempted, 'the preemption')
  return { scenario: 'restore: r1 restarts, preempts', boundUs, takeoverUs, ...seen }
}

async function graceful (demo: Demo): Promise<ResultRow> {
  const r1 = demo.running.r1 as RunningDaemon
  say('stopping r1\'s floatip gracefully with SIGTERM (it sends a priority-0 advert and removes the VIP)')
  const from1 = r1.logs.length
  const t = await r2TakesOver(demo, 'SIGTERM', async () => signal(demo, 'r1', 'SIGTERM'))
  const left = await waitLog(r1, (l) => l.msg === 'state changed' && l.from === 'MASTER', 'leaving MASTER', from1, STOP_TIMEOUT_MS)
  await stopped(demo, 'r1')
  await waitHolders(demo, ['r2'], 'after the graceful stop')
  const boundUs = skewTimeUs(3, PRIORITY.r2, ADVER_INT_CS)
  const sentUs = Number(left.atUs) - t.event.us
  say(`r1 sent priority 0 ${ms(sentUs)} ms after SIGTERM; r2 is MASTER ${ms(t.takeoverUs - sentUs)} ms after that (bound: Skew_Time ${ms(boundUs)} ms), ${ms(t.takeoverUs)} ms after SIGTERM; the VIP is on: ${await holders(demo)}`)
  if (t.takeoverUs - sentUs > boundUs + intervalUs(ADVER_INT_CS)) {
    say('note: r2 did not take over Skew_Time after the priority-0 advert; it waited for a whole Master_Down_Interval, as if an advert from r1 had come after it')
  }
  const seen = await outage(t.probe, t.event.epochMs, t.event, 'SIGTERM')
  return { scenario: 'graceful: SIGTERM floatip on r1', boundUs, takeoverUs: t.takeoverUs, ...seen }
}

async function cleanUp (demo: Demo): Promise<void> {
  for (const router of ['r1', 'r2'] as const) {
    const d = demo.running[router]
    if (d === null) continue
    demo.lab.kill(d.child, 'SIGTERM')
    await demo.lab.waitExit(d.child, STOP_TIMEOUT_MS)
  }
  await demo.lab.destroy()
  demo.daemons.close()
}

async function main (): Promise<number> {
  say('building the lab: routers r1, r2 and a client on one bridge (192.0.2.0/24), each in its own network namespace')
  const lab = await createLab({ routers: 2, client: true, ipv6: false })
  const daemons = new LabDaemons(lab)
  // Ctrl-C: the lab's own hook has already removed the namespaces; this removes the config directory.
  process.once('SIGINT', () => { daemons.close(); process.exit(130) })
  const vip = lab.vip4(0)
  const demo: Demo = { lab, daemons, vip, configs: { r1: routerConfig('r1', vip), r2: routerConfig('r2', vip) }, running: { r1: null, r2: null } }
  try {
    say(`r1's keepalived.conf (r2's differs in router_id, state BACKUP and priority ${PRIORITY.r2}):`)
    block(demo.configs.r1)
    await startPair(demo)
    const rows: ResultRow[] = []
    rows.push(await crash(demo))
    rows.push(await restore(demo, { plugCable: false }))
    rows.push(await powerOff(demo))
    rows.push(await restore(demo, { plugCable: true }))
    rows.push(await graceful(demo))
    printTable(rows, PROBE_INTERVAL_MS)
    const over = overLimit(rows)
    const rule = `${LIMIT_FACTOR} x the protocol bound + ${LIMIT_SLACK_MS} ms`
    if (over.length > 0) {
      say(`FAILED: far above the protocol bound (more than ${rule}): ${over.join('; ')}`)
      return 1
    }
    say(`every takeover and client outage is within ${rule}`)
    return 0
  } catch (err) {
    say(`FAILED: ${(err as Error).message}`)
    return 1
  } finally {
    await cleanUp(demo)
    say('daemons stopped, lab removed')
  }
}

process.exitCode = await main()

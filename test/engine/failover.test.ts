// Two floatip routers in a namespace lab (`floatip run`, real processes, real packets): election,
// the VIP on exactly one router, and every way a master can go away (RFC 5798 §6.4), then its
// return with and without preemption. The client's outage (src/demo/probe.ts) is checked
// against the protocol's bound (Master_Down_Interval, or Skew_Time after a priority-0 advert) plus
// a margin for a busy machine (test/helpers/client-outage.ts); the figures are measured in bench/.
import t, { type Test } from 'tap'
import { withLab, waitFor, type Lab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, vipHolders, holdersOverTime, type RunningDaemon } from '../helpers/daemons.js'
import { floatipStatus, type VrrpInstanceSpec } from '../../src/lab/index.js'
import { intervalUs, masterDownIntervalUs, skewTimeUs } from '../../src/core/index.js'
import { IoLoop, VrrpSocket, monotonicUs } from '../../src/native/index.js'
import { decodeAdvert } from '../../src/protocol/vrrp-codec.js'
import { formatIp } from '../../src/protocol/ip-address.js'
import { Cable } from '../../src/demo/cable.js'
import { clientOutage, assertOutageWithin } from '../helpers/client-outage.js'

const ROUTERS = ['r1', 'r2']

function conf (priority: number, vip: string, extra: Partial<VrrpInstanceSpec> = {}): string {
  return keepalivedConf({ instances: [{ name: 'VI_1', vrid: 51, priority, advertInt: 0.1, version: 3, vips: [vip], ...extra }] })
}

/** The state of `instance` in the daemon's latest `state changed` line. */
function lastState (daemon: RunningDaemon, instance: string): string | undefined {
  const changes = daemon.logs.filter((l) => l.msg === 'state changed' && l.instance === instance)
  return changes.at(-1)?.to as string | undefined
}

/**
 * A lab with r1 (priority 150, or priorities[0]) and r2 (100, or priorities[1]) running floatip, started together, returned once the
 * election settled: r1 MASTER, r2 BACKUP. (Started together, whichever process is up first may be
 * MASTER for a moment, as with keepalived; the steady state is what the election decides.)
 * `extraOf` may depend on the lab (its VIP addresses).
 */
async function electedPair (t: Test, extraOf: Partial<VrrpInstanceSpec> | ((lab: Lab) => Partial<VrrpInstanceSpec>) = {}, priorities: [number, number] = [150, 100]): Promise<{ lab: Lab, vip: string, r1: RunningDaemon, r2: RunningDaemon }> {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const extra = typeof extraOf === 'function' ? extraOf(lab) : extraOf
  const r1 = daemons.floatip('r1', conf(priorities[0], vip, extra))
  const r2 = daemons.floatip('r2', conf(priorities[1], vip, extra))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
  await waitFor(() => lastState(r2, 'VI_1') === 'BACKUP', { timeoutMs: 5000, what: 'r2 BACKUP' })
  return { lab, vip, r1, r2 }
}

async function pingOk (lab: Lab, vip: string): Promise<boolean> {
  const r = await lab.run('c', ['ping', '-c', '1', '-W', '1', vip]).catch(() => null)
  return r !== null
}

t.test('§6.4.1/§6.4.2 election: the higher priority owns the VIP, the client reaches it, SIGKILL hands it over', async (t) => {
  const { lab, vip, r1, r2 } = await electedPair(t)
  t.same(await holdersOverTime(lab, ROUTERS, vip), ['r1'], 'the VIP is on r1 only, and stays there')
  t.ok(await pingOk(lab, vip), 'the client reaches the VIP')
  t.equal(lastState(r2, 'VI_1'), 'BACKUP', 'r2 stayed BACKUP')

  const from = r2.logs.length
  let afterUs = 0
  const boundUs = masterDownIntervalUs(3, 100, 10)
  // SIGKILL leaves r1's VIP in place: its kernel answers until r2's gratuitous ARP moves the
  // client, so the client should see (next to) nothing; never more than Master_Down_Interval.
  const outage = await clientOutage(t, lab, vip, async () => {
    const killedUs = monotonicUs()
    lab.kill(r1.child, 'SIGKILL')
    const took = await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from })
    afterUs = (took.atUs as number) - killedUs
  })
  // r1's last advert left up to one Advertisement_Interval before the kill.
  t.ok(afterUs > boundUs - intervalUs(10), `no early takeover: ${(afterUs / 1000).toFixed(1)} ms after the kill (Master_Down_Interval ${(boundUs / 1000).toFixed(1)} ms)`)
  t.ok(afterUs < boundUs + 2_000_000, 'takeover within a loose bound of Master_Down_Interval')
  assertOutageWithin(t, outage, boundUs / 1000, 'Master_Down_Interval')
  await waitFor(async () => (await vipHolders(lab, ['r2'], vip)).length === 1, { timeoutMs: 3000, what: 'VIP on r2' })
  t.ok(await pingOk(lab, vip), 'the client reaches the VIP on r2')
})

t.test('§6.4.3 SIGTERM: priority-0 advert, VIP removed, exit 0; the backup takes over after Skew_Time', async (t) => {
  const { lab, vip, r1, r2 } = await electedPair(t)
  await new Promise((resolve) => setTimeout(resolve, 300))

  const exit = new Promise<number | null>((resolve) => r1.child.once('exit', (code) => resolve(code)))
  const from = r2.logs.length
  let afterUs = 0
  // r1 removes the VIP right after its priority-0 advert: the client waits for r2's Skew_Time.
  const outage = await clientOutage(t, lab, vip, async () => {
    const termUs = monotonicUs()
    lab.kill(r1.child, 'SIGTERM')
    const took = await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from })
    afterUs = (took.atUs as number) - termUs
  })
  t.equal(await exit, 0, 'r1 exits 0')
  t.same(await vipHolders(lab, ROUTERS, vip), ['r2'], 'r1 removed its VIP; r2 holds it')
  // Skew_Time (61 ms) instead of Master_Down_Interval (361 ms): the priority-0 path was taken.
  t.ok(afterUs < masterDownIntervalUs(3, 100, 10) - 100_000, `takeover ${(afterUs / 1000).toFixed(1)} ms after SIGTERM (Skew_Time ${(skewTimeUs(3, 100, 10) / 1000).toFixed(1)} ms)`)
  // One Advertisement_Interval on top: r1's SIGTERM handling (main thread, then engine thread).
  assertOutageWithin(t, outage, (skewTimeUs(3, 100, 10) + intervalUs(10)) / 1000, 'Skew_Time + Advertisement_Interval')
  const stopped = r1.logs.find((l) => l.msg === 'stopped') as { status?: { instances: Array<{ state: string }> } } | undefined
  t.equal(stopped?.status?.instances[0].state, 'INIT', 'the final status says INIT')
})

t.test('§6.4.3 SIGTERM at advert_int 0.01: the priority-0 advert is the last one the master sends', async (t) => {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const r1 = daemons.floatip('r1', conf(150, vip, { advertInt: 0.01 }))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
  const client = lab.node('c')
  const loop = new IoLoop()
  const rx = new VrrpSocket({ family: 4, interface: client.ifname, netns: client.ns })
  t.teardown(() => { rx.close(); loop.close() })
  const fromR1: number[] = []
  const r1Address = lab.node('r1').ipv4
  loop.attach(rx, (p) => {
    const d = decodeAdvert(p.data, { family: 'ipv4', sourceAddress: p.source, destinationAddress: p.destination, ttl: p.ttl })
    if (d.ok && formatIp(p.source) === r1Address) fromR1.push(d.advert.priority)
  })
  await new Promise((resolve) => setTimeout(resolve, 200))
  for (let round = 0; round < 3 && r1.child.exitCode === null; round++) {
    lab.kill(r1.child, 'SIGTERM')
    await lab.waitExit(r1.child, 5000)
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.ok(fromR1.length > 10, `captured ${fromR1.length} adverts from r1`)
  t.equal(fromR1.at(-1), 0, 'the last advert has priority 0')
  t.equal(fromR1.filter((p) => p === 0).length, 1, 'exactly one priority-0 advert')
})

t.test('link down: the master goes to FAULT and drops the VIP, the backup takes over; link up: the master preempts', async (t) => {
  const { lab, vip, r1, r2 } = await electedPair(t)

  const from2 = r2.logs.length
  // r1's priority-0 advert cannot cross the pulled cable: r2 waits Master_Down_Interval from
  // r1's last advert, and the client sees that outage.
  const outage = await clientOutage(t, lab, vip, async () => {
    await lab.setLinkDown('r1', { side: 'switch' })
    await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from: from2 })
  })
  await r1.waitForLog(stateChange('VI_1', 'FAULT'), 'r1 FAULT (carrier lost)')
  assertOutageWithin(t, outage, masterDownIntervalUs(3, 100, 10) / 1000, 'Master_Down_Interval')
  t.same(await vipHolders(lab, ROUTERS, vip), ['r2'], 'r1 dropped the VIP in FAULT, r2 holds it')
  t.ok(await pingOk(lab, vip), 'the client reaches the VIP on r2')

  const from = r2.logs.length
  const from1 = r1.logs.length
  await lab.setLinkUp('r1', { side: 'switch' })
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER again (preempt)', { from: from1 })
  await r2.waitForLog(stateChange('VI_1', 'BACKUP'), 'r2 yields', { from })
  await waitFor(async () => (await vipHolders(lab, ROUTERS, vip)).join() === 'r1', { timeoutMs: 3000, what: 'VIP back on r1 only' })
  t.same(await holdersOverTime(lab, ROUTERS, vip), ['r1'], 'one master in steady state')
})

t.test('nopreempt: the returning higher-priority router stays BACKUP', async (t) => {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const r2 = daemons.floatip('r2', conf(100, vip, { nopreempt: true }))
  await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 MASTER while alone')
  const r1 = daemons.floatip('r1', conf(150, vip, { nopreempt: true }))
  await r1.waitForLog(stateChange('VI_1', 'BACKUP'), 'r1 BACKUP')
  await new Promise((resolve) => setTimeout(resolve, 800)) // > Master_Down_Interval (361 ms)
  t.notOk(r1.logs.some(stateChange('VI_1', 'MASTER')), 'r1 did not preempt')
  t.same(await holdersOverTime(lab, ROUTERS, vip), ['r2'], 'the VIP stays on r2')
})

t.test('election rules: §6.4.3 equal priorities, the greater primary address wins; §6.4.1 the owner (255) is MASTER at once; preempt_delay', async (t) => {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const master = stateChange('VI_1', 'MASTER')
  const backup = stateChange('VI_1', 'BACKUP')
  // Bridge port isolation: r1 and r2 stop hearing each other, carrier stays (no FAULT).
  const isolate = async (on: boolean): Promise<void> => {
    for (const r of ROUTERS) await lab.run('sw', ['bridge', 'link', 'set', 'dev', lab.node(r).links[0].switchPort, 'isolated', on ? 'on' : 'off'])
  }
  const restartR1 = async (config: string): Promise<RunningDaemon> => {
    lab.kill(r1.child, 'SIGTERM')
    t.ok(await lab.waitExit(r1.child, 5000), 'r1 stopped')
    return daemons.floatip('r1', config)
  }

  // Both priority 100 and each alone: both MASTER. Joined, each hears the other's advert; the
  // one from the greater primary address (r2, 192.0.2.2) wins.
  await isolate(true)
  let r1 = daemons.floatip('r1', conf(100, vip))
  const r2 = daemons.floatip('r2', conf(100, vip))
  await r1.waitForLog(master, 'r1 MASTER while partitioned')
  await r2.waitForLog(master, 'r2 MASTER while partitioned')
  const [from1, from2] = [r1.logs.length, r2.logs.length]
  await isolate(false)
  await r1.waitForLog(backup, 'r1 yields to the greater primary address', { from: from1 })
  t.same(await holdersOverTime(lab, ROUTERS, vip), ['r2'], 'the VIP is on r2 only')
  t.equal(r2.logs.slice(from2).filter((l) => l.msg === 'state changed').length, 0, 'r2 stayed MASTER throughout')

  // The address owner starts while r2 is MASTER: INIT to MASTER, no Master_Down_Timer first.
  const fromOwner = r2.logs.length
  r1 = await restartR1(conf(255, vip))
  const first = await r1.waitForLog((l) => l.msg === 'state changed' && l.instance === 'VI_1', 'r1 leaves INIT')
  t.equal(`${String(first.from)} -> ${String(first.to)}`, 'INIT -> MASTER', 'priority 255: MASTER at once')
  await r2.waitForLog(backup, 'r2 yields to the owner', { from: fromOwner })
  await waitFor(async () => (await vipHolders(lab, ROUTERS, vip)).join() === 'r1', { timeoutMs: 3000, what: 'the VIP on r1 only' })

  // keepalived's preempt_delay (state BACKUP): the returning higher priority accepts r2 as
  // master for that long after start-up, then preempts (one Master_Down_Interval later).
  const fromDelay = r2.logs.length
  r1 = await restartR1(conf(150, vip, { preemptDelayS: 1 }))
  await r2.waitForLog(master, 'r2 MASTER again', { from: fromDelay })
  const waited = await r1.waitForLog(backup, 'r1 BACKUP')
  const preempted = await r1.waitForLog(master, 'r1 preempts after preempt_delay')
  const afterUs = (preempted.atUs as number) - (waited.atUs as number)
  const mdiUs = masterDownIntervalUs(3, 150, 10)
  t.ok(afterUs >= 1_000_000, `not before preempt_delay: ${(afterUs / 1000).toFixed(1)} ms after entering BACKUP`)
  t.ok(afterUs < 1_000_000 + mdiUs + 1_000_000, `within preempt_delay + Master_Down_Interval (${(mdiUs / 1000).toFixed(1)} ms) + a loose second`)
})

t.test('active-active: two instances, two VIPs, one master each (seed 001 layout)', async (t) => {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const [vipA, vipB] = [lab.vip4(0), lab.vip4(1)]
  const node = (prioA: number, prioB: number): string => keepalivedConf({
    instances: [
      { name: 'VI_1', vrid: 51, priority: prioA, advertInt: 0.1, version: 3, vips: [vipA] },
      { name: 'VI_2', vrid: 52, priority: prioB, advertInt: 0.1, version: 3, vips: [vipB] }
    ]
  })
  const r1 = daemons.floatip('r1', node(150, 100))
  const r2 = daemons.floatip('r2', node(100, 150))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER of VI_1')
  await r2.waitForLog(stateChange('VI_2', 'MASTER'), 'r2 MASTER of VI_2')
  await waitFor(() => lastState(r1, 'VI_2') === 'BACKUP' && lastState(r2, 'VI_1') === 'BACKUP', { timeoutMs: 5000, what: 'each BACKUP of the other instance' })
  t.same(await holdersOverTime(lab, ROUTERS, vipA), ['r1'], 'VIP A on r1 only')
  t.same(await holdersOverTime(lab, ROUTERS, vipB), ['r2'], 'VIP B on r2 only')
  const from = r1.logs.length
  lab.kill(r2.child, 'SIGKILL')
  await r1.waitForLog(stateChange('VI_2', 'MASTER'), 'r1 takes VI_2 as well', { from })
  t.ok(await pingOk(lab, vipB), 'the client reaches VIP B on r1')
  t.ok(await pingOk(lab, vipA), 'and VIP A still')
})

t.test('VRRPv3 advert_int 0.01: election, and a power-off the client sees for about Master_Down_Interval', async (t) => {
  const { lab, vip, r1, r2 } = await electedPair(t, { advertInt: 0.01 })
  t.same(await holdersOverTime(lab, ROUTERS, vip, 5, 50), ['r1'], 'a single master at 100 adverts/s')
  // Steady state is native: the backup's watch absorbs the master's identical adverts.
  const stats = { status: await floatipStatus(lab, r2) as unknown as { native: { rxWatchMatched: number }, instances: Array<{ counters: { advertsReceived: number }, steady: string }> } }
  t.equal(stats.status.instances[0].steady, 'watch', 'r2 watches r1 natively')
  t.ok(stats.status.native.rxWatchMatched > 20, `adverts absorbed natively: ${stats.status.native.rxWatchMatched}`)
  t.ok(stats.status.instances[0].counters.advertsReceived < 10, `adverts that needed JavaScript: ${stats.status.instances[0].counters.advertsReceived}`)
  // A power-off: floatip SIGKILLed and r1's cable pulled at once (src/demo/cable.ts), so r1's
  // kernel cannot answer either and the client's outage is the takeover itself.
  const cable = new Cable(lab, 'r1')
  t.teardown(() => cable.close())
  const from = r2.logs.length
  const boundUs = masterDownIntervalUs(3, 100, 1)
  let afterUs = 0
  const outage = await clientOutage(t, lab, vip, async () => {
    const killedUs = monotonicUs()
    lab.kill(r1.child, 'SIGKILL')
    cable.pull()
    const took = await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from })
    afterUs = (took.atUs as number) - killedUs
  })
  await cable.pulled()
  t.comment(`takeover ${(afterUs / 1000).toFixed(1)} ms after the power-off (Master_Down_Interval ${(boundUs / 1000).toFixed(1)} ms)`)
  // r1's last advert left up to one Advertisement_Interval before the kill: never earlier.
  t.ok(afterUs > boundUs - intervalUs(1), 'no takeover before Master_Down_Interval from r1\'s last advert')
  // The pull itself lands some ms after the kill (an `ip` process), so the outage has no exact
  // floor; that it happened at all shows r1 was really cut off.
  t.ok(outage.unanswered > 0, `the client was cut off: ${outage.unanswered} probes unanswered`)
  assertOutageWithin(t, outage, boundUs / 1000, 'Master_Down_Interval')
})

t.test('VRRPv2 unicast with PASS authentication between two floatip routers', async (t) => {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const [a, b] = [lab.node('r1').ipv4, lab.node('r2').ipv4]
  const v2 = (priority: number, self: string, peer: string): string => keepalivedConf({
    instances: [{ name: 'VI_1', vrid: 51, priority, advertInt: 1, version: 2, authPass: 'h1dd3n', unicastSrcIp: self, unicastPeers: [peer], vips: [vip] }]
  })
  const r1 = daemons.floatip('r1', v2(150, a, b))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
  const r2 = daemons.floatip('r2', v2(100, b, a))
  await r2.waitForLog(stateChange('VI_1', 'BACKUP'), 'r2 BACKUP')
  await new Promise((resolve) => setTimeout(resolve, 1200))
  t.equal(lastState(r2, 'VI_1'), 'BACKUP', 'r2 accepts r1 as master over unicast')
  t.same(await vipHolders(lab, ROUTERS, vip), ['r1'])
  const from = r2.logs.length
  lab.kill(r1.child, 'SIGTERM')
  await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from })
  t.same(await vipHolders(lab, ROUTERS, vip), ['r2'])
})

/** The MAC the client's neighbour cache holds for `address` (null when none). */
function neighbourMac (lab: Lab, address: string): string | null {
  const out = lab.exec('c', ['ip', '-j', 'neigh', 'show', address])
  const entries = JSON.parse(out === '' ? '[]' : out) as Array<{ lladdr?: string }>
  return entries[0]?.lladdr ?? null
}

for (const family of ['ipv4', 'ipv6'] as const) {
  t.test(`${family}: the new master's ${family === 'ipv4' ? 'gratuitous ARP' : 'unsolicited NA'} repoints the client's neighbour cache`, async (t) => {
    const lab = await withLab(t, { routers: 2, client: true, ipv6: family === 'ipv6' })
    const daemons = withDaemons(t, lab)
    const vip = family === 'ipv4' ? lab.vip4(0) : lab.vip6(0)
    const prefix = family === 'ipv4' ? '' : '/64'
    const r1 = daemons.floatip('r1', conf(150, vip + prefix))
    await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
    const r2 = daemons.floatip('r2', conf(100, vip + prefix))
    await r2.waitForLog(stateChange('VI_1', 'BACKUP'), 'r2 BACKUP')
    t.ok(await pingOk(lab, vip), 'the client reaches the VIP on r1')
    t.equal(neighbourMac(lab, vip), lab.node('r1').mac, "the client's cache points at r1")
    const from = r2.logs.length
    // SIGKILL leaves r1's VIP in place, so only r2's announcement can move the client.
    lab.kill(r1.child, 'SIGKILL')
    await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from })
    await waitFor(() => neighbourMac(lab, vip) === lab.node('r2').mac, { timeoutMs: 3000, what: "the client's cache to point at r2" })
    t.pass("the client's cache points at r2 without any traffic from the client")
  })
}

/** Deletes `address`/32 from r-node's eth0 as an operator would (`ip addr del`), not through floatip. */
function deleteAddress (lab: Lab, node: string, address: string): void {
  lab.exec(node, ['ip', 'addr', 'del', `${address}/32`, 'dev', 'eth0'])
}

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

t.test('man keepalived.conf no_track: a deleted tracked VIP takes the master out for Skew_Time; a no_track one does not', async (t) => {
  // Priorities far apart so that r1's Skew_Time (4.7 ms at 0.2 s) is far below r2's (161 ms):
  // r1, not r2, must be the one that returns (keepalived 2.2.7 measured the same order).
  const advertInt = 0.2
  const { lab, vip, r1, r2 } = await electedPair(t, (lab) => ({
    advertInt,
    vips: [lab.vip4(0), `${lab.vip4(1)} no_track`],
    extra: ['virtual_ipaddress_excluded {', `    ${lab.vip4(2)}`, '}']
  }), [250, 50])
  const [noTrack, excluded] = [lab.vip4(1), lab.vip4(2)]
  const all = [vip, noTrack, excluded]
  for (const a of all) t.same(await vipHolders(lab, ROUTERS, a), ['r1'], `${a} on r1`)

  // no_track: nothing happens, and the address stays deleted.
  const from1 = r1.logs.length
  const from2 = r2.logs.length
  deleteAddress(lab, 'r1', noTrack)
  await r1.waitForLog((l) => l.msg?.startsWith('no_track VIP deleted') === true && l.address === `${noTrack}/32`, 'r1 logs the no_track deletion', { from: from1 })
  await sleep(advertInt * 4000)
  t.notOk(r1.logs.slice(from1).some((l) => l.msg === 'state changed'), 'r1 stays MASTER')
  t.notOk(r2.logs.slice(from2).some((l) => l.msg === 'state changed'), 'r2 stays BACKUP')
  t.same(await vipHolders(lab, ROUTERS, noTrack), [], 'the no_track VIP stays deleted')
  t.same(await vipHolders(lab, ROUTERS, vip), ['r1'], 'the tracked VIP is untouched')

  // Tracked: priority 0, VIPs removed, BACKUP; back after Skew_Time with every VIP, no_track too.
  const left = r1.waitForLog(stateChange('VI_1', 'BACKUP'), 'r1 leaves MASTER', { from: from1 })
  deleteAddress(lab, 'r1', vip)
  const leftLine = await left
  t.equal(leftLine.reason, 'vip-deleted', 'reason vip-deleted')
  t.ok(r1.logs.some((l) => l.msg?.startsWith('VIP deleted from the interface') === true && l.address === `${vip}/32` && l.interface === 'eth0' && l.instance === 'VI_1'), 'one log line names the VIP, the interface and the instance')
  const back = await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER again', { from: r1.logs.indexOf(leftLine) })
  const awayUs = (back.atUs as number) - (leftLine.atUs as number)
  // Skew_Time instead of Master_Down_Interval (a loose upper bound: timers may run late under load).
  t.ok(awayUs >= skewTimeUs(3, 250, 20) && awayUs < masterDownIntervalUs(3, 250, 20), `back after ${(awayUs / 1000).toFixed(1)} ms (Skew_Time ${(skewTimeUs(3, 250, 20) / 1000).toFixed(1)} ms, Master_Down_Interval ${(masterDownIntervalUs(3, 250, 20) / 1000).toFixed(1)} ms)`)
  for (const a of all) {
    await waitFor(async () => (await vipHolders(lab, ROUTERS, a)).join() === 'r1', { timeoutMs: 3000, what: `${a} on r1 only` })
  }
  t.pass('every VIP is back on r1, the no_track one included')
  t.notOk(r2.logs.slice(from2).some(stateChange('VI_1', 'MASTER')), 'r2 never took over: its Skew_Time is longer')

  // virtual_ipaddress_excluded follows the same rule (keepalived checks both lists).
  const from3 = r1.logs.length
  deleteAddress(lab, 'r1', excluded)
  const again = await r1.waitForLog(stateChange('VI_1', 'BACKUP'), 'r1 leaves MASTER for the excluded address', { from: from3 })
  t.equal(again.reason, 'vip-deleted')
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER again', { from: from3 })
  await waitFor(async () => (await vipHolders(lab, ROUTERS, excluded)).join() === 'r1', { timeoutMs: 3000, what: 'excluded address back on r1' })
})

t.test('a deleted tracked VIP hands the VIPs to a higher-priority nopreempt backup (§6.4.2 Skew_Time order)', async (t) => {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const r1 = daemons.floatip('r1', conf(50, vip, { advertInt: 0.2 }))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER while alone')
  const r2 = daemons.floatip('r2', conf(250, vip, { advertInt: 0.2, nopreempt: true }))
  await r2.waitForLog(stateChange('VI_1', 'BACKUP'), 'r2 BACKUP')
  await sleep(1000) // > r2's Master_Down_Interval (605 ms): it accepts r1 (nopreempt)
  t.same(await vipHolders(lab, ROUTERS, vip), ['r1'], 'r2 did not preempt')
  const from = r2.logs.length
  const deletedUs = monotonicUs()
  deleteAddress(lab, 'r1', vip)
  const took = await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over after the priority-0 advert', { from })
  // Skew_Time (4.7 ms) after r1's priority-0 advert, not Master_Down_Interval (605 ms) after its
  // last advert; 200 ms of margin for a loaded machine.
  const afterUs = (took.atUs as number) - deletedUs
  t.ok(afterUs < masterDownIntervalUs(3, 250, 20) - 200_000, `taken over ${(afterUs / 1000).toFixed(1)} ms after the deletion`)
  await waitFor(async () => (await vipHolders(lab, ROUTERS, vip)).join() === 'r2', { timeoutMs: 3000, what: 'the VIP on r2 only' })
  t.ok(await pingOk(lab, vip), 'the client reaches the VIP on r2')
  t.equal(lastState(r1, 'VI_1'), 'BACKUP', 'r1 stays BACKUP: r2 has the higher priority')
})

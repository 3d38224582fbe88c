// What a new master puts on the wire, seen by a packet capture (test/helpers/frame-capture.py:
// kernel timestamps, kernel order) in a namespace lab with real `floatip run` processes:
// keepalived's gratuitous ARP schedule (garp_master_delay / _repeat / _refresh / _refresh_repeat,
// vrrp_garp_interval), and the order of the effects of becoming master (RFC 5798 §6.4.1 / §6.4.2:
// add the VIPs, send the advert, then the GARPs). keepalived 2.2.7's figures for the same
// settings are in docs/engine.md ("On the wire").
import t from 'tap'
import { withLab, waitFor } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange } from '../helpers/daemons.js'
import { FrameCapture, isGarp, type CapturedFrame } from '../helpers/frame-capture.js'
import { IoLoop, PacketSocket } from '../../src/native/index.js'

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

/** Frames split where more than `gapMs` passes between two of them. */
function bursts (frames: CapturedFrame[], gapMs: number): CapturedFrame[][] {
  const out: CapturedFrame[][] = []
  frames.forEach((f, i) => {
    if (i === 0 || f.atUs - frames[i - 1].atUs > gapMs * 1000) out.push([])
    out[out.length - 1].push(f)
  })
  return out
}

const targets = (burst: CapturedFrame[]): string[] => burst.map((f) => f.arp?.targetIp ?? '?')
const ms = (us: number): string => (us / 1000).toFixed(1)

t.test('keepalived\'s GARP schedule: garp_master_repeat per VIP, a second burst after garp_master_delay, refresh rounds, vrrp_garp_interval spacing', async (t) => {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const capture = new FrameCapture(t, lab, 'c')
  await capture.ready()
  // r1: back to back (vrrp_garp_interval 0), refreshed every 2 s; r2: 20 ms between frames. Two
  // independent VRIDs, each alone, so both become master; told apart by source MAC.
  const INTERVAL_MS = 20
  const v1 = [lab.vip4(0), lab.vip4(1)]
  const v2 = [lab.vip4(2), lab.vip4(3)]
  const r1 = daemons.floatip('r1', keepalivedConf({
    instances: [{ name: 'VI_1', vrid: 51, priority: 100, advertInt: 0.1, version: 3, vips: v1, garpMasterDelayS: 1, garpMasterRepeat: 3, extra: ['garp_master_refresh 2', 'garp_master_refresh_repeat 2'] }]
  }))
  const r2 = daemons.floatip('r2', keepalivedConf({
    globalExtra: [`vrrp_garp_interval ${INTERVAL_MS / 1000}`],
    instances: [{ name: 'VI_2', vrid: 52, priority: 100, advertInt: 0.1, version: 3, vips: v2, garpMasterDelayS: 1, garpMasterRepeat: 3 }]
  }))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
  await r2.waitForLog(stateChange('VI_2', 'MASTER'), 'r2 MASTER')
  await sleep(2400) // past r1's refresh at 2 s, before its next one at 4 s
  const frames = await capture.stop()
  const from = (node: string): CapturedFrame[] => frames.filter((f) => f.sourceMac === lab.node(node).mac)

  const firstAdvert1 = from('r1').find((f) => f.vrrp !== undefined)
  const [b1, b2, b3, ...more1] = bursts(from('r1').filter(isGarp), 300)
  t.ok(firstAdvert1 !== undefined && b1 !== undefined, 'r1 advertised and announced')
  if (firstAdvert1 === undefined || b1 === undefined) return
  const round1 = [...v1, ...v1, ...v1]
  t.same(targets(b1), round1, 'becoming master: garp_master_repeat (3) rounds of one GARP per VIP')
  t.ok(b1[0].atUs >= firstAdvert1.atUs && b1[0].atUs - firstAdvert1.atUs < 100_000, `the first burst follows the first advert (${ms(b1[0].atUs - firstAdvert1.atUs)} ms later)`)
  t.same(targets(b2 ?? []), round1, 'a second burst of the same')
  const delayUs = (b2?.[0].atUs ?? 0) - b1[0].atUs
  // Timers never fire early; the first burst may leave a few ms after the decision it was timed from.
  t.ok(delayUs > 950_000 && delayUs < 1_250_000, `garp_master_delay 1: the second burst ${ms(delayUs)} ms after the first`)
  t.same(targets(b3 ?? []), [...v1, ...v1], 'a refresh: garp_master_refresh_repeat (2) rounds')
  const refreshUs = (b3?.[0].atUs ?? 0) - b1[0].atUs
  t.ok(refreshUs > 1_950_000 && refreshUs < 2_250_000, `garp_master_refresh 2: ${ms(refreshUs)} ms after becoming master`)
  t.same(more1, [], 'nothing else within 2.4 s')

  const paced = bursts(from('r2').filter(isGarp), 300)
  t.equal(paced.length, 2, 'r2: the burst on becoming master and the one after garp_master_delay')
  for (const [i, burst] of paced.entries()) {
    // DEVIATION(keepalived 2.2.7): with vrrp_garp_interval set, keepalived sends each VIP once
    // per burst (the first one twice), whatever garp_master_repeat says; floatip sends the
    // repeats, as the man page describes (docs/engine.md).
    t.same(targets(burst), [...v2, ...v2, ...v2], `r2 burst ${i + 1}: garp_master_repeat rounds of one GARP per VIP`)
    const gaps = burst.slice(1).map((f, k) => f.atUs - burst[k].atUs)
    // The native thread sends each frame at its time; 2 ms absorbs its lateness on a busy host.
    t.ok(gaps.every((g) => g >= (INTERVAL_MS - 2) * 1000), `vrrp_garp_interval ${INTERVAL_MS} ms between frames: ${gaps.map(ms).join(', ')} ms`)
  }
})

/** An ARP request from `mac`/`ip` for `target` (42 bytes, broadcast). */
function arpRequest (mac: string, ip: string, target: string): Uint8Array {
  const b = Buffer.alloc(42)
  const macBytes = Buffer.from(mac.split(':').map((h) => parseInt(h, 16)))
  const ipBytes = (a: string): Buffer => Buffer.from(a.split('.').map(Number))
  b.fill(0xff, 0, 6)
  macBytes.copy(b, 6)
  b.writeUInt16BE(0x0806, 12)
  b.writeUInt16BE(1, 14) // Ethernet
  b.writeUInt16BE(0x0800, 16) // IPv4
  b[18] = 6
  b[19] = 4
  b.writeUInt16BE(1, 20) // request
  macBytes.copy(b, 22)
  ipBytes(ip).copy(b, 28)
  ipBytes(target).copy(b, 38)
  return b
}

t.test('§6.4.2 becoming master, on the wire: the VIPs answer before the first advert leaves, and the GARPs follow the advert', async (t) => {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  // A hundred more VIPs (virtual_ipaddress_excluded, added after the advertised one; any
  // documentation address will do): adding them takes a few ms, a window that the client's ARP
  // requests for the last one, every 200 µs, do not miss if the advert leaves before it closes.
  const extra = Array.from({ length: 100 }, (_, i) => `203.0.113.${i + 1}`)
  const last = extra[extra.length - 1]
  const conf = (priority: number): string => keepalivedConf({
    instances: [{ name: 'VI_1', vrid: 51, priority, advertInt: 0.01, version: 3, vips: [lab.vip4(0)], extra: ['virtual_ipaddress_excluded {', ...extra.map((v) => `    ${v}`), '}'] }]
  })
  const r1 = daemons.floatip('r1', conf(150))
  const r2 = daemons.floatip('r2', conf(100))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
  await waitFor(() => r2.logs.filter((l) => l.msg === 'state changed').at(-1)?.to === 'BACKUP', { timeoutMs: 5000, what: 'r2 BACKUP' })

  // r2's interface, both directions, in the kernel's order: a request r2 received after its
  // advert left is answered only if every VIP was in place by then.
  const capture = new FrameCapture(t, lab, 'r2')
  await capture.ready()
  const c = lab.node('c')
  // SCHED_FIFO (above floatip's I/O thread, at 1): the requests keep coming while r2's takeover
  // keeps a CPU busy, so a window between the advert and the last VIP would not go unprobed.
  const loop = new IoLoop({ realtimePriority: 10 })
  const tx = new PacketSocket({ interface: c.ifname, netns: c.ns })
  t.teardown(() => { tx.close(); loop.close() })
  const flood = loop.startPeriodic(tx, arpRequest(c.mac, c.ipv4, last), { intervalUs: 200 })
  t.teardown(() => flood.stop())
  await sleep(30)
  const from = r2.logs.length
  lab.kill(r1.child, 'SIGKILL')
  await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from })
  await sleep(30)
  flood.stop()
  const frames = await capture.stop()

  const r2Mac = lab.node('r2').mac
  const isRequest = (f: CapturedFrame): boolean => !f.outgoing && f.arp?.op === 1 && f.arp.targetIp === last
  const isReply = (f: CapturedFrame): boolean => f.outgoing && f.arp?.op === 2 && f.arp.senderIp === last
  const advert = frames.findIndex((f) => f.outgoing && f.vrrp !== undefined && f.sourceMac === r2Mac)
  const garp = frames.findIndex((f) => f.outgoing && isGarp(f))
  t.ok(advert >= 0 && garp >= 0, `r2's first advert (frame ${advert}) and first GARP (frame ${garp}) were captured`)
  t.ok(advert < garp, 'the first GARP leaves after the first advert')
  const firstReply = frames.findIndex(isReply)
  const asBackup = frames.slice(0, firstReply).filter(isRequest).length
  t.ok(asBackup > 10, `as backup, r2 left ${asBackup} requests for ${last} unanswered`)
  const early = frames.slice(firstReply, advert).filter(isReply)
  t.comment(`${early.length} requests answered before the advert left, ${ms(frames[advert].atUs - (early[0]?.atUs ?? frames[advert].atUs))} ms before it`)
  // Each request's reply is sent while the kernel handles it, before it takes the next one.
  const after = frames.slice(advert + 1)
  const requests = after.flatMap((f, i) => (isRequest(f) ? [i] : []))
  const answered = after.find(isReply)
  t.comment(`r2's first reply after its advert: ${answered === undefined ? 'none' : `${ms(answered.atUs - frames[advert].atUs)} ms later`}`)
  const unanswered = requests.slice(0, -1).filter((at, k) => !after.slice(at + 1, requests[k + 1]).some(isReply))
  t.ok(requests.length > 10, `${requests.length} requests reached r2 after its first advert`)
  t.equal(unanswered.length, 0, `every one of them was answered (unanswered: ${unanswered.length}): ${last}, the last VIP added, was in place before the advert left`)
})

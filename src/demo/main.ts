// `npm run demo`: what the foundation does today, end to end in a namespace lab. r1 owns a VIP
// and sends VRRPv3 adverts every 10 ms from the native I/O thread; r2's native watch resets on
// each identical advert; a client pings the VIP every 5 ms. r1's cable is pulled; r2's watch
// expires after Master_Down_Interval (computed by src/core), r2 adds the VIP through rtnetlink
// and sends a gratuitous ARP (built by src/protocol) on AF_PACKET, and the client's outage is
// measured from its ping replies. The full daemon (`floatip run`, the RFC state machine on both
// sides) replaces this hand wiring in the VRRP engine issue.
import { createLab } from '../lab/index.js'
import { IoLoop, PacketSocket, RtNetlink, VrrpSocket, interfaceInfo, monotonicUs } from '../native/index.js'
import { encodeAdvertOrThrow } from '../protocol/vrrp-codec.js'
import { buildGratuitousArp } from '../protocol/garp.js'
import { parseIpOrThrow } from '../protocol/ip-address.js'
import { masterDownIntervalUs } from '../core/index.js'

const ADVER_INT_CS = 1 // 10 ms
const BACKUP_PRIORITY = 100

const say = (text: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${text}`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function takeVip (node: { ns: string, ifname: string, ifindex: number }, vip: string): void {
  const nl = new RtNetlink({ netns: node.ns })
  const arp = new PacketSocket({ interface: node.ifname, netns: node.ns })
  try {
    nl.addAddress({ ifindex: node.ifindex, address: vip, prefixLength: 24 })
    const frame = buildGratuitousArp({ vip: parseIpOrThrow(vip).bytes, senderMac: interfaceInfo(node.ifname, node.ns).macBytes })
    if (frame) arp.send(frame)
  } finally {
    nl.close()
    arp.close()
  }
}

/** Longest gap between consecutive replies in `ping -D` output (ms), and the reply count. */
function longestGapMs (pingOutput: string): { gapMs: number, replies: number } {
  const times = [...pingOutput.matchAll(/^\[(\d+\.\d+)\] .*icmp_seq=/gm)].map((m) => Number(m[1]) * 1000)
  let gapMs = 0
  for (let i = 1; i < times.length; i++) gapMs = Math.max(gapMs, times[i] - times[i - 1])
  return { gapMs, replies: times.length }
}

async function main (): Promise<void> {
  say('building the lab: r1, r2 and a client on one bridge (192.0.2.0/24), in their own namespaces')
  const lab = await createLab({ routers: 2, client: true, ipv6: false })
  const loop = new IoLoop()
  try {
    const [r1, r2] = [lab.node('r1'), lab.node('r2')]
    const vip = lab.vip4(0)
    takeVip(r1, vip)
    say(`r1 (${r1.ipv4}) owns the VIP ${vip} and advertises every 10 ms from its native thread`)
    const tx = new VrrpSocket({ family: 4, interface: r1.ifname, netns: r1.ns, source: r1.ipv4 })
    const advert = encodeAdvertOrThrow({ version: 3, vrid: 51, priority: 200, maxAdverIntCs: ADVER_INT_CS, addresses: [vip] },
      { family: 'ipv4', sourceAddress: parseIpOrThrow(r1.ipv4).bytes, destinationAddress: parseIpOrThrow('224.0.0.18').bytes })
    loop.startPeriodic(tx, advert, { intervalUs: ADVER_INT_CS * 10_000 })

    const rx = new VrrpSocket({ family: 4, interface: r2.ifname, netns: r2.ns })
    loop.attach(rx, () => {})
    const downUs = masterDownIntervalUs(3, BACKUP_PRIORITY, ADVER_INT_CS)
    let tookOverAtUs = 0
    const watch = loop.createWatch((firedUs) => {
      takeVip(r2, vip)
      tookOverAtUs = firedUs
      say(`r2: no advert for Master_Down_Interval (${(downUs / 1000).toFixed(1)} ms): took the VIP and sent a gratuitous ARP`)
    })
    watch.arm(rx, { source: r1.ipv4, bytes: advert, timeoutUs: downUs, firstDeadlineUs: monotonicUs() + 1_000_000 })

    say(`client pings ${vip} every 5 ms`)
    const ping = lab.spawn('c', ['ping', '-D', '-n', '-i', '0.005', '-W', '1', '-w', '4', vip], { stdio: ['ignore', 'pipe', 'ignore'] })
    let output = ''
    ping.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    await sleep(1500)
    const stats = loop.stats()
    say(`r2's watch absorbed ${stats.rxWatchMatched} identical adverts natively, ${stats.rxDelivered} reached JavaScript`)
    const pulledAtUs = monotonicUs()
    await lab.setLinkDown('r1', { side: 'switch' })
    say("r1's cable is pulled (its switch port is down)")
    await lab.waitExit(ping, 10_000)
    const { gapMs, replies } = longestGapMs(output)
    say(`r2 took over ${tookOverAtUs ? ((tookOverAtUs - pulledAtUs) / 1000).toFixed(1) : '?'} ms after the pull`)
    console.log('\n  result')
    console.log(`    client replies received               ${replies}`)
    console.log(`    longest gap seen by the client        ${gapMs.toFixed(1)} ms`)
    console.log(`    protocol bound (Master_Down_Interval)${(downUs / 1000).toFixed(1)} ms, plus up to one 5 ms probe interval\n`)
    if (!tookOverAtUs) process.exitCode = 1
  } finally {
    loop.close()
    await lab.destroy()
    say('lab removed')
  }
}

await main()

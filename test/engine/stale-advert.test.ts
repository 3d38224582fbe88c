// A backup's JavaScript thread can handle an advert long after it arrived: it waited in the ring
// while the thread was busy (starting 255 instances), and meanwhile the native watch, armed from
// an earlier advert, absorbed the master's later ones. Handling the stale advert must not reset
// the Master_Down_Timer from the advert's own stamp (RFC 5798 §6.4.2), which is already in the
// past: the re-armed watch would fire at once and the backup take over from a live master. This
// was the start-up takeover of a 255-instance backup in bench/cost.ts (docs/core.md step 5).
import t from 'tap'
import { withLab, waitFor } from '../helpers/lab.js'
import { keepalivedConf } from '../helpers/daemons.js'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import { planInstances, type InstancePlan } from '../../src/engine/instance-plan.js'
import { InstanceRuntime } from '../../src/engine/instance-runtime.js'
import { VrrpChannel } from '../../src/engine/vrrp-channel.js'
import { AdvertEncoder } from '../../src/engine/advert-encoder.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { VipSet } from '../../src/io/vip-set.js'
import { Announcer } from '../../src/io/announcer.js'
import { createLogger } from '../../src/io/logger.js'
import { decodeAdvert } from '../../src/protocol/vrrp-codec.js'
import { parseIpOrThrow } from '../../src/protocol/ip-address.js'
import { IoLoop, PacketSocket, RtNetlink, VrrpSocket, interfaceInfo, monotonicUs, type LoopPacket } from '../../src/native/index.js'

const MULTICAST = '224.0.0.18'

function plan (ifname: string, vip: string, priority: number): InstancePlan {
  const conf = keepalivedConf({ instances: [{ name: 'VI_1', vrid: 7, priority, advertInt: 0.01, version: 3, interface: ifname, vips: [`${vip}/32`] }] })
  const loaded = loadConfig('/k.conf', { reader: createMemoryReader({ '/k.conf': conf }), configId: 'test' })
  return planInstances(loaded.model).plans[0]
}

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

t.test('an advert handled after Master_Down_Interval, while the watch absorbs newer ones, keeps the backup BACKUP', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const [r1, r2] = [lab.node('r1'), lab.node('r2')]
  const vip = lab.vip4(0)
  const loop = new IoLoop()
  t.teardown(() => loop.close())

  // The master (r1): the native thread sends its advert every 10 ms.
  const master = plan(r1.ifname, vip, 200)
  const advert = new AdvertEncoder(master, r1.ipv4).encode(200, 1)[0]
  const tx = new VrrpSocket({ family: 4, interface: r1.ifname, netns: r1.ns, source: r1.ipv4, receive: false })
  t.teardown(() => tx.close())
  const sending = loop.startPeriodic(tx, advert.bytes, { destination: advert.destination, intervalUs: 10_000, firstAtUs: monotonicUs() + 1000 }, () => {})
  let sendingStopped = false
  const stopSending = (): void => { if (!sendingStopped) { sendingStopped = true; sending.stop() } }
  t.teardown(stopSending)

  // The backup (r2): one instance runtime on its own channel, as the engine wires it.
  const backup = plan(r2.ifname, vip, 100)
  const log = createLogger({ level: 'silent' })
  const channel = new VrrpChannel(loop, { interface: r2.ifname, netns: r2.ns, family: 'ipv4', source: r2.ipv4, multicast: true }, log)
  t.teardown(() => channel.close())
  const packets = new PacketSocket({ interface: r2.ifname, netns: r2.ns })
  t.teardown(() => packets.close())
  const ifindex = interfaceInfo(r2.ifname, r2.ns).index
  const events: EngineEvent[] = []
  const runtime = new InstanceRuntime(backup, {
    loop,
    sockets: channel,
    vips: new VipSet(new RtNetlink({ netns: r2.ns }), backup.vips, () => ifindex),
    announcer: new Announcer({ netns: r2.ns, targets: [{ socket: packets, address: vip }] }),
    primaryAddress: r2.ipv4,
    log,
    now: monotonicUs,
    onEvent: (e) => events.push(e)
  })
  t.teardown(() => { runtime.shutdown(); runtime.close() })
  channel.route((vrid) => (vrid === backup.core.vrid ? { runtime, mine: true } : undefined))
  runtime.start()

  await waitFor(() => runtime.status().steady === 'watch', { timeoutMs: 5000, intervalMs: 10, what: 'the backup to watch the master natively' })
  await sleep(100)
  const matched = runtime.status().counters.advertsMatchedNative
  t.ok(matched > 0, `the native watch absorbed ${matched} of the master's adverts`)

  // The master's advert as the ring would hand it over, stamped 60 ms ago (> 36.1 ms).
  const staleUs = monotonicUs() - 60_000
  const stale: LoopPacket = {
    data: Buffer.from(advert.bytes),
    family: 4,
    source: parseIpOrThrow(r1.ipv4).bytes,
    destination: parseIpOrThrow(MULTICAST).bytes,
    ttl: 255,
    ifindex,
    receivedUs: staleUs,
    readUs: staleUs,
    truncated: false,
    wireLength: advert.bytes.length
  }
  const decoded = decodeAdvert(stale.data, { family: 'ipv4', sourceAddress: stale.source, destinationAddress: stale.destination, ttl: 255, requireTtl255: true })
  if (!decoded.ok) throw new Error(`the test's advert does not decode: ${decoded.reason}`)
  runtime.receive(stale, decoded.advert, decoded.checksumForm)
  await sleep(200)
  t.equal(runtime.core.state, 'BACKUP', 'still BACKUP 200 ms after the stale advert (the master never stopped)')
  t.notOk(events.some((e) => e.type === 'transition' && e.transition.to === 'MASTER'), 'no transition to MASTER')
  t.ok(runtime.status().counters.advertsMatchedNative > matched, 'the watch goes on absorbing the master\'s adverts')

  // Control: the same backup does take over when the master stops.
  stopSending()
  await waitFor(() => runtime.core.state === 'MASTER', { timeoutMs: 5000, intervalMs: 5, what: 'the backup to take over from the stopped master' })
  t.pass('the backup takes over once the master stops')
})

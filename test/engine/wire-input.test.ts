// Bad input on the wire (RFC 5798 §7.1): a running floatip master gets malformed and foreign VRRP
// packets from the client namespace. Each is dropped and counted by reason, nothing crashes, and
// mastership does not move. Valid adverts from two other sources, one in each VRRPv3 IPv4
// checksum form, are counted per source. A config error stops start-up with the check-config
// diagnostics.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { withLab, waitFor } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, vipHolders, type RunningDaemon } from '../helpers/daemons.js'
import { VrrpSocket } from '../../src/native/index.js'
import { encodeAdvertOrThrow } from '../../src/protocol/vrrp-codec.js'
import { parseIpOrThrow } from '../../src/protocol/ip-address.js'

interface PeerForm { form: string, adverts: Record<string, number> }
interface Stopped {
  status: {
    instances: Array<{ name: string, state: string, counters: { discards: Record<string, number>, checksumForms: { peers: Record<string, PeerForm> } } }>
    channels: Array<{ discards: Record<string, number> }>
  }
}

/** Sends VRRP messages with an IPv4 header of the test's choosing (source, TTL): vrrp-send.py. */
const rawSender = fileURLToPath(new URL('../helpers/vrrp-send.py', import.meta.url))
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

async function stop (daemon: RunningDaemon, lab: { kill: (c: RunningDaemon['child'], s: NodeJS.Signals) => boolean }): Promise<Stopped> {
  lab.kill(daemon.child, 'SIGTERM')
  return await daemon.waitForLog((l) => l.msg === 'stopped', 'final status') as unknown as Stopped
}

t.test('§7.1 malformed and foreign adverts are dropped and counted by reason; the master stays master', async (t) => {
  const lab = await withLab(t, { routers: 1, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const vip2 = lab.vip4(1)
  const r1 = daemons.floatip('r1', keepalivedConf({
    instances: [
      { name: 'VI_1', vrid: 51, priority: 100, advertInt: 0.1, version: 3, vips: [vip] },
      // VRRPv2, for the Adver Int rule of RFC 3768 §7.1 (VRRPv3 backups learn the interval).
      { name: 'VI_2', state: 'MASTER', vrid: 52, priority: 100, advertInt: 1, version: 2, vips: [vip2] }
    ]
  }))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 VI_1 MASTER')
  await r1.waitForLog(stateChange('VI_2', 'MASTER'), 'r1 VI_2 MASTER')

  const client = lab.node('c')
  const tx = new VrrpSocket({ family: 4, interface: client.ifname, netns: client.ns, source: client.ipv4 })
  t.teardown(() => tx.close())
  const ctx = { family: 'ipv4' as const, sourceAddress: parseIpOrThrow(client.ipv4).bytes, destinationAddress: parseIpOrThrow('224.0.0.18').bytes }
  const good = (vrid: number, priority: number, addresses: string[]): Uint8Array =>
    encodeAdvertOrThrow({ version: 3, vrid, priority, maxAdverIntCs: 10, addresses }, ctx)

  const badChecksum = Uint8Array.from(good(51, 254, [vip]))
  badChecksum[6] ^= 0xff
  const badVersion = Uint8Array.from(good(51, 254, [vip]))
  badVersion[0] = 0x11 // version 1, type 1
  const badType = Uint8Array.from(good(51, 254, [vip]))
  badType[0] = 0x32 // version 3, type 2
  const sent: Array<[string, Uint8Array]> = [
    ['checksum-error', badChecksum],
    ['version-error', badVersion],
    ['invalid-type', badType],
    ['packet-length-error', good(51, 254, [vip]).subarray(0, 6)],
    ['vrid-error', good(99, 254, [vip])],
    ['address-list-error', good(51, 254, [lab.vip4(9)])]
  ]
  for (const [, bytes] of sent) tx.send(bytes)
  // Random garbage as well: never a crash.
  for (let i = 0; i < 200; i++) tx.send(randomBytes(1 + (i % 60)))

  // RFC 5798 §7.1 / RFC 3768 §7.1: "MUST verify that the IP TTL is 255" (a valid advert otherwise).
  const send = async (source: string, ttl: number, messages: Uint8Array[]): Promise<void> => {
    await lab.run(client, ['python3', rawSender, client.ifname, source, '224.0.0.18', String(ttl), ...messages.map(hex)])
  }
  await send(client.ipv4, 64, [good(51, 254, [vip])])
  // RFC 3768 §7.1: "MUST verify that the Adver Interval in the packet is the same as the locally
  // configured for this virtual router" (VI_2 runs 1 s; this one says 3 s).
  const v2 = encodeAdvertOrThrow({ version: 2, vrid: 52, priority: 254, adverIntS: 3, authType: 0, authData: new Uint8Array(8), addresses: [vip2] }, ctx)
  await send(client.ipv4, 255, [v2])

  // Valid adverts (lower priority: the master stays master) from two other sources, one per
  // checksum form: the status names each source's form.
  const peers = [{ source: '192.0.2.150', form: 'pseudo-header', count: 3 }, { source: '192.0.2.151', form: 'v2-style', count: 2 }] as const
  for (const p of peers) {
    const peerCtx = { ...ctx, sourceAddress: parseIpOrThrow(p.source).bytes, checksumForm: p.form }
    const advert = encodeAdvertOrThrow({ version: 3, vrid: 51, priority: 50, maxAdverIntCs: 10, addresses: [vip] }, peerCtx)
    await send(p.source, 255, Array.from({ length: p.count }, () => advert))
  }
  await new Promise((resolve) => setTimeout(resolve, 400))

  t.equal(r1.child.exitCode, null, 'still running')
  t.same(await vipHolders(lab, ['r1'], vip), ['r1'], 'still holds the VIP')
  t.same(await vipHolders(lab, ['r1'], vip2), ['r1'], 'VI_2 still holds its VIP')
  t.notOk(r1.logs.some((l) => l.msg === 'state changed' && l.to !== 'MASTER' && l.from === 'MASTER'), 'neither instance left MASTER')
  t.ok(r1.logs.some((l) => l.msg === 'packet discarded' && l.reason === 'checksum-error'), 'a discard is logged with its reason')

  const final = await stop(r1, lab)
  const channel = final.status.channels[0].discards
  const vi1 = final.status.instances.find((i) => i.name === 'VI_1')
  const vi2 = final.status.instances.find((i) => i.name === 'VI_2')
  if (vi1 === undefined || vi2 === undefined) throw new Error('VI_1 and VI_2 must be in the final status')
  const instance = vi1.counters.discards
  for (const [reason] of sent) {
    const count = (channel[reason] ?? 0) + (instance[reason] ?? 0)
    t.ok(count >= 1, `${reason} counted (${count})`)
  }
  t.equal(instance['address-list-error'], 1, 'the address list mismatch is an instance-level discard')
  // KEEPALIVED counts packet errors per instance too (keepalived.stats): the VRID byte names it.
  for (const reason of ['checksum-error', 'version-error', 'invalid-type', 'packet-length-error']) {
    t.ok(instance[reason] >= 1 && channel[reason] >= instance[reason], `${reason}: counted for VI_1 (${instance[reason]}) and its socket (${channel[reason]})`)
  }
  t.equal(channel['vrid-error'] >= 1, true, 'the unknown VRID is a channel-level discard')
  t.equal(instance['ip-ttl-error'], 1, 'TTL 64 on the multicast group: ip-ttl-error for VI_1')
  t.equal(channel['ip-ttl-error'], 1, 'and for its socket')
  t.equal(vi2.counters.discards['advertise-interval-error'], 1, 'VRRPv2 Adver Int 3 against 1: advertise-interval-error for VI_2')
  t.equal(vi1.counters.discards['advertise-interval-error'], 0, 'VRRPv3 has no interval rule')

  const forms = vi1.counters.checksumForms.peers
  for (const p of peers) {
    t.equal(forms[p.source]?.form, p.form, `${p.source} sends the ${p.form} form`)
    t.equal(forms[p.source]?.adverts[p.form], p.count, `${p.source}: ${p.count} adverts counted`)
  }
  t.same(Object.keys(forms).sort(), peers.map((p) => p.source), 'only the valid adverts\' sources (a discarded advert names no form)')
})

t.test('a config error stops start-up with file:line:column diagnostics and exit 1', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const text = keepalivedConf({ instances: [{ name: 'VI_1', vrid: 300, priority: 100, vips: [lab.vip4(0)] }] })
  const r1 = daemons.floatip('r1', text)
  const code = await new Promise<number | null>((resolve) => r1.child.once('exit', resolve))
  t.equal(code, 1, 'exit 1')
  const diag = r1.stderr.join('\n')
  t.match(diag, new RegExp(`${r1.configPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error`), 'names file:line:column')
  t.match(diag, /virtual_router_id/, 'names the keyword')
  t.ok(r1.logs.some((l) => l.msg?.includes('configuration has errors') === true), 'logs why it did not start')
})

t.test('start-up refuses a missing interface with a clear error and leaves nothing behind', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const r1 = daemons.floatip('r1', keepalivedConf({ instances: [{ name: 'VI_1', interface: 'eth7', vrid: 51, priority: 100, vips: [lab.vip4(0)] }] }))
  const code = await new Promise<number | null>((resolve) => r1.child.once('exit', resolve))
  t.equal(code, 1)
  t.ok(r1.logs.some((l) => l.msg === 'could not start' && String(l.err).includes('eth7 does not exist')), 'says which interface is missing')
})

t.test('stale VIPs a crashed run left are removed at start-up', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const conf = (priority: number): string => keepalivedConf({ instances: [{ name: 'VI_1', vrid: 51, priority, advertInt: 0.1, version: 3, vips: [vip] }] })
  const r2 = daemons.floatip('r2', conf(150))
  await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 MASTER')
  lab.exec('r1', ['ip', 'addr', 'add', `${vip}/32`, 'dev', 'eth0'])
  t.same(await vipHolders(lab, ['r1', 'r2'], vip), ['r1', 'r2'], 'both hold the VIP before r1 starts (the crash left it)')
  const r1 = daemons.floatip('r1', conf(100))
  await r1.waitForLog((l) => l.msg === 'removing stale VIPs', 'r1 cleans up')
  await waitFor(() => r1.logs.some(stateChange('VI_1', 'BACKUP')), { timeoutMs: 5000, what: 'r1 BACKUP' })
  t.same(await vipHolders(lab, ['r1', 'r2'], vip), ['r2'], 'only the master holds the VIP')
})

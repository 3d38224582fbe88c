// Bad input on the wire (RFC 5798 §7.1): a running floatip master gets malformed and foreign VRRP
// packets from the client namespace. Each is dropped and counted by reason, nothing crashes, and
// mastership does not move. A config error stops start-up with the check-config diagnostics.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { withLab, waitFor } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, vipHolders, type RunningDaemon } from '../helpers/daemons.js'
import { VrrpSocket } from '../../src/native/index.js'
import { encodeAdvertOrThrow } from '../../src/protocol/vrrp-codec.js'
import { parseIpOrThrow } from '../../src/protocol/ip-address.js'

interface Stopped { status: { instances: Array<{ state: string, counters: { discards: Record<string, number> } }>, channels: Array<{ discards: Record<string, number> }> } }

async function stop (daemon: RunningDaemon, lab: { kill: (c: RunningDaemon['child'], s: NodeJS.Signals) => boolean }): Promise<Stopped> {
  lab.kill(daemon.child, 'SIGTERM')
  return await daemon.waitForLog((l) => l.msg === 'stopped', 'final status') as unknown as Stopped
}

t.test('§7.1 malformed and foreign adverts are dropped and counted by reason; the master stays master', async (t) => {
  const lab = await withLab(t, { routers: 1, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const r1 = daemons.floatip('r1', keepalivedConf({ instances: [{ name: 'VI_1', vrid: 51, priority: 100, advertInt: 0.1, version: 3, vips: [vip] }] }))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')

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
  await new Promise((resolve) => setTimeout(resolve, 400))

  t.equal(r1.child.exitCode, null, 'still running')
  t.same(await vipHolders(lab, ['r1'], vip), ['r1'], 'still holds the VIP')
  t.notOk(r1.logs.some((l) => l.msg === 'state changed' && l.to !== 'MASTER' && l.from === 'MASTER'), 'never left MASTER')
  t.ok(r1.logs.some((l) => l.msg === 'packet discarded' && l.reason === 'checksum-error'), 'a discard is logged with its reason')

  const final = await stop(r1, lab)
  const channel = final.status.channels[0].discards
  const instance = final.status.instances[0].counters.discards
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

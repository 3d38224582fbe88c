// The SIGUSR2/SIGUSR1 dump texts (keepalived-stats.ts, keepalived-data.ts) from fixed inputs, and
// the dump files' place and mode (dump-file.ts). The lab test dumps.test.ts compares them with
// Debian's keepalived.
import t from 'tap'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, lstatSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import { planInstances } from '../../src/engine/instance-plan.js'
import type { InstanceStatus } from '../../src/engine/instance-runtime.js'
import { emptyDiscardCounters } from '../../src/protocol/discard-reasons.js'
import { formatKeepalivedStats } from '../../src/engine/keepalived-stats.js'
import { formatKeepalivedData, timestamp } from '../../src/daemon/keepalived-data.js'
import { dumpPath, writeDump } from '../../src/daemon/dump-file.js'

function status (name: string, over: Partial<InstanceStatus['counters']> = {}, state: InstanceStatus['state'] = 'MASTER'): InstanceStatus {
  return {
    name, vrid: 51, interface: 'eth0', state, priority: 140, master: '192.0.2.1', primaryAddress: '192.0.2.1', steady: 'master',
    lastTransitionUs: 5_000_000, faults: [],
    counters: {
      advertsReceived: 3, advertsSentByJs: 2, priorityZeroReceived: 1, priorityZeroSent: 1, sendErrors: 0, becameMaster: 2,
      releasedMaster: 1, announcements: 5, vipFailures: 0,
      discards: { ...emptyDiscardCounters(), 'unknown-unicast-source': 0, 'ip-ttl-error': 4, 'auth-failure': 6, 'advertise-interval-error': 7 },
      checksumForms: { peers: {}, overflow: { 'pseudo-header': 0, 'v2-style': 0 } },
      advertsSentNative: 1000, advertsMatchedNative: 500,
      ...over
    }
  }
}

t.test('keepalived.stats: keepalived 2.2.7\'s block per instance, native counts included', async (t) => {
  const text = formatKeepalivedStats([status('VI_1'), status('VI_2', { becameMaster: 0 })])
  t.equal(text.split('VRRP Instance: ').length - 1, 2)
  t.equal(text.slice(0, text.indexOf('VRRP Instance: VI_2')), [
    'VRRP Instance: VI_1',
    '  Advertisements:',
    '    Received: 503',
    '    Sent: 1002',
    '  Became master: 2',
    '  Released master: 1',
    '  Packet Errors:',
    '    Length: 0',
    '    TTL: 4',
    '    Invalid Type: 0',
    '    Advertisement Interval: 7',
    '    Address List: 0',
    '  Authentication Errors:',
    '    Invalid Type: 0',
    '    Type Mismatch: 0',
    '    Failure: 6',
    '  Priority Zero:',
    '    Received: 1',
    '    Sent: 1',
    ''
  ].join('\n'))
  t.match(text, /VRRP Instance: VI_2\n {2}Advertisements:\n {4}Received: 503\n {4}Sent: 1002\n {2}Became master: 0\n/)
  t.ok(text.endsWith('    Sent: 1\n'), 'ends with a newline, as keepalived\'s file does')
  t.equal(formatKeepalivedStats([]), '', 'no instances, empty file')
})

t.test('keepalived.data: keepalived\'s topology lines from the plan and the state', async (t) => {
  const conf = `global_defs { router_id lb-1 }
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  nopreempt
  authentication { auth_type PASS
  auth_pass secret1 }
  unicast_peer { 192.0.2.2 }
  virtual_ipaddress { 192.0.2.100/24 dev eth0 label eth0:1 }
}
vrrp_instance VI_6 {
  interface eth1
  version 3
  virtual_router_id 52
  priority 100
  advert_int 0.05
  virtual_ipaddress { 2001:db8::100/64 }
}
`
  const loaded = loadConfig('/k.conf', { reader: createMemoryReader({ '/k.conf': conf }), configId: 'test' })
  const { plans } = planInstances(loaded.model)
  const text = formatKeepalivedData({
    routerId: 'lb-1',
    mcastGroup4: '224.0.0.18',
    mcastGroup6: 'ff02::12',
    instances: [{ plan: plans[0], status: status('VI_1') }, { plan: plans[1], status: undefined }],
    wallClockUs: (us) => 1_795_320_883_420_743 + us
  })
  const lines = text.split('\n')
  t.same(lines.slice(0, 5), ['------< Global definitions >------', ' Router ID = lb-1', ' VRRP IPv4 mcast group = 224.0.0.18', ' VRRP IPv6 mcast group = ff02::12', '------< VRRP Topology >------'])
  const vi1 = lines.slice(lines.indexOf(' VRRP Instance = VI_1'), lines.indexOf(' VRRP Instance = VI_6'))
  for (const line of [
    '   VRRP Version = 2', '   State = MASTER', '   Interface = eth0', '   Using src_ip = 192.0.2.1', '   Virtual Router ID = 51',
    '   Priority = 150', '   Effective priority = 140', '   Advert interval = 1 sec', '   Accept = enabled', '   Preempt = disabled',
    '   Authentication type = SIMPLE_PASSWORD', '   Password = secret1', '   Virtual IP (1):',
    '     192.0.2.100/24 dev eth0 scope global label eth0:1 set', '   Unicast Peer :', '     192.0.2.2 min_ttl 0 max_ttl 255',
    '   Gratuitous ARP delay = 5', '   Down timer adverts = 3', '   Notify deleted = Fault'
  ]) t.ok(vi1.includes(line), line.trim())
  t.notOk(vi1.some((l) => l.startsWith('   Multicast address')), 'unicast: no multicast group')
  t.match(vi1.find((l) => l.startsWith('   Last transition')) ?? '', /^ {3}Last transition = 1795320888\.420743 \(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d\.420743 2026\)$/)
  const vi6 = lines.slice(lines.indexOf(' VRRP Instance = VI_6'))
  for (const line of ['   VRRP Version = 3', '   Using Native IPv6', '   State = INIT', '   Advert interval = 50 milli-sec', '   Multicast address ff02::12', '     2001:db8::100/64 dev eth1 scope global']) {
    t.ok(vi6.includes(line), line.trim())
  }
  t.notOk(vi6.some((l) => l.startsWith('   Authentication type')), 'VRRPv3 has no authentication')
  t.ok(text.endsWith('\n'))
})

t.test('timestamp: seconds.micros and the local time, as keepalived prints it', async (t) => {
  const tz = process.env.TZ
  process.env.TZ = 'UTC'
  t.teardown(() => { if (tz === undefined) delete process.env.TZ; else process.env.TZ = tz })
  t.equal(timestamp(1_795_320_888_420_743), '1795320888.420743 (Sun Nov 22 04:14:48.420743 2026)')
  t.equal(timestamp(1_700_000_000_000_001.7), '1700000000.000001 (Tue Nov 14 22:13:20.000001 2023)')
  t.equal(timestamp(1_704_499_200_999_999), '1704499200.999999 (Sat Jan  6 00:00:00.999999 2024)', 'day padded with a space')
})

t.test('dump files: $TMPDIR or /tmp, mode 0600, replaced whole, symlinks replaced not followed', async (t) => {
  t.equal(dumpPath('keepalived.stats', {}), '/tmp/keepalived.stats')
  t.equal(dumpPath('keepalived.stats', { TMPDIR: '' }), '/tmp/keepalived.stats')
  const dir = mkdtempSync(join(tmpdir(), 'floatip-dump-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { TMPDIR: dir }
  t.equal(dumpPath('keepalived.data', env), join(dir, 'keepalived.data'))
  const victim = join(dir, 'victim')
  writeFileSync(victim, 'keep me')
  symlinkSync(victim, join(dir, 'keepalived.stats'))
  const path = await writeDump('keepalived.stats', 'first\n', env)
  t.equal(readFileSync(path, 'utf8'), 'first\n')
  t.notOk(lstatSync(path).isSymbolicLink(), 'the symlink was replaced')
  t.equal(readFileSync(victim, 'utf8'), 'keep me', 'its target untouched')
  t.equal(statSync(path).mode & 0o777, 0o600)
  await Promise.all([writeDump('keepalived.stats', 'a\n', env), writeDump('keepalived.stats', 'b\n', env)])
  t.match(readFileSync(path, 'utf8'), /^[ab]\n$/, 'overlapping dumps: one whole file wins')
  t.same(readdirSync(dir).sort(), ['keepalived.stats', 'victim'], 'no temporary files left')
  await t.rejects(writeDump('keepalived.stats', 'x', { TMPDIR: join(dir, 'missing') }), { code: 'ENOENT' })
})

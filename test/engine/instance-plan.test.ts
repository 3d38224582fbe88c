// planInstances: the keepalived.conf model → what the engine runs, with global_defs inheritance
// and keepalived's defaults (pure: parsed from memory).
import t from 'tap'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import { planInstances } from '../../src/engine/instance-plan.js'
import { AdvertEncoder } from '../../src/engine/advert-encoder.js'
import { decodeAdvert } from '../../src/protocol/vrrp-codec.js'
import { parseIpOrThrow } from '../../src/protocol/ip-address.js'

function plan (text: string): ReturnType<typeof planInstances> {
  const loaded = loadConfig('/etc/keepalived/keepalived.conf', { reader: createMemoryReader({ '/etc/keepalived/keepalived.conf': text }), configId: 'test' })
  return planInstances(loaded.model)
}

t.test('keepalived defaults: VRRPv2, advert_int 1, GARP 5 s / 5, multicast 224.0.0.18, no auth', async (t) => {
  const { plans, problems } = plan('vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n 192.0.2.200\n }\n}\n')
  t.same(problems, [])
  const p = plans[0]
  t.match(p, { name: 'VI_1', interface: 'eth0', family: 'ipv4', multicastGroup: '224.0.0.18', unicastPeers: [], authType: 0, sourceAddress: undefined })
  t.match(p.core, { vrid: 51, version: 2, basePriority: 100, adverIntervalCs: 100, preempt: true, preemptDelayUs: 0, initialState: 'BACKUP', downTimerAdverts: 3 })
  t.same(p.garp, { masterDelayUs: 5_000_000, masterRepeat: 5, lowerPrioDelayUs: 5_000_000, lowerPrioRepeat: 5, refreshUs: 0, refreshRepeat: 1, intervalUs: 0 })
  t.same(p.vips.map((v) => `${v.address}/${v.prefixLength}`), ['192.0.2.200/32'])
})

t.test('global_defs values are inherited; instance values win', async (t) => {
  const { plans } = plan(`global_defs {
 vrrp_version 3
 vrrp_garp_master_delay 1
 vrrp_garp_master_repeat 2
 vrrp_garp_interval 0.001
 vrrp_lower_prio_no_advert
}
vrrp_instance A {
 interface eth0
 virtual_router_id 1
 advert_int 0.05
 garp_master_repeat 3
 virtual_ipaddress { 192.0.2.201 }
}
`)
  const p = plans[0]
  t.match(p.core, { version: 3, adverIntervalCs: 5, lowerPrioNoAdvert: true })
  t.match(p.garp, { masterDelayUs: 1_000_000, masterRepeat: 3, lowerPrioRepeat: 3, intervalUs: 1000 })
})

t.test('v3_checksum_as_v2: global_defs sets the default, an instance overrides it; the encoder sends that form', async (t) => {
  const inst = (name: string, vrid: number, line: string): string => `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n ${line}\n virtual_ipaddress { 192.0.2.${200 + vrid} }\n}\n`
  const none = plan('global_defs {\n vrrp_version 3\n}\n' + inst('A', 1, ''))
  t.equal(none.plans[0].checksumForm, 'pseudo-header', 'keepalived\'s default: with the pseudo-header')
  const { plans } = plan('global_defs {\n vrrp_version 3\n v3_checksum_as_v2\n}\n' + inst('A', 1, '') + inst('B', 2, 'v3_checksum_as_v2 false') + inst('C', 3, 'v3_checksum_as_v2 on'))
  t.same(plans.map((p) => p.checksumForm), ['v2-style', 'pseudo-header', 'v2-style'])
  const source = parseIpOrThrow('192.0.2.1').bytes
  const destination = parseIpOrThrow('224.0.0.18').bytes
  for (const p of plans) {
    const [advert] = new AdvertEncoder(p, '192.0.2.1').encode(100, 100)
    const decoded = decodeAdvert(advert.bytes, { family: 'ipv4', sourceAddress: source, destinationAddress: destination, ttl: 255 })
    t.equal(decoded.ok && decoded.checksumForm, p.checksumForm, `${p.name} sends ${p.checksumForm}`)
  }
})

t.test('PASS authentication (v2) becomes the 8 auth bytes; AH is refused; v3 ignores the block', async (t) => {
  const inst = (extra: string): string => `vrrp_instance A {\n interface eth0\n virtual_router_id 1\n ${extra}\n virtual_ipaddress { 192.0.2.201 }\n}\n`
  const pass = plan(inst('authentication {\n auth_type PASS\n auth_pass secret\n }'))
  t.equal(pass.plans[0].authType, 1)
  t.same([...pass.plans[0].authData ?? []], [...Buffer.from('secret\0\0')])
  const ah = plan(inst('authentication {\n auth_type AH\n auth_pass secret\n }'))
  t.equal(ah.plans.length, 0)
  t.match(ah.problems, [{ severity: 'error', message: /AH/ }])
  const v3 = plan(inst('version 3\n authentication {\n auth_type PASS\n auth_pass secret\n }'))
  t.equal(v3.plans[0].authType, 0)
  t.match(v3.problems, [{ severity: 'warning', message: /VRRPv3/ }])
})

t.test('unicast peers, IPv6 instances, and features not run yet are reported, never silent', async (t) => {
  const { plans, problems } = plan(`vrrp_script chk { script "/bin/true" }
vrrp_instance V6 {
 interface eth0
 virtual_router_id 2
 unicast_src_ip 2001:db8::1
 unicast_peer { 2001:db8::2 }
 track_script { chk }
 track_interface { eth1 }
 track_bfd { bfd1 }
 notify_deleted
 notify_master /bin/true
 notify_master_rx_lower_pri /bin/true
 virtual_ipaddress { 2001:db8::200/64 }
}
`)
  t.match(plans[0], { family: 'ipv6', sourceAddress: '2001:db8::1', unicastPeers: [{ address: '2001:db8::2' }] })
  t.equal(plans[0].core.version, 3, 'IPv6 runs VRRPv3')
  const messages = problems.map((p) => p.message).join('\n')
  t.match(messages, /VRRPv2 has no IPv6/)
  t.match(messages, /track_bfd is parsed but not acted on/)
  t.notMatch(messages, /notify_deleted/, 'notify_deleted runs now (reload): no warning')
  t.same(plans[0].trackInterfaces, [{ name: 'eth1', weight: 0, reverse: false }], 'track_interface is the engine\'s')
  t.notMatch(messages, /track_interface/)
  t.notMatch(messages, /^track_script|^notify_master |notify scripts|notify_master_rx_lower_pri/m, 'track_script, notify_* and notify_master_rx_lower_pri run now (src/daemon): no warning')
})

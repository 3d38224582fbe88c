// A VRRP socket's receive buffer from keepalived's keywords (kernel_rx_buf_size,
// vrrp_rx_bufs_policy, vrrp_rx_bufs_multiplier) and floatip's own floor: parsed from memory,
// planned, summed per socket (pure).
import t from 'tap'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import { planInstances } from '../../src/engine/instance-plan.js'
import { ADVERT_COST_VALUE, FLOATIP_ROUNDS, advertWireBytes, rxBufferRequest, type RxBufferShare } from '../../src/engine/rx-buffer.js'

const FILE = '/etc/keepalived/keepalived.conf'

function load (globals: string, instanceExtra = '') {
  const text = `global_defs {\n${globals}\n}\nvrrp_instance A {\n interface eth0\n virtual_router_id 1\n${instanceExtra}\n virtual_ipaddress { 192.0.2.201 }\n}\nvrrp_instance B {\n interface eth0\n virtual_router_id 2\n virtual_ipaddress { 192.0.2.202 }\n}\n`
  const loaded = loadConfig(FILE, { reader: createMemoryReader({ [FILE]: text }), configId: 'test' })
  return { loaded, plans: planInstances(loaded.model).plans }
}

const shares = (globals: string, instanceExtra = ''): RxBufferShare[] => load(globals, instanceExtra).plans.map((p) => p.rxBuffer)

t.test('the share each instance plans, in keepalived order: kernel_rx_buf_size, NUMBER, ADVERT, MTU', async (t) => {
  t.same(shares(''), [{ kind: 'floatip' }, { kind: 'floatip' }], 'nothing configured: floatip sizes the socket')
  t.same(shares(' vrrp_rx_bufs_policy MTU'), [{ kind: 'mtu', multiplier: 3 }, { kind: 'mtu', multiplier: 3 }], 'multiplier 3 by default')
  t.same(shares(' vrrp_rx_bufs_policy ADVERT\n vrrp_rx_bufs_multiplier 5'), [{ kind: 'advert', multiplier: 5 }, { kind: 'advert', multiplier: 5 }])
  t.same(shares(' vrrp_rx_bufs_policy MTU ADVERT'), [{ kind: 'advert', multiplier: 3 }, { kind: 'advert', multiplier: 3 }], 'ADVERT wins over MTU')
  t.same(shares(' vrrp_rx_bufs_policy 65536'), [{ kind: 'bytes', bytes: 65536 }, { kind: 'bytes', bytes: 65536 }])
  t.same(shares(' vrrp_rx_bufs_policy MTU', ' kernel_rx_buf_size 100000'), [{ kind: 'bytes', bytes: 100000 }, { kind: 'mtu', multiplier: 3 }], 'the instance keyword wins for its instance')
})

t.test('vrrp_rx_bufs_policy: a bad word is an error at its column; a size with a policy is warned and the policy ignored', async (t) => {
  const bad = load(' vrrp_rx_bufs_policy MTUU').loaded.diagnostics
  t.match(bad, [{ severity: 'error', code: 'invalid-value', line: 2, column: 22, text: 'MTUU', expected: 'MTU|ADVERT|a size 1-1073741824' }])
  const both = load(' vrrp_rx_bufs_policy 4096 MTU')
  t.match(both.loaded.diagnostics, [{ severity: 'warning', code: 'conflicting-options', line: 2 }])
  t.same(both.plans[0].rxBuffer, { kind: 'bytes', bytes: 4096 })
})

t.test('a socket asks for the sum of its instances\' shares; floatip\'s own is only a floor', async (t) => {
  const v4 = advertWireBytes('ipv4', 3, 1)
  t.equal(v4, 32, 'IPv4 header 20 + VRRP 8 + one address')
  t.equal(advertWireBytes('ipv4', 2, 2), 44, 'VRRPv2 carries 8 authentication bytes')
  t.equal(advertWireBytes('ipv6', 3, 1), 64)
  t.equal(rxBufferRequest([]), null)
  const floatip = { share: { kind: 'floatip' } as const, advertBytes: v4, mtu: 1500 }
  t.same(rxBufferRequest(Array(255).fill(floatip)), { value: 255 * FLOATIP_ROUNDS * ADVERT_COST_VALUE, floorOnly: true })
  t.same(rxBufferRequest([floatip, { share: { kind: 'mtu', multiplier: 3 }, advertBytes: v4, mtu: 9000 }]),
    { value: FLOATIP_ROUNDS * ADVERT_COST_VALUE + 27000, floorOnly: false }, 'one configured instance makes the request exact')
  t.same(rxBufferRequest([{ share: { kind: 'advert', multiplier: 3 }, advertBytes: v4, mtu: 1500 }]), { value: 96, floorOnly: false })
  t.same(rxBufferRequest([{ share: { kind: 'bytes', bytes: 2 ** 31 - 1 }, advertBytes: v4, mtu: 1500 }]), { value: 2 ** 30, floorOnly: false }, 'capped at 1 GiB')
})

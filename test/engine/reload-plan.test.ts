// What a reload does to each instance (reload-plan.ts), from configs as users edit them: the
// identity is interface + family + VRID (KEEPALIVED), a plan that moved in the file is unchanged.
import t from 'tap'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import { planInstances } from '../../src/engine/instance-plan.js'
import { planReload } from '../../src/engine/reload-plan.js'

function plans (text: string): ReturnType<typeof planInstances>['plans'] {
  const loaded = loadConfig('/k.conf', { reader: createMemoryReader({ '/k.conf': text }), configId: 'test' })
  return planInstances(loaded.model).plans
}

const inst = (name: string, vrid: number, body = '', iface = 'eth0'): string =>
  `vrrp_instance ${name} {\n interface ${iface}\n virtual_router_id ${vrid}\n priority 100\n virtual_ipaddress { 192.0.2.${vrid}/32 }\n${body}}\n`

const names = (r: ReturnType<typeof planReload>): Record<string, string[]> => ({
  kept: r.kept.map((k) => k.next.name),
  changed: r.changed.map((c) => c.next.name),
  added: r.added.map((p) => p.name),
  removed: r.removed.map((p) => p.name)
})

t.test('kept, changed, added, removed', async (t) => {
  const before = plans(inst('A', 1) + inst('B', 2) + inst('C', 3))
  const after = plans('# a comment that moves every line\n\n' + inst('A', 1) + inst('B', 2, ' advert_int 2\n') + inst('D', 4))
  t.same(names(planReload(before, after)), { kept: ['A'], changed: ['B'], added: ['D'], removed: ['C'] })
})

t.test('the identity is interface, family and VRID: a renamed instance is changed, a moved one is new', async (t) => {
  const before = plans(inst('A', 1) + inst('B', 2))
  const after = plans(inst('A2', 1) + inst('B', 2, '', 'eth1'))
  t.same(names(planReload(before, after)), { kept: [], changed: ['A2'], added: ['B'], removed: ['B'] })
})

t.test('identical configs keep everything', async (t) => {
  const text = inst('A', 1, ' authentication {\n  auth_type PASS\n  auth_pass secret\n }\n') + inst('B', 2)
  t.same(names(planReload(plans(text), plans(text))), { kept: ['A', 'B'], changed: [], added: [], removed: [] })
})

t.test('a multicast and a unicast instance sharing a VRID keep their own identities', async (t) => {
  const uni = (name: string, peer: string): string =>
    `vrrp_instance ${name} {\n interface eth0\n virtual_router_id 5\n priority 50\n unicast_src_ip 192.0.2.1\n unicast_peer { ${peer} }\n virtual_ipaddress { 192.0.2.101/32 }\n}\n`
  const before = plans(inst('M', 5) + uni('U', '192.0.2.3'))
  t.same(names(planReload(before, plans(inst('M', 5) + uni('U', '192.0.2.3')))), { kept: ['M', 'U'], changed: [], added: [], removed: [] }, 'both kept')
  t.same(names(planReload(before, plans(uni('U', '192.0.2.4') + inst('M', 5)))), { kept: ['M'], changed: ['U'], added: [], removed: [] },
    'a new peer changes the unicast one only, in whatever order the file lists them')
})

// Preprocessor features over an in-memory file system: include with globs and relative paths,
// $NAME / ${NAME} / multi-line definitions, @id / @^id, ~SEQ and ~LST.
import t from 'tap'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'

const inst = (name: string, vrid: string, extra = ''): string => `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n${extra}}\n`

t.test('include with glob, relative to the including file, and braces', async (t) => {
  const reader = createMemoryReader({
    '/etc/k/main.conf': 'include conf.d/*.conf\ninclude {a,b}.inc\n',
    '/etc/k/conf.d/1.conf': inst('A', '1'),
    '/etc/k/conf.d/2.conf': 'include ../nested/x.conf\n',
    '/etc/k/nested/x.conf': inst('B', '2'),
    '/etc/k/a.inc': inst('C', '3'),
    '/etc/k/b.inc': inst('D', '4')
  })
  const r = loadConfig('/etc/k/main.conf', { reader, configId: 'x' })
  t.same(r.model.vrrpInstances.map((i) => i.name), ['A', 'B', 'C', 'D'])
  t.ok(r.ok)
  t.same(r.model.files.length, 6)
})

t.test('include cycle is an error, not a hang', async (t) => {
  const reader = createMemoryReader({ '/a.conf': 'include /b.conf\n', '/b.conf': 'include /a.conf\n' })
  const r = loadConfig('/a.conf', { reader, configId: 'x' })
  t.ok(r.diagnostics.some((d) => d.code === 'include-cycle'))
})

t.test('$NAME, ${NAME}, multi-line definitions and @id lines', async (t) => {
  const text = [
    '@main $PRIO=240', '@^main $PRIO=200', '$BASE=192.0.2', '$INSTANCE= \\', 'vrrp_instance VI_${NUM} { \\', ' interface eth0 \\',
    ' virtual_router_id ${NUM} \\', ' priority $PRIO \\', ' virtual_ipaddress { \\', '  ${BASE}.${NUM}/24 \\', ' } \\', '}',
    '$NUM=1', '$INSTANCE', '$NUM=2', '$INSTANCE'
  ].join('\n')
  for (const [id, prio] of [['main', 240], ['backup', 200]] as const) {
    const r = loadConfig('/k.conf', { reader: createMemoryReader({ '/k.conf': text }), configId: id })
    t.same(r.model.vrrpInstances.map((i) => [i.name, i.virtualRouterId, i.priority, i.virtualIpAddresses[0]?.address]),
      [['VI_1', 1, prio, '192.0.2.1'], ['VI_2', 2, prio, '192.0.2.2']], `config-id ${id}`)
    t.ok(r.ok, JSON.stringify(r.diagnostics))
  }
})

t.test('~SEQ and ~LST repeat the rest of the line', async (t) => {
  const text = 'vrrp_instance V {\n interface eth0\n virtual_router_id 9\n virtual_ipaddress {\n  ~SEQ(N, 1, 2, 7) 192.0.2.${N}\n  ~LST({A,B}, {10,1},{20,2}) 198.51.100.${A}${B}\n  ~SEQx(H, 0x90, 0x10, 0xa0) 2001:db8::${H}\n }\n}\n'
  const r = loadConfig('/k.conf', { reader: createMemoryReader({ '/k.conf': text }), configId: 'x' })
  t.same(r.model.vrrpInstances[0].virtualIpAddresses.map((v) => v.address),
    ['192.0.2.1', '192.0.2.3', '192.0.2.5', '192.0.2.7', '198.51.100.101', '198.51.100.202'])
  // KEEPALIVED: the IPv6 VIPs do not match the (IPv4) instance and are ignored, each named.
  t.same(r.diagnostics.filter((d) => d.code === 'family-mismatch').map((d) => d.text), ['2001:db8::90/128', '2001:db8::a0/128'])
})

t.test('defaults are keepalived\'s', async (t) => {
  const r = loadConfig('/k.conf', { reader: createMemoryReader({ '/k.conf': inst('V', '7') }), configId: 'x' })
  const i = r.model.vrrpInstances[0]
  t.equal(i.priority, 100)
  t.equal(i.advertIntervalCs, 100)
  t.equal(i.state, 'BACKUP')
  t.equal(i.version, 2)
  t.equal(i.preempt, true)
  t.equal(i.accept, true)
  t.equal(r.model.globalDefs.vrrpGarpMasterDelayUs, 5_000_000)
  t.equal(r.model.globalDefs.vrrpMcastGroup4, '224.0.0.18')
})

t.test('glued braces, quotes, comments after values, legacy synonyms', async (t) => {
  const text = 'global_defs{router_id "my router" # c\n}\nvirtual_server 192.0.2.1 80 {\n lb_algo rr ! c\n lb_kind DR\n real_server 192.0.2.2 80 { weight 2\n  HTTP_GET { url { path /health\n status_code 200 } connect_timeout 3\n nb_get_retry 3 }\n }\n}\n'
  const r = loadConfig('/k.conf', { reader: createMemoryReader({ '/k.conf': text }), configId: 'x' })
  t.equal(r.model.globalDefs.routerId, 'my router')
  const vs = r.model.virtualServers[0]
  t.equal(vs.lvsSched, 'rr')
  t.same(vs.lvsMethod, { method: 'DR', options: [] })
  t.equal(vs.realServers[0].weight, 2)
  t.equal(vs.realServers[0].checkers[0].type, 'HTTP_GET')
  t.equal(vs.realServers[0].checkers[0].connectTimeoutUs, 3_000_000)
  // KEEPALIVED 2.2.7 takes nb_get_retry only in HTTP_GET/SSL_GET, with a deprecation warning.
  t.equal(vs.realServers[0].checkers[0].retry, 3)
  t.same(r.diagnostics.map((d) => d.code), ['deprecated-keyword'], JSON.stringify(r.diagnostics))
})

t.test('did you mean, and peer-aware weight check', async (t) => {
  const r = loadConfig('/k.conf', { reader: createMemoryReader({ '/k.conf': inst('V', '7', ' advert_intt 1\n') }), configId: 'x' })
  t.match(r.diagnostics.find((d) => d.code === 'unknown-keyword')?.message, /did you mean 'advert_int'\?/)
  const reader = createMemoryReader({
    '/m.conf': 'vrrp_script c {\n script /bin/true\n weight -5\n}\n' + inst('V', '7', ' priority 100\n track_script {\n  c\n }\n'),
    '/b.conf': inst('V', '7', ' priority 90\n')
  })
  const p = loadConfig('/m.conf', { reader, configId: 'x', peerConfigs: ['/b.conf'] })
  t.ok(p.diagnostics.some((d) => d.code === 'ineffective-weight' && /stays above/.test(d.message)))
})

// The values floatip resolves where keepalived 2.2.7 surprised an audit, each checked against
// the Debian binary's runtime dump (keepalived.data): the priority of state MASTER without a
// priority line, quoting in ordinary and script keywords, and auth_pass cut at 8 bytes.
import t from 'tap'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import { splitQuotedEscaped } from '../../src/config/lexer.js'
import { planInstances } from '../../src/engine/instance-plan.js'

const load = (body: string, globalDefs = ''): ReturnType<typeof loadConfig> => {
  const text = `global_defs {\n${globalDefs}\n}\nvrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n${body}\n virtual_ipaddress {\n  192.0.2.77/24\n }\n}\n`
  return loadConfig('/k.conf', { reader: createMemoryReader({ '/k.conf': text }), configId: 'x' })
}
const inst = (body: string): ReturnType<typeof loadConfig>['model']['vrrpInstances'][number] => load(body).model.vrrpInstances[0]
const codes = (r: ReturnType<typeof loadConfig>): string[] => r.diagnostics.map((d) => d.code)

t.test('priority: 255 for state MASTER without a priority line, else as written or 100', async (t) => {
  t.equal(inst(' state MASTER').priority, 255, 'keepalived.data: Priority = 255')
  t.equal(inst(' state BACKUP').priority, 100)
  t.equal(inst('').priority, 100)
  t.equal(inst(' state MASTER\n priority 100').priority, 100, 'written after state: kept')
  t.equal(inst(' priority 100\n state MASTER').priority, 100, 'written before state: kept')
  t.equal(inst(' priority 255\n state BACKUP').priority, 255)
  const twice = load(' state MASTER\n state BACKUP')
  t.equal(twice.model.vrrpInstances[0].state, 'MASTER', 'state previously set as MASTER - ignoring BACKUP')
  t.equal(twice.model.vrrpInstances[0].priority, 255)
  t.equal(load(' state BACKUP\n state MASTER').model.vrrpInstances[0].state, 'MASTER')
})

t.test('checks use the resolved priority', async (t) => {
  const strict = load(' state MASTER', ' vrrp_strict')
  t.notOk(strict.diagnostics.some((d) => /state MASTER needs priority 255/.test(d.message)), 'vrrp_strict: MASTER is the owner')
  t.ok(load(' state MASTER\n priority 200', ' vrrp_strict').diagnostics.some((d) => /needs priority 255/.test(d.message)))
  t.ok(codes(load(' state MASTER\n nopreempt')).includes('nopreempt-with-master'))
  const tracked = 'vrrp_script chk {\n script /bin/true\n weight -20\n}\n'
  const r = loadConfig('/k.conf', { reader: createMemoryReader({ '/k.conf': tracked + 'vrrp_instance V {\n state MASTER\n interface eth0\n virtual_router_id 5\n track_script {\n  chk\n }\n}\n' }), configId: 'x' })
  t.ok(r.diagnostics.some((d) => d.code === 'ineffective-weight' && /priority 255/.test(d.message)))
  t.equal(planInstances(r.model).plans[0].core.basePriority, 255, 'the daemon runs with 255')
})

t.test('ordinary keywords: "..." groups without escapes; single quotes are characters', async (t) => {
  const gd = (line: string): ReturnType<typeof loadConfig> => load('', ` ${line}`)
  t.equal(gd('router_id "r   1"').model.globalDefs.routerId, 'r   1', 'blanks kept inside "..."')
  t.equal(gd('router_id "a#b"').model.globalDefs.routerId, 'a#b', '# inside "..." is not a comment')
  const single = gd("router_id 'r 1'")
  t.equal(single.model.globalDefs.routerId, "'r", "single quotes do not group: 'r")
  t.ok(single.diagnostics.some((d) => d.code === 'literal-quote' && d.line === 2 && d.column === 12 && d.message.includes("`'r`")))
  t.equal(gd("router_id 'a#b'").model.globalDefs.routerId, "'a", "' does not protect a comment")
  const glued = gd('router_id a"b c"d')
  t.equal(glued.model.globalDefs.routerId, 'a', 'a " inside a word ends it')
  t.ok(codes(glued).includes('literal-quote'))
  t.equal(gd('router_id "ab"cd').model.globalDefs.routerId, 'ab')
  const escaped = gd('router_id "a\\x41\\tb"')
  t.equal(escaped.model.globalDefs.routerId, 'a\\x41\\tb', 'no escapes outside scripts')
  t.ok(escaped.diagnostics.some((d) => d.code === 'literal-quote' && /no backslash escapes/.test(d.message)))
  const open = gd('router_id "a\\tb\\"c"')
  t.same(open.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.line]), [['unterminated-quote', 2]], 'Unmatched quote')
  t.ok(open.diagnostics[0].message.includes('a backslash does not escape'))
  const unterminated = gd('router_id "a\\"b')
  t.same(unterminated.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), ['unterminated-quote'], 'Unterminated quote, reported once')
  t.equal(unterminated.model.globalDefs.routerId, 'a\\', 'keepalived still reads "a\\" as a word')
})

t.test('auth_pass keeps quotes and is cut at 8 bytes, as keepalived sends it', async (t) => {
  const auth = (pass: string): ReturnType<typeof loadConfig> => load(` authentication {\n  auth_type PASS\n  auth_pass ${pass}\n }`)
  const wire = (r: ReturnType<typeof loadConfig>): string => Buffer.from(planInstances(r.model).plans[0].authData ?? []).toString('hex')
  const quoted = auth("'secret'")
  t.equal(quoted.model.vrrpInstances[0].authentication.authPass, "'secret'", "keepalived.data: Password = 'secret'")
  t.equal(wire(quoted), Buffer.from("'secret'").toString('hex'))
  t.ok(quoted.diagnostics.some((d) => d.code === 'literal-quote' && /8 bytes, quotes included/.test(d.message)))
  const dq = auth('"se cret"')
  t.equal(dq.model.vrrpInstances[0].authentication.authPass, 'se cret', '"..." removed')
  t.same(codes(dq), [])
  const mixed = auth('密码12345678')
  t.equal(mixed.model.vrrpInstances[0].authentication.authPass, '密码12')
  t.equal(mixed.model.vrrpInstances[0].authentication.authPassHex, 'e5af86e7a0813132')
  t.equal(wire(mixed), 'e5af86e7a0813132')
  const cut = auth('密码密码')
  t.ok(cut.diagnostics.some((d) => d.code === 'auth-pass-truncated' && /12 bytes/.test(d.message) && /inside a multi-byte/.test(d.message)), 'Truncating auth_pass to 8 characters')
  t.equal(cut.model.vrrpInstances[0].authentication.authPassHex, 'e5af86e7a081e5af', 'the bytes keepalived sends')
  t.equal(cut.model.vrrpInstances[0].authentication.authPass, '密码\uFFFD')
  t.equal(wire(cut), 'e5af86e7a081e5af')
  const short = auth('abc')
  t.equal(wire(short), '6162630000000000', 'zero padded')
  t.same(codes(short), [])
  t.same(codes(auth('12345678')), [], '8 bytes fit')
})

t.test('script keywords: shell-like quoting and escapes, keepalived rules', async (t) => {
  const ok = (s: string): string[] => { const r = splitQuotedEscaped(s); return r.ok ? r.words.map((w) => w.text) : ['FAIL: ' + r.message] }
  t.same(ok("/bin/echo 'a b' c"), ['/bin/echo', 'a b', 'c'])
  t.same(ok('"/bin/echo \\"x y\\""'), ['/bin/echo "x y"'])
  t.same(ok('a\\tb a\\x41 \\101 \\cA'), ['a\tb', 'aA', 'A', '\x01'])
  t.same(ok("'a\\'b'"), ["a'b"], 'a backslash escapes inside single quotes too')
  t.same(ok('x""y'), ['xy'])
  t.same(ok("x ''"), ['x', ''])
  t.match(ok('"a'), ['FAIL: missing closing "'])
  t.match(ok('a\\'), [/FAIL/])
  const r = loadConfig('/k.conf', {
    reader: createMemoryReader({
      '/k.conf': 'vrrp_script a {\n script /bin/echo a b\n}\nvrrp_script b {\n script "/bin/echo \'x y\' \\"z\\""\n}\n' +
        'vrrp_instance V {\n interface eth0\n virtual_router_id 5\n notify_master "/bin/echo a\\"b" root\n notify_backup \'/bin/echo b\' root\n}\n'
    }),
    configId: 'x'
  })
  t.equal(r.model.vrrpScripts[0].script, '/bin/echo', 'keepalived runs only the first word')
  t.ok(r.diagnostics.some((d) => d.code === 'extra-arguments' && d.line === 2 && /runs only '\/bin\/echo'/.test(d.message)))
  t.equal(r.model.vrrpScripts[1].script, '/bin/echo \'x y\' "z"')
  t.equal(r.model.vrrpInstances[0].notifyMaster, undefined, 'a script keepalived cannot split is ignored')
  t.ok(r.diagnostics.some((d) => d.code === 'unterminated-quote' && d.line === 10 && d.severity === 'error'))
  t.same(r.model.vrrpInstances[0].notifyBackup, { command: '/bin/echo b', user: 'root', group: undefined }, 'single quotes group in scripts')
})

// Bad input to the native layer gets a clear, Node-shaped error (code, errno, syscall), never a
// crash: unknown interface or namespace, missing privileges, closed objects, bad arguments.
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { withLab } from '../helpers/lab.js'
import { IoLoop, NetlinkMonitor, PacketSocket, RtNetlink, VrrpSocket, interfaceInfo } from '../../src/native/index.js'

t.test('unknown interface: ENODEV naming the interface and namespace', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const ns = lab.node('r1').ns
  t.throws(() => new VrrpSocket({ family: 4, interface: 'etho', netns: ns }),
    { code: 'ENODEV', errno: -19, syscall: 'if_nametoindex', message: new RegExp(`interface 'etho' in network namespace '${ns}'`) })
  t.throws(() => new PacketSocket({ interface: 'etho', netns: ns }), { code: 'ENODEV' })
  t.throws(() => interfaceInfo('etho', ns), { code: 'ENODEV' })
  t.throws(() => new VrrpSocket({ family: 4, interface: 'a-name-longer-than-15' }), { code: 'EINVAL', message: /1-15 characters/ })
})

t.test('unknown namespace: ENOENT naming it; path tricks refused', async (t) => {
  t.throws(() => new VrrpSocket({ family: 4, interface: 'lo', netns: `fip-${process.pid}-nosuch` }),
    { code: 'ENOENT', syscall: 'open', message: /network namespace 'fip-\d+-nosuch'/ })
  t.throws(() => new RtNetlink({ netns: `fip-${process.pid}-nosuch` }), { code: 'ENOENT' })
  t.throws(() => new PacketSocket({ interface: 'lo', netns: '../etc' }), { code: 'EINVAL', message: /invalid network namespace name/ })
})

t.test('missing privileges: EPERM with a hint about CAP_NET_RAW / CAP_NET_ADMIN', async (t) => {
  // Run the fixture as user nobody with no capabilities (setpriv from util-linux).
  const fixture = fileURLToPath(new URL('./fixtures/unprivileged.ts', import.meta.url))
  const { spawnSync } = await import('node:child_process')
  const probe = spawnSync('setpriv', ['--version'])
  if (probe.error) {
    t.fail('setpriv (util-linux) is required for this test')
    return
  }
  const child = await runTsChildAs(fixture)
  t.equal(child.code, 0, child.stderr.slice(0, 500))
  const errors = JSON.parse(child.stdout) as Record<string, { code: string, syscall: string, hint?: string, message: string }>
  t.equal(errors.vrrp.code, 'EPERM')
  t.match(errors.vrrp.syscall, /^socket/)
  t.match(errors.vrrp.hint, /CAP_NET_RAW/)
  t.match(errors.vrrp.message, /Hint: floatip needs root or the capabilities CAP_NET_RAW/)
  t.equal(errors.packet.code, 'EPERM')
  t.equal(errors.address.code, 'EPERM', 'RTM_NEWADDR without CAP_NET_ADMIN')
  t.equal(errors.address.syscall, 'RTM_NEWADDR')
})

async function runTsChildAs (fixture: string) {
  const { spawn } = await import('node:child_process')
  const { typescriptLoaderArgs } = await import('../helpers/child.js')
  const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all',
    process.execPath, ...typescriptLoaderArgs(), fixture], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

t.test('closing twice is fine; using a closed object is EBADF', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const r1 = lab.node('r1')
  const sock = new VrrpSocket({ family: 4, interface: r1.ifname, netns: r1.ns })
  const loop = new IoLoop()
  loop.attach(sock, () => {})
  sock.close()
  sock.close()
  t.equal(sock.closed, true)
  t.throws(() => sock.send(new Uint8Array(8)), { code: 'EBADF', syscall: 'sendto', message: /the socket is closed/ })
  t.throws(() => loop.attach(sock, () => {}), { code: 'EBADF' })
  t.throws(() => loop.startPeriodic(sock, new Uint8Array(8), { intervalUs: 10_000 }), { code: 'EBADF' })
  const monitor = new NetlinkMonitor(loop, () => {}, { netns: r1.ns })
  loop.close()
  loop.close()
  monitor.close()
  monitor.close()
  const timer = loop.createTimer(() => {})
  t.throws(() => timer.set(1), { code: 'EBADF', message: /the loop is closed/ })
})

t.test('bad arguments are TypeErrors / RangeErrors, not crashes', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const r1 = lab.node('r1')
  const loop = new IoLoop()
  t.teardown(() => loop.close())
  const sock = new VrrpSocket({ family: 4, interface: r1.ifname, netns: r1.ns })
  t.teardown(() => sock.close())
  t.throws(() => sock.send('not bytes' as unknown as Uint8Array), TypeError)
  t.throws(() => sock.send(new Uint8Array(8), '2001:db8::1'), { code: 'EINVAL', message: /family/ })
  t.throws(() => sock.send(new Uint8Array(8), 'not-an-ip'), { code: 'ERR_FLOATIP_INVALID_IP' })
  t.throws(() => loop.startPeriodic(sock, new Uint8Array(8), { intervalUs: 5 }), RangeError)
  t.throws(() => new VrrpSocket({ family: 5 as 4, interface: 'lo' }), { code: 'EAFNOSUPPORT' })
  t.throws(() => new IoLoop({ slots: 100 }).close(), RangeError, 'slots must be a power of two')
  const watch = loop.createWatch(() => {})
  t.throws(() => watch.arm(sock, { source: '2001:db8::1', bytes: new Uint8Array(8), timeoutUs: 1000, firstDeadlineUs: 0 }), TypeError)
})

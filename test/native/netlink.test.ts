// rtnetlink against the real kernel in a lab namespace: addresses added here show in `ip addr`,
// events arrive for address add/remove and for `ip link set ... down/up`, errors are clear.
import t from 'tap'
import type { Test } from 'tap'
import { withLab, waitFor } from '../helpers/lab.js'
import { IFA_F_NODAD, IoLoop, NetlinkMonitor, RtNetlink } from '../../src/native/index.js'
import type { NetlinkEvent } from '../../src/native/index.js'

t.test('an IPv4 address added through netlink shows in ip addr, with label and broadcast', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const r1 = lab.node('r1')
  const nl = new RtNetlink({ netns: r1.ns })
  t.teardown(() => nl.close())
  const vip = lab.vip4(0)
  nl.addAddress({ ifindex: r1.ifindex, address: vip, prefixLength: 32, label: `${r1.ifname}:vip`, broadcast: '192.0.2.255' })
  const shown = (await lab.addresses('r1', r1.ifname)).find((a) => a.address === vip)
  t.ok(shown, 'ip -j addr lists the VIP')
  t.equal(shown?.prefixLength, 32)
  const listed = nl.listAddresses({ ifindex: r1.ifindex, family: 4 }).find((a) => a.address === vip)
  t.equal(listed?.label, `${r1.ifname}:vip`)
  t.equal(listed?.broadcast, '192.0.2.255')
  t.ok(nl.listAddresses({ ifindex: r1.ifindex }).some((a) => a.address === r1.ipv4), 'the lab address is listed too')

  nl.deleteAddress({ ifindex: r1.ifindex, address: vip, prefixLength: 32 })
  t.notOk((await lab.addresses('r1', r1.ifname)).some((a) => a.address === vip), 'gone from ip addr')
})

t.test('IPv6 address with nodad, scope, and listing links', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: true })
  const r1 = lab.node('r1')
  const nl = new RtNetlink({ netns: r1.ns })
  t.teardown(() => nl.close())
  const vip = lab.vip6(0)
  nl.addAddress({ ifindex: r1.ifindex, address: vip, prefixLength: 64, flags: IFA_F_NODAD })
  const listed = nl.listAddresses({ ifindex: r1.ifindex, family: 6 }).find((a) => a.address === vip)
  t.ok(listed, 'listed')
  t.ok(((listed?.flags ?? 0) & IFA_F_NODAD) !== 0, 'nodad flag kept')
  const link = nl.linkByName(r1.ifname)
  t.equal(link.ifindex, r1.ifindex)
  t.equal(link.mac, r1.mac)
  t.equal(link.up, true)
  t.throws(() => nl.linkByName('nosuch0'), { code: 'ENODEV', syscall: 'RTM_GETLINK' })
})

t.test('errors: a missing address, a duplicate, an unknown interface, each Node-shaped', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const r1 = lab.node('r1')
  const nl = new RtNetlink({ netns: r1.ns })
  t.teardown(() => nl.close())
  const vip = lab.vip4(1)
  t.throws(() => nl.deleteAddress({ ifindex: r1.ifindex, address: vip, prefixLength: 24 }),
    { code: 'EADDRNOTAVAIL', errno: -99, syscall: 'RTM_DELADDR', message: new RegExp(`${vip}/24 on ifindex ${r1.ifindex}`) })
  nl.addAddress({ ifindex: r1.ifindex, address: vip, prefixLength: 24 })
  t.throws(() => nl.addAddress({ ifindex: r1.ifindex, address: vip, prefixLength: 24 }), { code: 'EEXIST', syscall: 'RTM_NEWADDR' })
  t.throws(() => nl.addAddress({ ifindex: 9999, address: vip, prefixLength: 24 }), { code: 'ENODEV' })
  t.throws(() => nl.addAddress({ ifindex: r1.ifindex, address: vip, prefixLength: 33 }), RangeError)
  t.throws(() => nl.addAddress({ ifindex: r1.ifindex, address: '192.0.2.999', prefixLength: 24 }), { code: 'ERR_FLOATIP_INVALID_IP' })
  nl.close()
  nl.close()
  t.throws(() => nl.listLinks(), { code: 'EBADF' }, 'a closed socket says so')
})

/** A one-router lab with a NetlinkMonitor on r1 collecting every event. */
async function monitoredRouter (t: Test) {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const r1 = lab.node('r1')
  const loop = new IoLoop()
  const events: NetlinkEvent[] = []
  const monitor = new NetlinkMonitor(loop, (e) => events.push(e), { netns: r1.ns })
  t.teardown(() => { monitor.close(); loop.close() })
  return { lab, r1, events }
}

t.test('the monitor delivers address add/remove and link down/up events', async (t) => {
  const { lab, r1, events } = await monitoredRouter(t)
  const nl = new RtNetlink({ netns: r1.ns })
  t.teardown(() => nl.close())
  const vip = lab.vip4(2)
  const isVip = (action: string) => (e: NetlinkEvent) => e.type === 'address' && e.action === action && e.address.address === vip && e.address.ifindex === r1.ifindex

  nl.addAddress({ ifindex: r1.ifindex, address: vip, prefixLength: 32 })
  await waitFor(() => events.some(isVip('new')), { timeoutMs: 5000, what: 'RTM_NEWADDR event' })
  lab.exec('r1', ['ip', 'addr', 'del', `${vip}/32`, 'dev', r1.ifname])
  await waitFor(() => events.some(isVip('del')), { timeoutMs: 5000, what: 'RTM_DELADDR event' })

  const linkState = () => events.filter((e) => e.type === 'link' && e.link.ifindex === r1.ifindex).map((e) => e.type === 'link' && e.link.up)
  await lab.setLinkDown('r1')
  await waitFor(() => linkState().includes(false), { timeoutMs: 5000, what: 'link down event' })
  const downAt = linkState().length
  await lab.setLinkUp('r1')
  await waitFor(() => linkState().slice(downAt).includes(true), { timeoutMs: 5000, what: 'link up event' })
  t.pass('all events arrived')
})

t.test('carrier loss on the switch side shows as running=false with the interface still up', async (t) => {
  const { lab, r1, events } = await monitoredRouter(t)
  await lab.setLinkDown('r1', { side: 'switch' })
  await waitFor(() => events.some((e) => e.type === 'link' && e.link.ifindex === r1.ifindex && e.link.up && !e.link.running),
    { timeoutMs: 5000, what: 'carrier-down event' })
  t.pass('carrier loss seen')
})

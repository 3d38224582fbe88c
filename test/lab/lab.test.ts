// The lab's topology on a real kernel: names, address plan, reachability over IPv4 and IPv6,
// addresses(), link down/up, exec errors and ownership checks.

import t from 'tap';
import { LabError, listNamespaces, waitFor, type Lab } from '../../src/lab/index.js';
import { withLab } from '../helpers/lab.js';

/** ping once; the short wait is for pings expected to fail (a success answers in microseconds). */
const ping = (lab: Lab, from: string, to: string, waitS = 1): string =>
  lab.exec(from, ['ping', ...(to.includes(':') ? ['-6'] : []), '-c', '1', '-W', String(waitS), to]);

/**
 * The bridge starts forwarding on a port whose carrier came back from the kernel's link-watch
 * work, which may run up to a second after the veth reports UP: ping until it answers (3 s bound).
 */
async function reachable(lab: Lab, from: string, to: string): Promise<boolean> {
  await waitFor(() => /1 received/.test(ping(lab, from, to)), { timeoutMs: 3000, intervalMs: 100, what: `${to} from ${from}` });
  return true;
}

async function operstate(lab: Lab, ns: string, ifname: string): Promise<string> {
  const out = (await lab.run(ns, ['ip', '-j', 'link', 'show', 'dev', ifname])).stdout;
  return (JSON.parse(out) as Array<{ operstate: string }>)[0].operstate;
}

t.test('a default lab: two routers and a client on one bridge, reachable over IPv4 and IPv6', async (t) => {
  const lab = await withLab(t);
  t.match(lab.prefix, new RegExp(`^fip-${process.pid}-[0-9a-f]{4}-$`), 'prefix is fip-<pid>-<random>-');
  t.same(lab.namespaces, [`${lab.prefix}sw`, `${lab.prefix}r1`, `${lab.prefix}r2`, `${lab.prefix}c`]);
  const existing = listNamespaces();
  for (const ns of lab.namespaces) t.ok(existing.includes(ns), `${ns} exists`);

  t.equal(lab.routers.length, 2);
  t.same(lab.routers.map((r) => [r.key, r.ipv4, r.ipv6]), [
    ['r1', '192.0.2.1', '2001:db8::1'],
    ['r2', '192.0.2.2', '2001:db8::2'],
  ]);
  t.equal(lab.client?.ipv4, '192.0.2.100');
  t.equal(lab.client?.ipv6, '2001:db8::100');
  t.equal(lab.vip4(0), '192.0.2.200');
  t.equal(lab.vip6(3), '2001:db8::203');
  t.throws(() => lab.vip4(55), RangeError, 'VIPs stop at .254');

  for (const node of lab.nodes) {
    t.equal(node.ifname, 'eth0');
    t.ok(node.ifname.length <= 15 && node.links[0].switchPort.length <= 15, 'interface names fit IFNAMSIZ');
    t.match(node.mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    t.ok(node.ifindex > 1, 'a real ifindex');
    t.match(node.linkLocal6, /^fe80::/);
    const shown = JSON.parse(lab.exec(node, ['ip', '-j', 'link', 'show', 'dev', 'eth0'])) as Array<{ ifindex: number; address: string }>;
    t.same([shown[0].ifindex, shown[0].address], [node.ifindex, node.mac], `${node.key}: ifindex and MAC match the kernel`);
  }

  for (const router of lab.routers) {
    t.match(ping(lab, 'c', router.ipv4), /1 received/, `client pings ${router.key} over IPv4`);
    t.match(ping(lab, 'c', router.ipv6 ?? ''), /1 received/, `client pings ${router.key} over IPv6`);
  }
  t.match(ping(lab, 'r1', `${lab.routers[1].linkLocal6}%eth0`), /1 received/, 'routers reach each other link-local');
  t.equal((await lab.run('sw', ['ip', '-j', 'addr', 'show'])).stdout.includes('192.0.2.'), false, 'the switch has no address');
});

t.test('addresses() parses ip -j addr', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false });
  const all = await lab.addresses('r1');
  const eth0 = all.filter((a) => a.ifname === 'eth0');
  t.same(
    eth0.filter((a) => a.scope === 'global').map((a) => [a.family, a.address, a.prefixLength]),
    [
      [4, '192.0.2.1', 24],
      [6, '2001:db8::1', 64],
    ],
  );
  t.ok(eth0.some((a) => a.family === 6 && a.scope === 'link' && a.address === lab.routers[0].linkLocal6));
  t.ok(eth0.every((a) => !a.tentative && a.operstate === 'UP' && a.ifindex === lab.routers[0].ifindex));
  t.ok(all.some((a) => a.ifname === 'lo' && a.address === '127.0.0.1'), 'lo is up with 127.0.0.1');
  lab.exec('r1', ['ip', 'addr', 'add', `${lab.vip4(0)}/32`, 'dev', 'eth0']);
  t.ok((await lab.addresses('r1', 'eth0')).some((a) => a.address === '192.0.2.200'), 'sees an added VIP');
});

t.test('ipv6: false and a second LAN', async (t) => {
  const lab = await withLab(t, { routers: 3, ipv6: false, lans: 2 });
  t.equal(lab.routers.length, 3);
  t.same(lab.lans.map((l) => [l.bridge, l.ifname, l.ipv4Subnet, l.ipv6Subnet]), [
    ['br0', 'eth0', '192.0.2.0/24', null],
    ['br1', 'eth1', '198.51.100.0/24', null],
  ]);
  const r3 = lab.node('r3');
  t.same(r3.links.map((l) => [l.ifname, l.ipv4, l.ipv6, l.linkLocal6]), [
    ['eth0', '192.0.2.3', null, null],
    ['eth1', '198.51.100.3', null, null],
  ]);
  t.equal(lab.client?.links.length, 1, 'the client is on LAN 0 only');
  t.equal((await lab.addresses('r3')).filter((a) => a.family === 6).length, 0, 'no IPv6 at all');
  t.match(ping(lab, 'r1', '198.51.100.3'), /1 received/, 'LAN 1 works');
  t.match(ping(lab, 'c', '192.0.2.3'), /1 received/, 'LAN 0 works');
  t.throws(() => ping(lab, 'c', '198.51.100.3'), LabError, 'the client cannot reach LAN 1');
});

t.test('setLinkDown / setLinkUp on the router side and on the switch side', async (t) => {
  const lab = await withLab(t, { routers: 2 });
  const r2 = lab.routers[1];

  await lab.setLinkDown(r2);
  t.equal(await operstate(lab, r2.ns, 'eth0'), 'DOWN', 'router side: admin down');
  t.throws(() => ping(lab, 'c', r2.ipv4), LabError, 'unreachable while down');
  await lab.setLinkUp(r2);
  await waitFor(async () => (await operstate(lab, r2.ns, 'eth0')) === 'UP', { timeoutMs: 3000, what: 'r2 eth0 up' });
  t.ok(await reachable(lab, 'c', r2.ipv4), 'reachable again after the router side comes up');

  await lab.setLinkDown('r2', { side: 'switch' });
  const state = await operstate(lab, r2.ns, 'eth0');
  t.not(state, 'UP', `switch side: the router loses carrier (${state})`);
  t.throws(() => ping(lab, 'c', r2.ipv4), LabError);
  await lab.setLinkUp('r2', { side: 'switch' });
  await waitFor(async () => (await operstate(lab, r2.ns, 'eth0')) === 'UP', { timeoutMs: 3000, what: 'r2 carrier back' });
  t.ok(await reachable(lab, 'c', r2.ipv4), 'reachable again after the switch side comes up');
  await t.rejects(lab.setLinkDown('r2', { lan: 1 }), LabError, 'no LAN 1 in this lab');
});

t.test('exec errors are clear, and only the lab\'s own namespaces are accepted', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false });
  const error = t.throws(() => lab.exec('r1', ['ip', 'link', 'show', 'dev', 'nosuch0'])) as LabError;
  t.equal(error.code, 'ERR_FLOATIP_LAB');
  t.equal(error.ns, lab.routers[0].ns);
  t.equal(error.status, 1);
  t.match(error.message, /ip link show dev nosuch0.*exited with status 1.*nosuch0/);
  await t.rejects(lab.run('r1', ['false']), { code: 'ERR_FLOATIP_LAB', status: 1 });
  t.throws(() => lab.exec('r9', ['true']), { code: 'ERR_FLOATIP_LAB', message: /r9 is not a router or client/ });
  t.throws(() => lab.exec('default', ['true']), LabError, 'a foreign namespace name is refused');
  t.throws(() => lab.exec(`${lab.prefix}r2`, ['true']), LabError, 'even with our prefix, if we did not create it');
  t.throws(() => lab.exec('r1', []), LabError, 'empty argv');
  await lab.destroy();
  t.throws(() => lab.exec('r1', ['true']), { message: /is destroyed/ });
});

t.test('bad options are refused before anything is created', async (t) => {
  const { createLab } = await import('../../src/lab/index.js');
  await t.rejects(createLab({ routers: 0 }), { code: 'ERR_FLOATIP_LAB', message: /routers must be an integer 1\.\.99/ });
  await t.rejects(createLab({ routers: 100 }), LabError);
  await t.rejects(createLab({ lans: 3 as 2 }), { message: /lans must be 1 or 2/ });
});

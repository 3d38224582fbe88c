// A tracked VIP deleted from a master's interface (man keepalived.conf, virtual_ipaddress
// `no_track`: without it "the vrrp_instance will ... transition out of master state if the
// address ... is deleted"): the core's vipDeleted input, alone and on a simulated LAN. keepalived
// 2.2.7 (measured): priority-0 advert, VIPs removed, BACKUP with the Master_Down_Timer at the
// local Skew_Time. Virtual clock.
import t from 'tap';
import { VrrpInstanceCore } from '../../src/core/instance.js';
import { skewTimeUs } from '../../src/core/timing.js';
import type { InstanceConfig } from '../../src/core/types.js';
import { Network, routerConfig } from './sim.js';

function started(extra: Partial<InstanceConfig> = {}): VrrpInstanceCore {
  const c = new VrrpInstanceCore(routerConfig('VI_1', '192.0.2.5', 255, extra));
  c.start(0);
  return c;
}

t.test('no_track rule: a master leaves with a priority-0 advert, VIPs removed, Master_Down_Timer = Skew_Time', async (t) => {
  const c = started({ basePriority: 150 });
  c.timerExpired(c.nextDeadlineUs());
  t.equal(c.state, 'MASTER');
  t.same(c.vipDeleted(5_000_000), [
    { type: 'send-advert', priority: 0, adverIntCs: 100 },
    { type: 'remove-vips' },
    { type: 'state-changed', from: 'MASTER', to: 'BACKUP', reason: 'vip-deleted' },
  ]);
  t.equal(c.state, 'BACKUP');
  t.equal(c.nextDeadlineUs(), 5_000_000 + skewTimeUs(3, 150, 100), 'Skew_Time, not Master_Down_Interval');
  t.same(c.steadyState(), { kind: 'idle' });
});

t.test('RFC 3768 §6.1 v2: the Skew_Time does not depend on the interval', async (t) => {
  const c = started({ version: 2, basePriority: 200, adverIntervalCs: 300 });
  c.timerExpired(c.nextDeadlineUs());
  c.vipDeleted(10_000_000);
  t.equal(c.nextDeadlineUs(), 10_000_000 + 218_750);
});

t.test('only a master reacts: BACKUP, FAULT and INIT ignore it', async (t) => {
  const backup = started({ basePriority: 100 });
  const deadline = backup.nextDeadlineUs();
  t.same(backup.vipDeleted(1000), [], 'BACKUP');
  t.equal(backup.nextDeadlineUs(), deadline, 'its timer is untouched');
  const faulty = started({ basePriority: 100 });
  faulty.fault(10, 'x');
  t.same(faulty.vipDeleted(20), [], 'FAULT');
  const stopped = started();
  stopped.shutdown(10);
  t.same(stopped.vipDeleted(20), [], 'INIT');
  const fresh = new VrrpInstanceCore(routerConfig('VI_1', '192.0.2.5', 100));
  t.same(fresh.vipDeleted(0), [], 'before start');
});

t.test('§6.4.2 a lone master returns after its Skew_Time and re-adds every VIP', async (t) => {
  const net = new Network();
  net.add('r1', routerConfig('r1', '192.0.2.1', 150));
  net.start('r1');
  net.runUntil(5_000_000);
  t.same(net.masters(), ['r1']);
  net.input('r1', (c, now) => c.vipDeleted(now));
  t.same(net.vipHolders(), [], 'the VIPs went with the priority-0 advert');
  net.runUntil(5_000_000 + skewTimeUs(3, 150, 100) - 1);
  t.same(net.masters(), [], 'not before Skew_Time');
  net.runUntil(5_000_000 + skewTimeUs(3, 150, 100));
  t.same(net.masters(), ['r1']);
  t.same(net.vipHolders(), ['r1']);
  t.same(net.transitions.slice(-2).map((x) => `${x.from}->${x.to} ${x.reason}`), ['MASTER->BACKUP vip-deleted', 'BACKUP->MASTER master-down-timer']);
});

t.test('§6.4.2 with a peer the shorter Skew_Time wins: the higher priority returns, a lower backup stays', async (t) => {
  // keepalived 2.2.7 measured the same: 150 returns after ~414 ms, the 100 backup (609 ms) never takes over.
  const net = new Network();
  net.add('r1', routerConfig('r1', '192.0.2.1', 150));
  net.add('r2', routerConfig('r2', '192.0.2.2', 100));
  net.start('r1');
  net.runUntil(4_000_000);
  net.start('r2');
  net.runUntil(8_000_000);
  t.same(net.masters(), ['r1']);
  net.input('r1', (c, now) => c.vipDeleted(now));
  net.runUntil(12_000_000);
  t.same(net.masters(), ['r1']);
  t.same(net.vipHolders(), ['r1']);
  t.notOk(net.transitions.some((x) => x.router === 'r2' && x.to === 'MASTER'), 'r2 never became MASTER');
});

t.test('§6.4.2 a peer of higher priority (nopreempt, so it was backup) takes the VIP after its Skew_Time', async (t) => {
  const net = new Network();
  net.add('r1', routerConfig('r1', '192.0.2.1', 100));
  net.add('r2', routerConfig('r2', '192.0.2.2', 200, { preempt: false }));
  net.start('r1');
  net.runUntil(4_000_000);
  net.start('r2');
  net.runUntil(8_000_000);
  t.same(net.masters(), ['r1'], 'r2 does not preempt');
  const deletedUs = net.nowUs;
  net.input('r1', (c, now) => c.vipDeleted(now));
  net.runUntil(12_000_000);
  t.same(net.masters(), ['r2']);
  t.same(net.vipHolders(), ['r2']);
  const took = net.transitions.find((x) => x.router === 'r2' && x.to === 'MASTER');
  t.ok(took !== undefined && took.atUs - deletedUs < skewTimeUs(3, 100, 100), 'r2 was first: its Skew_Time is shorter');
});

t.test('sync group member: Skew_Time, then wants-master; syncTo BACKUP with quickReturn also waits Skew_Time', async (t) => {
  const c = started({ syncGroupMember: true });
  t.same(c.vipDeleted(100).map((e) => e.type), ['send-advert', 'remove-vips', 'state-changed']);
  t.equal(c.nextDeadlineUs(), 100 + skewTimeUs(3, 255, 100));
  t.same(c.timerExpired(c.nextDeadlineUs()), [{ type: 'wants-master' }]);
  const other = started({ syncGroupMember: true });
  other.syncTo(100, 'BACKUP', { quickReturn: true });
  t.equal(other.nextDeadlineUs(), 100 + skewTimeUs(3, 255, 100), 'quickReturn: Skew_Time');
  const plain = started({ syncGroupMember: true });
  plain.syncTo(100, 'BACKUP');
  t.ok(plain.nextDeadlineUs() > 100 + 3_000_000, 'otherwise Master_Down_Interval');
});

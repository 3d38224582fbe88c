// keepalived's vrrp_sync_group in the core: a member's Master_Down_Timer makes it want to be
// master (no transition of its own), and the host moves it with syncTo. Virtual clock.
import t from 'tap';
import { addressBytes } from '../../src/core/address.js';
import { VrrpInstanceCore } from '../../src/core/instance.js';
import type { InstanceConfig } from '../../src/core/types.js';

function member(extra: Partial<InstanceConfig> = {}): VrrpInstanceCore {
  return new VrrpInstanceCore({
    name: 'VI_1', vrid: 51, version: 3, family: 'ipv4', basePriority: 100, adverIntervalCs: 100,
    preempt: true, preemptDelayUs: 0, initialState: 'BACKUP', primaryAddress: '192.0.2.5',
    acceptMode: true, syncGroupMember: true, ...extra,
  });
}

function advert(src: string, priority: number) {
  return { srcAddress: src, srcAddressBytes: addressBytes(src) ?? new Uint8Array(4), priority, adverIntCs: 100 };
}

const types = (effects: readonly { type: string }[]) => effects.map((e) => e.type);

t.test('Master_Down_Timer of a member: wants-master, stays BACKUP with no timer', async (t) => {
  const c = member();
  c.start(0);
  const down = c.nextDeadlineUs();
  t.same(c.timerExpired(down), [{ type: 'wants-master' }]);
  t.equal(c.state, 'BACKUP');
  t.equal(c.snapshot().wantsMaster, true);
  t.equal(c.nextDeadlineUs(), Infinity, 'waits for the host');
  t.same(c.steadyState(), { kind: 'idle' });
  t.same(types(c.syncTo(down + 10, 'MASTER')), ['add-vips', 'send-advert', 'send-garp', 'state-changed']);
  t.equal(c.state, 'MASTER');
  t.equal(c.snapshot().wantsMaster, false);
});

t.test('a master heard while waiting ends the wish; syncTo MASTER only moves a BACKUP', async (t) => {
  const c = member();
  c.start(0);
  c.timerExpired(c.nextDeadlineUs());
  c.advertReceived(4_000_000, advert('192.0.2.9', 150));
  t.equal(c.snapshot().wantsMaster, false);
  t.equal(c.nextDeadlineUs() > 4_000_000 && c.nextDeadlineUs() < Infinity, true, 'Master_Down_Timer runs again');
  const f = member();
  f.fault(0, 'x');
  f.start(0);
  t.same(f.syncTo(1, 'MASTER'), [], 'FAULT stays FAULT');
});

t.test('syncTo BACKUP from MASTER: priority-0 advert, VIPs removed, Master_Down_Interval', async (t) => {
  const c = member({ basePriority: 255 });
  c.start(0);
  t.equal(c.state, 'MASTER', 'the owner starts as master even in a group');
  const e = c.syncTo(500, 'BACKUP');
  t.same(e, [
    { type: 'send-advert', priority: 0, adverIntCs: 100 },
    { type: 'remove-vips' },
    { type: 'state-changed', from: 'MASTER', to: 'BACKUP', reason: 'sync-group' },
  ]);
  t.equal(c.state, 'BACKUP');
  t.ok(c.nextDeadlineUs() > 500 && c.nextDeadlineUs() < Infinity);
  t.same(c.syncTo(600, 'BACKUP'), [], 'a BACKUP is not moved again');
});

t.test('without syncGroupMember the timer still makes a master (RFC 5798 §6.4.2)', async (t) => {
  const c = member({ syncGroupMember: false });
  c.start(0);
  t.same(types(c.timerExpired(c.nextDeadlineUs())), ['add-vips', 'send-advert', 'send-garp', 'state-changed']);
});

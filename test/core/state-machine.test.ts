// The RFC 5798 §6.4 / RFC 9568 rules one by one, each test naming its section. The golden
// scripts in testdata/ show the same rules as readable timelines.
import t from 'tap';
import { addressBytes } from '../../src/core/address.js';
import { VrrpInstanceCore } from '../../src/core/instance.js';
import type { InstanceConfig } from '../../src/core/types.js';

function core(extra: Partial<InstanceConfig> = {}): VrrpInstanceCore {
  return new VrrpInstanceCore({
    name: 'VI_1', vrid: 51, version: 3, family: 'ipv4', basePriority: 100, adverIntervalCs: 100,
    preempt: true, preemptDelayUs: 0, initialState: 'BACKUP', primaryAddress: '192.0.2.5',
    acceptMode: true, ...extra,
  });
}

function advert(src: string, priority: number, adverIntCs = 100) {
  return { srcAddress: src, srcAddressBytes: addressBytes(src) ?? new Uint8Array(4), priority, adverIntCs };
}

const types = (effects: readonly { type: string }[]) => effects.map((e) => e.type);

t.test('§6.4.1 owner (255) goes straight to master: add-vips, advert, GARP, Adver_Timer', async (t) => {
  const c = core({ basePriority: 255 });
  t.same(types(c.start(7)), ['add-vips', 'send-advert', 'send-garp', 'state-changed']);
  t.equal(c.nextDeadlineUs(), 7 + 1_000_000);
});

t.test('§6.4.1 non-owner starts as backup with Master_Down_Timer; state MASTER does too (keepalived 2.2.7)', async (t) => {
  for (const initialState of ['BACKUP', 'MASTER'] as const) {
    const c = core({ initialState });
    t.same(c.start(0), [{ type: 'state-changed', from: 'INIT', to: 'BACKUP', reason: 'start' }]);
    t.equal(c.nextDeadlineUs(), 3_609_375);
  }
});

t.test('§6.4.2 Master_Down_Timer expiry: effects in contract order', async (t) => {
  const c = core();
  c.start(0);
  t.same(c.timerExpired(3_609_375), [
    { type: 'add-vips' },
    { type: 'send-advert', priority: 100, adverIntCs: 100 },
    { type: 'send-garp', trigger: 'became-master' },
    { type: 'state-changed', from: 'BACKUP', to: 'MASTER', reason: 'master-down-timer' },
  ]);
});

t.test('§6.4.2 priority 0 sets Master_Down_Timer to Skew_Time', async (t) => {
  const c = core();
  c.start(0);
  c.advertReceived(10, advert('192.0.2.9', 200));
  c.advertReceived(1000, advert('192.0.2.9', 0));
  t.equal(c.nextDeadlineUs(), 1000 + 609_375);
  t.equal(c.steadyState().kind, 'idle', 'no steady state while the master leaves');
});

t.test('§6.4.2 v3 backup learns Master_Adver_Interval; v2 does not', async (t) => {
  const v3 = core();
  v3.start(0);
  v3.advertReceived(0, advert('192.0.2.9', 200, 10));
  t.equal(v3.snapshot().masterAdverIntCs, 10);
  t.equal(v3.nextDeadlineUs(), 300_000 + 60_937);
  const v2 = core({ version: 2 });
  v2.start(0);
  v2.advertReceived(0, advert('192.0.2.9', 200, 300));
  t.equal(v2.snapshot().masterAdverIntCs, 100);
});

t.test('§6.4.2 preempt: a lower-priority advert is discarded; nopreempt accepts it', async (t) => {
  const p = core();
  p.start(0);
  p.advertReceived(100, advert('192.0.2.9', 50));
  t.equal(p.nextDeadlineUs(), 3_609_375, 'discarded: timer untouched');
  const np = core({ preempt: false });
  np.start(0);
  np.advertReceived(100, advert('192.0.2.9', 50));
  t.equal(np.nextDeadlineUs(), 100 + 3_609_375, 'accepted: timer reset');
  t.equal(np.steadyState().kind, 'backup-watching');
});

t.test('§6.4.3 Adver_Timer expiry sends an advert and re-arms', async (t) => {
  const c = core({ basePriority: 255 });
  c.start(0);
  t.same(c.timerExpired(1_000_000), [{ type: 'send-advert', priority: 255, adverIntCs: 100 }]);
  t.equal(c.nextDeadlineUs(), 2_000_000);
});

t.test('§6.4.3 master answers priority 0 at once and resets Adver_Timer', async (t) => {
  const c = core({ basePriority: 255 });
  c.start(0);
  t.same(types(c.advertReceived(400_000, advert('192.0.2.9', 0))), ['send-advert']);
  t.equal(c.nextDeadlineUs(), 1_400_000);
});

t.test('RFC 9568 §6.4.3 master answers a lower priority with an advert and stays', async (t) => {
  const c = core({ basePriority: 255 });
  c.start(0);
  t.same(types(c.advertReceived(400_000, advert('192.0.2.9', 100))), ['send-advert', 'send-garp']);
  t.equal(c.state, 'MASTER');
  const quiet = core({ basePriority: 255, lowerPrioNoAdvert: true });
  quiet.start(0);
  t.same(types(quiet.advertReceived(1, advert('192.0.2.9', 100))), ['send-garp'], 'lower_prio_no_advert');
});

t.test('§6.4.3 higher priority or equal with greater address: become backup', async (t) => {
  for (const [src, prio, reason] of [['192.0.2.1', 101, 'higher-priority'], ['192.0.2.6', 100, 'tie-break']] as const) {
    const c = core();
    c.start(0);
    c.timerExpired(3_609_375);
    const effects = c.advertReceived(4_000_000, advert(src, prio, 200));
    t.same(types(effects), ['remove-vips', 'state-changed']);
    t.match(effects.at(-1), { from: 'MASTER', to: 'BACKUP', reason });
    t.equal(c.nextDeadlineUs(), 4_000_000 + 6_000_000 + Math.floor((156 * 200 * 10000) / 256));
  }
});

t.test('§6.4.3 shutdown as master: priority-0 advert, then VIPs removed', async (t) => {
  const c = core({ basePriority: 255 });
  c.start(0);
  t.same(c.shutdown(5), [
    { type: 'send-advert', priority: 0, adverIntCs: 100 },
    { type: 'remove-vips' },
    { type: 'state-changed', from: 'MASTER', to: 'INIT', reason: 'shutdown' },
  ]);
  t.equal(c.nextDeadlineUs(), Infinity);
});

t.test('keepalived FAULT: backup in FAULT ignores adverts and never becomes master', async (t) => {
  const c = core();
  c.start(0);
  c.fault(1, 'eth0 down');
  t.same(c.advertReceived(2, advert('192.0.2.9', 0)), []);
  t.same(c.timerExpired(10_000_000), []);
  t.equal(c.state, 'FAULT');
  t.same(types(c.faultCleared(20_000_000)), ['state-changed']);
  t.equal(c.state, 'BACKUP');
});

t.test('keepalived: a master advertises a priority change at once; a backup does not', async (t) => {
  const m = core();
  m.start(0);
  m.timerExpired(3_609_375);
  t.same(m.setEffectivePriority(4_000_000, 90), [
    { type: 'priority-changed', from: 100, to: 90 },
    { type: 'send-advert', priority: 90, adverIntCs: 100 },
  ]);
  const b = core();
  b.start(0);
  t.same(types(b.setEffectivePriority(5, 150)), ['priority-changed']);
  t.equal(b.nextDeadlineUs(), 3_609_375, 'new Skew_Time applies from the next advert');
});

t.test('steady state: a backup watching a lower master under preempt is not steady', async (t) => {
  const c = core({ basePriority: 150 });
  c.start(0);
  c.advertReceived(0, advert('192.0.2.9', 200));
  t.match(c.steadyState(), { kind: 'backup-watching', masterPriority: 200, untilUs: Infinity });
  c.setEffectivePriority(10, 250);
  t.equal(c.steadyState().kind, 'idle', 'its adverts would now be discarded, so native must forward them');
});

t.test('keepalived higher_prio_send_advert: one advert before yielding', async (t) => {
  const c = core({ higherPrioSendAdvert: true });
  c.start(0);
  c.timerExpired(3_609_375);
  t.same(types(c.advertReceived(4_000_000, advert('192.0.2.1', 200))), ['send-advert', 'remove-vips', 'state-changed']);
});

// keepalived's reload in the core: an instance kept across a reload resumes the state of the one
// it replaces (resume), with effects but no state-changed for a state it already had. Virtual clock.
import t from 'tap';
import { VrrpInstanceCore } from '../../src/core/instance.js';
import type { InstanceConfig } from '../../src/core/types.js';

function instance(extra: Partial<InstanceConfig> = {}): VrrpInstanceCore {
  return new VrrpInstanceCore({
    name: 'VI_1', vrid: 51, version: 3, family: 'ipv4', basePriority: 100, adverIntervalCs: 100,
    preempt: true, preemptDelayUs: 0, initialState: 'BACKUP', primaryAddress: '192.0.2.5',
    acceptMode: true, ...extra,
  });
}

const types = (effects: readonly { type: string }[]) => effects.map((e) => e.type);

t.test('a MASTER resumes as MASTER at once: VIPs, advert, GARPs, no state change', async (t) => {
  const c = instance({ basePriority: 150 });
  const effects = c.resume(1_000, 'MASTER');
  t.same(types(effects), ['add-vips', 'send-advert', 'send-garp']);
  t.same(effects[1], { type: 'send-advert', priority: 150, adverIntCs: 100 }, 'the advert carries the new priority');
  t.equal(c.state, 'MASTER');
  t.equal(c.nextDeadlineUs(), 1_000 + 1_000_000, 'Adver_Timer from now (RFC 5798 §6.4.3)');
});

t.test('a BACKUP resumes as BACKUP with a fresh Master_Down_Timer and no state change', async (t) => {
  const c = instance();
  t.same(c.resume(5_000, 'BACKUP'), []);
  t.equal(c.state, 'BACKUP');
  // RFC 5798 §6.1: Master_Down_Interval = 3 × 1 s + Skew_Time (156/256 s).
  t.equal(c.nextDeadlineUs(), 5_000 + 3_000_000 + 609_375);
});

t.test('state MASTER in the new config does not make a kept BACKUP master', async (t) => {
  const c = instance({ initialState: 'MASTER', basePriority: 200 });
  t.same(c.resume(0, 'BACKUP'), []);
  t.equal(c.state, 'BACKUP');
});

t.test('a kept MASTER that is now in FAULT releases: priority-0 advert, VIPs removed, MASTER -> FAULT', async (t) => {
  const c = instance();
  c.fault(0, 'script chk down');
  const effects = c.resume(0, 'MASTER');
  t.same(effects, [
    { type: 'send-advert', priority: 0, adverIntCs: 100 },
    { type: 'remove-vips' },
    { type: 'state-changed', from: 'MASTER', to: 'FAULT', reason: 'reload' },
  ]);
});

t.test('FAULT stays FAULT silently; FAULT without a reason now goes BACKUP with a transition', async (t) => {
  const still = instance();
  still.fault(0, 'x');
  t.same(still.resume(0, 'FAULT'), []);
  t.equal(still.state, 'FAULT');
  const cleared = instance();
  t.same(cleared.resume(0, 'FAULT'), [{ type: 'state-changed', from: 'FAULT', to: 'BACKUP', reason: 'reload' }]);
});

t.test('the address owner (255) resumes as MASTER whatever it was', async (t) => {
  const c = instance({ basePriority: 255 });
  t.same(types(c.resume(0, 'BACKUP')), ['add-vips', 'send-advert', 'send-garp', 'state-changed']);
  t.equal(c.state, 'MASTER');
});

t.test('resume only acts from INIT', async (t) => {
  const c = instance();
  c.start(0);
  t.same(c.resume(10, 'MASTER'), []);
  t.equal(c.state, 'BACKUP');
});

// Multi-router scenarios on a simulated lossless LAN with a virtual clock: election, crash,
// graceful shutdown, preemption, nopreempt, tie-break, and never two masters in steady state.
// Each scenario runs twice: the core's own timers, and the emulated native steady state of
// docs/core.md; both must give the same transitions at the same times.
import t from 'tap';
import { masterDownIntervalUs, skewTimeUs } from '../../src/core/timing.js';
import { LATENCY_US, Network, routerConfig, type Transition } from './sim.js';

const S = 1_000_000;

function pair(native: boolean, extraA = {}, extraB = {}): Network {
  const net = new Network(native);
  net.add('A', routerConfig('A', '192.0.2.1', 200, extraA));
  net.add('B', routerConfig('B', '192.0.2.2', 100, extraB));
  return net;
}

function lastTo(net: Network, router: string): Transition | undefined {
  return net.transitions.filter((x) => x.router === router).at(-1);
}

type Scenario = (net: Network, native: boolean) => void;

function both(name: string, scenario: (native: boolean) => Network): void {
  t.test(name, async (t) => {
    const plain = scenario(false);
    const native = scenario(true);
    t.same(native.transitions, plain.transitions, 'native steady state gives the same transitions');
    t.same(native.sent, plain.sent, 'and the same adverts at the same times');
  });
}

const election: Scenario = (net) => {
  net.start('A');
  net.start('B');
  net.runUntil(10 * S);
};

t.test('§6.4.1/§6.4.2 election: the higher priority becomes the only master', async (t) => {
  const net = pair(false);
  election(net, false);
  const mdiA = masterDownIntervalUs(3, 200, 100);
  t.same(net.masters(), ['A']);
  t.same(net.vipHolders(), ['A']);
  t.equal(lastTo(net, 'A')?.atUs, mdiA, 'A takes over after its own Master_Down_Interval');
  t.equal(lastTo(net, 'B')?.to, 'BACKUP', 'B stays backup (its timer is reset by A)');
  t.same(net.badSamples(net.nowUs, 60 * S, 10_000), [], 'exactly one master and one VIP holder for 50 s');
});

t.test('§6.4.2 master crash: the backup takes over after Master_Down_Interval', async (t) => {
  const net = pair(false);
  election(net, false);
  const lastAdvertUs = net.sent.filter((s) => s.router === 'A').at(-1)?.atUs ?? 0;
  net.crash('A');
  net.runUntil(20 * S);
  const take = lastTo(net, 'B');
  t.equal(take?.to, 'MASTER');
  t.equal(take?.reason, 'master-down-timer');
  const mdiB = masterDownIntervalUs(3, 100, 100);
  t.equal(take?.atUs, lastAdvertUs + LATENCY_US + mdiB, 'takeover at last advert + Master_Down_Interval');
  t.same(net.vipHolders(), ['B']);
});

t.test('§6.4.3 graceful shutdown: priority 0, takeover after Skew_Time', async (t) => {
  const net = pair(false);
  election(net, false);
  const stopUs = net.nowUs;
  net.input('A', (c, now) => c.shutdown(now));
  t.same(net.vipHolders(), [], 'A removed its VIPs at once');
  net.runUntil(stopUs + 5 * S);
  const take = lastTo(net, 'B');
  t.equal(take?.atUs, stopUs + LATENCY_US + skewTimeUs(3, 100, 100), 'B waits only Skew_Time');
  t.same(net.masters(), ['B']);
});

t.test('§6.4.3 preemption on return; nopreempt keeps the lower master', async (t) => {
  const net = pair(false);
  election(net, false);
  net.crash('A');
  net.runUntil(20 * S);
  net.start('A');
  net.runUntil(40 * S);
  t.same(net.masters(), ['A'], 'A (200) preempts B (100) when it returns');
  t.equal(lastTo(net, 'B')?.reason, 'higher-priority');

  const np = pair(false, { preempt: false });
  election(np, false);
  np.crash('A');
  np.runUntil(20 * S);
  np.start('A');
  np.runUntil(60 * S);
  t.same(np.masters(), ['B'], 'with nopreempt A stays backup under the lower-priority master');
  t.same(np.badSamples(np.nowUs, 90 * S, 10_000), [], 'and it stays that way');
});

t.test('preempt_delay postpones the preemption by about the delay', async (t) => {
  const net = pair(false, { preemptDelayUs: 5 * S });
  election(net, false);
  net.crash('A');
  net.runUntil(20 * S);
  const backAt = net.nowUs;
  net.start('A');
  net.runUntil(backAt + 30 * S);
  const take = lastTo(net, 'A');
  t.equal(take?.to, 'MASTER');
  const waited = (take?.atUs ?? 0) - backAt;
  t.ok(waited >= 5 * S, `waited ${waited} µs >= preempt_delay`);
  t.ok(waited <= 5 * S + masterDownIntervalUs(3, 200, 100) + 1 * S, 'but not much longer');
});

t.test('§6.4.3 equal priorities: the greater primary address wins', async (t) => {
  const net = new Network(false);
  net.add('low', routerConfig('low', '192.0.2.9', 100));
  net.add('high', routerConfig('high', '192.0.2.10', 100));
  net.start('low');
  net.start('high');
  net.runUntil(20 * S);
  t.same(net.masters(), ['high'], '192.0.2.10 > 192.0.2.9 as unsigned numbers (not as text)');
  t.same(net.badSamples(net.nowUs, 40 * S, 10_000), []);
});

t.test('three routers, v2 and 10 ms v3: one master after every change', async (t) => {
  for (const extra of [{ version: 2 as const }, { adverIntervalCs: 1 }]) {
    const net = new Network(false);
    net.add('A', routerConfig('A', '192.0.2.1', 150, extra));
    net.add('B', routerConfig('B', '192.0.2.2', 120, extra));
    net.add('C', routerConfig('C', '192.0.2.3', 90, extra));
    for (const r of ['C', 'B', 'A']) net.start(r);
    const settle = extra.version === 2 ? 10 * S : S;
    net.runUntil(settle);
    t.same(net.masters(), ['A']);
    net.crash('A');
    net.runUntil(2 * settle);
    t.same(net.masters(), ['B'], 'the next priority takes over');
    net.input('B', (c, now) => c.fault(now, 'link'));
    net.runUntil(3 * settle);
    t.same(net.masters(), ['C'], 'B in FAULT hands over to C');
    net.input('B', (c, now) => c.faultCleared(now));
    net.start('A');
    net.runUntil(4 * settle);
    t.same(net.masters(), ['A']);
    t.same(net.badSamples(net.nowUs, 5 * settle, settle / 100), [], 'steady: one master');
  }
});

t.test('priority tracking moves mastership only when the priorities say so', async (t) => {
  const net = pair(false);
  election(net, false);
  net.input('A', (c, now) => c.setEffectivePriority(now, 140));
  net.runUntil(20 * S);
  t.same(net.masters(), ['A'], '140 > 100: A stays');
  net.input('A', (c, now) => c.setEffectivePriority(now, 60));
  net.runUntil(30 * S);
  t.same(net.masters(), ['B'], '60 < 100: B preempts after Master_Down_Interval');
  net.input('A', (c, now) => c.setEffectivePriority(now, 200));
  net.runUntil(40 * S);
  t.same(net.masters(), ['A'], 'restored: A preempts back');
});

both('native steady state: election, crash, return', (native) => {
  const net = pair(native);
  election(net, native);
  net.crash('A');
  net.runUntil(20 * S);
  net.start('A');
  net.runUntil(40 * S);
  net.input('A', (c, now) => c.shutdown(now));
  net.runUntil(50 * S);
  return net;
});

both('native steady state: nopreempt and preempt_delay', (native) => {
  const net = pair(native, { preemptDelayUs: 3 * S }, { preempt: true });
  election(net, native);
  net.crash('A');
  net.runUntil(20 * S);
  net.start('A');
  net.runUntil(45 * S);
  return net;
});

t.test('native steady state needs no core call per packet', async (t) => {
  const net = pair(true);
  election(net, true);
  const before = net.host('A').coreCalls + net.host('B').coreCalls;
  net.runUntil(110 * S);
  const after = net.host('A').coreCalls + net.host('B').coreCalls;
  t.equal(after, before, '100 s of adverts without a single core call');
  t.same(net.masters(), ['A']);
});

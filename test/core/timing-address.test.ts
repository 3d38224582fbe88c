// Timer arithmetic (RFC 5798 §6.1, RFC 3768 §6.1) and the §6.4.3 address comparison.
import t from 'tap';
import { addressBytes, compareAddressBytes } from '../../src/core/address.js';
import { resolveConfig } from '../../src/core/config.js';
import { masterDownIntervalUs, skewTimeUs } from '../../src/core/timing.js';

t.test('§6.1 Skew_Time uses the local priority and the Master_Adver_Interval (v3)', async (t) => {
  t.equal(skewTimeUs(3, 100, 100), 609375, '156/256 of 1 s');
  t.equal(skewTimeUs(3, 255, 100), 3906, '1/256 of 1 s, floored to µs');
  t.equal(skewTimeUs(3, 100, 1), 6093, '156/256 of 10 ms, floored');
  t.equal(skewTimeUs(3, 1, 4095), Math.floor((255 * 4095 * 10000) / 256));
});

t.test('RFC 3768 §6.1 v2 Skew_Time is (256 - Priority)/256 s whatever the interval', async (t) => {
  t.equal(skewTimeUs(2, 100, 100), 609375);
  t.equal(skewTimeUs(2, 100, 500), 609375);
});

t.test('§6.1 Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time', async (t) => {
  t.equal(masterDownIntervalUs(3, 100, 100), 3609375);
  t.equal(masterDownIntervalUs(3, 200, 1), 30000 + 2187);
  t.equal(masterDownIntervalUs(2, 100, 300), 9609375);
  t.equal(masterDownIntervalUs(3, 100, 100, 5), 5609375, 'keepalived down_timer_adverts');
});

t.test('§6.4.3 addresses compare as unsigned network-order numbers', async (t) => {
  const b = (s: string) => addressBytes(s) ?? new Uint8Array();
  t.ok(compareAddressBytes(b('192.0.2.10'), b('192.0.2.9')) > 0, 'not a text comparison');
  t.ok(compareAddressBytes(b('198.51.100.1'), b('192.0.2.200')) > 0);
  t.equal(compareAddressBytes(b('192.0.2.1'), b('192.0.2.1')), 0);
  t.ok(compareAddressBytes(b('2001:db8::10'), b('2001:db8::9')) > 0);
  t.ok(compareAddressBytes(b('fe80::1'), b('2001:db8::ffff')) > 0);
  t.same([...b('2001:db8::192.0.2.1')].slice(12), [192, 0, 2, 1]);
  for (const bad of ['192.0.2', '192.0.2.256', '1::2::3', '2001:db8:::1', 'x', '1:2:3:4:5:6:7:8:9']) {
    t.equal(addressBytes(bad), null, `${bad} rejected`);
  }
});

t.test('config: ranges are checked with a stable error code', async (t) => {
  const base = {
    name: 'VI_1', vrid: 51, version: 3 as const, family: 'ipv4' as const, basePriority: 100,
    adverIntervalCs: 100, preempt: true, preemptDelayUs: 0, initialState: 'BACKUP' as const,
    primaryAddress: '192.0.2.1', acceptMode: true,
  };
  t.throws(() => resolveConfig({ ...base, basePriority: 0 }), { code: 'ERR_FLOATIP_CORE_CONFIG' });
  t.throws(() => resolveConfig({ ...base, version: 2, adverIntervalCs: 50 }), { code: 'ERR_FLOATIP_CORE_CONFIG' });
  t.throws(() => resolveConfig({ ...base, primaryAddress: '2001:db8::1' }), { code: 'ERR_FLOATIP_CORE_CONFIG' });
  t.same(resolveConfig({ ...base, basePriority: 255, preempt: false }).preempt, true, 'owner always preempts');
});

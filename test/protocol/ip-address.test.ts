import t from 'tap';
import {
  canonicalIp,
  formatIp,
  formatIpv6,
  InvalidIpAddressError,
  ipFamilyOf,
  isIpv6LinkLocal,
  parseIp,
  parseIpOrThrow,
} from '../../src/protocol/ip-address.js';
import { bytes, toHex } from './helpers.js';

t.test('IPv4 dotted quad parses to network-order bytes and back', async (t) => {
  const parsed = parseIp('192.0.2.1');
  t.ok(parsed.ok);
  if (parsed.ok) {
    t.equal(parsed.family, 'ipv4');
    t.equal(toHex(parsed.bytes), 'c0000201');
    t.equal(formatIp(parsed.bytes), '192.0.2.1');
  }
  t.equal(canonicalIp('0.0.0.0'), '0.0.0.0');
  t.equal(canonicalIp('255.255.255.255'), '255.255.255.255');
});

t.test('bad IPv4 text gives a result with a reason, never an exception', async (t) => {
  for (const text of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.-4', '1..2.3', ' 1.2.3.4', '1.2.3.4/24', '0x1.2.3.4']) {
    const parsed = parseIp(text);
    t.equal(parsed.ok, false, JSON.stringify(text));
    if (!parsed.ok) t.type(parsed.reason, 'string');
  }
});

t.test('RFC 4291 §2.2 IPv6 text forms parse', async (t) => {
  const cases: Array<[string, string]> = [
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['2001:DB8:0:0:0:0:0:1', '20010db8000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['fe80::', 'fe800000000000000000000000000000'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
  ];
  for (const [text, hex] of cases) {
    const parsed = parseIp(text);
    t.ok(parsed.ok, text);
    if (parsed.ok) t.equal(toHex(parsed.bytes), hex, text);
  }
});

t.test('bad IPv6 text is rejected', async (t) => {
  for (const text of [':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::1', 'fe80::1%eth0', ':1::', '1::2:', '1.2.3.4::', '::1.2.3', '1:2:3:4:5:6:7:8::']) {
    t.equal(parseIp(text).ok, false, text);
  }
});

t.test('RFC 5952 §4 canonical IPv6 text', async (t) => {
  const cases: Array<[string, string]> = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'], // §4.1 leading zeros, §4.2 "::"
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2 no "::" for one group
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // §4.2.3 first of equal runs
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3 longest run
    ['2001:DB8::ABCD', '2001:db8::abcd'], // §4.3 lower case
    ['0:0:0:0:0:0:0:0', '::'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['::ffff:c000:201', '::ffff:192.0.2.1'], // §5 IPv4-mapped
  ];
  for (const [text, canonical] of cases) t.equal(canonicalIp(text), canonical, text);
});

t.test('family detection and the OrThrow helper', async (t) => {
  t.equal(ipFamilyOf('192.0.2.1'), 'ipv4');
  t.equal(ipFamilyOf('2001:db8::1'), 'ipv6');
  t.equal(ipFamilyOf('example.com'), null);
  t.equal(parseIpOrThrow('2001:db8::1').family, 'ipv6');
  t.throws(() => parseIpOrThrow('300.1.1.1'), { code: 'ERR_FLOATIP_INVALID_IP', name: 'InvalidIpAddressError' });
  try {
    parseIpOrThrow('nope');
  } catch (err) {
    t.ok(err instanceof InvalidIpAddressError);
  }
  t.equal(formatIp(bytes(1, 2, 3)), null);
});

t.test('RFC 4291 §2.5.6 link-local fe80::/10', async (t) => {
  t.ok(isIpv6LinkLocal(parseIpOrThrow('fe80::1').bytes));
  t.ok(isIpv6LinkLocal(parseIpOrThrow('febf::1').bytes));
  t.notOk(isIpv6LinkLocal(parseIpOrThrow('fec0::1').bytes));
  t.notOk(isIpv6LinkLocal(parseIpOrThrow('2001:db8::1').bytes));
  t.equal(formatIpv6(parseIpOrThrow('fe80::ff:fe00:a01').bytes), 'fe80::ff:fe00:a01');
});

import t from 'tap';
import { internetChecksum, ipv4PseudoHeader, ipv6PseudoHeader, pseudoHeaderFor } from '../../src/protocol/checksum.js';
import { bytes, ip, prng, referenceChecksum, toHex, u16 } from './helpers.js';

t.test('RFC 1071 §3 numerical example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2', async (t) => {
  const data = bytes('00 01 f2 03 f4 f5 f6 f7');
  t.equal(internetChecksum(data), ~0xddf2 & 0xffff);
  t.equal(internetChecksum(data, bytes(u16(~0xddf2 & 0xffff))), 0, 'with its checksum appended it sums to zero');
});

t.test('RFC 1071 §4.1 odd length pads with a zero byte; parts behave as their concatenation', async (t) => {
  t.equal(internetChecksum(bytes(0xab)), internetChecksum(bytes(0xab, 0x00)));
  const whole = bytes('01 02 03 04 05 06 07');
  t.equal(internetChecksum(whole.subarray(0, 3), whole.subarray(3)), internetChecksum(whole));
  t.equal(internetChecksum(whole.subarray(0, 1), whole.subarray(1, 2), whole.subarray(2)), internetChecksum(whole));
  t.equal(internetChecksum(), 0xffff, 'nothing sums to 0, so the checksum is ffff');
});

t.test('agrees with an independent implementation on random data', async (t) => {
  const random = prng(1071);
  for (let n = 0; n < 300; n++) {
    const length = Math.floor(random() * 1600);
    const data = Uint8Array.from({ length }, () => Math.floor(random() * 256));
    const cut = Math.floor(random() * (length + 1));
    t.equal(internetChecksum(data.subarray(0, cut), data.subarray(cut)), referenceChecksum(data));
  }
  const ones = new Uint8Array(70000).fill(0xff);
  t.equal(internetChecksum(ones), referenceChecksum(ones), 'carries fold on long inputs');
});

t.test('IPv4 pseudo-header layout (source, destination, zero, protocol, length)', async (t) => {
  t.equal(toHex(ipv4PseudoHeader(ip('192.0.2.1'), ip('224.0.0.18'), 112, 20)), 'c0000201e0000012007000' + '14');
});

t.test('RFC 8200 §8.1 IPv6 pseudo-header layout', async (t) => {
  const header = ipv6PseudoHeader(ip('fe80::1'), ip('ff02::12'), 112, 0x1234);
  t.equal(header.length, 40);
  t.equal(toHex(header), 'fe800000000000000000000000000001' + 'ff020000000000000000000000000012' + '00001234' + '00000070');
  t.equal(toHex(pseudoHeaderFor(ip('fe80::1'), ip('ff02::12'), 112, 0x1234)), toHex(header));
  t.equal(pseudoHeaderFor(ip('192.0.2.1'), ip('224.0.0.18'), 112, 8).length, 12);
});

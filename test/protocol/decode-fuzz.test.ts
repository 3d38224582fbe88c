import t from 'tap';
import { DISCARD_REASONS } from '../../src/protocol/discard-reasons.js';
import { authDataFromPassword } from '../../src/protocol/vrrp-advert.js';
import { decodeAdvert, encodeAdvertOrThrow, type DecodeResult } from '../../src/protocol/vrrp-codec.js';
import { ip, prng } from './helpers.js';

const rx4 = { family: 'ipv4' as const, sourceAddress: ip('192.0.2.1'), destinationAddress: ip('224.0.0.18'), ttl: 255 };
const rx6 = { family: 'ipv6' as const, sourceAddress: ip('fe80::1'), destinationAddress: ip('ff02::12'), ttl: 255 };

function wellFormed(result: DecodeResult): boolean {
  if (!result.ok) return DISCARD_REASONS.includes(result.reason);
  const { advert } = result;
  return advert.countIpAddrs === advert.addresses.length && advert.addresses.every((a) => a.length > 0);
}

const seeds = [
  encodeAdvertOrThrow(
    { version: 2, vrid: 51, priority: 150, adverIntS: 1, authType: 1, authData: authDataFromPassword('pw'), addresses: ['192.0.2.100', '192.0.2.101'] },
    rx4,
  ),
  encodeAdvertOrThrow({ version: 3, vrid: 52, priority: 200, maxAdverIntCs: 50, addresses: ['192.0.2.110'] }, rx4),
  encodeAdvertOrThrow({ version: 3, vrid: 53, priority: 100, maxAdverIntCs: 100, addresses: ['2001:db8::53'] }, rx6),
];

t.test('RFC 5798 §7.1 decode never throws: random bytes and mutated adverts (deterministic, bounded)', async (t) => {
  const random = prng(5798);
  const byte = () => Math.floor(random() * 256);
  let accepted = 0;
  let checked = 0;
  for (let n = 0; n < 4000; n++) {
    let packet: Uint8Array;
    if (n % 2 === 0) {
      packet = Uint8Array.from({ length: Math.floor(random() * 80) }, byte);
      if (packet.length > 0 && n % 4 === 0) packet[0] = random() < 0.5 ? 0x21 : 0x31; // reach deeper rules
    } else {
      packet = seeds[n % seeds.length].slice();
      for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) packet[Math.floor(random() * packet.length)] = byte();
      if (random() < 0.2) packet = packet.subarray(0, Math.floor(random() * packet.length));
    }
    for (const ctx of [rx4, rx6, { ...rx4, ttl: byte() }]) {
      let result: DecodeResult | undefined;
      try {
        result = decodeAdvert(packet, ctx);
      } catch (err) {
        t.fail(`threw on ${Buffer.from(packet).toString('hex')}: ${String(err)}`);
        return;
      }
      checked++;
      if (!wellFormed(result)) t.fail(`malformed result ${JSON.stringify(result)}`);
      if (result.ok) accepted++;
    }
  }
  t.equal(checked, 12000);
  t.ok(accepted < checked / 10, `few random packets pass the checksum (${accepted})`);
});

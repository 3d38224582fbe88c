import t from 'tap';
import { internetChecksum, ipv4PseudoHeader, ipv6PseudoHeader } from '../../src/protocol/checksum.js';
import { authDataFromPassword, type VrrpV2Advert, type VrrpV3Advert } from '../../src/protocol/vrrp-advert.js';
import { decodeAdvert, encodeAdvert, encodeAdvertOrThrow, validateAdvert } from '../../src/protocol/vrrp-codec.js';
import { ascii, bytes, capturedFrame, ip, ipPayloadOf, referenceChecksum, toHex, u16 } from './helpers.js';

const SRC4 = ip('192.0.2.1');
const MCAST4 = ip('224.0.0.18');
const SRC6 = ip('fe80::ff:fe00:a01');
const MCAST6 = ip('ff02::12');
const v4 = { family: 'ipv4' as const, sourceAddress: SRC4, destinationAddress: MCAST4 };
const v6 = { family: 'ipv6' as const, sourceAddress: SRC6, destinationAddress: MCAST6 };
const rx4 = { ...v4, ttl: 255 };
const rx6 = { ...v6, ttl: 255 };

const V2_PASS: VrrpV2Advert = {
  version: 2,
  vrid: 51,
  priority: 150,
  adverIntS: 1,
  authType: 1,
  authData: authDataFromPassword('secret12'),
  addresses: ['192.0.2.100', '192.0.2.101'],
};
const V3_IPV4: VrrpV3Advert = { version: 3, vrid: 52, priority: 200, maxAdverIntCs: 50, addresses: ['192.0.2.110'] };
const V3_IPV6: VrrpV3Advert = { version: 3, vrid: 53, priority: 100, maxAdverIntCs: 100, addresses: ['2001:db8::53'] };

/** RFC 3768 §5.1 layout, by hand, with the checksum left for the caller. */
function handV2(checksum: number): Uint8Array {
  return bytes(
    0x21, // version 2, type 1 ADVERTISEMENT
    51, // VRID
    150, // priority
    2, // Count IP Addrs
    0x01, // Auth Type 1 (keepalived PASS)
    1, // Adver Int (seconds)
    u16(checksum),
    'c0 00 02 64', // 192.0.2.100
    'c0 00 02 65', // 192.0.2.101
    ascii('secret12'), // Authentication Data
  );
}

/** RFC 5798 §5.1 layout, by hand. */
function handV3Ipv4(checksum: number): Uint8Array {
  return bytes(0x31, 52, 200, 1, u16(50 & 0x0fff), u16(checksum), 'c0 00 02 6e');
}

t.test('RFC 3768 §5.3.8 VRRPv2 known answer: hand-built bytes, independent checksum, encoder and keepalived agree', async (t) => {
  const expected = handV2(referenceChecksum(handV2(0)));
  t.equal(toHex(encodeAdvertOrThrow(V2_PASS, v4)), toHex(expected));
  t.equal(toHex(expected), toHex(ipPayloadOf(capturedFrame('v2-pass-advert')).payload), 'keepalived 2.2.7 sends the same bytes');
  t.equal(internetChecksum(expected), 0, 'a correct packet sums to zero');
});

t.test('RFC 5798 §5.2.8 checksum covers the IPv4 pseudo-header (keepalived default)', async (t) => {
  const pseudo = bytes('c0 00 02 01', 'e0 00 00 12', 0, 112, u16(12));
  t.equal(toHex(ipv4PseudoHeader(SRC4, MCAST4, 112, 12)), toHex(pseudo));
  const expected = handV3Ipv4(referenceChecksum(pseudo, handV3Ipv4(0)));
  const encoded = encodeAdvertOrThrow(V3_IPV4, v4);
  t.equal(toHex(encoded), toHex(expected));
  t.equal(toHex(encoded), toHex(ipPayloadOf(capturedFrame('v3-ipv4-advert')).payload), 'matches keepalived 2.2.7');
  const decoded = decodeAdvert(encoded, rx4);
  t.same(decoded.ok && decoded.checksumForm, 'pseudo-header');
});

t.test('RFC 9568 §5.2.8 IPv4 checksum over the VRRP message only (keepalived v3_checksum_as_v2)', async (t) => {
  const expected = handV3Ipv4(referenceChecksum(handV3Ipv4(0)));
  const encoded = encodeAdvertOrThrow(V3_IPV4, { ...v4, checksumForm: 'v2-style' });
  t.equal(toHex(encoded), toHex(expected));
  const decoded = decodeAdvert(encoded, rx4);
  t.ok(decoded.ok);
  if (decoded.ok) t.equal(decoded.checksumForm, 'v2-style', 'the decoder reports which form matched');
  t.same(decodeAdvert(encoded, { ...rx4, acceptChecksumForms: ['pseudo-header'] }), { ok: false, reason: 'checksum-error' });
  const pseudoOnly = encodeAdvertOrThrow(V3_IPV4, v4);
  t.same(decodeAdvert(pseudoOnly, { ...rx4, acceptChecksumForms: ['v2-style'] }), { ok: false, reason: 'checksum-error' });
});

t.test('RFC 9568 §5.2.8 IPv6 checksum includes the RFC 8200 §8.1 pseudo-header', async (t) => {
  const message = (checksum: number) =>
    bytes(0x31, 53, 100, 1, u16(100), u16(checksum), '2001 0db8 0000 0000 0000 0000 0000 0053');
  const pseudo = bytes(SRC6, MCAST6, 0, 0, u16(24), 0, 0, 0, 112);
  t.equal(toHex(ipv6PseudoHeader(SRC6, MCAST6, 112, 24)), toHex(pseudo));
  const expected = message(referenceChecksum(pseudo, message(0)));
  t.equal(toHex(encodeAdvertOrThrow(V3_IPV6, { ...v6, checksumForm: 'v2-style' })), toHex(expected), 'the form option does not apply to IPv6');
  t.equal(toHex(expected), toHex(ipPayloadOf(capturedFrame('v3-ipv6-advert')).payload), 'matches the kernel-filled checksum keepalived sent');
});

t.test('captured keepalived 2.2.7 adverts decode', async (t) => {
  const cases: Array<[string, object]> = [
    ['v2-pass-advert', { version: 2, vrid: 51, priority: 150, adverIntS: 1, authType: 1, countIpAddrs: 2, addresses: ['192.0.2.100', '192.0.2.101'] }],
    ['v2-pass-priority-0', { version: 2, vrid: 51, priority: 0, countIpAddrs: 2 }],
    ['v3-ipv4-advert', { version: 3, vrid: 52, priority: 200, maxAdverIntCs: 50, countIpAddrs: 1, addresses: ['192.0.2.110'] }],
    ['v3-ipv6-advert', { version: 3, vrid: 53, priority: 100, maxAdverIntCs: 100, addresses: ['2001:db8::53'] }],
    ['v3-vmac-advert', { version: 3, vrid: 54, priority: 100, maxAdverIntCs: 100, addresses: ['192.0.2.120'] }],
  ];
  for (const [name, fields] of cases) {
    const packet = ipPayloadOf(capturedFrame(name));
    const decoded = decodeAdvert(packet.payload, packet);
    t.ok(decoded.ok, name);
    if (!decoded.ok) continue;
    t.match(decoded.advert, fields, name);
    t.equal(decoded.checksumForm, packet.family === 'ipv4' && decoded.advert.version === 2 ? 'v2-style' : 'pseudo-header', name);
  }
  const pass = ipPayloadOf(capturedFrame('v2-pass-advert'));
  const decoded = decodeAdvert(pass.payload, pass);
  if (decoded.ok && decoded.advert.version === 2) t.equal(toHex(decoded.advert.authData), toHex(bytes(ascii('secret12'))));
});

t.test('round trips: encode then decode gives the advert back', async (t) => {
  const cases: Array<[string, VrrpV2Advert | VrrpV3Advert, typeof v4 | typeof v6]> = [
    ['v2 no auth', { version: 2, vrid: 1, priority: 100, adverIntS: 3, authType: 0, authData: new Uint8Array(8), addresses: ['192.0.2.7'] }, v4],
    ['v2 PASS', V2_PASS, v4],
    ['v3 ipv4 max values', { version: 3, vrid: 255, priority: 255, maxAdverIntCs: 4095, addresses: ['192.0.2.1', '198.51.100.1', '203.0.113.1'] }, v4],
    ['v3 ipv4 unicast', V3_IPV4, { ...v4, destinationAddress: ip('192.0.2.2') }],
    ['v3 ipv6 two addresses', { version: 3, vrid: 9, priority: 1, maxAdverIntCs: 1, addresses: ['fe80::1', '2001:db8::a:b'] }, v6],
    ['v3 no addresses', { version: 3, vrid: 9, priority: 0, maxAdverIntCs: 100, addresses: [] }, v4],
  ];
  for (const [name, advert, ctx] of cases) {
    const decoded = decodeAdvert(encodeAdvertOrThrow(advert, ctx), { ...ctx, ttl: 255 });
    t.ok(decoded.ok, name);
    if (decoded.ok) {
      const { countIpAddrs, checksum, ...rest } = decoded.advert;
      t.same(rest, advert, name);
      t.equal(countIpAddrs, advert.addresses.length, name);
      t.type(checksum, 'number');
    }
  }
});

t.test('RFC 3768 §5.3.10 auth data is zero on transmit without PASS', async (t) => {
  const noAuth = { ...V2_PASS, authType: 0 };
  const encoded = encodeAdvertOrThrow(noAuth, v4);
  t.equal(toHex(encoded.subarray(16)), '0000000000000000');
});

t.test('RFC 5798 §7.1 TTL must be 255', async (t) => {
  const encoded = encodeAdvertOrThrow(V3_IPV4, v4);
  t.same(decodeAdvert(encoded, { ...rx4, ttl: 254 }), { ok: false, reason: 'ip-ttl-error' });
  t.same(decodeAdvert(encoded, { ...rx6, ttl: 1 }), { ok: false, reason: 'ip-ttl-error' });
  t.ok(decodeAdvert(encoded, { ...rx4, ttl: 64, requireTtl255: false }).ok, 'unicast_ttl peers: the caller waives the rule');
});

t.test('RFC 5798 §7.1 version must be 3 (or 2 over IPv4)', async (t) => {
  const encoded = encodeAdvertOrThrow(V3_IPV4, v4);
  for (const version of [0, 1, 4, 15]) {
    const bad = encoded.slice();
    bad[0] = (version << 4) | 1;
    t.same(decodeAdvert(bad, rx4), { ok: false, reason: 'version-error' }, `version ${version}`);
  }
  const v2OverIpv6 = bytes(0x21, 1, 100, 0, 0, 1, u16(0), new Uint8Array(8));
  t.same(decodeAdvert(v2OverIpv6, rx6), { ok: false, reason: 'version-error' }, 'RFC 3768 is IPv4 only');
});

t.test('RFC 5798 §5.2.2 type must be 1 ADVERTISEMENT', async (t) => {
  const encoded = encodeAdvertOrThrow(V3_IPV4, v4);
  for (const type of [0, 2, 15]) {
    const bad = encoded.slice();
    bad[0] = 0x30 | type;
    t.same(decodeAdvert(bad, rx4), { ok: false, reason: 'invalid-type' }, `type ${type}`);
  }
});

t.test('RFC 5798 §7.1 packet length: the complete packet, count agreeing with length', async (t) => {
  const encoded = encodeAdvertOrThrow(V2_PASS, v4);
  t.same(decodeAdvert(new Uint8Array(0), rx4), { ok: false, reason: 'packet-length-error' });
  t.same(decodeAdvert(encoded.subarray(0, 7), rx4), { ok: false, reason: 'packet-length-error' }, 'shorter than the header');
  t.same(decodeAdvert(encoded.subarray(0, encoded.length - 1), rx4), { ok: false, reason: 'packet-length-error' }, 'auth data cut');
  t.same(decodeAdvert(bytes(encoded, 0, 0, 0, 0), rx4), { ok: false, reason: 'packet-length-error' }, 'trailing bytes');
  const badCount = encoded.slice();
  badCount[3] = 3;
  t.same(decodeAdvert(badCount, rx4), { ok: false, reason: 'packet-length-error' }, 'count says 3, length holds 2');
  const v6 = encodeAdvertOrThrow(V3_IPV6, { family: 'ipv6', sourceAddress: SRC6, destinationAddress: MCAST6 });
  t.same(decodeAdvert(v6, rx4), { ok: false, reason: 'packet-length-error' }, 'IPv6 addresses read as IPv4');
});

t.test('RFC 5798 §7.1 checksum must verify', async (t) => {
  for (const [name, packet, ctx] of [
    ['v2', encodeAdvertOrThrow(V2_PASS, v4), rx4],
    ['v3 ipv4', encodeAdvertOrThrow(V3_IPV4, v4), rx4],
    ['v3 ipv6', encodeAdvertOrThrow(V3_IPV6, v6), rx6],
  ] as const) {
    for (let i = 0; i < packet.length; i++) {
      const bad = packet.slice();
      bad[i] ^= 0x01;
      const result = decodeAdvert(bad, ctx);
      // A flipped bit in the header may trip an earlier rule; elsewhere it must be a checksum error.
      if (i >= 4) t.same(result, { ok: false, reason: 'checksum-error' }, `${name} byte ${i}`);
      else t.equal(result.ok, false, `${name} byte ${i}`);
    }
  }
  const encoded = encodeAdvertOrThrow(V3_IPV4, v4);
  t.same(decodeAdvert(encoded, { ...rx4, sourceAddress: ip('192.0.2.9') }), { ok: false, reason: 'checksum-error' }, 'pseudo-header binds the source');
});

t.test('encode refuses what cannot be sent, with a reason; OrThrow throws a typed error', async (t) => {
  const bad: Array<[string, VrrpV2Advert | VrrpV3Advert, typeof v4 | typeof v6]> = [
    ['vrid 0', { ...V3_IPV4, vrid: 0 }, v4],
    ['vrid 256', { ...V3_IPV4, vrid: 256 }, v4],
    ['priority 256', { ...V3_IPV4, priority: 256 }, v4],
    ['interval 0 cs', { ...V3_IPV4, maxAdverIntCs: 0 }, v4],
    ['interval 4096 cs', { ...V3_IPV4, maxAdverIntCs: 4096 }, v4],
    ['v2 interval 0', { ...V2_PASS, adverIntS: 0 }, v4],
    ['v2 over IPv6', { ...V2_PASS, addresses: ['2001:db8::1'] }, v6],
    ['AH', { ...V2_PASS, authType: 2 }, v4],
    ['unknown auth', { ...V2_PASS, authType: 7 }, v4],
    ['long auth data', { ...V2_PASS, authData: new Uint8Array(9) }, v4],
    ['wrong family address', { ...V3_IPV4, addresses: ['2001:db8::1'] }, v4],
    ['bad address', { ...V3_IPV4, addresses: ['192.0.2.300'] }, v4],
    ['ctx family mismatch', V3_IPV4, { ...v4, sourceAddress: SRC6 }],
    ['256 addresses', { ...V3_IPV4, addresses: new Array(256).fill('192.0.2.1') }, v4],
  ];
  for (const [name, advert, ctx] of bad) {
    const result = encodeAdvert(advert, ctx);
    t.equal(result.ok, false, name);
    t.type(validateAdvert(advert, ctx), 'string', name);
    t.throws(() => encodeAdvertOrThrow(advert, ctx), { code: 'ERR_FLOATIP_VRRP_ENCODE' }, name);
  }
});

t.test('RFC 5798 §5.2.7 reserved bits are ignored on reception', async (t) => {
  const encoded = encodeAdvertOrThrow(V3_IPV4, { ...v4, checksumForm: 'v2-style' });
  const withRsvd = encoded.slice();
  withRsvd[4] |= 0xf0;
  withRsvd[6] = 0;
  withRsvd[7] = 0;
  const sum = internetChecksum(withRsvd);
  withRsvd[6] = sum >> 8;
  withRsvd[7] = sum & 0xff;
  const decoded = decodeAdvert(withRsvd, rx4);
  t.ok(decoded.ok);
  if (decoded.ok && decoded.advert.version === 3) t.equal(decoded.advert.maxAdverIntCs, 50);
});

t.test('keepalived auth_pass: first 8 bytes, zero padded', async (t) => {
  t.equal(toHex(authDataFromPassword('1234')), '3132333400000000');
  t.equal(toHex(authDataFromPassword('123456789')), '3132333435363738');
  t.equal(toHex(authDataFromPassword('')), '0000000000000000');
  t.equal(toHex(authDataFromPassword('é')), 'c3a9000000000000');
});

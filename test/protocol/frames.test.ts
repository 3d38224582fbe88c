import t from 'tap';
import { buildGratuitousArp } from '../../src/protocol/garp.js';
import { formatMac, ipv6MulticastMac, parseMac, virtualMac } from '../../src/protocol/mac-address.js';
import { buildUnsolicitedNeighbourAdvert } from '../../src/protocol/neighbour-advert.js';
import { bytes, capturedFrame, ip, referenceChecksum, toHex, u16 } from './helpers.js';

const IF_MAC = parseMac('02:00:00:00:0a:01') ?? new Uint8Array(6);

t.test('RFC 9568 §7.3 virtual router MAC 00-00-5E-00-01-{VRID} / 00-00-5E-00-02-{VRID}', async (t) => {
  t.equal(formatMac(virtualMac(54, 'ipv4') ?? new Uint8Array()), '00:00:5e:00:01:36');
  t.equal(formatMac(virtualMac(1, 'ipv6') ?? new Uint8Array()), '00:00:5e:00:02:01');
  t.equal(formatMac(virtualMac(255, 'ipv4') ?? new Uint8Array()), '00:00:5e:00:01:ff');
  t.equal(virtualMac(0, 'ipv4'), null);
  t.equal(virtualMac(256, 'ipv6'), null);
  t.equal(parseMac('00-00-5E-00-01-36')?.[5], 0x36);
  t.equal(parseMac('00:00:5e:00:01'), null);
  t.equal(parseMac('zz:00:5e:00:01:36'), null);
  t.equal(formatMac(ipv6MulticastMac(ip('ff02::1'))), '33:33:00:00:00:01', 'RFC 2464 §7');
});

/** RFC 826 request for `vip`, built by hand as keepalived sends it. */
function handGarp(mac: Uint8Array, vip: Uint8Array, opcode = 1): Uint8Array {
  return bytes(
    'ff ff ff ff ff ff', mac, u16(0x0806), // Ethernet: broadcast, sender, ARP
    u16(1), u16(0x0800), 6, 4, u16(opcode), // Ethernet/IPv4, opcode
    mac, vip, // sender hardware / protocol address
    'ff ff ff ff ff ff', vip, // target hardware (keepalived: broadcast) / protocol address = VIP
  );
}

t.test('RFC 5798 §6.4.1 gratuitous ARP: request, sender = target = VIP, as keepalived 2.2.7 sends', async (t) => {
  const frame = buildGratuitousArp({ vip: ip('192.0.2.100'), senderMac: IF_MAC });
  t.equal(toHex(frame ?? new Uint8Array()), toHex(handGarp(IF_MAC, ip('192.0.2.100'))));
  t.equal(toHex(frame ?? new Uint8Array()), toHex(capturedFrame('v2-garp-192.0.2.100')), 'byte-identical to the capture');
});

t.test('RFC 5798 §7.3 gratuitous ARP from the virtual router MAC (use_vmac)', async (t) => {
  const vmac = virtualMac(54, 'ipv4') ?? new Uint8Array();
  const frame = buildGratuitousArp({ vip: ip('192.0.2.120'), senderMac: vmac });
  t.equal(toHex(frame ?? new Uint8Array()), toHex(capturedFrame('v3-vmac-garp')));
});

t.test('gratuitous ARP reply form and bad inputs', async (t) => {
  const reply = buildGratuitousArp({ vip: ip('192.0.2.100'), senderMac: IF_MAC, opcode: 'reply' });
  t.equal(toHex(reply ?? new Uint8Array()), toHex(handGarp(IF_MAC, ip('192.0.2.100'), 2)));
  t.equal(buildGratuitousArp({ vip: ip('2001:db8::1'), senderMac: IF_MAC }), null);
  t.equal(buildGratuitousArp({ vip: ip('192.0.2.1'), senderMac: bytes(1, 2, 3) }), null);
});

/** RFC 4861 §4.4 NA in RFC 8200 IPv6 in Ethernet, by hand; checksum computed independently. */
function handNa(mac: Uint8Array, source: Uint8Array, target: Uint8Array, flags: number): Uint8Array {
  const icmp = (checksum: number) => bytes(136, 0, u16(checksum), flags, 0, 0, 0, target, 2, 1, mac);
  const pseudo = bytes(source, ip('ff02::1'), 0, 0, u16(32), 0, 0, 0, 58);
  return bytes(
    '33 33 00 00 00 01', mac, u16(0x86dd),
    '60 00 00 00', u16(32), 58, 255, source, ip('ff02::1'),
    icmp(referenceChecksum(pseudo, icmp(0))),
  );
}

t.test('RFC 4861 §7.2.6 unsolicited NA: Override set, Solicited clear, hop limit 255, to ff02::1, as keepalived 2.2.7 sends', async (t) => {
  const vip = ip('2001:db8::53');
  const frame = buildUnsolicitedNeighbourAdvert({ target: vip, senderMac: IF_MAC });
  t.equal(toHex(frame ?? new Uint8Array()), toHex(handNa(IF_MAC, vip, vip, 0x20)));
  t.equal(toHex(frame ?? new Uint8Array()), toHex(capturedFrame('v3-ipv6-neighbour-advert')), 'byte-identical to the capture');
});

t.test('RFC 5798 §6.4.1 NA with the Router flag, from a link-local source', async (t) => {
  const vip = ip('2001:db8::53');
  const ll = ip('fe80::ff:fe00:a01');
  const frame = buildUnsolicitedNeighbourAdvert({ target: vip, senderMac: IF_MAC, sourceAddress: ll, router: true });
  t.equal(toHex(frame ?? new Uint8Array()), toHex(handNa(IF_MAC, ll, vip, 0xa0)));
  t.equal(buildUnsolicitedNeighbourAdvert({ target: ip('192.0.2.1'), senderMac: IF_MAC }), null);
  t.equal(buildUnsolicitedNeighbourAdvert({ target: vip, senderMac: bytes(1) }), null);
});

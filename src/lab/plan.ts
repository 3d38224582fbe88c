// The lab's naming and address plan. Owns: how namespaces, interfaces and addresses are named, as
// pure functions of the run's prefix and a node's position. Must not: run commands or read state.
//
// Addresses come ONLY from documentation ranges (RFC 5737, RFC 3849):
//   LAN 0: 192.0.2.0/24 and 2001:db8::/64; LAN 1: 198.51.100.0/24 and 2001:db8:1::/64.
//   router k: .k (k = 1..99), client: .100, VIPs: .200-.254 (left free for the tests).
//   The IPv6 host part repeats the IPv4 host number's decimal digits: router 2 is 2001:db8::2,
//   the client 2001:db8::100 (easy to read side by side; still inside the /64).

/** Routers take .1-.99 so that they never collide with the client (.100) or the VIPs (.200+). */
export const MAX_ROUTERS = 99;
export const CLIENT_HOST = 100;
export const FIRST_VIP_HOST = 200;
export const LAST_VIP_HOST = 254;
/** Linux IFNAMSIZ is 16 bytes including the terminating NUL. */
export const IFNAMSIZ_MAX_CHARS = 15;

export interface LanPlan {
  /** 0 for the main LAN, 1 for the optional second LAN. */
  readonly index: number;
  /** The bridge's name inside the switch namespace. */
  readonly bridge: string;
  /** The interface's name inside every router/client namespace attached to this LAN. */
  readonly ifname: string;
  readonly ipv4Subnet: string;
  readonly ipv4PrefixLength: 24;
  readonly ipv6Subnet: string;
  readonly ipv6PrefixLength: 64;
  /** "192.0.2" — the first three octets. */
  readonly ipv4Net: string;
  /** "2001:db8::" — the /64 with an empty host part. */
  readonly ipv6Net: string;
}

export const LANS: readonly LanPlan[] = [
  {
    index: 0,
    bridge: 'br0',
    ifname: 'eth0',
    ipv4Subnet: '192.0.2.0/24',
    ipv4PrefixLength: 24,
    ipv6Subnet: '2001:db8::/64',
    ipv6PrefixLength: 64,
    ipv4Net: '192.0.2',
    ipv6Net: '2001:db8::',
  },
  {
    index: 1,
    bridge: 'br1',
    ifname: 'eth1',
    ipv4Subnet: '198.51.100.0/24',
    ipv4PrefixLength: 24,
    ipv6Subnet: '2001:db8:1::/64',
    ipv6PrefixLength: 64,
    ipv4Net: '198.51.100',
    ipv6Net: '2001:db8:1::',
  },
];

/** "fip-<pid>-<random>-": every namespace of one lab starts with it; unique per run and per lab. */
export function labPrefix(pid: number, random: string): string {
  if (!/^[0-9a-f]{1,8}$/.test(random)) throw new RangeError(`lab prefix random part must be 1-8 hex digits, got ${JSON.stringify(random)}`);
  return `fip-${pid}-${random}-`;
}

/** Node keys: "r1".."rN" for routers, "c" for the client, "sw" for the switch. */
export function routerKey(routerNumber: number): string {
  return `r${routerNumber}`;
}
export const CLIENT_KEY = 'c';
export const SWITCH_KEY = 'sw';

export function namespaceName(prefix: string, key: string): string {
  return `${prefix}${key}`;
}

/** The switch-side veth end of a node on a LAN, e.g. "r2-0" (inside the switch namespace). */
export function switchPortName(key: string, lanIndex: number): string {
  const name = `${key}-${lanIndex}`;
  if (name.length > IFNAMSIZ_MAX_CHARS) throw new RangeError(`interface name ${name} exceeds IFNAMSIZ`);
  return name;
}

export function hostIpv4(lan: LanPlan, host: number): string {
  checkHost(host);
  return `${lan.ipv4Net}.${host}`;
}

export function hostIpv6(lan: LanPlan, host: number): string {
  checkHost(host);
  return `${lan.ipv6Net}${host}`;
}

/** The i-th free VIP of a LAN (i = 0 → .200 / ::200), for tests to assign to VRRP instances. */
export function vipIpv4(lan: LanPlan, i: number): string {
  return hostIpv4(lan, vipHost(i));
}
export function vipIpv6(lan: LanPlan, i: number): string {
  return hostIpv6(lan, vipHost(i));
}

function vipHost(i: number): number {
  const host = FIRST_VIP_HOST + i;
  if (!Number.isInteger(i) || i < 0 || host > LAST_VIP_HOST) {
    throw new RangeError(`VIP index must be 0..${LAST_VIP_HOST - FIRST_VIP_HOST}, got ${i}`);
  }
  return host;
}

function checkHost(host: number): void {
  if (!Number.isInteger(host) || host < 1 || host > 254) throw new RangeError(`host number must be 1..254, got ${host}`);
}

// The shapes that describe a lab: options in, a description of every namespace, interface and
// address out. Types only.

export interface LabOptions {
  /** Number of router namespaces (1..99, default 2): r1, r2, ... */
  routers?: number;
  /** A client namespace "c" on LAN 0 (default true). */
  client?: boolean;
  /** IPv6 addresses (2001:db8::/64) with DAD off (default true). False disables IPv6 in the lab. */
  ipv6?: boolean;
  /** 1 (default) or 2: a second bridge/LAN (198.51.100.0/24, eth1) that every router joins. */
  lans?: 1 | 2;
  /** destroy(): how long lab processes get between SIGTERM and SIGKILL (default 2000 ms). */
  killGraceMs?: number;
  /** Timeout of each setup command (default 10 000 ms). */
  commandTimeoutMs?: number;
  /** Bound on waiting for links, bridge ports and addresses to be usable (default 5000 ms). */
  readyTimeoutMs?: number;
}

export type LinkSide = 'node' | 'switch' | 'both';

export interface LinkOptions {
  /** Which LAN's link (default 0). */
  lan?: number;
  /**
   * 'node' (default): the interface inside the router's namespace (admin down: the router's own
   * link events). 'switch': the veth end on the bridge (the router sees carrier loss, like a
   * pulled cable). 'both'.
   */
  side?: LinkSide;
}

/** One node's attachment to one LAN: a veth pair from its namespace to the switch's bridge. */
export interface LabLink {
  readonly lan: number;
  /** Bridge name inside the switch namespace ("br0"). */
  readonly bridge: string;
  /** Interface name inside the node's namespace ("eth0"; the same in every node). */
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: string;
  readonly ipv4: string;
  readonly ipv4PrefixLength: number;
  /** Global IPv6 address, or null when the lab has no IPv6. */
  readonly ipv6: string | null;
  readonly ipv6PrefixLength: number;
  /** The kernel's fe80:: address on the interface, or null without IPv6. */
  readonly linkLocal6: string | null;
  /** The veth end in the switch namespace ("r1-0") and its ifindex there. */
  readonly switchPort: string;
  readonly switchPortIfindex: number;
}

export interface LabNode {
  /** "r1".."rN" or "c": accepted wherever a namespace is expected. */
  readonly key: string;
  readonly role: 'router' | 'client';
  /** The namespace's full name: "<prefix><key>". */
  readonly ns: string;
  /** Host number in every LAN: routers 1..N, client 100. */
  readonly host: number;
  /** links[lan]; the client has LAN 0 only. */
  readonly links: readonly LabLink[];
  /** Shortcuts for links[0]. */
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: string;
  readonly ipv4: string;
  readonly ipv6: string | null;
  readonly linkLocal6: string | null;
}

export interface LabLan {
  readonly index: number;
  readonly bridge: string;
  readonly ifname: string;
  readonly ipv4Subnet: string;
  readonly ipv6Subnet: string | null;
}

/** One address from `ip -j addr`. */
export interface LabAddress {
  readonly ifname: string;
  readonly ifindex: number;
  readonly mac: string | null;
  readonly operstate: string;
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefixLength: number;
  readonly scope: string;
  readonly tentative: boolean;
  readonly label: string | null;
}

// Building a lab's topology in the kernel. Owns: the plan of nodes for given options, the ip(8)
// commands that create namespaces, the switch bridge(s) and veth pairs, the readiness wait, and
// reading back what the kernel assigned (ifindexes, MACs, link-local addresses).
// Must not: delete anything (teardown is the Lab's job) or touch the root namespace: every
// interface is created inside a lab namespace (`ip -n`), the veth peer directly in its node's.

import { command, type CommandOptions } from './command.js';
import { LabError } from './errors.js';
import { parseAddresses, parseLinks } from './ip-json.js';
import {
  CLIENT_HOST,
  CLIENT_KEY,
  LANS,
  MAX_ROUTERS,
  SWITCH_KEY,
  hostIpv4,
  hostIpv6,
  namespaceName,
  routerKey,
  switchPortName,
  type LanPlan,
} from './plan.js';
import type { LabLink, LabNode, LabOptions } from './types.js';
import { waitFor } from './wait-for.js';

export interface NodePlan {
  readonly key: string;
  readonly role: 'router' | 'client';
  readonly ns: string;
  readonly host: number;
  readonly lans: readonly LanPlan[];
}

export interface TopologyPlan {
  readonly prefix: string;
  readonly switchNs: string;
  readonly lans: readonly LanPlan[];
  readonly nodes: readonly NodePlan[];
  readonly ipv6: boolean;
}

export interface ResolvedOptions {
  routers: number;
  client: boolean;
  ipv6: boolean;
  lans: 1 | 2;
  killGraceMs: number;
  commandTimeoutMs: number;
  readyTimeoutMs: number;
}

export function resolveOptions(options: LabOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    routers: options.routers ?? 2,
    client: options.client ?? true,
    ipv6: options.ipv6 ?? true,
    lans: options.lans ?? 1,
    killGraceMs: options.killGraceMs ?? 2_000,
    commandTimeoutMs: options.commandTimeoutMs ?? 10_000,
    readyTimeoutMs: options.readyTimeoutMs ?? 5_000,
  };
  if (!Number.isInteger(resolved.routers) || resolved.routers < 1 || resolved.routers > MAX_ROUTERS) {
    throw new LabError(`lab option routers must be an integer 1..${MAX_ROUTERS}, got ${String(options.routers)}`);
  }
  if (resolved.lans !== 1 && resolved.lans !== 2) {
    throw new LabError(`lab option lans must be 1 or 2, got ${String(options.lans)}`);
  }
  for (const key of ['killGraceMs', 'commandTimeoutMs', 'readyTimeoutMs'] as const) {
    const v = resolved[key];
    if (!Number.isFinite(v) || v < 0 || v > 600_000) throw new LabError(`lab option ${key} must be 0..600000 ms, got ${String(v)}`);
  }
  return resolved;
}

export function planTopology(prefix: string, options: ResolvedOptions): TopologyPlan {
  const lans = LANS.slice(0, options.lans);
  const nodes: NodePlan[] = [];
  for (let r = 1; r <= options.routers; r++) {
    nodes.push({ key: routerKey(r), role: 'router', ns: namespaceName(prefix, routerKey(r)), host: r, lans });
  }
  if (options.client) {
    nodes.push({ key: CLIENT_KEY, role: 'client', ns: namespaceName(prefix, CLIENT_KEY), host: CLIENT_HOST, lans: lans.slice(0, 1) });
  }
  return { prefix, switchNs: namespaceName(prefix, SWITCH_KEY), lans, nodes, ipv6: options.ipv6 };
}

type Ip = (ns: string, args: readonly string[]) => Promise<string>;

/** What the Lab learns about each namespace while it is being created. */
export interface NamespaceTracker {
  /** `ip netns add ns` is about to run (the name was checked to be free just before). */
  creating(ns: string): void;
  /** It succeeded: the namespace is ours. */
  created(ns: string): void;
  /** It failed (e.g. the name exists): the namespace, if any, is NOT ours. */
  failed(ns: string): void;
}

/**
 * Creates the namespaces (reporting each one to `tracker`, so a failure further on, or a signal
 * arriving meanwhile, deletes exactly those), then the bridges, veths and addresses; waits until every
 * link is up, every bridge port forwards and no address is tentative; returns the nodes as the
 * kernel made them.
 */
export async function buildTopology(
  plan: TopologyPlan,
  options: ResolvedOptions,
  tracker: NamespaceTracker,
): Promise<LabNode[]> {
  const commandOptions = (ns: string): CommandOptions => ({ ns, timeoutMs: options.commandTimeoutMs });
  const ip: Ip = async (ns, args) => (await command(['ip', '-n', ns, ...args], commandOptions(ns))).stdout;
  const sysctl = (ns: string, settings: readonly string[]): Promise<unknown> =>
    command(['ip', 'netns', 'exec', ns, 'sysctl', '-q', '-w', ...settings], commandOptions(ns));

  // Sequential: `ip netns add` mounts under /run/netns, and we record each name as soon as it is ours.
  for (const ns of [plan.switchNs, ...plan.nodes.map((n) => n.ns)]) {
    tracker.creating(ns);
    try {
      await command(['ip', 'netns', 'add', ns], commandOptions(ns));
    } catch (error) {
      tracker.failed(ns);
      throw error;
    }
    tracker.created(ns);
  }

  // Sysctls before any interface exists, so new interfaces inherit them from "default".
  // The switch only bridges frames: no IPv6 of its own (no RS, MLD or DAD noise on the LAN).
  await Promise.all([
    sysctl(plan.switchNs, ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']),
    ...plan.nodes.map((node) => sysctl(node.ns, nodeSysctls(plan.ipv6))),
  ]);
  await Promise.all([plan.switchNs, ...plan.nodes.map((n) => n.ns)].map((ns) => ip(ns, ['link', 'set', 'lo', 'up'])));

  for (const lan of plan.lans) {
    // STP off: ports forward at once. Snooping off: every multicast (VRRP 224.0.0.18, ff02::12)
    // is flooded to every port whatever MLD/IGMP state the bridge has seen.
    await ip(plan.switchNs, ['link', 'add', lan.bridge, 'type', 'bridge', 'stp_state', '0', 'mcast_snooping', '0']);
    await ip(plan.switchNs, ['link', 'set', lan.bridge, 'up']);
  }

  await Promise.all(plan.nodes.map((node) => attachNode(ip, plan, node)));
  await waitReady(ip, plan, options.readyTimeoutMs);
  return Promise.all(plan.nodes.map((node) => describeNode(ip, plan, node)));
}

function nodeSysctls(ipv6: boolean): string[] {
  const settings = [
    `net.ipv6.conf.all.disable_ipv6=${ipv6 ? 0 : 1}`,
    `net.ipv6.conf.default.disable_ipv6=${ipv6 ? 0 : 1}`,
  ];
  if (ipv6) {
    // DAD off: addresses (and fe80::) are usable the moment they are added; the lab's plan
    // guarantees uniqueness. RA off: nothing but the plan configures addresses.
    settings.push(
      'net.ipv6.conf.all.accept_dad=0',
      'net.ipv6.conf.default.accept_dad=0',
      'net.ipv6.conf.all.accept_ra=0',
      'net.ipv6.conf.default.accept_ra=0',
    );
  }
  return settings;
}

async function attachNode(ip: Ip, plan: TopologyPlan, node: NodePlan): Promise<void> {
  for (const lan of node.lans) {
    const port = switchPortName(node.key, lan.index);
    // The peer is created directly inside the node's namespace: nothing ever sits in the root one.
    await ip(plan.switchNs, ['link', 'add', port, 'type', 'veth', 'peer', 'name', lan.ifname, 'netns', node.ns]);
    await ip(plan.switchNs, ['link', 'set', port, 'master', lan.bridge]);
    await ip(plan.switchNs, ['link', 'set', port, 'up']);
    await ip(node.ns, ['addr', 'add', `${hostIpv4(lan, node.host)}/${lan.ipv4PrefixLength}`, 'dev', lan.ifname]);
    if (plan.ipv6) {
      await ip(node.ns, ['addr', 'add', `${hostIpv6(lan, node.host)}/${lan.ipv6PrefixLength}`, 'dev', lan.ifname, 'nodad']);
    }
    await ip(node.ns, ['link', 'set', lan.ifname, 'up']);
  }
}

async function waitReady(ip: Ip, plan: TopologyPlan, timeoutMs: number): Promise<void> {
  const portsForward = async (): Promise<boolean> => {
    const out = await command(['bridge', '-n', plan.switchNs, '-j', 'link', 'show']);
    const ports = JSON.parse(out.stdout === '' ? '[]' : out.stdout) as Array<{ state?: string }>;
    const expected = plan.nodes.reduce((sum, n) => sum + n.lans.length, 0);
    return ports.length === expected && ports.every((p) => p.state === 'forwarding');
  };
  const nodeReady = async (node: NodePlan): Promise<boolean> => {
    const addresses = parseAddresses(await ip(node.ns, ['-j', 'addr', 'show']));
    return node.lans.every((lan) => {
      const mine = addresses.filter((a) => a.ifname === lan.ifname);
      const up = mine.length > 0 && mine[0].operstate === 'UP';
      const linkLocal = !plan.ipv6 || mine.some((a) => a.family === 6 && a.scope === 'link');
      return up && linkLocal && mine.every((a) => !a.tentative);
    });
  };
  await waitFor(
    async () => (await portsForward()) && (await Promise.all(plan.nodes.map(nodeReady))).every(Boolean),
    { timeoutMs, intervalMs: 20, what: `lab ${plan.prefix}* links up, bridge ports forwarding, no tentative address` },
  );
}

/**
 * Waits until one node's link on one LAN carries traffic again: its interface is UP (carrier) and
 * its switch port forwards. Used after setLinkUp, where the kernel reports "up" before the bridge
 * port is back to forwarding. Returns at once when either end is still administratively down
 * (the other end was set down separately): that link is not meant to carry traffic.
 */
export async function waitLinkReady(
  plan: TopologyPlan,
  options: ResolvedOptions,
  link: { ns: string; ifname: string; switchPort: string },
): Promise<void> {
  const run = async (argv: string[], ns: string): Promise<string> =>
    (await command(argv, { ns, timeoutMs: options.commandTimeoutMs })).stdout;
  const ready = async (): Promise<boolean> => {
    const port = JSON.parse(
      (await run(['bridge', '-n', plan.switchNs, '-j', 'link', 'show', 'dev', link.switchPort], plan.switchNs)) || '[]',
    ) as Array<{ state?: string; flags?: string[] }>;
    const iface = JSON.parse(await run(['ip', '-n', link.ns, '-j', 'link', 'show', 'dev', link.ifname], link.ns)) as Array<{
      operstate?: string;
      flags?: string[];
    }>;
    const adminUp = (port[0]?.flags ?? []).includes('UP') && (iface[0]?.flags ?? []).includes('UP');
    return !adminUp || (port[0]?.state === 'forwarding' && iface[0]?.operstate === 'UP');
  };
  await waitFor(ready, {
    timeoutMs: options.readyTimeoutMs,
    intervalMs: 20,
    what: `${link.ns} ${link.ifname} up and switch port ${link.switchPort} forwarding`,
  });
}

async function describeNode(ip: Ip, plan: TopologyPlan, node: NodePlan): Promise<LabNode> {
  const links = parseLinks(await ip(node.ns, ['-j', 'link', 'show']));
  const addresses = parseAddresses(await ip(node.ns, ['-j', 'addr', 'show']));
  const switchLinks = parseLinks(await ip(plan.switchNs, ['-j', 'link', 'show']));
  const described: LabLink[] = node.lans.map((lan) => {
    const link = links.find((l) => l.ifname === lan.ifname);
    const port = switchLinks.find((l) => l.ifname === switchPortName(node.key, lan.index));
    if (link === undefined || port === undefined || link.mac === null) {
      throw new LabError(`lab ${node.ns}: ${lan.ifname} or its switch port vanished during setup`);
    }
    const linkLocal = addresses.find((a) => a.ifname === lan.ifname && a.family === 6 && a.scope === 'link');
    return {
      lan: lan.index,
      bridge: lan.bridge,
      ifname: lan.ifname,
      ifindex: link.ifindex,
      mac: link.mac,
      ipv4: hostIpv4(lan, node.host),
      ipv4PrefixLength: lan.ipv4PrefixLength,
      ipv6: plan.ipv6 ? hostIpv6(lan, node.host) : null,
      ipv6PrefixLength: lan.ipv6PrefixLength,
      linkLocal6: linkLocal?.address ?? null,
      switchPort: port.ifname,
      switchPortIfindex: port.ifindex,
    };
  });
  const first = described[0];
  return {
    key: node.key,
    role: node.role,
    ns: node.ns,
    host: node.host,
    links: described,
    ifname: first.ifname,
    ifindex: first.ifindex,
    mac: first.mac,
    ipv4: first.ipv4,
    ipv6: first.ipv6,
    linkLocal6: first.linkLocal6,
  };
}

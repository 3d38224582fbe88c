// The Lab: a set of network namespaces on a bridge that this process created, and the processes it
// started in them. Owns: ownership checks (every method refuses a namespace or process that is not
// this lab's), running commands and processes inside the lab, link up/down, and the idempotent
// teardown. Must not: touch a namespace, interface or process it did not create, or end anything
// by name.

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { command, commandSync, inNamespace, type CommandResult } from './command.js';
import { LabError } from './errors.js';
import { parseAddresses } from './ip-json.js';
import { labPrefix, vipIpv4, vipIpv6, type LanPlan } from './plan.js';
import { ProcessTracker, type KillOptions, type LabSpawnOptions } from './processes.js';
import { registerLab, unregisterLab, type LiveLab } from './registry.js';
import { buildTopology, planTopology, resolveOptions, waitLinkReady, type ResolvedOptions, type TopologyPlan } from './topology.js';
import type { LabAddress, LabLan, LabNode, LabOptions, LinkOptions } from './types.js';

/** A namespace of this lab: its full name, a node key ("r1", "c", "sw") or a node. */
export type NsRef = string | LabNode;

export interface ExecOptions {
  timeoutMs?: number;
}

const MAX_PREFIX_ATTEMPTS = 8;

/** Builds a lab (see LabOptions); on any failure deletes whatever it had created, then throws. */
export async function createLab(options: LabOptions = {}): Promise<Lab> {
  const resolved = resolveOptions(options);
  const prefix = freshPrefix();
  const lab = new Lab(planTopology(prefix, resolved), resolved);
  await lab.build();
  return lab;
}

/** A prefix no existing namespace starts with (the random part makes a clash very unlikely). */
function freshPrefix(): string {
  const existing = listNamespaces();
  for (let i = 0; i < MAX_PREFIX_ATTEMPTS; i++) {
    const prefix = labPrefix(process.pid, randomBytes(2).toString('hex'));
    if (!existing.some((ns) => ns.startsWith(prefix))) return prefix;
  }
  throw new LabError(`no free lab prefix for pid ${process.pid} after ${MAX_PREFIX_ATTEMPTS} attempts`);
}

/** Names from `ip netns list` (the whole system's: read-only). */
export function listNamespaces(): string[] {
  return commandSync(['ip', 'netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter((name) => name !== '');
}

export class Lab implements LiveLab {
  /** "fip-<pid>-<random>-": the start of every namespace name of this lab. */
  readonly prefix: string;
  readonly switchNs: string;
  readonly lans: readonly LabLan[];
  readonly ipv6: boolean;
  /** Filled by build(). */
  routers: readonly LabNode[] = [];
  client: LabNode | null = null;

  private readonly plan: TopologyPlan;
  private readonly options: ResolvedOptions;
  private readonly processes = new ProcessTracker();
  /** Namespaces this lab created and has not deleted yet (insertion order = creation order). */
  private readonly owned = new Set<string>();
  /**
   * Namespaces whose `ip netns add` is in flight. If a signal ends the process meanwhile, one that
   * exists by then is ours: its name carries our pid and a random part checked free just before.
   */
  private readonly pending = new Set<string>();
  private destroying: Promise<void> | null = null;
  private isDestroyed = false;

  constructor(plan: TopologyPlan, options: ResolvedOptions) {
    this.plan = plan;
    this.options = options;
    this.prefix = plan.prefix;
    this.switchNs = plan.switchNs;
    this.ipv6 = plan.ipv6;
    this.lans = plan.lans.map((lan) => ({
      index: lan.index,
      bridge: lan.bridge,
      ifname: lan.ifname,
      ipv4Subnet: lan.ipv4Subnet,
      ipv6Subnet: plan.ipv6 ? lan.ipv6Subnet : null,
    }));
  }

  /** @internal Called once by createLab(). */
  async build(): Promise<void> {
    registerLab(this); // before the first namespace exists: a crash from here on cleans up
    try {
      const nodes = await buildTopology(this.plan, this.options, {
        creating: (ns) => this.pending.add(ns),
        created: (ns) => {
          this.pending.delete(ns);
          this.owned.add(ns);
        },
        failed: (ns) => this.pending.delete(ns),
      });
      this.routers = nodes.filter((n) => n.role === 'router');
      this.client = nodes.find((n) => n.role === 'client') ?? null;
    } catch (error) {
      await this.destroy().catch(() => undefined);
      throw error;
    }
  }

  /** Routers then client. */
  get nodes(): readonly LabNode[] {
    return this.client === null ? this.routers : [...this.routers, this.client];
  }

  /** Every namespace name of this lab (switch first), whether or not it was destroyed since. */
  get namespaces(): readonly string[] {
    return [this.switchNs, ...this.plan.nodes.map((n) => n.ns)];
  }

  get destroyed(): boolean {
    return this.isDestroyed;
  }

  /** The node for "r1"/"c", a namespace name, or a node object of this lab. */
  node(ref: NsRef): LabNode {
    const key = typeof ref === 'string' ? ref : ref.ns;
    const node = this.nodes.find((n) => n.key === key || n.ns === key);
    if (node === undefined) throw new LabError(`${key} is not a router or client of lab ${this.prefix}*`);
    return node;
  }

  /** The i-th free VIP (i = 0 → .200) of a LAN. */
  vip4(i: number, lan = 0): string {
    return vipIpv4(this.lanPlan(lan), i);
  }
  vip6(i: number, lan = 0): string {
    return vipIpv6(this.lanPlan(lan), i);
  }

  /** Runs argv inside one of this lab's namespaces and returns its stdout; throws LabError with stderr. */
  exec(ns: NsRef, argv: readonly string[], options: ExecOptions = {}): string {
    const name = this.resolveNs(ns);
    return commandSync(inNamespace(name, argv), { ns: name, timeoutMs: options.timeoutMs });
  }

  /** The same without blocking the event loop. */
  run(ns: NsRef, argv: readonly string[], options: ExecOptions = {}): Promise<CommandResult> {
    const name = this.resolveNs(ns);
    return command(inNamespace(name, argv), { ns: name, timeoutMs: options.timeoutMs });
  }

  /**
   * Starts a long-running process inside a namespace (stdio 'ignore' unless given). The lab tracks
   * it by pid and ends it (with the process group it leads) on destroy().
   */
  spawn(ns: NsRef, argv: readonly string[], options: LabSpawnOptions = {}): ChildProcess {
    const name = this.resolveNs(ns);
    return this.processes.spawn(inNamespace(name, argv), options);
  }

  /** Signals a process this lab spawned (only those). False if it has already exited. */
  kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', options: KillOptions = {}): boolean {
    return this.processes.kill(child, signal, options);
  }

  /** Waits (bounded) for a spawned process to exit; false on timeout. */
  waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
    return this.processes.waitExit(child, timeoutMs);
  }

  /** Number of spawned processes still running. */
  get runningProcesses(): number {
    return this.processes.count;
  }

  async setLinkDown(node: NsRef, options: LinkOptions = {}): Promise<void> {
    await this.setLink(node, 'down', options);
  }

  async setLinkUp(node: NsRef, options: LinkOptions = {}): Promise<void> {
    await this.setLink(node, 'up', options);
  }

  /** Addresses in one of this lab's namespaces, from `ip -j addr show [dev ifname]`. */
  async addresses(ns: NsRef, ifname?: string): Promise<LabAddress[]> {
    const name = this.resolveNs(ns);
    const argv = ['ip', '-n', name, '-j', 'addr', 'show', ...(ifname === undefined ? [] : ['dev', ifname])];
    return parseAddresses((await command(argv, { ns: name })).stdout);
  }

  /**
   * Ends this lab's processes (SIGTERM, then SIGKILL after killGraceMs), then deletes the
   * namespaces it created (which deletes their veths and bridges). Idempotent: later calls return
   * the first call's promise. If a deletion fails the lab stays registered, so the exit hook retries.
   */
  destroy(): Promise<void> {
    this.destroying ??= this.teardown();
    return this.destroying;
  }

  /** The same, synchronously: for exit and signal hooks, where the event loop no longer runs. */
  destroySync(): void {
    if (this.isDestroyed) return;
    this.processes.terminateAllSync(Math.min(this.options.killGraceMs, 1_000));
    this.deleteNamespaces();
  }

  private async teardown(): Promise<void> {
    try {
      await this.processes.terminateAll(this.options.killGraceMs);
    } finally {
      this.deleteNamespaces();
    }
  }

  /** Deletes every namespace this lab still owns; throws once, after trying them all. */
  private deleteNamespaces(): void {
    const failures: string[] = [];
    // Nodes first, the switch last (the reverse of creation).
    for (const ns of [...this.owned, ...this.pending].reverse()) {
      try {
        // Deleted behind our back (an earlier hook, a human): nothing of ours left to delete.
        if (existsSync(`/run/netns/${ns}`)) commandSync(['ip', 'netns', 'del', ns], { ns });
        this.owned.delete(ns);
        this.pending.delete(ns);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    if (failures.length > 0) throw new LabError(`lab ${this.prefix}* teardown incomplete: ${failures.join('; ')}`);
    this.isDestroyed = true;
    unregisterLab(this);
  }

  private async setLink(ref: NsRef, state: 'up' | 'down', options: LinkOptions): Promise<void> {
    const node = this.node(ref);
    const link = node.links.find((l) => l.lan === (options.lan ?? 0));
    if (link === undefined) throw new LabError(`${node.key} has no link on LAN ${options.lan ?? 0}`);
    const side = options.side ?? 'node';
    this.assertLive();
    if (side === 'node' || side === 'both') {
      await command(['ip', '-n', node.ns, 'link', 'set', link.ifname, state], { ns: node.ns });
    }
    if (side === 'switch' || side === 'both') {
      await command(['ip', '-n', this.switchNs, 'link', 'set', link.switchPort, state], { ns: this.switchNs });
    }
    if (state === 'up') {
      await waitLinkReady(this.plan, this.options, { ns: node.ns, ifname: link.ifname, switchPort: link.switchPort });
    }
  }

  private resolveNs(ref: NsRef): string {
    this.assertLive();
    if (typeof ref !== 'string') return this.node(ref).ns;
    if (ref === 'sw' || ref === this.switchNs) return this.switchNs;
    return this.node(ref).ns;
  }

  private assertLive(): void {
    if (this.destroying !== null || this.isDestroyed) throw new LabError(`lab ${this.prefix}* is destroyed`);
  }

  private lanPlan(index: number): LanPlan {
    const lan = this.plan.lans.find((l) => l.index === index);
    if (lan === undefined) throw new LabError(`lab ${this.prefix}* has no LAN ${index}`);
    return lan;
  }
}

// A virtual-clock, lossless simulated LAN of VRRP cores. Each router has a host that executes
// effects (send-advert becomes a packet to every other live router after a fixed latency) and
// fires deadlines in time order. With `nativeSteady` the host emulates the native layer of
// docs/core.md: it repeats master adverts and backup resets itself and only tells the core what
// it did (steadyRepeated) before handing over anything new. Every loop is bounded.
import { addressBytes } from '../../src/core/address.js';
import { VrrpInstanceCore } from '../../src/core/instance.js';
import type { Effect, InstanceConfig, ReceivedAdvert, SteadyState, VrrpState } from '../../src/core/types.js';

export const LATENCY_US = 100;
const MAX_EVENTS = 2_000_000;

export interface Transition {
  atUs: number;
  router: string;
  from: VrrpState;
  to: VrrpState;
  reason: string;
}

interface Packet {
  atUs: number;
  seq: number;
  to: Host;
  advert: ReceivedAdvert;
}

class Host {
  core: VrrpInstanceCore | null = null;
  vipsHeld = false;
  steady: SteadyState = { kind: 'idle' };
  lastRepeatUs: number | null = null;
  nativeNextSendUs = Infinity;
  coreCalls = 0;
  constructor(
    readonly name: string,
    readonly config: InstanceConfig,
    readonly net: Network,
  ) {}

  get alive(): boolean {
    return this.core !== null;
  }

  /** When this host next needs to act (a core deadline or a native repetition). */
  dueUs(): number {
    const core = this.core;
    if (!core) return Infinity;
    if (!this.net.nativeSteady) return core.nextDeadlineUs();
    if (this.steady.kind === 'master') return this.nativeNextSendUs;
    if (this.steady.kind === 'backup-watching' && this.lastRepeatUs !== null) {
      return Math.max(core.nextDeadlineUs(), this.lastRepeatUs + this.steady.masterDownIntervalUs);
    }
    return core.nextDeadlineUs();
  }

  fire(nowUs: number): void {
    if (this.net.nativeSteady && this.steady.kind === 'master') {
      this.net.broadcast(this, nowUs, this.steady.advert.priority, this.steady.advert.adverIntCs);
      this.lastRepeatUs = nowUs;
      this.nativeNextSendUs += this.steady.intervalUs;
      return;
    }
    this.call(nowUs, (c) => c.timerExpired(nowUs));
  }

  receive(nowUs: number, advert: ReceivedAdvert): void {
    const s = this.steady;
    const identical =
      s.kind === 'backup-watching' &&
      advert.srcAddress === s.masterKey &&
      advert.priority === s.masterPriority &&
      advert.adverIntCs === s.masterAdverIntCs &&
      nowUs < s.untilUs;
    if (this.net.nativeSteady && identical) {
      this.lastRepeatUs = nowUs;
      return;
    }
    this.call(nowUs, (c) => c.advertReceived(nowUs, advert));
  }

  call(nowUs: number, input: (c: VrrpInstanceCore) => readonly Effect[]): void {
    const core = this.core;
    if (!core) return;
    if (this.lastRepeatUs !== null) core.steadyRepeated(nowUs, this.lastRepeatUs);
    this.coreCalls++;
    for (const e of input(core)) this.execute(nowUs, e);
    this.steady = core.steadyState();
    this.lastRepeatUs = null;
    this.nativeNextSendUs = this.steady.kind === 'master' ? this.steady.nextSendUs : Infinity;
  }

  execute(nowUs: number, e: Effect): void {
    if (e.type === 'add-vips') this.vipsHeld = true;
    else if (e.type === 'remove-vips') this.vipsHeld = false;
    else if (e.type === 'send-advert') this.net.broadcast(this, nowUs, e.priority, e.adverIntCs);
    else if (e.type === 'state-changed') {
      this.net.transitions.push({ atUs: nowUs, router: this.name, from: e.from, to: e.to, reason: e.reason });
    }
  }
}

export class Network {
  nowUs = 0;
  readonly hosts = new Map<string, Host>();
  readonly transitions: Transition[] = [];
  readonly sent: { atUs: number; router: string; priority: number }[] = [];
  #packets: Packet[] = [];
  #seq = 0;

  constructor(readonly nativeSteady = false) {}

  add(name: string, config: InstanceConfig): void {
    this.hosts.set(name, new Host(name, config, this));
  }

  host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no router ${name}`);
    return h;
  }

  start(name: string): void {
    const h = this.host(name);
    h.core = new VrrpInstanceCore(h.config);
    h.call(this.nowUs, (c) => c.start(this.nowUs));
  }

  /** SIGKILL: the process and its VIPs vanish (the kernel drops addresses of a dead netns). */
  crash(name: string): void {
    const h = this.host(name);
    h.core = null;
    h.vipsHeld = false;
    h.steady = { kind: 'idle' };
    h.lastRepeatUs = null;
  }

  input(name: string, fn: (c: VrrpInstanceCore, nowUs: number) => readonly Effect[]): void {
    this.host(name).call(this.nowUs, (c) => fn(c, this.nowUs));
  }

  broadcast(from: Host, nowUs: number, priority: number, adverIntCs: number): void {
    this.sent.push({ atUs: nowUs, router: from.name, priority });
    const src = from.config.primaryAddress;
    const bytes = addressBytes(src);
    if (!bytes) throw new Error(`bad address ${src}`);
    for (const to of this.hosts.values()) {
      if (to === from || !to.alive) continue;
      const advert = { srcAddress: src, srcAddressBytes: bytes, priority, adverIntCs };
      this.#packets.push({ atUs: nowUs + LATENCY_US, seq: this.#seq++, to, advert });
    }
  }

  /** Process every event up to and including endUs, in time order (deadlines before packets). */
  runUntil(endUs: number): void {
    for (let i = 0; i < MAX_EVENTS; i++) {
      const timer = this.#nextTimer();
      const packet = this.#nextPacket();
      const tAt = timer ? timer.atUs : Infinity;
      const pAt = packet ? packet.atUs : Infinity;
      const at = Math.min(tAt, pAt);
      if (at > endUs) {
        this.nowUs = endUs;
        return;
      }
      this.nowUs = at;
      if (timer && tAt <= pAt) timer.host.fire(at);
      else if (packet) {
        this.#packets.splice(this.#packets.indexOf(packet), 1);
        packet.to.receive(at, packet.advert);
      }
    }
    throw new Error('simulation exceeded its event budget');
  }

  #nextTimer(): { atUs: number; host: Host } | null {
    let best: { atUs: number; host: Host } | null = null;
    for (const host of this.hosts.values()) {
      const atUs = host.dueUs();
      if (atUs < (best?.atUs ?? Infinity)) best = { atUs, host };
    }
    return best;
  }

  #nextPacket(): Packet | null {
    let best: Packet | null = null;
    for (const p of this.#packets) {
      if (!best || p.atUs < best.atUs || (p.atUs === best.atUs && p.seq < best.seq)) best = p;
    }
    return best;
  }

  masters(): string[] {
    return [...this.hosts.values()].filter((h) => h.core?.state === 'MASTER').map((h) => h.name);
  }

  vipHolders(): string[] {
    return [...this.hosts.values()].filter((h) => h.vipsHeld).map((h) => h.name);
  }

  /** Samples [fromUs, toUs] every stepUs; returns the times at which masters !== 1 or VIPs !== 1. */
  badSamples(fromUs: number, toUs: number, stepUs: number): number[] {
    const bad: number[] = [];
    const steps = Math.min(100_000, Math.floor((toUs - fromUs) / stepUs));
    for (let i = 0; i <= steps; i++) {
      this.runUntil(fromUs + i * stepUs);
      if (this.masters().length !== 1 || this.vipHolders().length !== 1) bad.push(this.nowUs);
    }
    return bad;
  }
}

export function routerConfig(name: string, address: string, priority: number, extra: Partial<InstanceConfig> = {}): InstanceConfig {
  return {
    name,
    vrid: 51,
    version: 3,
    family: 'ipv4',
    basePriority: priority,
    adverIntervalCs: 100,
    preempt: true,
    preemptDelayUs: 0,
    initialState: 'BACKUP',
    primaryAddress: address,
    acceptMode: true,
    ...extra,
  };
}

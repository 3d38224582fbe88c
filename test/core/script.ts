// Golden-script runner for the core (etcd-io/raft testdata style). A script is lines of
// `config k=v ...` and `at <µs> <input> [k=v ...]`; after each input the runner prints the
// effects and the resulting state, indented, and the test compares the whole text with the file.
// `FLOATIP_REWRITE=1` rewrites the expected text (review the diff before committing it).
import { addressBytes } from '../../src/core/address.js';
import { VrrpInstanceCore } from '../../src/core/instance.js';
import type { Effect, InstanceConfig, SteadyState } from '../../src/core/types.js';

type Args = Map<string, string>;

function parseArgs(words: string[]): Args {
  const args: Args = new Map();
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq < 0) args.set(w, '');
    else args.set(w.slice(0, eq), w.slice(eq + 1));
  }
  return args;
}

function num(args: Args, key: string, dflt?: number): number {
  const v = args.get(key);
  if (v === undefined) {
    if (dflt === undefined) throw new Error(`missing ${key}=`);
    return dflt;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${key}=${v} is not a number`);
  return n;
}

function configFrom(args: Args): InstanceConfig {
  const version = num(args, 'version', 3) as 2 | 3;
  return {
    name: args.get('name') ?? 'VI_1',
    vrid: num(args, 'vrid', 51),
    version,
    family: 'ipv4',
    basePriority: num(args, 'prio', 100),
    adverIntervalCs: num(args, 'int', 100),
    preempt: args.get('preempt') !== 'no',
    preemptDelayUs: num(args, 'delay', 0),
    initialState: args.get('state') === 'MASTER' ? 'MASTER' : 'BACKUP',
    primaryAddress: args.get('addr') ?? '192.0.2.1',
    acceptMode: true,
    downTimerAdverts: num(args, 'dta', 3),
    lowerPrioNoAdvert: args.get('lpna') === 'yes',
    higherPrioSendAdvert: args.get('hpsa') === 'yes',
  };
}

export function formatEffect(e: Effect): string {
  switch (e.type) {
    case 'send-advert':
      return `send-advert prio=${e.priority} int=${e.adverIntCs}`;
    case 'send-garp':
      return `send-garp ${e.trigger}`;
    case 'state-changed':
      return `state-changed ${e.from}->${e.to} ${e.reason}`;
    case 'priority-changed':
      return `priority-changed ${e.from}->${e.to}`;
    default:
      return e.type;
  }
}

function fmtTime(us: number): string {
  return us === Infinity ? 'inf' : String(us);
}

export function formatSteady(s: SteadyState): string {
  if (s.kind === 'master') {
    return `master(prio=${s.advert.priority},int=${s.advert.adverIntCs},next=${fmtTime(s.nextSendUs)},every=${s.intervalUs})`;
  }
  if (s.kind === 'backup-watching') {
    return `watch(src=${s.masterKey},prio=${s.masterPriority},int=${s.masterAdverIntCs},down=${s.masterDownIntervalUs},until=${fmtTime(s.untilUs)})`;
  }
  return 'idle';
}

function runInput(core: VrrpInstanceCore, nowUs: number, verb: string, args: Args): readonly Effect[] {
  switch (verb) {
    case 'start':
      return core.start(nowUs);
    case 'expire':
      return core.timerExpired(nowUs);
    case 'shutdown':
      return core.shutdown(nowUs);
    case 'prio':
      return core.setEffectivePriority(nowUs, num(args, 'to'));
    case 'fault':
      return core.fault(nowUs, args.get('reason') ?? 'test');
    case 'clear':
      return core.faultCleared(nowUs);
    case 'vip-deleted':
      return core.vipDeleted(nowUs);
    case 'repeated':
      return core.steadyRepeated(nowUs, num(args, 'last'));
    case 'recv': {
      const src = args.get('src') ?? '';
      const bytes = addressBytes(src);
      if (!bytes) throw new Error(`bad src=${src}`);
      return core.advertReceived(nowUs, {
        srcAddress: src,
        srcAddressBytes: bytes,
        priority: num(args, 'prio'),
        adverIntCs: num(args, 'int', 100),
      });
    }
    default:
      throw new Error(`unknown input ${verb}`);
  }
}

/** Runs a script and returns its text with freshly computed expectations. */
export function runScript(text: string): string {
  const out: string[] = [];
  let core: VrrpInstanceCore | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('  ')) continue; // previous expectations: recomputed below
    out.push(line);
    const words = line.trim().split(/\s+/);
    if (words[0] === 'config') {
      core = new VrrpInstanceCore(configFrom(parseArgs(words.slice(1))));
      for (const note of core.config.adjustments) out.push(`  note: ${note}`);
    } else if (words[0] === 'at') {
      if (!core) throw new Error('`at` before `config`');
      const nowUs = Number(words[1]);
      const effects = runInput(core, nowUs, words[2], parseArgs(words.slice(3)));
      for (const e of effects) out.push(`  ${formatEffect(e)}`);
      out.push(`  -> ${core.state} deadline=${fmtTime(core.nextDeadlineUs())} steady=${formatSteady(core.steadyState())}`);
    }
  }
  return out.join('\n');
}

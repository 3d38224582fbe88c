// The lab's cleanup guarantees on a real kernel: destroy() removes exactly what the lab created,
// is idempotent, ends the lab's processes by pid (SIGTERM, then SIGKILL), and a process that dies
// any way — exception, rejection, exit(1), SIGINT, SIGTERM, normal end — leaves nothing behind.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { LabError, createLab, labPrefix, listNamespaces, waitFor } from '../../src/lab/index.js';
import { Lab } from '../../src/lab/lab.js';
import { planTopology, resolveOptions } from '../../src/lab/topology.js';
import { withLab } from '../helpers/lab.js';

const CHILD = fileURLToPath(new URL('./fixtures/lab-child.ts', import.meta.url));

/** True while pid runs (a zombie counts as ended). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

t.test('destroy removes every namespace it made, is idempotent, and spares a decoy', async (t) => {
  const decoy = `fip-${process.pid}-decoy`;
  const { execFileSync } = await import('node:child_process');
  execFileSync('ip', ['netns', 'add', decoy]);
  t.teardown(() => {
    if (listNamespaces().includes(decoy)) execFileSync('ip', ['netns', 'del', decoy]);
  });

  const lab = await createLab({ routers: 2, client: true });
  const other = await withLab(t, { routers: 1, client: false });
  t.not(lab.prefix, other.prefix, 'two labs of one process have different prefixes');
  t.ok(lab.namespaces.every((ns) => listNamespaces().includes(ns)));

  await lab.destroy();
  t.ok(lab.destroyed);
  const after = listNamespaces();
  t.same(after.filter((ns) => ns.startsWith(lab.prefix)), [], 'no namespace with the lab prefix is left');
  t.ok(after.includes(decoy), 'the decoy namespace is untouched');
  t.ok(other.namespaces.every((ns) => after.includes(ns)), 'another lab is untouched');
  await lab.destroy();
  lab.destroySync();
  t.pass('destroy() and destroySync() again are no-ops');
});

t.test('a failure half-way through building deletes what it made and nothing else', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const options = resolveOptions({ routers: 2, client: true });
  const plan = planTopology(labPrefix(process.pid, 'fa11'), options);
  // Someone else's namespace sits where the lab's last one (the client) would go.
  const squatter = plan.nodes[plan.nodes.length - 1].ns;
  execFileSync('ip', ['netns', 'add', squatter]);
  t.teardown(() => {
    if (listNamespaces().includes(squatter)) execFileSync('ip', ['netns', 'del', squatter]);
  });

  const lab = new Lab(plan, options);
  await t.rejects(lab.build(), LabError, 'ip netns add fails on the existing name');
  const after = listNamespaces();
  t.same(after.filter((ns) => ns.startsWith(plan.prefix) && ns !== squatter), [], 'sw, r1, r2 were deleted');
  t.ok(after.includes(squatter), 'the namespace it did not create is untouched');
  t.ok(lab.destroyed);
});

t.test('destroy ends a spawned process by pid with SIGTERM', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false });
  const sleeper = lab.spawn('r1', ['sleep', '300']);
  const pid = sleeper.pid ?? -1;
  t.ok(pid > 0);
  // `ip netns exec` enters the namespace and execs the program: same pid, no wrapper left.
  await waitFor(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep', {
    timeoutMs: 3000,
    intervalMs: 10,
    what: 'the tracked pid to be sleep itself',
  });
  t.pass('the tracked pid is the program itself');
  t.equal(lab.runningProcesses, 1);
  await lab.destroy();
  t.equal(sleeper.signalCode, 'SIGTERM');
  t.notOk(running(pid), 'sleep is gone');
  t.equal(lab.runningProcesses, 0);
});

t.test('destroy escalates to SIGKILL after the grace period', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, killGraceMs: 300 });
  // Ignores SIGTERM; its loop is bounded (60 s) in case everything else fails.
  const stubborn = lab.spawn('r1', ['sh', '-c', "trap '' TERM; for i in $(seq 600); do sleep 0.1; done"]);
  await waitFor(() => existsSync(`/proc/${stubborn.pid}`), { timeoutMs: 2000, what: 'sh to start' });
  await new Promise((r) => setTimeout(r, 100)); // let sh install its trap
  const started = Date.now();
  await lab.destroy();
  t.equal(stubborn.signalCode, 'SIGKILL');
  t.ok(Date.now() - started < 5000, 'bounded');
});

t.test('kill() signals only processes of this lab', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false });
  const other = await withLab(t, { routers: 1, client: false });
  const sleeper = other.spawn('r1', ['sleep', '300']);
  t.throws(() => lab.kill(sleeper, 'SIGTERM'), { code: 'ERR_FLOATIP_LAB', message: /not spawned by this lab/ });
  t.ok(other.kill(sleeper, 'SIGINT'));
  t.ok(await other.waitExit(sleeper, 3000));
  t.equal(sleeper.signalCode, 'SIGINT');
  t.equal(other.kill(sleeper, 'SIGTERM'), false, 'an exited process: nothing to do');
});

interface ChildReport {
  namespaces: string[];
  sleepPid: number;
}

const ENDINGS = [
  { mode: 'throw', signal: null, code: 1 },
  { mode: 'reject', signal: null, code: 1 },
  { mode: 'exit1', signal: null, code: 1 },
  { mode: 'ok', signal: null, code: 0 },
  { mode: 'wait', send: 'SIGINT', signal: 'SIGINT', code: null },
  { mode: 'wait', send: 'SIGTERM', signal: 'SIGTERM', code: null },
] as const;

for (const ending of ENDINGS) {
  const how = 'send' in ending ? `is sent ${ending.send}` : `ends by ${ending.mode}`;
  t.test(`a process that ${how} leaves no namespace and no process behind`, async (t) => {
    // Only tap's TypeScript loader: the child runs the lab's .ts sources like this test does.
    const tsLoader = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
    const child = spawn(process.execPath, [...tsLoader, CHILD, ending.mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.teardown(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));

    const report = (await waitFor(() => stdout.includes('\n') && (JSON.parse(stdout.split('\n')[0]) as ChildReport), {
      timeoutMs: 15_000,
      what: `the ${ending.mode} child to report its lab (stderr: ${stderr})`,
    })) as ChildReport;
    t.equal(report.namespaces.length, 4);
    t.ok(report.namespaces.every((ns) => ns.startsWith(`fip-${child.pid}-`)), 'named after the child pid');
    if ('send' in ending) {
      t.ok(report.namespaces.every((ns) => listNamespaces().includes(ns)), 'the lab is up before the signal');
      t.ok(running(report.sleepPid));
      child.kill(ending.send);
    }

    const [code, signal] = await exited;
    t.same({ code, signal }, { code: ending.code, signal: ending.signal }, `exit status (stderr: ${stderr.slice(0, 300)})`);
    const left = listNamespaces().filter((ns) => report.namespaces.includes(ns));
    t.same(left, [], 'no namespace left');
    await waitFor(() => !running(report.sleepPid), { timeoutMs: 3000, what: `sleep ${report.sleepPid} to end` });
    t.pass('the lab process (sleep) was ended');
  });
}

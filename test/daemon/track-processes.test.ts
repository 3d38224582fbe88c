// vrrp_track_process without a lab: keepalived's matching rules (comm, full_command, param_match),
// /proc/PID/stat parsing, the quorum with fork/terminate delays, and real processes: a `sleep`
// with a distinctive argv and a copy of sleep under a unique name, found in the real /proc,
// killed by pid.
import t, { type Test } from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '../../src/io/logger.js'
import { ProcessQuorum, TrackProcesses, matchesProcess, parseProcStat, scanProc, type ProcEntry } from '../../src/daemon/track-processes.js'
import { evaluateInstance, type CheckStatus, type TrackedProcessPlan, type TrackedValue } from '../../src/daemon/tracking-plan.js'
import { waitFor } from '../helpers/lab.js'

const silent = createLogger({ level: 'silent' })

function plan (process: string[], more: Partial<TrackedProcessPlan> = {}): TrackedProcessPlan {
  return { name: 'p', process, paramMatch: 'exact', paramMatchGiven: false, quorum: 1, quorumMax: Number.MAX_SAFE_INTEGER, forkDelayUs: 0, terminateDelayUs: 0, fullCommand: false, ...more }
}

function entry (comm: string, argv: string[] | null): ProcEntry {
  return { pid: 10, ppid: 1, comm, cmdline: argv === null ? null : Buffer.from(argv.map((a) => `${a}\0`).join('')) }
}

/** Spawns `file args` and ends it (by pid) at teardown. */
function start (t: Test, file: string, args: string[]): ChildProcess {
  const child = spawn(file, args, { stdio: 'ignore' })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  return child
}

t.test('/proc/PID/stat: comm between the first ( and the last ), zombies are not running', async (t) => {
  t.same(parseProcStat('123 (sleep) S 1 123 123 0 -1'), { comm: 'sleep', state: 'S', ppid: 1 })
  t.same(parseProcStat('9 (a) b (c)) R 7 9'), { comm: 'a) b (c)', state: 'R', ppid: 7 }, 'a name with ") " in it')
  t.equal(parseProcStat('5 (defunct) Z 1 5'), null)
  t.equal(parseProcStat('garbage'), null)
})

t.test('KEEPALIVED matching: comm exactly unless parameters, param_match or full_command', async (t) => {
  const haproxy = entry('haproxy', ['/usr/sbin/haproxy', '-f', '/etc/haproxy.cfg'])
  t.ok(matchesProcess(plan(['haproxy']), haproxy), 'by name: comm')
  t.notOk(matchesProcess(plan(['hap']), haproxy), 'never a pattern (pgrep "^name$")')
  t.notOk(matchesProcess(plan(['/usr/sbin/haproxy']), haproxy), 'by name: not argv[0]')
  t.ok(matchesProcess(plan(['/usr/sbin/haproxy'], { fullCommand: true }), haproxy), 'full_command: argv[0] exactly, any parameters')
  t.notOk(matchesProcess(plan(['haproxy'], { fullCommand: true }), haproxy), 'full_command: not comm')
  t.ok(matchesProcess(plan(['/usr/sbin/haproxy', '-f', '/etc/haproxy.cfg']), haproxy), 'parameters: exact list')
  t.notOk(matchesProcess(plan(['/usr/sbin/haproxy', '-f']), haproxy), 'exact: not fewer')
  t.notOk(matchesProcess(plan(['/usr/sbin/haproxy', '-f', '/etc/haproxy.cfg', '-x']), haproxy), 'exact: not more')
  t.ok(matchesProcess(plan(['/usr/sbin/haproxy', '-f'], { paramMatch: 'partial', paramMatchGiven: true }), haproxy), 'partial: the first ones')
  t.notOk(matchesProcess(plan(['/usr/sbin/haproxy', '-f', '/etc/hap'], { paramMatch: 'partial', paramMatchGiven: true }), haproxy), 'partial: whole parameters')
  t.ok(matchesProcess(plan(['/usr/sbin/haproxy', '-f', '/etc/hap'], { paramMatch: 'initial', paramMatchGiven: true }), haproxy), 'initial: the last may be longer')
  t.notOk(matchesProcess(plan(['/usr/sbin/haproxy', '-f', '/etc/x'], { paramMatch: 'initial', paramMatchGiven: true }), haproxy))
  t.notOk(matchesProcess(plan(['/usr/sbin/haproxy'], { paramMatch: 'exact', paramMatchGiven: true }), haproxy), 'param_match with no parameters (exact): must have none')
  t.ok(matchesProcess(plan(['/usr/sbin/haproxy'], { paramMatch: 'exact', paramMatchGiven: true }), entry('haproxy', ['/usr/sbin/haproxy'])))
  t.ok(matchesProcess(plan(['/usr/sbin/haproxy'], { paramMatch: 'partial', paramMatchGiven: true }), haproxy), 'partial with no parameters: any')
  t.notOk(matchesProcess(plan(['x'], { fullCommand: true }), entry('x', [])), 'an empty cmdline (kernel thread) never matches a command line')
  t.ok(matchesProcess(plan(['kthreadd']), entry('kthreadd', [])), 'but its comm does')
})

t.test('quorum: up when quorum <= count <= quorum_max; fork_delay after a fork, terminate_delay after an exit', async (t) => {
  const seen: CheckStatus[] = []
  const q = new ProcessQuorum(plan(['x'], { quorum: 2, quorumMax: 3, forkDelayUs: 50_000, terminateDelayUs: 50_000 }), (s) => seen.push(s))
  t.teardown(() => q.stop())
  q.initial(1)
  t.same(seen, ['down'], 'the first count applies at once')
  q.update(2, 'other')
  t.same(seen, ['down', 'up'], 'a new process exec\'d: at once')
  q.update(1, 'exit')
  t.same(seen, ['down', 'up'], 'an exit: not yet')
  q.update(2, 'fork')
  await new Promise((resolve) => setTimeout(resolve, 120))
  t.same(seen, ['down', 'up'], 'back within terminate_delay: no bounce')
  q.update(4, 'fork')
  t.same(seen, ['down', 'up'], 'over quorum_max by a fork: after fork_delay')
  await waitFor(() => seen.length === 3, { timeoutMs: 2000, what: 'down after fork_delay' })
  t.same(seen, ['down', 'up', 'down'])
  q.update(3, 'exit')
  await waitFor(() => seen.length === 4, { timeoutMs: 2000, what: 'up after terminate_delay' })
  t.same(seen, ['down', 'up', 'down', 'up'])
  q.update(0, 'other')
  t.same(seen.at(-1), 'down', 'a name change: at once')
  t.equal(q.count, 0)
})

t.test('KEEPALIVED process weights: positive while up, negative while down, 0 = FAULT while down (reverse: while up)', async (t) => {
  const of = (weight: number, reverse: boolean, value: TrackedValue) => evaluateInstance({ instance: 'VI_1', basePriority: 100, refs: [{ kind: 'process', name: 'p', weight, reverse }] }, () => value)
  t.same(of(10, false, 'up'), { priority: 110, faults: [] })
  t.same(of(10, false, 'down'), { priority: 100, faults: [] })
  t.same(of(-10, false, 'down'), { priority: 90, faults: [] })
  t.same(of(10, true, 'up'), { priority: 90, faults: [] })
  t.same(of(0, false, 'down'), { priority: 100, faults: ['track_process p is down'] })
  t.same(of(0, true, 'up'), { priority: 100, faults: ['track_process p is up (reverse)'] })
  t.same(of(0, false, 'init'), { priority: 100, faults: [] })
})

t.test('the real /proc: a sleep with a distinctive argv, and a copy of sleep under a unique name', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-trackproc-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const mark = `${process.pid}${Date.now() % 100000}`
  const name = `fip${mark}`.slice(0, 15)
  const copy = join(dir, name)
  copyFileSync('/bin/sleep', copy)
  const a = start(t, '/bin/sleep', [`1000.${mark}`])
  const b = start(t, copy, ['1000'])
  const byArgv = plan(['/bin/sleep', `1000.${mark}`])
  const byName = plan([name])
  await waitFor(() => {
    const entries = scanProc(64)
    return entries.some((e) => e.pid === a.pid && matchesProcess(byArgv, e)) && entries.some((e) => e.pid === b.pid && matchesProcess(byName, e))
  }, { timeoutMs: 3000, what: 'both children seen in /proc' })
  const entries = scanProc(64)
  t.same(entries.filter((e) => matchesProcess(byArgv, e)).map((e) => e.pid), [a.pid], 'only the sleep with that argv')
  t.same(entries.filter((e) => matchesProcess(byName, e)).map((e) => e.pid), [b.pid], 'only the copy, by comm')
  t.ok(scanProc(0).every((e) => e.cmdline === null), 'cmdline is not read unless needed')

  // A zombie: sh starts the copy in the background and execs a sleep, which never reaps; the
  // test then kills the copy by pid. (Killing it from inside sh raced sh's own reaping.)
  const zname = `fz${mark}`.slice(0, 15)
  copyFileSync('/bin/sleep', join(dir, zname))
  const parent = start(t, '/bin/sh', ['-c', '"$0" 1000 & exec /bin/sleep 1000', join(dir, zname)])
  const statOf = (pid: string): string | null => { try { return readFileSync(`/proc/${pid}/stat`, 'latin1') } catch { return null } }
  const copyOf = (state: string): number | undefined => {
    for (const p of readdirSync('/proc')) {
      if (!/^\d+$/.test(p)) continue
      const stat = statOf(p)
      const parsed = stat === null ? null : /^\d+ \((.*)\) (\S) (\d+)/.exec(stat)
      if (parsed !== null && parsed[1] === zname && parsed[2] === state && Number(parsed[3]) === parent.pid) return Number(p)
    }
    return undefined
  }
  let running: number | undefined
  await waitFor(() => (running = copyOf('S')) !== undefined, { timeoutMs: 3000, what: 'the backgrounded copy runs under the exec-ed sleep' })
  const copyPid = running as number
  t.teardown(() => { try { process.kill(copyPid, 'SIGKILL') } catch { /* already gone */ } })
  process.kill(copyPid, 'SIGKILL')
  await waitFor(() => copyOf('Z') === copyPid, { timeoutMs: 3000, what: 'the zombie exists' })
  t.notOk(scanProc(0).some((e) => matchesProcess(plan([zname]), e)), 'a zombie is not counted')
})

t.test('TrackProcesses: prime counts now; a new process is up within a scan, a kill (by pid) down', async (t) => {
  const mark = `${process.pid}${Date.now() % 100000}`
  const argv = ['/bin/sleep', `1000.${mark}`]
  const reports: TrackedValue[] = []
  const tracked = new TrackProcesses([{ ...plan(argv), name: 'sl' }], silent, (kind, name, value) => { t.equal(kind, 'process'); t.equal(name, 'sl'); reports.push(value) }, { intervalMs: 20 })
  t.teardown(() => tracked.stop())
  tracked.prime()
  t.same(reports, ['down'], 'none running at start')
  const child = start(t, argv[0], argv.slice(1))
  tracked.start()
  await waitFor(() => reports.at(-1) === 'up', { timeoutMs: 3000, what: 'up' })
  process.kill(child.pid as number, 'SIGKILL')
  await waitFor(() => reports.at(-1) === 'down', { timeoutMs: 3000, what: 'down after the kill' })
  t.same(reports, ['down', 'up', 'down'])
  tracked.stop()
  start(t, argv[0], argv.slice(1))
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(reports, ['down', 'up', 'down'], 'nothing after stop()')
})

t.test('config: a bare param_match is exact (no parameters), quorum_max 0 is accepted', async (t) => {
  const { loadConfig } = await import('../../src/config/load.js')
  const { createMemoryReader } = await import('../../src/config/memory-reader.js')
  const path = '/etc/keepalived/keepalived.conf'
  const text = 'vrrp_track_process bare {\n  process nginx\n  param_match\n  quorum_max 0\n}\n'
  const loaded = loadConfig(path, { reader: createMemoryReader({ [path]: text }), configId: 'test' })
  const about = loaded.diagnostics.filter((d) => /param_match|quorum_max/.test(d.message))
  t.same(about.map((d) => d.message), [], 'no diagnostic about param_match or quorum_max')
  t.match(loaded.model.vrrpTrackProcesses[0], { paramMatch: 'exact', quorumMax: 0 })
})

// The daemon's script machinery without a lab: keepalived's command splitting, the rise/fall
// counting of a vrrp_script, weights and FAULT per instance, the notify argument list, and real
// child processes for timeouts (the whole process group is killed) and the per-instance notify
// queue.
import t, { type Test } from 'tap'
import pino from 'pino'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '../../src/io/logger.js'
import { ScriptRunner, findExecutable, splitCommand } from '../../src/daemon/script-runner.js'
import { ScriptCheck, TrackScripts } from '../../src/daemon/track-scripts.js'
import { evaluateInstance, planTracking, type CheckStatus, type InstanceTrackingPlan, type TrackedScriptPlan } from '../../src/daemon/tracking-plan.js'
import { Notifier, commandsFor, planNotify } from '../../src/daemon/notify.js'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import { planInstances } from '../../src/engine/instance-plan.js'
import { writeScript } from '../helpers/scripts.js'

const silent = createLogger({ level: 'silent' })

function parseString (text: string): ReturnType<typeof loadConfig> {
  return loadConfig('/etc/keepalived/keepalived.conf', { reader: createMemoryReader({ '/etc/keepalived/keepalived.conf': text }), configId: 'test' })
}

/** True while `pid` exists and is not a zombie. */
function running (pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'
  } catch {
    return false
  }
}

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-scripts-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('KEEPALIVED command splitting: words, quotes, no shell', async (t) => {
  t.same(splitCommand('/usr/bin/test -e /tmp/x'), ['/usr/bin/test', '-e', '/tmp/x'])
  t.same(splitCommand("/bin/check.sh 'a b' c"), ['/bin/check.sh', 'a b', 'c'])
  t.same(splitCommand('/bin/sh -c "exit 3"'), ['/bin/sh', '-c', 'exit 3'])
  t.same(splitCommand('  a\\ b  '), ['a b'])
  t.same(splitCommand("x ''"), ['x', ''], 'an empty quoted word is a word')
  t.same(splitCommand('pidof x || exit 1'), ['pidof', 'x', '||', 'exit', '1'], 'shell syntax stays plain words, as in keepalived')
  t.ok(findExecutable('true'), 'a bare name is found in PATH')
  t.equal(findExecutable('/nonexistent/script'), null)
})

t.test('findExecutable: a file without an execute bit is not runnable', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'plain'), 'x')
  chmodSync(join(dir, 'plain'), 0o644)
  t.equal(findExecutable(join(dir, 'plain')), null)
  t.equal(findExecutable(dir), null, 'nor a directory')
})

t.test('KEEPALIVED rise/fall: one result decides at start, then rise successes / fall failures', async (t) => {
  const c = new ScriptCheck(2, 3, false)
  t.equal(c.status, 'init')
  t.ok(c.record(false), 'the first failure is enough at start')
  t.equal(c.status, 'down')
  t.notOk(c.record(true), 'one success of rise 2: still down')
  t.ok(c.record(true))
  t.equal(c.status, 'up')
  t.notOk(c.record(false))
  t.notOk(c.record(false))
  t.ok(c.record(false), 'the third failure of fall 3')
  t.equal(c.status, 'down')
  t.notOk(c.record(true))
  t.notOk(c.record(false), 'a failure resets the count of successes')
  t.notOk(c.record(true))
  t.ok(c.record(true))

  const up = new ScriptCheck(3, 1, false)
  t.ok(up.record(true), 'the first success is enough at start, whatever rise')
  t.equal(up.status, 'up')

  const initFail = new ScriptCheck(2, 1, true)
  t.equal(initFail.status, 'down', 'init_fail starts down')
  t.notOk(initFail.record(true))
  t.ok(initFail.record(true), 'and needs rise successes')
})

t.test('ScriptCheck.copy goes on from the same count', async (t) => {
  const c = new ScriptCheck(3, 2, false)
  c.record(false)
  c.record(true)
  c.record(true)
  const d = c.copy()
  t.equal(d.status, 'down')
  t.ok(c.record(true), 'the original: the third success of rise 3')
  t.ok(d.record(true), 'the copy: its third success too, not its first')
  t.equal(d.status, 'up')
  t.notOk(d.record(false), 'and one failure of fall 2 is not enough')
})

t.test('a reload: an unchanged vrrp_script keeps its result and does not run; a changed or never-run one runs', async (t) => {
  const dir = tempDir(t)
  const runs = join(dir, 'runs')
  // Each run appends its name to `runs` and fails, so a result that carries over is visible (down).
  const script = writeScript(join(dir, 'chk.sh'), `echo "$1" >> ${runs}\nexit 1\n`)
  const runner = new ScriptRunner({ log: silent })
  t.teardown(() => runner.close())
  const plan = (name: string, arg = name, rise = 2): TrackedScriptPlan => ({ name, argv: [script, arg], intervalUs: 60_000_000, timeoutUs: 5_000_000, rise, fall: 2, initFail: false, user: null })
  const ran = (): string[] => readFileSync(runs, 'utf8').trim().split('\n').sort()
  const generation = (plans: TrackedScriptPlan[]): { scripts: TrackScripts, reports: string[], messages: string[] } => {
    const reports: string[] = []
    const messages: string[] = []
    const log = pino({ level: 'info' }, { write: (line: string) => { messages.push(JSON.parse(line).msg) } })
    return { scripts: new TrackScripts(plans, runner, log, (kind, name, value) => { reports.push(`${kind}:${name}=${String(value)}`) }), reports, messages }
  }

  const first = generation([plan('same'), plan('cmd'), plan('rise'), plan('unrun')])
  t.teardown(() => first.scripts.stop())
  await first.scripts.firstRound()
  t.same(ran(), ['cmd', 'rise', 'same', 'unrun'], 'start-up: every script runs once')
  t.same(first.reports.sort(), ['script:cmd=down', 'script:rise=down', 'script:same=down', 'script:unrun=down'])

  // A generation that never ran its scripts has nothing to hand over.
  const idle = generation([plan('unrun')])
  t.teardown(() => idle.scripts.stop())

  const next = generation([plan('same'), plan('cmd', 'cmd2'), plan('rise', 'rise', 3), plan('unrun'), plan('new')])
  t.teardown(() => next.scripts.stop())
  writeFileSync(runs, '')
  await next.scripts.firstRound(first.scripts)
  t.same(ran(), ['cmd2', 'new', 'rise'], 'the changed command, the changed rise and the new script run; the unchanged ones do not')
  t.same(next.reports.sort(), ['script:cmd=down', 'script:new=down', 'script:rise=down', 'script:same=down', 'script:unrun=down'], 'the kept scripts report their result to the new tracker')
  t.ok(next.messages.includes('vrrp_script results kept across the reload'), 'the hand-over is logged')

  writeFileSync(runs, '')
  const fromIdle = generation([plan('unrun')])
  t.teardown(() => fromIdle.scripts.stop())
  await fromIdle.scripts.firstRound(idle.scripts)
  t.same(ran(), ['unrun'], 'a script the previous generation never ran runs')
})

t.test('KEEPALIVED weights: positive while up, negative while down, 0 = FAULT, reverse flips', async (t) => {
  const plan: InstanceTrackingPlan = {
    instance: 'VI_1',
    basePriority: 100,
    refs: [
      { kind: 'script', name: 'plus', weight: 20, reverse: false },
      { kind: 'script', name: 'minus', weight: -30, reverse: false },
      { kind: 'script', name: 'zero', weight: 0, reverse: false },
      { kind: 'script', name: 'zeroRev', weight: 0, reverse: true },
      { kind: 'script', name: 'plusRev', weight: 5, reverse: true }
    ]
  }
  const of = (s: Record<string, CheckStatus>) => evaluateInstance(plan, (r) => s[r.name] ?? 'init')
  t.same(of({}), { priority: 100, faults: [] }, 'scripts that have not reported change nothing')
  t.same(of({ plus: 'up', minus: 'up', zero: 'up', zeroRev: 'down', plusRev: 'down' }), { priority: 120, faults: [] })
  t.same(of({ plus: 'down', minus: 'down', zero: 'up', zeroRev: 'down', plusRev: 'up' }), { priority: 65, faults: [] })
  t.same(of({ zero: 'down', zeroRev: 'up' }), { priority: 100, faults: ['vrrp_script zero failed', 'vrrp_script zeroRev succeeded (reverse)'] })
})

t.test('planTracking: per-reference weights override, unknown and unrunnable scripts are warned and ignored', async (t) => {
  const text = `
vrrp_script chk { script "/usr/bin/test -e /x"
  weight -60
  interval 0.5
  fall 2 }
vrrp_script rev { script /bin/true
  weight 10 reverse }
vrrp_script gone { script /nonexistent/check }
vrrp_script unused { script /bin/true }
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  priority 150
  virtual_ipaddress { 10.0.0.1/24 }
  track_script {
    chk
    chk weight 0
    rev
    gone
    missing
  }
}
`
  const loaded = parseString(text)
  const { plans } = planInstances(loaded.model)
  const p = planTracking(loaded.model, plans)
  t.same(p.scripts.map((s) => s.name), ['chk', 'rev'], 'only referenced, runnable scripts run')
  t.match(p.scripts[0], { argv: ['/usr/bin/test', '-e', '/x'], intervalUs: 500_000, timeoutUs: 500_000, fall: 2, rise: 1 }, 'timeout defaults to the interval')
  t.same(p.instances[0].refs, [
    { kind: 'script', name: 'chk', weight: -60, reverse: false },
    { kind: 'script', name: 'chk', weight: 0, reverse: false },
    { kind: 'script', name: 'rev', weight: 10, reverse: true }
  ])
  t.equal(p.instances[0].basePriority, 150)
  t.match(p.warnings.map((w) => w.message).join('\n'), /gone.*disabled[^]*missing: no vrrp_script/)
})

t.test('notify arguments: the state script, then notify with INSTANCE name STATE priority', async (t) => {
  const loaded = parseString(`
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  priority 150
  virtual_ipaddress { 10.0.0.1/24 }
  notify_master "/bin/echo master 'a b'"
  notify_stop /bin/true
  notify "/bin/echo x"
}`)
  const { plans } = planNotify(loaded.model.vrrpInstances, ['VI_1'])
  const at = (to: 'MASTER' | 'BACKUP' | 'INIT' | 'FAULT') => commandsFor(plans[0], { instance: 'VI_1', from: 'BACKUP', to, reason: 'x', priority: 150, atUs: 0 })
  t.same(at('MASTER'), [
    { keyword: 'notify_master', argv: ['/bin/echo', 'master', 'a b'] },
    { keyword: 'notify', argv: ['/bin/echo', 'x', 'INSTANCE', 'VI_1', 'MASTER', '150'] }
  ])
  t.same(at('BACKUP'), [{ keyword: 'notify', argv: ['/bin/echo', 'x', 'INSTANCE', 'VI_1', 'BACKUP', '150'] }])
  t.same(at('INIT'), [
    { keyword: 'notify_stop', argv: ['/bin/true'] },
    { keyword: 'notify', argv: ['/bin/echo', 'x', 'INSTANCE', 'VI_1', 'STOP', '150'] }
  ], 'INIT after shutdown is STOP')
})

t.test('ScriptRunner: exit codes, signals, spawn errors; a timeout kills the whole process group', async (t) => {
  const dir = tempDir(t)
  const runner = new ScriptRunner({ log: silent, killGraceMs: 500 })
  t.teardown(() => runner.close())
  t.match(await runner.run(['/bin/true'], { timeoutMs: 2000, label: {} }), { outcome: 'exit', code: 0, ok: true })
  t.match(await runner.run(['/bin/sh', '-c', 'exit 3'], { timeoutMs: 2000, label: {} }), { outcome: 'exit', code: 3, ok: false })
  t.match(await runner.run(['/bin/sh', '-c', 'kill -USR1 $$'], { timeoutMs: 2000, label: {} }), { outcome: 'signal', signal: 'SIGUSR1', ok: false })
  t.match(await runner.run(['/nonexistent/x'], { timeoutMs: 2000, label: {} }), { outcome: 'error', code: 'ENOENT', ok: false })

  // A script whose child ignores SIGTERM: the group gets SIGKILL after the grace period.
  const pidFile = join(dir, 'grandchild.pid')
  const started = Date.now()
  const r = await runner.run(['/bin/sh', '-c', `sh -c 'trap "" TERM; echo $$ > ${pidFile}; exec sleep 1000' & sleep 1000`], { timeoutMs: 300, label: {} })
  t.match(r, { outcome: 'timeout', ok: false })
  t.ok(Date.now() - started < 3000, 'bounded by timeout + grace')
  const grandchild = Number(readFileSync(pidFile, 'utf8'))
  await new Promise((resolve) => setTimeout(resolve, 700))
  // Killed (a zombie until PID 1 reaps it, since its parent died first) or already reaped.
  t.notOk(running(grandchild), 'the grandchild that ignored SIGTERM is gone too')
})

t.test('ScriptRunner: bounded concurrency', async (t) => {
  const runner = new ScriptRunner({ log: silent, maxConcurrent: 2 })
  t.teardown(() => runner.close())
  let peak = 0
  const runs = Array.from({ length: 6 }, async () => {
    const p = runner.run(['/bin/sleep', '0.1'], { timeoutMs: 2000, label: {} })
    peak = Math.max(peak, runner.running)
    return await p
  })
  const results = await Promise.all(runs)
  t.ok(results.every((r) => r.ok))
  t.equal(peak, 2, 'never more than maxConcurrent at once')
})

t.test('an instance a reload removed: notify_fault and notify FAULT, or notify_deleted and notify DELETED', async (t) => {
  const dir = tempDir(t)
  const log = join(dir, 'log')
  const script = join(dir, 'n.sh')
  writeScript(script, `echo "$@" >> ${log}\n`)
  const loaded = parseString(`
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  priority 150
  virtual_ipaddress { 10.0.0.1/24 }
  notify_fault "${script} fault"
  notify "${script} notify"
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 2
  priority 150
  virtual_ipaddress { 10.0.0.2/24 }
  notify_fault "${script} fault"
  notify_deleted "${script} deleted"
  notify "${script} notify"
}`)
  const { plans } = planNotify(loaded.model.vrrpInstances, ['VI_1', 'VI_2'])
  const runner = new ScriptRunner({ log: silent })
  t.teardown(() => runner.close())
  const notifier = new Notifier(plans, runner, silent, 2000)
  notifier.handle({ type: 'deleted', instance: 'VI_1', from: 'MASTER', state: 'FAULT', priority: 150, atUs: 0 })
  notifier.handle({ type: 'deleted', instance: 'VI_2', from: 'BACKUP', state: 'DELETED', priority: 150, atUs: 0 })
  t.equal(await notifier.drain(5000), true)
  t.same(readFileSync(log, 'utf8').trim().split('\n').sort(), [
    'deleted',
    'fault',
    'notify INSTANCE VI_1 FAULT 150',
    'notify INSTANCE VI_2 DELETED 150'
  ])
})

t.test('Notifier: per instance, scripts run one at a time in transition order; drain waits for them', async (t) => {
  const dir = tempDir(t)
  const log = join(dir, 'log')
  const script = join(dir, 'n.sh')
  // Slow first script: a later transition must still come after it.
  writeScript(script, `[ "$3" = BACKUP ] && sleep 0.3\necho "$@" >> ${log}\n`)
  const runner = new ScriptRunner({ log: silent })
  t.teardown(() => runner.close())
  const notifier = new Notifier([{ instance: 'VI_1', byState: {}, notify: [script] }], runner, silent, 2000)
  const tr = (to: 'BACKUP' | 'MASTER' | 'INIT') => ({ instance: 'VI_1', from: 'INIT' as const, to, reason: 'x', priority: 150, atUs: 0 })
  notifier.transition(tr('BACKUP'))
  notifier.transition(tr('MASTER'))
  notifier.transition(tr('INIT'))
  t.equal(notifier.pending, 3)
  t.equal(await notifier.drain(5000), true)
  t.equal(readFileSync(log, 'utf8'), 'INSTANCE VI_1 BACKUP 150\nINSTANCE VI_1 MASTER 150\nINSTANCE VI_1 STOP 150\n')

  const hung = new Notifier([{ instance: 'VI_1', byState: { MASTER: ['/bin/sleep', '1000'] }, notify: undefined }], runner, silent, 200)
  hung.transition(tr('MASTER'))
  t.equal(await hung.drain(50), false, 'drain is bounded')
  t.equal(await hung.drain(3000), true, 'a hung notify script is killed after its timeout')
})

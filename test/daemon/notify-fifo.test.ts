// Notify FIFOs, sync group notify scripts, notify_master_rx_lower_pri and the FLOATIP_* notify
// environment without a lab: keepalived's FIFO line formats, real FIFOs (created, refused when
// something else, never blocking without a reader, a full pipe counted not fatal, the FIFO script
// started with the path and stopped at drain) and real notify script runs.
import t, { type Test } from 'tap'
import { spawnSync } from 'node:child_process'
import pino from 'pino'
import { chmodSync, closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '../../src/io/logger.js'
import { ScriptRunner } from '../../src/daemon/script-runner.js'
import { NotifyFifo, fifoLine, planNotifyFifos, priorityChangeInstances, type FifoPlan } from '../../src/daemon/notify-fifo.js'
import { Notifier, groupCommandsFor, planGroupNotify, planNotify } from '../../src/daemon/notify.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import { writeScript } from '../helpers/scripts.js'

const silent = createLogger({ level: 'silent' })

function parseString (text: string): ReturnType<typeof loadConfig> {
  return loadConfig('/etc/keepalived/keepalived.conf', { reader: createMemoryReader({ '/etc/keepalived/keepalived.conf': text }), configId: 'test' })
}

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-fifo-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function instance (name: string, extra: string[] = []): string {
  return `vrrp_instance ${name} {\n interface eth0\n virtual_router_id 1\n priority 100\n virtual_ipaddress { 192.0.2.200/24 }\n${extra.map((l) => ` ${l}\n`).join('')}}\n`
}

const transition = (to: 'MASTER' | 'BACKUP' | 'FAULT' | 'INIT', priority = 100): EngineEvent => ({ type: 'transition', transition: { instance: 'VI_1', from: 'BACKUP', to, reason: 'x', priority, atUs: 0 } })

t.test('FIFO lines are keepalived\'s: INSTANCE/GROUP "name" STATE priority, group priority 0, STOP for INIT', async (t) => {
  const on = new Set(['VI_1'])
  t.equal(fifoLine(transition('BACKUP'), on), 'INSTANCE "VI_1" BACKUP 100\n')
  t.equal(fifoLine(transition('MASTER', 150), on), 'INSTANCE "VI_1" MASTER 150\n')
  t.equal(fifoLine(transition('FAULT'), on), 'INSTANCE "VI_1" FAULT 100\n')
  t.equal(fifoLine(transition('INIT'), on), 'INSTANCE "VI_1" STOP 100\n', 'the transition to INIT at shutdown is STOP')
  t.equal(fifoLine({ type: 'deleted', instance: 'VI_1', from: 'MASTER', state: 'FAULT', priority: 100, atUs: 0 }, on), 'INSTANCE "VI_1" FAULT 100\n', 'removed by a reload: FAULT')
  t.equal(fifoLine({ type: 'deleted', instance: 'VI_1', from: 'MASTER', state: 'DELETED', priority: 100, atUs: 0 }, on), 'INSTANCE "VI_1" DELETED 100\n', '... or DELETED with notify_deleted')
  t.equal(fifoLine({ type: 'group-transition', transition: { group: 'G1', from: 'BACKUP', to: 'MASTER', atUs: 0 } }, on), 'GROUP "G1" MASTER 0\n')
  t.equal(fifoLine({ type: 'group-transition', transition: { group: 'G1', from: 'MASTER', to: 'INIT', atUs: 0 } }, on), 'GROUP "G1" STOP 0\n')
  t.equal(fifoLine({ type: 'master-rx-lower-pri', instance: 'VI_1', priority: 150, advertPriority: 50, source: '192.0.2.2', atUs: 0 }, on), 'INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150\n', 'the instance\'s own priority, not the advert\'s')
  const prio = (state: 'MASTER' | 'BACKUP' | 'FAULT'): EngineEvent => ({ type: 'priority-changed', instance: 'VI_1', from: 100, to: 80, state, atUs: 0 })
  t.equal(fifoLine(prio('MASTER'), on), 'INSTANCE "VI_1" MASTER_PRIORITY 80\n')
  t.equal(fifoLine(prio('BACKUP'), on), 'INSTANCE "VI_1" BACKUP_PRIORITY 80\n')
  t.equal(fifoLine(prio('FAULT'), on), 'INSTANCE "VI_1" BACKUP_PRIORITY 80\n', 'any state but MASTER is BACKUP_PRIORITY')
  t.equal(fifoLine(prio('MASTER'), new Set()), undefined, 'no priority lines unless notify_priority_changes')
})

t.test('notify_priority_changes: the instance\'s when written, else its sync group\'s, else vrrp_notify_priority_changes', async (t) => {
  const conf = (global: string, inst: string[], group: string[]): string =>
    `global_defs {\n${global}\n}\n${instance('VI_1', inst)}${instance('VI_2').replace('virtual_router_id 1', 'virtual_router_id 2')}${instance('VI_3').replace('virtual_router_id 1', 'virtual_router_id 3')}vrrp_sync_group G1 {\n group {\n  VI_1\n  VI_2\n }\n${group.join('\n')}\n}\n`
  const on = (text: string): string[] => {
    const loaded = parseString(text)
    t.ok(loaded.ok, 'config loads')
    return [...priorityChangeInstances(loaded.model, ['VI_1', 'VI_2', 'VI_3'])].sort()
  }
  t.same(on(conf('', [], [])), [], 'off by default')
  t.same(on(conf(' vrrp_notify_priority_changes', [], [])), ['VI_1', 'VI_2', 'VI_3'], 'the global keyword alone turns it on for all')
  t.same(on(conf(' vrrp_notify_priority_changes', ['notify_priority_changes off'], [])), ['VI_2', 'VI_3'], 'an instance\'s own "off" wins')
  t.same(on(conf('', ['notify_priority_changes'], [])), ['VI_1'])
  t.same(on(conf('', [], [' notify_priority_changes true'])), ['VI_1', 'VI_2'], 'a sync group\'s applies to its members')
  t.same(on(conf(' vrrp_notify_priority_changes', [], [' notify_priority_changes no'])), ['VI_3'])
})

t.test('planNotifyFifos: both FIFOs, the script gets the FIFO path last, a missing script is disabled', async (t) => {
  const loaded = parseString(`global_defs {\n notify_fifo /run/a.fifo root\n notify_fifo_script "/bin/fifo-reader --flag"\n vrrp_notify_fifo /run/b.fifo\n vrrp_notify_fifo_script /nonexistent/x\n}\n${instance('VI_1')}`)
  t.ok(loaded.ok)
  const { plan, warnings } = planNotifyFifos(loaded.model, ['VI_1'], (f) => f === '/bin/fifo-reader' ? f : null)
  t.match(plan.fifos, [
    { keyword: 'notify_fifo', path: '/run/a.fifo', owner: { user: 'root', group: undefined }, script: { keyword: 'notify_fifo_script', argv: ['/bin/fifo-reader', '--flag', '/run/a.fifo'] } },
    { keyword: 'vrrp_notify_fifo', path: '/run/b.fifo', script: undefined }
  ])
  t.match(warnings.map((w) => w.message).join('\n'), /vrrp_notify_fifo_script \/nonexistent\/x: not an executable file; the script is disabled/)
})

function fifoPlan (path: string, script?: string[]): FifoPlan {
  return { keyword: 'vrrp_notify_fifo', path, owner: { user: undefined, group: undefined }, script: script === undefined ? undefined : { keyword: 'vrrp_notify_fifo_script', argv: [...script, path], user: undefined } }
}

/** A NotifyFifo on `path` with no script, its runner closed at teardown. */
function openFifo (t: Test, path: string): NotifyFifo {
  const runner = new ScriptRunner({ log: silent })
  t.teardown(() => runner.close())
  return new NotifyFifo({ fifos: [fifoPlan(path)], priorityChanges: new Set() }, runner, silent)
}

t.test('a missing FIFO is created (0644) and removed at close; with no reader a write neither blocks nor fails', async (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'notify.fifo')
  const fifo = openFifo(t, path)
  const st = statSync(path)
  t.ok(st.isFIFO(), 'created as a FIFO')
  t.equal(st.mode & 0o777, 0o644)
  const started = Date.now()
  fifo.handle(transition('BACKUP'))
  fifo.handle(transition('MASTER'))
  t.ok(Date.now() - started < 100, 'no reader: the writes return at once')
  t.match(fifo.stats, [{ written: 2, dropped: 0, errors: 0 }])
  // The lines wait in the pipe for a reader that comes later (while floatip holds it open).
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  const buf = Buffer.alloc(4096)
  const n = readSync(reader, buf)
  closeSync(reader)
  t.equal(buf.subarray(0, n).toString(), 'INSTANCE "VI_1" BACKUP 100\nINSTANCE "VI_1" MASTER 100\n')
  t.equal(await fifo.drain(1000), true)
  fifo.close()
  fifo.close()
  t.notOk(existsSync(path), 'a FIFO created by floatip is removed at exit')
})

t.test('an existing FIFO is used and kept; a regular file or a symbolic link is refused', async (t) => {
  const dir = tempDir(t)
  const runner = new ScriptRunner({ log: silent })
  t.teardown(() => runner.close())
  const existing = join(dir, 'existing.fifo')
  spawnSync('mkfifo', [existing])
  const kept = new NotifyFifo({ fifos: [fifoPlan(existing)], priorityChanges: new Set() }, runner, silent)
  kept.handle(transition('MASTER'))
  t.match(kept.stats, [{ written: 1 }])
  kept.close()
  t.ok(statSync(existing).isFIFO(), 'not removed: floatip did not create it')

  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s)) } })
  const file = join(dir, 'file')
  writeFileSync(file, 'data')
  const link = join(dir, 'link.fifo')
  symlinkSync(existing, link)
  const refused = new NotifyFifo({ fifos: [fifoPlan(file), fifoPlan(link)], priorityChanges: new Set() }, runner, log)
  t.same(refused.stats, [], 'neither is used')
  refused.handle(transition('MASTER'))
  t.equal(readFileSync(file, 'utf8'), 'data', 'the regular file is untouched')
  const messages = lines.map((l) => String(l.msg)).join('\n')
  t.match(messages, /vrrp_notify_fifo .*\/file exists and is not a FIFO \(a regular file\)/)
  t.match(messages, /link\.fifo exists and is not a FIFO \(a symbolic link\)/)
})

t.test('a full pipe (reader gone quiet) drops and counts lines, never throws or blocks', async (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'full.fifo')
  const fifo = openFifo(t, path)
  // 64 KiB pipe, ~27 bytes a line: 5000 lines overflow it.
  const started = Date.now()
  for (let i = 0; i < 5000; i++) fifo.handle(transition(i % 2 === 0 ? 'MASTER' : 'BACKUP'))
  t.ok(Date.now() - started < 2000, 'never blocks')
  const [s] = fifo.stats
  t.ok(s.dropped > 0, `dropped ${s.dropped}`)
  t.equal(s.written + s.dropped, 5000, 'every line is written or counted as dropped')
  t.equal(s.errors, 0)
  // A reader catches up: only whole lines are in the pipe.
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  const chunks: Buffer[] = []
  const buf = Buffer.alloc(65536)
  for (;;) {
    let n = 0
    try { n = readSync(reader, buf) } catch { break }
    if (n === 0) break
    chunks.push(Buffer.from(buf.subarray(0, n)))
  }
  closeSync(reader)
  const text = Buffer.concat(chunks).toString()
  t.equal(text.split('\n').length - 1, s.written, 'what was counted as written is in the pipe')
  t.ok(text.split('\n').slice(0, -1).every((l) => /^INSTANCE "VI_1" (MASTER|BACKUP) 100$/.test(l)), 'no torn line')
  fifo.close()
})

t.test('the FIFO script starts with the FIFO path, reads the lines, and is stopped (SIGTERM, then end-of-file) at drain', async (t) => {
  const dir = tempDir(t)
  const path = join(dir, 'vrrp.fifo')
  const out = join(dir, 'out')
  const script = join(dir, 'reader.sh')
  // Like keepalived's sample_notify_fifo.sh: on SIGTERM keep reading until end-of-file.
  writeFileSync(script, `#!/bin/bash\ntrap 'echo TERM >> ${out}' TERM\necho "args $*" >> ${out}\nwhile read -r line; do echo "$line" >> ${out}; done < "$1"\necho EOF >> ${out}\n`)
  chmodSync(script, 0o755)
  const runner = new ScriptRunner({ log: silent })
  t.teardown(() => runner.close())
  const fifo = new NotifyFifo({ fifos: [fifoPlan(path, [script])], priorityChanges: new Set(['VI_1']) }, runner, silent)
  fifo.handle(transition('BACKUP'))
  fifo.handle({ type: 'priority-changed', instance: 'VI_1', from: 100, to: 90, state: 'BACKUP', atUs: 0 })
  fifo.handle(transition('MASTER', 90))
  const lines = (): string[] => existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n') : []
  const until = Date.now() + 3000
  while (lines().length < 4 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20))
  fifo.handle(transition('INIT', 90))
  t.equal(await fifo.drain(5000), true, 'the script ended')
  fifo.close()
  // The STOP line is in the pipe before the SIGTERM; bash runs its trap between two reads.
  t.same(lines().filter((l) => l !== 'TERM'), [`args ${path}`, 'INSTANCE "VI_1" BACKUP 100', 'INSTANCE "VI_1" BACKUP_PRIORITY 90', 'INSTANCE "VI_1" MASTER 90', 'INSTANCE "VI_1" STOP 90', 'EOF'])
  t.ok(lines().includes('TERM'), 'the script got SIGTERM, then read on until end-of-file')
})

t.test('sync group notify: notify_<state> then notify GROUP name STATE 0, queued per group in order', async (t) => {
  const dir = tempDir(t)
  const log = join(dir, 'log')
  const script = join(dir, 'g.sh')
  writeScript(script, `[ "$3" = BACKUP ] && sleep 0.3\necho "$@" >> ${log}\n`)
  const loaded = parseString(`${instance('VI_1')}${instance('VI_2').replace('virtual_router_id 1', 'virtual_router_id 2')}vrrp_sync_group G1 {\n group {\n  VI_1\n  VI_2\n }\n notify_master "${script} master-hook"\n notify "${script}"\n notify_stop /nonexistent/stop\n}\n`)
  t.ok(loaded.ok)
  const { plans, warnings } = planGroupNotify(loaded.model.vrrpSyncGroups)
  t.match(warnings, [{ group: 'G1', message: /notify_stop \/nonexistent\/stop: not an executable file/ }])
  const gt = (to: 'BACKUP' | 'MASTER' | 'INIT') => ({ group: 'G1', from: 'INIT' as const, to, atUs: 0 })
  t.same(groupCommandsFor(plans[0], gt('MASTER')).map((c) => c.argv), [[script, 'master-hook'], [script, 'GROUP', 'G1', 'MASTER', '0']])
  t.same(groupCommandsFor(plans[0], gt('INIT')).map((c) => c.argv), [[script, 'GROUP', 'G1', 'STOP', '0']], 'a group stop is STOP')
  const runner = new ScriptRunner({ log: silent })
  t.teardown(() => runner.close())
  const notifier = new Notifier([], runner, silent, 2000, plans)
  for (const to of ['BACKUP', 'MASTER', 'INIT'] as const) notifier.handle({ type: 'group-transition', transition: gt(to) })
  t.equal(await notifier.drain(5000), true)
  t.equal(readFileSync(log, 'utf8'), 'GROUP G1 BACKUP 0\nmaster-hook\nGROUP G1 MASTER 0\nGROUP G1 STOP 0\n')
})

t.test('notify_master_rx_lower_pri runs as written, queued behind the instance\'s transition scripts', async (t) => {
  const dir = tempDir(t)
  const log = join(dir, 'log')
  const script = join(dir, 'n.sh')
  writeScript(script, `[ "$1" = INSTANCE ] && sleep 0.2\necho "$@" >> ${log}\n`)
  const loaded = parseString(instance('VI_1', [`notify "${script}"`, `notify_master_rx_lower_pri "${script} rx-lower"`]))
  t.ok(loaded.ok)
  const { plans } = planNotify(loaded.model.vrrpInstances, ['VI_1'])
  t.same(plans[0].masterRxLowerPri, [script, 'rx-lower'])
  const runner = new ScriptRunner({ log: silent })
  t.teardown(() => runner.close())
  const notifier = new Notifier(plans, runner, silent, 2000)
  notifier.handle(transition('MASTER'))
  notifier.handle({ type: 'master-rx-lower-pri', instance: 'VI_1', priority: 100, advertPriority: 50, source: '192.0.2.2', atUs: 0 })
  t.equal(await notifier.drain(5000), true)
  t.equal(readFileSync(log, 'utf8'), 'INSTANCE VI_1 MASTER 100\nrx-lower\n', 'no arguments appended; after the MASTER notify')
})

t.test('FLOATIP_NOTIFY_* environment: the sequence increases per instance; CURRENT_* tell a queued script it is stale', async (t) => {
  const dir = tempDir(t)
  const log = join(dir, 'log')
  const script = join(dir, 'env.sh')
  writeScript(script, `echo "$FLOATIP_NOTIFY_TYPE $FLOATIP_NOTIFY_NAME $FLOATIP_NOTIFY_EVENT seq=$FLOATIP_NOTIFY_SEQ state=$FLOATIP_NOTIFY_STATE current=$FLOATIP_CURRENT_SEQ/$FLOATIP_CURRENT_STATE" >> ${log}\n[ "$FLOATIP_NOTIFY_SEQ" = 1 ] && sleep 0.3\nexit 0\n`)
  const runner = new ScriptRunner({ log: silent })
  t.teardown(() => runner.close())
  const notifier = new Notifier([{ instance: 'VI_1', byState: {}, notify: [script], masterRxLowerPri: [script] }], runner, silent, 2000, [{ group: 'G1', byState: {}, notify: [script] }])
  notifier.handle(transition('BACKUP'))
  const until = Date.now() + 3000
  while (!existsSync(log) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10))
  // While the first script runs (0.3 s), three more events queue behind it.
  notifier.handle(transition('MASTER'))
  notifier.handle({ type: 'master-rx-lower-pri', instance: 'VI_1', priority: 100, advertPriority: 50, source: '192.0.2.2', atUs: 0 })
  notifier.handle(transition('BACKUP'))
  notifier.handle({ type: 'group-transition', transition: { group: 'G1', from: 'INIT', to: 'BACKUP', atUs: 0 } })
  t.equal(await notifier.drain(5000), true)
  const lines = readFileSync(log, 'utf8').trim().split('\n')
  const instanceLines = lines.filter((l) => l.startsWith('INSTANCE'))
  t.same(instanceLines, [
    'INSTANCE VI_1 TRANSITION seq=1 state=BACKUP current=1/BACKUP',
    'INSTANCE VI_1 TRANSITION seq=2 state=MASTER current=3/BACKUP',
    'INSTANCE VI_1 MASTER_RX_LOWER_PRI seq=2 state=MASTER current=3/BACKUP',
    'INSTANCE VI_1 TRANSITION seq=3 state=BACKUP current=3/BACKUP'
  ], 'seq 2 and its rx_lower_pri ran stale: CURRENT_SEQ 3 > 2')
  t.same(lines.filter((l) => l.startsWith('GROUP')), ['GROUP G1 TRANSITION seq=1 state=BACKUP current=1/BACKUP'], 'groups count on their own')
})

t.test('the FIFO observer is built from global_defs by createObservers and no "not written yet" warning remains', async (t) => {
  const { createObservers } = await import('../../src/daemon/observers.js')
  const { planInstances } = await import('../../src/engine/instance-plan.js')
  const dir = tempDir(t)
  const path = join(dir, 'n.fifo')
  const loaded = parseString(`global_defs {\n vrrp_notify_fifo ${path}\n}\n${instance('VI_1')}`)
  t.ok(loaded.ok)
  const runner = new ScriptRunner({ log: silent })
  t.teardown(() => runner.close())
  const observers = createObservers(loaded.model, planInstances(loaded.model).plans, runner, silent)
  t.notMatch(observers.warnings.map((w) => w.message).join('\n'), /notify_fifo/)
  t.ok(observers.list.some((o) => o instanceof NotifyFifo))
  t.ok(statSync(path).isFIFO())
  for (const o of observers.list) o.close?.()
  t.notOk(existsSync(path))
})

// Notify FIFOs and notify_master_rx_lower_pri with two floatip routers in a namespace lab (real
// processes, real packets, real FIFOs). A vrrp_notify_fifo_script that appends every line it reads
// to a file is the FIFO's reader; the daemons share the filesystem with the test.
import t, { type Test } from 'tap'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withLab, waitFor, type Lab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, type RunningDaemon } from '../helpers/daemons.js'

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-fifo-lab-'))
  chmodSync(dir, 0o755)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A FIFO reader like keepalived's sample_notify_fifo.sh: on SIGTERM it reads on until end-of-file. */
function readerScript (dir: string, out: string): string {
  const path = join(dir, 'reader.sh')
  writeFileSync(path, `#!/bin/bash\ntrap 'echo TERM >> ${out}' TERM\necho "args $*" >> ${out}\nwhile read -r line; do echo "$line" >> ${out}; done < "$1"\necho EOF >> ${out}\n`)
  chmodSync(path, 0o755)
  return path
}

const linesOf = (file: string): string[] => existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter((l) => l !== 'TERM') : []

async function waitLine (file: string, line: string, what: string, timeoutMs = 5000): Promise<void> {
  await waitFor(() => linesOf(file).includes(line), { timeoutMs, what })
}

function dump (t: Test, daemons: RunningDaemon[]): void {
  for (const d of daemons) t.comment(d.node, JSON.stringify(d.logs.map(({ time, pid, hostname, ...l }) => l)), d.stderr.join('\n'))
}

/**
 * One-way split: a blackhole qdisc on r2's bridge port drops every frame towards r2 (its link
 * stays up), so r2 stops hearing r1 and becomes master while r1 still hears r2's adverts.
 */
async function setDeafR2 (lab: Lab, deaf: boolean): Promise<void> {
  const port = lab.node('r2').links[0].switchPort
  await lab.run('sw', ['tc', 'qdisc', deaf ? 'add' : 'del', 'dev', port, 'root', ...(deaf ? ['blackhole'] : [])])
}

function instanceConf (priority: number, vip: string, extra: string[], globalExtra: string[] = [], sections: string[] = []): string {
  return keepalivedConf({ globalExtra, sections, instances: [{ name: 'VI_1', vrid: 51, priority, advertInt: 0.1, version: 3, vips: [vip], extra }] })
}

t.test('vrrp_notify_fifo on the backup: BACKUP 100, MASTER 100 once the master is SIGKILLed, STOP 100 at shutdown; the FIFO script sees them all', async (t) => {
  const dir = tempDir(t)
  const out = join(dir, 'fifo.out')
  const fifo = join(dir, 'vrrp.fifo')
  const reader = readerScript(dir, out)
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const r1 = daemons.floatip('r1', instanceConf(150, vip, []))
  await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
  const r2 = daemons.floatip('r2', instanceConf(100, vip, [], [`vrrp_notify_fifo ${fifo}`, `vrrp_notify_fifo_script ${reader}`]))
  try {
    await r2.waitForLog(stateChange('VI_1', 'BACKUP'), 'r2 BACKUP')
    t.notOk(r2.logs.some((l) => /not written yet|not run yet/.test(l.msg ?? '')), 'no "not written yet" warning')
    await r2.waitForLog((l) => l.msg === 'notify FIFO open' && l.fifo === fifo && l.created === true, 'r2 created and opened the FIFO')
    await waitLine(out, 'INSTANCE "VI_1" BACKUP 100', 'BACKUP line read')

    lab.kill(r1.child, 'SIGKILL')
    await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { timeoutMs: 3000 })
    await waitLine(out, 'INSTANCE "VI_1" MASTER 100', 'MASTER line read')

    const exit = new Promise<number | null>((resolve) => r2.child.once('exit', (code) => resolve(code)))
    lab.kill(r2.child, 'SIGTERM')
    t.equal(await exit, 0, 'r2 exits 0')
  } catch (err) {
    dump(t, [r1, r2])
    throw err
  }
  t.same(linesOf(out), [`args ${fifo}`, 'INSTANCE "VI_1" BACKUP 100', 'INSTANCE "VI_1" MASTER 100', 'INSTANCE "VI_1" STOP 100', 'EOF'], 'every line in order, STOP before end-of-file')
  t.ok(readFileSync(out, 'utf8').includes('TERM'), 'the FIFO script got SIGTERM at shutdown')
  t.notOk(existsSync(fifo), 'the FIFO floatip created is removed at exit')
  t.ok(r2.logs.some((l) => l.msg === 'notify FIFO script stopped'), 'its end is logged')
})

t.test('a master hearing a lower priority runs notify_master_rx_lower_pri and writes MASTER_RX_LOWER_PRI; notify_priority_changes writes MASTER_PRIORITY', async (t) => {
  const dir = tempDir(t)
  const out = join(dir, 'fifo.out')
  const fifo = join(dir, 'vrrp.fifo')
  const rxLog = join(dir, 'rx.log')
  const reader = readerScript(dir, out)
  const rx = join(dir, 'rx.sh')
  writeFileSync(rx, `#!/bin/sh\necho "rx $# $FLOATIP_NOTIFY_EVENT $FLOATIP_NOTIFY_STATE $FLOATIP_CURRENT_STATE" >> ${rxLog}\n`)
  chmodSync(rx, 0o755)
  const okFile = join(dir, 'ok-r1')
  writeFileSync(okFile, '')
  const lab = await withLab(t, { routers: 2, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const check = ['vrrp_script chk {', `    script "/usr/bin/test -e ${okFile}"`, '    interval 0.2', '    fall 1', '    rise 1', '    weight -20', '}']
  const r1 = daemons.floatip('r1', instanceConf(150, vip, [`notify_master_rx_lower_pri ${rx}`, 'notify_priority_changes', 'track_script {', '    chk', '}'], [`vrrp_notify_fifo ${fifo}`, `vrrp_notify_fifo_script ${reader}`], check))
  const r2 = daemons.floatip('r2', instanceConf(100, vip, []))
  try {
    await r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
    await r2.waitForLog(stateChange('VI_1', 'BACKUP'), 'r2 BACKUP')
    t.notOk(r1.logs.some((l) => /notify_master_rx_lower_pri/.test(l.msg ?? '')), 'no warning about notify_master_rx_lower_pri')

    // r2 stops hearing r1 and becomes master too: r1, master, hears r2's lower priority adverts.
    const from1 = r1.logs.length
    const from2 = r2.logs.length
    await setDeafR2(lab, true)
    await r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 master while deaf', { from: from2, timeoutMs: 3000 })
    await waitLine(out, 'INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150', 'MASTER_RX_LOWER_PRI line (r1\'s own priority)')
    await waitFor(() => existsSync(rxLog), { timeoutMs: 3000, what: 'notify_master_rx_lower_pri ran' })
    await setDeafR2(lab, false)
    await r2.waitForLog(stateChange('VI_1', 'BACKUP'), 'r2 yields once it hears r1 again', { from: from2, timeoutMs: 3000 })
    t.match(readFileSync(rxLog, 'utf8').split('\n')[0], /^rx 0 MASTER_RX_LOWER_PRI MASTER MASTER$/, 'run with no arguments, FLOATIP_* set')
    t.notOk(r1.logs.slice(from1).some((l) => l.msg === 'state changed'), 'r1 stayed master')

    // A weighted check fails: 150 - 20 on the FIFO as MASTER_PRIORITY (r1 stays master).
    rmSync(okFile)
    await waitLine(out, 'INSTANCE "VI_1" MASTER_PRIORITY 130', 'MASTER_PRIORITY 130')
    writeFileSync(okFile, '')
    await waitLine(out, 'INSTANCE "VI_1" MASTER_PRIORITY 150', 'MASTER_PRIORITY 150')
  } catch (err) {
    dump(t, [r1, r2])
    throw err
  }
  const lines = linesOf(out)
  t.equal(lines[1], 'INSTANCE "VI_1" BACKUP 150', 'start-up: BACKUP first')
  t.equal(lines[2], 'INSTANCE "VI_1" MASTER 150')
  t.ok(lines.indexOf('INSTANCE "VI_1" MASTER_PRIORITY 130') < lines.indexOf('INSTANCE "VI_1" MASTER_PRIORITY 150'), 'in order')
})

t.test('vrrp_sync_group notify: notify_master then notify GROUP G1 STATE 0, in order through shutdown; GROUP lines on the FIFO', async (t) => {
  const dir = tempDir(t)
  const out = join(dir, 'fifo.out')
  const fifo = join(dir, 'vrrp.fifo')
  const reader = readerScript(dir, out)
  const notifyLog = join(dir, 'group.log')
  const script = join(dir, 'group.sh')
  writeFileSync(script, `#!/bin/sh\necho "$* seq=$FLOATIP_NOTIFY_SEQ" >> ${notifyLog}\n`)
  chmodSync(script, 0o755)
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const group = ['vrrp_sync_group G1 {', '    group {', '        VI_1', '        VI_2', '    }', `    notify_master "${script} master-hook"`, `    notify ${script}`, '}']
  const conf = keepalivedConf({
    globalExtra: [`vrrp_notify_fifo ${fifo}`, `vrrp_notify_fifo_script ${reader}`],
    sections: group,
    instances: [
      { name: 'VI_1', vrid: 51, priority: 150, advertInt: 0.1, version: 3, vips: [lab.vip4(0)] },
      { name: 'VI_2', vrid: 52, priority: 150, advertInt: 0.1, version: 3, vips: [lab.vip4(1)] }
    ]
  })
  const r1 = daemons.floatip('r1', conf)
  try {
    await r1.waitForLog((l) => l.msg === 'sync group state changed' && l.to === 'MASTER', 'G1 MASTER')
    await waitLine(out, 'GROUP "G1" MASTER 0', 'GROUP MASTER line')
    await waitFor(() => existsSync(notifyLog) && readFileSync(notifyLog, 'utf8').includes('GROUP G1 MASTER 0'), { timeoutMs: 3000, what: 'group notify MASTER ran' })
    t.same(r1.stderr, [], 'no config diagnostics')
    const exit = new Promise<number | null>((resolve) => r1.child.once('exit', (code) => resolve(code)))
    lab.kill(r1.child, 'SIGTERM')
    t.equal(await exit, 0, 'exit 0')
  } catch (err) {
    dump(t, [r1])
    throw err
  }
  t.same(readFileSync(notifyLog, 'utf8').trim().split('\n'), ['GROUP G1 BACKUP 0 seq=1', 'master-hook seq=2', 'GROUP G1 MASTER 0 seq=2', 'GROUP G1 STOP 0 seq=3'], 'the group\'s scripts in order, a sequence per group')
  const lines = linesOf(out)
  t.same(lines.filter((l) => l.startsWith('GROUP')), ['GROUP "G1" BACKUP 0', 'GROUP "G1" MASTER 0', 'GROUP "G1" STOP 0'])
  t.same(lines.filter((l) => l.startsWith('INSTANCE "VI_1"')), ['INSTANCE "VI_1" BACKUP 150', 'INSTANCE "VI_1" MASTER 150', 'INSTANCE "VI_1" STOP 150'])
})

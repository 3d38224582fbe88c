// floatip protecting a real service, as the users' blog posts set it up: Debian's nginx runs in
// each router's namespace (a private site listening on the router's address, 127.0.0.1 and the
// VIP, which needs net.ipv4.ip_nonlocal_bind in that namespace while the VIP is elsewhere), and
// floatip on both routers tracks it with a `vrrp_script` that fetches the local page with curl.
// The client fetches http://VIP/ and sees which router answers. nginx is stopped with SIGTERM to
// the pid this test spawned (never by name).
//
// Cases: the weight moves mastership and the recovered master preempts back; nopreempt on both
// with a weight-0 check (FAULT) keeps the VIP on the backup-turned-master; and the two ways a
// weight does NOT move the VIP although nginx is down: a weight too small for the priorities
// (150 - 60 > 80), and nopreempt on the backup (it accepts a lower-priority master; keepalived's
// rule too). Times are logged with t.comment; the only bound asserted is a loose one (a hang).
import t, { type Test } from 'tap'
import type { ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { withLab, waitFor, type Lab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, stateChange, vipHolders, holdersOverTime, type RunningDaemon, type LogLine } from '../helpers/daemons.js'
import { writeNginxSite, nginxArgv, type NginxSite } from '../helpers/nginx.js'
import { monotonicUs } from '../../src/native/index.js'

const ROUTERS = ['r1', 'r2'] as const
type Router = typeof ROUTERS[number]

// The check, as the posts write it (curl of the local page), at test speed.
const CHECK = { intervalS: 0.3, timeoutS: 1, fall: 2, rise: 2 }
const ADVERT_INT_S = 0.1
/** Catches a hang, not a slow run: the expected takeover is interval × fall + Master_Down_Interval (< 1 s). */
const LOOSE_BOUND_MS = 8000

interface Options {
  priority: Record<Router, number>
  /** The vrrp_script's weight; undefined: keepalived's default 0 (a failing check is FAULT). */
  weight?: number
  /** state BACKUP + nopreempt on both routers (otherwise r1 is state MASTER, r2 BACKUP). */
  nopreempt?: boolean
}

function routerConf (router: Router, vip: string, o: Options): string {
  const script = [
    'vrrp_script chk_nginx {',
    '    script "curl -fsS -m 1 -o /dev/null http://127.0.0.1/"',
    `    interval ${CHECK.intervalS}`,
    `    timeout ${CHECK.timeoutS}`,
    `    fall ${CHECK.fall}`,
    `    rise ${CHECK.rise}`,
    ...(o.weight === undefined ? [] : [`    weight ${o.weight}`]),
    '}'
  ]
  return keepalivedConf({
    routerId: router,
    sections: script,
    instances: [{
      name: 'VI_1',
      state: o.nopreempt === true || router === 'r2' ? 'BACKUP' : 'MASTER',
      vrid: 51,
      priority: o.priority[router],
      advertInt: ADVERT_INT_S,
      version: 3,
      nopreempt: o.nopreempt,
      vips: [vip],
      extra: ['track_script {', '    chk_nginx', '}']
    }]
  })
}

interface Setup {
  lab: Lab
  vip: string
  sites: Record<Router, NginxSite>
  nginx: Record<Router, ChildProcess>
  fl: Record<Router, RunningDaemon>
}

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-nginx-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  chmodSync(dir, 0o755)
  return dir
}

/** The client's GET http://VIP/: the page, or "error: ..." (curl's message). */
async function fetchVip (lab: Lab, vip: string): Promise<string> {
  try {
    return (await lab.run('c', ['curl', '-fsS', '--connect-timeout', '1', '-m', '2', `http://${vip}/`], { timeoutMs: 5000 })).stdout
  } catch (err) {
    return `error: ${String((err as { stderr?: string }).stderr ?? err).trim()}`
  }
}

async function startNginx (lab: Lab, router: Router, site: NginxSite): Promise<ChildProcess> {
  const child = lab.spawn(router, nginxArgv(site))
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`${router}'s nginx exited with ${child.exitCode}; see ${site.errorLog}`)
    return await lab.run(router, ['curl', '-fsS', '-m', '1', '-o', '/dev/null', 'http://127.0.0.1/']).then(() => true, () => false)
  }, { timeoutMs: 5000, what: `${router}'s nginx answering` })
  return child
}

/** SIGTERM to the nginx master this test spawned; returns the monotonic µs of the signal. */
async function stopNginx (lab: Lab, child: ChildProcess): Promise<number> {
  const atUs = monotonicUs()
  lab.kill(child, 'SIGTERM')
  if (!await lab.waitExit(child, 5000)) throw new Error('nginx did not exit within 5 s of SIGTERM')
  return atUs
}

function dump (t: Test, s: Setup): void {
  for (const d of Object.values(s.fl)) {
    t.comment(d.node, JSON.stringify(d.logs.map(({ time, pid, hostname, name, ...l }) => l)), d.stderr.join('\n'), `exit ${String(d.child.exitCode)}`)
  }
}

/** A lab with nginx on both routers and floatip tracking it; r1 MASTER and serving the client. */
async function setup (t: Test, o: Options): Promise<Setup> {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const dir = tempDir(t)
  const vip = lab.vip4(0)
  const sites = {} as Record<Router, NginxSite>
  const nginx = {} as Record<Router, ChildProcess>
  for (const r of ROUTERS) {
    // Only inside the router's namespace: nginx may bind the VIP while another router holds it.
    lab.exec(r, ['sysctl', '-qw', 'net.ipv4.ip_nonlocal_bind=1'])
    sites[r] = writeNginxSite(dir, { name: r, listen: [`${lab.node(r).links[0].ipv4}:80`, '127.0.0.1:80', `${vip}:80`] })
    nginx[r] = await startNginx(lab, r, sites[r])
  }
  const fl = {} as Record<Router, RunningDaemon>
  const s: Setup = { lab, vip, sites, nginx, fl }
  try {
    // r1 first: with nopreempt on both, whoever becomes master first keeps the VIP.
    fl.r1 = daemons.floatip('r1', routerConf('r1', vip, o))
    await fl.r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 MASTER')
    fl.r2 = daemons.floatip('r2', routerConf('r2', vip, o))
    await fl.r2.waitForLog(stateChange('VI_1', 'BACKUP'), 'r2 BACKUP')
    t.same(fl.r1.stderr, [], 'no config diagnostics')
    t.notOk(fl.r1.logs.some((l) => /not run yet|disabl/.test(l.msg ?? '')), 'the track script runs')
    t.same(await vipHolders(lab, ROUTERS, vip), ['r1'], 'r1 holds the VIP')
    t.equal(await fetchVip(lab, vip), sites.r1.page, 'the client gets r1\'s page')
  } catch (err) {
    dump(t, s)
    throw err
  }
  return s
}

const priorityChanged = (to: number) => (l: LogLine): boolean => l.msg === 'priority changed' && l.instance === 'VI_1' && l.to === to
const ms = (us: number): string => (us / 1000).toFixed(1)

t.test('weight -60, 150 vs 100: nginx stops, the VIP moves to r2 after fall checks; nginx back, r1 preempts after rise checks', async (t) => {
  const s = await setup(t, { priority: { r1: 150, r2: 100 }, weight: -60 })
  const { lab, vip, fl } = s
  const from1 = fl.r1.logs.length
  const from2 = fl.r2.logs.length
  const stoppedUs = await stopNginx(lab, s.nginx.r1)
  const failed = await fl.r1.waitForLog((l) => l.msg === 'vrrp_script failed' && l.script === 'chk_nginx', 'the check fails', { from: from1, timeoutMs: LOOSE_BOUND_MS })
  await fl.r1.waitForLog(priorityChanged(90), 'r1 priority 150 - 60', { from: from1, timeoutMs: LOOSE_BOUND_MS })
  const master = await fl.r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from: from2, timeoutMs: LOOSE_BOUND_MS })
  const takeoverUs = Number(master.atUs) - stoppedUs
  t.ok(takeoverUs > 0 && takeoverUs < LOOSE_BOUND_MS * 1000, 'r2 took over within the loose bound')
  t.comment(`nginx stopped → r2 MASTER in ${ms(takeoverUs)} ms (check: interval ${CHECK.intervalS} s × fall ${CHECK.fall}; then r2's Master_Down_Interval at advert_int ${ADVERT_INT_S} s)`)
  t.equal(failed.exitCode, 7, 'curl\'s exit code 7: connection refused')
  await fl.r1.waitForLog(stateChange('VI_1', 'BACKUP'), 'r1 yields', { from: from1, timeoutMs: LOOSE_BOUND_MS })
  await waitFor(async () => (await vipHolders(lab, ROUTERS, vip)).join() === 'r2', { timeoutMs: 3000, what: 'the VIP on r2 only' })
  await waitFor(async () => await fetchVip(lab, vip) === s.sites.r2.page, { timeoutMs: 3000, what: 'the client gets r2\'s page' })
  t.pass('the client gets r2\'s page')

  const back1 = fl.r1.logs.length
  const back2 = fl.r2.logs.length
  const startedUs = monotonicUs()
  s.nginx.r1 = await startNginx(lab, 'r1', s.sites.r1)
  await fl.r1.waitForLog(priorityChanged(150), 'r1 priority back to 150 after rise successes', { from: back1, timeoutMs: LOOSE_BOUND_MS })
  const preempt = await fl.r1.waitForLog(stateChange('VI_1', 'MASTER'), 'r1 preempts', { from: back1, timeoutMs: LOOSE_BOUND_MS })
  t.comment(`nginx started again → r1 MASTER in ${ms(Number(preempt.atUs) - startedUs)} ms (rise ${CHECK.rise} × interval ${CHECK.intervalS} s, then r1's Master_Down_Interval)`)
  await fl.r2.waitForLog(stateChange('VI_1', 'BACKUP'), 'r2 steps back', { from: back2, timeoutMs: LOOSE_BOUND_MS })
  await waitFor(async () => (await vipHolders(lab, ROUTERS, vip)).join() === 'r1', { timeoutMs: 3000, what: 'the VIP back on r1 only' })
  await waitFor(async () => await fetchVip(lab, vip) === s.sites.r1.page, { timeoutMs: 3000, what: 'the client gets r1\'s page again' })
  t.pass('the client gets r1\'s page again')
})

t.test('nopreempt on both (state BACKUP), weight 0: nginx stops, r1 is FAULT and r2 takes over; nginx back, r2 keeps the VIP', async (t) => {
  const s = await setup(t, { priority: { r1: 150, r2: 100 }, nopreempt: true })
  const { lab, vip, fl } = s
  const from1 = fl.r1.logs.length
  const from2 = fl.r2.logs.length
  const stoppedUs = await stopNginx(lab, s.nginx.r1)
  await fl.r1.waitForLog(stateChange('VI_1', 'FAULT'), 'r1 FAULT', { from: from1, timeoutMs: LOOSE_BOUND_MS })
  const master = await fl.r2.waitForLog(stateChange('VI_1', 'MASTER'), 'r2 takes over', { from: from2, timeoutMs: LOOSE_BOUND_MS })
  const takeoverUs = Number(master.atUs) - stoppedUs
  t.ok(takeoverUs > 0 && takeoverUs < LOOSE_BOUND_MS * 1000, 'r2 took over within the loose bound')
  t.comment(`nginx stopped → r2 MASTER in ${ms(takeoverUs)} ms (interval × fall, then r1's priority-0 advert and r2's Skew_Time)`)
  await waitFor(async () => await fetchVip(lab, vip) === s.sites.r2.page, { timeoutMs: 3000, what: 'the client gets r2\'s page' })
  t.same(await vipHolders(lab, ROUTERS, vip), ['r2'], 'r1 removed the VIP when it went to FAULT')

  const back1 = fl.r1.logs.length
  const back2 = fl.r2.logs.length
  s.nginx.r1 = await startNginx(lab, 'r1', s.sites.r1)
  await fl.r1.waitForLog(stateChange('VI_1', 'BACKUP'), 'r1 leaves FAULT', { from: back1, timeoutMs: LOOSE_BOUND_MS })
  // Longer than r1's Master_Down_Interval (about 0.35 s) several times over: a preemption would show.
  t.same(await holdersOverTime(lab, ROUTERS, vip, 10, 150), ['r2'], 'the VIP stays on r2')
  t.notOk(fl.r1.logs.slice(back1).some(stateChange('VI_1', 'MASTER')), 'r1 (150, nopreempt) did not take it back from r2 (100)')
  t.notOk(fl.r2.logs.slice(back2).some((l) => l.msg === 'state changed'), 'r2 stayed MASTER')
  t.equal(await fetchVip(lab, vip), s.sites.r2.page, 'the client still gets r2\'s page')
})

t.test('weights: the VIP moves only when the priorities say so', async (t) => {
  t.test('150 vs 80, weight -60: 90 still beats 80, the VIP stays on r1 although its nginx is down', async (t) => {
    const s = await setup(t, { priority: { r1: 150, r2: 80 }, weight: -60 })
    const from2 = s.fl.r2.logs.length
    await stopNginx(s.lab, s.nginx.r1)
    await s.fl.r1.waitForLog(priorityChanged(90), 'r1 priority 90', { timeoutMs: LOOSE_BOUND_MS })
    t.same(await holdersOverTime(s.lab, ROUTERS, s.vip, 10, 150), ['r1'], 'the VIP stays on r1')
    t.notOk(s.fl.r2.logs.slice(from2).some(stateChange('VI_1', 'MASTER')), 'r2 never became master')
    t.match(await fetchVip(s.lab, s.vip), /^error: .*(refused|Failed to connect)/, 'the client\'s request fails: the weight was too small for these priorities')
  })

  t.test('150 vs 100, weight -60, nopreempt on both: 90 < 100, but a nopreempt backup accepts a lower-priority master', async (t) => {
    const s = await setup(t, { priority: { r1: 150, r2: 100 }, weight: -60, nopreempt: true })
    const from2 = s.fl.r2.logs.length
    await stopNginx(s.lab, s.nginx.r1)
    await s.fl.r1.waitForLog(priorityChanged(90), 'r1 priority 90', { timeoutMs: LOOSE_BOUND_MS })
    t.same(await holdersOverTime(s.lab, ROUTERS, s.vip, 10, 150), ['r1'], 'the VIP stays on r1 (RFC 5798 §6.4.2: Preempt_Mode False resets Master_Down_Timer)')
    t.notOk(s.fl.r2.logs.slice(from2).some(stateChange('VI_1', 'MASTER')), 'r2 never became master')
    t.match(await fetchVip(s.lab, s.vip), /^error: /, 'the client\'s request fails: with nopreempt, use weight 0 (FAULT) as above')
  })
})

// Seed 003 (../shared/seeds/003_*.txt, a blog post on an nginx pair behind a keepalived VIP): its
// two keepalived.conf files, chk_nginx.sh and notify.sh run unchanged under floatip, against real
// nginx, in a lab. The fixtures (test/fixtures/seed-003/) are the post's text as the seed holds it
// (its extraction lost indentation and blank lines; comments and quirks are kept). The only
// changes, made here at run time:
//   - 192.168.1.100 (the VIP) → the lab's VIP 192.0.2.200 (RFC 5737); host A is lab router r1
//     (192.0.2.1), host B r2 (192.0.2.2); the configs name no other address. `interface eth0` is
//     already the lab's interface name.
//   - /etc/keepalived/chk_nginx.sh and notify.sh → copies in a temporary directory per host.
//   - notify.sh's /var/log/keepalived.mail → a file in that directory (one per host, as on two
//     machines).
//   - the second test adds one line, `timeout 10`, to vrrp_script chk_http_port (see below).
//
// Each router is a "host": besides its network namespace it gets its own PID, mount (/proc) and
// UTS namespaces (`unshare --pid --fork --mount-proc --uts`, a small init as PID 1 named hostA or
// hostB). That is what makes the scripts behave as on two machines: chk_nginx.sh's `ps aux | grep
// "nginx: master process"` sees only its host's nginx (the lab shares one PID namespace
// otherwise, and a host-wide nginx from the package install would count too); notify.sh's
// `$(hostname)` names the host; and notify.sh's quirk `$(hostname changed to be ${role})`, which
// runs `hostname` with arguments as root, can only touch the host's own UTS namespace (Debian's
// hostname prints its usage and exits 255: the mail body ends after "vrrp transition,").
// floatip and nginx run inside the host (nsenter); the test reaches them only by pid.
//
// There is no systemd in the lab. `systemctl` is a shim first on the daemons' PATH (bin/systemctl
// per host), standing in for the host's service manager, not for floatip: `start|restart nginx`
// (stop the running master by its pid file, then start nginx, which daemonizes as under systemd;
// the exit status is nginx's) and `stop keepalived` (SIGTERM to the pid the host's launcher wrote
// when it started floatip, then wait for it to exit, as systemctl does). Each call is logged.
// nginx "cannot restart" because the test breaks its config file: nginx itself refuses to start.
//
// What the configs do (check-config and keepalived -t agree): vrrp_strict ignores the
// authentication block (PASS is not allowed in strict mode) and starts host A's `state MASTER`
// (priority 100, not the address owner) as BACKUP; `vrrp_garp_interval 0` / `vrrp_gna_interval 0`
// are rejected and ignored. The adverts are therefore unauthenticated on both hosts. floatip
// check-config calls these warnings and exits 0; keepalived -t prints them (and a script-security
// note) and exits 6, though keepalived runs the files.
//
// What the post's failover does NOT do: chk_nginx.sh sleeps 5 s after a failed restart before it
// runs `systemctl stop keepalived`, but the script has no `timeout`, so it gets the interval, 2 s
// (keepalived: `timeout ? timeout : interval`), and is killed (its process group) in the sleep.
// The stop never runs; two timed-out runs are a failure (fall 2) and weight -5 leaves host A at
// 95, still above B's 90 (and B's nopreempt would keep A as master at any priority): the VIP stays
// on a host whose nginx is down. The first test shows exactly that with the files unchanged; the
// second adds `timeout 10` and shows the failover the post describes, then host A's return with
// a fresh floatip, which takes the VIP back (state MASTER, priority 100 > 90: "VIPA 争抢").
//
// Waits are bounded; the takeover times are logged, not asserted (advert_int 1: seconds).
import t, { type Test } from 'tap'
import { spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { withLab, waitFor, type Lab } from '../helpers/lab.js'
import { stateChange, vipHolders, holdersOverTime, type LogLine } from '../helpers/daemons.js'
import { writeNginxSite, nginxArgv, type NginxSite } from '../helpers/nginx.js'
import { FLOATIP_CLI, onLines } from '../../src/lab/index.js'
import { IoLoop, VrrpSocket, monotonicUs } from '../../src/native/index.js'
import { decodeAdvert } from '../../src/protocol/vrrp-codec.js'
import { formatIp } from '../../src/protocol/ip-address.js'

const FIXTURES = fileURLToPath(new URL('../fixtures/seed-003/', import.meta.url))
const POST_VIP = '192.168.1.100'
const ROUTERS = ['r1', 'r2']
/** advert_int 1: start-up to MASTER is Master_Down_Interval, about 3.6 s; each wait allows much more. */
const WAIT_MS = 15_000

interface HostDaemon {
  child: ChildProcess
  logs: LogLine[]
  stderr: string[]
  waitForLog: (match: (l: LogLine) => boolean, what: string, options?: { from?: number, timeoutMs?: number }) => Promise<LogLine>
}

const SHIM = (host: string, site: NginxSite, dir: string): string => `#!/bin/sh
# systemctl for lab host ${host} (seed-003 test): stands in for the host's service manager.
log=${join(dir, 'systemctl.log')}
echo "$*" >> "$log"
alive () { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat")" != Z ]; }
stop_pid () {
  pid=$(cat "$1" 2>/dev/null) || return 0
  [ -n "$pid" ] && alive "$pid" || return 0
  kill -TERM "$pid"
  i=0; while alive "$pid" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
}
case "$1 $2" in
  "start nginx"|"restart nginx")
    stop_pid ${site.pidFile}
    if ${nginxArgv(site).join(' ')} </dev/null >/dev/null; then exit 0; fi
    echo "Job for nginx.service failed because the control process exited with error code." >&2
    exit 1 ;;
  "stop nginx") stop_pid ${site.pidFile} ;;
  "stop keepalived") stop_pid ${join(dir, 'keepalived.pid')} ;;
  *) echo "systemctl (lab shim): not handled: $*" >&2; exit 1 ;;
esac
`

/** PID 1 of a host: its hostname, then it waits; SIGTERM ends it (and the kernel ends its namespace). */
const INIT = 'trap "exit 0" TERM INT; hostname "$1"; while :; do sleep 3600 & wait $!; done'

/** The post's files for one host, with the run-time substitutions of the header; returns the config's path. */
function installPostFiles (dir: string, fixture: string, vip: string, extraScriptLines: string[]): { conf: string, mailLog: string } {
  const etc = join(dir, 'etc', 'keepalived')
  mkdirSync(etc, { recursive: true })
  const mailLog = join(dir, 'keepalived.mail')
  const conf = join(etc, 'keepalived.conf')
  let text = readFileSync(join(FIXTURES, fixture), 'utf8').replaceAll(POST_VIP, vip).replaceAll('/etc/keepalived/', `${etc}/`)
  for (const line of extraScriptLines) text = text.replace(/^interval 2$/m, `interval 2\n${line}`)
  if (/192\.168\.|"\/etc\/keepalived\//.test(text)) throw new Error(`${fixture}: an address or path of the post is left`)
  writeFileSync(conf, text)
  copyFileSync(join(FIXTURES, 'chk_nginx.sh'), join(etc, 'chk_nginx.sh'))
  writeFileSync(join(etc, 'notify.sh'), readFileSync(join(FIXTURES, 'notify.sh'), 'utf8').replaceAll('/var/log/keepalived.mail', mailLog))
  for (const f of ['chk_nginx.sh', 'notify.sh']) chmodSync(join(etc, f), 0o755)
  return { conf, mailLog }
}

class Host {
  readonly bin: string
  readonly mailLog: string
  readonly conf: string
  readonly site: NginxSite
  #initPid = 0
  floatip: HostDaemon | null = null

  constructor (readonly lab: Lab, readonly router: string, readonly name: string, readonly dir: string, fixture: string, extraScriptLines: string[]) {
    this.bin = join(dir, 'bin')
    mkdirSync(this.bin, { recursive: true })
    const files = installPostFiles(dir, fixture, lab.vip4(0), extraScriptLines)
    this.conf = files.conf
    this.mailLog = files.mailLog
    this.site = writeNginxSite(dir, { name, listen: ['80'], foreground: false })
    writeFileSync(join(this.bin, 'systemctl'), SHIM(name, this.site, dir))
    chmodSync(join(this.bin, 'systemctl'), 0o755)
  }

  /** Starts the host's init in the router's namespace and finds its pid (its unshare's child). */
  async boot (): Promise<void> {
    const unshare = this.lab.spawn(this.router, ['unshare', '--pid', '--fork', '--mount-proc', '--uts', '--', 'sh', '-c', INIT, 'init', this.name])
    await waitFor(() => {
      const children = readFileSync(`/proc/${String(unshare.pid)}/task/${String(unshare.pid)}/children`, 'utf8').trim()
      if (children !== '') this.#initPid = Number(children.split(' ')[0])
      return children !== '' && readFileSync(`/proc/${this.#initPid}/cmdline`, 'utf8').startsWith('sh')
    }, { timeoutMs: 5000, what: `${this.name}'s init` })
  }

  /** argv that runs inside the host, with the shim first on PATH. */
  inside (argv: string[]): string[] {
    return ['nsenter', '-t', String(this.#initPid), '-p', '-m', '-u', '--', 'env', `PATH=${this.bin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, ...argv]
  }

  async sh (script: string): Promise<string> {
    return (await this.lab.run(this.router, this.inside(['sh', '-c', script]), { timeoutMs: 10_000 })).stdout
  }

  /** The service manager starts floatip ("keepalived") and records its pid, as systemd's MainPID. */
  startFloatip (): HostDaemon {
    const launcher = `echo $$ > ${join(this.dir, 'keepalived.pid')}; exec "$@"`
    const child = this.lab.spawn(this.router, this.inside(['sh', '-c', launcher, 'keepalived', process.execPath, FLOATIP_CLI, 'run', '-f', this.conf]), { stdio: ['ignore', 'pipe', 'pipe'] })
    this.floatip = trackLogs(child, this.name)
    return this.floatip
  }

  async nginxUp (): Promise<boolean> {
    return await this.lab.run(this.router, ['curl', '-fsS', '-m', '1', '-o', '/dev/null', 'http://127.0.0.1/']).then(() => true, () => false)
  }

  systemctlCalls (): string[] {
    const path = join(this.dir, 'systemctl.log')
    return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n') : []
  }

  /** The roles of notify.sh's subject lines ("hostA to be master: 192.0.2.200 floating"), in order. */
  mailRoles (): string[] {
    if (!existsSync(this.mailLog)) return []
    const subject = new RegExp(`^${this.name} to be (\\w+): ${this.lab.vip4(0).replaceAll('.', '\\.')} floating$`)
    return readFileSync(this.mailLog, 'utf8').split('\n').flatMap((l) => subject.exec(l)?.[1] ?? [])
  }

  /** The admin breaks nginx.conf: every start fails from now on (nginx's own error). */
  breakNginx (): void {
    writeFileSync(this.site.conf, readFileSync(this.site.conf, 'utf8') + 'this_is_not_a_directive;\n')
  }

  fixNginx (): void {
    writeFileSync(this.site.conf, readFileSync(this.site.conf, 'utf8').replace('this_is_not_a_directive;\n', ''))
  }
}

function trackLogs (child: ChildProcess, node: string): HostDaemon {
  const logs: LogLine[] = []
  const stderr: string[] = []
  onLines(child.stdout, (line) => {
    try { logs.push(JSON.parse(line) as LogLine) } catch { stderr.push(line) }
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr.push(...chunk.split('\n').filter((l) => l !== '')) })
  return {
    child,
    logs,
    stderr,
    waitForLog: async (match, what, options = {}) => {
      let found: LogLine | undefined
      await waitFor(() => {
        found = logs.find((l, i) => i >= (options.from ?? 0) && match(l))
        if (found === undefined && child.exitCode !== null) throw new Error(`${node}: floatip exited (${child.exitCode}) before: ${what}`)
        return found !== undefined
      }, { timeoutMs: options.timeoutMs ?? WAIT_MS, intervalMs: 10, what: `${node}: ${what}` })
      return found as LogLine
    }
  }
}

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-seed003-'))
  chmodSync(dir, 0o755)
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function fetchVip (lab: Lab): Promise<string> {
  try {
    return (await lab.run('c', ['curl', '-fsS', '--connect-timeout', '1', '-m', '2', `http://${lab.vip4(0)}/`], { timeoutMs: 5000 })).stdout
  } catch (err) {
    return `error: ${String((err as { stderr?: string }).stderr ?? err).trim()}`
  }
}

function dump (t: Test, hosts: Host[]): void {
  for (const h of hosts) {
    t.comment(h.name, JSON.stringify(h.floatip?.logs.map(({ time, pid, hostname, name, ...l }) => l)), h.floatip?.stderr.join('\n'), 'systemctl:', h.systemctlCalls().join(' | '))
  }
}

/** Both hosts booted with nginx running; A's floatip MASTER holding the VIP, B's BACKUP. */
async function twoHosts (t: Test, extraScriptLines: string[] = []): Promise<{ lab: Lab, a: Host, b: Host }> {
  const lab = await withLab(t, { routers: 2, client: true, ipv6: false })
  const dir = tempDir(t)
  const a = new Host(lab, 'r1', 'hostA', join(dir, 'hostA'), 'host-a.keepalived.conf', extraScriptLines)
  const b = new Host(lab, 'r2', 'hostB', join(dir, 'hostB'), 'host-b.keepalived.conf', extraScriptLines)
  for (const h of [a, b]) {
    await h.boot()
    t.equal((await h.sh('hostname')).trim(), h.name, `${h.name}: its own hostname`)
    await h.sh('systemctl start nginx')
    await waitFor(() => h.nginxUp(), { timeoutMs: 5000, what: `${h.name}'s nginx answering` })
  }
  try {
    // A first: B (nopreempt) would keep the VIP if it became master before A started.
    const fa = a.startFloatip()
    await fa.waitForLog(stateChange('VI_1', 'MASTER'), 'host A MASTER')
    const fb = b.startFloatip()
    await fb.waitForLog(stateChange('VI_1', 'BACKUP'), 'host B BACKUP')
    t.same(await vipHolders(lab, ROUTERS, lab.vip4(0)), ['r1'], 'host A holds the VIP')
    t.equal(await fetchVip(lab), a.site.page, 'the client gets host A\'s nginx')
    await waitFor(() => a.mailRoles().includes('master'), { timeoutMs: 5000, what: 'host A\'s notify.sh mail' })
    t.same(a.mailRoles(), ['backup', 'master'], 'notify.sh on A logged backup (start-up), then master')
    t.match(readFileSync(a.mailLog, 'utf8'), /^hostA to be master: 192\.0\.2\.200 floating\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: vrrp transition,\n\n/m, 'subject, body (cut short by the $(hostname changed ...) quirk), blank line')
    await waitFor(() => b.mailRoles().length > 0, { timeoutMs: 5000, what: 'host B\'s notify.sh mail' })
    t.same(b.mailRoles(), ['backup'], 'notify.sh on B logged backup')
  } catch (err) {
    dump(t, [a, b])
    throw err
  }
  return { lab, a, b }
}

/** Stops the host's nginx as a crash would take it away, by its pid inside the host. */
async function killNginx (h: Host): Promise<number> {
  const atUs = monotonicUs()
  await h.sh(`kill -TERM "$(cat ${h.site.pidFile})"`)
  await waitFor(async () => !await h.nginxUp(), { timeoutMs: 5000, what: `${h.name}'s nginx gone` })
  return atUs
}

t.test('check-config accepts both configs as published and says what vrrp_strict does to them, as keepalived -t does', async (t) => {
  const dir = tempDir(t)
  for (const [fixture, strictMaster] of [['host-a.keepalived.conf', true], ['host-b.keepalived.conf', false]] as const) {
    const { conf } = installPostFiles(join(dir, fixture), fixture, '192.0.2.200', [])
    const fl = spawnSync(process.execPath, [FLOATIP_CLI, 'check-config', '-f', conf], { encoding: 'utf8', timeout: 20_000 })
    t.equal(fl.status, 0, `${fixture}: floatip check-config exits 0`)
    t.match(fl.stderr + fl.stdout, /0 error\(s\)/, 'no errors')
    t.match(fl.stderr + fl.stdout, /vrrp_strict does not allow authentication; keepalived ignores the authentication block/, 'auth ignored under vrrp_strict')
    t.match(fl.stderr + fl.stdout, /vrrp_garp_interval 0 is rejected/, 'vrrp_garp_interval 0 ignored')
    if (strictMaster) t.match(fl.stderr + fl.stdout, /with vrrp_strict, state MASTER needs priority 255/, 'state MASTER starts as BACKUP under vrrp_strict')
    const ka = spawnSync('keepalived', ['-t', '-l', '-f', conf], { encoding: 'utf8', timeout: 20_000 })
    if (ka.error !== undefined) {
      t.comment(`keepalived not installed: ${ka.error.message}`)
      continue
    }
    // keepalived 2.2.7 counts these notes (and "SECURITY VIOLATION - scripts are being executed but
    // script_security not enabled") as config errors in -t, yet runs the file as it is.
    t.equal(ka.status, 6, `${fixture}: keepalived -t exits 6 (KEEPALIVED_EXIT_CONFIG_TEST) on the same notes`)
    t.match(ka.stderr + ka.stdout, /Strict mode does not support authentication\. Ignoring\./, 'keepalived ignores the auth block too')
    if (strictMaster) t.match(ka.stderr + ka.stdout, /State MASTER must match being address owner/, 'and the state MASTER note')
  }
})

t.test('as published: nginx dies and cannot restart; chk_nginx.sh is killed at its 2 s timeout in `sleep 5`, keepalived is never stopped, the VIP stays on A', async (t) => {
  const { lab, a, b } = await twoHosts(t)
  const fa = a.floatip as HostDaemon
  const fb = b.floatip as HostDaemon
  // The client listens to host A's adverts meanwhile: what does vrrp_strict + auth PASS send?
  const loop = new IoLoop()
  const rx = new VrrpSocket({ family: 4, interface: lab.node('c').links[0].ifname, netns: lab.node('c').ns })
  t.teardown(() => { rx.close(); loop.close() })
  const adverts: Array<{ version: number, authType?: number, priority: number }> = []
  loop.attach(rx, (p) => {
    const d = decodeAdvert(p.data, { family: 'ipv4', sourceAddress: p.source, destinationAddress: p.destination, ttl: p.ttl })
    if (d.ok && formatIp(p.source) === lab.node('r1').links[0].ipv4) adverts.push(d.advert as { version: number, authType?: number, priority: number })
  })
  const from = fa.logs.length
  const fromB = fb.logs.length
  a.breakNginx()
  await killNginx(a)
  try {
    const killed = await fa.waitForLog((l) => l.msg === 'script timed out; killing its process group' && l.script === 'chk_http_port', 'the check is killed at its timeout', { from })
    t.equal(killed.timeoutMs, 2000, 'timeout: the interval, 2 s')
    await fa.waitForLog((l) => l.msg === 'vrrp_script timed out' && l.script === 'chk_http_port', 'fall 2: the check is down', { from })
    await fa.waitForLog((l) => l.msg === 'priority changed' && l.to === 95, 'weight -5: priority 95', { from })
  } catch (err) {
    dump(t, [a, b])
    throw err
  }
  t.ok(a.systemctlCalls().includes('restart nginx'), 'chk_nginx.sh tried `systemctl restart nginx`')
  t.notOk(await a.nginxUp(), 'which failed: nginx refuses its broken config')
  t.same(await holdersOverTime(lab, ROUTERS, lab.vip4(0), 10, 200), ['r1'], 'the VIP stays on A (95 > 90)')
  t.notOk(a.systemctlCalls().includes('stop keepalived'), '`systemctl stop keepalived` never ran')
  t.equal(fa.child.exitCode, null, 'host A\'s floatip still runs')
  t.notOk(fb.logs.slice(fromB).some((l) => l.msg === 'state changed'), 'B stayed BACKUP')
  t.match(await fetchVip(lab), /^error: /, 'and the client\'s requests fail')

  t.ok(adverts.length >= 3, `the client captured ${adverts.length} adverts from host A (VRRPv2, advert_int 1)`)
  t.same([...new Set(adverts.map((ad) => ad.priority))], [100, 95], 'at priority 100, then 95')
  const auth = [...new Set(adverts.map((ad) => ad.authType))]
  t.comment(`host A's adverts carry auth type ${auth.join(', ')} (0: none, 1: PASS)`)
  // KEEPALIVED: "Strict mode does not support authentication. Ignoring.": keepalived sends auth
  // type 0 here, and would discard host A's adverts if they carried PASS (a mixed pair splits).
  t.same(auth, [0], 'vrrp_strict: no authentication on the wire, as keepalived')
})

t.test('with `timeout 10` added: chk_nginx.sh stops keepalived, B takes the VIP; A returns with a fresh floatip and takes it back', async (t) => {
  const { lab, a, b } = await twoHosts(t, ['timeout 10'])
  const fa = a.floatip as HostDaemon
  const fb = b.floatip as HostDaemon
  const fromB = fb.logs.length
  a.breakNginx()
  const diedUs = await killNginx(a)
  try {
    t.ok(await lab.waitExit(fa.child, WAIT_MS), '`systemctl stop keepalived` stopped host A\'s floatip')
    t.equal(fa.child.exitCode, 0, 'which exited 0 after SIGTERM')
    const master = await fb.waitForLog(stateChange('VI_1', 'MASTER'), 'host B takes over', { from: fromB })
    t.comment(`nginx on A killed → B MASTER in ${((Number(master.atUs) - diedUs) / 1e6).toFixed(2)} s (the next check within interval 2 s, the failed restart, sleep 5, then A's priority-0 advert and B's Skew_Time)`)
  } catch (err) {
    dump(t, [a, b])
    throw err
  }
  t.same(a.systemctlCalls(), ['start nginx', 'restart nginx', 'stop keepalived'], 'host A\'s service manager saw: start (boot), restart (failed), stop keepalived')
  t.ok(fa.logs.some((l) => l.msg === 'stopped'), 'A\'s floatip stopped gracefully')
  await waitFor(async () => (await vipHolders(lab, ROUTERS, lab.vip4(0))).join() === 'r2', { timeoutMs: 5000, what: 'the VIP on B only' })
  await waitFor(async () => await fetchVip(lab) === b.site.page, { timeoutMs: 5000, what: 'the client gets B\'s nginx' })
  t.pass('the client gets host B\'s nginx')
  await waitFor(() => b.mailRoles().length === 2, { timeoutMs: 5000, what: 'B\'s notify.sh mail' })
  t.same(b.mailRoles(), ['backup', 'master'], 'notify.sh on B logged backup → master')

  // The admin repairs nginx and starts it, then keepalived (a fresh floatip).
  a.fixNginx()
  await a.sh('systemctl start nginx')
  await waitFor(() => a.nginxUp(), { timeoutMs: 5000, what: 'A\'s nginx answering again' })
  const back = monotonicUs()
  const fromB2 = fb.logs.length
  const fa2 = a.startFloatip()
  try {
    await fa2.waitForLog(stateChange('VI_1', 'BACKUP'), 'A starts as BACKUP')
    const preempt = await fa2.waitForLog(stateChange('VI_1', 'MASTER'), 'A takes the VIP back (state MASTER, 100 > 90)')
    t.comment(`fresh floatip on A → A MASTER in ${((Number(preempt.atUs) - back) / 1e6).toFixed(2)} s (Node start-up, the start-up check, then A's Master_Down_Interval: it ignores B's lower-priority adverts)`)
    await fb.waitForLog(stateChange('VI_1', 'BACKUP'), 'B yields (nopreempt does not protect a master)', { from: fromB2 })
  } catch (err) {
    dump(t, [a, b])
    throw err
  }
  await waitFor(async () => (await vipHolders(lab, ROUTERS, lab.vip4(0))).join() === 'r1', { timeoutMs: 5000, what: 'the VIP back on A only' })
  await waitFor(async () => await fetchVip(lab) === a.site.page, { timeoutMs: 5000, what: 'the client gets A\'s nginx again' })
  t.pass('the client gets host A\'s nginx again: the VIP moved twice ("VIPA 争抢")')
  await waitFor(() => a.mailRoles().length === 4 && b.mailRoles().length === 3, { timeoutMs: 5000, what: 'the notify.sh mails of the return' })
  t.same(a.mailRoles(), ['backup', 'master', 'backup', 'master'], 'A\'s mail log: first run, then the fresh run')
  t.same(b.mailRoles(), ['backup', 'master', 'backup'], 'B\'s mail log: backup → master → backup')
})

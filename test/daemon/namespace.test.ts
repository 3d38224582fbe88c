// `floatip run --namespace NAME` (keepalived -s): started from the test's own namespace, every
// socket, address and link event of the daemon is in the named lab namespace.
import t from 'tap'
import { spawn } from 'node:child_process'
import { withLab } from '../helpers/lab.js'
import { withDaemons, keepalivedConf, vipHolders } from '../helpers/daemons.js'
import { FLOATIP_CLI, waitFor } from '../../src/lab/index.js'

t.test('--namespace runs the instances inside that namespace', async (t) => {
  const lab = await withLab(t, { routers: 1, client: true, ipv6: false })
  const daemons = withDaemons(t, lab)
  const vip = lab.vip4(0)
  const path = daemons.writeConfig('r1', keepalivedConf({ instances: [{ name: 'VI_1', vrid: 51, priority: 100, advertInt: 0.1, version: 3, vips: [vip] }] }))
  const child = spawn(process.execPath, [FLOATIP_CLI, 'run', '-f', path, '--namespace', lab.node('r1').ns], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  await waitFor(() => out.includes('"to":"MASTER"'), { timeoutMs: 10_000, what: 'MASTER in the namespace' })
  t.same(await vipHolders(lab, ['r1'], vip), ['r1'], 'the VIP is on the namespace\'s eth0')
  await lab.run('c', ['ping', '-c', '1', '-W', '1', vip])
  t.pass('the client reaches it')
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM: exit 0')
  t.same(await vipHolders(lab, ['r1'], vip), [], 'and the VIP is gone')
})

t.test('global_defs vrrp_rt_priority runs the native I/O thread SCHED_FIFO (keepalived semantics); floatip\'s default is FIFO 1, --rt-priority 0 the normal scheduler', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const conf = (extra: string[]): string => keepalivedConf({ globalExtra: extra, instances: [{ name: 'VI_1', vrid: 51, priority: 100, advertInt: 0.1, version: 3, vips: [lab.vip4(0)] }] })
  const cases: Array<[string, string[], string[], string[]]> = [
    ['vrrp_rt_priority 10', ['vrrp_rt_priority 10'], [], ['FF 10']],
    ['the default', [], [], ['FF 1']],
    ['--rt-priority 0', [], ['--rt-priority', '0'], []]
  ]
  for (const [what, extra, args, want] of cases) {
    const r1 = daemons.floatip('r1', conf(extra), args)
    await r1.waitForLog((l) => l.msg === 'running', 'r1 running')
    const fifo = lab.exec('r1', ['ps', '-L', '-o', 'cls=,rtprio=', '-p', String(r1.child.pid)]).split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l.startsWith('FF'))
    t.same(fifo, want, `${what}: ${want.length === 0 ? 'no FIFO thread' : `one thread ${want[0]}`}`)
    lab.kill(r1.child, 'SIGTERM')
    await lab.waitExit(r1.child, 5000)
  }
})

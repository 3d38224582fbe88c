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

t.test('global_defs vrrp_rt_priority runs the native I/O thread SCHED_FIFO (keepalived semantics)', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const daemons = withDaemons(t, lab)
  const conf = (extra: string[]): string => keepalivedConf({ globalExtra: extra, instances: [{ name: 'VI_1', vrid: 51, priority: 100, advertInt: 0.1, version: 3, vips: [lab.vip4(0)] }] })
  for (const [extra, want] of [[['vrrp_rt_priority 10'], true], [[], false]] as const) {
    const r1 = daemons.floatip('r1', conf([...extra]))
    await r1.waitForLog((l) => l.msg === 'running', 'r1 running')
    const classes = lab.exec('r1', ['ps', '-L', '-o', 'cls=', '-p', String(r1.child.pid)])
    t.equal(/\bFF\b/.test(classes), want, `${extra.join(' ') || 'no vrrp_rt_priority'}: a FIFO thread ${want ? 'is' : 'is not'} present`)
    lab.kill(r1.child, 'SIGTERM')
    await lab.waitExit(r1.child, 5000)
  }
})

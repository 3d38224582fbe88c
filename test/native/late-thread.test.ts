// A backup whose process gets no CPU for longer than Master_Down_Interval while the master keeps
// sending: the adverts that arrived in time wait in the socket, and the watch must read them
// before it calls the master down (RFC 5798 §6.4.2: each one resets the timer; the kernel stamped
// them on arrival). The pause is a real SIGSTOP of the child holding the loop.
import t from 'tap'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { withLab, waitFor } from '../helpers/lab.js'
import { typescriptLoaderArgs } from '../helpers/child.js'
import { VrrpSocket } from '../../src/native/index.js'

const fixture = fileURLToPath(new URL('./fixtures/stopped-watch.ts', import.meta.url))
const advert = Buffer.from('3101640100010000c00002fe', 'hex')

t.test('a stopped backup reads the queued adverts before its watch may expire', async (t) => {
  const lab = await withLab(t, { routers: 2, client: false })
  const r1 = lab.node('r1')
  const r2 = lab.node('r2')
  const tx = new VrrpSocket({ family: 4, interface: r1.ifname, netns: r1.ns, source: r1.ipv4, receive: false })
  let sent = 0
  const sender = setInterval(() => { tx.send(advert); sent++ }, 2)
  t.teardown(() => { clearInterval(sender); tx.close() })

  const child = spawn(process.execPath, [...typescriptLoaderArgs(), fixture, r2.ns, r2.ifname, r1.ipv4, advert.toString('hex'), '1500'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  t.teardown(() => { clearTimeout(killer); if (child.exitCode === null) child.kill('SIGKILL') })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  await waitFor(() => stdout.includes('ready\n') || child.exitCode !== null, { timeoutMs: 20_000, what: 'the child to arm its watch' })
  t.ok(stdout.includes('ready'), `child ready (${stderr.trim()})`)

  await new Promise((resolve) => setTimeout(resolve, 200))
  const sentBeforeStop = sent
  child.kill('SIGSTOP')
  await new Promise((resolve) => setTimeout(resolve, 400)) // 8 x the 50 ms timeout
  const sentDuringStop = sent - sentBeforeStop
  child.kill('SIGCONT')
  await exited
  const report = JSON.parse(stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}') as Record<string, number | boolean>
  t.ok(sentDuringStop > 64, `${sentDuringStop} adverts sent while the child was stopped (more than one wake-up reads)`)
  t.equal(report.expired, 0, 'the watch never expired')
  t.equal(report.watchExpired, 0)
  t.equal(report.armed, true, 'still armed at the end')
  t.ok((report.watchBacklogMatched as number) > 0, `${String(report.watchBacklogMatched)} adverts absorbed from the backlog read before the deadline`)
  t.ok((report.rxWatchMatched as number) >= sentDuringStop, `the watch absorbed ${String(report.rxWatchMatched)} adverts`)
})

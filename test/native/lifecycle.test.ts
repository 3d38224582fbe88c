// The addon's lifecycle: it loads and closes cleanly in worker threads (also when a worker is
// terminated mid-use), and a process that exits or crashes mid-use does not abort.
import t from 'tap'
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { withLab } from '../helpers/lab.js'
import { runTsChild, typescriptLoaderArgs } from '../helpers/child.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/uses-loop.ts', import.meta.url))

function startWorker (args: string[]): { worker: Worker, messages: string[], exited: Promise<number> } {
  const worker = new Worker(FIXTURE, { workerData: args, execArgv: typescriptLoaderArgs() })
  const messages: string[] = []
  worker.on('message', (m: string) => messages.push(m))
  worker.on('error', (e) => messages.push(`error: ${e.message}`))
  const exited = new Promise<number>((resolve) => worker.on('exit', resolve))
  return { worker, messages, exited }
}

async function until (predicate: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms && !predicate(); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20))
  return predicate()
}

t.test('loads, runs and closes twice cleanly in a worker thread', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const r1 = lab.node('r1')
  const { messages, exited } = startWorker([r1.ns, r1.ifname, 'close'])
  t.equal(await exited, 0, 'the worker ended by itself once everything was closed')
  t.match(messages[0], /^running sent=\d+/)
  t.ok(Number(messages[0].split('=')[1]) > 10, 'the periodic send ran in the worker')
  t.equal(messages[1], 'closed')
})

t.test('a worker terminated mid-use releases everything (env cleanup hooks)', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const r1 = lab.node('r1')
  const { worker, messages, exited } = startWorker([r1.ns, r1.ifname, 'hang'])
  t.ok(await until(() => messages.length > 0, 10_000), 'worker running')
  await worker.terminate()
  t.equal(await exited, 1, 'terminated')
  // The main thread's own addon instance still works after the worker's environment went away.
  const again = startWorker([r1.ns, r1.ifname, 'close'])
  t.equal(await again.exited, 0)
  t.equal(again.messages[1], 'closed')
})

t.test('a worker that never closes its loop does not keep the process alive forever', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const r1 = lab.node('r1')
  const { messages, exited } = startWorker([r1.ns, r1.ifname, 'throw'])
  t.equal(await exited, 1, 'an uncaught exception ends the worker')
  t.match(messages.join('\n'), /fixture ends with an uncaught exception/)
})

for (const mode of ['exit', 'close', 'throw'] as const) {
  t.test(`a child process that ends by "${mode}" mid-use exits without a native crash`, async (t) => {
    const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
    const r1 = lab.node('r1')
    const result = await runTsChild(FIXTURE, [r1.ns, r1.ifname, mode], { timeoutMs: 20_000 })
    t.equal(result.signal, null, `no signal (stderr: ${result.stderr.slice(0, 300)})`)
    t.equal(result.code, mode === 'throw' ? 1 : 0)
    t.match(result.stdout, /running sent=\d+/)
    t.notMatch(result.stderr, /Assertion|Abort|Segmentation|FATAL/i)
  })
}

// The daemon's handle on the engine's worker thread (src/daemon/engine-thread.ts): the thread is
// spawned before the config is read and waits for start(); a thread that is never started is
// discarded; an engine that cannot start rejects start() and is not taken for a crash. The real
// worker (dist/src/engine/worker.js) runs each time, in a lab namespace.
import t from 'tap'
import { withLab } from '../helpers/lab.js'
import { keepalivedConf } from '../helpers/daemons.js'
import { loadConfig } from '../../src/config/load.js'
import { createMemoryReader } from '../../src/config/memory-reader.js'
import { planInstances, type InstancePlan } from '../../src/engine/instance-plan.js'
import { EngineThread, type EngineThreadEvents } from '../../src/daemon/engine-thread.js'
import { EngineStartError } from '../../src/engine/errors.js'
import type { EngineWorkerData } from '../../src/engine/worker-protocol.js'

function plan (ifname: string, vip: string): InstancePlan {
  const conf = keepalivedConf({ instances: [{ name: 'VI_1', vrid: 9, priority: 150, advertInt: 0.1, version: 3, interface: ifname, vips: [`${vip}/32`] }] })
  const loaded = loadConfig('/k.conf', { reader: createMemoryReader({ '/k.conf': conf }), configId: 'test' })
  return planInstances(loaded.model).plans[0]
}

function startData (netns: string, plans: InstancePlan[]): EngineWorkerData {
  return { plans, netns, logLevel: 'silent', realtime: { priority: 0, required: false } }
}

/** Events that record crashes; the tests below expect none. */
function recorder (): EngineThreadEvents & { crashes: number } {
  const r = { crashes: 0, onEvent: () => {}, onUnexpectedExit: () => { r.crashes++ } }
  return r
}

t.test('a thread that is never started ends on discard()', async (t) => {
  const thread = EngineThread.spawn()
  await thread.discard()
  t.equal(await thread.status(), null, 'no engine answers: the thread has exited')
})

t.test('spawned early, started later: the engine runs the plans and shuts down', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const r1 = lab.node('r1')
  const thread = EngineThread.spawn()
  const events = recorder()
  const status = await thread.start(startData(r1.ns, [plan(r1.ifname, lab.vip4(0))]), events)
  t.same(status.instances.map((i) => [i.name, i.interface]), [['VI_1', r1.ifname]], 'ready with the plan\'s instance')
  await t.rejects(thread.start(startData(r1.ns, []), events), /already started/, 'start() only once')
  const final = await thread.shutdown()
  t.equal(final?.instances[0].state, 'INIT', 'shut down: the instance back in INIT')
  await thread.discard()
  t.equal(events.crashes, 0, 'a requested shutdown is not a crash')
})

t.test('an engine that cannot start rejects start() and is not reported as a crash', async (t) => {
  const lab = await withLab(t, { routers: 1, client: false, ipv6: false })
  const thread = EngineThread.spawn()
  const events = recorder()
  const err = await thread.start(startData(lab.node('r1').ns, [plan('fipnone0', lab.vip4(0))]), events).catch((e: unknown) => e)
  t.ok(err instanceof EngineStartError, 'EngineStartError')
  t.match((err as Error).message, /fipnone0/, 'names the missing interface')
  t.equal(await thread.status(), null, 'the thread has exited')
  t.equal(events.crashes, 0, 'onUnexpectedExit not called')
})

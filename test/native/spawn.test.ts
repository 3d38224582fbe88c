// spawnDetached: the addon's posix_spawn for scripts. The child leads a new session, has every
// signal at its default and none blocked (Node itself ignores SIGPIPE), stdio on /dev/null, only
// fds 0-2 open and the environment it was given (all seen from outside, in /proc); its exit code
// or signal comes back once, and it is reaped (no zombie). A program that cannot be executed
// throws ENOENT / EACCES and starts nothing.
import t, { type Test } from 'tap'
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { packageRoot, spawnDetached, type ChildExit } from '../../src/native/index.js'
import { waitFor } from '../helpers/lab.js'

async function run (argv: string[], env?: Record<string, string>): Promise<{ pid: number, exit: ChildExit }> {
  return await new Promise((resolve) => {
    const pid: number = spawnDetached(argv, env, (exit) => resolve({ pid, exit }))
  })
}

function scratch (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-spawn-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The value of a `Name:\tvalue` line of /proc/PID/status. */
function statusField (status: string, name: string): string {
  return (new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status) ?? [])[1] ?? ''
}

t.test('exit codes and signals come back once; the child is reaped', async (t) => {
  t.same((await run(['/bin/sh', '-c', 'exit 0'])).exit, { code: 0, signal: null })
  t.same((await run(['/bin/sh', '-c', 'exit 7'])).exit, { code: 7, signal: null })
  const killed = await run(['/bin/sh', '-c', 'kill -TERM $$'])
  t.same(killed.exit, { code: null, signal: 'SIGTERM' })
  t.notOk(existsSync(`/proc/${killed.pid}`), 'no zombie left: the pid is gone')
  t.same((await run(['true'])).exit, { code: 0, signal: null }, 'a bare name is looked up in PATH')
})

t.test('new session, default signals, nothing blocked, stdio /dev/null, no other fds, env as given', async (t) => {
  // The child is inspected from outside, through /proc, while it runs.
  let exited: (exit: ChildExit) => void = () => {}
  const ended = new Promise<ChildExit>((resolve) => { exited = resolve })
  const pid = spawnDetached(['sleep', '30'], { ONLY: 'this', PATH: '/usr/bin:/bin' }, (exit) => exited(exit))
  t.teardown(() => { try { process.kill(pid, 'SIGKILL') } catch { /* gone */ } })
  // posix_spawn (CLONE_VFORK) returns once the child's execve has passed its point of no return;
  // the kernel sets the new comm and the environment's place just after that, so both are read
  // with a bounded wait rather than at once.
  t.equal(await waitFor(() => readFileSync(`/proc/${pid}/comm`, 'latin1').trim() === 'sleep' || undefined,
    { timeoutMs: 2000, intervalMs: 5, what: 'the child\'s comm' }), true, 'the child runs sleep')
  const stat = /^(\d+) \(sleep\) \S (\d+) (\d+) (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, 'latin1'))
  t.ok(stat !== null, 'the stat line')
  const [, , ppid, pgrp, session] = (stat as RegExpExecArray).map(Number)
  t.equal(ppid, process.pid, 'a child of this process')
  t.equal(pgrp, pid, 'it leads its own process group')
  t.equal(session, pid, 'and its own session')
  const status = readFileSync(`/proc/${pid}/status`, 'latin1')
  // Signals 1-31; glibc's posix_spawn leaves its two internal real-time signals (32, 33) ignored.
  const low31 = (field: string): number => Number(BigInt(`0x${statusField(status, field)}`) & 0x7fffffffn)
  t.equal(low31('SigIgn'), 0, 'no signal ignored (Node ignores SIGPIPE; the script must not)')
  t.equal(low31('SigBlk'), 0, 'no signal blocked')
  const fds = readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b)
  t.same(fds, [0, 1, 2], 'only stdio: no fd of the daemon leaks into the child, CLOEXEC or not')
  t.same(fds.map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`)), ['/dev/null', '/dev/null', '/dev/null'], 'stdio is /dev/null')
  // /proc/PID/environ reads empty until the kernel has placed the new environment.
  const environ = await waitFor(() => {
    const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter((e) => e !== '')
    return env.length > 0 ? env : undefined
  }, { timeoutMs: 2000, intervalMs: 5, what: 'the child\'s environment in /proc' })
  t.same(environ, ['ONLY=this', 'PATH=/usr/bin:/bin'], 'exactly the environment given')
  process.kill(pid, 'SIGKILL')
  t.same(await ended, { code: null, signal: 'SIGKILL' })
})

t.test('cannot execute: ENOENT or EACCES thrown, nothing started', async (t) => {
  t.throws(() => spawnDetached(['/nonexistent/x'], undefined, () => t.fail('no exit for a child never started')),
    { code: 'ENOENT', syscall: 'posix_spawn', message: /\/nonexistent\/x/ })
  const dir = scratch(t)
  const plain = join(dir, 'not-executable')
  writeFileSync(plain, '#!/bin/sh\nexit 0\n')
  chmodSync(plain, 0o644)
  t.throws(() => spawnDetached([plain], undefined, () => t.fail('no exit')), { code: 'EACCES' })
  t.throws(() => spawnDetached([], undefined, () => {}), TypeError)
  await new Promise((resolve) => setTimeout(resolve, 50))
})

t.test('many at once: every exit reported with its own code', async (t) => {
  const runs = await Promise.all(Array.from({ length: 40 }, async (_, i) => await run(['/bin/sh', '-c', `exit ${i}`])))
  t.same(runs.map((r) => r.exit.code), Array.from({ length: 40 }, (_, i) => i))
  await waitFor(() => runs.every((r) => !existsSync(`/proc/${r.pid}`)), { timeoutMs: 3000, what: 'all reaped' })
})

t.test('a worker that ends while its child runs: no crash, the child is left to its owner', async (t) => {
  const { Worker } = await import('node:worker_threads')
  // The worker loads the addon itself (node-gyp-build, as binding.ts does) and calls it raw.
  const source = `
    const { parentPort, workerData } = require('node:worker_threads')
    const addon = require(workerData.gypBuild)(workerData.root)
    parentPort.postMessage(addon.spawnDetached(['sleep', '30'], null, () => parentPort.postMessage('exit')))`
  const worker = new Worker(source, { eval: true, workerData: { gypBuild: createRequire(import.meta.url).resolve('node-gyp-build'), root: packageRoot } })
  const pid = await new Promise<number>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject) })
  t.teardown(() => { try { process.kill(pid, 'SIGKILL') } catch { /* gone */ } })
  t.equal(readFileSync(`/proc/${pid}/comm`, 'latin1').trim(), 'sleep', 'the worker started it')
  await worker.terminate()
  t.ok(existsSync(`/proc/${pid}`), 'ending the worker (its cleanup hook) did not touch the child')
  process.kill(pid, 'SIGKILL')
})

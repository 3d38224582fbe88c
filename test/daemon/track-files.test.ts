// track_file without a lab: keepalived's reading of the number (strtol base 0; empty, missing or
// unreadable = 0; out of range = ignored), init_file, the weights, and real temporary files watched
// through writes, deletes and rename-replace.
import t, { type Test } from 'tap'
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '../../src/io/logger.js'
import { TrackFiles, initTrackFile, parseTrackFileValue, readTrackFile, resolveTrackFile } from '../../src/daemon/track-files.js'
import { evaluateInstance, type InstanceTrackingPlan, type TrackedFilePlan, type TrackedValue } from '../../src/daemon/tracking-plan.js'
import { waitFor } from '../helpers/lab.js'

const silent = createLogger({ level: 'silent' })

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'floatip-trackfile-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('KEEPALIVED process_track_file: strtol(text, NULL, 0) within [-2^31, 2^31]', async (t) => {
  const cases: Array<[string, number | null]> = [
    ['', 0], ['5', 5], ['  -7\n', -7], ['+3', 3], ['12abc', 12], ['abc', 0], ['\n', 0],
    ['0x1f', 31], ['-0x10', -16], ['0x', 0], ['010', 8], ['08', 0], ['0', 0],
    ['2147483648', 2147483648], ['2147483649', null], ['-2147483648', -2147483648], ['-2147483649', null],
    ['99999999999999999999', null]
  ]
  for (const [text, value] of cases) t.equal(parseTrackFileValue(text), value, JSON.stringify(text))
})

t.test('readTrackFile: missing, empty, unreadable-as-directory and text without a number are 0; first 127 bytes only', async (t) => {
  const dir = tempDir(t)
  t.match(readTrackFile(join(dir, 'nope')), { kind: 'value', value: 0, note: 'missing' })
  writeFileSync(join(dir, 'empty'), '')
  t.match(readTrackFile(join(dir, 'empty')), { kind: 'value', value: 0, note: 'empty' })
  writeFileSync(join(dir, 'word'), 'hello\n')
  t.match(readTrackFile(join(dir, 'word')), { kind: 'value', value: 0, note: 'no-number' })
  mkdirSync(join(dir, 'sub'))
  t.match(readTrackFile(join(dir, 'sub')), { kind: 'value', value: 0, note: 'unreadable', error: 'EISDIR' })
  writeFileSync(join(dir, 'n'), '-42\n')
  t.match(readTrackFile(join(dir, 'n')), { kind: 'value', value: -42, note: 'number' })
  writeFileSync(join(dir, 'big'), '99999999999\n')
  t.match(readTrackFile(join(dir, 'big')), { kind: 'invalid' })
  writeFileSync(join(dir, 'long'), ' '.repeat(127) + '7')
  t.match(readTrackFile(join(dir, 'long')), { kind: 'value', value: 0 }, 'the digit after byte 127 is not read')
})

t.test('init_file: creates a missing file with VALUE; keeps an existing one unless overwrite', async (t) => {
  const dir = tempDir(t)
  const plan = (name: string, init: TrackedFilePlan['init']): TrackedFilePlan => ({ name, path: join(dir, name), init })
  t.equal(initTrackFile(plan('a', { value: 7, overwrite: false })), null)
  t.equal(readFileSync(join(dir, 'a'), 'utf8'), '7\n', 'created with "VALUE\\n"')
  writeFileSync(join(dir, 'b'), '3\n')
  t.equal(initTrackFile(plan('b', { value: 9, overwrite: false })), null)
  t.equal(readFileSync(join(dir, 'b'), 'utf8'), '3\n', 'an existing file is kept')
  t.equal(initTrackFile(plan('b', { value: -9, overwrite: true })), null)
  t.equal(readFileSync(join(dir, 'b'), 'utf8'), '-9\n', 'overwrite replaces its contents')
  mkdirSync(join(dir, 'd'))
  t.match(initTrackFile(plan('d', { value: 1, overwrite: true })), /not a regular file/)
  t.match(initTrackFile({ name: 'x', path: join(dir, 'missing-dir', 'f'), init: { value: 1, overwrite: false } }), /unable to initialise/)
  t.equal(initTrackFile(plan('c', null)), null, 'no init_file: nothing written')
})

t.test('resolveTrackFile: real path of the file, else of its directory; no directory = ignored', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'target'), '1')
  symlinkSync(join(dir, 'target'), join(dir, 'link'))
  t.match(resolveTrackFile(join(dir, 'link')), { name: 'target' }, 'a symlink is followed, as keepalived realpath()s it')
  t.match(resolveTrackFile(join(dir, 'later')), { name: 'later' }, 'a missing file in an existing directory is watched')
  t.match(resolveTrackFile(join(dir, 'no', 'file')), { error: /directory does not exist/ })
})

t.test('KEEPALIVED track_file weights: value × weight (reverse: × -1), capped at +253; below -253 or weight 0 = FAULT', async (t) => {
  const plan: InstanceTrackingPlan = {
    instance: 'VI_1',
    basePriority: 100,
    refs: [{ kind: 'file', name: 'f', weight: 10, reverse: false }]
  }
  const with1 = (weight: number, reverse: boolean, value: TrackedValue) => evaluateInstance({ ...plan, refs: [{ kind: 'file', name: 'f', weight, reverse }] }, () => value)
  t.same(with1(10, false, 'init'), { priority: 100, faults: [] }, 'not read yet: nothing')
  t.same(with1(10, false, 3), { priority: 130, faults: [] })
  t.same(with1(10, true, 3), { priority: 70, faults: [] })
  t.same(with1(10, false, -25), { priority: -150, faults: [] }, '-250: added (the core clamps to 1)')
  t.same(with1(10, false, -26), { priority: 100, faults: ['track_file f × weight is below -253'] })
  t.same(with1(10, false, 100), { priority: 353, faults: [] }, '+1000 adds only 253')
  t.same(with1(0, false, 0), { priority: 100, faults: [] })
  t.same(with1(0, false, 5), { priority: 100, faults: ['track_file f is not 0'] })
  t.same(with1(0, false, -1), { priority: 100, faults: ['track_file f is not 0'] })
  t.same(with1(0, true, 0), { priority: 100, faults: ['track_file f is 0 (reverse)'] }, 'weight 0 reverse: 0 is the failure')
  t.same(with1(0, true, 2), { priority: 100, faults: [] })
  const two = evaluateInstance({ ...plan, refs: [{ kind: 'file', name: 'a', weight: 1, reverse: false }, { kind: 'file', name: 'b', weight: -1, reverse: false }] }, (r) => r.name === 'a' ? 1000 : 50)
  t.same(two, { priority: 100 + 253 - 50, faults: [] }, 'each file is capped on its own')
})

t.test('TrackFiles: init_file, initial read, writes, delete (0), rename-replace, stop closes the watchers', async (t) => {
  const dir = tempDir(t)
  const reports: Array<[string, TrackedValue]> = []
  const last = (name: string): TrackedValue | undefined => reports.filter(([n]) => n === name).at(-1)?.[1]
  const plans: TrackedFilePlan[] = [
    { name: 'a', path: join(dir, 'a'), init: { value: 4, overwrite: false } },
    { name: 'b', path: join(dir, 'b'), init: null },
    { name: 'gone', path: join(dir, 'no-such-dir', 'x'), init: null }
  ]
  writeFileSync(join(dir, 'b'), '  12\n')
  const files = new TrackFiles(plans, silent, (kind, name, value) => { t.equal(kind, 'file'); reports.push([name, value]) }, { debounceMs: 5 })
  files.prime()
  t.same(reports, [['a', 4], ['b', 12]], 'init_file applied and both read before start; a file whose directory is missing reports nothing')
  files.start()
  t.teardown(() => files.stop())
  t.same(reports.length, 2, 'start() re-reads but reports only changes')

  writeFileSync(join(dir, 'a'), '-3\n')
  await waitFor(() => last('a') === -3, { timeoutMs: 3000, what: 'a written -3' })
  rmSync(join(dir, 'a'))
  await waitFor(() => last('a') === 0, { timeoutMs: 3000, what: 'a deleted: 0' })
  writeFileSync(join(dir, 'a.tmp'), '8\n')
  renameSync(join(dir, 'a.tmp'), join(dir, 'a'))
  await waitFor(() => last('a') === 8, { timeoutMs: 3000, what: 'a replaced by rename: 8' })
  renameSync(join(dir, 'a'), join(dir, 'a.old'))
  await waitFor(() => last('a') === 0, { timeoutMs: 3000, what: 'a renamed away: 0' })
  writeFileSync(join(dir, 'b'), '99999999999\n')
  writeFileSync(join(dir, 'b'), 'x\n')
  await waitFor(() => last('b') === 0, { timeoutMs: 3000, what: 'b holds no number: 0' })
  writeFileSync(join(dir, 'other'), '5')
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.notOk(reports.some(([n]) => n === 'other'), 'other files in the directory are not reported')
  t.same(reports.filter(([n]) => n === 'a').map(([, v]) => v), [4, -3, 0, 8, 0], 'each value once, in order')

  files.stop()
  const count = reports.length
  writeFileSync(join(dir, 'b'), '77\n')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(reports.length, count, 'nothing reported after stop()')
})

t.test('TrackFiles: an out-of-range number keeps the previous value', async (t) => {
  const dir = tempDir(t)
  const reports: TrackedValue[] = []
  writeFileSync(join(dir, 'f'), '6')
  const files = new TrackFiles([{ name: 'f', path: join(dir, 'f'), init: null }], silent, (_k, _n, v) => reports.push(v), { debounceMs: 5 })
  files.prime()
  files.start()
  t.teardown(() => files.stop())
  writeFileSync(join(dir, 'f'), '99999999999')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.same(reports, [6], 'ignored: 6 stays')
  writeFileSync(join(dir, 'f'), '0x10')
  await waitFor(() => reports.at(-1) === 16, { timeoutMs: 3000, what: 'the next valid number' })
  t.same(reports, [6, 16])
})

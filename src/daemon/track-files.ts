// keepalived's track_file on the daemon's main thread: applies `init_file` at start, reads each
// tracked file's number, then watches the file's directory and reports every new value to the
// Tracker. Must not compute priorities (tracker.ts does) and must not leak watchers or timers:
// stop() closes them all.
import { closeSync, openSync, readSync, realpathSync, statSync, watch, writeFileSync, type FSWatcher } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Logger } from '../io/logger.js'
import type { TrackedFilePlan } from './tracking-plan.js'
import type { ReportValue } from './tracker.js'

/** Events for a file within this many ms are read once, after the last (a writer's truncate + write). */
export const FILE_DEBOUNCE_MS = 10

/** KEEPALIVED reads at most this many bytes of a track file (a 128-byte buffer). */
export const FILE_READ_MAX_BYTES = 127

const INT32_MIN = -(2n ** 31n)
const INT32_MAX = 2n ** 31n - 1n
const LONG_MIN = -(2n ** 63n)
const LONG_MAX = 2n ** 63n - 1n

/**
 * A track file's text as keepalived reads it: `strtol(text, NULL, 0)`. Leading white space and
 * a sign are skipped, `0x` means hexadecimal and a leading `0` octal; digits are read up to the
 * first other character; text with no number is 0. Returns null where keepalived logs "Invalid
 * number ... - ignoring" and keeps the previous value: beyond a C long, or outside
 * [-2^31, 2^31] (keepalived's own bounds).
 */
export function parseTrackFileValue (text: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)(.*)$/s.exec(text) as RegExpExecArray
  const [, sign, body] = m
  const hex = /^0[xX][0-9a-fA-F]/.test(body)
  const base = hex ? 16 : body.startsWith('0') ? 8 : 10
  const valid = base === 16 ? /^[0-9a-fA-F]*/ : base === 8 ? /^[0-7]*/ : /^[0-9]*/
  const digits = (valid.exec(hex ? body.slice(2) : body) as RegExpExecArray)[0]
  if (digits === '') return 0
  let n = 0n
  for (const d of digits) n = n * BigInt(base) + BigInt(parseInt(d, 16))
  if (sign === '-') n = -n
  if (n < LONG_MIN || n > LONG_MAX) return null
  if (n < INT32_MIN || n > INT32_MAX + 1n) return null
  return Number(n)
}

/** What reading a track file gave: a value, or the previous value kept (`invalid`). */
export type FileReading =
  | { kind: 'value', value: number, note: 'number' | 'missing' | 'unreadable' | 'empty' | 'no-number', error?: string }
  | { kind: 'invalid', text: string }

/**
 * Reads one track file as keepalived's process_track_file does: a missing or unreadable file,
 * an empty one or one without a number is 0.
 */
export function readTrackFile (path: string): FileReading {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return { kind: 'value', value: 0, note: e.code === 'ENOENT' ? 'missing' : 'unreadable', error: e.code }
  }
  const buffer = Buffer.alloc(FILE_READ_MAX_BYTES)
  let length: number
  try {
    length = readSync(fd, buffer, 0, buffer.length, 0)
  } catch (err) {
    return { kind: 'value', value: 0, note: 'unreadable', error: (err as NodeJS.ErrnoException).code }
  } finally {
    closeSync(fd)
  }
  if (length === 0) return { kind: 'value', value: 0, note: 'empty' }
  const text = buffer.toString('latin1', 0, length)
  const value = parseTrackFileValue(text)
  if (value === null) return { kind: 'invalid', text: text.trim().slice(0, 40) }
  return { kind: 'value', value, note: /^\s*[+-]?\d/.test(text) ? 'number' : 'no-number' }
}

/**
 * KEEPALIVED `init_file [VALUE] [overwrite]` (track_file_end_handler): writes "VALUE\n" when the
 * file does not exist, or with `overwrite` over an existing regular file. Returns a problem to
 * log, or null.
 */
export function initTrackFile (plan: TrackedFilePlan): string | null {
  if (plan.init === null) return null
  let exists = true
  let regular = false
  try {
    regular = statSync(plan.path).isFile()
  } catch {
    exists = false
  }
  if (exists && !plan.init.overwrite) return null
  if (exists && !regular) return 'cannot initialise the track file: it is not a regular file'
  try {
    writeFileSync(plan.path, `${plan.init.value}\n`, { mode: 0o644 })
  } catch (err) {
    return `unable to initialise the track file (${(err as NodeJS.ErrnoException).code ?? String(err)})`
  }
  return null
}

/**
 * Where to watch a track file (keepalived's init_track_files): the real path when it exists,
 * else the real path of its directory (which must exist) and its name. Null with a reason when
 * neither can be resolved: keepalived then drops the track file.
 */
export function resolveTrackFile (path: string): { dir: string, name: string } | { error: string } {
  try {
    const real = realpathSync(path)
    return { dir: dirname(real), name: basename(real) }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { error: `the track file is not accessible (${(err as NodeJS.ErrnoException).code ?? ''})` }
  }
  try {
    const dir = realpathSync(dirname(path))
    if (statSync(dir).isDirectory()) return { dir, name: basename(path) }
  } catch {}
  return { error: 'the track file\'s directory does not exist' }
}

interface Watched {
  plan: TrackedFilePlan
  dir: string
  name: string
  /** The last value reported (undefined: none yet); an invalid read keeps it. */
  value: number | undefined
  note: string | undefined
  timer: NodeJS.Timeout | null
}

/** Reads and watches the tracked files and reports each new value to the Tracker. */
export class TrackFiles {
  readonly #plans: readonly TrackedFilePlan[]
  readonly #log: Logger
  readonly #report: ReportValue
  readonly #debounceMs: number
  readonly #files: Watched[] = []
  readonly #watchers = new Map<string, FSWatcher>()
  #stopped = false

  constructor (files: readonly TrackedFilePlan[], log: Logger, report: ReportValue, options: { debounceMs?: number } = {}) {
    this.#plans = files
    this.#log = log
    this.#report = report
    this.#debounceMs = options.debounceMs ?? FILE_DEBOUNCE_MS
  }

  /**
   * Before the engine starts: applies init_file and reads every file now, so that instances
   * start with the right priority (keepalived reads them while loading the config).
   */
  prime (): void {
    for (const plan of this.#plans) {
      const problem = initTrackFile(plan)
      if (problem !== null) this.#log.warn({ trackFile: plan.name, path: plan.path }, problem)
      const where = resolveTrackFile(plan.path)
      if ('error' in where) {
        // KEEPALIVED: "Track file directory for %s does not exist - removing": it changes nothing.
        this.#log.warn({ trackFile: plan.name, path: plan.path }, `${where.error}; the track_file is ignored`)
        continue
      }
      const file: Watched = { plan, dir: where.dir, name: where.name, value: undefined, note: undefined, timer: null }
      this.#files.push(file)
      this.#read(file)
    }
  }

  /** Watches each file's directory from now on (and reads once more: nothing is missed since prime). */
  start (): void {
    for (const dir of new Set(this.#files.map((f) => f.dir))) this.#watch(dir)
    for (const f of this.#files) this.#read(f)
  }

  stop (): void {
    this.#stopped = true
    for (const w of this.#watchers.values()) w.close()
    this.#watchers.clear()
    for (const f of this.#files) {
      if (f.timer !== null) clearTimeout(f.timer)
      f.timer = null
    }
  }

  #watch (dir: string): void {
    if (this.#stopped) return
    let watcher: FSWatcher
    try {
      // A directory watch (inotify on the directory) sees writes, deletes, creates and renames
      // onto the name, as keepalived's IN_CLOSE_WRITE | IN_DELETE | IN_MOVE watch does.
      watcher = watch(dir, { persistent: true }, (_event, name) => {
        for (const f of this.#files) {
          if (f.dir === dir && (name === null || name === f.name)) this.#schedule(f)
        }
      })
    } catch (err) {
      this.#log.error({ dir, code: (err as NodeJS.ErrnoException).code }, 'cannot watch a track_file directory; its files are read at start only')
      return
    }
    watcher.on('error', (err: NodeJS.ErrnoException) => {
      this.#log.error({ dir, code: err.code }, 'track_file directory watch failed; its files are no longer followed')
      watcher.close()
      this.#watchers.delete(dir)
      for (const f of this.#files) if (f.dir === dir) this.#schedule(f)
    })
    this.#watchers.set(dir, watcher)
  }

  #schedule (f: Watched): void {
    if (this.#stopped) return
    if (f.timer !== null) clearTimeout(f.timer)
    f.timer = setTimeout(() => {
      f.timer = null
      if (!this.#stopped) this.#read(f)
    }, this.#debounceMs)
  }

  #read (f: Watched): void {
    const path = join(f.dir, f.name)
    const r = readTrackFile(path)
    const fields = { trackFile: f.plan.name, path }
    if (r.kind === 'invalid') {
      // KEEPALIVED: "Invalid number ... read from ... - ignoring": the previous value stays.
      this.#log.warn({ ...fields, text: r.text, value: f.value ?? 0 }, 'track_file number out of range; ignored, the previous value stays')
      if (f.value === undefined) this.#set(f, 0, 'invalid')
      return
    }
    if (r.value === f.value && r.note === f.note) return
    if (r.note === 'number') this.#log.info({ ...fields, value: r.value }, 'track_file value')
    else if (r.note === 'missing') this.#log.info({ ...fields, value: 0 }, 'track_file is missing; its value is 0')
    else if (r.note === 'empty') this.#log.info({ ...fields, value: 0 }, 'track_file is empty; its value is 0')
    else if (r.note === 'unreadable') this.#log.warn({ ...fields, code: r.error, value: 0 }, 'track_file cannot be read; its value is 0')
    else this.#log.warn({ ...fields, value: 0 }, 'track_file holds no number; its value is 0')
    this.#set(f, r.value, r.note)
  }

  #set (f: Watched, value: number, note: string): void {
    f.value = value
    f.note = note
    this.#report('file', f.plan.name, value)
  }
}

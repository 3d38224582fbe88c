// keepalived's script security, checked once at start-up for every script floatip will run
// (vrrp_script checks, notify scripts, FIFO scripts): the script must be executable by the user
// it runs as, and a script that runs as root must not be replaceable by anyone but root. With
// global_defs `enable_script_security` an unsafe script is disabled; without it, it runs and is
// reported, as keepalived does. ScriptPolicy combines this with the script users
// (script-user.ts) into the one hook the planners call. Must not run scripts (script-runner.ts).
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs'
import { basename, delimiter, dirname, join } from 'node:path'
import type { RunOptions } from './script-runner.js'
import { ScriptUsers, type ScriptUser, type ScriptUserRef } from './script-user.js'

/** What ScriptRunner.run needs to switch user (undefined: run as the daemon's user). */
export type RunUser = RunOptions['user']

export type SecurityCheck =
  | { ok: true, path: string, insecure: string | null, messages: string[] }
  | { ok: false, message: string }

const S_ISUID = 0o4000
const S_ISGID = 0o2000
const S_ISVTX = 0o1000
const S_IXUSR = 0o100
const S_IXGRP = 0o010
const S_IXOTH = 0o001
const S_IWGRP = 0o020
const S_IWOTH = 0o002

/** KEEPALIVED is_executable(): what execve would allow `user`, with root needing any x bit. */
export function executableBy (st: Stats, user: { uid: number, gid: number }): boolean {
  const mode = Number(st.mode)
  if (user.uid === 0) return (mode & (S_IXUSR | S_IXGRP | S_IXOTH)) !== 0
  if (user.uid === Number(st.uid)) return (mode & S_IXUSR) !== 0
  if (user.gid === Number(st.gid)) return (mode & S_IXGRP) !== 0
  return (mode & S_IXOTH) !== 0
}

/**
 * Why `st` (a component of a root script's path) lets a non-root user replace the script, or
 * null when it does not. KEEPALIVED check_security(): the owner must be root; a regular file or a
 * directory without the sticky bit must not be writable by a group other than root's or by
 * everyone (a sticky directory such as /tmp only needs a root owner; so does a symlink).
 */
export function unsafeBecause (st: Stats): string | null {
  const mode = Number(st.mode)
  if (Number(st.uid) !== 0) return `owned by uid ${st.uid}, not root`
  const modeChecked = st.isFile() || (st.isDirectory() && (mode & S_ISVTX) === 0)
  if (!modeChecked) return null
  if (Number(st.gid) !== 0 && (mode & S_IWGRP) !== 0) return `writable by group ${st.gid} (mode ${(mode & 0o7777).toString(8).padStart(4, '0')})`
  if ((mode & S_IWOTH) !== 0) return `writable by everyone (mode ${(mode & 0o7777).toString(8).padStart(4, '0')})`
  return null
}

/** Each prefix of an absolute path, from '/' to the path itself. */
function components (path: string): string[] {
  const out = ['/']
  let at = 0
  for (;;) {
    const slash = path.indexOf('/', at + 1)
    const end = slash === -1 ? path.length : slash
    if (end > at + 1) out.push(path.slice(0, end))
    if (slash === -1) return out
    at = slash
  }
}

/** The first component of `path` that a non-root user could change, and why. */
function checkPath (path: string): { component: string, why: string } | { error: string } | null {
  const parts = components(path)
  for (let i = 0; i < parts.length; i++) {
    const component = parts[i]
    let st: Stats
    try {
      st = lstatSync(component)
    } catch (err) {
      return { error: `${component}: ${(err as Error & { code?: string }).code ?? String(err)}` }
    }
    const last = i === parts.length - 1
    // KEEPALIVED: every component but the last must be a directory, the last a file or a
    // symlink; anything else disables the script even without enable_script_security.
    if ((!last && !st.isDirectory()) || (last && !st.isFile() && !st.isSymbolicLink())) return { component, why: last ? 'not a regular file' : 'not a directory' }
    const why = unsafeBecause(st)
    if (why !== null) return { component, why }
  }
  return null
}

/** PATH lookup as the script's user (KEEPALIVED find_path): the first regular file it may execute. */
function searchPath (file: string, user: { uid: number, gid: number }, path: string): string | null {
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir === '' ? '.' : dir, file)
    try {
      const st = statSync(candidate)
      if (st.isFile() && executableBy(st, user)) return candidate
    } catch {
      // not here
    }
  }
  return null
}

/**
 * Checks the file a script executes (argv[0]) for `user`, as keepalived's check_script_secure()
 * does at start-up, and returns the path to execute. The path is made canonical (no symlinked
 * directories, no `.`/`..`) keeping the file name when a link of that name points at the same
 * file (`/bin/sh` stays `sh`), so what is checked is what runs; when the link's name differs,
 * the link and its target are both checked. A script that runs as root (uid or gid 0, or a
 * set-uid/set-gid root file) must have every component of both paths owned by root and not
 * writable by others (unsafeBecause); an unsafe one is disabled under enable_script_security,
 * and reported otherwise. Like keepalived, the interpreter of a `#!` script is not checked
 * (argv[0] is: `/bin/sh -c '...'` checks /bin/sh).
 */
export function checkScriptFile (file: string, user: { uid: number, gid: number }, security: boolean, path = process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'): SecurityCheck {
  const messages: string[] = []
  let found = file
  if (!file.includes('/')) {
    const hit = searchPath(file, user, path)
    if (hit === null) return { ok: false, message: `${file}: not found in PATH as an executable for uid:gid ${user.uid}:${user.gid}` }
    // KEEPALIVED: "WARNING - script `x` resolved by path search to `/usr/bin/x`. Please specify full path."
    messages.push(`${file} resolved by path search to ${hit}; please give the full path`)
    found = hit
  }
  let real: string
  let st: Stats
  try {
    real = realpathSync(found)
    st = statSync(real)
  } catch (err) {
    const code = (err as Error & { code?: string }).code
    return { ok: false, message: code === 'ENOENT' ? `${found} does not exist` : `${found} cannot be accessed (${code ?? String(err)})` }
  }
  if (!st.isFile()) return { ok: false, message: `${found} is not a regular file` }
  // KEEPALIVED: keep the name the script was called by when a link of that name in the target's
  // directory is the same file (some programs act on their name).
  let exec = real
  let alsoCheck: string | null = null
  if (basename(found) !== basename(real)) {
    const named = join(dirname(real), basename(found))
    try {
      const s = statSync(named)
      if (s.dev === st.dev && s.ino === st.ino) {
        exec = named
        alsoCheck = real
      }
    } catch {
      // no such link: run the target itself
    }
  }
  if (!executableBy(st, user)) return { ok: false, message: `${exec} is not executable for uid:gid ${user.uid}:${user.gid}` }
  const mode = Number(st.mode)
  const asRoot = user.uid === 0 || user.gid === 0 ||
    (Number(st.uid) === 0 && (mode & S_IXUSR) !== 0 && (mode & S_ISUID) !== 0) ||
    (Number(st.gid) === 0 && (mode & S_IXGRP) !== 0 && (mode & S_ISGID) !== 0)
  if (!asRoot) return { ok: true, path: exec, insecure: null, messages }
  for (const p of alsoCheck === null ? [exec] : [exec, alsoCheck]) {
    const problem = checkPath(p)
    if (problem === null) continue
    if ('error' in problem) return { ok: false, message: `${p} cannot be checked (${problem.error})` }
    const runs = user.uid === 0 || user.gid === 0 ? `runs as uid:gid ${user.uid}:${user.gid}` : 'is set-uid/set-gid root'
    if (problem.why.startsWith('not a')) return { ok: false, message: `${p}: ${problem.component} is ${problem.why}` }
    const insecure = `${p} ${runs} but ${problem.component} is ${problem.why}`
    // KEEPALIVED: "Unsafe permissions found for script '...' - disabling." (with enable_script_security)
    if (security) return { ok: false, message: `unsafe: ${insecure} (enable_script_security)` }
    return { ok: true, path: exec, insecure, messages: [...messages, `unsafe: ${insecure}; it runs anyway (set enable_script_security to refuse it)`] }
  }
  return { ok: true, path: exec, insecure: null, messages }
}

/**
 * What a disabled vrrp_script means for the instances tracking it. KEEPALIVED
 * check_vrrp_script_security(): the script is removed from every instance's and sync group's
 * track_script list, so it counts neither as up nor as failed: no weight, no FAULT.
 */
export function disabledTrackEffect (instances: readonly string[]): string {
  if (instances.length === 0) return 'no instance tracks it'
  return `${instances.join(', ')} ${instances.length === 1 ? 'runs' : 'run'} as if it were not tracked: no weight, no FAULT`
}

/** One script after the policy: the argv to run and the user, or null (disabled) with why. */
export interface PreparedScript {
  /** argv[0] replaced by the checked path; null: the script is disabled. */
  argv: string[] | null
  /** Pass to ScriptRunner.run as `user` (undefined: the daemon's own user). */
  user: RunUser
  /** Warnings for start-up, the disabling reason last. */
  messages: string[]
}

/** The planners' hook: `what` names the script in messages ("vrrp_script chk", "notify_master"). */
export type PrepareScript = (what: string, argv: readonly string[], user: ScriptUserRef | null | undefined) => PreparedScript

export interface ScriptPolicyOptions {
  security: boolean
  users: ScriptUsers
  /** PATH for bare script names (default: the daemon's). */
  path?: string
}

/** Script users and security for every script of one config; `prepare` is the planners' hook. */
export class ScriptPolicy {
  readonly #security: boolean
  readonly #users: ScriptUsers
  readonly #path: string | undefined
  #scripts = 0
  #insecure = 0

  constructor (options: ScriptPolicyOptions) {
    this.#security = options.security
    this.#users = options.users
    this.#path = options.path
  }

  /** From global_defs: `script_user`, `enable_script_security`. */
  static fromConfig (globalDefs: { scriptUser?: { user: string, group: string | undefined } | null, enableScriptSecurity?: boolean | null }): ScriptPolicy {
    const security = globalDefs.enableScriptSecurity === true
    return new ScriptPolicy({ security, users: new ScriptUsers({ security, scriptUser: globalDefs.scriptUser ?? null }) })
  }

  readonly prepare: PrepareScript = (what, argv, ref) => {
    if (argv.length === 0) return { argv: null, user: undefined, messages: [`${what}: no command; the script is disabled`] }
    const resolved = this.#users.resolve(ref)
    // KEEPALIVED: "Invalid user/group for ... script ... - ignoring".
    if (!resolved.ok) return { argv: null, user: undefined, messages: [`${what}: ${resolved.message}; the script is disabled`] }
    const u = resolved.user
    const daemon = this.#users.daemon
    const switches = u.uid !== daemon.uid || u.gid !== daemon.gid
    if (switches && daemon.uid !== 0) {
      // KEEPALIVED: "Unable to set uid:gid ... for script ... - disabling".
      return { argv: null, user: undefined, messages: [`${what}: cannot run as ${u.user}:${u.group} (uid:gid ${u.uid}:${u.gid}): floatip is not root; the script is disabled`] }
    }
    const check = checkScriptFile(argv[0], u, this.#security, this.#path)
    if (!check.ok) return { argv: null, user: undefined, messages: [`${what}: ${check.message}; the script is disabled`] }
    this.#scripts++
    if (check.insecure !== null) this.#insecure++
    // KEEPALIVED set_script_env(): setgid, setgroups(1, &gid), setuid.
    const user: RunUser = switches ? { uid: u.uid, gid: u.gid, groups: [u.gid] } : undefined
    return { argv: [check.path, ...argv.slice(1)], user, messages: check.messages.map((m) => `${what}: ${m}`) }
  }

  /** Start-up warnings about the whole config: call after every script was prepared. */
  summary (): string[] {
    const out = [...this.#users.warnings]
    // KEEPALIVED: "SECURITY VIOLATION - scripts are being executed but script_security not enabled."
    if (!this.#security && this.#scripts > 0) out.push(`SECURITY VIOLATION - scripts are being executed but script_security not enabled.${this.#insecure > 0 ? ' There are insecure scripts.' : ''}`)
    return out
  }
}

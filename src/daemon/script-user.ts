// Which user each script runs as, resolved once at start-up: keepalived's `script_user USER
// [GROUP]` (the default), a vrrp_script's `user USER [GROUP]`, a notify script's `"cmd" USER
// [GROUP]`, and keepalived's fallbacks when none is given. Names are looked up as getent does (the
// system's NSS: /etc/passwd and /etc/group, or LDAP/sssd where configured; the files are read
// directly when NSS reads them first). Must not run or check scripts (script-security.ts does)
// and never throws for a bad name: it answers with a message.
import { execFileSync } from 'node:child_process'
import { filesEntry } from './nss-files.js'

/** A resolved script user. `group` is the GROUP given, or the user's primary group. */
export interface ScriptUser {
  user: string
  uid: number
  group: string
  gid: number
}

/** A name as written in the config: USER [GROUP]. */
export interface ScriptUserRef { user: string, group?: string | undefined }

export interface Account { name: string, uid: number, gid: number }

/** Looks names up; null when there is no such user or group. */
export interface AccountLookup {
  user: (name: string) => Account | null
  group: (name: string) => { name: string, gid: number } | null
  /** The primary group's name, for messages (null: the gid has no name). */
  groupName: (gid: number) => string | null
}

/** KEEPALIVED: the default script user when no script_user is given, if it exists. */
export const DEFAULT_SCRIPT_USER = 'keepalived_script'

export type ResolvedUser = { ok: true, user: ScriptUser } | { ok: false, message: string }

export interface ScriptUsersOptions {
  /** global_defs `script_user USER [GROUP]`. */
  scriptUser?: ScriptUserRef | null
  /** global_defs `enable_script_security`. */
  security: boolean
  /** The daemon's own effective uid/gid (default: this process's). */
  daemon?: { uid: number, gid: number }
  lookup?: AccountLookup
}

/**
 * The users scripts run as. KEEPALIVED (lib/notify.c, 2.2): a script with its own user runs as
 * that user (its group: the GROUP given, else the user's primary group); an unknown user or group
 * disables that script. Otherwise the default applies: `script_user` if given (unknown: every
 * script without its own user is disabled); else the user `keepalived_script` if it exists; else,
 * without enable_script_security, the daemon's own user (root) with a warning; with
 * enable_script_security, an error, and scripts without their own user are disabled.
 */
export class ScriptUsers {
  readonly #lookup: AccountLookup
  readonly #security: boolean
  readonly #scriptUser: ScriptUserRef | null
  readonly #daemon: { uid: number, gid: number }
  #default: ResolvedUser | undefined
  readonly #warnings: string[] = []

  constructor (options: ScriptUsersOptions) {
    this.#lookup = options.lookup ?? getentLookup
    this.#security = options.security
    this.#scriptUser = options.scriptUser ?? null
    this.#daemon = options.daemon ?? { uid: process.geteuid?.() ?? 0, gid: process.getegid?.() ?? 0 }
    // KEEPALIVED resolves script_user while parsing global_defs: a bad name is reported even when
    // every script has its own user.
    if (this.#scriptUser !== null) this.#default = this.#resolveDefault()
  }

  get daemon (): { uid: number, gid: number } { return this.#daemon }

  /** Warnings about the default user, once each (read after every script is resolved). */
  get warnings (): readonly string[] { return this.#warnings }

  /** The user a script runs as: its own (`ref`), else the default. */
  resolve (ref: ScriptUserRef | null | undefined): ResolvedUser {
    if (ref != null) return this.#resolveName(ref)
    if (this.#default === undefined) this.#default = this.#resolveDefault()
    return this.#default
  }

  #resolveDefault (): ResolvedUser {
    if (this.#scriptUser !== null) {
      const r = this.#resolveName(this.#scriptUser)
      if (!r.ok) {
        const message = `script_user: ${r.message}; scripts without their own user are disabled`
        this.#warnings.push(message)
        return { ok: false, message: `no default script user (${message})` }
      }
      return r
    }
    const account = this.#lookup.user(DEFAULT_SCRIPT_USER)
    if (account !== null) return { ok: true, user: this.#withPrimaryGroup(account) }
    if (this.#security) {
      // KEEPALIVED: "Unable to set default user keepalived_script for script": with
      // enable_script_security the daemon's own user (root) is never the silent default.
      const message = `default script user '${DEFAULT_SCRIPT_USER}' does not exist and enable_script_security is set: scripts without a user are disabled (create the user, or set script_user)`
      this.#warnings.push(message)
      return { ok: false, message: `no default script user (user '${DEFAULT_SCRIPT_USER}' does not exist; set script_user)` }
    }
    // KEEPALIVED: "WARNING - default user 'keepalived_script' for script execution does not exist - please create."
    this.#warnings.push(`default user '${DEFAULT_SCRIPT_USER}' for script execution does not exist: scripts without a user run as the daemon's user (uid ${this.#daemon.uid}); create it or set script_user`)
    const name = this.#nameOfUid(this.#daemon.uid)
    return { ok: true, user: { user: name, uid: this.#daemon.uid, group: this.#lookup.groupName(this.#daemon.gid) ?? String(this.#daemon.gid), gid: this.#daemon.gid } }
  }

  #resolveName (ref: ScriptUserRef): ResolvedUser {
    const account = this.#lookup.user(ref.user)
    if (account === null) return { ok: false, message: `script user '${ref.user}' does not exist` }
    if (ref.group === undefined) return { ok: true, user: this.#withPrimaryGroup(account) }
    const group = this.#lookup.group(ref.group)
    if (group === null) return { ok: false, message: `script group '${ref.group}' does not exist` }
    return { ok: true, user: { user: account.name, uid: account.uid, group: group.name, gid: group.gid } }
  }

  #withPrimaryGroup (account: Account): ScriptUser {
    return { user: account.name, uid: account.uid, group: this.#lookup.groupName(account.gid) ?? String(account.gid), gid: account.gid }
  }

  #nameOfUid (uid: number): string {
    return getentEntry('passwd', String(uid))?.[0] ?? String(uid)
  }
}

/**
 * One getent line split at ':', or null when there is no such entry (or no getent). The files
 * answer first when NSS reads them first (nss-files.ts): the same entry, without a child process.
 */
function getentEntry (database: 'passwd' | 'group', key: string): string[] | null {
  // A name starting with '-' would be read as an option; no valid user or group starts so.
  if (key === '' || key.startsWith('-') || key.includes('\n') || key.includes(':')) return null
  const local = filesEntry(database, key)
  if (local !== null) return local
  try {
    const out = execFileSync('getent', [database, key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
    const line = out.split('\n')[0]
    return line === '' ? null : line.split(':')
  } catch {
    // exit 2: no such entry
    return null
  }
}

/** The system's users and groups through getent (NSS). */
export const getentLookup: AccountLookup = {
  user: (name) => {
    const f = getentEntry('passwd', name)
    if (f === null || f.length < 4) return null
    return { name: f[0], uid: Number(f[2]), gid: Number(f[3]) }
  },
  group: (name) => {
    const f = getentEntry('group', name)
    if (f === null || f.length < 3) return null
    return { name: f[0], gid: Number(f[2]) }
  },
  groupName: (gid) => getentEntry('group', String(gid))?.[0] ?? null
}

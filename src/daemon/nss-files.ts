// Users and groups read straight from /etc/passwd and /etc/group when the system's NSS looks there
// first (nsswitch.conf `passwd: files ...`), so the common case (root, nobody, a local script user)
// needs no `getent` child: a fork of the daemon costs milliseconds at start-up and on every
// reload. Answers only what the files answer: a name they do not have is for the caller to ask
// NSS (getent) about, since later sources (systemd, sss, ldap) may know it. Pure parsers plus one
// reader; never throws.
import { readFileSync } from 'node:fs'

export type NssDatabase = 'passwd' | 'group'

/** Where each database lives, and nsswitch.conf (injectable for tests). */
export interface NssPaths { nsswitch: string, passwd: string, group: string }

export const SYSTEM_NSS_PATHS: NssPaths = { nsswitch: '/etc/nsswitch.conf', passwd: '/etc/passwd', group: '/etc/group' }

/**
 * nsswitch.conf(5): whether `database`'s first source is plain `files` (not `compat`, whose +/-
 * lines pull in other sources). A missing line or file: false (the caller asks getent).
 */
export function filesComeFirst (nsswitch: string, database: NssDatabase): boolean {
  for (const raw of nsswitch.split('\n')) {
    const line = raw.replace(/#.*/, '').trim()
    const m = /^(\S+)\s*:\s*(.*)$/.exec(line)
    if (m === null || m[1] !== database) continue
    return m[2].split(/\s+/)[0] === 'files'
  }
  return false
}

/**
 * The first line of a passwd(5) or group(5) text whose field `field` (0: the name, 2: the id)
 * is `key`, split at ':'; null when none. Lines starting with + or - (compat) never match.
 */
export function findEntry (text: string, key: string, field: 0 | 2): string[] | null {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue
    const fields = line.split(':')
    if (fields.length >= 3 && fields[field] === key) return fields
  }
  return null
}

/**
 * The entry for `key` from the files when NSS reads them first; null otherwise or when they lack
 * it. As with getent(1), a key of digits is an id, anything else a name.
 */
export function filesEntry (database: NssDatabase, key: string, paths: NssPaths = SYSTEM_NSS_PATHS): string[] | null {
  try {
    if (!filesComeFirst(readFileSync(paths.nsswitch, 'utf8'), database)) return null
    return findEntry(readFileSync(paths[database], 'utf8'), key, /^[0-9]+$/.test(key) ? 2 : 0)
  } catch {
    return null
  }
}

// Where and how the SIGUSR1/SIGUSR2 dumps are written: keepalived's names in $TMPDIR (else /tmp),
// mode 0600 (keepalived's umask 0177). Written to a temporary name in the same directory and
// renamed over the old dump, so a reader never sees half a file and a planted symlink at the final
// name is replaced, not followed.
import { rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'

/** keepalived's two dumps, and floatip's full status as JSON (written with keepalived.data). */
export type DumpName = 'keepalived.stats' | 'keepalived.data' | 'floatip.status.json'

export function dumpPath (name: DumpName, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.TMPDIR !== undefined && env.TMPDIR !== '' ? env.TMPDIR : '/tmp'
  return join(dir, name)
}

/** Writes `text` to the dump `name`; resolves with its path. */
export async function writeDump (name: DumpName, text: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = dumpPath(name, env)
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp` // dumps may overlap
  try {
    await writeFile(temporary, text, { mode: 0o600, flag: 'wx' })
    await rename(temporary, path)
  } catch (err) {
    await unlink(temporary).catch(() => {})
    throw err
  }
  return path
}

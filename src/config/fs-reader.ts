// node:fs implementation of FileReader. The only module of src/config that touches the disk;
// it reads and lists, never writes.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import type { FileReader } from './reader.js'
import { globWith } from './glob-pattern.js'

function statKind (path: string): 'file' | 'dir' | undefined {
  try {
    const st = statSync(path)
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined
  } catch {
    return undefined
  }
}

export function createFsReader (): FileReader {
  return {
    readFile: (path) => readFileSync(path, 'utf8'),
    glob: (pattern) => globWith(pattern, {
      listDir: (dir) => { try { return readdirSync(dir) } catch { return undefined } },
      isFile: (p) => statKind(p) === 'file',
      isDir: (p) => statKind(p) === 'dir'
    })
  }
}

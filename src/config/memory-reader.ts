// In-memory FileReader over a map of absolute path -> contents, for tests, fuzzing and tools
// that hold a config in memory. Pure: no I/O.
import type { FileReader } from './reader.js'
import { globWith } from './glob-pattern.js'

export function createMemoryReader (files: Record<string, string>): FileReader {
  const dirs = new Map<string, Set<string>>()
  for (const path of Object.keys(files)) {
    const parts = path.split('/')
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/') || '/'
      let set = dirs.get(dir)
      if (set === undefined) { set = new Set(); dirs.set(dir, set) }
      set.add(parts[i])
    }
  }
  return {
    readFile (path) {
      const text = files[path]
      if (text === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' })
      }
      return text
    },
    glob: (pattern) => globWith(pattern, {
      listDir: (dir) => { const s = dirs.get(dir); return s === undefined ? undefined : [...s] },
      isFile: (p) => Object.prototype.hasOwnProperty.call(files, p),
      isDir: (p) => dirs.has(p)
    })
  }
}

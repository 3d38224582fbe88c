// Pure glob helpers shared by the file readers: csh-style brace expansion and translation of one
// path segment (`*`, `?`, `[...]`) to a RegExp. No I/O here.

const MAX_BRACE_EXPANSIONS = 1024

/** Expand `{a,b}` alternatives (nested allowed) into plain patterns, bounded in count. */
export function expandBraces (pattern: string): string[] {
  const open = findBraceOpen(pattern)
  if (open < 0) return [pattern]
  const close = matchingBrace(pattern, open)
  if (close < 0) return [pattern]
  const alternatives = splitTopLevel(pattern.slice(open + 1, close))
  const prefix = pattern.slice(0, open)
  const suffix = pattern.slice(close + 1)
  const out: string[] = []
  for (const alt of alternatives) {
    for (const expanded of expandBraces(prefix + alt + suffix)) {
      if (out.length >= MAX_BRACE_EXPANSIONS) return out
      out.push(expanded)
    }
  }
  return out
}

function findBraceOpen (s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') { i++; continue }
    if (s[i] === '{') return i
  }
  return -1
}

function matchingBrace (s: string, open: number): number {
  let depth = 0
  for (let i = open; i < s.length; i++) {
    if (s[i] === '\\') { i++; continue }
    if (s[i] === '{') depth++
    else if (s[i] === '}' && --depth === 0) return i
  }
  return -1
}

function splitTopLevel (s: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === '\\') { i++; continue }
    if (c === '{') depth++
    else if (c === '}') depth--
    else if (c === ',' && depth === 0) { parts.push(s.slice(start, i)); start = i + 1 }
  }
  parts.push(s.slice(start))
  return parts
}

export function hasWildcard (segment: string): boolean {
  return /[*?[]/.test(segment)
}

/** RegExp for one path segment; a leading dot must be matched explicitly, as in glob(3). */
export function segmentRegExp (segment: string): RegExp {
  let re = ''
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2)
      if (end < 0) { re += '\\['; continue }
      let body = segment.slice(i + 1, end)
      if (body.startsWith('!')) body = '^' + body.slice(1)
      re += '[' + body.replace(/\\/g, '\\\\') + ']'
      i = end
    } else if (c === '\\' && i + 1 < segment.length) {
      re += escapeRe(segment[++i])
    } else re += escapeRe(c)
  }
  const dotGuard = segment.startsWith('.') ? '' : '(?!\\.)'
  return new RegExp('^' + dotGuard + re + '$')
}

function escapeRe (c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? '\\' + c : c
}

/** What glob needs from a file system: directory listing and existence of a file. */
export interface GlobFs {
  listDir: (dir: string) => string[] | undefined
  isFile: (path: string) => boolean
  isDir: (path: string) => boolean
}

/** Expand an absolute glob pattern against `fs`; results sorted and de-duplicated. */
export function globWith (pattern: string, fs: GlobFs): string[] {
  const found = new Set<string>()
  for (const p of expandBraces(pattern)) {
    const segments = p.split('/').filter((s, i) => s !== '' || i === 0)
    walk(segments[0] === '' ? '/' : '', segments.slice(segments[0] === '' ? 1 : 0), fs, found)
  }
  return [...found].sort()
}

function walk (base: string, rest: string[], fs: GlobFs, found: Set<string>): void {
  if (found.size > 10_000) return
  if (rest.length === 0) {
    if (fs.isFile(base)) found.add(base)
    return
  }
  const [seg, ...tail] = rest
  const join = (name: string): string => (base === '/' || base === '' ? base + name : base + '/' + name)
  if (!hasWildcard(seg)) {
    const next = join(seg.replace(/\\(.)/g, '$1'))
    if (tail.length === 0 || fs.isDir(next)) walk(next, tail, fs, found)
    return
  }
  const re = segmentRegExp(seg)
  for (const name of fs.listDir(base === '' ? '.' : base) ?? []) {
    if (re.test(name)) walk(join(name), tail, fs, found)
  }
}

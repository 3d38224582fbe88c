// The file-system seam of the config parser. The parser reads files and expands include globs
// only through this interface, so parsing is pure and testable with an in-memory reader.
// Implementations: fs-reader.ts (node:fs) and memory-reader.ts (tests, fuzzing).

export interface FileReader {
  /** Whole file as UTF-8 text. Throws an error with a `code` (e.g. 'ENOENT') on failure. */
  readFile: (path: string) => string
  /**
   * Absolute paths of existing files matching an absolute glob pattern (`*`, `?`, `[...]`,
   * `{a,b}`), sorted. A pattern without wildcards returns itself if the file exists.
   */
  glob: (pattern: string) => string[]
}

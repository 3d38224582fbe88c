// What `floatip check-config` reports: the parser's diagnostics (src/config, pure) and then what
// only the running system can tell, as keepalived -t does: the script files (script-check.ts).
// One function, so the CLI and the tests that compare floatip with keepalived -t see the same.
import { loadConfig, sortByFile, type LoadOptions, type LoadResult } from '../config/load.js'
import { checkScripts } from './script-check.js'

export function checkConfig (file: string, options: LoadOptions = {}): LoadResult {
  const result = loadConfig(file, options)
  const diagnostics = sortByFile([...result.diagnostics, ...checkScripts(result.model, result.locations)], result.model.files)
  return { ...result, diagnostics, ok: !diagnostics.some((d) => d.severity === 'error') }
}

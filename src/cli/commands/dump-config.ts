// `floatip dump-config --json`: print the resolved, typed model (keepalived defaults filled in) as
// stable JSON, documented in docs/config.md. Diagnostics go to stderr; exit 1 when not usable.
import type { Command } from 'commander'
import { loadConfig } from '../../config/load.js'
import { formatDiagnostic, modelToJson } from '../../config/format.js'
import { DEFAULT_CONFIG_FILE } from './check-config.js'

interface Options { file: string, json?: boolean, configId?: string }

export function register (program: Command): void {
  program
    .command('dump-config')
    .description('print the resolved configuration model (with defaults) as JSON')
    .option('-f, --file <FILE>', 'configuration file', DEFAULT_CONFIG_FILE)
    .option('--json', 'JSON output (the only format)')
    .option('-i, --config-id <ID>', 'id matched by @id lines (default: host name)')
    .action((opts: Options) => {
      const result = loadConfig(opts.file, { configId: opts.configId })
      for (const d of result.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n')
      process.stdout.write(modelToJson(result.model) + '\n')
      process.exitCode = result.ok ? 0 : 1
    })
}

// `floatip check-config`: parse a keepalived.conf, print every diagnostic (text or --json) and
// exit 0 when the config is usable (no errors), 1 otherwise, like `keepalived -t`. Script files
// are checked too (existence, permissions, users, enable_script_security). Commander wiring
// only; the logic is in src/config (parsing) and src/daemon/config-check.ts (the file system).
import type { Command } from 'commander'
import { checkConfig } from '../../daemon/config-check.js'
import { formatReport, summarize } from '../../config/format.js'

export const DEFAULT_CONFIG_FILE = '/etc/keepalived/keepalived.conf'

interface Options { file: string, json?: boolean, configId?: string, peer: string[], strict?: boolean }

export function register (program: Command): void {
  program
    .command('check-config')
    .description('check a keepalived.conf and explain every problem (exit 0 when usable)')
    .option('-f, --file <FILE>', 'configuration file', DEFAULT_CONFIG_FILE)
    .option('--json', 'print diagnostics as JSON')
    .option('-i, --config-id <ID>', 'id matched by @id lines (default: host name)')
    .option('--peer <FILE>', "another node's config, to check tracking weights against its priorities", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--strict', 'also exit non-zero (2) when there are warnings')
    .action((opts: Options) => {
      const result = checkConfig(opts.file, { configId: opts.configId, peerConfigs: opts.peer })
      const s = summarize(result.diagnostics)
      if (opts.json === true) {
        process.stdout.write(JSON.stringify({ ok: result.ok, errors: s.errors, warnings: s.warnings, files: result.model.files, diagnostics: result.diagnostics }, null, 2) + '\n')
      } else {
        process.stdout.write(formatReport(result.diagnostics))
      }
      process.exitCode = !result.ok ? 1 : opts.strict === true && s.warnings > 0 ? 2 : 0
    })
}

// `floatip run`: run every vrrp_instance of a keepalived.conf in the foreground, logging JSON
// lines to stdout. Commander wiring only; the daemon is src/daemon/run.ts.
import type { Command } from 'commander'
import { DEFAULT_CONFIG_FILE } from './check-config.js'
import { runDaemon } from '../../daemon/run.js'

interface Options { file: string, namespace?: string, configId?: string, logLevel: string, rtPriority?: string }

export function register (program: Command): void {
  program
    .command('run')
    .description('run the VRRP instances of a keepalived.conf (foreground, JSON logs on stdout)')
    .option('-f, --file <FILE>', 'configuration file', DEFAULT_CONFIG_FILE)
    .option('-s, --namespace <NAME>', 'run in this network namespace (like keepalived -s)')
    .option('-i, --config-id <ID>', 'id matched by @id lines (default: host name)')
    .option('--log-level <LEVEL>', 'trace, debug, info, warn, error', 'info')
    .option('--rt-priority <N>', 'run the native I/O thread SCHED_FIFO at priority N (1-99)')
    .action(async (opts: Options) => {
      const code = await runDaemon({
        file: opts.file,
        namespace: opts.namespace,
        configId: opts.configId,
        logLevel: opts.logLevel,
        realtimePriority: opts.rtPriority === undefined ? 0 : Number(opts.rtPriority)
      })
      // Logs are written synchronously; nothing is left to flush.
      process.exit(code)
    })
}

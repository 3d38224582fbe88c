// `floatip run`: run every vrrp_instance of a keepalived.conf in the foreground, logging JSON
// lines to stdout. Commander wiring only; the daemon is src/daemon/run.ts.
import type { Command } from 'commander'
import { DEFAULT_CONFIG_FILE } from './check-config.js'
import { runDaemon } from '../../daemon/run.js'
import type { EngineThread } from '../../daemon/engine-thread.js'

interface Options { file: string, namespace?: string, configId?: string, logLevel: string, rtPriority?: string }

/** `engine`: the engine thread main.ts spawned; without it runDaemon spawns its own. */
export function register (program: Command, engine?: EngineThread): void {
  program
    .command('run')
    .description('run the VRRP instances of a keepalived.conf (foreground, JSON logs on stdout)')
    .option('-f, --file <FILE>', 'configuration file', DEFAULT_CONFIG_FILE)
    .option('-s, --namespace <NAME>', 'run in this network namespace (like keepalived -s)')
    .option('-i, --config-id <ID>', 'id matched by @id lines (default: host name)')
    .option('--log-level <LEVEL>', 'trace, debug, info, warn, error', 'info')
    .option('--rt-priority <N>', 'the native I/O thread runs SCHED_FIFO at priority N (1-99), or on the normal scheduler (0); default: vrrp_rt_priority, else 1 where allowed')
    .action(async (opts: Options) => {
      const rt = opts.rtPriority === undefined ? undefined : Number(opts.rtPriority)
      if (rt !== undefined && !(Number.isInteger(rt) && rt >= 0 && rt <= 99)) {
        process.stderr.write(`floatip run: --rt-priority must be a whole number from 0 (normal scheduler) to 99 (SCHED_FIFO), not '${opts.rtPriority ?? ''}'\n`)
        process.exit(2)
      }
      const code = await runDaemon({
        file: opts.file,
        namespace: opts.namespace,
        configId: opts.configId,
        logLevel: opts.logLevel,
        realtimePriority: rt
      }, engine)
      // Logs are written synchronously; nothing is left to flush.
      process.exit(code)
    })
}

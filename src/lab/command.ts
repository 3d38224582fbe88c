// Running short commands (ip, sysctl, ping, ...) for the lab. Owns: timeouts, output capture and
// turning a failure into a LabError that carries stderr. Must not: decide which namespace a
// command may run in (the Lab checks ownership before it calls here).

import { execFile, execFileSync } from 'node:child_process';
import { LabError, describeCommandFailure } from './errors.js';

/** Any single lab command is killed after this long: a hung `ip` must not hang a test run. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export interface CommandOptions {
  timeoutMs?: number;
  /** For error messages only: the namespace the command runs in. */
  ns?: string;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** argv that runs `argv` inside network namespace `ns` (iproute2 execs it: the pid is the program's). */
export function inNamespace(ns: string, argv: readonly string[]): string[] {
  if (argv.length === 0) throw new LabError('empty argv: nothing to run', { ns });
  return ['ip', 'netns', 'exec', ns, ...argv];
}

/** Runs argv synchronously; returns stdout; throws LabError with stderr on failure. */
export function commandSync(argv: readonly string[], options: CommandOptions = {}): string {
  const [file, ...args] = argv;
  try {
    return execFileSync(file, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: MAX_OUTPUT_BYTES,
    });
  } catch (cause) {
    throw toLabError(argv, options.ns, cause);
  }
}

/** Runs argv without blocking the event loop; throws LabError with stderr on failure. */
export function command(argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        encoding: 'utf8',
        timeout: options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: MAX_OUTPUT_BYTES,
      },
      (error, stdout, stderr) => {
        if (error === null) resolve({ stdout, stderr });
        else reject(toLabError(argv, options.ns, Object.assign(error, { stdout, stderr })));
      },
    );
  });
}

interface ExecFailure {
  code?: unknown;
  status?: number | null;
  signal?: NodeJS.Signals | null;
  killed?: boolean;
  stderr?: unknown;
}

function toLabError(argv: readonly string[], ns: string | undefined, cause: unknown): LabError {
  const failure = (typeof cause === 'object' && cause !== null ? cause : {}) as ExecFailure;
  const stderr = typeof failure.stderr === 'string' ? failure.stderr : Buffer.isBuffer(failure.stderr) ? failure.stderr.toString('utf8') : '';
  if (failure.code === 'ENOENT') {
    return new LabError(`lab command \`${argv[0]}\` not found: install it (iproute2 provides ip)`, { argv, ns, cause });
  }
  // execFile reports the exit status as a numeric `code`, execFileSync as `status`.
  const status = typeof failure.status === 'number' ? failure.status : typeof failure.code === 'number' ? failure.code : null;
  const signal = failure.signal ?? null;
  let message = describeCommandFailure(argv, status, signal, stderr);
  if (signal === 'SIGKILL' && status === null) message += ' (probably its timeout)';
  if (/Operation not permitted|Permission denied/.test(stderr)) {
    message += ' — the lab needs root (or CAP_NET_ADMIN + CAP_SYS_ADMIN for ip netns)';
  }
  return new LabError(message, { argv, ns, status, signal, stderr, cause });
}

// The lab's one error class. Owns: a stable code and the facts a reader needs to see what failed
// (command, namespace, exit status, stderr). Must not: swallow the cause or stringify it away.

export const ERR_FLOATIP_LAB = 'ERR_FLOATIP_LAB';

export interface LabErrorDetails {
  /** The command that failed, as an argv (the first element is the program). */
  argv?: readonly string[];
  /** The lab namespace the command ran in, if any. */
  ns?: string;
  /** Exit status of the command (null when it was killed by a signal or never ran). */
  status?: number | null;
  signal?: NodeJS.Signals | null;
  stderr?: string;
  cause?: unknown;
}

export class LabError extends Error {
  readonly code = ERR_FLOATIP_LAB;
  readonly argv: readonly string[] | undefined;
  readonly ns: string | undefined;
  readonly status: number | null | undefined;
  readonly signal: NodeJS.Signals | null | undefined;
  readonly stderr: string | undefined;

  constructor(message: string, details: LabErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LabError';
    this.argv = details.argv;
    this.ns = details.ns;
    this.status = details.status;
    this.signal = details.signal;
    this.stderr = details.stderr;
  }
}

/** `ip netns exec x ping -c 1 ...` failed (status 1): "PING ... 100% packet loss" — one line. */
export function describeCommandFailure(
  argv: readonly string[],
  status: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
): string {
  const how = signal !== null ? `was killed by ${signal}` : `exited with status ${String(status)}`;
  const err = stderr.trim();
  return `lab command \`${argv.join(' ')}\` ${how}${err === '' ? '' : `: ${err}`}`;
}

// The registry of live labs and the process hooks that destroy them. Owns: the ONE piece of
// process-wide mutable state in src/lab, and the exit/signal/uncaught-exception hooks.
// Must not: know how a lab is built or torn down (it only calls destroySync()).
//
// Why process-wide: a lab is kernel state (namespaces, veths, processes) that outlives the process
// that made it unless someone deletes it. The hooks that run when the process ends — 'exit', a
// signal, an uncaught exception — are themselves process-wide, and they must find every live lab
// whichever test, demo or bench module created it. So the set of live labs must live where those
// hooks can see it: here, once per process.

export interface LiveLab {
  /** Tears the lab down without the event loop (kills its processes, deletes its namespaces). */
  destroySync(): void;
}

const liveLabs = new Set<LiveLab>();
const HANDLED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let exitHooksInstalled = false;
let signalHooksInstalled = false;

export function registerLab(lab: LiveLab): void {
  liveLabs.add(lab);
  installHooks();
}

export function unregisterLab(lab: LiveLab): void {
  liveLabs.delete(lab);
}

export function liveLabCount(): number {
  return liveLabs.size;
}

/** Destroys every live lab of this process, synchronously; one failure does not stop the rest. */
export function destroyAllLabsSync(): void {
  for (const lab of [...liveLabs]) {
    try {
      lab.destroySync();
    } catch (error) {
      // We are usually on the way out: report and carry on with the other labs.
      process.stderr.write(`floatip lab: cleanup failed: ${(error as Error).message}\n`);
    } finally {
      liveLabs.delete(lab);
    }
  }
}

function installHooks(): void {
  if (!signalHooksInstalled) {
    signalHooksInstalled = true;
    for (const signal of HANDLED_SIGNALS) process.prependListener(signal, onSignal);
  }
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // 'exit' runs for a normal end, process.exit(n) and after an uncaught exception; the exit code
  // is left as it was.
  process.on('exit', destroyAllLabsSync);
  // Monitor, not handler: observing does not change Node's default (print, exit code 1). If the
  // program handles uncaught exceptions itself it keeps running, and its labs stay until 'exit'.
  process.on('uncaughtExceptionMonitor', () => {
    if (process.listenerCount('uncaughtException') === 0) destroyAllLabsSync();
  });
}

/**
 * Runs first among the signal's listeners (prepended): destroys the labs, then steps aside
 * (until the next lab is registered). If
 * nobody else listens, the signal is raised again so the process dies of it as it would have
 * without us (shell sees 128+n). If others listen (tap's signal-exit, a demo's graceful shutdown),
 * they run next in this same emit and see the listener list as if we had never been there.
 */
function onSignal(signal: NodeJS.Signals): void {
  destroyAllLabsSync();
  for (const s of HANDLED_SIGNALS) process.removeListener(s, onSignal);
  signalHooksInstalled = false; // the next registerLab() installs them again
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

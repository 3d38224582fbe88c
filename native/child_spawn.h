// Starting a script without fork(): posix_spawn (glibc: clone(CLONE_VM | CLONE_VFORK), so the
// daemon's page tables are never copied) in a new session, with default signal dispositions, an
// empty signal mask and /dev/null for stdio; its exit is watched through a pidfd on the calling
// environment's libuv loop. Nothing else: what a result means is the JavaScript caller's business.
#pragma once
#include <napi.h>

namespace floatip {

// spawnDetached(argv: string[], env: string[] | null, onExit: (code, signal) => void) -> pid.
// argv[0] is looked up in PATH; env null inherits the daemon's environment. onExit runs once on
// the same thread with (exit code, null) or (null, signal number). Throws a Node-shaped system
// error (code ENOENT, EACCES, ...) when the program cannot be executed; nothing is left running.
void InitChildSpawn(Napi::Env env, Napi::Object exports);

}  // namespace floatip

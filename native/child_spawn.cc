#include "child_spawn.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <string>
#include <vector>

#include "cleanup_hook.h"
#include "system_error.h"

#ifndef P_PIDFD
#define P_PIDFD 3  // waitid(2), Linux 5.4
#endif

namespace floatip {

namespace {

// One running child: the pidfd polled on the loop, and the JavaScript callback for its exit.
// Owned by the loop: deleted in the uv_close callback after the exit was reported (or the
// environment went away).
struct ChildWatch {
  uv_poll_t poll;
  int pidfd = -1;
  napi_env env = nullptr;
  Napi::FunctionReference on_exit;
  Napi::AsyncContext* context = nullptr;
  CleanupHook hook;
};

void OnClosed(uv_handle_t* handle) {
  auto* watch = static_cast<ChildWatch*>(handle->data);
  if (watch->pidfd >= 0) ::close(watch->pidfd);
  delete watch->context;
  delete watch;
}

// The environment is being torn down with the child still running: stop watching (the child
// itself is the daemon's close() business, as it was with child_process).
void OnEnvCleanup(void* arg) {
  auto* watch = static_cast<ChildWatch*>(arg);
  watch->hook.MarkRan();
  // Release the JavaScript references now, while the environment still exists; the close
  // callback may run later (or never, at process exit) and then only frees memory.
  watch->on_exit.Reset();
  delete watch->context;
  watch->context = nullptr;
  uv_poll_stop(&watch->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&watch->poll), OnClosed);
}

void OnReadable(uv_poll_t* handle, int status, int events) {
  auto* watch = static_cast<ChildWatch*>(handle->data);
  siginfo_t info{};
  // WNOHANG: a readable pidfd means the process has exited, but never block the loop on it.
  if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(watch->pidfd), &info, WEXITED | WNOHANG) != 0) {
    if (errno == EINTR || errno == EAGAIN) return;
    info.si_pid = -1;  // ECHILD: reaped by someone else; the exit status is unknown (code -1)
  } else if (info.si_pid == 0) {
    return;  // not yet
  }
  uv_poll_stop(handle);
  watch->hook.Unregister();
  Napi::Env env(watch->env);
  {
    Napi::HandleScope scope(env);
    Napi::Value code = env.Null();
    Napi::Value signal = env.Null();
    if (info.si_pid == -1) {
      code = Napi::Number::New(env, -1);
    } else if (info.si_code == CLD_EXITED) {
      code = Napi::Number::New(env, info.si_status);
    } else {
      signal = Napi::Number::New(env, info.si_status);
    }
    try {
      watch->on_exit.MakeCallback(env.Global(), {code, signal}, *watch->context);
    } catch (const Napi::Error& e) {
      napi_fatal_exception(watch->env, e.Value());
    }
  }
  uv_close(reinterpret_cast<uv_handle_t*>(handle), OnClosed);
}

std::vector<std::string> StringArray(Napi::Env env, Napi::Value v, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(env, std::string(what) + " must be an array of strings");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<std::string> out;
  out.reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value item = a.Get(i);
    if (!item.IsString()) throw Napi::TypeError::New(env, std::string(what) + " must be an array of strings");
    out.push_back(item.As<Napi::String>().Utf8Value());
  }
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// posix_spawnattr_t and posix_spawn_file_actions_t, destroyed on every path out.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

pid_t Spawn(std::vector<std::string>& argv, std::vector<std::string>* env) {
  SpawnSetup s;
  // KEEPALIVED runs each script as the leader of its own process group; a new session gives
  // that too, and no controlling terminal (what child_process's `detached` did).
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);  // glibc leaves its internal signals out
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setsigdefault(&s.attr, &all);  // Node ignores SIGPIPE; a script must not
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&s.actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&s.actions, 1, 2);
  // Any fd the daemon inherited without CLOEXEC (from systemd, a shell, a test runner) is not
  // the script's business. glibc 2.34+; looked up at run time so the addon still loads on older
  // glibc (where such fds are inherited, as they were with child_process).
  using CloseFrom = int (*)(posix_spawn_file_actions_t*, int);
  static const auto close_from = reinterpret_cast<CloseFrom>(::dlsym(RTLD_DEFAULT, "posix_spawn_file_actions_addclosefrom_np"));
  if (close_from != nullptr) close_from(&s.actions, 3);
  std::vector<char*> args = Pointers(argv);
  std::vector<char*> envp;
  if (env != nullptr) envp = Pointers(*env);
  pid_t pid = -1;
  int err = ::posix_spawnp(&pid, args[0], &s.actions, &s.attr, args.data(), env != nullptr ? envp.data() : environ);
  if (err != 0) throw SystemError(err, "posix_spawn", argv[0]);
  return pid;
}

Napi::Value SpawnDetachedJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return WithSystemErrors(env, [&]() -> Napi::Value {
    std::vector<std::string> argv = StringArray(env, info[0], "argv");
    if (argv.empty()) throw Napi::TypeError::New(env, "argv must not be empty");
    std::vector<std::string> environment;
    bool inherit = info[1].IsNull() || info[1].IsUndefined();
    if (!inherit) environment = StringArray(env, info[1], "env");
    if (!info[2].IsFunction()) throw Napi::TypeError::New(env, "onExit must be a function");
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      throw Napi::Error::New(env, "floatip native error: no event loop to watch the child on");
    }
    pid_t pid = Spawn(argv, inherit ? nullptr : &environment);
    // The child cannot be reaped by anyone else (libuv waits only for its own children), so
    // even one that has already exited is still there for pidfd_open.
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
      int err = errno;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      throw SystemError(err, "pidfd_open", argv[0] + " (floatip needs Linux 5.4 or later)");
    }
    auto* watch = new ChildWatch();
    watch->pidfd = pidfd;
    watch->env = env;
    watch->on_exit = Napi::Persistent(info[2].As<Napi::Function>());
    watch->context = new Napi::AsyncContext(env, "floatip:script");
    watch->poll.data = watch;
    // Not watchable: end and reap the child here so that nothing is left behind.
    auto give_up = [&](int rc, const char* syscall) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      throw SystemError(-rc, syscall, "pidfd of " + argv[0]);
    };
    int rc = uv_poll_init(loop, &watch->poll, pidfd);
    if (rc != 0) {
      OnClosed(reinterpret_cast<uv_handle_t*>(&watch->poll));
      give_up(rc, "uv_poll_init");
    }
    rc = uv_poll_start(&watch->poll, UV_READABLE, OnReadable);
    if (rc != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(&watch->poll), OnClosed);
      give_up(rc, "uv_poll_start");
    }
    watch->hook.Register(env, OnEnvCleanup, watch);
    return Napi::Number::New(env, pid);
  });
}

}  // namespace

void InitChildSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("spawnDetached", Napi::Function::New(env, SpawnDetachedJs, "spawnDetached"));
}

}  // namespace floatip

// Registers an env cleanup hook (worker exit, environment teardown) that closes a native object,
// and removes it again when the object is closed first. Idempotent both ways.
#pragma once
#include <node_api.h>

namespace floatip {

class CleanupHook {
 public:
  using Fn = void (*)(void*);
  void Register(napi_env env, Fn fn, void* arg) {
    if (napi_add_env_cleanup_hook(env, fn, arg) == napi_ok) {
      env_ = env;
      fn_ = fn;
      arg_ = arg;
    }
  }
  // Called by the hook itself: the environment already removed it.
  void MarkRan() { env_ = nullptr; }
  void Unregister() {
    if (env_ == nullptr) return;
    napi_remove_env_cleanup_hook(env_, fn_, arg_);
    env_ = nullptr;
  }

 private:
  napi_env env_ = nullptr;
  Fn fn_ = nullptr;
  void* arg_ = nullptr;
};

}  // namespace floatip

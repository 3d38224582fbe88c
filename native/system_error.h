// A failed system call, carried as data (errno + syscall + context) from the pure C++ parts to the
// N-API wrappers, which turn it into a JS Error shaped like Node's (code, errno, syscall).
#pragma once
#include <napi.h>
#include <stdexcept>
#include <string>

namespace floatip {

struct SystemError : std::runtime_error {
  SystemError(int err, std::string sys, std::string ctx = "", std::string hint_text = "")
      : std::runtime_error(sys), errnum(err), syscall(std::move(sys)), context(std::move(ctx)),
        hint(std::move(hint_text)) {}
  int errnum;           // positive errno
  std::string syscall;  // e.g. "setsockopt(SO_BINDTODEVICE)"
  std::string context;  // e.g. "interface eth9 in namespace fip-1-a"
  std::string hint;     // e.g. what capability is missing
};

// Throws SystemError for the current errno, adding a privilege hint for EPERM/EACCES.
[[noreturn]] void ThrowErrno(const std::string& syscall, const std::string& context = "");

// Converts to a JS Error: message "CODE: description, syscall context", properties code, errno
// (negative, as Node's), syscall, and hint when present.
Napi::Error ToJsError(Napi::Env env, const SystemError& err);

}  // namespace floatip

namespace floatip {

// Runs f, turning SystemError into a Node-shaped JS error and any other C++ exception into a
// plain Error, so that no C++ exception escapes into N-API.
template <typename F>
auto WithSystemErrors(Napi::Env env, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const SystemError& e) {
    throw ToJsError(env, e);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string("floatip native error: ") + e.what());
  }
}

}  // namespace floatip

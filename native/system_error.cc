#include "system_error.h"

#include <uv.h>

#include <cerrno>

namespace floatip {

namespace {

std::string PrivilegeHint(int err, const std::string& syscall) {
  if (err != EPERM && err != EACCES) return "";
  return "floatip needs root or the capabilities CAP_NET_RAW (raw and packet sockets) and "
         "CAP_NET_ADMIN (addresses, SO_BINDTODEVICE, namespaces); " + syscall + " was refused";
}

}  // namespace

void ThrowErrno(const std::string& syscall, const std::string& context) {
  int err = errno;
  throw SystemError(err, syscall, context, PrivilegeHint(err, syscall));
}

Napi::Error ToJsError(Napi::Env env, const SystemError& err) {
  const char* code = uv_err_name(-err.errnum);
  const char* description = uv_strerror(-err.errnum);
  std::string message = std::string(code) + ": " + description + ", " + err.syscall;
  if (!err.context.empty()) message += " (" + err.context + ")";
  if (!err.hint.empty()) message += ". Hint: " + err.hint;
  Napi::Error js = Napi::Error::New(env, message);
  js.Set("code", Napi::String::New(env, code));
  js.Set("errno", Napi::Number::New(env, -err.errnum));
  js.Set("syscall", Napi::String::New(env, err.syscall));
  if (!err.hint.empty()) js.Set("hint", Napi::String::New(env, err.hint));
  return js;
}

}  // namespace floatip

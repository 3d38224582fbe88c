#include "netns.h"

#include <fcntl.h>
#include <sched.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "system_error.h"

namespace floatip {

NetnsScope::NetnsScope(const std::string& name) {
  if (name.empty()) return;
  if (name.find("..") != std::string::npos ||
      (name[0] != '/' && name.find('/') != std::string::npos)) {
    throw SystemError(EINVAL, "setns", "invalid network namespace name '" + name + "'");
  }
  std::string path = name[0] == '/' ? name : "/run/netns/" + name;
  UniqueFd target(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!target.Valid()) {
    ThrowErrno("open", "network namespace '" + name + "' (" + path + ")");
  }
  UniqueFd original(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!original.Valid()) ThrowErrno("open", "/proc/thread-self/ns/net");
  if (::setns(target.Get(), CLONE_NEWNET) != 0) {
    ThrowErrno("setns", "network namespace '" + name + "'");
  }
  original_ = std::move(original);
}

NetnsScope::~NetnsScope() {
  if (!original_.Valid()) return;
  if (::setns(original_.Get(), CLONE_NEWNET) != 0) {
    // A thread left in another namespace would silently misroute every later socket.
    std::perror("floatip: cannot restore the thread's network namespace");
    std::abort();
  }
}

std::string NetnsScope::Describe(const std::string& what, const std::string& netns) {
  return netns.empty() ? what : what + " in network namespace '" + netns + "'";
}

}  // namespace floatip

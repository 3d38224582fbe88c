// Enters a named network namespace on the calling thread for the lifetime of a scope, so sockets
// created inside belong to it (keepalived's --namespace / net_namespace), then restores the
// thread's original namespace. Sockets keep their namespace after the scope ends.
#pragma once
#include <string>

#include "unique_fd.h"

namespace floatip {

class NetnsScope {
 public:
  // Empty name: no-op. A name without '/' is looked up in /run/netns; an absolute path (e.g.
  // /proc/PID/ns/net) is used as is. Throws SystemError (ENOENT for an unknown namespace).
  explicit NetnsScope(const std::string& name);
  ~NetnsScope();
  NetnsScope(const NetnsScope&) = delete;
  NetnsScope& operator=(const NetnsScope&) = delete;

  // "interface X in namespace Y" for error messages.
  static std::string Describe(const std::string& what, const std::string& netns);

 private:
  UniqueFd original_;
};

}  // namespace floatip

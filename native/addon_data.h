// Per-environment (main thread or worker) state of the addon: the class constructors. No global
// mutable state: each environment that loads the addon gets its own.
#pragma once
#include <napi.h>

namespace floatip {

struct AddonData {
  Napi::FunctionReference vrrp_socket;
  Napi::FunctionReference packet_socket;
  Napi::FunctionReference netlink_socket;
  Napi::FunctionReference io_loop;
};

}  // namespace floatip

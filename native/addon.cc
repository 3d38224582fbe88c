// Module entry: registers the classes and functions of the floatip addon for one environment
// (main thread or worker). The typed TypeScript view of this surface is src/native/binding.ts.
#include <napi.h>

#include "addon_data.h"
#include "child_spawn.h"
#include "clock.h"
#include "io_loop_wrap.h"
#include "js_args.h"
#include "packet_socket.h"
#include "socket_wraps.h"
#include "system_error.h"

namespace floatip {

constexpr int kAbiVersion = 2;  // bump when the JS-visible surface or record layout changes

static Napi::Value MonotonicUsJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(MonotonicUs()));
}

// interfaceInfo(ifname, netns?) -> { index, mac: Buffer, mtu, flags }
static Napi::Value InterfaceInfoJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return WithSystemErrors(env, [&]() -> Napi::Value {
    if (!info[0].IsString()) throw Napi::TypeError::New(env, "ifname must be a string");
    std::string netns = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
    InterfaceInfo i = GetInterfaceInfo(info[0].As<Napi::String>().Utf8Value(), netns);
    Napi::Object o = Napi::Object::New(env);
    o.Set("index", Napi::Number::New(env, i.index));
    o.Set("mac", Napi::Buffer<uint8_t>::Copy(env, i.mac, 6));
    o.Set("mtu", Napi::Number::New(env, i.mtu));
    o.Set("flags", Napi::Number::New(env, i.flags));
    return o;
  });
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);  // deleted by N-API when the environment goes away
  InitSocketWraps(env, exports, *data);
  InitIoLoopWrap(env, exports, *data);
  InitChildSpawn(env, exports);
  exports.Set("monotonicUs", Napi::Function::New(env, MonotonicUsJs, "monotonicUs"));
  exports.Set("interfaceInfo", Napi::Function::New(env, InterfaceInfoJs, "interfaceInfo"));
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("sourceHash", Napi::String::New(env, FLOATIP_SOURCE_HASH));
  exports.Set("recordHeaderSize", Napi::Number::New(env, static_cast<double>(kRecordHeaderSize)));
  return exports;
}

}  // namespace floatip

static Napi::Object InitFloatip(Napi::Env env, Napi::Object exports) {
  return floatip::Init(env, exports);
}

NODE_API_MODULE(floatip, InitFloatip)

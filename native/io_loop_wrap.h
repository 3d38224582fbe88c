// The JavaScript class IoLoop over LoopCore.
#pragma once
#include <napi.h>

namespace floatip {

struct AddonData;
void InitIoLoopWrap(Napi::Env env, Napi::Object exports, AddonData& data);

}  // namespace floatip

// The JavaScript classes over channels: VrrpSocket, PacketSocket, NetlinkSocket. Each owns one
// Channel, closes it idempotently (detaching it from its loop first) and on env teardown.
#pragma once
#include <napi.h>

#include <memory>

#include "channel.h"

namespace floatip {

struct AddonData;

void InitSocketWraps(Napi::Env env, Napi::Object exports, AddonData& data);

// The channel behind any of the three socket classes; throws TypeError for anything else and
// EBADF for a closed socket.
std::shared_ptr<Channel> ChannelFromValue(Napi::Env env, Napi::Value value);

}  // namespace floatip

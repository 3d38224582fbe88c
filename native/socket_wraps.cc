#include "socket_wraps.h"

#include <cerrno>
#include <cstring>

#include "addon_data.h"
#include "cleanup_hook.h"
#include "io_loop.h"
#include "js_args.h"
#include "netlink_socket.h"
#include "packet_socket.h"
#include "system_error.h"
#include "vrrp_socket.h"

namespace floatip {

namespace {

// Shared lifetime of the three socket classes: one channel, idempotent close, env cleanup.
template <typename T>
class SocketWrap : public Napi::ObjectWrap<T> {
 public:
  explicit SocketWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {}
  ~SocketWrap() override { Close(); }

  std::shared_ptr<Channel> channel() const { return channel_; }

 protected:
  void Adopt(Napi::Env env, std::shared_ptr<Channel> ch) {
    channel_ = std::move(ch);
    hook_.Register(env, &SocketWrap::OnCleanup, this);
  }

  Channel& Require(Napi::Env env, const char* syscall) {
    if (!channel_) throw ToJsError(env, SystemError(EBADF, syscall, "the socket is closed"));
    return *channel_;
  }

  Napi::Value CloseJs(const Napi::CallbackInfo& info) {
    Close();
    return info.Env().Undefined();
  }

  Napi::Value ClosedJs(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), !channel_);
  }

  Napi::Value IfindexJs(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), channel_ ? channel_->ifindex : 0);
  }

  // Sends bytes to the channel's destination (or `dst` address bytes for VRRP sockets).
  Napi::Value SendJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return WithSystemErrors(env, [&]() -> Napi::Value {
      Channel& ch = Require(env, "sendto");
      Napi::Uint8Array bytes = BytesArg(env, info[0], "data");
      sockaddr_storage dst;
      socklen_t dst_len;
      if (info.Length() > 1 && !info[1].IsUndefined() && !info[1].IsNull()) {
        Napi::Uint8Array addr = BytesArg(env, info[1], "destination");
        BuildDestination(ch, addr.Data(), addr.ByteLength(), &dst, &dst_len);
      } else {
        BuildDestination(ch, nullptr, 0, &dst, &dst_len);
      }
      ssize_t n = SendOn(ch, bytes.Data(), bytes.ByteLength(), dst, dst_len);
      if (n < 0) {
        errno = static_cast<int>(-n);
        ThrowErrno("sendto");
      }
      return Napi::Number::New(env, static_cast<double>(n));
    });
  }

  void Close() {
    hook_.Unregister();
    if (!channel_) return;
    std::shared_ptr<LoopCore> loop;
    {
      std::lock_guard<std::mutex> attach(channel_->attach_mu);
      loop = channel_->loop.lock();
    }
    if (loop) loop->Detach(channel_.get());
    channel_->fd.Reset();
    channel_.reset();
  }

 private:
  static void OnCleanup(void* arg) {
    auto* self = static_cast<SocketWrap*>(arg);
    self->hook_.MarkRan();
    self->Close();
  }

  std::shared_ptr<Channel> channel_;
  CleanupHook hook_;
};

// new VrrpSocket({ family: 4|6, ifname, netns?, multicast?, source?: Uint8Array })
class VrrpSocketWrap : public SocketWrap<VrrpSocketWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "VrrpSocket",
                       {InstanceMethod("send", &VrrpSocketWrap::SendJs),
                        InstanceMethod("close", &VrrpSocketWrap::CloseJs),
                        InstanceMethod("setReceiveBuffer", &VrrpSocketWrap::SetReceiveBufferJs),
                        InstanceAccessor("closed", &VrrpSocketWrap::ClosedJs, nullptr),
                        InstanceAccessor("ifindex", &VrrpSocketWrap::IfindexJs, nullptr),
                        InstanceAccessor("receiveBuffer", &VrrpSocketWrap::ReceiveBufferJs, nullptr)});
  }

  explicit VrrpSocketWrap(const Napi::CallbackInfo& info) : SocketWrap(info) {
    Napi::Env env = info.Env();
    Napi::Object o = RequireObject(env, info[0], "options");
    VrrpSocketOptions opts;
    opts.family = static_cast<int>(OptionalNumber(o, "family", 4));
    opts.ifname = OptionalString(o, "ifname");
    opts.netns = OptionalString(o, "netns");
    opts.multicast = OptionalBool(o, "multicast", true);
    opts.receive = OptionalBool(o, "receive", true);
    Napi::Value source = o.Get("source");
    if (!source.IsUndefined() && !source.IsNull()) {
      Napi::Uint8Array bytes = BytesArg(env, source, "source");
      if (bytes.ByteLength() != (opts.family == 4 ? 4u : 16u)) {
        throw Napi::TypeError::New(env, "source must be 4 bytes for IPv4, 16 for IPv6");
      }
      std::memcpy(opts.source, bytes.Data(), bytes.ByteLength());
      opts.has_source = true;
    }
    WithSystemErrors(env, [&] { Adopt(env, OpenVrrpSocket(opts)); });
  }

 private:
  // setReceiveBuffer(value) -> the budget the kernel now counts against (bytes)
  Napi::Value SetReceiveBufferJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return WithSystemErrors(env, [&]() -> Napi::Value {
      Channel& ch = Require(env, "setsockopt(SO_RCVBUF)");
      uint32_t value = Uint32Arg(env, info[0], "value");
      if (value == 0 || value > (1u << 30)) throw Napi::RangeError::New(env, "value must be 1..2^30 bytes");
      return Napi::Number::New(env, SetReceiveBufferBytes(ch, static_cast<int>(value)));
    });
  }

  Napi::Value ReceiveBufferJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return WithSystemErrors(env, [&]() -> Napi::Value {
      return Napi::Number::New(env, ReceiveBufferBytes(Require(env, "getsockopt(SO_RCVBUF)")));
    });
  }
};

// new PacketSocket({ ifname, netns?, protocol?: EtherType, ignoreOutgoing? })
class PacketSocketWrap : public SocketWrap<PacketSocketWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PacketSocket",
                       {InstanceMethod("send", &PacketSocketWrap::SendJs),
                        InstanceMethod("close", &PacketSocketWrap::CloseJs),
                        InstanceAccessor("closed", &PacketSocketWrap::ClosedJs, nullptr),
                        InstanceAccessor("ifindex", &PacketSocketWrap::IfindexJs, nullptr)});
  }

  explicit PacketSocketWrap(const Napi::CallbackInfo& info) : SocketWrap(info) {
    Napi::Env env = info.Env();
    Napi::Object o = RequireObject(env, info[0], "options");
    PacketSocketOptions opts;
    opts.ifname = OptionalString(o, "ifname");
    opts.netns = OptionalString(o, "netns");
    double protocol = OptionalNumber(o, "protocol", 0);
    if (protocol < 0 || protocol > 0xffff) throw Napi::RangeError::New(env, "protocol is an EtherType 0..0xffff");
    opts.protocol = static_cast<uint16_t>(protocol);
    opts.ignore_outgoing = OptionalBool(o, "ignoreOutgoing", true);
    WithSystemErrors(env, [&] { Adopt(env, OpenPacketSocket(opts)); });
  }
};

// new NetlinkSocket({ netns?, groups?: RTMGRP_* bits }); request(bytes, timeoutMs?) -> Buffer
class NetlinkSocketWrap : public SocketWrap<NetlinkSocketWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NetlinkSocket",
                       {InstanceMethod("request", &NetlinkSocketWrap::RequestJs),
                        InstanceMethod("close", &NetlinkSocketWrap::CloseJs),
                        InstanceAccessor("closed", &NetlinkSocketWrap::ClosedJs, nullptr)});
  }

  explicit NetlinkSocketWrap(const Napi::CallbackInfo& info) : SocketWrap(info) {
    Napi::Env env = info.Env();
    Napi::Object o = info[0].IsUndefined() ? Napi::Object::New(env) : RequireObject(env, info[0], "options");
    NetlinkSocketOptions opts;
    opts.netns = OptionalString(o, "netns");
    opts.groups = static_cast<uint32_t>(OptionalNumber(o, "groups", 0));
    WithSystemErrors(env, [&] { Adopt(env, OpenNetlinkSocket(opts)); });
  }

 private:
  Napi::Value RequestJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return WithSystemErrors(env, [&]() -> Napi::Value {
      Channel& ch = Require(env, "sendto(AF_NETLINK)");
      Napi::Uint8Array bytes = BytesArg(env, info[0], "request");
      int timeout_ms = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 2000;
      std::vector<uint8_t> reply = NetlinkRequest(ch, bytes.Data(), bytes.ByteLength(), timeout_ms);
      return Napi::Buffer<uint8_t>::Copy(env, reply.data(), reply.size());
    });
  }
};

}  // namespace

void InitSocketWraps(Napi::Env env, Napi::Object exports, AddonData& data) {
  Napi::Function vrrp = VrrpSocketWrap::Define(env);
  Napi::Function packet = PacketSocketWrap::Define(env);
  Napi::Function netlink = NetlinkSocketWrap::Define(env);
  data.vrrp_socket = Napi::Persistent(vrrp);
  data.packet_socket = Napi::Persistent(packet);
  data.netlink_socket = Napi::Persistent(netlink);
  exports.Set("VrrpSocket", vrrp);
  exports.Set("PacketSocket", packet);
  exports.Set("NetlinkSocket", netlink);
}

std::shared_ptr<Channel> ChannelFromValue(Napi::Env env, Napi::Value value) {
  auto* data = env.GetInstanceData<AddonData>();
  std::shared_ptr<Channel> ch;
  if (value.IsObject()) {
    Napi::Object o = value.As<Napi::Object>();
    if (o.InstanceOf(data->vrrp_socket.Value())) {
      ch = VrrpSocketWrap::Unwrap(o)->channel();
    } else if (o.InstanceOf(data->packet_socket.Value())) {
      ch = PacketSocketWrap::Unwrap(o)->channel();
    } else if (o.InstanceOf(data->netlink_socket.Value())) {
      ch = NetlinkSocketWrap::Unwrap(o)->channel();
    } else {
      throw Napi::TypeError::New(env, "expected a VrrpSocket, PacketSocket or NetlinkSocket");
    }
  } else {
    throw Napi::TypeError::New(env, "expected a VrrpSocket, PacketSocket or NetlinkSocket");
  }
  if (!ch) throw ToJsError(env, SystemError(EBADF, "epoll_ctl", "the socket is closed"));
  return ch;
}

}  // namespace floatip

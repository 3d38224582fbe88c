// IoLoop: new IoLoop(ring: ArrayBuffer, slotSize, onWake). The ring belongs to JavaScript (kept
// alive here); onWake runs on the JS thread after the I/O thread published records, at most once
// per drain, and JavaScript reads the records itself (see src/native/io-loop.ts).
#include "io_loop_wrap.h"

#include <cerrno>

#include "addon_data.h"
#include "cleanup_hook.h"
#include "clock.h"
#include "io_loop.h"
#include "js_args.h"
#include "socket_wraps.h"
#include "system_error.h"

namespace floatip {

namespace {

class IoLoopWrap;
void CallOnWake(Napi::Env env, Napi::Function callback, IoLoopWrap* self, std::nullptr_t*);
using WakeFn = Napi::TypedThreadSafeFunction<IoLoopWrap, std::nullptr_t, CallOnWake>;

class IoLoopWrap : public Napi::ObjectWrap<IoLoopWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(
        env, "IoLoop",
        {InstanceMethod("attach", &IoLoopWrap::Attach),
         InstanceMethod("detach", &IoLoopWrap::Detach),
         InstanceMethod("setPeriodic", &IoLoopWrap::SetPeriodic),
         InstanceMethod("clearPeriodic", &IoLoopWrap::ClearPeriodic),
         InstanceMethod("periodicInfo", &IoLoopWrap::PeriodicInfoJs),
         InstanceMethod("setWatch", &IoLoopWrap::SetWatch),
         InstanceMethod("clearWatch", &IoLoopWrap::ClearWatch),
         InstanceMethod("watchInfo", &IoLoopWrap::WatchInfoJs),
         InstanceMethod("setTimer", &IoLoopWrap::SetTimer),
         InstanceMethod("clearTimer", &IoLoopWrap::ClearTimer),
         InstanceMethod("pending", &IoLoopWrap::Pending),
         InstanceMethod("consume", &IoLoopWrap::Consume),
         InstanceMethod("stats", &IoLoopWrap::StatsJs),
         InstanceMethod("setRealtimePriority", &IoLoopWrap::SetRealtimePriority),
         InstanceMethod("setLatencySlice", &IoLoopWrap::SetLatencySlice),
         InstanceMethod("ref", &IoLoopWrap::Ref),
         InstanceMethod("unref", &IoLoopWrap::Unref),
         InstanceMethod("close", &IoLoopWrap::CloseJs)});
  }

  explicit IoLoopWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<IoLoopWrap>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsArrayBuffer()) throw Napi::TypeError::New(env, "ring must be an ArrayBuffer");
    Napi::ArrayBuffer ring = info[0].As<Napi::ArrayBuffer>();
    uint32_t slot_size = Uint32Arg(env, info[1], "slotSize");
    if (!info[2].IsFunction()) throw Napi::TypeError::New(env, "onWake must be a function");
    if (slot_size < kRecordHeaderSize + 64 || slot_size % 8 != 0) {
      throw Napi::RangeError::New(env, "slotSize must be a multiple of 8 and at least 144");
    }
    size_t slots = ring.ByteLength() / slot_size;
    // A power of two, so that ring indices stay consistent when the uint32 counters wrap.
    if (slots < 32 || ring.ByteLength() % slot_size != 0 || (slots & (slots - 1)) != 0) {
      throw Napi::RangeError::New(env, "ring must hold a power-of-two number (>= 32) of slots");
    }
    ring_ref_ = Napi::Persistent(ring);
    WithSystemErrors(env, [&] {
      core_ = std::make_shared<LoopCore>(static_cast<uint8_t*>(ring.Data()), slot_size,
                                         static_cast<uint32_t>(slots), [this] { wake_.NonBlockingCall(); });
    });
    wake_ = WakeFn::New(env, info[2].As<Napi::Function>(), "floatip-io-wake", 0, 1, this,
                        [](Napi::Env, void*, IoLoopWrap* self) { self->wake_finalized_ = true; });
    // Registered after the thread-safe function, so at teardown it runs first (hooks run in
    // reverse order): the thread stops before Node finalizes the function it calls.
    hook_.Register(env, &IoLoopWrap::OnCleanup, this);
    core_->Start();
  }

  ~IoLoopWrap() override { Close(); }

  LoopCore* core() const { return core_.get(); }

 private:
  LoopCore& Require(Napi::Env env) {
    if (closed_) throw ToJsError(env, SystemError(EBADF, "epoll_ctl", "the loop is closed"));
    return *core_;
  }

  Napi::Value Attach(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return WithSystemErrors(env, [&]() -> Napi::Value {
      LoopCore& core = Require(env);
      auto ch = ChannelFromValue(env, info[0]);
      return Napi::Number::New(env, core.Attach(ch, core_));
    });
  }

  Napi::Value Detach(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return WithSystemErrors(env, [&]() -> Napi::Value {
      Require(env).Detach(ChannelFromValue(env, info[0]).get());
      return env.Undefined();
    });
  }

  // setPeriodic(id, socket, bytes, dst|null, intervalUs, firstAtUs, count)
  Napi::Value SetPeriodic(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return WithSystemErrors(env, [&]() -> Napi::Value {
      LoopCore& core = Require(env);
      PeriodicSpec spec;
      spec.id = Uint32Arg(env, info[0], "id");
      spec.channel = ChannelFromValue(env, info[1]);
      core.Attach(spec.channel, core_);
      spec.bytes = CopyBytes(BytesArg(env, info[2], "bytes"));
      if (info[3].IsUndefined() || info[3].IsNull()) {
        BuildDestination(*spec.channel, nullptr, 0, &spec.dst, &spec.dst_len);
      } else {
        Napi::Uint8Array dst = BytesArg(env, info[3], "destination");
        BuildDestination(*spec.channel, dst.Data(), dst.ByteLength(), &spec.dst, &spec.dst_len);
      }
      spec.interval_us = Int64Arg(env, info[4], "intervalUs");
      if (spec.interval_us < 100) throw Napi::RangeError::New(env, "intervalUs must be at least 100");
      spec.first_at_us = Int64Arg(env, info[5], "firstAtUs");
      spec.count = static_cast<uint64_t>(Uint32Arg(env, info[6], "count"));
      core.SetPeriodic(std::move(spec));
      return env.Undefined();
    });
  }

  Napi::Value ClearPeriodic(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Napi::Boolean::New(env, Require(env).ClearPeriodic(Uint32Arg(env, info[0], "id")));
  }

  Napi::Value PeriodicInfoJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    PeriodicInfo p = Require(env).GetPeriodic(Uint32Arg(env, info[0], "id"));
    if (!p.found) return env.Null();
    Napi::Object o = Napi::Object::New(env);
    o.Set("sent", Napi::Number::New(env, static_cast<double>(p.sent)));
    o.Set("missed", Napi::Number::New(env, static_cast<double>(p.missed)));
    o.Set("errors", Napi::Number::New(env, static_cast<double>(p.errors)));
    o.Set("lastErrno", Napi::Number::New(env, p.last_error));
    o.Set("nextAtUs", Napi::Number::New(env, static_cast<double>(p.next_at_us)));
    return o;
  }

  // setWatch(id, socket, srcBytes, bytes, timeoutUs, firstDeadlineUs)
  Napi::Value SetWatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return WithSystemErrors(env, [&]() -> Napi::Value {
      LoopCore& core = Require(env);
      WatchSpec spec;
      spec.id = Uint32Arg(env, info[0], "id");
      spec.channel = ChannelFromValue(env, info[1]);
      if (spec.channel->kind != ChannelKind::kVrrp) {
        throw Napi::TypeError::New(env, "watches apply to VrrpSocket channels");
      }
      core.Attach(spec.channel, core_);
      Napi::Uint8Array src = BytesArg(env, info[2], "source");
      size_t want = spec.channel->family == AF_INET ? 4 : 16;
      if (src.ByteLength() != want) throw Napi::TypeError::New(env, "source length does not match the socket's family");
      std::memcpy(spec.src, src.Data(), want);
      spec.family = want == 4 ? 4 : 6;
      spec.bytes = CopyBytes(BytesArg(env, info[3], "bytes"));
      spec.timeout_us = Int64Arg(env, info[4], "timeoutUs");
      spec.first_deadline_us = Int64Arg(env, info[5], "firstDeadlineUs");
      core.SetWatch(std::move(spec));
      return env.Undefined();
    });
  }

  Napi::Value ClearWatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Napi::Boolean::New(env, Require(env).ClearWatch(Uint32Arg(env, info[0], "id")));
  }

  Napi::Value WatchInfoJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    WatchInfo w = Require(env).GetWatch(Uint32Arg(env, info[0], "id"));
    if (!w.found) return env.Null();
    Napi::Object o = Napi::Object::New(env);
    o.Set("armed", Napi::Boolean::New(env, w.armed));
    o.Set("deadlineUs", Napi::Number::New(env, static_cast<double>(w.deadline_us)));
    o.Set("matched", Napi::Number::New(env, static_cast<double>(w.matched)));
    o.Set("lastMatchUs", Napi::Number::New(env, static_cast<double>(w.last_match_us)));
    return o;
  }

  Napi::Value SetTimer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Require(env).SetTimer(Uint32Arg(env, info[0], "id"), Int64Arg(env, info[1], "atUs"));
    return env.Undefined();
  }

  Napi::Value ClearTimer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Napi::Boolean::New(env, Require(env).ClearTimer(Uint32Arg(env, info[0], "id")));
  }

  Napi::Value Pending(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), closed_ ? 0 : core_->Pending());
  }

  Napi::Value Consume(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!closed_) core_->Consume(Uint32Arg(env, info[0], "count"));
    return env.Undefined();
  }

  Napi::Value StatsJs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    LoopStats s = Require(env).Stats();
    Napi::Object o = Napi::Object::New(env);
    auto set = [&](const char* k, double v) { o.Set(k, Napi::Number::New(env, v)); };
    set("rxPackets", s.rx_packets);
    set("rxDelivered", s.rx_delivered);
    set("rxWatchMatched", s.rx_watch_matched);
    set("rxDroppedRingFull", s.rx_dropped_ring_full);
    set("rxTruncated", s.rx_truncated);
    set("rxErrors", s.rx_errors);
    set("txSent", s.tx_sent);
    set("txErrors", s.tx_errors);
    set("txMissedIntervals", s.tx_missed_intervals);
    set("txLateMaxUs", static_cast<double>(s.tx_late_max_us));
    set("txLateTotalUs", static_cast<double>(s.tx_late_total_us));
    Napi::Array histogram = Napi::Array::New(env, LoopStats::kLateBuckets);
    for (uint32_t i = 0; i < LoopStats::kLateBuckets; ++i) histogram.Set(i, Napi::Number::New(env, static_cast<double>(s.tx_late_histogram[i])));
    o.Set("txLateHistogram", histogram);
    set("watchExpired", s.watch_expired);
    set("timersFired", s.timers_fired);
    set("backlogMax", s.backlog_max);
    set("watchBacklogMatched", s.watch_backlog_matched);
    set("rxPaused", s.rx_paused);
    set("deadlinesDeferred", s.deadlines_deferred);
    return o;
  }

  Napi::Value SetRealtimePriority(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return WithSystemErrors(env, [&]() -> Napi::Value {
      uint32_t priority = Uint32Arg(env, info[0], "priority");
      if (priority > 99) throw Napi::RangeError::New(env, "priority must be 0 (normal) or 1-99 (SCHED_FIFO)");
      Require(env).SetRealtimePriority(static_cast<int>(priority));
      return env.Undefined();
    });
  }

  Napi::Value SetLatencySlice(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return WithSystemErrors(env, [&]() -> Napi::Value {
      uint32_t slice_us = Uint32Arg(env, info[0], "sliceUs");
      if (slice_us < 100 || slice_us > 100000) throw Napi::RangeError::New(env, "sliceUs must be 100-100000");
      return Napi::Number::New(env, static_cast<double>(Require(env).SetLatencySlice(slice_us)));
    });
  }

  Napi::Value Ref(const Napi::CallbackInfo& info) {
    if (!closed_) wake_.Ref(info.Env());
    return info.Env().Undefined();
  }

  Napi::Value Unref(const Napi::CallbackInfo& info) {
    if (!closed_) wake_.Unref(info.Env());
    return info.Env().Undefined();
  }

  Napi::Value CloseJs(const Napi::CallbackInfo& info) {
    Close();
    return info.Env().Undefined();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    hook_.Unregister();
    core_->Stop();  // joins the thread: nothing calls wake_ after this
    if (!wake_finalized_) wake_.Release();
    ring_ref_.Reset();
  }

  static void OnCleanup(void* arg) {
    auto* self = static_cast<IoLoopWrap*>(arg);
    self->hook_.MarkRan();
    self->Close();
  }

  friend void CallOnWake(Napi::Env, Napi::Function, IoLoopWrap*, std::nullptr_t*);

  std::shared_ptr<LoopCore> core_;
  Napi::Reference<Napi::ArrayBuffer> ring_ref_;
  WakeFn wake_;
  bool wake_finalized_ = false;
  bool closed_ = false;
  CleanupHook hook_;
};

void CallOnWake(Napi::Env env, Napi::Function callback, IoLoopWrap* self, std::nullptr_t*) {
  if (env == nullptr || self == nullptr || self->closed_) return;
  self->core_->ClearNotifyPending();
  try {
    callback.Call({});
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();  // surfaces as the process's uncaught exception
  }
}

}  // namespace

void InitIoLoopWrap(Napi::Env env, Napi::Object exports, AddonData& data) {
  Napi::Function ctor = IoLoopWrap::Define(env);
  data.io_loop = Napi::Persistent(ctor);
  exports.Set("IoLoop", ctor);
}

}  // namespace floatip

#include "io_loop.h"

#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>

#include "clock.h"
#include "system_error.h"

namespace floatip {

namespace {

constexpr uint64_t kTagWake = 1;
constexpr uint64_t kTagTimer = 2;
constexpr uint32_t kControlReserve = 8;  // ring slots only control records may use
constexpr int kReadsPerWakeup = 64;      // fairness between channels and timers

// Takes the entry `id` out of the heap and its map; false when there is none.
template <typename Map>
bool Unschedule(DeadlineHeap& heap, Map& map, uint32_t id) {
  auto it = map.find(id);
  if (it == map.end()) return false;
  heap.Remove(it->second.get());
  map.erase(it);
  return true;
}

// Takes every entry whose spec sends or listens on `ch` out of the heap and its map.
template <typename Map>
void UnscheduleChannel(DeadlineHeap& heap, Map& map, const Channel* ch) {
  for (auto it = map.begin(); it != map.end();) {
    if (it->second->spec.channel.get() == ch) {
      heap.Remove(it->second.get());
      it = map.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace

LoopCore::LoopCore(uint8_t* ring, uint32_t slot_size, uint32_t slot_count, Notify notify)
    : ring_(ring), slot_size_(slot_size), slot_count_(slot_count), notify_(std::move(notify)),
      scratch_(slot_size) {
  epoll_.Reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.Valid()) ThrowErrno("epoll_create1");
  timerfd_.Reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!timerfd_.Valid()) ThrowErrno("timerfd_create");
  wakefd_.Reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wakefd_.Valid()) ThrowErrno("eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kTagWake;
  if (::epoll_ctl(epoll_.Get(), EPOLL_CTL_ADD, wakefd_.Get(), &ev) != 0) ThrowErrno("epoll_ctl");
  ev.data.u64 = kTagTimer;
  if (::epoll_ctl(epoll_.Get(), EPOLL_CTL_ADD, timerfd_.Get(), &ev) != 0) ThrowErrno("epoll_ctl");
  heap_.Reserve(1024);
}

LoopCore::~LoopCore() { Stop(); }

void LoopCore::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return;
  started_ = true;
  std::promise<pid_t> started;
  std::future<pid_t> tid = started.get_future();
  thread_ = std::thread([this, &started] {
    ::prctl(PR_SET_NAME, "floatip-io", 0, 0, 0);  // named before Start() returns
    started.set_value(static_cast<pid_t>(::syscall(SYS_gettid)));
    Run();
  });
  tid_ = tid.get();
}

void LoopCore::Stop() {
  stop_.store(true, std::memory_order_release);
  Wake();
  if (thread_.joinable()) thread_.join();
  std::unordered_map<uint32_t, std::shared_ptr<Channel>> channels;
  {
    std::lock_guard<std::mutex> lock(mu_);
    channels.swap(channels_);
    periodics_.clear();
    watches_.clear();
    timers_.clear();
    heap_ = DeadlineHeap();
  }
  for (auto& [id, ch] : channels) {  // lock order everywhere: attach_mu, then mu_
    std::lock_guard<std::mutex> attach(ch->attach_mu);
    ch->loop.reset();
    ch->loop_id = 0;
  }
}

void LoopCore::SetRealtimePriority(int priority) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!thread_.joinable()) throw SystemError(ESRCH, "pthread_setschedparam", "the loop is not running");
  sched_param param{};
  param.sched_priority = priority;
  int err = pthread_setschedparam(thread_.native_handle(), priority > 0 ? SCHED_FIFO : SCHED_OTHER, &param);
  if (err != 0) {
    errno = err;
    ThrowErrno("pthread_setschedparam(SCHED_FIFO)", "I/O thread realtime priority " + std::to_string(priority));
  }
}

namespace {

// struct sched_attr of sched_setattr(2) (glibc has no wrapper), up to the SCHED_DEADLINE fields.
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

}  // namespace

uint64_t LoopCore::SetLatencySlice(uint32_t slice_us) {
  std::lock_guard<std::mutex> lock(mu_);
  if (tid_ == 0) throw SystemError(ESRCH, "sched_setattr", "the loop is not running");
  SchedAttr attr{};
  attr.size = sizeof attr;
  attr.sched_policy = SCHED_OTHER;
  errno = 0;
  int nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid_));  // kept: vrrp_priority
  if (nice == -1 && errno != 0) ThrowErrno("getpriority", "I/O thread nice value");
  attr.sched_nice = nice;
  attr.sched_runtime = static_cast<uint64_t>(slice_us) * 1000u;
  if (::syscall(SYS_sched_setattr, tid_, &attr, 0u) != 0) {
    ThrowErrno("sched_setattr", "I/O thread slice " + std::to_string(slice_us) + " µs");
  }
  SchedAttr now{};
  if (::syscall(SYS_sched_getattr, tid_, &now, static_cast<unsigned>(sizeof now), 0u) != 0) {
    ThrowErrno("sched_getattr");
  }
  return now.sched_runtime;
}

uint32_t LoopCore::Attach(const std::shared_ptr<Channel>& ch, const std::shared_ptr<LoopCore>& self) {
  std::lock_guard<std::mutex> attach(ch->attach_mu);
  if (auto current = ch->loop.lock()) {
    if (current.get() == this) return ch->loop_id;
    throw SystemError(EBUSY, "epoll_ctl", "the socket is attached to another loop");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_.load()) throw SystemError(EBADF, "epoll_ctl", "the loop is closed");
  uint32_t id = next_channel_id_++;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = id;
  if (::epoll_ctl(epoll_.Get(), EPOLL_CTL_ADD, ch->fd.Get(), &ev) != 0) ThrowErrno("epoll_ctl");
  channels_[id] = ch;
  ch->loop = self;
  ch->loop_id = id;
  return id;
}

void LoopCore::Detach(Channel* ch) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = channels_.find(ch->loop_id);
  if (it == channels_.end() || it->second.get() != ch) return;
  ::epoll_ctl(epoll_.Get(), EPOLL_CTL_DEL, ch->fd.Get(), nullptr);  // ENOENT when paused
  paused_.erase(std::remove(paused_.begin(), paused_.end(), ch->loop_id), paused_.end());
  channels_.erase(it);
  UnscheduleChannel(heap_, periodics_, ch);
  UnscheduleChannel(heap_, watches_, ch);
  ArmTimerfd();
}

void LoopCore::SetPeriodic(PeriodicSpec spec) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = periodics_[spec.id];
  if (!slot) slot = std::make_unique<Periodic>();
  Periodic& p = *slot;
  p.id = spec.id;
  p.at_us = spec.first_at_us;
  p.remaining = spec.count;
  p.last_error = 0;
  p.spec = std::move(spec);
  heap_.Upsert(&p);
  ArmTimerfd();
}

bool LoopCore::ClearPeriodic(uint32_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  bool found = Unschedule(heap_, periodics_, id);
  ArmTimerfd();
  return found;
}

PeriodicInfo LoopCore::GetPeriodic(uint32_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  PeriodicInfo info;
  auto it = periodics_.find(id);
  if (it == periodics_.end()) return info;
  const Periodic& p = *it->second;
  info.found = true;
  info.sent = p.sent;
  info.missed = p.missed;
  info.errors = p.errors;
  info.last_error = p.last_error;
  info.next_at_us = p.at_us;
  return info;
}

void LoopCore::SetWatch(WatchSpec spec) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = watches_[spec.id];
  if (!slot) slot = std::make_unique<Watch>();
  Watch& w = *slot;
  w.id = spec.id;
  w.at_us = spec.first_deadline_us;
  w.matched = 0;
  w.last_match_us = 0;
  w.deferred = false;
  w.spec = std::move(spec);
  heap_.Upsert(&w);
  ArmTimerfd();
}

bool LoopCore::ClearWatch(uint32_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  bool found = Unschedule(heap_, watches_, id);
  ArmTimerfd();
  return found;
}

WatchInfo LoopCore::GetWatch(uint32_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  WatchInfo info;
  auto it = watches_.find(id);
  if (it == watches_.end()) return info;
  const Watch& w = *it->second;
  info.found = true;
  info.armed = w.heap_index >= 0 || w.deferred;
  info.deadline_us = w.at_us;
  info.matched = w.matched;
  info.last_match_us = w.last_match_us;
  return info;
}

void LoopCore::SetTimer(uint32_t id, int64_t at_us) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = timers_[id];
  if (!slot) slot = std::make_unique<Timer>();
  slot->id = id;
  slot->at_us = at_us;
  slot->deferred = false;
  heap_.Upsert(slot.get());
  ArmTimerfd();
}

bool LoopCore::ClearTimer(uint32_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  bool found = Unschedule(heap_, timers_, id);
  ArmTimerfd();
  return found;
}

uint32_t LoopCore::Used() const {
  return tail_.load(std::memory_order_relaxed) - head_.load(std::memory_order_acquire);
}

uint32_t LoopCore::Pending() const {
  return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_relaxed);
}

void LoopCore::Consume(uint32_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  uint32_t pending = Pending();
  if (n > pending) n = pending;
  head_.store(head_.load(std::memory_order_relaxed) + n, std::memory_order_release);
  FlushBacklog();
  if (!paused_.empty()) Wake();  // the I/O thread reads the paused sockets again
}

void LoopCore::Wake() {
  uint64_t one = 1;
  if (wakefd_.Valid()) (void)!::write(wakefd_.Get(), &one, sizeof one);
}

LoopStats LoopCore::Stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

// ---- the thread ----

void LoopCore::Run() {
  ::prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);  // default slack (50 µs) would blur the cadence
  epoll_event events[32];
  while (!stop_.load(std::memory_order_acquire)) {
    int n = ::epoll_wait(epoll_.Get(), events, 32, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    bool notify = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const uint32_t tail_before = tail_.load(std::memory_order_relaxed);
      ResumeIfRoom();
      for (int i = 0; i < n; ++i) {
        uint64_t tag = events[i].data.u64;
        uint64_t drained;
        if (tag == kTagWake) {
          (void)!::read(wakefd_.Get(), &drained, sizeof drained);
        } else if (tag == kTagTimer) {
          (void)!::read(timerfd_.Get(), &drained, sizeof drained);
          armed_at_us_ = -1;
        } else {
          auto it = channels_.find(static_cast<uint32_t>(tag));
          if (it != channels_.end()) DrainChannel(*it->second);
        }
      }
      FireDue();
      ArmTimerfd();
      notify = tail_.load(std::memory_order_relaxed) != tail_before;
    }
    if (notify && !notify_pending_.exchange(true, std::memory_order_acq_rel)) notify_();
  }
}

// Reads up to kReadsPerWakeup datagrams; true when the socket may hold more.
bool LoopCore::DrainChannel(Channel& ch) {
  for (int i = 0; i < kReadsPerWakeup; ++i) {
    const bool room = Used() + kControlReserve < slot_count_;
    if (!room && ch.kind == ChannelKind::kVrrp) {
      Pause(ch);
      return false;
    }
    uint8_t* slot = room ? SlotAt(tail_.load(std::memory_order_relaxed)) : scratch_.data();
    auto* h = reinterpret_cast<RecordHeader*>(slot);
    std::memset(h, 0, sizeof *h);
    uint8_t* payload = slot + kRecordHeaderSize;
    int r = ReadChannel(ch, h, payload, slot_size_ - kRecordHeaderSize);
    if (r == 0) return false;
    if (r < 0) {
      ++stats_.rx_errors;
      PublishControl(kRecordReceiveError, ch.loop_id, MonotonicUs(), 0, -r);
      if (-r != ENOBUFS) return false;  // netlink overflow: keep reading, JS resynchronises
      continue;
    }
    ++stats_.rx_packets;
    if (h->flags & kFlagTruncated) ++stats_.rx_truncated;
    h->id = ch.loop_id;
    if (ch.kind == ChannelKind::kVrrp && MatchesWatch(ch, *h, payload)) {
      ++stats_.rx_watch_matched;
      continue;
    }
    if (!room) {
      ++stats_.rx_dropped_ring_full;
      continue;
    }
    tail_.store(tail_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    ++stats_.rx_delivered;
  }
  return true;
}

// Everything the VRRP sockets hold, before a watch may expire: when this thread got the CPU
// late, the adverts that kept the master alive can still be queued behind the deadline. Any of
// them counts, even one stamped after it: the deadline JavaScript armed can be stale (it arms
// from the advert it last processed), and a master that is still sending is not down (§6.4.2).
// Bounded per channel.
void LoopCore::DrainVrrpBacklog() {
  constexpr int kMaxRounds = 64;  // 64 x kReadsPerWakeup datagrams per channel at most
  const uint64_t matched_before = stats_.rx_watch_matched;
  for (auto& [id, ch] : channels_) {
    if (ch->kind != ChannelKind::kVrrp) continue;
    if (std::find(paused_.begin(), paused_.end(), id) != paused_.end()) continue;
    for (int round = 0; round < kMaxRounds && DrainChannel(*ch); ++round) {
    }
  }
  stats_.watch_backlog_matched += stats_.rx_watch_matched - matched_before;
}

// The ring is full (JavaScript is behind): leave the socket's packets in the kernel's queue
// instead of dropping them, and stop polling it until JavaScript has made room. A backup that
// lost the adverts it had no room for would call a live master down (RFC 5798 §6.4.2).
void LoopCore::Pause(Channel& ch) {
  if (std::find(paused_.begin(), paused_.end(), ch.loop_id) != paused_.end()) return;
  ::epoll_ctl(epoll_.Get(), EPOLL_CTL_DEL, ch.fd.Get(), nullptr);
  paused_.push_back(ch.loop_id);
  ++stats_.rx_paused;
}

// A watch or timer due while a VRRP socket is paused: the packets queued before its deadline
// are not delivered yet, and one of them may reset it. Held until they are (ResumeIfRoom).
void LoopCore::Defer(Scheduled* s) {
  heap_.Remove(s);
  s->deferred = true;
  deferred_.emplace_back(s->what, s->id);
  ++stats_.deadlines_deferred;
}

// Once a quarter of the ring is free again: poll the paused sockets, read what they hold, and
// when nothing had to pause again, put the held deadlines back (due: FireDue fires them after
// the packets, in ring order). A deferred watch that an advert matched meanwhile is re-armed.
void LoopCore::ResumeIfRoom() {
  if (paused_.empty() || Used() + kControlReserve + slot_count_ / 4 > slot_count_) return;
  for (uint32_t id : paused_) {
    auto it = channels_.find(id);
    if (it == channels_.end()) continue;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = id;
    ::epoll_ctl(epoll_.Get(), EPOLL_CTL_ADD, it->second->fd.Get(), &ev);
  }
  paused_.clear();
  DrainVrrpBacklog();
  if (!paused_.empty()) return;
  for (auto [what, id] : deferred_) {
    Scheduled* s = nullptr;
    if (what == Scheduled::What::kWatch) {
      auto it = watches_.find(id);
      if (it != watches_.end()) s = it->second.get();
    } else {
      auto it = timers_.find(id);
      if (it != timers_.end()) s = it->second.get();
    }
    if (s == nullptr || !s->deferred) continue;  // cleared, re-set, or re-armed by an advert
    s->deferred = false;
    heap_.Upsert(s);
  }
  deferred_.clear();
}

// A watched master's unchanged advert: reset the deadline here, without JavaScript.
// RFC 5798 §6.4.2: on an advert the Backup "MUST ... Reset the Master_Down_Timer".
bool LoopCore::MatchesWatch(const Channel& ch, const RecordHeader& h, const uint8_t* payload) {
  if (h.ttl != 255 || (h.flags & kFlagTruncated)) return false;  // §7.1: let the core count it
  const size_t addr_len = h.family == 4 ? 4 : 16;
  for (auto& [id, w] : watches_) {
    const WatchSpec& s = w->spec;
    if (s.channel.get() != &ch || s.family != h.family || (w->heap_index < 0 && !w->deferred)) continue;
    if (std::memcmp(s.src, h.src, addr_len) != 0) continue;
    if (s.bytes.size() != h.length || std::memcmp(s.bytes.data(), payload, h.length) != 0) {
      continue;
    }
    w->at_us = static_cast<int64_t>(h.ts_us) + s.timeout_us;
    w->last_match_us = static_cast<int64_t>(h.ts_us);
    ++w->matched;
    w->deferred = false;
    heap_.Upsert(w.get());
    return true;
  }
  return false;
}

// Takes every periodic that is due out of the heap (fires watches and timers on the way), then
// sends them: the instances that share a deadline (advert-phase.ts puts a master's adverts on
// a shared grid) cost one wake-up and one sendmmsg per channel, not one each.
void LoopCore::FireDue() {
  due_.clear();
  bool drained = false;
  for (int guard = 0; guard < 100000; ++guard) {
    Scheduled* top = heap_.Top();
    if (top == nullptr) break;
    int64_t now = MonotonicUs();
    if (top->at_us > now) break;
    switch (top->what) {
      case Scheduled::What::kPeriodic:
        heap_.Remove(top);  // back in by AfterSend, at its next deadline
        due_.push_back({static_cast<Periodic*>(top), now});
        break;
      case Scheduled::What::kWatch:
      case Scheduled::What::kTimer: {
        // The adverts queued before the deadline go first: one may re-arm a watch, and
        // JavaScript must see them ahead of a timer. Held while a paused socket keeps some.
        if (!drained) {
          drained = true;
          DrainVrrpBacklog();
          continue;
        }
        if (!paused_.empty()) {
          Defer(top);
          break;
        }
        uint32_t id = top->id;
        int64_t at = top->at_us;
        if (top->what == Scheduled::What::kWatch) {
          heap_.Remove(top);  // disarmed until JavaScript sets it again
          ++stats_.watch_expired;
          PublishControl(kRecordWatchExpired, id, now, at, 0);
        } else {
          Unschedule(heap_, timers_, id);
          ++stats_.timers_fired;
          PublishControl(kRecordTimer, id, now, at, 0);
        }
        break;
      }
    }
  }
  SendDuePeriodics();
}

// One batch per channel, channels in the order of their first due periodic; within a batch
// the heap's order (deadline, then id): the same place in the burst every round.
void LoopCore::SendDuePeriodics() {
  for (size_t i = 0; i < due_.size(); ++i) {
    if (due_[i].p == nullptr) continue;
    const Channel* ch = due_[i].p->spec.channel.get();
    batch_.clear();
    out_.clear();
    for (size_t j = i; j < due_.size(); ++j) {
      Periodic* p = due_[j].p;
      if (p == nullptr || p->spec.channel.get() != ch) continue;
      batch_.push_back(due_[j]);
      out_.push_back({p->spec.bytes.data(), p->spec.bytes.size(), &p->spec.dst, p->spec.dst_len});
      due_[j].p = nullptr;
    }
    results_.resize(out_.size());
    SendBatchOn(*ch, out_.data(), out_.size(), results_.data(), send_scratch_);
    for (size_t k = 0; k < batch_.size(); ++k) AfterSend(*batch_[k].p, batch_[k].now, results_[k]);
  }
}

// The bookkeeping of one periodic send (`result`: bytes sent or negative errno), and its next
// deadline.
void LoopCore::AfterSend(Periodic& p, int64_t now, ssize_t result) {
  const PeriodicSpec& s = p.spec;
  int64_t late = now - p.at_us;
  stats_.tx_late_total_us += late;
  if (late > stats_.tx_late_max_us) stats_.tx_late_max_us = late;
  int bucket = 0;
  while (bucket < LoopStats::kLateBuckets - 1 && late > LoopStats::kLateBoundsUs[bucket]) ++bucket;
  ++stats_.tx_late_histogram[bucket];
  if (result < 0) {
    ++stats_.tx_errors;
    ++p.errors;
    if (static_cast<int>(-result) != p.last_error) {
      PublishControl(kRecordSendError, p.id, now, p.at_us, static_cast<int>(-result));
    }
    p.last_error = static_cast<int>(-result);
  } else {
    ++stats_.tx_sent;
    ++p.sent;
    p.last_error = 0;
  }
  // Keep the phase: the next send is one interval after the scheduled one, not after now.
  p.at_us += s.interval_us;
  if (p.at_us <= now) {
    int64_t skipped = (now - p.at_us) / s.interval_us + 1;
    p.at_us += skipped * s.interval_us;
    p.missed += static_cast<uint64_t>(skipped);
    stats_.tx_missed_intervals += static_cast<uint64_t>(skipped);
  }
  if (p.remaining > 0 && --p.remaining == 0) {
    Unschedule(heap_, periodics_, p.id);  // destroys p
    return;
  }
  heap_.Upsert(&p);
}

void LoopCore::PublishControl(RecordKind kind, uint32_t id, int64_t ts_us, int64_t aux_us, int err) {
  RecordHeader h{};
  h.kind = kind;
  h.id = id;
  h.ts_us = static_cast<double>(ts_us);
  h.aux_us = static_cast<double>(aux_us);
  h.error = static_cast<uint16_t>(err);
  if (!backlog_.empty() || Used() >= slot_count_) {
    backlog_.push_back(h);  // never drop a deadline: JavaScript gets it once it drains
    if (backlog_.size() > stats_.backlog_max) stats_.backlog_max = backlog_.size();
    return;
  }
  std::memcpy(SlotAt(tail_.load(std::memory_order_relaxed)), &h, sizeof h);
  tail_.store(tail_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

void LoopCore::FlushBacklog() {
  while (!backlog_.empty() && Used() < slot_count_) {
    std::memcpy(SlotAt(tail_.load(std::memory_order_relaxed)), &backlog_.front(),
                sizeof(RecordHeader));
    backlog_.pop_front();
    tail_.store(tail_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
}

void LoopCore::ArmTimerfd() {
  Scheduled* top = heap_.Top();
  int64_t at = top == nullptr ? -1 : top->at_us;
  if (at == armed_at_us_) return;
  itimerspec spec{};
  if (at >= 0) {
    int64_t when = at > 0 ? at : 1;  // an all-zero it_value would disarm
    spec.it_value.tv_sec = when / 1000000;
    spec.it_value.tv_nsec = (when % 1000000) * 1000;
  }
  ::timerfd_settime(timerfd_.Get(), TFD_TIMER_ABSTIME, &spec, nullptr);
  armed_at_us_ = at;
}

}  // namespace floatip

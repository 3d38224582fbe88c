// LoopCore: the native I/O thread. It owns an epoll set, one timerfd for every deadline, and a
// ring of records that JavaScript drains. It repeats what it was told and decides nothing new:
//  - periodic sends: "send these bytes on this channel every I µs" (a master's adverts, GARPs);
//  - watches: "this exact packet from this source resets a deadline of D µs; tell JS only when
//    the deadline passes" (a backup's Master_Down_Timer while the same master keeps sending);
//  - one-shot timers; and every packet that no watch consumed goes to JS.
// It never calls into JavaScript: it signals through `notify` (a thread-safe function) at most
// once per drain, and JS reads the ring itself. No allocation per received packet.
#pragma once
#include <sys/socket.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "channel.h"
#include "deadline_heap.h"
#include "record.h"
#include "unique_fd.h"

namespace floatip {

struct PeriodicSpec {
  uint32_t id = 0;
  std::shared_ptr<Channel> channel;
  std::vector<uint8_t> bytes;
  sockaddr_storage dst{};
  socklen_t dst_len = 0;
  int64_t interval_us = 0;
  int64_t first_at_us = 0;
  uint64_t count = 0;  // 0: until cleared
};

struct WatchSpec {
  uint32_t id = 0;
  std::shared_ptr<Channel> channel;
  uint8_t src[16]{};
  uint8_t family = 4;
  std::vector<uint8_t> bytes;  // the exact payload that counts as "the same advert"
  int64_t timeout_us = 0;
  int64_t first_deadline_us = 0;
};

struct LoopStats {
  uint64_t rx_packets = 0, rx_delivered = 0, rx_watch_matched = 0, rx_dropped_ring_full = 0;
  uint64_t rx_truncated = 0, rx_errors = 0;
  uint64_t tx_sent = 0, tx_errors = 0, tx_missed_intervals = 0;
  int64_t tx_late_max_us = 0, tx_late_total_us = 0;
  // Sends by lateness (when the thread got to them, past the deadline): at most kLateBoundsUs[i]
  // µs, the last bucket anything later.
  static constexpr int kLateBuckets = 8;
  static constexpr int64_t kLateBoundsUs[kLateBuckets - 1] = {50, 100, 250, 500, 1000, 2000, 5000};
  uint64_t tx_late_histogram[kLateBuckets] = {};
  uint64_t watch_expired = 0, timers_fired = 0, backlog_max = 0;
  // Adverts a watch absorbed from the sockets' backlog, read because a watch was due: each one
  // is a Master_Down_Interval the late thread would otherwise have ended wrongly.
  uint64_t watch_backlog_matched = 0;
  // Back-pressure while JavaScript is behind: times a VRRP socket was left unread because the
  // ring was full, and watches/timers held back meanwhile (not one VRRP packet is dropped).
  uint64_t rx_paused = 0, deadlines_deferred = 0;
};

struct PeriodicInfo {
  bool found = false;
  uint64_t sent = 0, missed = 0, errors = 0;
  int last_error = 0;
  int64_t next_at_us = 0;
};

// What a watch has absorbed since it was last set (the host's "latest repetition", docs/core.md).
struct WatchInfo {
  bool found = false;
  bool armed = false;      // false once expired, until set again
  int64_t deadline_us = 0;
  uint64_t matched = 0;    // identical adverts consumed since the last SetWatch
  int64_t last_match_us = 0;  // receive time of the latest one (0: none)
};

class LoopCore {
 public:
  using Notify = std::function<void()>;

  // `ring` is slot_count * slot_size bytes owned by JavaScript (kept alive by the wrapper).
  LoopCore(uint8_t* ring, uint32_t slot_size, uint32_t slot_count, Notify notify);
  ~LoopCore();
  LoopCore(const LoopCore&) = delete;
  LoopCore& operator=(const LoopCore&) = delete;

  void Start();
  void Stop();  // idempotent; joins the thread
  // SCHED_FIFO at `priority` (1-99) for the I/O thread, 0 for the normal policy (keepalived's
  // vrrp_rt_priority). Throws SystemError (EPERM without CAP_SYS_NICE).
  void SetRealtimePriority(int priority);
  // EEVDF (Linux 6.12+): ask for a `slice_us` time slice on the normal policy (sched_attr
  // sched_runtime; the kernel clamps it to 100 µs-100 ms). A short slice gives the thread an early
  // virtual deadline, so when its timer fires on a busy CPU it preempts the running thread at once
  // instead of waiting for that thread's slice (~3 ms) to end. Keeps the nice value. Returns the
  // slice the kernel reports afterwards, in ns (0 where the kernel has no custom slices).
  uint64_t SetLatencySlice(uint32_t slice_us);

  uint32_t Attach(const std::shared_ptr<Channel>& ch, const std::shared_ptr<LoopCore>& self);
  void Detach(Channel* ch);  // also drops the periodics and watches that use it

  void SetPeriodic(PeriodicSpec spec);
  bool ClearPeriodic(uint32_t id);
  PeriodicInfo GetPeriodic(uint32_t id);
  void SetWatch(WatchSpec spec);
  bool ClearWatch(uint32_t id);
  WatchInfo GetWatch(uint32_t id);
  void SetTimer(uint32_t id, int64_t at_us);
  bool ClearTimer(uint32_t id);

  // JavaScript side of the ring.
  uint32_t Pending() const;
  uint32_t Head() const { return head_.load(std::memory_order_relaxed); }
  void Consume(uint32_t n);
  void ClearNotifyPending() { notify_pending_.store(false, std::memory_order_release); }
  LoopStats Stats();

 private:
  struct Periodic : Scheduled {
    Periodic() : Scheduled(What::kPeriodic) {}
    PeriodicSpec spec;
    uint64_t remaining = 0;
    uint64_t sent = 0, missed = 0, errors = 0;
    int last_error = 0;
  };
  struct Watch : Scheduled {
    Watch() : Scheduled(What::kWatch) {}
    WatchSpec spec;
    uint64_t matched = 0;
    int64_t last_match_us = 0;
  };
  struct Timer : Scheduled {
    Timer() : Scheduled(What::kTimer) {}
  };

  void Run();
  bool DrainChannel(Channel& ch);
  void DrainVrrpBacklog();
  void Pause(Channel& ch);
  void ResumeIfRoom();
  void Defer(Scheduled* s);
  void Wake();
  bool MatchesWatch(const Channel& ch, const RecordHeader& h, const uint8_t* payload);
  void FireDue();
  void SendDuePeriodics();
  void AfterSend(Periodic& p, int64_t now, ssize_t result);
  void PublishControl(RecordKind kind, uint32_t id, int64_t ts_us, int64_t aux_us, int err);
  void FlushBacklog();
  void ArmTimerfd();
  uint8_t* SlotAt(uint32_t index) const { return ring_ + (index % slot_count_) * slot_size_; }
  uint32_t Used() const;

  uint8_t* const ring_;
  const uint32_t slot_size_;
  const uint32_t slot_count_;
  Notify notify_;

  std::mutex mu_;  // guards everything below except the atomics
  UniqueFd epoll_;
  UniqueFd timerfd_;
  UniqueFd wakefd_;
  std::thread thread_;
  pid_t tid_ = 0;  // the I/O thread's kernel id, known once Start() returns
  std::atomic<bool> stop_{false};
  bool started_ = false;
  int64_t armed_at_us_ = -1;

  std::atomic<uint32_t> head_{0};  // next record JS will read
  std::atomic<uint32_t> tail_{0};  // next record the producer writes
  std::atomic<bool> notify_pending_{false};
  std::deque<RecordHeader> backlog_;  // control records waiting for ring space (never dropped)
  std::vector<uint8_t> scratch_;      // receive buffer when the ring is full
  // VRRP channels left unread while the ring is full (out of the epoll set), and the watches and
  // timers that came due meanwhile, by kind and id (they may be cleared or re-set before resume).
  std::vector<uint32_t> paused_;
  std::vector<std::pair<Scheduled::What, uint32_t>> deferred_;

  uint32_t next_channel_id_ = 16;
  std::unordered_map<uint32_t, std::shared_ptr<Channel>> channels_;
  std::unordered_map<uint32_t, std::unique_ptr<Periodic>> periodics_;
  std::unordered_map<uint32_t, std::unique_ptr<Watch>> watches_;
  std::unordered_map<uint32_t, std::unique_ptr<Timer>> timers_;
  DeadlineHeap heap_;
  LoopStats stats_;

  // The periodics due in one wake-up, in deadline order, and the time each was found due; then
  // one channel's share of them as a batch. Kept to allocate nothing once grown.
  struct DuePeriodic {
    Periodic* p;
    int64_t now;
  };
  std::vector<DuePeriodic> due_;
  std::vector<DuePeriodic> batch_;
  std::vector<OutMessage> out_;
  std::vector<ssize_t> results_;
  BatchScratch send_scratch_;
};

}  // namespace floatip

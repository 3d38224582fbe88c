// The one clock floatip uses: CLOCK_MONOTONIC in microseconds. Also converts kernel receive
// timestamps (CLOCK_REALTIME, from SO_TIMESTAMPNS) to the monotonic timeline.
#pragma once
#include <cstdint>
#include <ctime>

namespace floatip {

inline int64_t TimespecToUs(const timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

inline int64_t MonotonicUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return TimespecToUs(ts);
}

inline int64_t RealtimeUs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return TimespecToUs(ts);
}

// Maps a CLOCK_REALTIME instant to CLOCK_MONOTONIC using the current offset between the two
// clocks. Exact unless the wall clock is stepped between the packet's arrival and this call.
inline int64_t RealtimeToMonotonicUs(int64_t realtime_us) {
  int64_t mono = MonotonicUs();
  int64_t real = RealtimeUs();
  return realtime_us - (real - mono);
}

}  // namespace floatip

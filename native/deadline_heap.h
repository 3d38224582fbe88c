// An indexed binary min-heap of absolute deadlines (µs). Every scheduled thing (periodic send,
// watch, timer) embeds a Scheduled and knows its heap slot, so moving a deadline is O(log n)
// and allocates nothing once the vector has grown: a watch reset per packet costs no malloc.
// Equal deadlines come out in a fixed order (kind, then id), so the periodics that share a
// deadline go out in the same order every round: each keeps its place in the burst.
#pragma once
#include <cstdint>
#include <vector>

namespace floatip {

struct Scheduled {
  enum class What : uint8_t { kPeriodic, kWatch, kTimer };
  explicit Scheduled(What w) : what(w) {}
  What what;
  uint32_t id = 0;
  int64_t at_us = 0;
  int heap_index = -1;  // -1: not scheduled
  // Out of the heap though due: held back until the packets queued before it are delivered
  // (LoopCore::Defer). Still armed for whoever owns it.
  bool deferred = false;
};

class DeadlineHeap {
 public:
  void Reserve(size_t n) { heap_.reserve(n); }
  Scheduled* Top() const { return heap_.empty() ? nullptr : heap_.front(); }
  size_t Size() const { return heap_.size(); }

  // Inserts s, or moves it to its (new) at_us.
  void Upsert(Scheduled* s) {
    if (s->heap_index < 0) {
      s->heap_index = static_cast<int>(heap_.size());
      heap_.push_back(s);
      SiftUp(s->heap_index);
      return;
    }
    SiftDown(SiftUp(s->heap_index));
  }

  void Remove(Scheduled* s) {
    int i = s->heap_index;
    if (i < 0) return;
    int last = static_cast<int>(heap_.size()) - 1;
    if (i != last) Swap(i, last);
    heap_.pop_back();
    s->heap_index = -1;
    if (i < static_cast<int>(heap_.size())) SiftDown(SiftUp(i));
  }

 private:
  bool Less(int a, int b) const {
    const Scheduled& x = *heap_[a];
    const Scheduled& y = *heap_[b];
    if (x.at_us != y.at_us) return x.at_us < y.at_us;
    if (x.what != y.what) return x.what < y.what;
    return x.id < y.id;
  }
  void Swap(int a, int b) {
    Scheduled* t = heap_[a];
    heap_[a] = heap_[b];
    heap_[b] = t;
    heap_[a]->heap_index = a;
    heap_[b]->heap_index = b;
  }
  int SiftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) / 2;
      if (!Less(i, parent)) break;
      Swap(i, parent);
      i = parent;
    }
    return i;
  }
  int SiftDown(int i) {
    int n = static_cast<int>(heap_.size());
    for (;;) {
      int smallest = i;
      int l = 2 * i + 1;
      int r = l + 1;
      if (l < n && Less(l, smallest)) smallest = l;
      if (r < n && Less(r, smallest)) smallest = r;
      if (smallest == i) return i;
      Swap(i, smallest);
      i = smallest;
    }
  }

  std::vector<Scheduled*> heap_;
};

}  // namespace floatip

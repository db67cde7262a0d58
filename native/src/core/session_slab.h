// Sessions of one loop stored by index with a generation check: an engine hands the kernel a handle
// (index + generation) and finds the session again from a completion or readiness event without a lookup;
// a handle of a freed session finds nothing even after its slot was reused.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "core/session.h"

namespace fastport {

class SessionSlab {
 public:
  // Handle layout: generation (24 bits, wraps) << 32 | index. Fits below bit 56 (io_uring's op tag).
  using Handle = uint64_t;
  static constexpr uint32_t kGenerationMask = 0xffffff;

  static Handle handleOf(const CoreSession& s) { return (uint64_t(s.generation) << 32) | s.slot; }

  // Stores s and stamps its slot and generation.
  CoreSession* insert(std::unique_ptr<CoreSession> s) {
    uint32_t index;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      index = uint32_t(slots_.size());
      slots_.emplace_back();
    }
    Slot& slot = slots_[index];
    s->slot = index;
    s->generation = slot.generation;
    slot.session = std::move(s);
    ++size_;
    return slot.session.get();
  }

  // The session the handle was made for, or nullptr when it was freed since.
  CoreSession* at(Handle h) const {
    uint32_t index = uint32_t(h);
    if (index >= slots_.size()) return nullptr;
    const Slot& slot = slots_[index];
    if (!slot.session || slot.generation != uint32_t(h >> 32)) return nullptr;
    return slot.session.get();
  }

  // Frees s (its handles stop matching).
  void erase(CoreSession* s) {
    Slot& slot = slots_[s->slot];
    slot.generation = (slot.generation + 1) & kGenerationMask;
    free_.push_back(s->slot);
    slot.session.reset();
    --size_;
  }

  // Gives the memory up without freeing it (a kernel operation may still write into it).
  void leak(CoreSession* s) {
    Slot& slot = slots_[s->slot];
    (void)slot.session.release();
    erase(s);
  }

  template <class Fn>
  void forEach(Fn&& fn) const {
    for (const Slot& slot : slots_) {
      if (slot.session) fn(slot.session.get());
    }
  }

  size_t size() const { return size_; }

 private:
  struct Slot {
    std::unique_ptr<CoreSession> session;
    uint32_t generation = 0;
  };
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  size_t size_ = 0;
};

}  // namespace fastport

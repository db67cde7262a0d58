// The I/O loops of one Windows engine, so the loop that accepts (Windows has no SO_REUSEPORT balancing:
// only one loop listens) can hand accepted sockets to the others round-robin. Keyed by the engine-wide
// SessionBudget, which every loop of one engine shares. Thread-safe.
#pragma once
#include <cstdint>

#include "engine/loop_context.h"

namespace fastport::win {

class SessionBackend;

namespace loop_group {

// Called by each loop's backend when it is created / destroyed.
void join(const LoopContext& ctx, SessionBackend* backend);
void leave(const LoopContext& ctx);
// The loop that gets the next accepted session (may be the caller's own).
SessionBackend* next(const LoopContext& ctx, SessionBackend* self);

}  // namespace loop_group
}  // namespace fastport::win

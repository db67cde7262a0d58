#include "win/loop_group.h"

#include <mutex>
#include <unordered_map>
#include <vector>

namespace fastport::win::loop_group {
namespace {

struct Group {
  std::vector<SessionBackend*> loops;  // by loop index; nullptr = not (or no longer) there
  uint32_t nextPick = 0;
};

std::mutex mutex;
std::unordered_map<const SessionBudget*, Group> groups;

}  // namespace

void join(const LoopContext& ctx, SessionBackend* backend) {
  std::lock_guard<std::mutex> lock(mutex);
  Group& g = groups[ctx.budget];
  if (g.loops.size() < ctx.loopCount) g.loops.resize(ctx.loopCount, nullptr);
  g.loops[ctx.loopIndex] = backend;
}

void leave(const LoopContext& ctx) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = groups.find(ctx.budget);
  if (it == groups.end()) return;
  if (ctx.loopIndex < it->second.loops.size()) it->second.loops[ctx.loopIndex] = nullptr;
  for (SessionBackend* b : it->second.loops) {
    if (b) return;
  }
  groups.erase(it);
}

SessionBackend* next(const LoopContext& ctx, SessionBackend* self) {
  if (ctx.loopCount <= 1) return self;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = groups.find(ctx.budget);
  if (it == groups.end()) return self;
  Group& g = it->second;
  for (size_t tries = 0; tries < g.loops.size(); ++tries) {
    SessionBackend* b = g.loops[g.nextPick++ % g.loops.size()];
    if (b) return b;
  }
  return self;
}

}  // namespace fastport::win::loop_group

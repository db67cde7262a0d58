// Work handed from another thread to an I/O loop's own thread (threaded drivers on every platform).
// Loop: any struct with `std::mutex inboxMutex`, `std::vector<std::function<void()>> tasks` and a
// `backend` pointer whose wake() interrupts the loop's blocking poll.
#pragma once
#include <functional>
#include <future>
#include <mutex>
#include <utility>

namespace fastport {

// Queues task for the loop's thread and wakes it.
template <class Loop>
void postTask(Loop& loop, std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(loop.inboxMutex);
    loop.tasks.push_back(std::move(task));
  }
  loop.backend->wake();
}

// Runs fn on the loop's thread and waits for its int result.
template <class Loop, class Fn>
int callOnLoop(Loop& loop, Fn&& fn) {
  std::promise<int> done;
  auto result = done.get_future();
  postTask(loop, [&] { done.set_value(fn()); });
  return result.get();
}

}  // namespace fastport

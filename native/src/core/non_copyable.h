// Base of a class that owns a kernel resource (a ring, a registered buffer): copies would free it twice.
#pragma once

namespace fastport {

class NonCopyable {
 public:
  NonCopyable(const NonCopyable&) = delete;
  NonCopyable& operator=(const NonCopyable&) = delete;

 protected:
  NonCopyable() = default;
  ~NonCopyable() = default;
};

}  // namespace fastport

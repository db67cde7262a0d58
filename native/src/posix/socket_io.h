// Socket reads and writes of the hot path as plain system calls. glibc's recv / send / readv / sendmsg are
// pthread cancellation points: in a multi-threaded process (every Node process) each call also turns the
// thread's asynchronous cancel state on and off around the system call (two atomic updates of the thread
// descriptor; raw echo at 1 KiB: about 40 ns of server CPU per message). FastPort never cancels a thread,
// so the engines enter the kernel directly. Results as the libc calls: the byte count, or -1 with errno.
#pragma once
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstddef>

namespace fastport {

// recv(fd, buf, len, 0): the socket path, not read()'s file path (no file-position lock or VFS step).
inline ssize_t recvSome(int fd, void* buf, size_t len) {
  return syscall(SYS_recvfrom, fd, buf, len, 0, nullptr, nullptr);
}

inline ssize_t readvSome(int fd, const iovec* iov, int count) {
  return syscall(SYS_readv, fd, iov, count);
}

// send(fd, buf, len, flags): one contiguous run skips sendmsg's message header and iovec copy-in.
inline ssize_t sendSome(int fd, const void* buf, size_t len, int flags) {
  return syscall(SYS_sendto, fd, buf, len, flags, nullptr, 0);
}

inline ssize_t sendGathered(int fd, const msghdr* msg, int flags) {
  return syscall(SYS_sendmsg, fd, msg, flags);
}

}  // namespace fastport

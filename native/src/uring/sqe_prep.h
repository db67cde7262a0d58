// Fill helpers for the SQEs the engine uses. Each takes a zeroed SQE from Ring::nextSqe().
#pragma once

#include <linux/io_uring.h>
#include <linux/time_types.h>
#include <sys/socket.h>

#include <cstdint>

namespace fastport::uring {

inline void prepMultishotAccept(io_uring_sqe* sqe, int listenFd, uint64_t userData) {
  sqe->opcode = IORING_OP_ACCEPT;
  sqe->fd = listenFd;
  sqe->ioprio = IORING_ACCEPT_MULTISHOT;
  sqe->accept_flags = SOCK_NONBLOCK | SOCK_CLOEXEC;
  sqe->user_data = userData;
}

// One receive of at most `len` bytes (0: a whole buffer) into a buffer the kernel picks from provided-buffer
// group `group`.
inline void prepBufferRecv(io_uring_sqe* sqe, int fd, uint16_t group, uint32_t len, uint64_t userData) {
  sqe->opcode = IORING_OP_RECV;
  sqe->fd = fd;
  sqe->len = len;
  sqe->flags = IOSQE_BUFFER_SELECT;
  sqe->buf_group = group;
  sqe->user_data = userData;
}

// Multishot receive into buffers the kernel picks from provided-buffer group `group`.
inline void prepMultishotRecv(io_uring_sqe* sqe, int fd, uint16_t group, uint64_t userData) {
  prepBufferRecv(sqe, fd, group, 0, userData);
  sqe->ioprio = IORING_RECV_MULTISHOT;
}

// One plain recv of at most `len` bytes into `addr` (no provided buffer); `addr` must stay valid until it
// completed.
inline void prepRecv(io_uring_sqe* sqe, int fd, void* addr, uint32_t len, uint64_t userData) {
  sqe->opcode = IORING_OP_RECV;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<uint64_t>(addr);
  sqe->len = len;
  sqe->user_data = userData;
}

// write(2) from ordinary memory (the send pool when it could not be registered).
inline void prepWrite(io_uring_sqe* sqe, int fd, const void* addr, uint32_t len, uint64_t userData) {
  sqe->opcode = IORING_OP_WRITE;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<uint64_t>(addr);
  sqe->len = len;
  sqe->off = 0;
  sqe->user_data = userData;
}

// write(2) from registered buffer `bufIndex`; `addr` must lie inside it. Works on stream sockets.
inline void prepWriteFixed(io_uring_sqe* sqe, int fd, const void* addr, uint32_t len, uint16_t bufIndex,
                           uint64_t userData) {
  prepWrite(sqe, fd, addr, len, userData);
  sqe->opcode = IORING_OP_WRITE_FIXED;
  sqe->buf_index = bufIndex;
}

// send(2) of one buffer; it must stay valid until completion. flags MSG_DONTWAIT: the request never waits
// for socket space (it completes during the submit, -EAGAIN when the socket is full); ioprio
// IORING_RECVSEND_POLL_FIRST: wait for space before the first try (the socket was just found full).
inline void prepSend(io_uring_sqe* sqe, int fd, const void* buf, uint32_t len, uint32_t flags,
                     uint16_t ioprio, uint64_t userData) {
  sqe->opcode = IORING_OP_SEND;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<uint64_t>(buf);
  sqe->len = len;
  sqe->msg_flags = flags;
  sqe->ioprio = ioprio;
  sqe->user_data = userData;
}

// sendmsg(2) of `msg` (its iovec may span many buffers); msg and its iovec must stay valid until completion.
// flags and ioprio as prepSend.
inline void prepSendMsg(io_uring_sqe* sqe, int fd, const msghdr* msg, uint32_t flags, uint16_t ioprio,
                        uint64_t userData) {
  sqe->opcode = IORING_OP_SENDMSG;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<uint64_t>(msg);
  sqe->len = 1;
  sqe->msg_flags = flags;
  sqe->ioprio = ioprio;
  sqe->user_data = userData;
}

inline void prepConnect(io_uring_sqe* sqe, int fd, const sockaddr* addr, socklen_t addrLen,
                        uint64_t userData) {
  sqe->opcode = IORING_OP_CONNECT;
  sqe->fd = fd;
  sqe->addr = reinterpret_cast<uint64_t>(addr);
  sqe->off = addrLen;
  sqe->user_data = userData;
}

// Bounds the previous (IOSQE_IO_LINK-ed) SQE; `ts` must stay valid until submitted.
inline void prepLinkTimeout(io_uring_sqe* sqe, const __kernel_timespec* ts, uint64_t userData) {
  sqe->opcode = IORING_OP_LINK_TIMEOUT;
  sqe->fd = -1;
  sqe->addr = reinterpret_cast<uint64_t>(ts);
  sqe->len = 1;
  sqe->user_data = userData;
}

// Cancels every request still pending on `fd`.
inline void prepCancelFd(io_uring_sqe* sqe, int fd, uint64_t userData) {
  sqe->opcode = IORING_OP_ASYNC_CANCEL;
  sqe->fd = fd;
  sqe->cancel_flags = IORING_ASYNC_CANCEL_FD | IORING_ASYNC_CANCEL_ALL;
  sqe->user_data = userData;
}

// Cancels the request that was submitted with `target` as its user_data.
inline void prepCancelUserData(io_uring_sqe* sqe, uint64_t target, uint64_t userData) {
  sqe->opcode = IORING_OP_ASYNC_CANCEL;
  sqe->fd = -1;
  sqe->addr = target;
  sqe->user_data = userData;
}

}  // namespace fastport::uring

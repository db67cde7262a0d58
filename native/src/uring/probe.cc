#include "probe.h"

#include <linux/io_uring.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "buffer_ring.h"
#include "ring.h"
#include "sqe_prep.h"
#include "uring_sys.h"

namespace fastport::uring {

namespace {

std::string setupFailure(int err) {
  switch (err) {
    case ENOSYS:
      return "io_uring is not available: kernel too old or built without io_uring (ENOSYS)";
    case EPERM:
    case EACCES:
      return std::string("io_uring is disabled here (") + (err == EPERM ? "EPERM" : "EACCES") +
             "): sysctl kernel.io_uring_disabled or a seccomp profile (e.g. Docker's default) blocks it";
    case ENOMEM:
      return "io_uring_setup failed: ENOMEM (locked memory limit too low?)";
    default:
      return std::string("io_uring_setup failed: ") + std::strerror(err);
  }
}

// Opcodes the engine submits; a kernel without one of them cannot run it.
struct NeededOp {
  unsigned op;
  const char* name;
};
constexpr NeededOp kNeededOps[] = {
    {IORING_OP_ACCEPT, "IORING_OP_ACCEPT"},
    {IORING_OP_RECV, "IORING_OP_RECV"},
    {IORING_OP_WRITE_FIXED, "IORING_OP_WRITE_FIXED"},
    {IORING_OP_SENDMSG, "IORING_OP_SENDMSG"},
    {IORING_OP_CONNECT, "IORING_OP_CONNECT"},
    {IORING_OP_LINK_TIMEOUT, "IORING_OP_LINK_TIMEOUT"},
    {IORING_OP_ASYNC_CANCEL, "IORING_OP_ASYNC_CANCEL"},
};

std::string checkOpcodes(int fd) {
  const size_t bytes = sizeof(io_uring_probe) + 256 * sizeof(io_uring_probe_op);
  std::vector<uint8_t> storage(bytes, 0);
  auto* probe = reinterpret_cast<io_uring_probe*>(storage.data());
  int rc = sysRegister(fd, IORING_REGISTER_PROBE, probe, 256);
  if (rc < 0) return std::string("IORING_REGISTER_PROBE failed: ") + std::strerror(-rc) + " (kernel too old)";
  for (const NeededOp& needed : kNeededOps) {
    if (needed.op > probe->last_op || !(probe->ops[needed.op].flags & IO_URING_OP_SUPPORTED)) {
      return std::string("io_uring lacks ") + needed.name + " (kernel too old)";
    }
  }
  return "";
}

// Provided-buffer rings (5.19) and multishot recv (6.0) have no feature bit: try them. A kernel without
// IORING_RECV_MULTISHOT fails the request at once with EINVAL; one with it leaves it pending (no data).
std::string checkMultishotRecv() {
  Ring ring;
  std::string err = ring.open(4, 8);
  if (!err.empty()) return err;
  BufferRing buffers;
  err = buffers.init(ring.fd(), 0, 2, 64);
  if (!err.empty()) return "io_uring lacks provided-buffer rings (" + err + "; needs Linux 5.19+)";
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
    return std::string("socketpair failed: ") + std::strerror(errno);
  }
  prepMultishotRecv(ring.nextSqe(), pair[0], 0, 1);
  ring.enter(true);
  io_uring_cqe cqe;
  std::string result;
  if (ring.reap(&cqe, 1) == 1 && cqe.res < 0) {
    result = std::string("io_uring lacks multishot recv (") + std::strerror(-cqe.res) + "; needs Linux 6.0+)";
  }
  ring.close();  // cancels the pending recv
  ::close(pair[0]);
  ::close(pair[1]);
  return result;
}

}  // namespace

std::string probeUring() {
  io_uring_params params;
  std::memset(&params, 0, sizeof params);
  int fd = sysSetup(4, &params);
  if (fd < 0) return setupFailure(-fd);
  std::string reason;
  if (!(params.features & IORING_FEAT_NODROP)) reason = "io_uring lacks IORING_FEAT_NODROP (kernel too old)";
  if (reason.empty() && !(params.features & IORING_FEAT_FAST_POLL)) {
    reason = "io_uring lacks IORING_FEAT_FAST_POLL (kernel too old)";
  }
  if (reason.empty()) reason = checkOpcodes(fd);
  close(fd);
  if (reason.empty()) reason = checkMultishotRecv();
  return reason;
}

}  // namespace fastport::uring

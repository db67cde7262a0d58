#include "probe.h"

#include <linux/io_uring.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

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

// Multishot accept/recv and provided-buffer rings came with 5.19 / 6.0; registering an empty buffer
// ring tells whether this kernel has them.
std::string checkBufferRing(int fd) {
  const size_t bytes = 4096;
  void* ring = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ring == MAP_FAILED) return std::string("mmap failed: ") + std::strerror(errno);
  io_uring_buf_reg reg;
  std::memset(&reg, 0, sizeof reg);
  reg.ring_addr = reinterpret_cast<uint64_t>(ring);
  reg.ring_entries = 8;
  reg.bgid = 0;
  int rc = sysRegister(fd, IORING_REGISTER_PBUF_RING, &reg, 1);
  std::string result;
  if (rc < 0) {
    result = std::string("io_uring lacks provided-buffer rings (IORING_REGISTER_PBUF_RING: ") +
             std::strerror(-rc) + "; needs Linux 5.19+)";
  } else {
    sysRegister(fd, IORING_UNREGISTER_PBUF_RING, &reg, 1);
  }
  munmap(ring, bytes);
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
  if (reason.empty()) reason = checkBufferRing(fd);
  // Multishot recv (6.0) has no feature bit; IORING_FEAT_LINKED_FILE arrived in the same release.
  if (reason.empty() && !(params.features & IORING_FEAT_LINKED_FILE)) {
    reason = "io_uring lacks multishot recv (needs Linux 6.0+)";
  }
  close(fd);
  return reason;
}

}  // namespace fastport::uring

#include "file_table.h"

#include <linux/io_uring.h>
#include <sys/resource.h>

#include <cstring>

#include "uring_sys.h"

namespace fastport::uring {

std::string FileTable::init(int ringFd, unsigned slots) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < slots) slots = unsigned(limit.rlim_cur);
  if (slots == 0) return "no file slots";
  io_uring_rsrc_register reg;
  std::memset(&reg, 0, sizeof reg);
  reg.nr = slots;
  reg.flags = IORING_RSRC_REGISTER_SPARSE;
  int rc = sysRegister(ringFd, IORING_REGISTER_FILES2, &reg, sizeof reg);
  if (rc < 0) return std::string("IORING_REGISTER_FILES2: ") + std::strerror(-rc);
  ringFd_ = ringFd;
  free_.clear();
  for (unsigned i = slots; i-- > 0;) free_.push_back(i);
  return "";
}

int FileTable::add(int fd) {
  if (ringFd_ < 0 || free_.empty()) return -1;
  uint32_t slot = free_.back();
  io_uring_files_update update;
  std::memset(&update, 0, sizeof update);
  update.offset = slot;
  update.fds = reinterpret_cast<uint64_t>(&fd);
  if (sysRegister(ringFd_, IORING_REGISTER_FILES_UPDATE, &update, 1) != 1) return -1;
  free_.pop_back();
  return int(slot);
}

void FileTable::remove(int slot) {
  if (ringFd_ < 0 || slot < 0) return;
  int none = -1;
  io_uring_files_update update;
  std::memset(&update, 0, sizeof update);
  update.offset = uint32_t(slot);
  update.fds = reinterpret_cast<uint64_t>(&none);
  if (sysRegister(ringFd_, IORING_REGISTER_FILES_UPDATE, &update, 1) == 1) free_.push_back(uint32_t(slot));
}

}  // namespace fastport::uring

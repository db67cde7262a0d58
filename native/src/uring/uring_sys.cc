#include "uring_sys.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace fastport::uring {

namespace {
int resultOrErrno(long rc) {
  return rc < 0 ? -errno : static_cast<int>(rc);
}
}  // namespace

int sysSetup(unsigned entries, io_uring_params* params) {
  return resultOrErrno(syscall(__NR_io_uring_setup, entries, params));
}

int sysEnter(int ringFd, unsigned toSubmit, unsigned minComplete, unsigned flags) {
  return resultOrErrno(syscall(__NR_io_uring_enter, ringFd, toSubmit, minComplete, flags, nullptr, 0));
}

int sysEnterArg(int ringFd, unsigned toSubmit, unsigned minComplete, unsigned flags, const void* arg,
                size_t argBytes) {
  return resultOrErrno(syscall(__NR_io_uring_enter, ringFd, toSubmit, minComplete, flags, arg, argBytes));
}

int sysRegister(int ringFd, unsigned opcode, const void* arg, unsigned nrArgs) {
  return resultOrErrno(syscall(__NR_io_uring_register, ringFd, opcode, arg, nrArgs));
}

}  // namespace fastport::uring

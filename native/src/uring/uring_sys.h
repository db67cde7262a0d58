// Raw io_uring system calls (no liburing): each returns >= 0 on success or -errno.
#pragma once

#include <linux/io_uring.h>

#include <cstddef>

namespace fastport::uring {

int sysSetup(unsigned entries, io_uring_params* params);
int sysEnter(int ringFd, unsigned toSubmit, unsigned minComplete, unsigned flags);
// With IORING_ENTER_EXT_ARG in flags: `arg` is an io_uring_getevents_arg.
int sysEnterArg(int ringFd, unsigned toSubmit, unsigned minComplete, unsigned flags, const void* arg,
                size_t argBytes);
int sysRegister(int ringFd, unsigned opcode, const void* arg, unsigned nrArgs);

}  // namespace fastport::uring

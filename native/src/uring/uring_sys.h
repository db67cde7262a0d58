// Raw io_uring system calls (no liburing): each returns >= 0 on success or -errno.
#pragma once

#include <linux/io_uring.h>

namespace fastport::uring {

int sysSetup(unsigned entries, io_uring_params* params);
int sysEnter(int ringFd, unsigned toSubmit, unsigned minComplete, unsigned flags);
int sysRegister(int ringFd, unsigned opcode, const void* arg, unsigned nrArgs);

}  // namespace fastport::uring

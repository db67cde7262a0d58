// io_uring is Linux-only; the addon's probeUring() export still exists on Windows and says why.
#include <string>

namespace fastport {

std::string probeUring() {
  return "io_uring is Linux only (this is a Windows build)";
}

}  // namespace fastport

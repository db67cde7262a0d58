// probeUring(): '' when this process can run the uring engine, else why not (shown to the user when
// `engine: 'auto'` falls back to epoll or `engine: 'uring'` is refused).
#pragma once

#include <string>

namespace fastport::uring {

std::string probeUring();

}  // namespace fastport::uring

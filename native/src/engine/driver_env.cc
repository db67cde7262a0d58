// The env handed from the addon to Driver::create() (see engine/driver.h). Per thread: each JS thread
// (main or worker) constructs its own Engines.
#include "engine/driver.h"

namespace fastport {
namespace {
thread_local napi_env currentEnv = nullptr;
}  // namespace

void setDriverEnv(napi_env env) {
  currentEnv = env;
}

napi_env driverEnv() {
  return currentEnv;
}

}  // namespace fastport

// Windows builds: the shared driver interface (engine/driver.h) names uv_loop_t only as an opaque pointer;
// the Windows driver never calls libuv, so no libuv headers or import library are needed.
#pragma once
typedef struct uv_loop_s uv_loop_t;

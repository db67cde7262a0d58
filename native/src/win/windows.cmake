# Windows additions to native/CMakeLists.txt (included there under if(WIN32), before the targets exist).
# The iocp / rio engines and their table (win/engines_win.cc, used by engine/registry.cc); the Windows driver
# (win/addon: completion-port loops on native threads, JS woken by a Node-API threadsafe function) replaces
# engine/driver_inline.cc and driver_threads.cc. win/compat holds stand-ins for the POSIX socket headers
# the shared core includes, and a uv.h that only names uv_loop_t (nothing on Windows calls libuv).
file(GLOB FASTPORT_WIN_ENGINE_SOURCES CONFIGURE_DEPENDS ${SRC}/win/*.cc ${SRC}/iocp/*.cc ${SRC}/rio/*.cc)
list(APPEND ENGINE_SOURCES ${FASTPORT_WIN_ENGINE_SOURCES})
file(GLOB FASTPORT_WIN_ADDON_SOURCES CONFIGURE_DEPENDS ${SRC}/win/addon/*.cc)
include_directories(BEFORE ${SRC}/win/compat)
add_compile_definitions(_WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX)
link_libraries(ws2_32 mswsock)
if(MINGW)
  # One self-contained .node: no libstdc++ / libgcc / winpthread DLLs next to it.
  add_link_options(-static-libstdc++ -static-libgcc -static)
endif()

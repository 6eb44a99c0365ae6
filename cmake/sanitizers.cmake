# Sanitizers as an INTERFACE target, switched on by POLYLOGUE_SANITIZE (e.g. "address,undefined").
add_library(polylogue_sanitizers INTERFACE)
if(POLYLOGUE_SANITIZE)
    target_compile_options(polylogue_sanitizers INTERFACE
        -fsanitize=${POLYLOGUE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(polylogue_sanitizers INTERFACE -fsanitize=${POLYLOGUE_SANITIZE})
endif()
# GCC's -Wtsan says that TSan does not model std::atomic_thread_fence, which Asio's handler
# invocation uses (detail/std_fenced_block.hpp). Asio's scheduler hands work between threads
# under a mutex, which TSan does model, so the notice changes nothing here; with -Werror it would
# stop every Asio source from building.
if(POLYLOGUE_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(polylogue_sanitizers INTERFACE -Wno-tsan)
endif()

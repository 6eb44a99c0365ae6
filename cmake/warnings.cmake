# Warnings as an INTERFACE target: every project target links it, third-party code never sees it.
add_library(polylogue_warnings INTERFACE)
target_compile_options(polylogue_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
    $<$<BOOL:${POLYLOGUE_WERROR}>:-Werror>)

# GCC 12 false positive: -Wmismatched-new-delete says Asio's awaitable_frame_base::operator
# delete frees a coroutine frame that came from a mismatched allocation function, though the frame
# comes from the same class's operator new (both go through Asio's recycling allocator). GCC
# reports it at some coroutine's closing brace after inlining, so which file it fires in moves
# with the optimisation level and with every edit (it moved from room_runner.cpp to
# room_tools.cpp when a coroutine moved between them). So the warning is off exactly in the
# translation units that define Asio coroutines (a line naming `awaitable<`), found when CMake
# configures, and stays on everywhere else. Call once per directory that defines targets (a
# source file property is seen only by targets of its own directory). Remove when GCC stops.
function(polylogue_quiet_coroutine_frames)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        return()
    endif()
    file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${ARGN})
    foreach(source IN LISTS sources)
        file(STRINGS ${source} coroutine_lines REGEX "awaitable<" LIMIT_COUNT 1)
        if(coroutine_lines)
            set_property(SOURCE ${source} APPEND PROPERTY COMPILE_OPTIONS
                -Wno-mismatched-new-delete)
        endif()
    endforeach()
endfunction()
polylogue_quiet_coroutine_frames(${PROJECT_SOURCE_DIR}/src/*.cpp)

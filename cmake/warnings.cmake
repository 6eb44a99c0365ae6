# Warnings as an INTERFACE target: every project target links it, third-party code never sees it.
add_library(polylogue_warnings INTERFACE)
target_compile_options(polylogue_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
    $<$<BOOL:${POLYLOGUE_WERROR}>:-Werror>)

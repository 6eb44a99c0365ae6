# Sanitizers as an INTERFACE target, switched on by POLYLOGUE_SANITIZE (e.g. "address,undefined").
add_library(polylogue_sanitizers INTERFACE)
if(POLYLOGUE_SANITIZE)
    target_compile_options(polylogue_sanitizers INTERFACE
        -fsanitize=${POLYLOGUE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(polylogue_sanitizers INTERFACE -fsanitize=${POLYLOGUE_SANITIZE})
endif()

# Writes a C++ source that defines `std::string_view NAME() noexcept` in namespace NAMESPACE,
# returning the bytes of INPUT. Run as: cmake -DINPUT=... -DOUTPUT=... -DNAME=... -DNAMESPACE=...
# -DHEADER=... -P embed_text.cmake
file(READ "${INPUT}" content)
set(delimiter "plg_embed")
string(FIND "${content}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )${delimiter}\"")
endif()
file(WRITE "${OUTPUT}.tmp"
    "// Generated from ${INPUT} by cmake/embed_text.cmake; do not edit.\n"
    "#include \"${HEADER}\"\n\n"
    "namespace ${NAMESPACE} {\n\n"
    "std::string_view ${NAME}() noexcept {\n"
    "    static constexpr char text[] = R\"${delimiter}(${content})${delimiter}\";\n"
    "    return {text, sizeof text - 1};\n"
    "}\n\n"
    "}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")

# Turns a text file into a C++ function returning its contents, so the
# default config is part of the binary. Run as:
#   cmake -DINPUT=... -DOUTPUT=... -DFUNCTION=... -P embed.cmake
file(READ "${INPUT}" content)
string(FIND "${content}" ")stretch_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )stretch_embed\"")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by cmake/embed.cmake. Do not edit.\n"
  "#include <string_view>\n"
  "namespace stretch {\n"
  "std::string_view ${FUNCTION}() {\n"
  "    static constexpr std::string_view text = R\"stretch_embed(${content})stretch_embed\";\n"
  "    return text;\n"
  "}\n"
  "}  // namespace stretch\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")

# Writes a C++ header defining `inline constexpr const char NAME[]` with the
# contents of INPUT as a raw string literal. Used to embed the demo config.
file(READ "${INPUT}" content)
string(FIND "${content}" ")ttyhub_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE "${OUTPUT}" "// Generated from ${INPUT}; do not edit.\n#pragma once\nnamespace ttyhub {\ninline constexpr const char ${NAME}[] = R\"ttyhub_embed(${content})ttyhub_embed\";\n}  // namespace ttyhub\n")

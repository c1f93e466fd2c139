# Writes OUT, a C++ file holding the bytes of IN (server/api/openapi.json) as
# posfleet::api::openapi_json(): the document is built into posfleetd.
# Run by the custom command in server/CMakeLists.txt: cmake -DIN=… -DOUT=… -P this.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
# Sixteen a line (CMake's regex has no {n}).
string(REPEAT "'\\\\x[0-9a-f][0-9a-f]'," 16 line)
string(REGEX REPLACE "(${line})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}.tmp" "// Generated from server/api/openapi.json by openapi_embed.cmake; do not edit.
#include \"server/api/openapi_api.h\"

namespace posfleet::api {
namespace {
const char kDocument[] = {
${bytes}};
}  // namespace

std::string_view openapi_json() { return {kDocument, ${size}}; }

}  // namespace posfleet::api
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")

// SHA-256 (FIPS 180-4) of a byte range, as lowercase hex: the source-model hash in generated C APIs.
#ifndef KILN_TOOLS_COMMON_SHA256_H
#define KILN_TOOLS_COMMON_SHA256_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace kiln::embed {

/// The SHA-256 digest of `size` bytes at `data`, as 64 lowercase hex digits.
std::string sha256Hex(const void *data, size_t size);

} // namespace kiln::embed

#endif // KILN_TOOLS_COMMON_SHA256_H

// libFuzzer target: any bytes through the .npy reader; what it accepts must serialize and read back unchanged.
#include "tools/common/Npy.h"

#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kiln::npy::Array array;
  std::string error;
  if (!kiln::npy::parse(data, size, array, error)) {
    if (error.empty())
      __builtin_trap(); // a refusal must say why
    return 0;
  }
  if (array.data.size() != array.elementCount() * kiln::npy::itemSize(array.dtype))
    __builtin_trap();
  std::vector<uint8_t> bytes;
  if (!kiln::npy::serialize(array, bytes, error))
    __builtin_trap();
  kiln::npy::Array again;
  if (!kiln::npy::parse(bytes.data(), bytes.size(), again, error) || again.dtype != array.dtype ||
      again.shape != array.shape || again.data != array.data)
    __builtin_trap();
  return 0;
}

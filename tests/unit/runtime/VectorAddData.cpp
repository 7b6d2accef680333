// The vector-add plan's .npy inputs and output check (see VectorAddData.h).
#include "VectorAddData.h"

#include <cstring>

namespace kiln::test {

npy::Array vectorAddInput(uint32_t n, unsigned seed) {
  npy::Array a;
  a.dtype = npy::DType::F32;
  a.shape = {int64_t(n)};
  a.data.resize(size_t(n) * 4);
  for (uint32_t i = 0; i < n; ++i) {
    const float v = float((i * 37 + seed * 11) % 101) / 8.0f - 6.0f;
    std::memcpy(a.data.data() + size_t(i) * 4, &v, 4);
  }
  return a;
}

bool checkVectorAddOutput(const std::string& path, uint32_t n, std::string& error) {
  npy::Array c;
  if (!npy::read(path, c, error)) return false;
  if (c.dtype != npy::DType::F32 || c.shape != std::vector<int64_t>{int64_t(n)}) {
    error = path + " is not f32[" + std::to_string(n) + "]";
    return false;
  }
  const npy::Array a = vectorAddInput(n, 1), b = vectorAddInput(n, 2);
  for (uint32_t i = 0; i < n; ++i) {
    float x, y, z;
    std::memcpy(&x, a.data.data() + size_t(i) * 4, 4);
    std::memcpy(&y, b.data.data() + size_t(i) * 4, 4);
    std::memcpy(&z, c.data.data() + size_t(i) * 4, 4);
    if (z != x + y) {
      error = "c[" + std::to_string(i) + "] = " + std::to_string(z) + ", expected " + std::to_string(x + y);
      return false;
    }
  }
  return true;
}

}  // namespace kiln::test

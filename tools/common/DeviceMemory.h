// Device allocations for the CLI (kiln bench's device-I/O timing): the CUDA driver the
// runtime uses, loaded the same way, for the few calls a caller that keeps its tensors
// on the GPU makes itself.
#ifndef KILN_TOOLS_COMMON_DEVICEMEMORY_H
#define KILN_TOOLS_COMMON_DEVICEMEMORY_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln::exec {

// Buffers in the primary context of one device, the context kiln sessions run in when
// their options name no context. Loads libcuda.so.1, or $KILN_CUDA_LIBRARY as the runtime
// does. Frees every buffer and releases the context when destroyed. Not thread-safe.
class DeviceMemory {
 public:
  static std::unique_ptr<DeviceMemory> open(int ordinal, std::string& error);
  ~DeviceMemory();
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;

  // A new buffer of `bytes` bytes holding `data` (when given); its device address, or 0
  // with error set.
  uint64_t allocate(size_t bytes, const void* data, std::string& error);
  // Copies `bytes` bytes from device address `src` to host memory and waits for them.
  bool download(void* dst, uint64_t src, size_t bytes, std::string& error);

  struct Driver;  // the entry points resolved from the driver (DeviceMemory.cpp)

 private:
  DeviceMemory() = default;
  bool check(unsigned result, const char* what, std::string& error) const;
  std::unique_ptr<Driver> driver_;
  void* library_ = nullptr;
  void* context_ = nullptr;
  int device_ = 0;
  std::vector<uint64_t> buffers_;
};

}  // namespace kiln::exec

#endif  // KILN_TOOLS_COMMON_DEVICEMEMORY_H

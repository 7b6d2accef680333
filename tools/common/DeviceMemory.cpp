// Device buffers for the CLI through the CUDA driver API, resolved with dlopen.
#include "tools/common/DeviceMemory.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>

namespace kiln::exec {

// The entry points used here, under the versioned names cuda.h maps the plain ones to.
struct DeviceMemory::Driver {
  using Result = unsigned;
  Result (*cuInit)(unsigned);
  Result (*cuDeviceGet)(int*, int);
  Result (*cuDevicePrimaryCtxRetain)(void**, int);
  Result (*cuDevicePrimaryCtxRelease)(int);
  Result (*cuCtxPushCurrent)(void*);
  Result (*cuCtxPopCurrent)(void**);
  Result (*cuMemAlloc)(uint64_t*, size_t);
  Result (*cuMemFree)(uint64_t);
  Result (*cuMemcpyHtoD)(uint64_t, const void*, size_t);
  Result (*cuMemcpyDtoHAsync)(void*, uint64_t, size_t, void*);
  Result (*cuStreamSynchronize)(void*);
};

namespace {
template <typename F>
bool resolve(void* library, const char* name, F& out, std::string& error) {
  void* symbol = dlsym(library, name);
  if (!symbol) {
    error = std::string("the CUDA driver lacks ") + name;
    return false;
  }
  std::memcpy(&out, &symbol, sizeof(symbol));
  return true;
}

// Pushes the context for the lifetime of the scope.
struct Current {
  Current(const DeviceMemory::Driver& d, void* context) : d(d) { pushed = d.cuCtxPushCurrent(context) == 0; }
  ~Current() {
    void* previous = nullptr;
    if (pushed) d.cuCtxPopCurrent(&previous);
  }
  const DeviceMemory::Driver& d;
  bool pushed = false;
};
}  // namespace

bool DeviceMemory::check(unsigned result, const char* what, std::string& error) const {
  if (result == 0) return true;
  error = std::string(what) + " failed with CUDA error " + std::to_string(result);
  return false;
}

std::unique_ptr<DeviceMemory> DeviceMemory::open(int ordinal, std::string& error) {
  const char* path = std::getenv("KILN_CUDA_LIBRARY");
  if (!path || !*path) path = "libcuda.so.1";
  std::unique_ptr<DeviceMemory> m(new DeviceMemory());
  m->library_ = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!m->library_) {
    error = std::string("cannot load ") + path;
    return nullptr;
  }
  m->driver_ = std::make_unique<Driver>();
  Driver& d = *m->driver_;
  if (!resolve(m->library_, "cuInit", d.cuInit, error) ||
      !resolve(m->library_, "cuDeviceGet", d.cuDeviceGet, error) ||
      !resolve(m->library_, "cuDevicePrimaryCtxRetain", d.cuDevicePrimaryCtxRetain, error) ||
      !resolve(m->library_, "cuDevicePrimaryCtxRelease_v2", d.cuDevicePrimaryCtxRelease, error) ||
      !resolve(m->library_, "cuCtxPushCurrent_v2", d.cuCtxPushCurrent, error) ||
      !resolve(m->library_, "cuCtxPopCurrent_v2", d.cuCtxPopCurrent, error) ||
      !resolve(m->library_, "cuMemAlloc_v2", d.cuMemAlloc, error) ||
      !resolve(m->library_, "cuMemFree_v2", d.cuMemFree, error) ||
      !resolve(m->library_, "cuMemcpyHtoD_v2", d.cuMemcpyHtoD, error) ||
      !resolve(m->library_, "cuMemcpyDtoHAsync_v2", d.cuMemcpyDtoHAsync, error) ||
      !resolve(m->library_, "cuStreamSynchronize", d.cuStreamSynchronize, error))
    return nullptr;
  if (!m->check(d.cuInit(0), "cuInit", error) || !m->check(d.cuDeviceGet(&m->device_, ordinal), "cuDeviceGet", error))
    return nullptr;
  if (!m->check(d.cuDevicePrimaryCtxRetain(&m->context_, m->device_), "cuDevicePrimaryCtxRetain", error)) {
    m->context_ = nullptr;
    return nullptr;
  }
  return m;
}

DeviceMemory::~DeviceMemory() {
  if (driver_ && context_) {
    {
      Current current(*driver_, context_);
      for (uint64_t b : buffers_) driver_->cuMemFree(b);
    }
    driver_->cuDevicePrimaryCtxRelease(device_);
  }
  if (library_) dlclose(library_);
}

uint64_t DeviceMemory::allocate(size_t bytes, const void* data, std::string& error) {
  Current current(*driver_, context_);
  uint64_t p = 0;
  if (!check(driver_->cuMemAlloc(&p, bytes ? bytes : 1), "cuMemAlloc", error)) return 0;
  buffers_.push_back(p);
  if (data && bytes && !check(driver_->cuMemcpyHtoD(p, data, bytes), "cuMemcpyHtoD", error)) return 0;
  return p;
}

bool DeviceMemory::download(void* dst, uint64_t src, size_t bytes, std::string& error) {
  Current current(*driver_, context_);
  return check(driver_->cuMemcpyDtoHAsync(dst, src, bytes, nullptr), "cuMemcpyDtoHAsync", error) &&
         check(driver_->cuStreamSynchronize(nullptr), "cuStreamSynchronize", error);
}

}  // namespace kiln::exec

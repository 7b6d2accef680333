// The few CUDA driver calls this example makes itself (device buffers, streams, a current context),
// resolved from libcuda.so.1 with dlopen, as kiln's runtime does: the program needs no CUDA toolkit to
// build. KILN_CUDA_LIBRARY overrides the library (the PTX emulator in CI).
#ifndef EXAMPLE_CUDA_DRIVER_HPP
#define EXAMPLE_CUDA_DRIVER_HPP

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace cuda {

using Result = int;
using Device = int;
using Context = void *;
using Stream = void *;
using DevicePtr = unsigned long long;

struct Driver {
  Result (*cuInit)(unsigned);
  Result (*cuDeviceGet)(Device *, int);
  Result (*cuDevicePrimaryCtxRetain)(Context *, Device);
  Result (*cuDevicePrimaryCtxRelease)(Device);
  Result (*cuCtxPushCurrent)(Context);
  Result (*cuCtxPopCurrent)(Context *);
  Result (*cuMemAlloc)(DevicePtr *, size_t);
  Result (*cuMemFree)(DevicePtr);
  Result (*cuMemcpyHtoDAsync)(DevicePtr, const void *, size_t, Stream);
  Result (*cuMemcpyDtoHAsync)(void *, DevicePtr, size_t, Stream);
  Result (*cuStreamCreate)(Stream *, unsigned);
  Result (*cuStreamSynchronize)(Stream);
  Result (*cuStreamDestroy)(Stream);

  static const Driver &get() {
    static const Driver d = load();
    return d;
  }

private:
  static Driver load() {
    const char *path = std::getenv("KILN_CUDA_LIBRARY");
    void *lib = dlopen(path && *path ? path : "libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib)
      throw std::runtime_error(std::string("cannot load the CUDA driver: ") + dlerror());
    Driver d{};
    resolve(lib, d.cuInit, "cuInit");
    resolve(lib, d.cuDeviceGet, "cuDeviceGet");
    resolve(lib, d.cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
    resolve(lib, d.cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2");
    resolve(lib, d.cuCtxPushCurrent, "cuCtxPushCurrent_v2");
    resolve(lib, d.cuCtxPopCurrent, "cuCtxPopCurrent_v2");
    resolve(lib, d.cuMemAlloc, "cuMemAlloc_v2");
    resolve(lib, d.cuMemFree, "cuMemFree_v2");
    resolve(lib, d.cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2");
    resolve(lib, d.cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2");
    resolve(lib, d.cuStreamCreate, "cuStreamCreate");
    resolve(lib, d.cuStreamSynchronize, "cuStreamSynchronize");
    resolve(lib, d.cuStreamDestroy, "cuStreamDestroy_v2");
    return d;
  }
  template <class F> static void resolve(void *lib, F &f, const char *name) {
    f = reinterpret_cast<F>(dlsym(lib, name));
    if (!f)
      throw std::runtime_error(std::string("the CUDA driver lacks ") + name);
  }
};

inline void check(Result r, const char *what) {
  if (r != 0)
    throw std::runtime_error(std::string(what) + " failed with CUDA error " + std::to_string(r));
}

/// Device 0's primary context (the one kiln sessions use by default), current on this thread
/// for the object's lifetime.
class ScopedContext {
public:
  ScopedContext() {
    const Driver &cu = Driver::get();
    check(cu.cuInit(0), "cuInit");
    check(cu.cuDeviceGet(&device_, 0), "cuDeviceGet");
    check(cu.cuDevicePrimaryCtxRetain(&context_, device_), "cuDevicePrimaryCtxRetain");
    check(cu.cuCtxPushCurrent(context_), "cuCtxPushCurrent");
  }
  ~ScopedContext() {
    Context previous;
    Driver::get().cuCtxPopCurrent(&previous);
    Driver::get().cuDevicePrimaryCtxRelease(device_);
  }
  ScopedContext(const ScopedContext &) = delete;
  ScopedContext &operator=(const ScopedContext &) = delete;

private:
  Device device_ = 0;
  Context context_ = nullptr;
};

/// Device memory owned by the application.
class Buffer {
public:
  explicit Buffer(size_t bytes) : bytes_(bytes) { check(Driver::get().cuMemAlloc(&ptr_, bytes ? bytes : 1), "cuMemAlloc"); }
  ~Buffer() { Driver::get().cuMemFree(ptr_); }
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  void *get() const { return reinterpret_cast<void *>(static_cast<uintptr_t>(ptr_)); }
  DevicePtr ptr() const { return ptr_; }
  size_t size() const { return bytes_; }

private:
  DevicePtr ptr_ = 0;
  size_t bytes_;
};

/// A stream owned by the application; kiln runs are enqueued on it.
class OwnedStream {
public:
  OwnedStream() { check(Driver::get().cuStreamCreate(&stream_, 1 /* non-blocking */), "cuStreamCreate"); }
  ~OwnedStream() { Driver::get().cuStreamDestroy(stream_); }
  OwnedStream(const OwnedStream &) = delete;
  OwnedStream &operator=(const OwnedStream &) = delete;
  Stream get() const { return stream_; }
  void synchronize() const { check(Driver::get().cuStreamSynchronize(stream_), "cuStreamSynchronize"); }

private:
  Stream stream_ = nullptr;
};

} // namespace cuda

#endif // EXAMPLE_CUDA_DRIVER_HPP

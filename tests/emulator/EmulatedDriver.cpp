// libkiln_ptx_emulator.so: a CPU stand-in for libcuda.so.1 that really executes the PTX
// it is given, so the GPU code path can be checked numerically on machines without a GPU.
//
// Load it through KILN_CUDA_LIBRARY. "Device" memory is host memory, every stream runs
// synchronously, stream capture records launches (with copies of their parameters)
// into a graph that cuGraphLaunch replays, and each launch runs the PTX interpreter
// (PtxMachine). A kernel fault (out-of-bounds or misaligned access, a broken shuffle,
// a deadlock) fails the launch with CUDA_ERROR_ILLEGAL_ADDRESS or
// CUDA_ERROR_LAUNCH_FAILED and prints what happened, where, on stderr.
// It is slow (an interpreter, one thread at a time) and its approximate instructions
// (ex2.approx, rcp.approx...) are exact, so it checks logic and strict-fp32 code, not
// speed or the error bounds of approximations.
//
// With KILN_EMULATOR_STATS=FILE, it appends one tab-separated line per kernel launch to
// FILE: the launch's global requests, sectors and bytes, the distinct sectors it touched
// and its shared-memory bank wavefronts (TrafficCounter.h), for
// scripts/traffic-report.py to read.
#include "Ptx.h"
#include "PtxMachine.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

using kiln::emu::Function;
using kiln::emu::LaunchShape;
using kiln::emu::MemoryMap;
using kiln::emu::Module;

namespace {

using CUresult = unsigned int;
using CUdeviceptr = unsigned long long;

enum : CUresult {
  SUCCESS = 0,
  ERROR_INVALID_VALUE = 1,
  ERROR_OUT_OF_MEMORY = 2,
  ERROR_NOT_INITIALIZED = 3,
  ERROR_INVALID_DEVICE = 101,
  ERROR_INVALID_IMAGE = 200,
  ERROR_INVALID_CONTEXT = 201,
  ERROR_INVALID_PTX = 218,
  ERROR_INVALID_HANDLE = 400,
  ERROR_NOT_FOUND = 500,
  ERROR_ILLEGAL_ADDRESS = 700,
  ERROR_LAUNCH_FAILED = 719,
  ERROR_STREAM_CAPTURE_UNSUPPORTED = 900,
};

struct EmuFunction {
  const Module *module;
  const Function *fn;
  int maxDynamicShared = 48 * 1024;
};

struct EmuModule {
  std::unique_ptr<Module> ptx;
  std::deque<EmuFunction> functions; // stable addresses: they are the CUfunction handles
};

struct Operation {
  const EmuFunction *function = nullptr; // null: a device-to-device copy
  LaunchShape shape;
  std::vector<uint8_t> params;
  CUdeviceptr dst = 0, src = 0;
  size_t bytes = 0;
};

struct Graph {
  std::vector<Operation> ops;
};

struct Stream {
  Graph *capture = nullptr;
};

constexpr int kSm = 90;
constexpr int kMaxSharedOptIn = 227 * 1024;

std::mutex g_mutex;
bool g_initialized = false;
// Like the real driver's context stack, the depth is per thread: a thread that never
// made the context current must not launch just because another thread did.
thread_local int t_contextDepth = 0;
int g_contextToken = 0; // its address is the one primary context
MemoryMap g_memory;
std::set<EmuModule *> g_modules;
FILE *g_stats = nullptr; // KILN_EMULATOR_STATS, opened by cuInit

void writeStats(const Operation &op, const kiln::emu::LaunchStats &s) {
  const LaunchShape &l = op.shape;
  const uint64_t counts[] = {s.threadInstructions,  s.floatFmas,           s.load.requests,
                             s.load.sectors,        s.load.ideal,          s.load.bytes,
                             s.store.requests,      s.store.sectors,       s.store.ideal,
                             s.store.bytes,         s.distinctSectorsRead, s.distinctSectorsWritten,
                             s.sharedLoad.requests, s.sharedLoad.wavefronts, s.sharedLoad.ideal,
                             s.sharedStore.requests, s.sharedStore.wavefronts, s.sharedStore.ideal};
  std::fprintf(g_stats, "%s\t%ux%ux%u\t%ux%ux%u", op.function->fn->name.c_str(), l.grid[0], l.grid[1], l.grid[2],
               l.block[0], l.block[1], l.block[2]);
  for (uint64_t c : counts)
    std::fprintf(g_stats, "\t%llu", static_cast<unsigned long long>(c));
  std::fprintf(g_stats, "\n");
  std::fflush(g_stats);
}

void openStats() {
  const char *path = std::getenv("KILN_EMULATOR_STATS");
  if (g_stats || !path || !*path)
    return;
  g_stats = std::fopen(path, "a");
  if (!g_stats) {
    std::fprintf(stderr, "kiln PTX emulator: cannot open KILN_EMULATOR_STATS file '%s'\n", path);
    return;
  }
  if (std::ftell(g_stats) == 0)
    std::fprintf(g_stats, "kernel\tgrid\tblock\tthread_instructions\tfloat_fmas\tload_requests\tload_sectors"
                          "\tload_ideal_sectors\tload_bytes\tstore_requests\tstore_sectors\tstore_ideal_sectors"
                          "\tstore_bytes\tdistinct_sectors_read\tdistinct_sectors_written\tshared_load_requests"
                          "\tshared_load_wavefronts\tshared_load_ideal\tshared_store_requests"
                          "\tshared_store_wavefronts\tshared_store_ideal\n");
}

CUresult runOperation(const Operation &op) {
  if (!op.function) {
    if (!g_memory.contains(op.dst, op.bytes) || !g_memory.contains(op.src, op.bytes)) {
      std::fprintf(stderr, "kiln PTX emulator: device-to-device copy of %zu bytes outside any allocation\n", op.bytes);
      return ERROR_INVALID_VALUE;
    }
    std::memmove(reinterpret_cast<void *>(op.dst), reinterpret_cast<const void *>(op.src), op.bytes);
    return SUCCESS;
  }
  kiln::emu::LaunchStats stats;
  std::string fault = kiln::emu::runKernel(*op.function->module, *op.function->fn, op.shape, op.params.data(),
                                           g_memory, g_stats ? &stats : nullptr);
  if (fault.empty()) {
    if (g_stats)
      writeStats(op, stats);
    return SUCCESS;
  }
  std::fprintf(stderr, "kiln PTX emulator: %s\n", fault.c_str());
  bool memory = fault.find("out-of-bounds") != std::string::npos || fault.find("misaligned") != std::string::npos;
  return memory ? ERROR_ILLEGAL_ADDRESS : ERROR_LAUNCH_FAILED;
}

CUresult submit(void *stream, Operation op) {
  Stream *s = static_cast<Stream *>(stream);
  if (s && s->capture) {
    s->capture->ops.push_back(std::move(op));
    return SUCCESS;
  }
  return runOperation(op);
}

void registerGlobals(const Module &m, bool add) {
  for (size_t i = 0; i < m.globals.size(); ++i) {
    auto address = reinterpret_cast<uintptr_t>(m.globalStorage[i].get());
    if (add)
      g_memory.add(address, m.globals[i].init.size());
    else
      g_memory.remove(address);
  }
}

} // namespace

#define EXPORT extern "C" __attribute__((visibility("default")))
#define LOCK std::lock_guard<std::mutex> lock(g_mutex)

EXPORT CUresult cuInit(unsigned int flags) {
  LOCK;
  if (flags != 0)
    return ERROR_INVALID_VALUE;
  g_initialized = true;
  openStats();
  return SUCCESS;
}

EXPORT CUresult cuDriverGetVersion(int *version) {
  *version = 13000;
  return SUCCESS;
}

EXPORT CUresult cuGetErrorName(CUresult error, const char **name) {
  static const std::pair<CUresult, const char *> kNames[] = {
      {SUCCESS, "CUDA_SUCCESS"},
      {ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE"},
      {ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY"},
      {ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED"},
      {ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE"},
      {ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE"},
      {ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT"},
      {ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX"},
      {ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE"},
      {ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND"},
      {ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS"},
      {ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED"},
      {ERROR_STREAM_CAPTURE_UNSUPPORTED, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"}};
  for (auto [code, text] : kNames)
    if (code == error) {
      *name = text;
      return SUCCESS;
    }
  *name = nullptr;
  return ERROR_INVALID_VALUE;
}

EXPORT CUresult cuGetErrorString(CUresult error, const char **text) {
  *text = error == SUCCESS ? "no error" : "kiln PTX emulator error (details on stderr)";
  return SUCCESS;
}

EXPORT CUresult cuDeviceGetCount(int *count) {
  LOCK;
  if (!g_initialized)
    return ERROR_NOT_INITIALIZED;
  *count = 1;
  return SUCCESS;
}

EXPORT CUresult cuDeviceGet(int *device, int ordinal) {
  if (ordinal != 0)
    return ERROR_INVALID_DEVICE;
  *device = 0;
  return SUCCESS;
}

EXPORT CUresult cuDeviceGetAttribute(int *value, unsigned int attribute, int device) {
  if (device != 0)
    return ERROR_INVALID_DEVICE;
  switch (attribute) {
  case 75: *value = kSm / 10; return SUCCESS;
  case 76: *value = kSm % 10; return SUCCESS;
  case 97: *value = kMaxSharedOptIn; return SUCCESS;
  default: return ERROR_INVALID_VALUE;
  }
}

EXPORT CUresult cuDeviceGetName(char *name, int length, int device) {
  if (device != 0)
    return ERROR_INVALID_DEVICE;
  std::snprintf(name, static_cast<size_t>(length), "kiln PTX emulator (CPU, sm_%d)", kSm);
  return SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  if (device != 0)
    return ERROR_INVALID_DEVICE;
  *context = &g_contextToken;
  return SUCCESS;
}

EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int device) { return device == 0 ? SUCCESS : ERROR_INVALID_DEVICE; }

EXPORT CUresult cuCtxPushCurrent_v2(void *context) {
  LOCK;
  if (context != &g_contextToken)
    return ERROR_INVALID_CONTEXT;
  ++t_contextDepth;
  return SUCCESS;
}

EXPORT CUresult cuCtxPopCurrent_v2(void **context) {
  LOCK;
  if (t_contextDepth == 0)
    return ERROR_INVALID_CONTEXT;
  --t_contextDepth;
  if (context)
    *context = &g_contextToken;
  return SUCCESS;
}

EXPORT CUresult cuCtxGetDevice(int *device) {
  *device = 0;
  return SUCCESS;
}

EXPORT CUresult cuModuleLoadDataEx(void **module, const void *image, unsigned int count, unsigned int *options,
                                   void **values) {
  LOCK;
  char *log = nullptr;
  size_t logSize = 0;
  for (unsigned int i = 0; i < count; ++i) {
    if (options[i] == 5)
      log = static_cast<char *>(values[i]);
    if (options[i] == 6)
      logSize = static_cast<size_t>(reinterpret_cast<uintptr_t>(values[i]));
  }
  auto report = [&](const std::string &what) {
    if (log && logSize)
      std::snprintf(log, logSize, "%s", what.c_str());
  };
  const char *text = static_cast<const char *>(image);
  if (std::memcmp(text, "\x7f" "ELF", 4) == 0) {
    report("kiln PTX emulator: cubins cannot be emulated; compile the plan without --cubin");
    return ERROR_INVALID_IMAGE;
  }
  std::string error;
  auto m = std::make_unique<EmuModule>();
  m->ptx = kiln::emu::parsePtx(text, error);
  if (!m->ptx) {
    report("kiln PTX emulator: " + error);
    return ERROR_INVALID_PTX;
  }
  registerGlobals(*m->ptx, true);
  *module = m.get();
  g_modules.insert(m.release());
  return SUCCESS;
}

EXPORT CUresult cuModuleGetFunction(void **function, void *module, const char *name) {
  LOCK;
  auto *m = static_cast<EmuModule *>(module);
  if (!g_modules.count(m))
    return ERROR_INVALID_HANDLE;
  const Function *fn = m->ptx->find(name);
  if (!fn || !fn->isEntry || !fn->defined)
    return ERROR_NOT_FOUND;
  for (EmuFunction &f : m->functions)
    if (f.fn == fn) {
      *function = &f;
      return SUCCESS;
    }
  m->functions.push_back({m->ptx.get(), fn});
  *function = &m->functions.back();
  return SUCCESS;
}

EXPORT CUresult cuModuleUnload(void *module) {
  LOCK;
  auto *m = static_cast<EmuModule *>(module);
  if (!g_modules.erase(m))
    return ERROR_INVALID_HANDLE;
  registerGlobals(*m->ptx, false);
  delete m;
  return SUCCESS;
}

EXPORT CUresult cuFuncSetAttribute(void *function, unsigned int attribute, int value) {
  auto *f = static_cast<EmuFunction *>(function);
  if (attribute != 8 || value < 0 || value > kMaxSharedOptIn)
    return ERROR_INVALID_VALUE;
  f->maxDynamicShared = value;
  return SUCCESS;
}

EXPORT CUresult cuFuncGetAttribute(int *value, unsigned int attribute, void *function) {
  if (!value || !function)
    return ERROR_INVALID_VALUE;
  const auto *f = static_cast<const EmuFunction *>(function);
  switch (attribute) {
  case 0: *value = static_cast<int>(f->fn->maxThreads); return SUCCESS;
  case 1: *value = static_cast<int>(f->fn->sharedBytes); return SUCCESS;
  case 3: *value = static_cast<int>(f->fn->localBytes); return SUCCESS;
  // Virtual registers, not the allocation ptxas would make: an upper bound.
  case 4: *value = static_cast<int>(std::min<size_t>(f->fn->registerNames.size(), 255)); return SUCCESS;
  case 8: *value = f->maxDynamicShared; return SUCCESS;
  default: return ERROR_INVALID_VALUE;
  }
}

// Lets the runtime check a cubin's parameters against the plan (CUDA 12.4 on).
EXPORT CUresult cuFuncGetParamInfo(void *function, size_t index, size_t *offset, size_t *size) {
  if (!function)
    return ERROR_INVALID_VALUE;
  const auto *f = static_cast<const EmuFunction *>(function);
  if (index >= f->fn->params.size())
    return ERROR_INVALID_VALUE;
  if (offset)
    *offset = f->fn->params[index].first;
  if (size)
    *size = f->fn->params[index].second;
  return SUCCESS;
}

EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  LOCK;
  if (bytes == 0)
    return ERROR_INVALID_VALUE;
  void *p = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!p)
    return ERROR_OUT_OF_MEMORY;
  // Fresh device memory holds garbage; NaN bytes make reads of unwritten memory visible.
  std::memset(p, 0xff, bytes);
  *pointer = reinterpret_cast<uintptr_t>(p);
  g_memory.add(*pointer, bytes);
  return SUCCESS;
}

EXPORT CUresult cuMemFree_v2(CUdeviceptr pointer) {
  LOCK;
  if (!g_memory.contains(pointer, 1))
    return ERROR_INVALID_VALUE;
  g_memory.remove(pointer);
  std::free(reinterpret_cast<void *>(pointer));
  return SUCCESS;
}

static CUresult hostCopy(void *stream, void *dst, const void *src, size_t bytes, CUdeviceptr device) {
  LOCK;
  Stream *s = static_cast<Stream *>(stream);
  if (s && s->capture)
    return ERROR_STREAM_CAPTURE_UNSUPPORTED;
  if (!g_memory.contains(device, bytes))
    return ERROR_INVALID_VALUE;
  std::memcpy(dst, src, bytes);
  return SUCCESS;
}

EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes) {
  return hostCopy(nullptr, reinterpret_cast<void *>(dst), src, bytes, dst);
}

EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t bytes, void *stream) {
  return hostCopy(stream, reinterpret_cast<void *>(dst), src, bytes, dst);
}

EXPORT CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t bytes, void *stream) {
  return hostCopy(stream, dst, reinterpret_cast<const void *>(src), bytes, src);
}

EXPORT CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t bytes, void *stream) {
  LOCK;
  Operation op;
  op.dst = dst;
  op.src = src;
  op.bytes = bytes;
  return submit(stream, std::move(op));
}

EXPORT CUresult cuLaunchKernel(void *function, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                               unsigned int by, unsigned int bz, unsigned int smem, void *stream, void **params,
                               void **extra) {
  LOCK;
  if (t_contextDepth == 0)
    return ERROR_INVALID_CONTEXT;
  if (!function || extra)
    return ERROR_INVALID_VALUE;
  const auto *f = static_cast<const EmuFunction *>(function);
  if (static_cast<int>(smem) > f->maxDynamicShared ||
      static_cast<unsigned long long>(bx) * by * bz > f->fn->maxThreads)
    return ERROR_INVALID_VALUE;
  Operation op;
  op.function = f;
  op.shape.grid[0] = gx, op.shape.grid[1] = gy, op.shape.grid[2] = gz;
  op.shape.block[0] = bx, op.shape.block[1] = by, op.shape.block[2] = bz;
  op.shape.dynamicShared = smem;
  // Like the real driver, the parameter values are copied at launch (and at capture).
  op.params.assign(f->fn->paramBytes, 0);
  for (size_t i = 0; i < f->fn->params.size(); ++i) {
    if (!params || !params[i])
      return ERROR_INVALID_VALUE;
    std::memcpy(op.params.data() + f->fn->params[i].first, params[i], f->fn->params[i].second);
  }
  return submit(stream, std::move(op));
}

EXPORT CUresult cuStreamCreate(void **stream, unsigned int flags) {
  (void)flags;
  *stream = new Stream();
  return SUCCESS;
}

EXPORT CUresult cuStreamDestroy_v2(void *stream) {
  LOCK;
  Stream *s = static_cast<Stream *>(stream);
  delete s->capture;
  delete s;
  return SUCCESS;
}

EXPORT CUresult cuStreamSynchronize(void *stream) {
  LOCK;
  Stream *s = static_cast<Stream *>(stream);
  return s && s->capture ? ERROR_STREAM_CAPTURE_UNSUPPORTED : SUCCESS;
}

EXPORT CUresult cuStreamBeginCapture_v2(void *stream, unsigned int mode) {
  LOCK;
  (void)mode;
  Stream *s = static_cast<Stream *>(stream);
  if (!s)
    return ERROR_STREAM_CAPTURE_UNSUPPORTED; // the legacy stream cannot be captured
  if (s->capture)
    return ERROR_INVALID_VALUE;
  s->capture = new Graph();
  return SUCCESS;
}

EXPORT CUresult cuStreamEndCapture(void *stream, void **graph) {
  LOCK;
  Stream *s = static_cast<Stream *>(stream);
  if (!s || !s->capture)
    return ERROR_INVALID_VALUE;
  *graph = s->capture;
  s->capture = nullptr;
  return SUCCESS;
}

EXPORT CUresult cuGraphInstantiateWithFlags(void **exec, void *graph, unsigned long long flags) {
  (void)flags;
  *exec = new Graph(*static_cast<const Graph *>(graph));
  return SUCCESS;
}

EXPORT CUresult cuGraphLaunch(void *exec, void *stream) {
  LOCK;
  Stream *s = static_cast<Stream *>(stream);
  if (s && s->capture)
    return ERROR_STREAM_CAPTURE_UNSUPPORTED;
  for (const Operation &op : static_cast<const Graph *>(exec)->ops)
    if (CUresult r = runOperation(op); r != SUCCESS)
      return r;
  return SUCCESS;
}

EXPORT CUresult cuGraphExecDestroy(void *exec) {
  delete static_cast<Graph *>(exec);
  return SUCCESS;
}

EXPORT CUresult cuGraphDestroy(void *graph) {
  delete static_cast<Graph *>(graph);
  return SUCCESS;
}

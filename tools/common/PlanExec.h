// Runs a .kiln plan on the GPU from host buffers, for the kiln CLI (run, bench, check): one session, poisoned outputs.
#ifndef KILN_TOOLS_COMMON_PLANEXEC_H
#define KILN_TOOLS_COMMON_PLANEXEC_H

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "kiln/runtime.h"
#include "tools/common/DeviceMemory.h"
#include "tools/common/Npy.h"

namespace kiln::exec {

// A graph input or output as the plan declares it.
struct TensorDesc {
  std::string name;
  kiln_dtype_t dtype = KILN_DTYPE_F32;
  std::vector<int64_t> shape;
  uint64_t byteSize = 0;
  uint64_t elementCount() const;
};

// Resource usage of one kernel as loaded by the driver (kiln_session_kernel_info).
struct KernelResources {
  std::string name;
  int32_t registers = 0;
  int32_t staticSharedBytes = 0;
  int32_t localBytes = 0;
  int32_t maxThreadsPerBlock = 0;
};

// True for the statuses that mean "this machine has no usable GPU" (no libcuda, no
// device), which callers report as SKIPPED rather than as a failure.
inline bool isNoGpu(kiln_status_t status) {
  return status == KILN_STATUS_NO_DRIVER || status == KILN_STATUS_NO_DEVICE;
}

// Whether a GPU is usable here: loads the driver and opens a session on an empty plan
// on device 0. KILN_STATUS_OK, or the failure status with the runtime's message.
kiln_status_t probeGpu(std::string& error);

// One runtime session plus the host buffers bound to it. Not copyable; not thread-safe
// (a kiln session is thread-compatible).
class PlanExecutor {
 public:
  ~PlanExecutor();
  PlanExecutor(const PlanExecutor&) = delete;
  PlanExecutor& operator=(const PlanExecutor&) = delete;

  // Creates a session from plan bytes (read only during the call) or a file. On
  // failure returns the runtime status with the runtime's message in error, and out
  // stays null; isNoGpu(status) distinguishes "no GPU here".
  static kiln_status_t create(const void* plan, size_t size, bool useCudaGraph,
                              std::unique_ptr<PlanExecutor>& out, std::string& error);
  static kiln_status_t createFromFile(const std::string& path, bool useCudaGraph,
                                      std::unique_ptr<PlanExecutor>& out, std::string& error);

  const std::vector<TensorDesc>& inputs() const { return inputs_; }
  const std::vector<TensorDesc>& outputs() const { return outputs_; }
  const kiln_device_info_t& device() const { return device_; }

  // Copies inputs (one per plan input, in order, exactly byteSize bytes each) into
  // host buffers owned by the executor and binds them with the outputs' buffers.
  bool setInputs(const std::vector<std::vector<uint8_t>>& inputs, std::string& error);

  // Poisons every output buffer (all bytes 0xFF: NaN for floats), runs once and
  // synchronizes. Inputs must have been set. Returns the runtime status.
  kiln_status_t run(std::string& error);

  // Run + synchronize without poisoning, for timing loops.
  kiln_status_t runTimed(std::string& error);

  // Moves the I/O to device buffers of `memory` (which must outlive every later run):
  // uploads the inputs set last and binds inputs and outputs as device memory, so a run
  // copies only device to device, as for a caller whose tensors live on the GPU. After
  // a run, fetchOutputs() downloads the outputs into outputData().
  bool useDeviceIO(DeviceMemory& memory, std::string& error);
  bool fetchOutputs(std::string& error);

  // Output buffers of the last run, in plan order.
  const std::vector<std::vector<uint8_t>>& outputData() const { return outputData_; }

  // Driver-reported resources of every kernel, or false with error.
  bool kernelResources(std::vector<KernelResources>& out, std::string& error) const;

  kiln_session_t* session() const { return session_; }

 private:
  PlanExecutor() = default;
  static kiln_status_t finish(kiln_session_t* session, std::unique_ptr<PlanExecutor>& out, std::string& error);
  kiln_session_t* session_ = nullptr;
  kiln_device_info_t device_{};
  std::vector<TensorDesc> inputs_, outputs_;
  std::vector<std::vector<uint8_t>> inputData_, outputData_;
  DeviceMemory* deviceMemory_ = nullptr;  // set by useDeviceIO
  std::vector<uint64_t> deviceOutputs_;
};

// ---------------------------------------------------------------- tensor helpers

// "f32[1,3,224,224]"
std::string describe(const TensorDesc& t);

// The .npy dtype that holds a runtime dtype bit for bit (bf16 as uint16).
bool npyTypeFor(kiln_dtype_t dtype, npy::DType& out);

bool isFloat(kiln_dtype_t dtype);

// Element i as a double (f16/bf16 decoded).
double element(kiln_dtype_t dtype, const uint8_t* data, uint64_t i);

// Random contents for a tensor, drawn from rng in element order: floats uniform in
// [-1, 1), integers uniform in [0, 8), bools 0/1 — the generator `kiln run` uses for
// missing inputs, so `kiln check` and `kiln run --seed N` see the same data.
std::vector<uint8_t> randomData(kiln_dtype_t dtype, uint64_t elementCount, std::mt19937_64& rng);

// min/max/mean (and NaN count) summary for the console.
std::string summarize(kiln_dtype_t dtype, const std::vector<uint8_t>& data);

// Checks an array read from .npy against an input and returns its bytes.
bool fromNpy(const TensorDesc& t, const npy::Array& array, std::vector<uint8_t>& out, std::string& error);
bool toNpy(const TensorDesc& t, const std::vector<uint8_t>& data, npy::Array& out, std::string& error);

// A file name derived from a tensor name: anything but [A-Za-z0-9._-] becomes '_'.
std::string fileNameFor(const std::string& tensorName);

}  // namespace kiln::exec

#endif  // KILN_TOOLS_COMMON_PLANEXEC_H

// Builds a .kiln frozen plan from plain structs and serializes it; no MLIR, only plan_format.h.
#ifndef KILN_CODEGEN_PLAN_PLANWRITER_H
#define KILN_CODEGEN_PLAN_PLANWRITER_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kiln/plan_format.h"

namespace kiln::plan {

// A graph input or output: where it lives in the arena and what it looks like.
// The byte size is derived from dtype and dims.
struct TensorSpec {
  std::string name;
  uint32_t dtype = KILN_PLAN_DTYPE_F32;  // kiln_plan_dtype_t (ONNX numbering)
  std::vector<int64_t> dims;             // static; rank <= KILN_PLAN_MAX_RANK
  uint64_t arenaOffset = 0;              // multiple of the element size
};

// One kernel entry point. Kernels whose PTX text is identical share one copy in the
// file and one loaded module at run time, so a whole gpu.module may be passed to
// every kernel it contains.
struct KernelSpec {
  std::string name;            // the PTX .entry name
  std::string ptx;             // PTX text, without a terminating NUL (the writer adds it)
  std::vector<uint8_t> cubin;  // optional precompiled image, used when the device SM equals cubinArch
  uint32_t cubinArch = 0;      // e.g. 90; required when cubin is non-empty
  std::vector<uint32_t> params;  // kiln_plan_param_kind_t of each .entry parameter, in order
};

// One kernel argument, for the kernel's parameter of the same position.
struct Arg {
  uint32_t kind = KILN_PLAN_ARG_I64;  // kiln_plan_arg_kind_t
  uint64_t value = 0;
  uint64_t size = 0;  // pointers: the bytes the kernel may access from value on

  static Arg arena(uint64_t offset, uint64_t bytes) { return {KILN_PLAN_ARG_ARENA_PTR, offset, bytes}; }
  static Arg weight(uint64_t offset, uint64_t bytes) { return {KILN_PLAN_ARG_WEIGHT_PTR, offset, bytes}; }
  static Arg i32(int32_t v) { return {KILN_PLAN_ARG_I32, static_cast<uint32_t>(v), 0}; }
  static Arg i64(int64_t v) { return {KILN_PLAN_ARG_I64, static_cast<uint64_t>(v), 0}; }
  static Arg f32(float v);
};

struct LaunchSpec {
  uint32_t kernel = 0;  // index returned by PlanWriter::addKernel
  std::array<uint32_t, 3> grid{{1, 1, 1}};
  std::array<uint32_t, 3> block{{1, 1, 1}};
  uint32_t sharedMemBytes = 0;  // dynamic shared memory
  std::vector<Arg> args;
  std::vector<std::string> nodeNames;  // ONNX nodes fused into this launch (provenance)
};

// Collects a plan and writes it. Calls may come in any order; everything is checked
// by serialize(), which reports the first problem as a message instead of writing a
// plan the runtime would reject. Never throws (the compiler builds without exceptions).
class PlanWriter {
 public:
  void setTargetSm(uint32_t sm) { targetSm_ = sm; }
  void setProducer(std::string producer) { producer_ = std::move(producer); }
  // Bytes of the activation arena and the alignment of its base (power of two <= 4096).
  void setArena(uint64_t size, uint32_t alignment = 256) {
    arenaSize_ = size;
    arenaAlignment_ = alignment;
  }
  // Bytes the intermediates would need with no reuse (reported by `kiln inspect`).
  void setUnplannedArenaSize(uint64_t size) { unplannedArenaSize_ = size; }

  // Inputs and outputs are numbered in the order they are added (ONNX graph order).
  uint32_t addInput(TensorSpec tensor);
  uint32_t addOutput(TensorSpec tensor);
  uint32_t addKernel(KernelSpec kernel);
  uint32_t addLaunch(LaunchSpec launch);

  // Appends constant bytes to the weights blob and returns their offset in it, a
  // multiple of alignment (a power of two <= KILN_PLAN_WEIGHTS_ALIGNMENT).
  uint64_t addWeights(const void* data, size_t size, uint64_t alignment = KILN_PLAN_WEIGHTS_ALIGNMENT);

  const std::vector<TensorSpec>& inputs() const { return inputs_; }
  const std::vector<TensorSpec>& outputs() const { return outputs_; }
  const std::vector<KernelSpec>& kernels() const { return kernels_; }
  const std::vector<LaunchSpec>& launches() const { return launches_; }
  uint64_t weightsSize() const { return weights_.size(); }

  // Validates the plan and lays it out: header, section table, then the sections,
  // each 16-byte aligned (weights 256-byte aligned), all checksummed.
  bool serialize(std::vector<uint8_t>& out, std::string& error) const;
  bool writeFile(const std::string& path, std::string& error) const;

 private:
  bool validate(std::string& error) const;
  bool validateTensor(const TensorSpec& tensor, const char* role, std::string& error) const;

  uint32_t targetSm_ = 90;
  std::string producer_ = "kiln";
  uint64_t arenaSize_ = 0;
  uint32_t arenaAlignment_ = 256;
  uint64_t unplannedArenaSize_ = 0;
  std::vector<TensorSpec> inputs_;
  std::vector<TensorSpec> outputs_;
  std::vector<KernelSpec> kernels_;
  std::vector<LaunchSpec> launches_;
  std::vector<uint8_t> weights_;
  std::string deferredError_;  // from addWeights, reported by serialize
};

// Recomputes every checksum of a serialized plan in place: sections, section table,
// then header. For tools and tests that patch a plan's bytes. Sections whose bounds
// are broken keep their checksum; returns false (bytes untouched) only when the
// header itself is unusable (too short, or header_size out of range).
bool resealPlan(std::vector<uint8_t>& bytes);

// CRC-32C as specified in plan_format.h; chain by passing the previous result.
uint32_t crc32c(uint32_t crc, const void* data, size_t size);

}  // namespace kiln::plan

#endif  // KILN_CODEGEN_PLAN_PLANWRITER_H

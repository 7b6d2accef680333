// Host-buffer execution of .kiln plans through the kiln runtime, shared by the kiln CLI commands.
#include "tools/common/PlanExec.h"

#include "codegen/Plan/PlanWriter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace kiln::exec {
namespace {

TensorDesc toDesc(const kiln_tensor_info_t& info) {
  TensorDesc t;
  t.name = info.name;
  t.dtype = info.dtype;
  t.shape.assign(info.dims, info.dims + info.rank);
  t.byteSize = info.byte_size;
  return t;
}

std::string statusMessage(kiln_session_t* session, kiln_status_t status) {
  const char* text = session ? kiln_session_last_error(session) : kiln_thread_last_error();
  return std::string(kiln_status_string(status)) + ": " + (text && *text ? text : "(no message)");
}

template <typename T>
T load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <typename T>
void store(std::vector<uint8_t>& out, uint64_t i, T value) {
  std::memcpy(out.data() + i * sizeof(T), &value, sizeof(T));
}

float halfToFloat(uint16_t h) {
  const uint32_t sign = uint32_t(h >> 15);
  const uint32_t exponent = (h >> 10) & 0x1Fu;
  const uint32_t mantissa = h & 0x3FFu;
  float value;
  if (exponent == 0) value = std::ldexp(float(mantissa), -24);
  else if (exponent == 31) value = mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else value = std::ldexp(float(mantissa | 0x400u), int(exponent) - 25);
  return sign ? -value : value;
}

// Round to nearest even; enough for the [-1, 1) values the generator draws.
uint16_t floatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  const uint16_t sign = uint16_t((bits >> 16) & 0x8000u);
  const float a = std::fabs(f);
  if (a < std::ldexp(1.0f, -24)) return sign;
  if (a < std::ldexp(1.0f, -14)) return uint16_t(sign | uint16_t(std::nearbyint(std::ldexp(a, 24))));
  int e;
  const float m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  uint32_t mant = uint32_t(std::nearbyint(std::ldexp(m, 11)));  // 11 significant bits
  if (mant == 2048) {
    mant = 1024;
    ++e;
  }
  const int biased = e - 1 + 15;
  if (biased >= 31) return uint16_t(sign | 0x7C00u);
  return uint16_t(sign | uint16_t(biased << 10) | uint16_t(mant & 0x3FFu));
}

float bf16ToFloat(uint16_t b) {
  const uint32_t bits = uint32_t(b) << 16;
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

uint16_t floatToBf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  return uint16_t(bits >> 16);
}

}  // namespace

kiln_status_t probeGpu(std::string& error) {
  plan::PlanWriter writer;
  writer.setTargetSm(30);  // any device the driver supports
  writer.setProducer("kiln probe");
  std::vector<uint8_t> bytes;
  if (!writer.serialize(bytes, error)) return KILN_STATUS_INVALID_PLAN;
  std::unique_ptr<PlanExecutor> executor;
  return PlanExecutor::create(bytes.data(), bytes.size(), /*useCudaGraph=*/false, executor, error);
}

uint64_t TensorDesc::elementCount() const {
  uint64_t n = 1;
  for (int64_t d : shape) n *= uint64_t(d);
  return n;
}

PlanExecutor::~PlanExecutor() {
  if (session_) kiln_session_destroy(session_);
}

kiln_status_t PlanExecutor::finish(kiln_session_t* session, std::unique_ptr<PlanExecutor>& out, std::string& error) {
  std::unique_ptr<PlanExecutor> e(new PlanExecutor());
  e->session_ = session;
  kiln_status_t status = kiln_session_device_info(session, &e->device_);
  size_t inputs = 0, outputs = 0;
  if (status == KILN_STATUS_OK) status = kiln_session_input_count(session, &inputs);
  if (status == KILN_STATUS_OK) status = kiln_session_output_count(session, &outputs);
  for (size_t i = 0; i < inputs && status == KILN_STATUS_OK; ++i) {
    kiln_tensor_info_t info;
    status = kiln_session_input_info(session, i, &info);
    if (status == KILN_STATUS_OK) e->inputs_.push_back(toDesc(info));
  }
  for (size_t i = 0; i < outputs && status == KILN_STATUS_OK; ++i) {
    kiln_tensor_info_t info;
    status = kiln_session_output_info(session, i, &info);
    if (status == KILN_STATUS_OK) e->outputs_.push_back(toDesc(info));
  }
  if (status != KILN_STATUS_OK) {
    error = statusMessage(session, status);
    return status;
  }
  e->outputData_.resize(e->outputs_.size());
  for (size_t i = 0; i < e->outputs_.size(); ++i) {
    e->outputData_[i].assign(e->outputs_[i].byteSize, 0xFF);
    status = kiln_session_bind_output(session, i, KILN_MEMORY_HOST, e->outputData_[i].data(), e->outputData_[i].size());
    if (status != KILN_STATUS_OK) {
      error = statusMessage(session, status);
      return status;
    }
  }
  out = std::move(e);
  return KILN_STATUS_OK;
}

kiln_status_t PlanExecutor::create(const void* plan, size_t size, bool useCudaGraph,
                                   std::unique_ptr<PlanExecutor>& out, std::string& error) {
  out.reset();
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  options.use_cuda_graph = useCudaGraph ? 1 : 0;
  kiln_session_t* session = nullptr;
  const kiln_status_t status = kiln_session_create_from_memory(plan, size, &options, &session);
  if (status != KILN_STATUS_OK) {
    error = statusMessage(nullptr, status);
    return status;
  }
  return finish(session, out, error);
}

kiln_status_t PlanExecutor::createFromFile(const std::string& path, bool useCudaGraph,
                                           std::unique_ptr<PlanExecutor>& out, std::string& error) {
  out.reset();
  kiln_session_options_t options;
  kiln_session_options_init(&options);
  options.use_cuda_graph = useCudaGraph ? 1 : 0;
  kiln_session_t* session = nullptr;
  const kiln_status_t status = kiln_session_create_from_file(path.c_str(), &options, &session);
  if (status != KILN_STATUS_OK) {
    error = statusMessage(nullptr, status);
    return status;
  }
  return finish(session, out, error);
}

bool PlanExecutor::setInputs(const std::vector<std::vector<uint8_t>>& inputs, std::string& error) {
  if (inputs.size() != inputs_.size()) {
    error = "the plan has " + std::to_string(inputs_.size()) + " inputs, " + std::to_string(inputs.size()) + " given";
    return false;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].size() != inputs_[i].byteSize) {
      error = "input '" + inputs_[i].name + "' needs " + std::to_string(inputs_[i].byteSize) + " bytes, " +
              std::to_string(inputs[i].size()) + " given";
      return false;
    }
  }
  inputData_ = inputs;
  for (size_t i = 0; i < inputData_.size(); ++i) {
    const kiln_status_t status =
        kiln_session_bind_input(session_, i, KILN_MEMORY_HOST, inputData_[i].data(), inputData_[i].size());
    if (status != KILN_STATUS_OK) {
      error = statusMessage(session_, status);
      return false;
    }
  }
  return true;
}

kiln_status_t PlanExecutor::run(std::string& error) {
  for (std::vector<uint8_t>& out : outputData_) std::fill(out.begin(), out.end(), uint8_t(0xFF));
  return runTimed(error);
}

kiln_status_t PlanExecutor::runTimed(std::string& error) {
  kiln_status_t status = kiln_session_run(session_, nullptr);
  if (status == KILN_STATUS_OK) status = kiln_session_synchronize(session_, nullptr);
  if (status != KILN_STATUS_OK) error = statusMessage(session_, status);
  return status;
}

bool PlanExecutor::useDeviceIO(DeviceMemory& memory, std::string& error) {
  if (inputData_.size() != inputs_.size()) {
    error = "set the inputs before moving them to the device";
    return false;
  }
  auto bind = [&](bool output, size_t i, const TensorDesc& t, const void* data) {
    const uint64_t p = memory.allocate(t.byteSize, data, error);
    if (!p) return false;
    void* device = reinterpret_cast<void*>(uintptr_t(p));
    const kiln_status_t status = output ? kiln_session_bind_output(session_, i, KILN_MEMORY_DEVICE, device, t.byteSize)
                                        : kiln_session_bind_input(session_, i, KILN_MEMORY_DEVICE, device, t.byteSize);
    if (status != KILN_STATUS_OK) error = statusMessage(session_, status);
    if (output) deviceOutputs_.push_back(p);
    return status == KILN_STATUS_OK;
  };
  deviceOutputs_.clear();
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (!bind(false, i, inputs_[i], inputData_[i].data())) return false;
  // Outputs start as 0xFF bytes (NaN for floats), as in run().
  for (size_t i = 0; i < outputs_.size(); ++i) {
    std::fill(outputData_[i].begin(), outputData_[i].end(), uint8_t(0xFF));
    if (!bind(true, i, outputs_[i], outputData_[i].data())) return false;
  }
  deviceMemory_ = &memory;
  return true;
}

bool PlanExecutor::fetchOutputs(std::string& error) {
  if (!deviceMemory_) {
    error = "the outputs are not on the device";
    return false;
  }
  for (size_t i = 0; i < outputs_.size(); ++i)
    if (!deviceMemory_->download(outputData_[i].data(), deviceOutputs_[i], outputs_[i].byteSize, error))
      return false;
  return true;
}

bool PlanExecutor::kernelResources(std::vector<KernelResources>& out, std::string& error) const {
  out.clear();
  size_t count = 0;
  kiln_status_t status = kiln_session_kernel_count(session_, &count);
  for (size_t k = 0; k < count && status == KILN_STATUS_OK; ++k) {
    kiln_kernel_info_t info;
    status = kiln_session_kernel_info(session_, k, &info);
    if (status == KILN_STATUS_OK)
      out.push_back({info.name, info.registers_per_thread, info.static_shared_bytes, info.local_bytes,
                     info.max_threads_per_block});
  }
  if (status != KILN_STATUS_OK) {
    error = statusMessage(session_, status);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- tensor helpers

std::string describe(const TensorDesc& t) {
  std::string s = kiln_dtype_name(t.dtype);
  s += '[';
  for (size_t d = 0; d < t.shape.size(); ++d) s += (d ? "," : "") + std::to_string(t.shape[d]);
  return s + ']';
}

bool npyTypeFor(kiln_dtype_t dtype, npy::DType& out) {
  switch (dtype) {
    case KILN_DTYPE_F32: out = npy::DType::F32; return true;
    case KILN_DTYPE_F64: out = npy::DType::F64; return true;
    case KILN_DTYPE_F16: out = npy::DType::F16; return true;
    case KILN_DTYPE_BF16: out = npy::DType::U16; return true;
    case KILN_DTYPE_I8: out = npy::DType::I8; return true;
    case KILN_DTYPE_I16: out = npy::DType::I16; return true;
    case KILN_DTYPE_I32: out = npy::DType::I32; return true;
    case KILN_DTYPE_I64: out = npy::DType::I64; return true;
    case KILN_DTYPE_U8: out = npy::DType::U8; return true;
    case KILN_DTYPE_U16: out = npy::DType::U16; return true;
    case KILN_DTYPE_U32: out = npy::DType::U32; return true;
    case KILN_DTYPE_U64: out = npy::DType::U64; return true;
    case KILN_DTYPE_BOOL: out = npy::DType::Bool; return true;
    default: return false;
  }
}

bool isFloat(kiln_dtype_t dtype) {
  return dtype == KILN_DTYPE_F32 || dtype == KILN_DTYPE_F64 || dtype == KILN_DTYPE_F16 || dtype == KILN_DTYPE_BF16;
}

double element(kiln_dtype_t dtype, const uint8_t* data, uint64_t i) {
  switch (dtype) {
    case KILN_DTYPE_F32: return load<float>(data + i * 4);
    case KILN_DTYPE_F64: return load<double>(data + i * 8);
    case KILN_DTYPE_F16: return halfToFloat(load<uint16_t>(data + i * 2));
    case KILN_DTYPE_BF16: return bf16ToFloat(load<uint16_t>(data + i * 2));
    case KILN_DTYPE_I8: return load<int8_t>(data + i);
    case KILN_DTYPE_I16: return load<int16_t>(data + i * 2);
    case KILN_DTYPE_I32: return load<int32_t>(data + i * 4);
    case KILN_DTYPE_I64: return double(load<int64_t>(data + i * 8));
    case KILN_DTYPE_U8: case KILN_DTYPE_BOOL: return data[i];
    case KILN_DTYPE_U16: return load<uint16_t>(data + i * 2);
    case KILN_DTYPE_U32: return load<uint32_t>(data + i * 4);
    case KILN_DTYPE_U64: return double(load<uint64_t>(data + i * 8));
    default: return 0;
  }
}

std::vector<uint8_t> randomData(kiln_dtype_t dtype, uint64_t n, std::mt19937_64& rng) {
  std::vector<uint8_t> out(n * kiln_dtype_size(dtype), 0);
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int64_t> small(0, 7);
  for (uint64_t i = 0; i < n; ++i) {
    switch (dtype) {
      case KILN_DTYPE_F32: store(out, i, float(real(rng))); break;
      case KILN_DTYPE_F64: store(out, i, real(rng)); break;
      case KILN_DTYPE_F16: store(out, i, floatToHalf(float(real(rng)))); break;
      case KILN_DTYPE_BF16: store(out, i, floatToBf16(float(real(rng)))); break;
      case KILN_DTYPE_BOOL: out[i] = uint8_t(small(rng) & 1); break;
      case KILN_DTYPE_I8: case KILN_DTYPE_U8: out[i] = uint8_t(small(rng)); break;
      case KILN_DTYPE_I16: case KILN_DTYPE_U16: store(out, i, uint16_t(small(rng))); break;
      case KILN_DTYPE_I32: case KILN_DTYPE_U32: store(out, i, uint32_t(small(rng))); break;
      case KILN_DTYPE_I64: case KILN_DTYPE_U64: store(out, i, uint64_t(small(rng))); break;
      default: break;
    }
  }
  return out;
}

std::string summarize(kiln_dtype_t dtype, const std::vector<uint8_t>& data) {
  const size_t size = kiln_dtype_size(dtype);
  const uint64_t n = size ? data.size() / size : 0;
  if (n == 0) return "empty";
  double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
  uint64_t nans = 0;
  for (uint64_t i = 0; i < n; ++i) {
    const double v = element(dtype, data.data(), i);
    if (std::isnan(v)) {
      ++nans;
      continue;
    }
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }
  char buf[160];
  if (nans == n) return "all NaN";
  std::snprintf(buf, sizeof(buf), "min %.6g max %.6g mean %.6g", lo, hi, sum / double(n - nans));
  std::string s = buf;
  if (nans) s += " (" + std::to_string(nans) + " NaN)";
  return s;
}

bool fromNpy(const TensorDesc& t, const npy::Array& array, std::vector<uint8_t>& out, std::string& error) {
  npy::DType expected;
  if (!npyTypeFor(t.dtype, expected)) {
    error = "input '" + t.name + "' has a dtype that .npy cannot hold";
    return false;
  }
  if (array.dtype != expected || array.shape != t.shape) {
    std::string shape = "[";
    for (size_t d = 0; d < array.shape.size(); ++d) shape += (d ? "," : "") + std::to_string(array.shape[d]);
    error = "input '" + t.name + "' is " + describe(t) + " (as .npy " + npy::descr(expected) + ") but the file holds " +
            npy::name(array.dtype) + shape + "]";
    return false;
  }
  out = array.data;
  return true;
}

bool toNpy(const TensorDesc& t, const std::vector<uint8_t>& data, npy::Array& out, std::string& error) {
  if (!npyTypeFor(t.dtype, out.dtype)) {
    error = "output '" + t.name + "' has a dtype that .npy cannot hold";
    return false;
  }
  out.shape = t.shape;
  out.data = data;
  return true;
}

std::string fileNameFor(const std::string& tensorName) {
  std::string out;
  for (char c : tensorName) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
    out += keep ? c : '_';
  }
  return out.empty() ? "unnamed" : out;
}

}  // namespace kiln::exec

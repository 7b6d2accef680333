// Serializes a PlanWriter's contents into the .kiln layout of plan_format.h, with alignment and CRC-32C checksums.
#include "codegen/Plan/PlanWriter.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

namespace kiln::plan {
namespace {

struct CrcTable {
  uint32_t entries[256];
  CrcTable() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t crc = i;
      for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (KILN_PLAN_CRC32C_POLY & (0u - (crc & 1u)));
      entries[i] = crc;
    }
  }
};

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, args);
  va_end(args);
  return buf;
}

uint64_t alignUp(uint64_t value, uint64_t alignment) { return (value + alignment - 1) / alignment * alignment; }
bool isPowerOfTwo(uint64_t v) { return v && !(v & (v - 1)); }

// Strings are deduplicated; offset 0 is the empty string.
class StringTable {
 public:
  StringTable() : bytes_(1, '\0') {}
  uint32_t add(const std::string& s) {
    if (s.empty()) return 0;
    auto it = offsets_.find(s);
    if (it != offsets_.end()) return it->second;
    const auto offset = static_cast<uint32_t>(bytes_.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    bytes_.push_back('\0');
    offsets_.emplace(s, offset);
    return offset;
  }
  const std::vector<char>& bytes() const { return bytes_; }

 private:
  std::vector<char> bytes_;
  std::unordered_map<std::string, uint32_t> offsets_;
};

// The CODE blob: each distinct PTX text or cubin stored once, 16-byte aligned.
class CodeBlob {
 public:
  uint64_t add(const void* data, size_t size, bool nulTerminate) {
    std::string key(static_cast<const char*>(data), size);
    key.push_back(nulTerminate ? 't' : 'b');
    auto it = offsets_.find(key);
    if (it != offsets_.end()) return it->second;
    bytes_.resize(alignUp(bytes_.size(), KILN_PLAN_SECTION_ALIGNMENT), 0);
    const uint64_t offset = bytes_.size();
    const auto* p = static_cast<const uint8_t*>(data);
    bytes_.insert(bytes_.end(), p, p + size);
    if (nulTerminate) bytes_.push_back(0);
    offsets_.emplace(std::move(key), offset);
    return offset;
  }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
  std::unordered_map<std::string, uint64_t> offsets_;
};

struct SectionData {
  uint32_t kind;
  const void* data;
  uint64_t size;
  uint32_t count;
  uint32_t entrySize;
};

template <typename T>
SectionData table(uint32_t kind, const std::vector<T>& entries) {
  return {kind, entries.data(), entries.size() * sizeof(T), static_cast<uint32_t>(entries.size()),
          static_cast<uint32_t>(sizeof(T))};
}

bool tensorBytes(const TensorSpec& t, uint64_t& bytes) {
  bytes = kiln_plan_dtype_size(t.dtype);
  for (int64_t dim : t.dims) {
    if (dim < 0) return false;
    if (dim != 0 && bytes > UINT64_MAX / static_cast<uint64_t>(dim)) return false;
    bytes *= static_cast<uint64_t>(dim);
  }
  return true;
}

}  // namespace

uint32_t crc32c(uint32_t crc, const void* data, size_t size) {
  static const CrcTable table;
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  while (size--) crc = (crc >> 8) ^ table.entries[(crc ^ *p++) & 0xFFu];
  return ~crc;
}

Arg Arg::f32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  return {KILN_PLAN_ARG_F32, bits, 0};
}

uint32_t PlanWriter::addInput(TensorSpec tensor) {
  inputs_.push_back(std::move(tensor));
  return static_cast<uint32_t>(inputs_.size() - 1);
}

uint32_t PlanWriter::addOutput(TensorSpec tensor) {
  outputs_.push_back(std::move(tensor));
  return static_cast<uint32_t>(outputs_.size() - 1);
}

uint32_t PlanWriter::addKernel(KernelSpec kernel) {
  kernels_.push_back(std::move(kernel));
  return static_cast<uint32_t>(kernels_.size() - 1);
}

uint32_t PlanWriter::addLaunch(LaunchSpec launch) {
  launches_.push_back(std::move(launch));
  return static_cast<uint32_t>(launches_.size() - 1);
}

uint64_t PlanWriter::addWeights(const void* data, size_t size, uint64_t alignment) {
  if (!isPowerOfTwo(alignment) || alignment > KILN_PLAN_WEIGHTS_ALIGNMENT) {
    if (deferredError_.empty())
      deferredError_ = format("weight alignment %llu is not a power of two <= %u", (unsigned long long)alignment,
                              KILN_PLAN_WEIGHTS_ALIGNMENT);
    alignment = KILN_PLAN_WEIGHTS_ALIGNMENT;
  }
  weights_.resize(alignUp(weights_.size(), alignment), 0);
  const uint64_t offset = weights_.size();
  if (size) {
    const auto* p = static_cast<const uint8_t*>(data);
    weights_.insert(weights_.end(), p, p + size);
  }
  return offset;
}

bool PlanWriter::validateTensor(const TensorSpec& t, const char* role, std::string& error) const {
  const uint32_t element = kiln_plan_dtype_size(t.dtype);
  uint64_t bytes = 0;
  if (t.name.empty()) error = format("%s has an empty name", role);
  else if (t.name.find('\0') != std::string::npos) error = format("%s name contains a NUL byte", role);
  else if (element == 0) error = format("%s '%s' has unknown dtype %u", role, t.name.c_str(), t.dtype);
  else if (t.dims.size() > KILN_PLAN_MAX_RANK)
    error = format("%s '%s' has rank %zu (at most %u)", role, t.name.c_str(), t.dims.size(), KILN_PLAN_MAX_RANK);
  else if (!tensorBytes(t, bytes)) error = format("%s '%s' has a negative or overflowing shape", role, t.name.c_str());
  else if (t.arenaOffset > arenaSize_ || bytes > arenaSize_ - t.arenaOffset)
    error = format("%s '%s' (offset %llu, %llu bytes) does not fit the %llu-byte arena", role, t.name.c_str(),
                   (unsigned long long)t.arenaOffset, (unsigned long long)bytes, (unsigned long long)arenaSize_);
  else if (t.arenaOffset % element != 0)
    error = format("%s '%s' arena offset %llu is not a multiple of its element size %u", role, t.name.c_str(),
                   (unsigned long long)t.arenaOffset, element);
  return error.empty();
}

bool PlanWriter::validate(std::string& error) const {
  error.clear();
  if (!deferredError_.empty()) {
    error = deferredError_;
    return false;
  }
  if (targetSm_ == 0) error = "target SM is 0";
  else if (producer_.size() >= KILN_PLAN_PRODUCER_SIZE)
    error = format("producer string is longer than %u bytes", KILN_PLAN_PRODUCER_SIZE - 1);
  else if (!isPowerOfTwo(arenaAlignment_) || arenaAlignment_ > 4096)
    error = format("arena alignment %u is not a power of two <= 4096", arenaAlignment_);
  if (!error.empty()) return false;

  for (const char* role : {"input", "output"}) {
    const auto& group = role[0] == 'i' ? inputs_ : outputs_;
    std::unordered_set<std::string> names;
    for (const TensorSpec& t : group) {
      if (!validateTensor(t, role, error)) return false;
      if (!names.insert(t.name).second) {
        error = format("two %ss named '%s'", role, t.name.c_str());
        return false;
      }
    }
  }
  for (size_t i = 0; i < kernels_.size(); ++i) {
    const KernelSpec& k = kernels_[i];
    if (k.name.empty() || k.name.find('\0') != std::string::npos)
      error = format("kernel %zu has an empty or invalid name", i);
    else if (k.ptx.empty()) error = format("kernel '%s' has no PTX", k.name.c_str());
    else if (k.ptx.find('\0') != std::string::npos) error = format("kernel '%s' PTX contains a NUL byte", k.name.c_str());
    else if (!k.cubin.empty() && k.cubinArch == 0)
      error = format("kernel '%s' has a cubin but no cubin architecture", k.name.c_str());
    else if (k.cubin.empty() && k.cubinArch != 0)
      error = format("kernel '%s' names cubin architecture %u but has no cubin", k.name.c_str(), k.cubinArch);
    for (size_t p = 0; p < k.params.size() && error.empty(); ++p)
      if (k.params[p] < KILN_PLAN_PARAM_POINTER || k.params[p] > KILN_PLAN_PARAM_F32)
        error = format("kernel '%s' parameter %zu has unknown kind %u", k.name.c_str(), p, k.params[p]);
    if (!error.empty()) return false;
  }
  uint64_t argCount = 0;
  for (size_t i = 0; i < launches_.size(); ++i) {
    const LaunchSpec& l = launches_[i];
    const uint64_t threads = uint64_t(l.block[0]) * l.block[1] * l.block[2];
    if (l.kernel >= kernels_.size()) {
      error = format("launch %zu uses kernel %u but there are %zu kernels", i, l.kernel, kernels_.size());
      return false;
    }
    if (!l.grid[0] || !l.grid[1] || !l.grid[2] || !threads || threads > 1024 || l.block[2] > 64 ||
        l.grid[0] > 0x7FFFFFFFu || l.grid[1] > 65535u || l.grid[2] > 65535u) {
      error = format("launch %zu ('%s') has an invalid grid (%u,%u,%u) or block (%u,%u,%u)", i,
                     kernels_[l.kernel].name.c_str(), l.grid[0], l.grid[1], l.grid[2], l.block[0], l.block[1],
                     l.block[2]);
      return false;
    }
    const std::vector<uint32_t>& params = kernels_[l.kernel].params;
    if (l.args.size() != params.size()) {
      error = format("launch %zu passes %zu arguments to kernel '%s', which has %zu parameters", i, l.args.size(),
                     kernels_[l.kernel].name.c_str(), params.size());
      return false;
    }
    for (size_t a = 0; a < l.args.size(); ++a) {
      const Arg& arg = l.args[a];
      const char* kernel = kernels_[l.kernel].name.c_str();
      const bool pointer = arg.kind == KILN_PLAN_ARG_ARENA_PTR || arg.kind == KILN_PLAN_ARG_WEIGHT_PTR;
      const bool matches = params[a] == KILN_PLAN_PARAM_POINTER ? pointer
                           : params[a] == KILN_PLAN_PARAM_I32   ? arg.kind == KILN_PLAN_ARG_I32
                           : params[a] == KILN_PLAN_PARAM_I64   ? arg.kind == KILN_PLAN_ARG_I64
                                                                : arg.kind == KILN_PLAN_ARG_F32;
      if (!matches)
        error = format("launch %zu ('%s') argument %zu (kind %u) does not match its parameter (kind %u)", i, kernel,
                       a, arg.kind, params[a]);
      else if (arg.kind == KILN_PLAN_ARG_ARENA_PTR &&
               (arg.value >= arenaSize_ || arg.size > arenaSize_ - arg.value))
        error = format("launch %zu ('%s') argument %zu names arena bytes [%llu, +%llu), outside the %llu-byte arena",
                       i, kernel, a, (unsigned long long)arg.value, (unsigned long long)arg.size,
                       (unsigned long long)arenaSize_);
      else if (arg.kind == KILN_PLAN_ARG_WEIGHT_PTR &&
               (arg.value >= weights_.size() || arg.size > weights_.size() - arg.value))
        error = format("launch %zu ('%s') argument %zu names weight bytes [%llu, +%llu), outside the %zu bytes of "
                       "weights",
                       i, kernel, a, (unsigned long long)arg.value, (unsigned long long)arg.size, weights_.size());
      else if (!pointer && arg.size != 0)
        error = format("launch %zu ('%s') argument %zu is a scalar with a byte size", i, kernel, a);
      else if ((arg.kind == KILN_PLAN_ARG_I32 || arg.kind == KILN_PLAN_ARG_F32) && (arg.value >> 32))
        error = format("launch %zu ('%s') argument %zu is a 32-bit scalar with high bits set", i, kernel, a);
      else if (arg.kind < KILN_PLAN_ARG_ARENA_PTR || arg.kind > KILN_PLAN_ARG_F32)
        error = format("launch %zu ('%s') argument %zu has unknown kind %u", i, kernel, a, arg.kind);
      if (!error.empty()) return false;
    }
    argCount += l.args.size();
  }
  if (argCount > UINT32_MAX || inputs_.size() + outputs_.size() > UINT32_MAX) {
    error = "plan has more than 2^32 arguments or tensors";
    return false;
  }
  return true;
}

bool PlanWriter::serialize(std::vector<uint8_t>& out, std::string& error) const {
  out.clear();
  if (!validate(error)) return false;

  StringTable strings;
  std::vector<kiln_plan_tensor_t> tensors;
  for (const char* role : {"input", "output"}) {
    const bool input = role[0] == 'i';
    for (const TensorSpec& t : input ? inputs_ : outputs_) {
      kiln_plan_tensor_t e;
      std::memset(&e, 0, sizeof(e));
      e.name = strings.add(t.name);
      e.role = input ? KILN_PLAN_TENSOR_INPUT : KILN_PLAN_TENSOR_OUTPUT;
      e.dtype = t.dtype;
      e.rank = static_cast<uint32_t>(t.dims.size());
      for (size_t d = 0; d < t.dims.size(); ++d) e.dims[d] = t.dims[d];
      tensorBytes(t, e.byte_size);
      e.arena_offset = t.arenaOffset;
      tensors.push_back(e);
    }
  }

  CodeBlob code;
  std::vector<kiln_plan_kernel_t> kernels;
  std::vector<uint32_t> params;
  for (const KernelSpec& k : kernels_) {
    kiln_plan_kernel_t e;
    std::memset(&e, 0, sizeof(e));
    e.name = strings.add(k.name);
    e.param_first = static_cast<uint32_t>(params.size());
    e.param_count = static_cast<uint32_t>(k.params.size());
    params.insert(params.end(), k.params.begin(), k.params.end());
    e.ptx_offset = code.add(k.ptx.data(), k.ptx.size(), true);
    e.ptx_size = k.ptx.size() + 1;
    if (!k.cubin.empty()) {
      e.cubin_arch = k.cubinArch;
      e.cubin_offset = code.add(k.cubin.data(), k.cubin.size(), false);
      e.cubin_size = k.cubin.size();
    }
    kernels.push_back(e);
  }

  std::vector<kiln_plan_launch_t> launches;
  std::vector<kiln_plan_arg_t> args;
  std::vector<kiln_plan_debug_launch_t> debugLaunches;
  std::vector<uint32_t> debugNames;
  for (const LaunchSpec& l : launches_) {
    kiln_plan_launch_t e;
    std::memset(&e, 0, sizeof(e));
    e.kernel = l.kernel;
    for (int d = 0; d < 3; ++d) {
      e.grid[d] = l.grid[d];
      e.block[d] = l.block[d];
    }
    e.shared_mem_bytes = l.sharedMemBytes;
    e.arg_first = static_cast<uint32_t>(args.size());
    e.arg_count = static_cast<uint32_t>(l.args.size());
    for (const Arg& a : l.args) args.push_back({a.kind, 0, a.value, a.size});
    launches.push_back(e);
    debugLaunches.push_back({static_cast<uint32_t>(debugNames.size()), static_cast<uint32_t>(l.nodeNames.size())});
    for (const std::string& node : l.nodeNames) debugNames.push_back(strings.add(node));
  }

  const std::vector<SectionData> sections = {
      {KILN_PLAN_SECTION_STRINGS, strings.bytes().data(), strings.bytes().size(), 0, 0},
      table(KILN_PLAN_SECTION_TENSORS, tensors),
      table(KILN_PLAN_SECTION_KERNELS, kernels),
      table(KILN_PLAN_SECTION_LAUNCHES, launches),
      table(KILN_PLAN_SECTION_ARGS, args),
      table(KILN_PLAN_SECTION_DEBUG_LAUNCHES, debugLaunches),
      table(KILN_PLAN_SECTION_DEBUG_NAMES, debugNames),
      table(KILN_PLAN_SECTION_PARAMS, params),
      {KILN_PLAN_SECTION_CODE, code.bytes().data(), code.bytes().size(), 0, 0},
      {KILN_PLAN_SECTION_WEIGHTS, weights_.data(), weights_.size(), 0, 0},
  };

  kiln_plan_header_t header;
  std::memset(&header, 0, sizeof(header));
  std::memcpy(header.magic, KILN_PLAN_MAGIC, KILN_PLAN_MAGIC_SIZE);
  header.version_major = KILN_PLAN_VERSION_MAJOR;
  header.version_minor = KILN_PLAN_VERSION_MINOR;
  header.header_size = sizeof(kiln_plan_header_t);
  header.section_table_offset = sizeof(kiln_plan_header_t);
  header.section_count = static_cast<uint32_t>(sections.size());
  header.section_entry_size = sizeof(kiln_plan_section_t);
  header.target_sm = targetSm_;
  header.arena_size = arenaSize_;
  header.arena_alignment = arenaAlignment_;
  header.unplanned_arena_size = unplannedArenaSize_;
  std::memcpy(header.producer, producer_.data(), producer_.size());

  // Empty sections still get an in-file, aligned offset, so the file is padded to it.
  std::vector<kiln_plan_section_t> entries;
  uint64_t offset = header.section_table_offset + sections.size() * sizeof(kiln_plan_section_t);
  for (const SectionData& s : sections) {
    const uint64_t alignment =
        s.kind == KILN_PLAN_SECTION_WEIGHTS ? KILN_PLAN_WEIGHTS_ALIGNMENT : KILN_PLAN_SECTION_ALIGNMENT;
    offset = alignUp(offset, alignment);
    kiln_plan_section_t e;
    std::memset(&e, 0, sizeof(e));
    e.kind = s.kind;
    e.offset = offset;
    e.size = s.size;
    e.count = s.count;
    e.entry_size = s.entrySize;
    entries.push_back(e);
    offset += s.size;
  }
  header.file_size = offset;

  out.assign(offset, 0);
  std::memcpy(out.data(), &header, sizeof(header));
  std::memcpy(out.data() + header.section_table_offset, entries.data(), entries.size() * sizeof(kiln_plan_section_t));
  for (size_t i = 0; i < sections.size(); ++i)
    if (sections[i].size) std::memcpy(out.data() + entries[i].offset, sections[i].data, sections[i].size);
  if (!resealPlan(out)) {
    error = "internal error: the serialized plan could not be sealed";
    out.clear();
    return false;
  }
  return true;
}

bool PlanWriter::writeFile(const std::string& path, std::string& error) const {
  std::vector<uint8_t> bytes;
  if (!serialize(bytes, error)) return false;
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) {
    error = format("cannot create '%s': %s", path.c_str(), std::strerror(errno));
    return false;
  }
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  const bool closed = std::fclose(file) == 0;
  if (!ok || !closed) {
    error = format("cannot write '%s': %s", path.c_str(), std::strerror(errno));
    return false;
  }
  return true;
}

bool resealPlan(std::vector<uint8_t>& bytes) {
  kiln_plan_header_t h;
  if (bytes.size() < sizeof(h)) return false;
  std::memcpy(&h, bytes.data(), sizeof(h));
  const uint64_t size = bytes.size();
  if (h.header_size < sizeof(h) || h.header_size > size) return false;
  // A section table that cannot be located keeps its old checksums; the header is
  // still sealed, so the reader reports the real problem rather than a checksum.
  const uint64_t tableSize = uint64_t(h.section_count) * h.section_entry_size;
  if (h.section_entry_size >= sizeof(kiln_plan_section_t) && h.section_table_offset <= size &&
      tableSize <= size - h.section_table_offset) {
    uint8_t* table = bytes.data() + h.section_table_offset;
    for (uint32_t i = 0; i < h.section_count; ++i) {
      kiln_plan_section_t s;
      std::memcpy(&s, table + uint64_t(i) * h.section_entry_size, sizeof(s));
      if (s.offset > size || s.size > size - s.offset) continue;  // cannot be checksummed; the reader rejects it
      s.crc32c = crc32c(0, bytes.data() + s.offset, s.size);
      std::memcpy(table + uint64_t(i) * h.section_entry_size, &s, sizeof(s));
    }
    h.section_table_crc32c = crc32c(0, table, tableSize);
    std::memcpy(bytes.data() + offsetof(kiln_plan_header_t, section_table_crc32c), &h.section_table_crc32c, 4);
  }
  const uint32_t zero = 0;
  std::memcpy(bytes.data() + offsetof(kiln_plan_header_t, header_crc32c), &zero, 4);
  const uint32_t headerCrc = crc32c(0, bytes.data(), h.header_size);
  std::memcpy(bytes.data() + offsetof(kiln_plan_header_t, header_crc32c), &headerCrc, 4);
  return true;
}

}  // namespace kiln::plan

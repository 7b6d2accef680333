// Parses and verifies .kiln plans for `kiln inspect` (the C runtime has its own reader; this one keeps every table).
#include "PlanFile.h"

#include "codegen/Plan/PlanWriter.h"

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace kiln::cli {
namespace {

const char *sectionName(uint32_t kind) {
  static const char *kNames[] = {"?",    "STRINGS", "TENSORS",        "KERNELS",    "LAUNCHES",
                                 "ARGS", "CODE",    "WEIGHTS",        "DEBUG_LAUNCHES", "DEBUG_NAMES"};
  return kind <= KILN_PLAN_SECTION_KIND_MAX ? kNames[kind] : "unknown";
}

bool fits(uint64_t offset, uint64_t size, uint64_t total) {
  return offset <= total && size <= total - offset;
}

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

template <typename T>
bool readTable(const std::vector<uint8_t> &bytes, const kiln_plan_section_t &s, std::vector<T> &out,
               std::string &error) {
  if (s.entry_size < sizeof(T)) {
    error = std::string("section ") + sectionName(s.kind) + " entry size " +
            std::to_string(s.entry_size) + " is smaller than " + std::to_string(sizeof(T));
    return false;
  }
  if (uint64_t(s.count) * s.entry_size != s.size) {
    error = std::string("section ") + sectionName(s.kind) + " holds " + std::to_string(s.size) +
            " bytes, not " + std::to_string(s.count) + " entries of " + std::to_string(s.entry_size);
    return false;
  }
  out.resize(s.count);
  for (uint32_t i = 0; i < s.count; ++i)
    std::memcpy(&out[i], bytes.data() + s.offset + uint64_t(i) * s.entry_size, sizeof(T));
  return true;
}

} // namespace

std::string PlanFile::str(uint32_t ref) const {
  if (ref >= strings.size())
    return "";
  return std::string(strings.c_str() + ref);
}

std::vector<std::string> PlanFile::nodesOf(size_t index) const {
  std::vector<std::string> names;
  if (index >= debugLaunches.size())
    return names;
  const kiln_plan_debug_launch_t &d = debugLaunches[index];
  for (uint32_t i = 0; i < d.name_count; ++i)
    names.push_back(str(debugNames[d.name_first + i]));
  return names;
}

bool PlanFile::parse(const std::vector<uint8_t> &bytes, PlanFile &out, std::string &error) {
  out = PlanFile();
  const uint64_t size = bytes.size();
  if (size < KILN_PLAN_MAGIC_SIZE || std::memcmp(bytes.data(), KILN_PLAN_MAGIC, KILN_PLAN_MAGIC_SIZE) != 0) {
    error = "not a kiln plan (bad magic)";
    return false;
  }
  if (size < 16) {
    error = "truncated: " + std::to_string(size) + " bytes";
    return false;
  }
  uint32_t major, minor;
  std::memcpy(&major, bytes.data() + 8, 4);
  std::memcpy(&minor, bytes.data() + 12, 4);
  if (major != KILN_PLAN_VERSION_MAJOR) {
    error = "unsupported plan format version " + std::to_string(major) + "." + std::to_string(minor) +
            " (this kiln reads " + std::to_string(KILN_PLAN_VERSION_MAJOR) + ".x)";
    return false;
  }
  if (size < sizeof(kiln_plan_header_t)) {
    error = "truncated: " + std::to_string(size) + " bytes is shorter than the header";
    return false;
  }
  kiln_plan_header_t &h = out.header;
  std::memcpy(&h, bytes.data(), sizeof(h));
  if (h.header_size < sizeof(h) || h.header_size > size) {
    error = "header size " + std::to_string(h.header_size) + " is out of range";
    return false;
  }
  if (h.file_size != size) {
    error = h.file_size > size ? "truncated: header says " + std::to_string(h.file_size) +
                                     " bytes but the file has " + std::to_string(size)
                               : std::to_string(size - h.file_size) + " unexpected trailing bytes";
    return false;
  }
  const size_t crcAt = offsetof(kiln_plan_header_t, header_crc32c);
  const uint8_t zero[4] = {0, 0, 0, 0};
  uint32_t crc = plan::crc32c(0, bytes.data(), crcAt);
  crc = plan::crc32c(crc, zero, 4);
  crc = plan::crc32c(crc, bytes.data() + crcAt + 4, h.header_size - crcAt - 4);
  if (crc != h.header_crc32c) {
    error = "header checksum mismatch (stored " + hex(h.header_crc32c) + ", computed " + hex(crc) +
            "): the file is corrupt";
    return false;
  }
  if (std::memchr(h.producer, 0, sizeof(h.producer)) == nullptr) {
    error = "producer string is not NUL-terminated";
    return false;
  }
  if (h.section_entry_size < sizeof(kiln_plan_section_t)) {
    error = "section entry size " + std::to_string(h.section_entry_size) + " is too small";
    return false;
  }
  const uint64_t tableSize = uint64_t(h.section_count) * h.section_entry_size;
  if (!fits(h.section_table_offset, tableSize, size)) {
    error = "the section table lies outside the file";
    return false;
  }
  crc = plan::crc32c(0, bytes.data() + h.section_table_offset, tableSize);
  if (crc != h.section_table_crc32c) {
    error = "section table checksum mismatch (stored " + hex(h.section_table_crc32c) + ", computed " +
            hex(crc) + "): the file is corrupt";
    return false;
  }
  const kiln_plan_section_t *byKind[KILN_PLAN_SECTION_KIND_MAX + 1] = {};
  out.sections.resize(h.section_count);
  for (uint32_t i = 0; i < h.section_count; ++i) {
    kiln_plan_section_t &s = out.sections[i];
    std::memcpy(&s, bytes.data() + h.section_table_offset + uint64_t(i) * h.section_entry_size,
                sizeof(s));
    if (!fits(s.offset, s.size, size)) {
      error = std::string("section ") + sectionName(s.kind) + " lies outside the file";
      return false;
    }
    crc = plan::crc32c(0, bytes.data() + s.offset, s.size);
    if (crc != s.crc32c) {
      error = std::string("section ") + sectionName(s.kind) + " checksum mismatch (stored " +
              hex(s.crc32c) + ", computed " + hex(crc) + "): the file is corrupt";
      return false;
    }
    if (s.kind >= 1 && s.kind <= KILN_PLAN_SECTION_KIND_MAX) {
      if (byKind[s.kind]) {
        error = std::string("section ") + sectionName(s.kind) + " appears twice";
        return false;
      }
      byKind[s.kind] = &s;
    }
  }
  for (uint32_t kind = KILN_PLAN_SECTION_STRINGS; kind <= KILN_PLAN_SECTION_WEIGHTS; ++kind) {
    if (!byKind[kind]) {
      error = std::string("required section ") + sectionName(kind) + " is missing";
      return false;
    }
  }
  const kiln_plan_section_t &strings = *byKind[KILN_PLAN_SECTION_STRINGS];
  out.strings.assign(reinterpret_cast<const char *>(bytes.data() + strings.offset), strings.size);
  if (!out.strings.empty() && out.strings.back() != '\0') {
    error = "the STRINGS section does not end with a NUL";
    return false;
  }
  if (!readTable(bytes, *byKind[KILN_PLAN_SECTION_TENSORS], out.tensors, error) ||
      !readTable(bytes, *byKind[KILN_PLAN_SECTION_KERNELS], out.kernels, error) ||
      !readTable(bytes, *byKind[KILN_PLAN_SECTION_LAUNCHES], out.launches, error) ||
      !readTable(bytes, *byKind[KILN_PLAN_SECTION_ARGS], out.args, error))
    return false;
  out.codeSize = byKind[KILN_PLAN_SECTION_CODE]->size;
  out.weightsSize = byKind[KILN_PLAN_SECTION_WEIGHTS]->size;
  if (byKind[KILN_PLAN_SECTION_DEBUG_LAUNCHES] || byKind[KILN_PLAN_SECTION_DEBUG_NAMES]) {
    if (!byKind[KILN_PLAN_SECTION_DEBUG_LAUNCHES] || !byKind[KILN_PLAN_SECTION_DEBUG_NAMES]) {
      error = "DEBUG_LAUNCHES and DEBUG_NAMES must come together";
      return false;
    }
    if (!readTable(bytes, *byKind[KILN_PLAN_SECTION_DEBUG_LAUNCHES], out.debugLaunches, error) ||
        !readTable(bytes, *byKind[KILN_PLAN_SECTION_DEBUG_NAMES], out.debugNames, error))
      return false;
    if (out.debugLaunches.size() != out.launches.size()) {
      error = "DEBUG_LAUNCHES has " + std::to_string(out.debugLaunches.size()) + " entries for " +
              std::to_string(out.launches.size()) + " launches";
      return false;
    }
    for (const kiln_plan_debug_launch_t &d : out.debugLaunches)
      if (!fits(d.name_first, d.name_count, out.debugNames.size())) {
        error = "a debug launch refers past the DEBUG_NAMES table";
        return false;
      }
    for (uint32_t ref : out.debugNames)
      if (ref >= out.strings.size()) {
        error = "a debug name refers past the STRINGS section";
        return false;
      }
  }

  // Cross-references, so the printer can index without checks.
  for (const kiln_plan_tensor_t &t : out.tensors)
    if (t.name >= out.strings.size() || t.rank > KILN_PLAN_MAX_RANK) {
      error = "a tensor has a bad name reference or rank";
      return false;
    }
  for (const kiln_plan_kernel_t &k : out.kernels)
    if (k.name >= out.strings.size() || !fits(k.ptx_offset, k.ptx_size, out.codeSize) ||
        !fits(k.cubin_offset, k.cubin_size, out.codeSize)) {
      error = "a kernel has a bad name reference or code range";
      return false;
    }
  for (size_t i = 0; i < out.launches.size(); ++i) {
    const kiln_plan_launch_t &l = out.launches[i];
    if (l.kernel >= out.kernels.size() || !fits(l.arg_first, l.arg_count, out.args.size())) {
      error = "launch " + std::to_string(i) + " refers to a missing kernel or arguments";
      return false;
    }
  }
  return true;
}

bool PlanFile::load(const std::string &path, PlanFile &out, std::vector<uint8_t> &bytes,
                    std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = "cannot read '" + path + "'";
    return false;
  }
  return parse(bytes, out, error);
}

} // namespace kiln::cli

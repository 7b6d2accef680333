/* Plan validation: every offset, size, index and checksum is checked before the session uses any of it. */
#include "kiln/plan_reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "ptx_entry.h"

/* More sections than this cannot come from a real writer and would only make the
 * overlap check quadratic in attacker-controlled input. */
#define MAX_SECTIONS 256u
#define MAX_ARENA_ALIGNMENT 4096u

static const char* const kSectionNames[KILN_PLAN_SECTION_KIND_MAX + 1] = {
    "?", "STRINGS", "TENSORS", "KERNELS", "LAUNCHES", "ARGS", "CODE", "WEIGHTS",
    "DEBUG_LAUNCHES", "DEBUG_NAMES", "PARAMS"};

static kiln_status_t fail(char* err, size_t err_size, kiln_status_t status, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  if (err && err_size) vsnprintf(err, err_size, fmt, args);
  va_end(args);
  return status;
}

#define INVALID(...) fail(err, err_size, KILN_STATUS_INVALID_PLAN, __VA_ARGS__)

static int is_power_of_two(uint64_t v) { return v && !(v & (v - 1)); }

/* a + b <= limit without overflowing. */
static int fits(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

typedef struct section_ref {
  int present;
  kiln_plan_section_t copy;
} section_ref_t;

static kiln_status_t check_header(const uint8_t* bytes, size_t size, kiln_plan_header_t* h,
                                  char* err, size_t err_size) {
  if (size < KILN_PLAN_MAGIC_SIZE)
    return INVALID("truncated: %zu bytes is too short for a kiln plan", size);
  if (memcmp(bytes, KILN_PLAN_MAGIC, KILN_PLAN_MAGIC_SIZE) != 0)
    return INVALID("not a kiln plan (bad magic; expected \"%s\")", KILN_PLAN_MAGIC);
  if (size < 16) return INVALID("truncated: %zu bytes is too short for a kiln plan header", size);
  uint32_t major, minor;
  memcpy(&major, bytes + 8, 4);
  memcpy(&minor, bytes + 12, 4);
  if (major != KILN_PLAN_VERSION_MAJOR)
    return fail(err, err_size, KILN_STATUS_UNSUPPORTED_VERSION,
                "unsupported plan format version %u.%u: this runtime reads version %u.x; "
                "recompile the model with a matching kiln",
                major, minor, KILN_PLAN_VERSION_MAJOR);
  if (size < sizeof(*h))
    return INVALID("truncated: %zu bytes is shorter than the %zu-byte header", size, sizeof(*h));
  memcpy(h, bytes, sizeof(*h));
  if (h->header_size < sizeof(*h) || h->header_size > size)
    return INVALID("header size %u is out of range (file has %zu bytes)", h->header_size, size);
  if (h->file_size > size)
    return INVALID("truncated: header says %llu bytes but only %zu are present",
                   (unsigned long long)h->file_size, size);
  if (h->file_size < size)
    return INVALID("%llu unexpected trailing bytes after the declared end of the plan",
                   (unsigned long long)(size - h->file_size));

  static const uint8_t kZero[4] = {0, 0, 0, 0};
  const size_t crc_at = offsetof(kiln_plan_header_t, header_crc32c);
  uint32_t crc = kiln_crc32c(0, bytes, crc_at);
  crc = kiln_crc32c(crc, kZero, 4);
  crc = kiln_crc32c(crc, bytes + crc_at + 4, h->header_size - crc_at - 4);
  if (crc != h->header_crc32c)
    return fail(err, err_size, KILN_STATUS_CHECKSUM_MISMATCH,
                "header checksum mismatch (stored 0x%08x, computed 0x%08x): the file is corrupt",
                h->header_crc32c, crc);

  if (memchr(h->producer, 0, sizeof(h->producer)) == NULL)
    return INVALID("producer string is not NUL-terminated");
  if (h->target_sm == 0) return INVALID("target SM is 0");
  static const uint8_t kZeros[sizeof(h->reserved)] = {0};
  if (h->flags != 0 || memcmp(h->reserved, kZeros, sizeof(kZeros)) != 0)
    return INVALID("reserved header fields are not 0");
  if (!is_power_of_two(h->arena_alignment) || h->arena_alignment > MAX_ARENA_ALIGNMENT)
    return INVALID("arena alignment %u is not a power of two <= %u", h->arena_alignment,
                   MAX_ARENA_ALIGNMENT);
  return KILN_STATUS_OK;
}

static kiln_status_t check_padding(const uint8_t* bytes, const kiln_plan_header_t* h, char* err, size_t err_size);

static kiln_status_t check_sections(const uint8_t* bytes, const kiln_plan_header_t* h,
                                    section_ref_t found[KILN_PLAN_SECTION_KIND_MAX + 1], char* err,
                                    size_t err_size) {
  const uint64_t size = h->file_size;
  if (h->section_entry_size < sizeof(kiln_plan_section_t))
    return INVALID("section entry size %u is smaller than %zu", h->section_entry_size,
                   sizeof(kiln_plan_section_t));
  if (h->section_count > MAX_SECTIONS)
    return INVALID("%u sections is more than the %u a plan may have", h->section_count, MAX_SECTIONS);
  const uint64_t table_size = (uint64_t)h->section_count * h->section_entry_size;
  if (h->section_table_offset < h->header_size || h->section_table_offset % 8 != 0 ||
      !fits(h->section_table_offset, table_size, size))
    return INVALID("section table (offset %llu, %llu bytes) lies outside the file",
                   (unsigned long long)h->section_table_offset, (unsigned long long)table_size);
  const uint8_t* table = bytes + h->section_table_offset;
  const uint32_t table_crc = kiln_crc32c(0, table, (size_t)table_size);
  if (table_crc != h->section_table_crc32c)
    return fail(err, err_size, KILN_STATUS_CHECKSUM_MISMATCH,
                "section table checksum mismatch (stored 0x%08x, computed 0x%08x): the file is corrupt",
                h->section_table_crc32c, table_crc);

  const uint64_t reserved_end = h->section_table_offset + table_size;
  for (uint32_t i = 0; i < h->section_count; ++i) {
    kiln_plan_section_t s;
    memcpy(&s, table + (uint64_t)i * h->section_entry_size, sizeof(s));
    const int known = s.kind >= 1 && s.kind <= KILN_PLAN_SECTION_KIND_MAX;
    const char* name = known ? kSectionNames[s.kind] : "unknown";
    const uint64_t alignment =
        s.kind == KILN_PLAN_SECTION_WEIGHTS ? KILN_PLAN_WEIGHTS_ALIGNMENT : KILN_PLAN_SECTION_ALIGNMENT;
    if (!fits(s.offset, s.size, size))
      return INVALID("section %u (%s, kind %u) at offset %llu with %llu bytes lies outside the "
                     "%llu-byte file",
                     i, name, s.kind, (unsigned long long)s.offset, (unsigned long long)s.size,
                     (unsigned long long)size);
    if (s.offset % alignment != 0)
      return INVALID("section %u (%s) offset %llu is not a multiple of %llu", i, name,
                     (unsigned long long)s.offset, (unsigned long long)alignment);
    if (s.size != 0 && s.offset < reserved_end)
      return INVALID("section %u (%s) overlaps the header or the section table", i, name);
    const uint32_t crc = kiln_crc32c(0, bytes + s.offset, (size_t)s.size);
    if (crc != s.crc32c)
      return fail(err, err_size, KILN_STATUS_CHECKSUM_MISMATCH,
                  "section %s checksum mismatch (stored 0x%08x, computed 0x%08x): the file is corrupt",
                  name, s.crc32c, crc);
    if (known) {
      if (found[s.kind].present) return INVALID("section %s appears twice", name);
      found[s.kind].present = 1;
      found[s.kind].copy = s;
    }
    /* Overlapping sections would let one checksum vouch for bytes another reads. */
    for (uint32_t j = 0; j < i && s.size; ++j) {
      kiln_plan_section_t o;
      memcpy(&o, table + (uint64_t)j * h->section_entry_size, sizeof(o));
      if (o.size && s.offset < o.offset + o.size && o.offset < s.offset + s.size)
        return INVALID("sections %u and %u overlap", j, i);
    }
  }
  return check_padding(bytes, h, err, err_size);
}

/* Bytes outside the header, the section table and every section are alignment
 * padding that no checksum covers; requiring zeros there means no byte of the file
 * can change unnoticed. Sections do not overlap (checked above). */
static kiln_status_t check_padding(const uint8_t* bytes, const kiln_plan_header_t* h, char* err, size_t err_size) {
  typedef struct region {
    uint64_t offset, size;
  } region_t;
  region_t regions[MAX_SECTIONS + 1];
  uint32_t count = 0;
  regions[count].offset = h->section_table_offset;
  regions[count++].size = (uint64_t)h->section_count * h->section_entry_size;
  for (uint32_t i = 0; i < h->section_count; ++i) {
    kiln_plan_section_t s;
    memcpy(&s, bytes + h->section_table_offset + (uint64_t)i * h->section_entry_size, sizeof(s));
    if (s.size == 0) continue;
    /* Insertion sort: at most MAX_SECTIONS entries, usually nine. */
    uint32_t at = count++;
    while (at > 0 && regions[at - 1].offset > s.offset) {
      regions[at] = regions[at - 1];
      --at;
    }
    regions[at].offset = s.offset;
    regions[at].size = s.size;
  }
  uint64_t position = h->header_size;
  for (uint32_t i = 0; i <= count; ++i) {
    const uint64_t end = i < count ? regions[i].offset : h->file_size;
    for (uint64_t p = position; p < end; ++p)
      if (bytes[p] != 0)
        return INVALID("nonzero byte at offset %llu outside every section: the file is corrupt",
                       (unsigned long long)p);
    if (i < count && regions[i].offset + regions[i].size > position) position = regions[i].offset + regions[i].size;
  }
  return KILN_STATUS_OK;
}

/* Plans from format 1.2 on record each kernel's parameters. */
static int has_params(const kiln_plan_header_t* h) { return h->version_minor >= 2; }

static kiln_status_t check_required(const kiln_plan_header_t* h,
                                    const section_ref_t found[KILN_PLAN_SECTION_KIND_MAX + 1], char* err,
                                    size_t err_size) {
  for (uint32_t kind = KILN_PLAN_SECTION_STRINGS; kind <= KILN_PLAN_SECTION_WEIGHTS; ++kind)
    if (!found[kind].present) return INVALID("required section %s is missing", kSectionNames[kind]);
  if (has_params(h) && !found[KILN_PLAN_SECTION_PARAMS].present)
    return INVALID("required section PARAMS is missing (format %u.%u)", h->version_major, h->version_minor);
  if (found[KILN_PLAN_SECTION_DEBUG_LAUNCHES].present != found[KILN_PLAN_SECTION_DEBUG_NAMES].present)
    return INVALID("sections DEBUG_LAUNCHES and DEBUG_NAMES must come together");
  return KILN_STATUS_OK;
}

/* Copies a table's entries into an owned array of `entry_size`-byte structs, keeping
 * the prefix a newer writer's larger entries share with ours; entries of an older
 * writer may be as small as `min_entry_size`, the fields they lack reading as 0. */
static kiln_status_t read_table(const uint8_t* bytes, const section_ref_t* ref, uint32_t kind,
                                size_t min_entry_size, size_t entry_size, void** out, uint32_t* out_count,
                                char* err, size_t err_size) {
  *out = NULL;
  *out_count = 0;
  if (!ref->present) return KILN_STATUS_OK;
  const kiln_plan_section_t* s = &ref->copy;
  if (s->entry_size < min_entry_size)
    return INVALID("section %s entry size %u is smaller than %zu", kSectionNames[kind], s->entry_size,
                   min_entry_size);
  if ((uint64_t)s->count * s->entry_size != s->size)
    return INVALID("section %s holds %llu bytes, not %u entries of %u bytes", kSectionNames[kind],
                   (unsigned long long)s->size, s->count, s->entry_size);
  if (s->count == 0) return KILN_STATUS_OK;
  uint8_t* table = (uint8_t*)calloc(s->count, entry_size);
  if (!table)
    return fail(err, err_size, KILN_STATUS_OUT_OF_MEMORY, "out of memory reading section %s",
                kSectionNames[kind]);
  const size_t copied = s->entry_size < entry_size ? s->entry_size : entry_size;
  for (uint32_t i = 0; i < s->count; ++i)
    memcpy(table + (size_t)i * entry_size, bytes + s->offset + (uint64_t)i * s->entry_size, copied);
  *out = table;
  *out_count = s->count;
  return KILN_STATUS_OK;
}

static int valid_string(const kiln_plan_view_t* v, uint32_t ref) { return ref < v->strings_size; }

static kiln_status_t check_strings(kiln_plan_view_t* v, char* err, size_t err_size) {
  if (v->strings_size == 0 || v->strings[0] != 0 || v->strings[v->strings_size - 1] != 0)
    return INVALID("string table must start and end with a NUL byte");
  return KILN_STATUS_OK;
}

static kiln_status_t check_tensors(kiln_plan_view_t* v, char* err, size_t err_size) {
  const uint64_t arena = v->header.arena_size;
  for (uint32_t i = 0; i < v->tensor_count; ++i) {
    const kiln_plan_tensor_t* t = &v->tensors[i];
    if (!valid_string(v, t->name) || v->strings[t->name] == 0)
      return INVALID("tensor %u has an invalid or empty name (string ref %u)", i, t->name);
    const char* name = kiln_plan_view_string(v, t->name);
    if (t->role == KILN_PLAN_TENSOR_INPUT) {
      if (v->output_count) return INVALID("tensor %u ('%s'): inputs must precede outputs", i, name);
      ++v->input_count;
    } else if (t->role == KILN_PLAN_TENSOR_OUTPUT) {
      ++v->output_count;
    } else {
      return INVALID("tensor %u ('%s') has unknown role %u", i, name, t->role);
    }
    const uint32_t element = kiln_plan_dtype_size(t->dtype);
    if (element == 0) return INVALID("tensor '%s' has unknown dtype %u", name, t->dtype);
    if (t->rank > KILN_PLAN_MAX_RANK)
      return INVALID("tensor '%s' has rank %u (at most %u)", name, t->rank, KILN_PLAN_MAX_RANK);
    uint64_t bytes = element;
    for (uint32_t d = 0; d < KILN_PLAN_MAX_RANK; ++d) {
      const int64_t dim = t->dims[d];
      if (d >= t->rank) {
        if (dim != 0) return INVALID("tensor '%s' has a nonzero dimension beyond its rank", name);
        continue;
      }
      if (dim < 0) return INVALID("tensor '%s' has negative dimension %lld", name, (long long)dim);
      if (dim != 0 && bytes > UINT64_MAX / (uint64_t)dim)
        return INVALID("tensor '%s' size overflows 64 bits", name);
      bytes *= (uint64_t)dim;
    }
    if (bytes != t->byte_size)
      return INVALID("tensor '%s' byte size %llu does not match its shape (%llu bytes)", name,
                     (unsigned long long)t->byte_size, (unsigned long long)bytes);
    if (!fits(t->arena_offset, t->byte_size, arena))
      return INVALID("tensor '%s' (offset %llu, %llu bytes) lies outside the %llu-byte arena", name,
                     (unsigned long long)t->arena_offset, (unsigned long long)t->byte_size,
                     (unsigned long long)arena);
    if (t->arena_offset % element != 0)
      return INVALID("tensor '%s' arena offset %llu is not a multiple of its element size %u", name,
                     (unsigned long long)t->arena_offset, element);
    /* Names must be unique within a role, or binding by name would be ambiguous. */
    for (uint32_t j = 0; j < i; ++j)
      if (v->tensors[j].role == t->role && strcmp(kiln_plan_view_string(v, v->tensors[j].name), name) == 0)
        return INVALID("two %s named '%s'", t->role == KILN_PLAN_TENSOR_INPUT ? "inputs" : "outputs", name);
  }
  return KILN_STATUS_OK;
}

static kiln_status_t check_kernels(kiln_plan_view_t* v, char* err, size_t err_size) {
  for (uint32_t i = 0; i < v->kernel_count; ++i) {
    const kiln_plan_kernel_t* k = &v->kernels[i];
    if (!valid_string(v, k->name) || v->strings[k->name] == 0)
      return INVALID("kernel %u has an invalid or empty name (string ref %u)", i, k->name);
    const char* name = kiln_plan_view_string(v, k->name);
    if (k->ptx_size < 2 || !fits(k->ptx_offset, k->ptx_size, v->code_size))
      return INVALID("kernel %u ('%s') PTX (offset %llu, %llu bytes) lies outside the %llu-byte "
                     "CODE section",
                     i, name, (unsigned long long)k->ptx_offset, (unsigned long long)k->ptx_size,
                     (unsigned long long)v->code_size);
    if (v->code[k->ptx_offset + k->ptx_size - 1] != 0)
      return INVALID("kernel %u ('%s') PTX is not NUL-terminated", i, name);
    if (k->cubin_size == 0) {
      if (k->cubin_arch != 0 || k->cubin_offset != 0)
        return INVALID("kernel %u ('%s') names a cubin architecture or offset but has no cubin", i, name);
    } else {
      if (k->cubin_arch == 0) return INVALID("kernel %u ('%s') has a cubin for SM 0", i, name);
      if (!fits(k->cubin_offset, k->cubin_size, v->code_size))
        return INVALID("kernel %u ('%s') cubin (offset %llu, %llu bytes) lies outside the %llu-byte "
                       "CODE section",
                       i, name, (unsigned long long)k->cubin_offset, (unsigned long long)k->cubin_size,
                       (unsigned long long)v->code_size);
    }
    if (!fits(k->param_first, k->param_count, v->param_count))
      return INVALID("kernel %u ('%s') parameters [%u, +%u) lie outside the %u-entry PARAMS section", i, name,
                     k->param_first, k->param_count, v->param_count);
    if (k->param_count > KILN_PTX_MAX_PARAMS)
      return INVALID("kernel %u ('%s') has %u parameters (at most %u)", i, name, k->param_count,
                     KILN_PTX_MAX_PARAMS);
  }
  for (uint32_t i = 0; i < v->param_count; ++i)
    if (kiln_plan_param_size(v->params[i]) == 0)
      return INVALID("parameter entry %u has unknown kind %u", i, v->params[i]);
  return KILN_STATUS_OK;
}

/* The kind a plan before 1.2 implies for a PTX parameter: kiln only passed pointers
 * (.ptr) and 4- and 8-byte scalars. */
static uint32_t implied_kind(const kiln_ptx_param_t* p) {
  if (p->pointer) return p->size == 8 ? KILN_PLAN_PARAM_POINTER : 0;
  if (p->size == 8) return p->floating ? 0 : KILN_PLAN_PARAM_I64;
  if (p->size == 4) return p->floating ? KILN_PLAN_PARAM_F32 : KILN_PLAN_PARAM_I32;
  return 0;
}

/* Kernel k's .entry in its PTX has the parameters `ptx`: for plans from 1.2 on they
 * must be the ones the plan records, one for one and size for size; older plans get
 * their parameter lists from here. */
static kiln_status_t match_entry(kiln_plan_view_t* v, uint32_t k, const kiln_ptx_param_t* ptx, uint32_t count,
                                 uint32_t* capacity, char* err, size_t err_size) {
  kiln_plan_kernel_t* kernel = &v->kernels[k];
  const char* name = kiln_plan_view_string(v, kernel->name);
  if (has_params(&v->header)) {
    if (count != kernel->param_count)
      return INVALID("kernel %u ('%s') records %u parameters but its PTX .entry declares %u", k, name,
                     kernel->param_count, count);
    for (uint32_t i = 0; i < count; ++i) {
      const uint32_t kind = v->params[kernel->param_first + i];
      if (ptx[i].size != kiln_plan_param_size(kind))
        return INVALID("kernel %u ('%s') parameter %u is %u bytes in its PTX but of kind %u in the plan", k,
                       name, i, ptx[i].size, kind);
    }
    return KILN_STATUS_OK;
  }
  if (v->param_count + (uint64_t)count > *capacity) {
    uint64_t grown = *capacity ? *capacity : 64;
    while (grown < v->param_count + (uint64_t)count) grown *= 2;
    if (grown > UINT32_MAX) return INVALID("the plan's kernels declare more than 2^32 parameters");
    uint32_t* bigger = (uint32_t*)realloc(v->params, (size_t)grown * sizeof(uint32_t));
    if (!bigger) return fail(err, err_size, KILN_STATUS_OUT_OF_MEMORY, "out of memory reading parameters");
    v->params = bigger;
    *capacity = (uint32_t)grown;
  }
  kernel->param_first = v->param_count;
  kernel->param_count = count;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t kind = implied_kind(&ptx[i]);
    if (!kind)
      return INVALID("kernel %u ('%s') parameter %u is a %u-byte %s, which a format %u.%u plan cannot pass", k,
                     name, i, ptx[i].size, ptx[i].pointer ? "pointer" : "scalar", v->header.version_major,
                     v->header.version_minor);
    v->params[v->param_count++] = kind;
  }
  return KILN_STATUS_OK;
}

/* Finds every kernel's .entry in its PTX, walking each distinct PTX text once. The
 * driver reads one value per declared parameter from the argument array the runtime
 * passes, so these parameter lists are what bounds that read. */
static kiln_status_t check_code(kiln_plan_view_t* v, char* err, size_t err_size) {
  if (v->kernel_count == 0) return KILN_STATUS_OK;
  uint32_t* walk = (uint32_t*)calloc(v->kernel_count, sizeof(uint32_t)); /* 1 + the walk that matched it */
  kiln_ptx_param_t* ptx = (kiln_ptx_param_t*)malloc(KILN_PTX_MAX_PARAMS * sizeof(kiln_ptx_param_t));
  uint32_t capacity = 0;
  kiln_status_t status = KILN_STATUS_OK;
  if (!walk || !ptx) status = fail(err, err_size, KILN_STATUS_OUT_OF_MEMORY, "out of memory reading kernels");
  for (uint32_t k = 0; k < v->kernel_count && status == KILN_STATUS_OK; ++k) {
    if (walk[k]) continue;
    const kiln_plan_kernel_t* kernel = &v->kernels[k];
    kiln_ptx_cursor_t cursor;
    kiln_ptx_begin(&cursor, (const char*)v->code + kernel->ptx_offset, (size_t)kernel->ptx_size);
    const char* entry;
    size_t length;
    uint32_t count;
    char why[160];
    int found;
    while (status == KILN_STATUS_OK &&
           (found = kiln_ptx_next_entry(&cursor, &entry, &length, ptx, KILN_PTX_MAX_PARAMS, &count, why,
                                        sizeof(why))) == 1) {
      for (uint32_t j = k; j < v->kernel_count && status == KILN_STATUS_OK; ++j) {
        const kiln_plan_kernel_t* other = &v->kernels[j];
        const char* name = kiln_plan_view_string(v, other->name);
        if (other->ptx_offset != kernel->ptx_offset || other->ptx_size != kernel->ptx_size ||
            strlen(name) != length || memcmp(name, entry, length) != 0)
          continue;
        if (walk[j] == k + 1)
          status = INVALID("kernel %u ('%s'): its PTX declares .entry '%s' twice", j, name, name);
        else if (!walk[j]) {
          walk[j] = k + 1;
          status = match_entry(v, j, ptx, count, &capacity, err, err_size);
        }
      }
    }
    if (status == KILN_STATUS_OK && found < 0)
      status = INVALID("kernel %u ('%s'): malformed PTX: %s", k, kiln_plan_view_string(v, kernel->name), why);
    for (uint32_t j = k; j < v->kernel_count && status == KILN_STATUS_OK; ++j)
      if (!walk[j] && v->kernels[j].ptx_offset == kernel->ptx_offset && v->kernels[j].ptx_size == kernel->ptx_size)
        status = INVALID("kernel %u ('%s') has no .entry in its PTX", j, kiln_plan_view_string(v, v->kernels[j].name));
  }
  free(walk);
  free(ptx);
  return status;
}

static kiln_status_t check_launches(kiln_plan_view_t* v, char* err, size_t err_size) {
  for (uint32_t i = 0; i < v->launch_count; ++i) {
    const kiln_plan_launch_t* l = &v->launches[i];
    if (l->kernel >= v->kernel_count)
      return INVALID("launch %u uses kernel %u but the plan has %u kernels", i, l->kernel, v->kernel_count);
    const uint64_t threads = (uint64_t)l->block[0] * l->block[1] * l->block[2];
    if (!l->grid[0] || !l->grid[1] || !l->grid[2] || !threads || threads > 1024 || l->block[2] > 64 ||
        l->grid[0] > 0x7FFFFFFFu || l->grid[1] > 65535u || l->grid[2] > 65535u)
      return INVALID("launch %u has an invalid grid (%u,%u,%u) or block (%u,%u,%u)", i, l->grid[0],
                     l->grid[1], l->grid[2], l->block[0], l->block[1], l->block[2]);
    if (!fits(l->arg_first, l->arg_count, v->arg_count))
      return INVALID("launch %u arguments [%u, +%u) lie outside the %u-entry argument table", i,
                     l->arg_first, l->arg_count, v->arg_count);
    const kiln_plan_kernel_t* k = &v->kernels[l->kernel];
    const char* name = kiln_plan_view_string(v, k->name);
    if (l->arg_count != k->param_count)
      return INVALID("launch %u passes %u arguments to kernel '%s', which has %u parameters", i, l->arg_count,
                     name, k->param_count);
    for (uint32_t a = 0; a < l->arg_count; ++a) {
      const uint32_t kind = v->args[l->arg_first + a].kind, param = v->params[k->param_first + a];
      const int pointer = kind == KILN_PLAN_ARG_ARENA_PTR || kind == KILN_PLAN_ARG_WEIGHT_PTR;
      const uint32_t arg_size = pointer || kind == KILN_PLAN_ARG_I64 ? 8 : 4;
      /* Plans before 1.2 name no kinds, and their PTX may declare pointers as plain
       * .u64: there the sizes must agree, which is what bounds the driver's reads. */
      const int ok = !has_params(&v->header)         ? arg_size == kiln_plan_param_size(param)
                     : param == KILN_PLAN_PARAM_POINTER ? pointer
                     : param == KILN_PLAN_PARAM_I32     ? kind == KILN_PLAN_ARG_I32
                     : param == KILN_PLAN_PARAM_I64     ? kind == KILN_PLAN_ARG_I64
                                                        : kind == KILN_PLAN_ARG_F32;
      if (!ok)
        return INVALID("launch %u argument %u (kind %u) does not match parameter %u of kernel '%s' (kind %u)", i,
                       a, kind, a, name, param);
    }
  }
  return KILN_STATUS_OK;
}

static kiln_status_t check_args(kiln_plan_view_t* v, char* err, size_t err_size) {
  for (uint32_t i = 0; i < v->arg_count; ++i) {
    const kiln_plan_arg_t* a = &v->args[i];
    const unsigned long long value = (unsigned long long)a->value, size = (unsigned long long)a->size;
    if (a->reserved != 0) return INVALID("argument %u has a nonzero reserved field", i);
    switch (a->kind) {
      case KILN_PLAN_ARG_ARENA_PTR:
        if (a->value >= v->header.arena_size || !fits(a->value, a->size, v->header.arena_size))
          return INVALID("argument %u names arena bytes [%llu, +%llu), outside the %llu-byte arena", i, value, size,
                         (unsigned long long)v->header.arena_size);
        break;
      case KILN_PLAN_ARG_WEIGHT_PTR:
        if (a->value >= v->weights_size || !fits(a->value, a->size, v->weights_size))
          return INVALID("argument %u names weight bytes [%llu, +%llu), outside the %llu bytes of weights", i, value,
                         size, (unsigned long long)v->weights_size);
        break;
      case KILN_PLAN_ARG_I32:
      case KILN_PLAN_ARG_F32:
        if (a->value >> 32)
          return INVALID("argument %u is a 32-bit scalar with nonzero high bits (0x%llx)", i, value);
        /* fall through */
      case KILN_PLAN_ARG_I64:
        if (a->size != 0) return INVALID("argument %u is a scalar with a byte size (%llu)", i, size);
        break;
      default:
        return INVALID("argument %u has unknown kind %u", i, a->kind);
    }
  }
  return KILN_STATUS_OK;
}

static kiln_status_t check_debug(kiln_plan_view_t* v, int present, char* err, size_t err_size) {
  if (!present) return KILN_STATUS_OK;
  if (v->debug_launch_count != v->launch_count)
    return INVALID("debug info covers %u launches but the plan has %u", v->debug_launch_count,
                   v->launch_count);
  for (uint32_t i = 0; i < v->debug_launch_count; ++i) {
    const kiln_plan_debug_launch_t* d = &v->debug_launches[i];
    if (!fits(d->name_first, d->name_count, v->debug_name_count))
      return INVALID("debug names of launch %u lie outside the %u-entry name list", i, v->debug_name_count);
  }
  for (uint32_t i = 0; i < v->debug_name_count; ++i)
    if (!valid_string(v, v->debug_names[i]))
      return INVALID("debug name %u has an invalid string ref %u", i, v->debug_names[i]);
  return KILN_STATUS_OK;
}

void kiln_plan_view_release(kiln_plan_view_t* view) {
  if (!view) return;
  free(view->tensors);
  free(view->kernels);
  free(view->launches);
  free(view->args);
  free(view->debug_launches);
  free(view->debug_names);
  free(view->params);
  memset(view, 0, sizeof(*view));
}

kiln_status_t kiln_plan_parse(const void* data, size_t size, kiln_plan_view_t* out, char* err,
                              size_t err_size) {
  if (!out) return fail(err, err_size, KILN_STATUS_INVALID_ARGUMENT, "out is NULL");
  memset(out, 0, sizeof(*out));
  if (!data && size) return fail(err, err_size, KILN_STATUS_INVALID_ARGUMENT, "plan data is NULL");
  static const uint8_t kNothing[1] = {0};
  if (!data) data = kNothing; /* an empty buffer is reported as truncated */
  const uint8_t* bytes = (const uint8_t*)data;
  kiln_plan_view_t v;
  memset(&v, 0, sizeof(v));
  section_ref_t found[KILN_PLAN_SECTION_KIND_MAX + 1];
  memset(found, 0, sizeof(found));

  kiln_status_t status = check_header(bytes, size, &v.header, err, err_size);
  if (status == KILN_STATUS_OK) status = check_sections(bytes, &v.header, found, err, err_size);
  if (status == KILN_STATUS_OK) status = check_required(&v.header, found, err, err_size);
  if (status != KILN_STATUS_OK) return status;

  const kiln_plan_section_t* s = &found[KILN_PLAN_SECTION_STRINGS].copy;
  v.strings = (const char*)(bytes + s->offset);
  v.strings_size = s->size;
  s = &found[KILN_PLAN_SECTION_CODE].copy;
  v.code = bytes + s->offset;
  v.code_size = s->size;
  s = &found[KILN_PLAN_SECTION_WEIGHTS].copy;
  v.weights = bytes + s->offset;
  v.weights_size = s->size;

  void* table;
#define READ_TABLE(kind, type, min_size, field, count)                                                     \
  if (status == KILN_STATUS_OK) {                                                                          \
    status = read_table(bytes, &found[kind], kind, min_size, sizeof(type), &table, &v.count, err, err_size); \
    v.field = (type*)table;                                                                                \
  }
  const int current = has_params(&v.header);
  READ_TABLE(KILN_PLAN_SECTION_TENSORS, kiln_plan_tensor_t, sizeof(kiln_plan_tensor_t), tensors, tensor_count)
  READ_TABLE(KILN_PLAN_SECTION_KERNELS, kiln_plan_kernel_t,
             current ? sizeof(kiln_plan_kernel_t) : KILN_PLAN_KERNEL_SIZE_1_1, kernels, kernel_count)
  READ_TABLE(KILN_PLAN_SECTION_LAUNCHES, kiln_plan_launch_t, sizeof(kiln_plan_launch_t), launches, launch_count)
  READ_TABLE(KILN_PLAN_SECTION_ARGS, kiln_plan_arg_t, current ? sizeof(kiln_plan_arg_t) : KILN_PLAN_ARG_SIZE_1_1,
             args, arg_count)
  READ_TABLE(KILN_PLAN_SECTION_DEBUG_LAUNCHES, kiln_plan_debug_launch_t, sizeof(kiln_plan_debug_launch_t),
             debug_launches, debug_launch_count)
  READ_TABLE(KILN_PLAN_SECTION_DEBUG_NAMES, uint32_t, sizeof(uint32_t), debug_names, debug_name_count)
  /* Before 1.2 a PARAMS section is an unknown kind, skipped; check_code fills params. */
  if (current) READ_TABLE(KILN_PLAN_SECTION_PARAMS, uint32_t, sizeof(uint32_t), params, param_count)
#undef READ_TABLE
  if (status == KILN_STATUS_OK) status = check_strings(&v, err, err_size);
  if (status == KILN_STATUS_OK) status = check_tensors(&v, err, err_size);
  if (status == KILN_STATUS_OK) status = check_kernels(&v, err, err_size);
  if (status == KILN_STATUS_OK) status = check_code(&v, err, err_size);
  if (status == KILN_STATUS_OK) status = check_args(&v, err, err_size);
  if (status == KILN_STATUS_OK) status = check_launches(&v, err, err_size);
  if (status == KILN_STATUS_OK) status = check_debug(&v, found[KILN_PLAN_SECTION_DEBUG_LAUNCHES].present, err, err_size);
  if (status != KILN_STATUS_OK) {
    kiln_plan_view_release(&v);
    return status;
  }
  *out = v;
  return KILN_STATUS_OK;
}

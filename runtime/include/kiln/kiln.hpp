// kiln.hpp: a header-only C++17 RAII layer over the runtime's C API (kiln/runtime.h) and over the
// typed APIs that `kiln compile --emit=c` generates. Errors become kiln::Error exceptions carrying the
// status and the runtime's message; handles are move-only and released by their destructors.
// Thread rules are the C API's: one object is thread-compatible (serialize calls on it); objects made
// with shared() share weights and kernels and may run concurrently on different threads and streams.
#ifndef KILN_KILN_HPP
#define KILN_KILN_HPP

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include "kiln/runtime.h"

namespace kiln {

/// A failed kiln call: what() is "<call>: <STATUS>: <message>".
class Error : public std::runtime_error {
public:
  Error(const std::string &call, kiln_status_t status, const char *message)
      : std::runtime_error(call + ": " + kiln_status_string(status) + (message && *message ? ": " : "") +
                           (message ? message : "")),
        status_(status) {}
  kiln_status_t status() const noexcept { return status_; }

private:
  kiln_status_t status_;
};

/// Session options with the defaults filled in (kiln_session_options_init).
inline kiln_session_options_t defaultOptions() {
  kiln_session_options_t o;
  kiln_session_options_init(&o);
  return o;
}

/// One runtime session over any plan: load, describe, bind by name, run.
class Session {
public:
  static Session fromFile(const std::string &path, const kiln_session_options_t *options = nullptr) {
    kiln_session_t *s = nullptr;
    check("kiln_session_create_from_file", kiln_session_create_from_file(path.c_str(), options, &s), nullptr);
    return Session(s);
  }
  static Session fromMemory(const void *data, size_t size, const kiln_session_options_t *options = nullptr) {
    kiln_session_t *s = nullptr;
    check("kiln_session_create_from_memory", kiln_session_create_from_memory(data, size, options, &s), nullptr);
    return Session(s);
  }
  /// Another execution sharing this session's weights and kernels, with its own arena.
  Session shared(const kiln_session_options_t *options = nullptr) {
    kiln_session_t *s = nullptr;
    check("kiln_session_create_shared", kiln_session_create_shared(get(), options, &s), nullptr);
    return Session(s);
  }

  kiln_tensor_info_t input(const std::string &name) const { return info(name, false); }
  kiln_tensor_info_t output(const std::string &name) const { return info(name, true); }
  void bindInput(const std::string &name, kiln_memory_kind_t kind, const void *data, size_t bytes) {
    check("kiln_session_bind_input_by_name",
          kiln_session_bind_input_by_name(get(), name.c_str(), kind, data, bytes), get());
  }
  void bindOutput(const std::string &name, kiln_memory_kind_t kind, void *data, size_t bytes) {
    check("kiln_session_bind_output_by_name",
          kiln_session_bind_output_by_name(get(), name.c_str(), kind, data, bytes), get());
  }
  /// Enqueues one run on stream (a CUstream; nullptr: the legacy default stream).
  void run(void *stream = nullptr) { check("kiln_session_run", kiln_session_run(get(), stream), get()); }
  void synchronize(void *stream = nullptr) {
    check("kiln_session_synchronize", kiln_session_synchronize(get(), stream), get());
  }
  /// Bytes and alignment of the arena a caller-provided kiln_session_options_t::arena needs.
  std::pair<uint64_t, uint64_t> arenaRequirement() const {
    uint64_t bytes = 0, alignment = 0;
    check("kiln_session_arena_requirement", kiln_session_arena_requirement(get(), &bytes, &alignment), get());
    return {bytes, alignment};
  }
  kiln_session_t *get() const noexcept { return session_.get(); }

private:
  struct Deleter {
    void operator()(kiln_session_t *s) const noexcept { kiln_session_destroy(s); }
  };
  explicit Session(kiln_session_t *s) : session_(s) {}
  static void check(const char *call, kiln_status_t status, const kiln_session_t *s) {
    if (status != KILN_STATUS_OK)
      throw Error(call, status, s ? kiln_session_last_error(s) : kiln_thread_last_error());
  }
  kiln_tensor_info_t info(const std::string &name, bool output) const {
    size_t index = 0;
    kiln_tensor_info_t t{};
    if (output) {
      check("kiln_session_find_output", kiln_session_find_output(get(), name.c_str(), &index), get());
      check("kiln_session_output_info", kiln_session_output_info(get(), index, &t), get());
    } else {
      check("kiln_session_find_input", kiln_session_find_input(get(), name.c_str(), &index), get());
      check("kiln_session_input_info", kiln_session_input_info(get(), index, &t), get());
    }
    return t;
  }
  std::unique_ptr<kiln_session_t, Deleter> session_;
};

} // namespace kiln

/// KILN_MODEL_CLASS(NAME) defines kiln::NAME_model, an RAII class over the generated API in NAME.h
/// (include it first):
///   auto m = kiln::NAME_model::create();           // NAME_create
///   auto e = m.shared();                            // NAME_create_shared: same weights, own arena
///   m.run(in, out, KILN_MEMORY_DEVICE, stream);     // NAME_run; throws kiln::Error
#define KILN_MODEL_CLASS(NAME)                                                                            \
  namespace kiln {                                                                                        \
  class NAME##_model {                                                                                    \
  public:                                                                                                 \
    using inputs = ::NAME##_inputs;                                                                       \
    using outputs = ::NAME##_outputs;                                                                     \
    static NAME##_model create(const kiln_session_options_t *options = nullptr) {                         \
      ::NAME *m = nullptr;                                                                                \
      kiln_status_t s = ::NAME##_create(options, &m);                                                     \
      if (s != KILN_STATUS_OK)                                                                            \
        throw Error(#NAME "_create", s, ::NAME##_last_error(nullptr));                                     \
      return NAME##_model(m);                                                                             \
    }                                                                                                     \
    NAME##_model shared(const kiln_session_options_t *options = nullptr) {                                \
      ::NAME *m = nullptr;                                                                                \
      kiln_status_t s = ::NAME##_create_shared(model_.get(), options, &m);                                 \
      if (s != KILN_STATUS_OK)                                                                            \
        throw Error(#NAME "_create_shared", s, ::NAME##_last_error(nullptr));                              \
      return NAME##_model(m);                                                                             \
    }                                                                                                     \
    void run(const inputs &in, outputs &out, kiln_memory_kind_t kind = KILN_MEMORY_HOST,                  \
             void *stream = nullptr) {                                                                    \
      kiln_status_t s = ::NAME##_run(model_.get(), &in, &out, kind, stream);                              \
      if (s != KILN_STATUS_OK)                                                                            \
        throw Error(#NAME "_run", s, ::NAME##_last_error(model_.get()));                                   \
    }                                                                                                     \
    kiln_session_t *session() const noexcept { return ::NAME##_session(model_.get()); }                   \
    ::NAME *get() const noexcept { return model_.get(); }                                                 \
                                                                                                          \
  private:                                                                                                \
    struct Deleter {                                                                                      \
      void operator()(::NAME *m) const noexcept { ::NAME##_destroy(m); }                                  \
    };                                                                                                    \
    explicit NAME##_model(::NAME *m) : model_(m) {}                                                       \
    std::unique_ptr<::NAME, Deleter> model_;                                                              \
  };                                                                                                      \
  }

#endif // KILN_KILN_HPP

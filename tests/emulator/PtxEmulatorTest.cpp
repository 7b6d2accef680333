// The PTX emulator against hand-written kernels with known results.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "Ptx.h"
#include "PtxMachine.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

using namespace kiln::emu;

namespace {

const std::string kHeader = ".version 7.8\n.target sm_90\n.address_size 64\n";

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

/// One kernel argument as the param buffer holds it: a device pointer or a scalar.
struct Arg {
  uint64_t bits = 0;
  size_t size = 0;
  template <typename T> Arg(T *pointer) : bits(reinterpret_cast<uintptr_t>(pointer)), size(8) {}
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0> Arg(T value) : size(sizeof(T)) {
    std::memcpy(&bits, &value, sizeof(T));
  }
};

/// A parsed module, its global variables registered, plus the host buffers its kernels may touch.
struct Emu {
  std::unique_ptr<Module> module;
  MemoryMap memory;

  explicit Emu(const std::string &ptx) {
    std::string error;
    module = parsePtx(ptx, error);
    INFO(error);
    REQUIRE(module != nullptr);
    for (size_t i = 0; i < module->globals.size(); ++i)
      memory.add(reinterpret_cast<uintptr_t>(module->globalStorage[i].get()), module->globals[i].init.size());
  }

  /// Registers `v` as device memory (it must not reallocate afterwards) and returns its address.
  template <typename T> T *device(std::vector<T> &v) {
    memory.add(reinterpret_cast<uintptr_t>(v.data()), v.size() * sizeof(T));
    return v.data();
  }

  /// Runs a 1-D launch; returns "" or the emulator's fault message.
  std::string launch(const std::string &kernel, unsigned grid, unsigned block, const std::vector<Arg> &args,
                     LaunchStats *stats = nullptr) {
    const Function *fn = module->find(kernel);
    REQUIRE(fn != nullptr);
    REQUIRE(fn->params.size() == args.size());
    std::vector<uint8_t> buffer(fn->paramBytes + 1);
    for (size_t i = 0; i < args.size(); ++i) {
      REQUIRE(fn->params[i].second == args[i].size);
      std::memcpy(buffer.data() + fn->params[i].first, &args[i].bits, args[i].size);
    }
    LaunchShape shape;
    shape.grid[0] = grid;
    shape.block[0] = block;
    return runKernel(*module, *fn, shape, buffer.data(), memory, stats);
  }
};

/// Runs `body` as a one-thread kernel k(in, out): %rd1 points at the input words, %rd2 at 64 output words
/// (zero-filled beforehand). Returns the output words.
std::vector<uint32_t> runScalar(const std::string &body, std::vector<uint32_t> in) {
  Emu emu(kHeader + R"(
.visible .entry k(
  .param .u64 .ptr .align 1 k_param_0,
  .param .u64 .ptr .align 1 k_param_1
)
{
  .reg .pred %p<8>;
  .reg .b16 %rs<16>;
  .reg .b32 %r<64>;
  .reg .b64 %rd<16>;

  ld.param.b64 %rd1, [k_param_0];
  ld.param.b64 %rd2, [k_param_1];
)" + body + "  ret;\n}\n");
  std::vector<uint32_t> out(64, 0);
  std::string error = emu.launch("k", 1, 1, {emu.device(in), emu.device(out)});
  INFO(error);
  REQUIRE(error.empty());
  return out;
}

/// Checks the leading words of `out` against `expected`, naming the word on a mismatch.
void checkWords(const std::vector<uint32_t> &out, std::initializer_list<uint32_t> expected) {
  size_t i = 0;
  for (uint32_t word : expected) {
    INFO("word " << i << " is 0x" << std::hex << out[i] << ", expected 0x" << word);
    CHECK(out[i] == word);
    ++i;
  }
}

} // namespace

// ---------------------------------------------------------------------------------------------- grids and warps

TEST_CASE("an elementwise kernel over several blocks writes every element and nothing past n") {
  Emu emu(kHeader + R"(
.visible .entry scale_add(
  .param .u64 .ptr .align 1 scale_add_param_0,
  .param .u64 .ptr .align 1 scale_add_param_1,
  .param .u64 .ptr .align 1 scale_add_param_2
)
.maxntid 128, 1, 1
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .b64 %rd<14>;

  ld.param.b64 %rd4, [scale_add_param_0];
  cvta.to.global.u64 %rd1, %rd4;
  ld.param.b64 %rd5, [scale_add_param_1];
  cvta.to.global.u64 %rd2, %rd5;
  ld.param.b64 %rd6, [scale_add_param_2];
  cvta.to.global.u64 %rd3, %rd6;
  mov.u32 %r1, %tid.x;
  cvt.u64.u32 %rd7, %r1;
  mov.u32 %r2, %ctaid.x;
  mul.wide.u32 %rd8, %r2, 128;
  or.b64 %rd9, %rd8, %rd7;
  setp.gt.u64 %p1, %rd9, 299;
  @%p1 bra $L__BB0_2;
  shl.b64 %rd10, %rd9, 2;
  add.s64 %rd11, %rd1, %rd10;
  ld.global.b32 %r3, [%rd11];
  add.s64 %rd12, %rd2, %rd10;
  ld.global.b32 %r4, [%rd12];
  fma.rn.f32 %r5, %r3, 0f40000000, %r4;
  add.s64 %rd13, %rd3, %rd10;
  st.global.b32 [%rd13], %r5;
$L__BB0_2:
  ret;
}
)");
  const size_t n = 300;
  std::vector<float> a(n), b(n), out(320, -1.0f); // out has 20 spare elements past n
  for (size_t i = 0; i < n; ++i) {
    a[i] = 0.25f * static_cast<float>(i);
    b[i] = static_cast<float>(i % 7);
  }
  std::string error = emu.launch("scale_add", 3, 128, {emu.device(a), emu.device(b), emu.device(out)});
  INFO(error);
  REQUIRE(error.empty());
  for (size_t i = 0; i < n; ++i) // 0.5 * i + i % 7 is exact in f32 for every i < 300
    CHECK(out[i] == 0.5f * static_cast<float>(i) + static_cast<float>(i % 7));
  CHECK(out[1] == 1.5f);
  CHECK(out[299] == 149.5f + 5.0f);
  for (size_t i = n; i < out.size(); ++i)
    CHECK(out[i] == -1.0f);
}

TEST_CASE("warp shuffles: a bfly sum per warp of a two-warp block; down, up and idx clamping and segments") {
  Emu emu(kHeader + R"(
.visible .entry shuffles(
  .param .u64 .ptr .align 1 shuffles_param_0,
  .param .u64 .ptr .align 1 shuffles_param_1,
  .param .u64 .ptr .align 1 shuffles_param_2,
  .param .u64 .ptr .align 1 shuffles_param_3
)
{
  .reg .pred %p<5>;
  .reg .b32 %r<24>;
  .reg .b64 %rd<16>;

  ld.param.b64 %rd5, [shuffles_param_0];
  cvta.to.global.u64 %rd1, %rd5;
  ld.param.b64 %rd6, [shuffles_param_1];
  cvta.to.global.u64 %rd2, %rd6;
  ld.param.b64 %rd7, [shuffles_param_2];
  cvta.to.global.u64 %rd3, %rd7;
  ld.param.b64 %rd8, [shuffles_param_3];
  cvta.to.global.u64 %rd4, %rd8;
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd9, %r1, 4;
  add.s64 %rd10, %rd1, %rd9;
  ld.global.b32 %r2, [%rd10];
  shfl.sync.bfly.b32 %r3, %r2, 16, 31, -1;
  add.rn.f32 %r4, %r2, %r3;
  shfl.sync.bfly.b32 %r5, %r4, 8, 31, -1;
  add.rn.f32 %r6, %r4, %r5;
  shfl.sync.bfly.b32 %r7, %r6, 4, 31, -1;
  add.rn.f32 %r8, %r6, %r7;
  shfl.sync.bfly.b32 %r9, %r8, 2, 31, -1;
  add.rn.f32 %r10, %r8, %r9;
  shfl.sync.bfly.b32 %r11, %r10, 1, 31, -1;
  add.rn.f32 %r12, %r10, %r11;
  add.s64 %rd11, %rd2, %rd9;
  st.global.b32 [%rd11], %r12;
  mad.lo.s32 %r13, %r1, 10, 7;
  shfl.sync.down.b32 %r14|%p1, %r13, 4, 31, -1;
  selp.u32 %r15, 1, 0, %p1;
  shfl.sync.up.b32 %r16|%p2, %r13, 2, 0, -1;
  selp.u32 %r17, 1, 0, %p2;
  shfl.sync.idx.b32 %r18, %r13, 5, 31, -1;
  // c = 0x181f: segments of 8 lanes
  shfl.sync.idx.b32 %r19, %r13, 1, 6175, -1;
  shfl.sync.down.b32 %r20|%p3, %r13, 4, 6175, -1;
  selp.u32 %r21, 1, 0, %p3;
  mul.wide.u32 %rd12, %r1, 32;
  add.s64 %rd13, %rd4, %rd12;
  st.global.v4.b32 [%rd13], {%r14, %r15, %r16, %r17};
  st.global.v4.b32 [%rd13+16], {%r18, %r19, %r20, %r21};
  mov.u32 %r22, %laneid;
  setp.ne.s32 %p4, %r22, 0;
  @%p4 bra $L__BB0_2;
  shr.u32 %r23, %r1, 5;
  mul.wide.u32 %rd14, %r23, 4;
  add.s64 %rd15, %rd3, %rd14;
  st.global.b32 [%rd15], %r12;
$L__BB0_2:
  ret;
}
)");
  std::vector<float> in(64), every(64, -1.0f), perWarp(2, -1.0f);
  for (int i = 0; i < 64; ++i)
    in[i] = static_cast<float>(i);
  std::vector<uint32_t> table(64 * 8, 0xdeadbeef);
  std::string error =
      emu.launch("shuffles", 1, 64, {emu.device(in), emu.device(every), emu.device(perWarp), emu.device(table)});
  INFO(error);
  REQUIRE(error.empty());
  CHECK(perWarp[0] == 496.0f);  // 0 + 1 + ... + 31
  CHECK(perWarp[1] == 1520.0f); // 32 + ... + 63
  for (int i = 0; i < 64; ++i) // a butterfly leaves the total in every lane
    CHECK(every[i] == (i < 32 ? 496.0f : 1520.0f));
  // Thread t holds 10 * t + 7. Columns: down 4, its predicate, up 2, its predicate, idx 5, idx 1 within 8-lane
  // segments, down 4 within 8-lane segments, its predicate. Rows are warp 0's; warp 1's values are 320 more.
  struct Row {
    unsigned lane;
    uint32_t expected[8];
  };
  const Row rows[] = {
      {0, {47, 1, 7, 0, 57, 17, 47, 1}},       {1, {57, 1, 17, 0, 57, 17, 57, 1}},
      {2, {67, 1, 7, 1, 57, 17, 67, 1}},       {4, {87, 1, 27, 1, 57, 17, 47, 0}},
      {13, {177, 1, 117, 1, 57, 97, 137, 0}},  {27, {317, 1, 257, 1, 57, 257, 317, 1}},
      {28, {287, 0, 267, 1, 57, 257, 287, 0}}, {31, {317, 0, 297, 1, 57, 257, 317, 0}},
  };
  for (unsigned warp = 0; warp < 2; ++warp)
    for (const Row &row : rows)
      for (unsigned k = 0; k < 8; ++k) {
        INFO("warp " << warp << ", lane " << row.lane << ", column " << k);
        bool predicate = k == 1 || k == 3 || k == 7;
        CHECK(table[(warp * 32 + row.lane) * 8 + k] == row.expected[k] + (predicate ? 0 : 320 * warp));
      }
}

TEST_CASE("bar.sync orders shared-memory stores before loads; every block has its own shared memory") {
  const std::string ptx = kHeader + R"(
.visible .entry reverse(
  .param .u64 .ptr .align 1 reverse_param_0,
  .param .u64 .ptr .align 1 reverse_param_1
)
.maxntid 64, 1, 1
{
  .shared .align 4 .b8 __wg_reverse_0[256];
  .reg .b32 %r<8>;
  .reg .b64 %rd<14>;

  ld.param.b64 %rd3, [reverse_param_0];
  cvta.to.global.u64 %rd1, %rd3;
  ld.param.b64 %rd4, [reverse_param_1];
  cvta.to.global.u64 %rd2, %rd4;
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %ctaid.x;
  shl.b32 %r3, %r2, 6;
  add.s32 %r4, %r3, %r1;
  mul.wide.u32 %rd5, %r4, 4;
  add.s64 %rd6, %rd1, %rd5;
  ld.global.b32 %r5, [%rd6];
  mov.b64 %rd7, __wg_reverse_0;
  mul.wide.u32 %rd8, %r1, 4;
  add.s64 %rd9, %rd7, %rd8;
  st.shared.b32 [%rd9], %r5;
  bar.sync 0;
  sub.s32 %r6, 63, %r1;
  mul.wide.u32 %rd10, %r6, 4;
  add.s64 %rd11, %rd7, %rd10;
  cvta.shared.u64 %rd12, %rd11;
  ld.b32 %r7, [%rd12];
  add.s64 %rd13, %rd2, %rd5;
  st.global.b32 [%rd13], %r7;
  ret;
}
)";
  Emu emu(ptx);
  std::vector<uint32_t> in(128), out(128, 0);
  for (uint32_t i = 0; i < 128; ++i)
    in[i] = 1000 + i;
  std::string error = emu.launch("reverse", 2, 64, {emu.device(in), emu.device(out)});
  INFO(error);
  REQUIRE(error.empty());
  CHECK(out[0] == 1063);
  CHECK(out[63] == 1000);
  CHECK(out[64] == 1127);
  CHECK(out[127] == 1064);
  for (uint32_t block = 0; block < 2; ++block)
    for (uint32_t t = 0; t < 64; ++t)
      CHECK(out[block * 64 + t] == 1000 + block * 64 + 63 - t);

  // Without the barrier, thread 32 reads the word thread 31 wrote in the same barrier interval.
  std::string unsynced = ptx;
  unsynced.erase(unsynced.find("  bar.sync 0;\n"), 14);
  Emu racy(unsynced);
  std::string raceError = racy.launch("reverse", 2, 64, {racy.device(in), racy.device(out)});
  INFO(raceError);
  CHECK(contains(raceError, "shared-memory race"));
}

TEST_CASE("overwriting shared memory another thread read since the last barrier is a race") {
  // s[t] = t; bar.sync; s[t] = s[t+1] with no barrier between thread t+1's read and its write.
  const std::string ptx = kHeader + R"(
.visible .entry shift(
  .param .u64 .ptr .align 1 shift_param_0
)
{
  .shared .align 4 .b8 __wg_shift_0[128];
  .reg .pred %p<2>;
  .reg .b32 %r<4>;
  .reg .b64 %rd<6>;

  ld.param.b64 %rd1, [shift_param_0];
  cvta.to.global.u64 %rd2, %rd1;
  mov.u32 %r1, %tid.x;
  mov.b64 %rd3, __wg_shift_0;
  mul.wide.u32 %rd4, %r1, 4;
  add.s64 %rd5, %rd3, %rd4;
  st.shared.b32 [%rd5], %r1;
  bar.sync 0;
  setp.eq.s32 %p1, %r1, 31;
  @%p1 bra $L__BB0_2;
  ld.shared.b32 %r2, [%rd5+4];
  BARRIER
  st.shared.b32 [%rd5], %r2;
$L__BB0_2:
  ret;
}
)";
  auto withBarrier = [&](const std::string &barrier) {
    std::string text = ptx;
    text.replace(text.find("BARRIER"), 7, barrier);
    return text;
  };
  std::vector<uint32_t> unused(1);
  Emu racy(withBarrier(""));
  std::string error = racy.launch("shift", 1, 32, {racy.device(unused)});
  INFO(error);
  CHECK(contains(error, "shared-memory race: overwriting shared byte 4, which thread (0,0,0) read"));
  // Thread 31 skips the second barrier: exited threads count as arrived, as on the GPU.
  Emu synced(withBarrier("bar.sync 0;"));
  CHECK(synced.launch("shift", 1, 32, {synced.device(unused)}).empty());
}

TEST_CASE("global memory: blocks of one launch are unordered; barriers order threads of one block") {
  // Thread t of the launch stores t to out[t], then (after an optional barrier) reads
  // out[(t + shift) % n] and stores it to copy[t].
  const std::string ptx = kHeader + R"(
.visible .entry pass(
  .param .u64 .ptr .align 1 pass_param_0,
  .param .u64 .ptr .align 1 pass_param_1,
  .param .u32 pass_param_2,
  .param .u32 pass_param_3
)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;

  ld.param.b64 %rd1, [pass_param_0];
  ld.param.b64 %rd2, [pass_param_1];
  ld.param.b32 %r1, [pass_param_2];
  ld.param.b32 %r2, [pass_param_3];
  mov.u32 %r3, %tid.x;
  mov.u32 %r4, %ctaid.x;
  mov.u32 %r5, %ntid.x;
  mad.lo.s32 %r6, %r4, %r5, %r3;
  mul.wide.u32 %rd3, %r6, 4;
  add.s64 %rd4, %rd1, %rd3;
  st.global.b32 [%rd4], %r6;
  BARRIER
  add.s32 %r7, %r6, %r2;
  rem.u32 %r8, %r7, %r1;
  mul.wide.u32 %rd5, %r8, 4;
  add.s64 %rd6, %rd1, %rd5;
  ld.global.b32 %r9, [%rd6];
  add.s64 %rd7, %rd2, %rd3;
  st.global.b32 [%rd7], %r9;
  ret;
}
)";
  auto run = [&](const std::string &barrier, unsigned grid, unsigned n, unsigned shift, std::vector<uint32_t> &copy) {
    std::string text = ptx;
    text.replace(text.find("BARRIER"), 7, barrier);
    Emu emu(text);
    std::vector<uint32_t> out(64, 0);
    copy.assign(64, 0);
    return emu.launch("pass", grid, 64 / grid, {emu.device(out), emu.device(copy), n, shift});
  };
  std::vector<uint32_t> copy;
  // One block, a barrier between the stores and the loads: ordered.
  CHECK(run("bar.sync 0;", 1, 64, 5, copy).empty());
  CHECK(copy[0] == 5);
  CHECK(copy[63] == 4);
  // Reading your own store needs no barrier.
  CHECK(run("", 2, 64, 0, copy).empty());
  CHECK(copy[40] == 40);
  // One block, no barrier: thread 0 reads what thread 5 stored in the same interval... in
  // the emulator thread 0 runs first and so reads before thread 5 stores; the store is then
  // the race (it overwrites a byte another thread read).
  std::string error = run("", 1, 64, 5, copy);
  INFO(error);
  CHECK(contains(error, "global-memory race: overwriting"));
  CHECK(contains(error, "which thread (0,0,0) of block 0 read since the last barrier"));
  // Thread 5 reads out[0], which thread 0 stored before it in the same interval.
  error = run("", 1, 64, 59, copy);
  INFO(error);
  CHECK(contains(error, "global-memory race: reading"));
  CHECK(contains(error, "which thread (0,0,0) of block 0 wrote since the last barrier"));
  // Two blocks: a barrier does not order them. Block 1 reads what block 0 stored...
  error = run("bar.sync 0;", 2, 32, 5, copy);
  INFO(error);
  CHECK(contains(error, "global-memory race: reading"));
  CHECK(contains(error, "of block 0 wrote earlier in this launch"));
  // ... or block 1 overwrites what block 0 read.
  error = run("bar.sync 0;", 2, 64, 32, copy);
  INFO(error);
  CHECK(contains(error, "global-memory race: overwriting"));
  CHECK(contains(error, "of block 0 read earlier in this launch"));

  // Two launches are ordered: a second kernel may read everything the first one wrote.
  Emu emu(kHeader + R"(
.visible .entry put(
  .param .u64 .ptr .align 1 put_param_0
)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<4>;

  ld.param.b64 %rd1, [put_param_0];
  mov.u32 %r1, %tid.x;
  mov.u32 %r2, %ctaid.x;
  mad.lo.s32 %r3, %r2, 32, %r1;
  mul.wide.u32 %rd2, %r3, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.b32 [%rd3], %r3;
  ret;
}
)");
  std::vector<uint32_t> data(64, 0);
  CHECK(emu.launch("put", 2, 32, {emu.device(data)}).empty());
  CHECK(emu.launch("put", 2, 32, {emu.device(data)}).empty());
  CHECK(data[63] == 63);
}

// ---------------------------------------------------------------------------------------------- faults

TEST_CASE("bad memory accesses and broken synchronization are reported, not crashed on or hung in") {
  Emu emu(kHeader + R"(
.visible .entry load_at(
  .param .u64 .ptr .align 1 load_at_param_0,
  .param .u64 load_at_param_1
)
{
  .reg .b32 %r<2>;
  .reg .b64 %rd<5>;

  ld.param.b64 %rd1, [load_at_param_0];
  cvta.to.global.u64 %rd2, %rd1;
  ld.param.b64 %rd3, [load_at_param_1];
  add.s64 %rd4, %rd2, %rd3;
  ld.global.b32 %r1, [%rd4];
  st.global.b32 [%rd2], %r1;
  ret;
}

.visible .entry shared_oob()
{
  .shared .align 4 .b8 __wg_shared_oob_0[64];
  .reg .b32 %r<2>;
  .reg .b64 %rd<4>;

  mov.b64 %rd1, __wg_shared_oob_0;
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.shared.b32 [%rd3], %r1;
  ret;
}

.visible .entry lane_swap(.param .u64 .ptr .align 1 lane_swap_param_0)
{
  .reg .b32 %r<3>;
  .reg .b64 %rd<5>;

  ld.param.b64 %rd1, [lane_swap_param_0];
  cvta.to.global.u64 %rd2, %rd1;
  mov.u32 %r1, %tid.x;
  shfl.sync.bfly.b32 %r2, %r1, 1, 31, -1;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  st.global.b32 [%rd4], %r2;
  ret;
}

.visible .entry split_sync()
{
  .reg .pred %p<2>;
  .reg .b32 %r<3>;

  mov.u32 %r1, %tid.x;
  setp.lt.u32 %p1, %r1, 16;
  @%p1 bra $L__BB4_2;
  shfl.sync.bfly.b32 %r2, %r1, 1, 31, -1;
$L__BB4_2:
  bar.sync 0;
  ret;
}
)");
  std::vector<uint32_t> small = {1, 2, 3, 4};

  SUBCASE("loads inside, past the end of and misaligned in a registered buffer") {
    CHECK(emu.launch("load_at", 1, 1, {emu.device(small), uint64_t{12}}) == "");
    CHECK(small[0] == 4);
    std::string error = emu.launch("load_at", 1, 1, {emu.device(small), uint64_t{16}});
    INFO(error);
    CHECK(contains(error, "out-of-bounds"));
    CHECK(contains(error, "kernel load_at"));
    CHECK(contains(error, "PTX line 17"));
    small[0] = 1;
    CHECK(contains(emu.launch("load_at", 1, 1, {emu.device(small), uint64_t{2}}), "misaligned"));
    CHECK(small[0] == 1); // the faulting thread stopped before its store
  }
  SUBCASE("a shared store one word past a .shared array") {
    CHECK(emu.launch("shared_oob", 1, 16, {}) == "");
    std::string error = emu.launch("shared_oob", 1, 17, {});
    INFO(error);
    CHECK(contains(error, "out-of-bounds shared"));
    CHECK(contains(error, "thread (16,0,0)"));
  }
  SUBCASE("shfl.sync with a full member mask needs all 32 lanes") {
    std::vector<uint32_t> out(32, 0);
    CHECK(emu.launch("lane_swap", 1, 32, {emu.device(out)}) == "");
    CHECK(out[0] == 1);
    CHECK(out[1] == 0);
    CHECK(out[30] == 31);
    std::string error = emu.launch("lane_swap", 1, 16, {emu.device(out)});
    INFO(error);
    CHECK(contains(error, "shfl.sync"));
  }
  SUBCASE("half a warp at bar.sync while the other half waits at shfl.sync") {
    std::string error = emu.launch("split_sync", 1, 32, {});
    INFO(error);
    CHECK(!error.empty());
    CHECK(contains(error, "shfl.sync"));
  }
}

// ---------------------------------------------------------------------------------------------- numerics

TEST_CASE("cvt from float to integer saturates and maps NaN to 0; rni rounds half to even") {
  std::vector<uint32_t> out = runScalar(R"(
  ld.global.v4.b32 {%r1, %r2, %r3, %r4}, [%rd1];
  cvt.rzi.s32.f32 %r5, %r1;
  cvt.rzi.s32.f32 %r6, %r2;
  neg.f32 %r7, %r2;
  cvt.rzi.s32.f32 %r8, %r7;
  cvt.rzi.u32.f32 %r9, %r7;
  st.global.v4.b32 [%rd2], {%r5, %r6, %r8, %r9};
  cvt.rni.f32.f32 %r10, %r3;
  cvt.rni.f32.f32 %r11, %r4;
  neg.f32 %r12, %r3;
  cvt.rmi.f32.f32 %r13, %r12;
  cvt.rni.s32.f32 %r14, %r12;
  st.global.v4.b32 [%rd2+16], {%r10, %r11, %r13, %r14};
)", {0x7fc00000 /* NaN */, bitsOf(3e9f), bitsOf(2.5f), bitsOf(3.5f)});
  checkWords(out, {
      0, 0x7fffffff, 0x80000000, 0,                   // NaN -> 0; 3e9 and -3e9 saturate; -3e9 to u32 is 0
      0x40000000, 0x40800000, 0xc0400000, 0xfffffffe, // rni 2.5 = 2.0, rni 3.5 = 4.0, rmi -2.5 = -3.0, rni -2.5 = -2
  });
}

TEST_CASE("cvt to and from f16 and bf16 gives IEEE bit patterns, rounding half to even") {
  std::vector<uint32_t> out = runScalar(R"(
  ld.global.v4.b32 {%r1, %r2, %r3, %r4}, [%rd1];
  ld.global.v4.b32 {%r5, %r6, %r7, %r8}, [%rd1+16];
  ld.global.b32 %r9, [%rd1+32];
  ld.global.b16 %rs8, [%rd1+36];
  cvt.rn.f16.f32 %rs1, %r1;
  st.global.b16 [%rd2], %rs1;
  cvt.rn.f16.f32 %rs2, %r2;
  st.global.b16 [%rd2+4], %rs2;
  cvt.rn.f16.f32 %rs3, %r3;
  st.global.b16 [%rd2+8], %rs3;
  cvt.rn.f16.f32 %rs4, %r4;
  st.global.b16 [%rd2+12], %rs4;
  cvt.rn.f16.f32 %rs5, %r5;
  st.global.b16 [%rd2+16], %rs5;
  cvt.rn.f16.f32 %rs6, %r6;
  st.global.b16 [%rd2+20], %rs6;
  cvt.rn.f16.f32 %rs7, %r7;
  st.global.b16 [%rd2+24], %rs7;
  cvt.f32.f16 %r20, %rs2;
  cvt.f32.f16 %r21, %rs4;
  cvt.f32.bf16 %r22, %rs8;
  cvt.rn.bf16x2.f32 %r23, %r8, %r9;
  st.global.v4.b32 [%rd2+32], {%r20, %r21, %r22, %r23};
)", {bitsOf(1.0f), bitsOf(65504.0f), bitsOf(65520.0f), 0x33800000 /* 2^-24 */, 0x3f801000 /* 1 + 2^-11 */,
     0x3f803000 /* 1 + 3 * 2^-11 */, bitsOf(65519.0f), bitsOf(3.0f), 0x3f818000 /* 1 + 3 * 2^-8 */,
     0x3fc0 /* bf16 1.5 */});
  checkWords(out, {
      0x3c00, 0x7bff, 0x7c00, 0x0001, // 1.0; 65504, the largest half; 65520, halfway to 2^16: inf; 2^-24
      0x3c00, 0x3c02, 0x7bff, 0,      // ties to even: 1.0 and 1 + 2^-9; just under halfway to 2^16; unwritten
      0x477fe000, 0x33800000,         // back to f32: 65504 and 2^-24
      0x3fc00000,                     // bf16 1.5 to f32
      0x40403f82,                     // {3.0, 1 + 3 * 2^-8 tied to the even 1 + 2^-6}: a goes to the upper half
  });
}

TEST_CASE("min and max follow PTX's NaN and signed-zero rules; setp tells ordered from unordered") {
  std::vector<uint32_t> out = runScalar(R"(
  ld.global.v4.b32 {%r1, %r2, %r3, %r4}, [%rd1];
  min.f32 %r5, %r1, %r2;
  min.f32 %r6, %r2, %r1;
  max.f32 %r7, %r3, %r4;
  max.f32 %r8, %r4, %r3;
  st.global.v4.b32 [%rd2], {%r5, %r6, %r7, %r8};
  min.f32 %r9, %r4, %r3;
  min.f32 %r10, %r3, %r4;
  setp.equ.f32 %p1, %r1, %r2;
  selp.u32 %r11, 1, 0, %p1;
  setp.eq.f32 %p2, %r1, %r1;
  selp.u32 %r12, 1, 0, %p2;
  st.global.v4.b32 [%rd2+16], {%r9, %r10, %r11, %r12};
  setp.neu.f32 %p3, %r1, %r1;
  selp.u32 %r13, 1, 0, %p3;
  setp.eq.f32 %p4, %r3, %r4;
  selp.u32 %r14, 1, 0, %p4;
  min.NaN.f32 %r15, %r2, %r1;
  max.NaN.f32 %r16, %r1, %r2;
  st.global.v4.b32 [%rd2+32], {%r13, %r14, %r15, %r16};
)", {0x7fc00000 /* NaN */, bitsOf(3.0f), 0x80000000 /* -0 */, 0 /* +0 */});
  checkWords(out, {
      0x40400000, 0x40400000, 0, 0, // min(NaN, 3) = min(3, NaN) = 3; max(-0, +0) = max(+0, -0) = +0
      0x80000000, 0x80000000, 1, 0, // min(+0, -0) = min(-0, +0) = -0; NaN equ 3; NaN eq NaN is false
      1, 1,                         // NaN neu NaN; -0 eq +0
  });
  // min.NaN(3, NaN) and max.NaN(NaN, 3): a GPU returns the canonical NaN, whatever the input's payload.
  CHECK(out[10] == 0x7fffffffu);
  CHECK(out[11] == 0x7fffffffu);
}

TEST_CASE("directed rounding: add.rz, add.rp, add.rm and fma.rm round the exact result the named way") {
  std::vector<uint32_t> out = runScalar(R"(
  ld.global.v4.b32 {%r1, %r2, %r3, %r4}, [%rd1];
  ld.global.b32 %r5, [%rd1+16];
  add.rn.f32 %r6, %r1, %r2;
  add.rz.f32 %r7, %r1, %r2;
  add.rn.f32 %r8, %r1, %r3;
  add.rp.f32 %r9, %r1, %r3;
  st.global.v4.b32 [%rd2], {%r6, %r7, %r8, %r9};
  fma.rn.f32 %r10, %r1, %r1, %r4;
  fma.rm.f32 %r11, %r1, %r1, %r4;
  neg.f32 %r12, %r1;
  fma.rn.f32 %r13, %r5, %r5, %r12;
  mul.rn.f32 %r14, %r5, %r5;
  add.rn.f32 %r15, %r14, %r12;
  st.global.v4.b32 [%rd2+16], {%r10, %r11, %r13, %r15};
  neg.f32 %r16, %r2;
  add.rm.f32 %r17, %r12, %r16;
  add.rn.f32 %r18, %r1, %r1;
  st.global.v2.b32 [%rd2+32], {%r17, %r18};
)", {bitsOf(1.0f), 0x33c00000 /* 1.5 * 2^-24 */, 0x33800000 /* 2^-24 */, 0xb0800000 /* -2^-30 */,
     0x3f800800 /* 1 + 2^-12 */});
  checkWords(out, {
      0x3f800001, 0x3f800000, // 1 + 0.75 ulp: nearest is 1 + ulp, toward zero 1
      0x3f800000, 0x3f800001, // 1 + 0.5 ulp: the tie goes to the even 1, upward to 1 + ulp
      0x3f800000, 0x3f7fffff, // fma 1 * 1 - 2^-30: nearest is 1, downward 1 - 2^-24
      0x3a000400, 0x3a000000, // (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24 with fma's one rounding, 2^-11 with mul + add
      0xbf800001,             // -1 - 0.75 ulp downward
      0x40000000,             // the default mode is back: 1 + 1 = 2
  });
}

// ---------------------------------------------------------------------------------------------- integers

TEST_CASE("integer multiply, carry chains, prmt, bfe, funnel shifts and out-of-range shifts") {
  std::vector<uint32_t> out = runScalar(R"(
  ld.global.v4.b32 {%r1, %r2, %r3, %r4}, [%rd1];
  ld.global.v4.b32 {%r5, %r6, %r7, %r8}, [%rd1+16];
  ld.global.b64 %rd3, [%rd1+32];
  mul.wide.u32 %rd4, %r1, %r1;
  mul.wide.s32 %rd5, %r7, %r2;
  st.global.v2.b64 [%rd2], {%rd4, %rd5};
  // (3 * 2^32 + 0xffffffff) * 0xffffffff as three words
  mul.lo.u32 %r10, %r1, %r1;
  mul.hi.u32 %r11, %r1, %r1;
  mad.lo.cc.u32 %r12, %r2, %r1, %r11;
  madc.hi.u32 %r13, %r2, %r1, 0;
  st.global.v4.b32 [%rd2+16], {%r10, %r12, %r13, %r11};
  add.cc.u32 %r14, %r1, 1;
  addc.u32 %r15, %r2, 0;
  sub.cc.u32 %r16, %r8, %r2;
  subc.u32 %r17, %r2, %r8;
  st.global.v4.b32 [%rd2+32], {%r14, %r15, %r16, %r17};
  prmt.b32 %r18, %r3, %r4, 0x3340U;
  prmt.b32 %r19, %r3, 0, 0x7770U;
  prmt.b32 %r20, %r4, 0, 0x7773U;
  prmt.b32 %r21, %r4, 0, 0xBBB3U;
  st.global.v4.b32 [%rd2+48], {%r18, %r19, %r20, %r21};
  bfe.u32 %r22, %r5, 8, 8;
  bfe.u32 %r23, %r5, 28, 8;
  bfe.s32 %r24, %r5, 28, 8;
  popc.b32 %r25, %r5;
  st.global.v4.b32 [%rd2+64], {%r22, %r23, %r24, %r25};
  bfe.s64 %rd6, %rd3, 12, 4;
  bfe.s64 %rd7, %rd3, 12, 5;
  st.global.v2.b64 [%rd2+80], {%rd6, %rd7};
  shf.l.wrap.b32 %r26, %r6, %r2, 33;
  shf.l.clamp.b32 %r27, %r6, %r2, 33;
  shf.r.wrap.b32 %r28, %r6, %r2, 4;
  brev.b32 %r29, %r2;
  st.global.v4.b32 [%rd2+96], {%r26, %r27, %r28, %r29};
  shr.s32 %r30, %r7, 40;
  shr.s32 %r31, %r2, 40;
  shr.u32 %r32, %r7, 32;
  shl.b32 %r33, %r2, 32;
  st.global.v4.b32 [%rd2+112], {%r30, %r31, %r32, %r33};
  div.s32 %r34, %r7, 5;
  rem.s32 %r35, %r7, 5;
  clz.b32 %r36, %r2;
  clz.b32 %r37, %r8;
  st.global.v4.b32 [%rd2+128], {%r34, %r35, %r36, %r37};
  // undefined results, but the emulator must not trap
  div.u32 %r38, %r2, %r8;
  rem.u32 %r39, %r2, %r8;
  mov.b32 %r40, -2147483648;
  div.s32 %r41, %r40, -1;
  rem.s32 %r42, %r40, -1;
)", {0xffffffff, 3, 0x44332211, 0x88776655, 0xabcd1234, 0x80000001, 0xfffffff8 /* -8 */, 0, 0xf000, 0});
  checkWords(out, {
      0x00000001, 0xfffffffe, 0xffffffe8, 0xffffffff, // 0xffffffff^2 = 0xfffffffe00000001; -8 * 3 = -24 in 64 bits
      0x00000001, 0xfffffffb, 0x00000003, 0xfffffffe, // (2^34 - 1)(2^32 - 1) = 0x3_fffffffb_00000001; mul.hi
      0, 4, 0xfffffffd, 2,                            // 0xffffffff + 1 carries into 3 + 0; 0 - 3 borrows from 3 - 0
      0x44445511, 0x11, 0x88, 0xffffff88,             // prmt 0x3340 {a0, b0, a3, a3}; 0x7770; 0x7773; 0xbbb3
      0x12, 0xa, 0xfffffffa, 15,                      // bfe past bit 31 is cut short, .s32 extends bit 31; popc
      0xffffffff, 0xffffffff, 15, 0,                  // bfe.s64 of 0xf000 at 12: 4 bits are -1, 5 bits are 15
      7, 0x80000001, 0x38000000, 0xc0000000,          // shf of 3:0x80000001: wrap 33 -> 1, clamp 33 -> 32, r 4; brev
      0xffffffff, 0, 0, 0,                            // -8 >> 40 fills with the sign; 3 >> 40; shr.u, shl by 32
      0xffffffff, 0xfffffffd, 30, 32,                 // -8 / 5 = -1, -8 % 5 = -3; clz 3, clz 0
  });
}

// ---------------------------------------------------------------------------------------------- calls and variables

TEST_CASE("call.uni passes .param arguments and a return value; .global tables and .local depots work") {
  Emu emu(kHeader + R"(
.func  (.param .b64 func_retval0) mul_add_one(
  .param .b64 mul_add_one_param_0,
  .param .b64 mul_add_one_param_1
)
;
.global .align 8 .b8 lookup[16] = {3, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0, 0, 1, 0, 0};

.visible .entry calls(
  .param .u64 .ptr .align 1 calls_param_0,
  .param .u64 .ptr .align 1 calls_param_1,
  .param .u64 .ptr .align 1 calls_param_2,
  .param .u64 .ptr .align 1 calls_param_3
)
{
  .local .align 8 .b8 __local_depot0[16];
  .reg .b64 %SP;
  .reg .b64 %SPL;
  .reg .b32 %r<16>;
  .reg .b64 %rd<24>;

  mov.b64 %SPL, __local_depot0;
  cvta.local.u64 %SP, %SPL;
  ld.param.b64 %rd5, [calls_param_0];
  cvta.to.global.u64 %rd1, %rd5;
  ld.param.b64 %rd6, [calls_param_1];
  cvta.to.global.u64 %rd2, %rd6;
  ld.param.b64 %rd7, [calls_param_2];
  cvta.to.global.u64 %rd3, %rd7;
  ld.param.b64 %rd8, [calls_param_3];
  cvta.to.global.u64 %rd4, %rd8;
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd9, %r1, 8;
  add.s64 %rd10, %rd1, %rd9;
  ld.global.b64 %rd11, [%rd10];
  add.s64 %rd12, %rd2, %rd9;
  ld.global.b64 %rd13, [%rd12];
  { // callseq 0, 0
  .param .b64 param0;
  .param .b64 param1;
  .param .b64 retval0;
  st.param.b64 [param0], %rd11;
  st.param.b64 [param1], %rd13;
  call.uni (retval0), mul_add_one, (param0, param1);
  ld.param.b64 %rd14, [retval0];
  } // callseq 0
  add.s64 %rd15, %rd3, %rd9;
  st.global.b64 [%rd15], %rd14;
  mov.b64 %rd16, lookup;
  ld.global.nc.b32 %r2, [%rd16];
  ld.global.nc.v2.b32 {%r3, %r4}, [%rd16+8];
  mul.lo.s32 %r6, %r2, %r1;
  st.local.b32 [%SPL], %r6;
  ld.global.nc.b32 %r5, [%rd16+4];
  mul.lo.s32 %r7, %r5, %r1;
  mul.lo.s32 %r8, %r3, %r1;
  mul.lo.s32 %r9, %r4, %r1;
  st.local.v2.b32 [%SPL+8], {%r8, %r9};
  st.local.b32 [%SPL+4], %r7;
  bar.sync 0;
  and.b32 %r10, %r1, 3;
  mul.wide.u32 %rd17, %r10, 4;
  add.s64 %rd18, %SP, %rd17;
  ld.b32 %r11, [%rd18];
  mul.wide.u32 %rd19, %r1, 4;
  add.s64 %rd20, %rd4, %rd19;
  st.global.b32 [%rd20], %r11;
  ret;
}

.func  (.param .b64 func_retval0) mul_add_one(
  .param .b64 mul_add_one_param_0,
  .param .b64 mul_add_one_param_1
)
{
  .reg .b64 %rd<4>;

  ld.param.b64 %rd1, [mul_add_one_param_0];
  ld.param.b64 %rd2, [mul_add_one_param_1];
  fma.rn.f64 %rd3, %rd1, %rd2, 0d3FF0000000000000;
  st.param.b64 [func_retval0], %rd3;
  ret;
}
)");
  REQUIRE(emu.module->globals.size() == 1);
  CHECK(emu.module->globals[0].init.size() == 16);
  std::vector<double> x = {1.5, -2.0, 0.5, 2.0, 0.0, 10.0, -1.0, 0.125};
  std::vector<double> y = {2.0, 0.25, -4.0, 3.0, 7.0, 10.0, -1.0, 8.0};
  std::vector<double> products(8, -99.0);
  std::vector<uint32_t> picked(8, 0xdeadbeef);
  std::string error =
      emu.launch("calls", 1, 8, {emu.device(x), emu.device(y), emu.device(products), emu.device(picked)});
  INFO(error);
  REQUIRE(error.empty());
  const double expectedProducts[8] = {4.0, 0.5, -1.0, 7.0, 1.0, 101.0, 2.0, 2.0};
  for (int i = 0; i < 8; ++i)
    CHECK(products[i] == expectedProducts[i]);
  // Thread t's depot holds {3t, 5t, 7t, 256t}; it reads word t % 4 after every thread has written its own.
  const uint32_t expectedPicked[8] = {0, 5, 14, 768, 12, 25, 42, 1792};
  for (int i = 0; i < 8; ++i)
    CHECK(picked[i] == expectedPicked[i]);
}

// ---------------------------------------------------------------------------------------------- traffic

TEST_CASE("traffic counts: warp requests, their sectors and bank wavefronts, guarded lanes and broadcasts") {
  // Thread t: out[t] = in[t * stride] + in[0]; shared word t * stride written; lanes t < 8
  // also read in[t + 1] (one request per warp that has such a lane).
  const std::string ptx = kHeader + R"(
.visible .entry traffic(
  .param .u64 .ptr .align 1 traffic_param_0,
  .param .u64 .ptr .align 1 traffic_param_1,
  .param .u32 traffic_param_2
)
.maxntid 64, 1, 1
{
  .shared .align 4 .b8 __wg_traffic_0[8192];
  .reg .pred %p<2>;
  .reg .b32 %r<10>;
  .reg .b64 %rd<16>;

  ld.param.b64 %rd1, [traffic_param_0];
  ld.param.b64 %rd2, [traffic_param_1];
  ld.param.b32 %r1, [traffic_param_2];
  mov.u32 %r2, %tid.x;
  mul.lo.s32 %r3, %r2, %r1;
  mul.wide.u32 %rd3, %r3, 4;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.b32 %r4, [%rd4];
  ld.global.b32 %r5, [%rd1];
  add.s32 %r6, %r4, %r5;
  setp.lt.u32 %p1, %r2, 8;
  mul.wide.u32 %rd5, %r2, 4;
  add.s64 %rd6, %rd1, %rd5;
  @%p1 ld.global.b32 %r7, [%rd6+4];
  mov.b64 %rd7, __wg_traffic_0;
  add.s64 %rd8, %rd7, %rd3;
  st.shared.b32 [%rd8], %r6;
  add.s64 %rd9, %rd2, %rd5;
  st.global.b32 [%rd9], %r6;
  ret;
}
)";
  auto run = [&](uint32_t stride) {
    Emu emu(ptx);
    // Sector counts depend on where buffers start: both start at a 32-byte boundary.
    std::vector<uint32_t> in(64 * 32 + 8, 1), out(64 + 8, 0);
    auto aligned = [](uint32_t *p) { return p + (32 - reinterpret_cast<uintptr_t>(p) % 32) % 32 / 4; };
    uint32_t *inA = aligned(emu.device(in)), *outA = aligned(emu.device(out));
    LaunchStats stats;
    std::string error = emu.launch("traffic", 1, 64, {inA, outA, stride}, &stats);
    INFO(error);
    REQUIRE(error.empty());
    CHECK(outA[5] == 2);
    return stats;
  };
  SUBCASE("adjacent words: every sector moved is needed") {
    LaunchStats s = run(1);
    // Per warp: in[t] (4 sectors), in[0] (1, broadcast), and for warp 0 in[1..8] (2).
    CHECK(s.load.requests == 5);
    CHECK(s.load.sectors == 4 + 1 + 2 + 4 + 1);
    CHECK(s.load.ideal == 4 + 1 + 1 + 4 + 1); // in[1..8] fits one sector but straddles two
    CHECK(s.load.bytes == 128 + 4 + 32 + 128 + 4);
    CHECK(s.store.requests == 2);
    CHECK(s.store.sectors == 8);
    CHECK(s.store.ideal == 8);
    CHECK(s.distinctSectorsRead == 8);
    CHECK(s.distinctSectorsWritten == 8);
    CHECK(s.sharedStore.requests == 2);
    CHECK(s.sharedStore.wavefronts == 2);
    CHECK(s.sharedStore.ideal == 2);
  }
  SUBCASE("a stride of 2 words moves twice the sectors; in shared memory lanes t and t + 16 share a bank") {
    LaunchStats s = run(2);
    CHECK(s.load.sectors == 8 + 1 + 2 + 8 + 1);
    CHECK(s.load.ideal == 4 + 1 + 1 + 4 + 1);
    CHECK(s.sharedStore.wavefronts == 4);
    CHECK(s.sharedStore.ideal == 2);
  }
  SUBCASE("a stride of 32 words: every lane in its own sector, all in one bank") {
    LaunchStats s = run(32);
    CHECK(s.load.sectors == 32 + 1 + 2 + 32 + 1);
    CHECK(s.sharedStore.wavefronts == 64);
    CHECK(s.sharedStore.ideal == 2);
  }
  SUBCASE("instructions: 20 per thread, a guarded-off one included; no fmas") {
    LaunchStats s = run(1);
    CHECK(s.threadInstructions == 64 * 20);
    CHECK(s.floatFmas == 0);
  }
}

// ---------------------------------------------------------------------------------------------- parse errors

TEST_CASE("what the parser does not understand is an error naming the line") {
  const std::string prologue = ".version 7.8\n.target sm_90\n.address_size 64\n"
                               ".visible .entry k()\n{\n  .reg .b32 %r<4>;\n";
  auto parse = [&](const std::string &body, std::string &error) {
    return parsePtx(prologue + body + "  ret;\n}\n", error);
  };
  std::string error;
  SUBCASE("a good body parses") {
    CHECK(parse("  add.s32 %r1, %r2, %r3;\n", error) != nullptr);
    CHECK(error.empty());
  }
  SUBCASE("an unknown instruction") {
    CHECK(parse("  mov.b32 %r2, 1;\n  foo.b32 %r1, %r2;\n", error) == nullptr);
    INFO(error);
    CHECK(contains(error, "line 8"));
    CHECK(contains(error, "'foo'"));
  }
  SUBCASE("an unknown modifier") {
    CHECK(parse("  add.wrap.s32 %r1, %r2, %r3;\n", error) == nullptr);
    INFO(error);
    CHECK(contains(error, "line 7"));
    CHECK(contains(error, "'.wrap'"));
  }
  SUBCASE("a branch to a label that does not exist") {
    CHECK(parse("  bra.uni $L__BB0_9;\n", error) == nullptr);
    INFO(error);
    CHECK(contains(error, "line 7"));
    CHECK(contains(error, "$L__BB0_9"));
  }
  SUBCASE("a call to an undeclared function") {
    CHECK(parse("  {\n  .param .b64 param0;\n  call.uni helper, (param0);\n  }\n", error) == nullptr);
    INFO(error);
    CHECK(contains(error, "line 9"));
    CHECK(contains(error, "helper"));
  }
}

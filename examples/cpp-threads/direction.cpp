// Tells whether a line of text is upright or upside down with PaddleOCR's direction classifier,
// compiled by kiln into this program, from two threads at once:
//
//   direction LINE.ppm
//
// One loaded model, two executions sharing its weights and kernels (ppocr_cls_create_shared), each
// on its own thread and its own CUDA stream, with inputs and outputs in device memory the program
// owns; the second execution's arena is a slab the program allocated itself. Each thread classifies
// the line and the line turned 180 degrees, many times, and every answer must equal a serial run's,
// bit for bit. Prints the two labels and their probabilities.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "cuda_driver.hpp"
#include "ppocr_cls.h"

#include <kiln/kiln.hpp>
KILN_MODEL_CLASS(ppocr_cls)

namespace {

constexpr int kRuns = 3; // per thread and image
const int64_t kDims[] = ppocr_cls_INPUT_x_DIMS; // 1x3x48x192
constexpr size_t kOutputs = ppocr_cls_OUTPUT_softmax_0_tmp_0_ELEMENTS; // 2: 0 and 180 degrees

struct Image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;
};

Image readPpm(const char *path) {
  std::ifstream f(path, std::ios::binary);
  std::string magic;
  int maxval = 0;
  Image im;
  f >> magic >> im.width >> im.height >> maxval;
  f.get();
  if (!f || magic != "P6" || maxval != 255 || im.width <= 0 || im.height <= 0)
    throw std::runtime_error(std::string(path) + ": not an 8-bit binary PPM (P6)");
  im.rgb.resize(size_t(im.width) * im.height * 3);
  if (!f.read(reinterpret_cast<char *>(im.rgb.data()), std::streamsize(im.rgb.size())))
    throw std::runtime_error(std::string(path) + ": truncated");
  return im;
}

// PaddleOCR's classifier input: scaled to 48 high (nearest pixel), at most 192 wide, normalized to
// [-1, 1], zero-padded on the right; `flip` turns the line 180 degrees first.
std::vector<float> tensor(const Image &im, bool flip) {
  const int H = int(kDims[2]), W = int(kDims[3]);
  std::vector<float> x(size_t(3) * H * W, 0.0f);
  const float scale = float(im.height) / H;
  const int width = std::min(W, int(im.width / scale + 0.5f));
  for (int c = 0; c < 3; ++c)
    for (int r = 0; r < H; ++r)
      for (int col = 0; col < width; ++col) {
        int sx = std::min(im.width - 1, int((col + 0.5f) * scale));
        int sy = std::min(im.height - 1, int((r + 0.5f) * scale));
        if (flip) {
          sx = im.width - 1 - sx;
          sy = im.height - 1 - sy;
        }
        x[(size_t(c) * H + r) * W + col] = (im.rgb[(size_t(sy) * im.width + sx) * 3 + c] / 255.0f - 0.5f) / 0.5f;
      }
  return x;
}

// One thread: its execution, its stream, its device buffers; classifies both images kRuns times.
void classify(kiln::ppocr_cls_model &execution, const std::vector<float> (&images)[2],
              std::vector<float> (&results)[2][kRuns], std::string &error) {
  try {
    cuda::ScopedContext context; // device 0's primary context, which kiln uses too
    const cuda::Driver &cu = cuda::Driver::get();
    cuda::OwnedStream stream;
    cuda::Buffer in(ppocr_cls_INPUT_x_BYTES), out(ppocr_cls_OUTPUT_softmax_0_tmp_0_BYTES);
    for (int run = 0; run < kRuns; ++run)
      for (int i = 0; i < 2; ++i) {
        cuda::check(cu.cuMemcpyHtoDAsync(in.ptr(), images[i].data(), in.size(), stream.get()), "upload");
        ppocr_cls_inputs x{in.get()};
        ppocr_cls_outputs y{out.get()};
        execution.run(x, y, KILN_MEMORY_DEVICE, stream.get()); // asynchronous on our stream
        results[i][run].resize(kOutputs);
        cuda::check(cu.cuMemcpyDtoHAsync(results[i][run].data(), out.ptr(), out.size(), stream.get()), "download");
        stream.synchronize();
      }
  } catch (const std::exception &e) {
    error = e.what();
  }
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s LINE.ppm\n", argv[0]);
    return 2;
  }
  try {
    const Image im = readPpm(argv[1]);
    const std::vector<float> images[2] = {tensor(im, false), tensor(im, true)};
    cuda::ScopedContext context;

    auto model = kiln::ppocr_cls_model::create();
    // Serial answers on host memory: what both threads must reproduce exactly.
    std::vector<float> serial[2];
    for (int i = 0; i < 2; ++i) {
      serial[i].resize(kOutputs);
      ppocr_cls_inputs x{images[i].data()};
      ppocr_cls_outputs y{serial[i].data()};
      model.run(x, y);
    }

    // Two executions sharing the weights: one allocates its arena, one runs in a slab we own.
    uint64_t bytes = 0, alignment = 0;
    size_t planSize = 0;
    const void *plan = ppocr_cls_plan(&planSize);
    if (kiln_plan_arena_requirement(plan, planSize, &bytes, &alignment) != KILN_STATUS_OK)
      throw std::runtime_error(kiln_thread_last_error());
    cuda::Buffer slab(bytes); // cuMemAlloc's 256-byte alignment suffices for kiln's arenas
    kiln_session_options_t options = kiln::defaultOptions();
    options.arena = slab.get();
    options.arena_bytes = slab.size();
    kiln::ppocr_cls_model executions[2] = {model.shared(), model.shared(&options)};

    std::vector<float> results[2][2][kRuns];
    std::string errors[2];
    std::thread threads[2];
    for (int t = 0; t < 2; ++t)
      threads[t] = std::thread(classify, std::ref(executions[t]), std::cref(images), std::ref(results[t]),
                               std::ref(errors[t]));
    for (std::thread &t : threads)
      t.join();
    int mismatches = 0;
    for (int t = 0; t < 2; ++t) {
      if (!errors[t].empty())
        throw std::runtime_error("thread " + std::to_string(t) + ": " + errors[t]);
      for (int i = 0; i < 2; ++i)
        for (int run = 0; run < kRuns; ++run)
          mismatches += std::memcmp(results[t][i][run].data(), serial[i].data(), kOutputs * sizeof(float)) != 0;
    }
    const char *labels[] = {"0 degrees (upright)", "180 degrees (upside down)"};
    for (int i = 0; i < 2; ++i) {
      const int label = serial[i][1] > serial[i][0];
      std::printf("%s line: %s, p=%.4f\n", i ? "turned" : "given", labels[label], serial[i][label]);
    }
    std::printf("2 threads x %d runs x 2 images on shared weights, device buffers, own streams: %s\n", kRuns,
                mismatches ? "MISMATCH with the serial runs" : "identical to the serial runs");
    return mismatches ? 1 : 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "direction: %s\n", e.what());
    return 1;
  }
}

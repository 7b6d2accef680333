/* Reads text in an image with PaddleOCR's PP-OCRv4 models, compiled by kiln into this program.
 *
 *   ocr IMAGE.ppm [ppocr_keys_v1.txt]
 *
 * A line image (up to 48 pixels high... any height: it is scaled to 48) goes straight to the
 * recognition model; a page (taller than 64 pixels) first goes through the detection model, whose
 * probability map is cut into text boxes, and each box is recognized. Prints one line of text per
 * box, top to bottom. Two models in one program, through their generated APIs (ppocr_det.h,
 * ppocr_rec.h); the pre- and post-processing follow PaddleOCR's (DB boxes, CTC greedy decoding). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ppocr_det.h"
#include "ppocr_rec.h"

#ifndef OCR_KEYS
#define OCR_KEYS "ppocr_keys_v1.txt"
#endif

/* The shapes the models were compiled at (kiln_add_model's SHAPES). */
static const int64_t kRecDims[] = ppocr_rec_INPUT_x_DIMS;     /* 1x3x48x320 */
static const int64_t kDetDims[] = ppocr_det_INPUT_x_DIMS;     /* 1x3xHxW */
static const int64_t kRecOut[] = ppocr_rec_OUTPUT_softmax_11_tmp_0_DIMS; /* 1 x steps x classes */

typedef struct image {
  int width, height;
  unsigned char* rgb; /* width * height * 3 */
} image_t;

static void die(const char* what, const char* why) {
  fprintf(stderr, "ocr: %s: %s\n", what, why);
  exit(1);
}

/* ------------------------------------------------------------------ input */

static int ppm_token(FILE* f) {
  int c, value = 0, digits = 0;
  while ((c = fgetc(f)) != EOF) {
    if (c == '#') {
      while ((c = fgetc(f)) != EOF && c != '\n') {}
    } else if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      if (++digits > 6) return -1;
    } else if (digits) {
      return value;
    }
  }
  return digits ? value : -1;
}

/* Binary PPM (P6) or PGM (P5), 8 bits per sample. */
static image_t read_ppm(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) die(path, "cannot open");
  char magic[3] = {0};
  if (fread(magic, 1, 2, f) != 2 || magic[0] != 'P' || (magic[1] != '6' && magic[1] != '5'))
    die(path, "not a binary PPM (P6) or PGM (P5) image");
  const int channels = magic[1] == '6' ? 3 : 1;
  image_t im;
  im.width = ppm_token(f);
  im.height = ppm_token(f);
  const int maxval = ppm_token(f);
  if (im.width <= 0 || im.height <= 0 || maxval != 255) die(path, "unsupported size or depth (8-bit only)");
  const size_t n = (size_t)im.width * im.height;
  unsigned char* raw = malloc(n * channels);
  im.rgb = malloc(n * 3);
  if (!raw || !im.rgb) die(path, "out of memory");
  if (fread(raw, channels, n, f) != n) die(path, "truncated");
  fclose(f);
  for (size_t i = 0; i < n; ++i)
    for (int c = 0; c < 3; ++c) im.rgb[3 * i + c] = raw[channels * i + (channels == 3 ? c : 0)];
  free(raw);
  return im;
}

/* Bilinear sample of channel c at (x, y) in pixel-center coordinates, clamped to the image. */
static float sample(const image_t* im, float x, float y, int c) {
  if (x < 0) x = 0;
  if (y < 0) y = 0;
  if (x > im->width - 1) x = (float)(im->width - 1);
  if (y > im->height - 1) y = (float)(im->height - 1);
  const int x0 = (int)x, y0 = (int)y;
  const int x1 = x0 + 1 < im->width ? x0 + 1 : x0, y1 = y0 + 1 < im->height ? y0 + 1 : y0;
  const float fx = x - x0, fy = y - y0;
  const unsigned char* p = im->rgb;
  const float top = p[3 * (y0 * im->width + x0) + c] * (1 - fx) + p[3 * (y0 * im->width + x1) + c] * fx;
  const float bottom = p[3 * (y1 * im->width + x0) + c] * (1 - fx) + p[3 * (y1 * im->width + x1) + c] * fx;
  return top * (1 - fy) + bottom * fy;
}

/* ------------------------------------------------------------------ recognition */

static char** keys;
static int key_count;

static void load_keys(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) die(path, "cannot open the character list");
  char line[256];
  int cap = 8192;
  keys = malloc(sizeof(char*) * cap);
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    if (key_count == cap) die(path, "too many characters");
    const size_t len = strlen(line) + 1;
    if (!(keys[key_count] = malloc(len))) die(path, "out of memory");
    memcpy(keys[key_count++], line, len);
  }
  fclose(f);
  /* Classes: blank, the keys, then a space (PaddleOCR's use_space_char). */
  if (key_count + 2 != kRecOut[2]) die(path, "does not match the model's classes");
}

/* The box [x0,x1) x [y0,y1) of im, scaled to 48 high (width at most 320, the rest zero after
 * normalization, as PaddleOCR pads), recognized and CTC-decoded into text. */
static void recognize(ppocr_rec* rec, const image_t* im, float x0, float y0, float x1, float y1, char* text,
                      size_t size) {
  const int H = (int)kRecDims[2], W = (int)kRecDims[3];
  static float x[3 * 48 * 320];
  static float probs[ppocr_rec_OUTPUT_softmax_11_tmp_0_ELEMENTS];
  if ((size_t)3 * H * W > sizeof x / sizeof x[0]) die("ppocr_rec", "input larger than expected");
  const float scale = (y1 - y0) / H;
  int width = (int)ceilf((x1 - x0) / scale);
  if (width > W) width = W;
  const float sx = (x1 - x0) / width;
  for (int c = 0; c < 3; ++c)
    for (int r = 0; r < H; ++r)
      for (int col = 0; col < W; ++col) {
        float v = 0;
        if (col < width) {
          const float px = sample(im, x0 + (col + 0.5f) * sx - 0.5f, y0 + (r + 0.5f) * scale - 0.5f, c);
          v = (px / 255.0f - 0.5f) / 0.5f;
        }
        x[(c * H + r) * W + col] = v;
      }
  ppocr_rec_inputs in = {x};
  ppocr_rec_outputs out = {probs};
  if (ppocr_rec_run(rec, &in, &out, KILN_MEMORY_HOST, NULL) != KILN_STATUS_OK)
    die("ppocr_rec_run", ppocr_rec_last_error(rec));
  const int steps = (int)kRecOut[1], classes = (int)kRecOut[2];
  size_t n = 0;
  int previous = 0;
  text[0] = 0;
  for (int t = 0; t < steps; ++t) {
    const float* p = probs + (size_t)t * classes;
    int best = 0;
    for (int k = 1; k < classes; ++k)
      if (p[k] > p[best]) best = k;
    if (best != 0 && best != previous) {
      const char* s = best <= key_count ? keys[best - 1] : " ";
      const size_t len = strlen(s);
      if (n + len + 1 < size) {
        memcpy(text + n, s, len + 1);
        n += len;
      }
    }
    previous = best;
  }
}

/* ------------------------------------------------------------------ detection */

typedef struct box {
  float x0, y0, x1, y1;
} box_t;

/* PaddleOCR's DB post-processing, simplified to axis-aligned boxes: pixels above 0.3 form
 * 4-connected regions; a region whose mean probability is at least 0.6 becomes a box, grown by
 * area * 1.5 / perimeter on each side (the unclip ratio), mapped back to image coordinates. */
static int find_boxes(const float* prob, int H, int W, const image_t* im, box_t* boxes, int max_boxes) {
  int* label = calloc((size_t)H * W, sizeof(int));
  int* stack = malloc(sizeof(int) * (size_t)H * W);
  if (!label || !stack) die("ocr", "out of memory");
  int count = 0, next = 0;
  for (int start = 0; start < H * W; ++start) {
    if (label[start] || prob[start] <= 0.3f) continue;
    ++next;
    int top = 0, x0 = W, y0 = H, x1 = -1, y1 = -1, pixels = 0;
    double sum = 0;
    stack[top++] = start;
    label[start] = next;
    while (top) {
      const int p = stack[--top], r = p / W, c = p % W;
      ++pixels;
      sum += prob[p];
      if (c < x0) x0 = c;
      if (c > x1) x1 = c;
      if (r < y0) y0 = r;
      if (r > y1) y1 = r;
      const int nb[4] = {r > 0 ? p - W : -1, r < H - 1 ? p + W : -1, c > 0 ? p - 1 : -1, c < W - 1 ? p + 1 : -1};
      for (int k = 0; k < 4; ++k)
        if (nb[k] >= 0 && !label[nb[k]] && prob[nb[k]] > 0.3f) {
          label[nb[k]] = next;
          stack[top++] = nb[k];
        }
    }
    const float w = (float)(x1 - x0 + 1), h = (float)(y1 - y0 + 1);
    if (sum / pixels < 0.6 || w < 3 || h < 3 || count == max_boxes) continue;
    const float grow = w * h * 1.5f / (2 * (w + h));
    const float sx = (float)im->width / W, sy = (float)im->height / H;
    box_t b = {(x0 - grow) * sx, (y0 - grow) * sy, (x1 + 1 + grow) * sx, (y1 + 1 + grow) * sy};
    if (b.x0 < 0) b.x0 = 0;
    if (b.y0 < 0) b.y0 = 0;
    if (b.x1 > im->width) b.x1 = (float)im->width;
    if (b.y1 > im->height) b.y1 = (float)im->height;
    boxes[count++] = b;
  }
  free(label);
  free(stack);
  /* Reading order: top to bottom, then left to right. */
  for (int i = 1; i < count; ++i)
    for (int j = i; j > 0 && (boxes[j].y0 < boxes[j - 1].y0 - 8 ||
                              (fabsf(boxes[j].y0 - boxes[j - 1].y0) <= 8 && boxes[j].x0 < boxes[j - 1].x0));
         --j) {
      box_t t = boxes[j];
      boxes[j] = boxes[j - 1];
      boxes[j - 1] = t;
    }
  return count;
}

static int detect(const image_t* im, box_t* boxes, int max_boxes) {
  ppocr_det* det = NULL;
  if (ppocr_det_create(NULL, &det) != KILN_STATUS_OK) die("ppocr_det_create", ppocr_det_last_error(NULL));
  const int H = (int)kDetDims[2], W = (int)kDetDims[3];
  float* x = malloc(sizeof(float) * 3 * H * W);
  float* prob = malloc(ppocr_det_OUTPUT_sigmoid_0_tmp_0_BYTES);
  if (!x || !prob) die("ocr", "out of memory");
  /* The page scaled to the detection model's size; ImageNet mean and deviation (PaddleOCR's). */
  const float mean[3] = {0.485f, 0.456f, 0.406f}, dev[3] = {0.229f, 0.224f, 0.225f};
  const float sx = (float)im->width / W, sy = (float)im->height / H;
  for (int c = 0; c < 3; ++c)
    for (int r = 0; r < H; ++r)
      for (int col = 0; col < W; ++col)
        x[(c * H + r) * W + col] =
            (sample(im, (col + 0.5f) * sx - 0.5f, (r + 0.5f) * sy - 0.5f, c) / 255.0f - mean[c]) / dev[c];
  ppocr_det_inputs in = {x};
  ppocr_det_outputs out = {prob};
  if (ppocr_det_run(det, &in, &out, KILN_MEMORY_HOST, NULL) != KILN_STATUS_OK)
    die("ppocr_det_run", ppocr_det_last_error(det));
  const int count = find_boxes(prob, H, W, im, boxes, max_boxes);
  free(x);
  free(prob);
  ppocr_det_destroy(det);
  return count;
}

/* ------------------------------------------------------------------ main */

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s IMAGE.ppm [ppocr_keys_v1.txt]\n", argv[0]);
    return 2;
  }
  image_t im = read_ppm(argv[1]);
  load_keys(argc > 2 ? argv[2] : OCR_KEYS);
  ppocr_rec* rec = NULL;
  if (ppocr_rec_create(NULL, &rec) != KILN_STATUS_OK) die("ppocr_rec_create", ppocr_rec_last_error(NULL));
  char text[1024];
  if (im.height <= 64) {
    recognize(rec, &im, 0, 0, (float)im.width, (float)im.height, text, sizeof text);
    printf("%s\n", text);
  } else {
    box_t boxes[64];
    const int count = detect(&im, boxes, 64);
    for (int i = 0; i < count; ++i) {
      recognize(rec, &im, boxes[i].x0, boxes[i].y0, boxes[i].x1, boxes[i].y1, text, sizeof text);
      printf("%s\n", text);
    }
  }
  ppocr_rec_destroy(rec);
  free(im.rgb);
  return 0;
}

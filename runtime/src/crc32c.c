/* Slicing-by-8 CRC-32C: weights can be hundreds of MB, so the byte-at-a-time loop is too slow. */
#include "crc32c.h"

#include <pthread.h>
#include <string.h>

#include "kiln/plan_format.h"

/* Built on first use rather than stored, which keeps 8 KB of tables out of the .so file. */
static uint32_t g_table[8][256];
static pthread_once_t g_table_once = PTHREAD_ONCE_INIT;

static void build_table(void) {
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (KILN_PLAN_CRC32C_POLY & (0u - (crc & 1u)));
    g_table[0][i] = crc;
  }
  for (uint32_t i = 0; i < 256; ++i)
    for (int slice = 1; slice < 8; ++slice)
      g_table[slice][i] = (g_table[slice - 1][i] >> 8) ^ g_table[0][g_table[slice - 1][i] & 0xFFu];
}

uint32_t kiln_crc32c(uint32_t crc, const void* data, size_t size) {
  pthread_once(&g_table_once, build_table);
  const uint8_t* p = (const uint8_t*)data;
  crc = ~crc;
  while (size >= 8) {
    uint32_t lo, hi;
    memcpy(&lo, p, 4);
    memcpy(&hi, p + 4, 4);
    lo ^= crc;
    crc = g_table[7][lo & 0xFFu] ^ g_table[6][(lo >> 8) & 0xFFu] ^ g_table[5][(lo >> 16) & 0xFFu] ^
          g_table[4][lo >> 24] ^ g_table[3][hi & 0xFFu] ^ g_table[2][(hi >> 8) & 0xFFu] ^
          g_table[1][(hi >> 16) & 0xFFu] ^ g_table[0][hi >> 24];
    p += 8;
    size -= 8;
  }
  while (size--) crc = (crc >> 8) ^ g_table[0][(crc ^ *p++) & 0xFFu];
  return ~crc;
}

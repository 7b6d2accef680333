/* CRC-32C (Castagnoli), the checksum of every plan section (see plan_format.h). */
#ifndef KILN_RUNTIME_CRC32C_H
#define KILN_RUNTIME_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Continues crc (0 to start) over size bytes. Thread-safe. */
uint32_t kiln_crc32c(uint32_t crc, const void* data, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_CRC32C_H */

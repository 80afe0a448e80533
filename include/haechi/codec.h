/* codec.h — a small, bounds-checked binary encoding for stored records.
 *
 * Writing appends big-endian integers and length-prefixed byte strings to an
 * hc_buf. Reading never goes past the end of its input: any short, overlong
 * or malformed field sets a sticky error (HC_ERR_CORRUPT) that the caller
 * checks once at the end with hc_rd_done, which also rejects trailing bytes.
 */
#ifndef HAECHI_CODEC_H
#define HAECHI_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/util.h"

/* ---- writing: each returns the buffer's error (HC_ERR_BUFFER / NOMEM) */
HC_WUR hc_err hc_wr_u8(hc_buf *b, uint8_t v);
HC_WUR hc_err hc_wr_u16(hc_buf *b, uint16_t v);
HC_WUR hc_err hc_wr_u32(hc_buf *b, uint32_t v);
HC_WUR hc_err hc_wr_u64(hc_buf *b, uint64_t v);
HC_WUR hc_err hc_wr_fixed(hc_buf *b, const void *p, size_t n);
/* A byte string of at most 2^32-1 bytes, prefixed with its u32 length. */
HC_WUR hc_err hc_wr_bytes(hc_buf *b, const void *p, size_t n);

/* ---- reading */
typedef struct hc_rd {
    const uint8_t *p;
    size_t left;
    hc_err err; /* sticky: the first error */
} hc_rd;

void hc_rd_init(hc_rd *r, const void *data, size_t len);
uint8_t hc_rd_u8(hc_rd *r);
uint16_t hc_rd_u16(hc_rd *r);
uint32_t hc_rd_u32(hc_rd *r);
uint64_t hc_rd_u64(hc_rd *r);
/* Copies exactly n bytes to out (zeroes out on error). */
void hc_rd_fixed(hc_rd *r, void *out, size_t n);
/* A length-prefixed byte string of at most max bytes; *p points into the
 * input (NULL and 0 on error). */
void hc_rd_bytes(hc_rd *r, const uint8_t **p, size_t *len, size_t max);
/* HC_OK if no error occurred and all input was consumed. */
HC_WUR hc_err hc_rd_done(const hc_rd *r);

/* Big-endian helpers for keys. */
void hc_be64_put(uint8_t out[8], uint64_t v);
uint64_t hc_be64_get(const uint8_t in[8]);

#endif

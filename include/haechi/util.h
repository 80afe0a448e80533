/* util.h — memory helpers, a bounded growable byte buffer, and timed
 * waits that setting the wall clock does not move.
 *
 * hc_buf follows curl's dynbuf: every buffer has a maximum size; growing past
 * it is HC_ERR_BUFFER, never an unbounded allocation. The buffer owns its
 * memory; hc_buf_free releases it (and wipes it when HC_BUF_SECRET is set).
 */
#ifndef HAECHI_UTIL_H
#define HAECHI_UTIL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "haechi/err.h"

#if defined(__GNUC__)
#define HC_WUR __attribute__((warn_unused_result))
#else
#define HC_WUR
#endif

/* Wipes n bytes at p; the compiler cannot optimise it away. */
void hc_memzero(void *p, size_t n);

/* Constant-time equality of two n-byte regions: 1 equal, 0 different. */
int hc_ct_equal(const void *a, const void *b, size_t n);

/* Initialises *c for pthread_cond_timedwait against CLOCK_MONOTONIC, with
 * deadlines from hc_deadline_ms: an administrator or NTP setting the wall
 * clock neither stretches nor cuts the wait. */
void hc_cond_init_monotonic(pthread_cond_t *c);
/* CLOCK_MONOTONIC's now plus ms (>= 0): a deadline for such a wait. */
struct timespec hc_deadline_ms(long ms);

#define HC_BUF_SECRET 1u /* wipe the contents before freeing / growing */

typedef struct hc_buf {
    uint8_t *data; /* owned; NULL while empty */
    size_t len;    /* bytes in use */
    size_t cap;    /* bytes allocated */
    size_t max;    /* hard limit on len */
    unsigned flags;
} hc_buf;

/* Initialises an empty buffer that may grow to max bytes. No allocation. */
void hc_buf_init(hc_buf *b, size_t max, unsigned flags);
/* Frees the memory (wiping it if HC_BUF_SECRET) and empties the buffer. */
void hc_buf_free(hc_buf *b);
/* Empties the buffer but keeps its memory for reuse. */
void hc_buf_reset(hc_buf *b);
/* Makes room for n more bytes. */
HC_WUR hc_err hc_buf_reserve(hc_buf *b, size_t n);
HC_WUR hc_err hc_buf_append(hc_buf *b, const void *p, size_t n);
HC_WUR hc_err hc_buf_append_byte(hc_buf *b, uint8_t c);
/* Inserts n bytes at offset off (0 <= off <= len), moving the rest up. */
HC_WUR hc_err hc_buf_insert(hc_buf *b, size_t off, const void *p, size_t n);

#endif

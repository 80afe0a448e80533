/* sha256.h — SHA-256 through OpenSSL's EVP interface, which uses the CPU's
 * SHA extensions (SHA-NI) where present. Streaming and one-shot.
 * A context must be released with hc_sha256_free (also after final). */
#ifndef HAECHI_SHA256_H
#define HAECHI_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/util.h"

#define HC_SHA256_LEN 32

typedef struct hc_sha256_ctx {
    void *md; /* EVP_MD_CTX *, opaque */
} hc_sha256_ctx;

HC_WUR hc_err hc_sha256_init(hc_sha256_ctx *ctx);
HC_WUR hc_err hc_sha256_update(hc_sha256_ctx *ctx, const void *data,
                               size_t len);
HC_WUR hc_err hc_sha256_final(hc_sha256_ctx *ctx, uint8_t out[32]);
void hc_sha256_free(hc_sha256_ctx *ctx);

HC_WUR hc_err hc_sha256(uint8_t out[32], const void *data, size_t len);

/* Hashing in a background thread, for long streams whose bytes arrive in a
 * thread that has other work (an upload: receiving and parsing). Updates
 * copy the bytes into a fixed set of buffers (HC_SHA256_BG_BYTES in all)
 * that one thread of its own hashes in order, so receiving the next bytes
 * and hashing the previous ones overlap; an update blocks only while every
 * buffer waits to be hashed. It continues a context (the bytes already in
 * it come first) and gives it back at the end. */
#define HC_SHA256_BG_BYTES (1u << 20)

typedef struct hc_sha256_bg hc_sha256_bg;

/* Takes over *ctx (its md becomes NULL) and starts the thread. On error
 * *ctx is left as it was. */
HC_WUR hc_err hc_sha256_bg_start(hc_sha256_bg **out, hc_sha256_ctx *ctx);
HC_WUR hc_err hc_sha256_bg_update(hc_sha256_bg *bg, const void *data,
                                  size_t len);
/* Waits until everything is hashed, stops the thread, gives the context
 * back in *ctx (to be finalized) and frees bg, also on error. */
HC_WUR hc_err hc_sha256_bg_finish(hc_sha256_bg *bg, hc_sha256_ctx *ctx);
/* Abandons the hash: stops the thread without hashing what is left, frees
 * bg and its context. NULL is a no-op. */
void hc_sha256_bg_free(hc_sha256_bg *bg);

/* Progress callback for long hashing: called with the bytes hashed so far. */
typedef void (*hc_progress_fn)(void *arg, uint64_t done);

/* Hashes everything readable from fd (a file, pipe or terminal) until EOF.
 * *total (may be NULL) receives the byte count. progress may be NULL.
 * Returns HC_ERR_IO on a read error (errno is kept). */
HC_WUR hc_err hc_sha256_fd(uint8_t out[32], uint64_t *total, int fd,
                           hc_progress_fn progress, void *arg);

#endif

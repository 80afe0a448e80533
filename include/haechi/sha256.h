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

/* Progress callback for long hashing: called with the bytes hashed so far. */
typedef void (*hc_progress_fn)(void *arg, uint64_t done);

/* Hashes everything readable from fd (a file, pipe or terminal) until EOF.
 * *total (may be NULL) receives the byte count. progress may be NULL.
 * Returns HC_ERR_IO on a read error (errno is kept). */
HC_WUR hc_err hc_sha256_fd(uint8_t out[32], uint64_t *total, int fd,
                           hc_progress_fn progress, void *arg);

#endif

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <pthread.h>

#include <openssl/evp.h>

#include "haechi/sha256.h"

/* SHA-256 fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up
 * in its provider store (a lock and a property query) on every init, which
 * costs more than hashing a small input. Kept for the process's life. */
static EVP_MD *fetched;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void)
{
    fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256_md(void)
{
    pthread_once(&fetch_once, fetch_sha256);
    return fetched ? fetched : EVP_sha256();
}

hc_err hc_sha256_init(hc_sha256_ctx *ctx)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    ctx->md = md;
    if (!md)
        return HC_ERR_NOMEM;
    if (EVP_DigestInit_ex(md, sha256_md(), NULL) != 1) {
        hc_sha256_free(ctx);
        return HC_ERR_CRYPTO;
    }
    return HC_OK;
}

hc_err hc_sha256_update(hc_sha256_ctx *ctx, const void *data, size_t len)
{
    if (!ctx->md)
        return HC_ERR_ARG;
    if (len && EVP_DigestUpdate(ctx->md, data, len) != 1)
        return HC_ERR_CRYPTO;
    return HC_OK;
}

hc_err hc_sha256_final(hc_sha256_ctx *ctx, uint8_t out[32])
{
    unsigned n = 0;
    if (!ctx->md)
        return HC_ERR_ARG;
    if (EVP_DigestFinal_ex(ctx->md, out, &n) != 1 || n != 32)
        return HC_ERR_CRYPTO;
    return HC_OK;
}

void hc_sha256_free(hc_sha256_ctx *ctx)
{
    EVP_MD_CTX_free(ctx->md);
    ctx->md = NULL;
}

hc_err hc_sha256(uint8_t out[32], const void *data, size_t len)
{
    unsigned n = 0;
    if (EVP_Digest(data, len, out, &n, sha256_md(), NULL) != 1 || n != 32)
        return HC_ERR_CRYPTO;
    return HC_OK;
}

#define READ_CHUNK (1u << 20)

hc_err hc_sha256_fd(uint8_t out[32], uint64_t *total, int fd,
                    hc_progress_fn progress, void *arg)
{
    hc_sha256_ctx ctx;
    uint64_t done = 0;
    hc_err err;
    uint8_t *buf = malloc(READ_CHUNK);
    if (!buf)
        return HC_ERR_NOMEM;
    err = hc_sha256_init(&ctx);
    if (err)
        goto out;
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    for (;;) {
        ssize_t n = read(fd, buf, READ_CHUNK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            err = HC_ERR_IO;
            break;
        }
        if (n == 0) {
            err = hc_sha256_final(&ctx, out);
            break;
        }
        err = hc_sha256_update(&ctx, buf, (size_t)n);
        if (err)
            break;
        done += (uint64_t)n;
        if (progress)
            progress(arg, done);
    }
    hc_sha256_free(&ctx);
    if (!err && total)
        *total = done;
out:
    free(buf);
    return err;
}

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

/* ---- hashing in a background thread (hc_sha256_bg_*)
 *
 * A ring of SLOTS buffers of SLOT bytes. The caller fills the slot at tail
 * and queues it; the thread hashes queued slots from head, in order. A slot
 * is in use from the moment it is queued until it has been hashed (count of
 * them), so the caller may fill tail whenever count < SLOTS. */

#define SLOTS 4
#define SLOT  (HC_SHA256_BG_BYTES / SLOTS)

struct hc_sha256_bg {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t queued; /* the thread waits for work */
    pthread_cond_t hashed; /* the caller waits for a free slot */
    uint8_t *buf;          /* SLOTS * SLOT */
    size_t len[SLOTS];     /* bytes in each queued slot */
    unsigned head, tail;   /* next slot to hash; slot being filled */
    unsigned count;        /* slots queued or being hashed */
    size_t fill;           /* bytes in the slot being filled */
    int closing;           /* no more slots will be queued */
    int abandon;           /* stop without hashing the rest */
    hc_err err;            /* the first hashing error */
    hc_sha256_ctx ctx;
};

static void *hasher(void *arg)
{
    hc_sha256_bg *bg = arg;
    pthread_mutex_lock(&bg->mu);
    for (;;) {
        while (!bg->count && !bg->closing && !bg->abandon)
            pthread_cond_wait(&bg->queued, &bg->mu);
        if (bg->abandon || !bg->count)
            break;
        unsigned slot = bg->head;
        size_t n = bg->len[slot];
        pthread_mutex_unlock(&bg->mu);
        hc_err err =
            bg->err
                ? HC_OK
                : hc_sha256_update(&bg->ctx, bg->buf + (size_t)slot * SLOT, n);
        pthread_mutex_lock(&bg->mu);
        if (err && !bg->err)
            bg->err = err;
        bg->head = (bg->head + 1) % SLOTS;
        bg->count--;
        pthread_cond_signal(&bg->hashed);
    }
    pthread_mutex_unlock(&bg->mu);
    return NULL;
}

hc_err hc_sha256_bg_start(hc_sha256_bg **out, hc_sha256_ctx *ctx)
{
    *out = NULL;
    if (!ctx || !ctx->md)
        return HC_ERR_ARG;
    hc_sha256_bg *bg = calloc(1, sizeof *bg);
    if (!bg)
        return HC_ERR_NOMEM;
    bg->buf = malloc((size_t)SLOTS * SLOT);
    if (!bg->buf) {
        free(bg);
        return HC_ERR_NOMEM;
    }
    pthread_mutex_init(&bg->mu, NULL);
    pthread_cond_init(&bg->queued, NULL);
    pthread_cond_init(&bg->hashed, NULL);
    bg->ctx = *ctx;
    if (pthread_create(&bg->thread, NULL, hasher, bg) != 0) {
        pthread_cond_destroy(&bg->hashed);
        pthread_cond_destroy(&bg->queued);
        pthread_mutex_destroy(&bg->mu);
        free(bg->buf);
        free(bg);
        return HC_ERR_NOMEM;
    }
    ctx->md = NULL;
    *out = bg;
    return HC_OK;
}

/* Queues the slot being filled and waits for a free one. */
static hc_err queue_slot(hc_sha256_bg *bg)
{
    pthread_mutex_lock(&bg->mu);
    bg->len[bg->tail] = bg->fill;
    bg->tail = (bg->tail + 1) % SLOTS;
    bg->count++;
    bg->fill = 0;
    pthread_cond_signal(&bg->queued);
    while (bg->count == SLOTS)
        pthread_cond_wait(&bg->hashed, &bg->mu);
    hc_err err = bg->err;
    pthread_mutex_unlock(&bg->mu);
    return err;
}

hc_err hc_sha256_bg_update(hc_sha256_bg *bg, const void *data, size_t len)
{
    const uint8_t *p = data;
    if (!bg || (!data && len))
        return HC_ERR_ARG;
    while (len) {
        size_t n = SLOT - bg->fill;
        if (n > len)
            n = len;
        memcpy(bg->buf + (size_t)bg->tail * SLOT + bg->fill, p, n);
        bg->fill += n;
        p += n;
        len -= n;
        if (bg->fill == SLOT) {
            hc_err err = queue_slot(bg);
            if (err)
                return err;
        }
    }
    return HC_OK;
}

static void stop(hc_sha256_bg *bg, int abandon)
{
    pthread_mutex_lock(&bg->mu);
    bg->closing = 1;
    bg->abandon = abandon;
    pthread_cond_signal(&bg->queued);
    pthread_mutex_unlock(&bg->mu);
    pthread_join(bg->thread, NULL);
    pthread_cond_destroy(&bg->hashed);
    pthread_cond_destroy(&bg->queued);
    pthread_mutex_destroy(&bg->mu);
    free(bg->buf);
}

hc_err hc_sha256_bg_finish(hc_sha256_bg *bg, hc_sha256_ctx *ctx)
{
    if (!bg || !ctx)
        return HC_ERR_ARG;
    hc_err err = HC_OK;
    if (bg->fill) {
        /* queue_slot waits only while all slots are in use; the thread
         * hashes the rest after stop() below */
        err = queue_slot(bg);
    }
    stop(bg, 0);
    if (!err)
        err = bg->err;
    *ctx = bg->ctx;
    free(bg);
    return err;
}

void hc_sha256_bg_free(hc_sha256_bg *bg)
{
    if (!bg)
        return;
    stop(bg, 1);
    hc_sha256_free(&bg->ctx);
    free(bg);
}

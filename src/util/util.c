#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "haechi/util.h"

void hc_cond_init_monotonic(pthread_cond_t *c)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(c, &ca);
    pthread_condattr_destroy(&ca);
}

struct timespec hc_deadline_ms(long ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

void hc_memzero(void *p, size_t n)
{
    if (p && n)
        sodium_memzero(p, n);
}

int hc_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a;
    const volatile uint8_t *y = b;
    uint8_t d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (uint8_t)(x[i] ^ y[i]);
    return (int)((1u & ((uint32_t)(d - 1u) >> 8)));
}

void hc_buf_init(hc_buf *b, size_t max, unsigned flags)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->flags = flags;
}

void hc_buf_free(hc_buf *b)
{
    if (b->data && (b->flags & HC_BUF_SECRET))
        hc_memzero(b->data, b->cap);
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void hc_buf_reset(hc_buf *b)
{
    if (b->data && (b->flags & HC_BUF_SECRET))
        hc_memzero(b->data, b->len);
    b->len = 0;
}

hc_err hc_buf_reserve(hc_buf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return HC_ERR_BUFFER;
    size_t need = b->len + n;
    if (need <= b->cap)
        return HC_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max)
        cap = b->max;
    uint8_t *p;
    if (b->flags & HC_BUF_SECRET) {
        /* never leave a copy of a secret behind in freed memory */
        p = malloc(cap);
        if (!p)
            return HC_ERR_NOMEM;
        if (b->data) {
            memcpy(p, b->data, b->len);
            hc_memzero(b->data, b->cap);
            free(b->data);
        }
    } else {
        p = realloc(b->data, cap);
        if (!p)
            return HC_ERR_NOMEM;
    }
    b->data = p;
    b->cap = cap;
    return HC_OK;
}

hc_err hc_buf_append(hc_buf *b, const void *p, size_t n)
{
    if (n == 0)
        return HC_OK;
    hc_err err = hc_buf_reserve(b, n);
    if (err)
        return err;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return HC_OK;
}

hc_err hc_buf_append_byte(hc_buf *b, uint8_t c)
{
    return hc_buf_append(b, &c, 1);
}

hc_err hc_buf_insert(hc_buf *b, size_t off, const void *p, size_t n)
{
    if (off > b->len)
        return HC_ERR_ARG;
    if (n == 0)
        return HC_OK;
    hc_err err = hc_buf_reserve(b, n);
    if (err)
        return err;
    memmove(b->data + off + n, b->data + off, b->len - off);
    memcpy(b->data + off, p, n);
    b->len += n;
    return HC_OK;
}

#include <string.h>

#include "haechi/codec.h"

void hc_be64_put(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

uint64_t hc_be64_get(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | in[i];
    return v;
}

static hc_err put_be(hc_buf *b, uint64_t v, size_t n)
{
    uint8_t tmp[8];
    for (size_t i = 0; i < n; i++)
        tmp[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return hc_buf_append(b, tmp, n);
}

hc_err hc_wr_u8(hc_buf *b, uint8_t v)
{
    return hc_buf_append_byte(b, v);
}

hc_err hc_wr_u16(hc_buf *b, uint16_t v)
{
    return put_be(b, v, 2);
}

hc_err hc_wr_u32(hc_buf *b, uint32_t v)
{
    return put_be(b, v, 4);
}

hc_err hc_wr_u64(hc_buf *b, uint64_t v)
{
    return put_be(b, v, 8);
}

hc_err hc_wr_fixed(hc_buf *b, const void *p, size_t n)
{
    return hc_buf_append(b, p, n);
}

hc_err hc_wr_bytes(hc_buf *b, const void *p, size_t n)
{
    if (n > UINT32_MAX)
        return HC_ERR_BUFFER;
    hc_err err = hc_wr_u32(b, (uint32_t)n);
    if (!err)
        err = hc_buf_append(b, p, n);
    return err;
}

void hc_rd_init(hc_rd *r, const void *data, size_t len)
{
    r->p = data;
    r->left = data ? len : 0;
    r->err = HC_OK;
}

static const uint8_t *take(hc_rd *r, size_t n)
{
    if (r->err)
        return NULL;
    if (n > r->left) {
        r->err = HC_ERR_CORRUPT;
        r->left = 0;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

static uint64_t get_be(hc_rd *r, size_t n)
{
    const uint8_t *p = take(r, n);
    uint64_t v = 0;
    if (!p)
        return 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

uint8_t hc_rd_u8(hc_rd *r)
{
    return (uint8_t)get_be(r, 1);
}

uint16_t hc_rd_u16(hc_rd *r)
{
    return (uint16_t)get_be(r, 2);
}

uint32_t hc_rd_u32(hc_rd *r)
{
    return (uint32_t)get_be(r, 4);
}

uint64_t hc_rd_u64(hc_rd *r)
{
    return get_be(r, 8);
}

void hc_rd_fixed(hc_rd *r, void *out, size_t n)
{
    const uint8_t *p = take(r, n);
    if (p)
        memcpy(out, p, n);
    else if (n)
        memset(out, 0, n);
}

void hc_rd_bytes(hc_rd *r, const uint8_t **p, size_t *len, size_t max)
{
    uint32_t n = hc_rd_u32(r);
    *p = NULL;
    *len = 0;
    if (r->err)
        return;
    if (n > max) {
        r->err = HC_ERR_CORRUPT;
        return;
    }
    const uint8_t *q = take(r, n);
    if (q) {
        *p = q;
        *len = n;
    }
}

hc_err hc_rd_done(const hc_rd *r)
{
    if (r->err)
        return r->err;
    return r->left ? HC_ERR_CORRUPT : HC_OK;
}

#include <string.h>

#include "haechi/rlp.h"

/* Writes the header for a payload of len bytes with short-form base
 * (0x80 strings, 0xc0 lists) into h; returns the header size. */
static size_t header(uint8_t h[9], uint8_t base, uint64_t len)
{
    if (len < 56) {
        h[0] = (uint8_t)(base + len);
        return 1;
    }
    uint8_t be[8];
    size_t n = 0;
    for (uint64_t v = len; v; v >>= 8)
        n++;
    for (size_t i = 0; i < n; i++)
        be[i] = (uint8_t)(len >> (8 * (n - 1 - i)));
    h[0] = (uint8_t)(base + 55 + n);
    memcpy(h + 1, be, n);
    return 1 + n;
}

hc_err hc_rlp_put_bytes(hc_buf *b, const uint8_t *p, size_t n)
{
    uint8_t h[9];
    if (n == 1 && p[0] < 0x80)
        return hc_buf_append_byte(b, p[0]);
    size_t hn = header(h, 0x80, n);
    hc_err err = hc_buf_reserve(b, hn + n);
    if (err)
        return err;
    memcpy(b->data + b->len, h, hn);
    if (n)
        memcpy(b->data + b->len + hn, p, n);
    b->len += hn + n;
    return HC_OK;
}

hc_err hc_rlp_put_u64(hc_buf *b, uint64_t v)
{
    uint8_t be[8];
    size_t n = 0;
    for (uint64_t t = v; t; t >>= 8)
        n++;
    for (size_t i = 0; i < n; i++)
        be[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return hc_rlp_put_bytes(b, be, n);
}

hc_err hc_rlp_put_u256(hc_buf *b, const hc_u256 *v)
{
    uint8_t be[32];
    size_t n = hc_u256_to_be_min(be, v);
    return hc_rlp_put_bytes(b, be, n);
}

hc_err hc_rlp_put_raw(hc_buf *b, const uint8_t *p, size_t n)
{
    return hc_buf_append(b, p, n);
}

size_t hc_rlp_list_begin(const hc_buf *b)
{
    return b->len;
}

hc_err hc_rlp_list_end(hc_buf *b, size_t mark)
{
    uint8_t h[9];
    if (mark > b->len)
        return HC_ERR_ARG;
    size_t hn = header(h, 0xc0, b->len - mark);
    return hc_buf_insert(b, mark, h, hn);
}

hc_err hc_rlp_next(hc_rlp_item *out, size_t *used, const uint8_t *in,
                   size_t len)
{
    if (len == 0)
        return HC_ERR_RLP_TRUNCATED;
    uint8_t b0 = in[0];
    size_t hlen, plen;
    int is_list = b0 >= 0xc0;
    if (b0 < 0x80) {
        hlen = 0;
        plen = 1;
    } else if (b0 <= 0xb7 || (b0 >= 0xc0 && b0 <= 0xf7)) {
        hlen = 1;
        plen = (size_t)(b0 - (is_list ? 0xc0 : 0x80));
        /* a single byte below 0x80 must be encoded as itself */
        if (!is_list && plen == 1) {
            if (len < 2)
                return HC_ERR_RLP_TRUNCATED;
            if (in[1] < 0x80)
                return HC_ERR_RLP_NONCANONICAL;
        }
    } else {
        size_t ll = (size_t)(b0 - (is_list ? 0xf7 : 0xb7));
        if (len < 1 + ll)
            return HC_ERR_RLP_TRUNCATED;
        if (in[1] == 0)
            return HC_ERR_RLP_NONCANONICAL; /* length with leading zeros */
        if (ll > sizeof(size_t))
            return HC_ERR_RLP_TRUNCATED; /* cannot fit in memory anyway */
        uint64_t v = 0;
        for (size_t i = 0; i < ll; i++)
            v = v << 8 | in[1 + i];
        if (v < 56)
            return HC_ERR_RLP_NONCANONICAL; /* long form for a short payload */
        hlen = 1 + ll;
        plen = (size_t)v;
    }
    if (plen > len - hlen)
        return HC_ERR_RLP_TRUNCATED;
    out->p = in + hlen;
    out->len = plen;
    out->is_list = is_list;
    out->raw = in;
    out->raw_len = hlen + plen;
    *used = hlen + plen;
    return HC_OK;
}

static hc_err validate(const hc_rlp_item *item, int depth)
{
    if (!item->is_list)
        return HC_OK;
    if (depth >= HC_RLP_MAX_DEPTH)
        return HC_ERR_RLP_DEPTH;
    const uint8_t *p = item->p;
    size_t left = item->len;
    while (left) {
        hc_rlp_item sub;
        size_t used;
        hc_err err = hc_rlp_next(&sub, &used, p, left);
        if (err)
            return err;
        err = validate(&sub, depth + 1);
        if (err)
            return err;
        p += used;
        left -= used;
    }
    return HC_OK;
}

hc_err hc_rlp_decode(hc_rlp_item *out, const uint8_t *in, size_t len)
{
    size_t used;
    if (!out || (!in && len))
        return HC_ERR_ARG;
    hc_err err = hc_rlp_next(out, &used, in, len);
    if (err)
        return err;
    if (used != len)
        return HC_ERR_RLP_TRAILING;
    return validate(out, 0);
}

hc_err hc_rlp_iter_init(hc_rlp_iter *it, const hc_rlp_item *list)
{
    if (!list->is_list)
        return HC_ERR_RLP_TYPE;
    it->p = list->p;
    it->left = list->len;
    return HC_OK;
}

hc_err hc_rlp_iter_next(hc_rlp_iter *it, hc_rlp_item *out)
{
    size_t used;
    if (it->left == 0)
        return HC_ERR_NOT_FOUND;
    hc_err err = hc_rlp_next(out, &used, it->p, it->left);
    if (err)
        return err;
    it->p += used;
    it->left -= used;
    return HC_OK;
}

hc_err hc_rlp_list_count(const hc_rlp_item *list, size_t *count)
{
    hc_rlp_iter it;
    hc_rlp_item item;
    size_t n = 0;
    hc_err err = hc_rlp_iter_init(&it, list);
    if (err)
        return err;
    while ((err = hc_rlp_iter_next(&it, &item)) == HC_OK)
        n++;
    if (err != HC_ERR_NOT_FOUND)
        return err;
    *count = n;
    return HC_OK;
}

hc_err hc_rlp_get_u256(const hc_rlp_item *it, hc_u256 *out)
{
    if (it->is_list)
        return HC_ERR_RLP_TYPE;
    if (it->len > 0 && it->p[0] == 0)
        return HC_ERR_RLP_LEADING_ZERO;
    if (it->len > 32)
        return HC_ERR_OVERFLOW;
    return hc_u256_from_be(out, it->p, it->len);
}

hc_err hc_rlp_get_u64(const hc_rlp_item *it, uint64_t *out)
{
    if (it->is_list)
        return HC_ERR_RLP_TYPE;
    if (it->len > 0 && it->p[0] == 0)
        return HC_ERR_RLP_LEADING_ZERO;
    if (it->len > 8)
        return HC_ERR_OVERFLOW;
    uint64_t v = 0;
    for (size_t i = 0; i < it->len; i++)
        v = v << 8 | it->p[i];
    *out = v;
    return HC_OK;
}

hc_err hc_rlp_get_fixed(const hc_rlp_item *it, uint8_t *out, size_t n)
{
    if (it->is_list)
        return HC_ERR_RLP_TYPE;
    if (it->len != n)
        return HC_ERR_LENGTH;
    memcpy(out, it->p, n);
    return HC_OK;
}

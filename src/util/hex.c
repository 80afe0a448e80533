#include <stdlib.h>
#include <string.h>

#include "haechi/hex.h"

/* A hex digit's value + 1 by character; 0: not a hex digit. (Receipts
 * bring hundreds of hex strings per transaction: a table, not branches.) */
static const uint8_t digit_plus1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,
    ['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
    ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
    ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int digit(char c)
{
    return (int)digit_plus1[(unsigned char)c] - 1;
}

static hc_err strip_prefix(const char **s, size_t *slen, unsigned flags)
{
    int has =
        *slen >= 2 && (*s)[0] == '0' && ((*s)[1] == 'x' || (*s)[1] == 'X');
    if (flags == HC_HEX_PREFIX_REQUIRED && !has)
        return HC_ERR_HEX_PREFIX;
    if (flags == HC_HEX_PREFIX_FORBIDDEN && has)
        return HC_ERR_HEX_DIGIT;
    if (has) {
        *s += 2;
        *slen -= 2;
    }
    return HC_OK;
}

hc_err hc_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len,
                     const char *s, size_t slen, unsigned flags)
{
    if (!s || !out_len || (!out && out_cap))
        return HC_ERR_ARG;
    hc_err err = strip_prefix(&s, &slen, flags);
    if (err)
        return err;
    if (slen % 2)
        return HC_ERR_HEX_ODD;
    if (slen / 2 > out_cap)
        return HC_ERR_BUFFER;
    for (size_t i = 0; i < slen; i += 2) {
        unsigned hi = digit_plus1[(unsigned char)s[i]],
                 lo = digit_plus1[(unsigned char)s[i + 1]];
        if (!hi || !lo)
            return HC_ERR_HEX_DIGIT;
        out[i / 2] = (uint8_t)((hi - 1) << 4 | (lo - 1));
    }
    *out_len = slen / 2;
    return HC_OK;
}

hc_err hc_hex_decode_fixed(uint8_t *out, size_t n, const char *s,
                           unsigned flags)
{
    if (!s)
        return HC_ERR_ARG;
    size_t slen = strlen(s);
    const char *p = s;
    size_t plen = slen;
    hc_err err = strip_prefix(&p, &plen, flags);
    if (err)
        return err;
    if (plen % 2 == 0 && plen / 2 != n) {
        /* report a bad digit before a bad length: the more useful message */
        for (size_t i = 0; i < plen; i++)
            if (digit(p[i]) < 0)
                return HC_ERR_HEX_DIGIT;
        return HC_ERR_LENGTH;
    }
    size_t got;
    err = hc_hex_decode(out, n, &got, s, slen, flags);
    if (err == HC_ERR_BUFFER)
        return HC_ERR_LENGTH;
    return err;
}

hc_err hc_hex_decode_buf(hc_buf *b, const char *s, unsigned flags)
{
    if (!s)
        return HC_ERR_ARG;
    size_t slen = strlen(s);
    const char *p = s;
    size_t plen = slen;
    hc_err err = strip_prefix(&p, &plen, flags);
    if (err)
        return err;
    if (plen % 2)
        return HC_ERR_HEX_ODD;
    if (plen == 0)
        return HC_OK;
    err = hc_buf_reserve(b, plen / 2);
    if (err)
        return err;
    size_t got;
    err = hc_hex_decode(b->data + b->len, plen / 2, &got, p, plen,
                        HC_HEX_PREFIX_FORBIDDEN);
    if (err)
        return err;
    b->len += got;
    return HC_OK;
}

char *hc_hex_encode(char *out, const uint8_t *in, size_t n, int prefix)
{
    static const char digits[] = "0123456789abcdef";
    char *p = out;
    if (prefix) {
        *p++ = '0';
        *p++ = 'x';
    }
    for (size_t i = 0; i < n; i++) {
        *p++ = digits[in[i] >> 4];
        *p++ = digits[in[i] & 15];
    }
    *p = 0;
    return out;
}

char *hc_hex_encode_alloc(const uint8_t *in, size_t n, int prefix)
{
    if (n > (SIZE_MAX - 3) / 2)
        return NULL;
    char *out = malloc(2 * n + 3);
    if (!out)
        return NULL;
    return hc_hex_encode(out, in, n, prefix);
}

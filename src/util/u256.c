#include <string.h>

#include "haechi/u256.h"

typedef unsigned __int128 u128;

int hc_u256_is_zero(const hc_u256 *a)
{
    return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

int hc_u256_cmp(const hc_u256 *a, const hc_u256 *b)
{
    for (int i = 3; i >= 0; i--) {
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    }
    return 0;
}

unsigned hc_u256_bits(const hc_u256 *a)
{
    for (int i = 3; i >= 0; i--) {
        if (a->w[i])
            return (unsigned)(64 * i + 64 - __builtin_clzll(a->w[i]));
    }
    return 0;
}

/* a = a * m + add; returns the carry out of the top limb. */
static uint64_t mul_add_small(hc_u256 *a, uint64_t m, uint64_t add)
{
    u128 carry = add;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)a->w[i] * m + carry;
        a->w[i] = (uint64_t)t;
        carry = t >> 64;
    }
    return (uint64_t)carry;
}

hc_err hc_u256_from_dec(hc_u256 *out, const char *s, size_t len)
{
    if (!out || !s)
        return HC_ERR_ARG;
    if (len == 0)
        return HC_ERR_NUMBER;
    hc_u256 r = {{0, 0, 0, 0}};
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return HC_ERR_NUMBER;
        if (mul_add_small(&r, 10, (uint64_t)(s[i] - '0')))
            return HC_ERR_OVERFLOW;
    }
    *out = r;
    return HC_OK;
}

hc_err hc_u256_from_hex(hc_u256 *out, const char *s, size_t len)
{
    if (!out || !s)
        return HC_ERR_ARG;
    if (len < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return HC_ERR_HEX_PREFIX;
    s += 2;
    len -= 2;
    if (len == 0)
        return HC_ERR_NUMBER;
    hc_u256 r = {{0, 0, 0, 0}};
    size_t sig = 0; /* significant digits seen */
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        unsigned v;
        if (c >= '0' && c <= '9')
            v = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v = (unsigned)(c - 'A' + 10);
        else
            return HC_ERR_HEX_DIGIT;
        if (sig || v)
            sig++;
        if (sig > 64)
            return HC_ERR_OVERFLOW;
        r.w[3] = r.w[3] << 4 | r.w[2] >> 60;
        r.w[2] = r.w[2] << 4 | r.w[1] >> 60;
        r.w[1] = r.w[1] << 4 | r.w[0] >> 60;
        r.w[0] = r.w[0] << 4 | v;
    }
    *out = r;
    return HC_OK;
}

hc_err hc_u256_parse(hc_u256 *out, const char *s)
{
    if (!s)
        return HC_ERR_ARG;
    size_t len = strlen(s);
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return hc_u256_from_hex(out, s, len);
    return hc_u256_from_dec(out, s, len);
}

hc_err hc_u256_from_be(hc_u256 *out, const uint8_t *in, size_t len)
{
    if (!out || (!in && len))
        return HC_ERR_ARG;
    if (len > 32)
        return HC_ERR_OVERFLOW;
    hc_u256 r = {{0, 0, 0, 0}};
    for (size_t i = 0; i < len; i++) {
        size_t bit = 8 * (len - 1 - i);
        r.w[bit / 64] |= (uint64_t)in[i] << (bit % 64);
    }
    *out = r;
    return HC_OK;
}

void hc_u256_to_be(uint8_t out[32], const hc_u256 *a)
{
    for (int i = 0; i < 32; i++) {
        int bit = 8 * (31 - i);
        out[i] = (uint8_t)(a->w[bit / 64] >> (bit % 64));
    }
}

size_t hc_u256_to_be_min(uint8_t out[32], const hc_u256 *a)
{
    size_t n = (hc_u256_bits(a) + 7) / 8;
    uint8_t full[32];
    hc_u256_to_be(full, a);
    memmove(out, full + 32 - n, n);
    return n;
}

hc_err hc_u256_to_u64(uint64_t *out, const hc_u256 *a)
{
    if (a->w[1] | a->w[2] | a->w[3])
        return HC_ERR_OVERFLOW;
    *out = a->w[0];
    return HC_OK;
}

hc_err hc_u256_add(hc_u256 *out, const hc_u256 *a, const hc_u256 *b)
{
    hc_u256 r;
    u128 carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 t = (u128)a->w[i] + b->w[i] + carry;
        r.w[i] = (uint64_t)t;
        carry = t >> 64;
    }
    if (carry)
        return HC_ERR_OVERFLOW;
    *out = r;
    return HC_OK;
}

hc_err hc_u256_sub(hc_u256 *out, const hc_u256 *a, const hc_u256 *b)
{
    if (hc_u256_cmp(a, b) < 0)
        return HC_ERR_OVERFLOW;
    hc_u256 r;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t x = a->w[i], y = b->w[i];
        uint64_t d = x - y - borrow;
        borrow = (x < y) || (x == y && borrow);
        r.w[i] = d;
    }
    *out = r;
    return HC_OK;
}

hc_err hc_u256_mul(hc_u256 *out, const hc_u256 *a, const hc_u256 *b)
{
    uint64_t r[8] = {0};
    for (int i = 0; i < 4; i++) {
        u128 carry = 0;
        for (int j = 0; j < 4; j++) {
            u128 t = (u128)a->w[i] * b->w[j] + r[i + j] + carry;
            r[i + j] = (uint64_t)t;
            carry = t >> 64;
        }
        r[i + 4] = (uint64_t)carry;
    }
    if (r[4] | r[5] | r[6] | r[7])
        return HC_ERR_OVERFLOW;
    memcpy(out->w, r, sizeof out->w);
    return HC_OK;
}

hc_err hc_u256_divmod_u64(hc_u256 *out, uint64_t *rem, const hc_u256 *a,
                          uint64_t d)
{
    if (d == 0)
        return HC_ERR_ARG;
    hc_u256 q;
    u128 r = 0;
    for (int i = 3; i >= 0; i--) {
        u128 cur = r << 64 | a->w[i];
        q.w[i] = (uint64_t)(cur / d);
        r = cur % d;
    }
    *out = q;
    if (rem)
        *rem = (uint64_t)r;
    return HC_OK;
}

char *hc_u256_to_dec(char out[HC_U256_DEC_MAX], const hc_u256 *a)
{
    char tmp[HC_U256_DEC_MAX];
    size_t n = 0;
    hc_u256 v = *a;
    do {
        uint64_t r = 0;
        if (hc_u256_divmod_u64(&v, &r, &v, 10))
            break; /* cannot happen: the divisor is not zero */
        tmp[n++] = (char)('0' + r);
    } while (!hc_u256_is_zero(&v));
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = 0;
    return out;
}

char *hc_u256_to_hex(char out[HC_U256_HEX_MAX], const hc_u256 *a)
{
    static const char digits[] = "0123456789abcdef";
    char *p = out;
    *p++ = '0';
    *p++ = 'x';
    unsigned bits = hc_u256_bits(a);
    int nd = bits ? (int)((bits + 3) / 4) : 1;
    for (int i = nd - 1; i >= 0; i--) {
        unsigned bit = (unsigned)i * 4;
        *p++ = digits[(a->w[bit / 64] >> (bit % 64)) & 15];
    }
    *p = 0;
    return out;
}

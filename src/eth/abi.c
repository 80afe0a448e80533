/* Ethereum ABI encoding and decoding (Solidity documentation, "Contract ABI
 * Specification"), restricted to the types listed in abi.h. */
#include <stdio.h>
#include <string.h>

#include "haechi/abi.h"
#include "haechi/keccak.h"

#define WORD          HC_ABI_WORD
#define SIG_MAX_DEPTH 16 /* nesting of tuple types in a signature */

static const uint8_t zero_word[WORD];

/* ---- signatures */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
           c == '_' || c == '$';
}

/* Skips an identifier; returns its end, or NULL if s does not start one. */
static const char *skip_ident(const char *s)
{
    if (!is_ident(*s) || is_digit(*s))
        return NULL;
    while (is_ident(*s))
        s++;
    return s;
}

/* Aliases that are not canonical in a signature ("uint" is "uint256"). */
static int is_alias(const char *s, size_t n)
{
    static const char *const aliases[] = {"uint", "int", "byte", "fixed",
                                          "ufixed"};
    for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
        if (strlen(aliases[i]) == n && memcmp(s, aliases[i], n) == 0)
            return 1;
    }
    return 0;
}

static const char *skip_type_list(const char *s, int depth);

/* Skips one type: a name or a tuple "(…)", then any "[]" or "[k]"; returns
 * its end or NULL if malformed. */
static const char *skip_type(const char *s, int depth)
{
    const char *t;
    if (*s == '(') {
        t = skip_type_list(s, depth + 1);
    } else {
        t = skip_ident(s);
        if (t && is_alias(s, (size_t)(t - s)))
            return NULL;
    }
    while (t && *t == '[') {
        t++;
        while (is_digit(*t))
            t++;
        t = *t == ']' ? t + 1 : NULL;
    }
    return t;
}

/* Skips "(" [type ("," type)*] ")"; returns its end or NULL. */
static const char *skip_type_list(const char *s, int depth)
{
    if (depth > SIG_MAX_DEPTH || *s != '(')
        return NULL;
    s++;
    if (*s == ')')
        return s + 1;
    for (;;) {
        s = skip_type(s, depth);
        if (!s)
            return NULL;
        if (*s != ',')
            break;
        s++;
    }
    return *s == ')' ? s + 1 : NULL;
}

/* Checks that sig is name(types) in canonical form; *params receives the
 * position of its '('. */
static hc_err check_sig(const char *sig, const char **params)
{
    const char *s = skip_ident(sig);
    if (!s)
        return HC_ERR_ABI;
    const char *end = skip_type_list(s, 0);
    if (!end || *end)
        return HC_ERR_ABI;
    *params = s;
    return HC_OK;
}

hc_err hc_abi_selector(uint8_t out[HC_ABI_SELECTOR_LEN], const char *sig)
{
    uint8_t h[32];
    if (!out)
        return HC_ERR_ARG;
    hc_err err = hc_abi_event_topic(h, sig);
    if (err)
        return err;
    memcpy(out, h, HC_ABI_SELECTOR_LEN);
    return HC_OK;
}

hc_err hc_abi_event_topic(uint8_t out[32], const char *sig)
{
    const char *params;
    if (!out || !sig)
        return HC_ERR_ARG;
    hc_err err = check_sig(sig, &params);
    if (err)
        return err;
    hc_keccak256(out, sig, strlen(sig));
    return HC_OK;
}

/* ---- types */

static int valid_type(hc_abi_kind kind, unsigned size)
{
    switch (kind) {
    case HC_ABI_UINT:
        return size >= 8 && size <= 256 && size % 8 == 0;
    case HC_ABI_FIXED:
        return size >= 1 && size <= 32;
    case HC_ABI_ADDRESS:
    case HC_ABI_BOOL:
    case HC_ABI_BYTES:
    case HC_ABI_STRING:
        return 1;
    default:
        return 0;
    }
}

/* The size that matters for the type (uintN, bytesN), else 0. */
static unsigned type_size(hc_abi_kind kind, unsigned size)
{
    return kind == HC_ABI_UINT || kind == HC_ABI_FIXED ? size : 0;
}

static int is_dynamic(hc_abi_kind kind)
{
    return kind == HC_ABI_BYTES || kind == HC_ABI_STRING ||
           kind == HC_ABI_ARRAY;
}

#define NAME_MAX_LEN 24

/* Writes the canonical name of v's type ("uint16", "bytes32[]") to out. */
static hc_err type_name(char out[NAME_MAX_LEN], const hc_abi_value *v)
{
    hc_abi_kind kind = v->kind == HC_ABI_ARRAY ? v->elem : v->kind;
    const char *suffix = v->kind == HC_ABI_ARRAY ? "[]" : "";
    if (!valid_type(kind, v->size))
        return HC_ERR_ABI;
    switch (kind) {
    case HC_ABI_UINT:
        snprintf(out, NAME_MAX_LEN, "uint%u%s", v->size, suffix);
        break;
    case HC_ABI_FIXED:
        snprintf(out, NAME_MAX_LEN, "bytes%u%s", v->size, suffix);
        break;
    case HC_ABI_ADDRESS:
        snprintf(out, NAME_MAX_LEN, "address%s", suffix);
        break;
    case HC_ABI_BOOL:
        snprintf(out, NAME_MAX_LEN, "bool%s", suffix);
        break;
    case HC_ABI_BYTES:
        snprintf(out, NAME_MAX_LEN, "bytes%s", suffix);
        break;
    default:
        snprintf(out, NAME_MAX_LEN, "string%s", suffix);
        break;
    }
    return HC_OK;
}

/* ---- encoding */

/* A 32-byte big-endian word holding v. */
static void put_size(uint8_t w[WORD], size_t v)
{
    memset(w, 0, WORD - 8);
    for (int k = 0; k < 8; k++)
        w[WORD - 1 - k] = (uint8_t)((uint64_t)v >> (8 * k));
}

/* Writes a static value (uint, address, bool, bytesN) into its head slot. */
static hc_err put_static(uint8_t w[WORD], const hc_abi_value *v)
{
    memset(w, 0, WORD);
    switch (v->kind) {
    case HC_ABI_UINT:
    case HC_ABI_BOOL:
        if (hc_u256_bits(&v->u) > (v->kind == HC_ABI_BOOL ? 1 : v->size))
            return HC_ERR_OVERFLOW;
        hc_u256_to_be(w, &v->u);
        return HC_OK;
    case HC_ABI_ADDRESS:
        memcpy(w + WORD - HC_ADDRESS_LEN, v->addr.b, HC_ADDRESS_LEN);
        return HC_OK;
    default: /* HC_ABI_FIXED, size checked by the caller */
        memcpy(w, v->fixed, v->size);
        return HC_OK;
    }
}

static hc_err put_tuple(hc_buf *b, const hc_abi_value *v, size_t n);

/* Appends the tail of a dynamic value: bytes and string are length ‖
 * contents ‖ zero padding to a whole word; T[] is count ‖ tuple of items. */
static hc_err put_tail(hc_buf *b, const hc_abi_value *v)
{
    uint8_t w[WORD];
    hc_err err;
    if (v->kind == HC_ABI_ARRAY) {
        if (!v->items && v->count)
            return HC_ERR_ARG;
        unsigned size = type_size(v->elem, v->size);
        for (size_t i = 0; i < v->count; i++) {
            const hc_abi_value *x = &v->items[i];
            if (x->kind != v->elem || type_size(x->kind, x->size) != size)
                return HC_ERR_ABI;
        }
        put_size(w, v->count);
        err = hc_buf_append(b, w, WORD);
        return err ? err : put_tuple(b, v->items, v->count);
    }
    if (!v->p && v->len)
        return HC_ERR_ARG;
    put_size(w, v->len);
    err = hc_buf_append(b, w, WORD);
    if (!err)
        err = hc_buf_append(b, v->p, v->len);
    if (!err && v->len % WORD)
        err = hc_buf_append(b, zero_word, WORD - v->len % WORD);
    return err;
}

/* Appends the head (one word per value: the value, or the offset of its tail
 * from the start of the tuple) and then the tails. */
static hc_err put_tuple(hc_buf *b, const hc_abi_value *v, size_t n)
{
    if (!v && n)
        return HC_ERR_ARG;
    if (n > SIZE_MAX / WORD)
        return HC_ERR_BUFFER;
    size_t start = b->len;
    hc_err err = hc_buf_reserve(b, WORD * n);
    if (err)
        return err;
    if (n)
        memset(b->data + start, 0, WORD * n);
    b->len += WORD * n;
    for (size_t i = 0; i < n; i++) {
        const hc_abi_value *x = &v[i];
        hc_abi_kind kind = x->kind == HC_ABI_ARRAY ? x->elem : x->kind;
        if (!valid_type(kind, x->size))
            return HC_ERR_ABI; /* also rejects arrays of arrays */
        if (is_dynamic(x->kind)) {
            /* b->data may move in put_tail: index it afresh */
            put_size(b->data + start + WORD * i, b->len - start);
            err = put_tail(b, x);
        } else {
            err = put_static(b->data + start + WORD * i, x);
        }
        if (err)
            return err;
    }
    return HC_OK;
}

hc_err hc_abi_encode(hc_buf *b, const hc_abi_value *v, size_t n)
{
    if (!b)
        return HC_ERR_ARG;
    size_t mark = b->len;
    hc_err err = put_tuple(b, v, n);
    if (err)
        b->len = mark;
    return err;
}

hc_err hc_abi_encode_call(hc_buf *b, const char *sig, const hc_abi_value *v,
                          size_t n)
{
    uint8_t sel[HC_ABI_SELECTOR_LEN];
    const char *s;
    if (!b || !sig || (!v && n))
        return HC_ERR_ARG;
    hc_err err = check_sig(sig, &s);
    if (err)
        return err;
    /* the parameter list must be exactly the arguments' type names */
    s++;
    for (size_t i = 0; i < n; i++) {
        char name[NAME_MAX_LEN];
        if (i && *s++ != ',')
            return HC_ERR_ABI;
        err = type_name(name, &v[i]);
        if (err)
            return err;
        size_t k = strlen(name);
        if (strncmp(s, name, k) != 0)
            return HC_ERR_ABI;
        s += k;
    }
    if (strcmp(s, ")") != 0)
        return HC_ERR_ABI;
    err = hc_abi_selector(sel, sig);
    if (err)
        return err;
    size_t mark = b->len;
    err = hc_buf_append(b, sel, sizeof sel);
    if (!err)
        err = hc_abi_encode(b, v, n);
    if (err)
        b->len = mark;
    return err;
}

/* ---- decoding */

void hc_abi_dec_init(hc_abi_dec *d, const uint8_t *data, size_t len)
{
    d->base = data;
    d->len = data ? len : 0;
    d->n = d->len / WORD;
}

hc_err hc_abi_dec_init_call(hc_abi_dec *d,
                            const uint8_t sel[HC_ABI_SELECTOR_LEN],
                            const uint8_t *data, size_t len)
{
    if (!d || !sel || (!data && len))
        return HC_ERR_ARG;
    if (len < HC_ABI_SELECTOR_LEN)
        return HC_ERR_ABI;
    if (memcmp(data, sel, HC_ABI_SELECTOR_LEN) != 0)
        return HC_ERR_NOT_FOUND;
    hc_abi_dec_init(d, data + HC_ABI_SELECTOR_LEN, len - HC_ABI_SELECTOR_LEN);
    return HC_OK;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* The head slot i of d. */
static hc_err get_slot(const hc_abi_dec *d, size_t i, const uint8_t **w)
{
    if (!d)
        return HC_ERR_ARG;
    if (i >= d->n)
        return HC_ERR_ABI;
    *w = d->base + WORD * i;
    return HC_OK;
}

/* A word holding an offset, a length or a count: it must fit in size_t. */
static hc_err get_size(const uint8_t w[WORD], size_t *out)
{
    if (!all_zero(w, WORD - 8))
        return HC_ERR_ABI;
    uint64_t v = 0;
    for (int k = WORD - 8; k < WORD; k++)
        v = v << 8 | w[k];
#if SIZE_MAX < UINT64_MAX
    if (v > SIZE_MAX)
        return HC_ERR_ABI;
#endif
    *out = (size_t)v;
    return HC_OK;
}

/* Follows the offset in slot i to a tail that starts with a length or count
 * word: *n receives that word, *body the position after it and *avail the
 * bytes from *body to the end of the data. */
static hc_err get_tail(const hc_abi_dec *d, size_t i, const uint8_t **body,
                       size_t *avail, size_t *n)
{
    const uint8_t *w;
    size_t off;
    hc_err err = get_slot(d, i, &w);
    if (!err)
        err = get_size(w, &off);
    if (err)
        return err;
    if (off > d->len || d->len - off < WORD)
        return HC_ERR_ABI;
    err = get_size(d->base + off, n);
    if (err)
        return err;
    *body = d->base + off + WORD;
    *avail = d->len - off - WORD;
    return HC_OK;
}

hc_err hc_abi_get_uint(const hc_abi_dec *d, size_t i, unsigned bits,
                       hc_u256 *out)
{
    const uint8_t *w;
    hc_u256 v;
    if (!out || !valid_type(HC_ABI_UINT, bits))
        return HC_ERR_ARG;
    hc_err err = get_slot(d, i, &w);
    if (err)
        return err;
    if (!all_zero(w, WORD - bits / 8))
        return HC_ERR_ABI;
    err = hc_u256_from_be(&v, w, WORD);
    if (err)
        return err;
    *out = v;
    return HC_OK;
}

hc_err hc_abi_get_u64(const hc_abi_dec *d, size_t i, unsigned bits,
                      uint64_t *out)
{
    hc_u256 v;
    if (!out || bits > 64)
        return HC_ERR_ARG;
    hc_err err = hc_abi_get_uint(d, i, bits, &v);
    if (!err)
        err = hc_u256_to_u64(out, &v);
    return err;
}

hc_err hc_abi_get_address(const hc_abi_dec *d, size_t i, hc_address *out)
{
    const uint8_t *w;
    if (!out)
        return HC_ERR_ARG;
    hc_err err = get_slot(d, i, &w);
    if (err)
        return err;
    if (!all_zero(w, WORD - HC_ADDRESS_LEN))
        return HC_ERR_ABI;
    memcpy(out->b, w + WORD - HC_ADDRESS_LEN, HC_ADDRESS_LEN);
    return HC_OK;
}

hc_err hc_abi_get_bool(const hc_abi_dec *d, size_t i, int *out)
{
    const uint8_t *w;
    if (!out)
        return HC_ERR_ARG;
    hc_err err = get_slot(d, i, &w);
    if (err)
        return err;
    if (!all_zero(w, WORD - 1) || w[WORD - 1] > 1)
        return HC_ERR_ABI;
    *out = w[WORD - 1];
    return HC_OK;
}

hc_err hc_abi_get_fixed(const hc_abi_dec *d, size_t i, uint8_t *out, size_t n)
{
    const uint8_t *w;
    if (!out || n < 1 || n > WORD)
        return HC_ERR_ARG;
    hc_err err = get_slot(d, i, &w);
    if (err)
        return err;
    if (!all_zero(w + n, WORD - n))
        return HC_ERR_ABI;
    memcpy(out, w, n);
    return HC_OK;
}

hc_err hc_abi_get_bytes(const hc_abi_dec *d, size_t i, const uint8_t **p,
                        size_t *len)
{
    const uint8_t *body;
    size_t avail, n;
    if (!p || !len)
        return HC_ERR_ARG;
    hc_err err = get_tail(d, i, &body, &avail, &n);
    if (err)
        return err;
    if (n > avail)
        return HC_ERR_ABI;
    *p = body;
    *len = n;
    return HC_OK;
}

hc_err hc_abi_get_array(const hc_abi_dec *d, size_t i, hc_abi_dec *elems,
                        size_t *count)
{
    const uint8_t *body;
    size_t avail, n;
    if (!elems || !count)
        return HC_ERR_ARG;
    hc_err err = get_tail(d, i, &body, &avail, &n);
    if (err)
        return err;
    if (n > avail / WORD)
        return HC_ERR_ABI; /* every element has a head slot */
    elems->base = body;
    elems->len = avail;
    elems->n = n;
    *count = n;
    return HC_OK;
}

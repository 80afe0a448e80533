/* metadata.c — validation of a mint's metadata and the deterministic
 * rendering of the ERC-721 metadata JSON whose SHA-256 is committed on chain.
 *
 * Three passes over the input:
 *   1. a strict RFC 8259 scanner over the raw bytes: grammar, UTF-8 (inside
 *      strings), escapes (no \u0000, no unpaired surrogates), no raw control
 *      characters, nesting depth, number length. It tracks the path so that
 *      its errors name the field. cJSON is lenient on all of these, so it
 *      only ever sees input this scanner accepted.
 *   2. cJSON builds the tree.
 *   3. the schema walk: known fields only, each at most once, types,
 *      lengths in code points, control characters, URLs, media type,
 *      numbers.
 * The output is written by a small JSON writer of our own (not cJSON's
 * printer), so that its bytes depend on nothing but the input: see
 * docs/metadata.md for the exact format.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "haechi/hex.h"
#include "haechi/metadata.h"

#define NAME_MAX_CHARS    200
#define DESC_MAX_CHARS    2000
#define URL_MAX_BYTES     2048
#define MEDIA_MAX_BYTES   127
#define LICENSE_MAX_CHARS 100
#define ATTR_MAX_ITEMS    64
#define ATTR_MAX_CHARS    200
#define BPS_MAX           10000
/* The schema needs 3 levels ({"attributes": [{…}]}); a little more is
 * accepted so that a wrongly typed value is reported as such. cJSON's own
 * limit (CJSON_NESTING_LIMIT, 1000) is never reached. */
#define DEPTH_MAX 16
/* cJSON copies at most 63 characters of a number before strtod. */
#define NUMBER_MAX_LEN 63
/* Largest integer a double (and so a JSON number, RFC 7493) holds exactly. */
#define SAFE_INT 9007199254740991.0

/* --- UTF-8 ------------------------------------------------------------ */

/* Decodes the sequence at p[0..n) (n >= 1): its length (1..4) and *cp, or 0
 * if it is not the shortest form of a Unicode scalar value (Unicode 15,
 * table 3-7: no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v;
    uint8_t lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0; /* continuation byte, C0, C1, F5..FF */
    }
    if (n < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        uint8_t b = p[k];
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF))
            return 0;
        v = (v << 6) | (b & 0x3Fu);
    }
    *cp = v;
    return len;
}

int hc_utf8_valid(const uint8_t *p, size_t n)
{
    uint32_t cp;
    if (!p)
        return n == 0;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_next(p + i, n - i, &cp);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

/* Unicode general category Cc: C0, DEL and C1. */
static int is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* White_Space, plus the invisible characters that make a name look empty
 * (zero-width space/joiners, word joiner, BOM, the Hangul fillers). */
static int is_blank(uint32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 ||
           cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200D) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
           cp == 0x2060 || cp == 0x3000 || cp == 0xFEFF || cp == 0x115F ||
           cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0;
}

/* --- problems ---------------------------------------------------------- */

/* Copies src (n bytes, valid UTF-8 or not) to dst (cap bytes), whole code
 * points only, control characters and invalid bytes as '?'. */
static void field_copy(char *dst, size_t cap, size_t *dlen, const char *src,
                       size_t n)
{
    size_t d = *dlen;
    const uint8_t *s = (const uint8_t *)src;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_next(s + i, n - i, &cp);
        if (!k || is_control(cp)) {
            if (d + 1 >= cap)
                break;
            dst[d++] = '?';
            i += k ? k : 1;
            continue;
        }
        if (d + k >= cap)
            break;
        memcpy(dst + d, s + i, k);
        d += k;
        i += k;
    }
    dst[d] = 0;
    *dlen = d;
}

/* out = parent "." key (just key at the top level). */
static void field_key(char out[64], const char *parent, const char *key,
                      size_t key_len)
{
    size_t n = 0;
    out[0] = 0;
    field_copy(out, 64, &n, parent, strlen(parent));
    if (n && n + 1 < 64) {
        out[n++] = '.';
        out[n] = 0;
    }
    field_copy(out, 64, &n, key, key_len);
}

/* out = parent "[" index "]". */
static void field_index(char out[64], const char *parent, size_t index)
{
    size_t n = 0;
    char tmp[24];
    out[0] = 0;
    field_copy(out, 64, &n, parent, strlen(parent));
    snprintf(tmp, sizeof tmp, "[%zu]", index);
    field_copy(out, 64, &n, tmp, strlen(tmp));
}

__attribute__((format(printf, 3, 4))) static hc_err
problem(hc_meta_problem *pb, const char *field, const char *fmt, ...)
{
    size_t n = 0;
    va_list ap;
    field_copy(pb->field, sizeof pb->field, &n, field, strlen(field));
    va_start(ap, fmt);
    vsnprintf(pb->message, sizeof pb->message, fmt, ap);
    va_end(ap);
    return HC_ERR_INVALID;
}

/* --- pass 1: the strict scanner ---------------------------------------- */

typedef struct frame {
    int array;
    int member;      /* a member (key or element) is being scanned */
    size_t index;    /* arrays: the element */
    size_t key, len; /* objects: the raw key (between the quotes) */
} frame;

typedef struct scanner {
    const uint8_t *p;
    size_t n, i;
    int depth;
    frame fr[DEPTH_MAX];
    hc_meta_problem *pb;
} scanner;

static int hex4(const uint8_t *p, uint32_t *out);

/* Decodes p[0..n), the text of a string the scanner accepted (so its
 * escapes are valid and its surrogates paired), into out: at most cap - 1
 * bytes of whole characters; returns the length. */
static size_t unescape(char *out, size_t cap, const uint8_t *p, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n;) {
        uint8_t enc[4];
        size_t k = 1;
        uint32_t cp = p[i];
        if (cp == '\\') {
            uint8_t e = p[i + 1];
            i += 2;
            if (e != 'u') {
                const char *from = "bfnrt", *to = "\b\f\n\r\t";
                const char *at = strchr(from, e);
                enc[0] = at ? (uint8_t)to[at - from] : e;
            } else {
                (void)hex4(p + i, &cp);
                i += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo = 0xDC00;
                    (void)hex4(p + i + 2, &lo);
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
                if (cp < 0x80) {
                    enc[0] = (uint8_t)cp;
                } else if (cp < 0x800) {
                    enc[0] = (uint8_t)(0xC0 | cp >> 6);
                    enc[1] = (uint8_t)(0x80 | (cp & 0x3F));
                    k = 2;
                } else if (cp < 0x10000) {
                    enc[0] = (uint8_t)(0xE0 | cp >> 12);
                    enc[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
                    enc[2] = (uint8_t)(0x80 | (cp & 0x3F));
                    k = 3;
                } else {
                    enc[0] = (uint8_t)(0xF0 | cp >> 18);
                    enc[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
                    enc[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
                    enc[3] = (uint8_t)(0x80 | (cp & 0x3F));
                    k = 4;
                }
            }
        } else {
            if (!(k = utf8_next(p + i, n - i, &cp)))
                break; /* cannot happen: the scanner checked it */
            memcpy(enc, p + i, k);
            i += k;
        }
        if (d + k >= cap)
            break;
        memcpy(out + d, enc, k);
        d += k;
    }
    out[d] = 0;
    return d;
}

/* The path of the member being scanned, from the frames. */
static void scan_path(const scanner *s, char out[64])
{
    char tmp[64], key[64];
    out[0] = 0;
    for (int d = 0; d < s->depth && s->fr[d].member; d++) {
        memcpy(tmp, out, 64);
        if (s->fr[d].array) {
            field_index(out, tmp, s->fr[d].index);
        } else {
            size_t n =
                unescape(key, sizeof key, s->p + s->fr[d].key, s->fr[d].len);
            field_key(out, tmp, key, n);
        }
    }
}

__attribute__((format(printf, 2, 3))) static hc_err
scan_fail(scanner *s, const char *fmt, ...)
{
    char path[64], msg[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    scan_path(s, path);
    return problem(s->pb, path, "%s at byte %zu", msg, s->i);
}

static void scan_ws(scanner *s)
{
    while (s->i < s->n && (s->p[s->i] == ' ' || s->p[s->i] == '\t' ||
                           s->p[s->i] == '\n' || s->p[s->i] == '\r'))
        s->i++;
}

/* The byte at s->i starts no valid token. */
static hc_err scan_unexpected(scanner *s)
{
    uint32_t cp;
    uint8_t c;
    if (s->i >= s->n)
        return scan_fail(s, "unexpected end of the JSON text");
    c = s->p[s->i];
    if (c == 0)
        return scan_fail(s, "NUL byte");
    if (c >= 0x80 && !utf8_next(s->p + s->i, s->n - s->i, &cp))
        return scan_fail(s, "invalid UTF-8");
    if (c > 0x20 && c < 0x7F)
        return scan_fail(s, "unexpected character '%c'", c);
    return scan_fail(s, "unexpected character");
}

static int hex4(const uint8_t *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        uint8_t c = p[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

/* A string, s->i at its opening quote. */
static hc_err scan_string(scanner *s)
{
    const uint8_t *p = s->p;
    s->i++;
    for (;;) {
        uint32_t cp;
        if (s->i >= s->n)
            return scan_fail(s, "unterminated string");
        uint8_t c = p[s->i];
        if (c == '"') {
            s->i++;
            return HC_OK;
        }
        if (c == 0)
            return scan_fail(s, "NUL byte in a string");
        if (c < 0x20)
            return scan_fail(s, "unescaped control character in a string");
        if (c >= 0x80) {
            size_t k = utf8_next(p + s->i, s->n - s->i, &cp);
            if (!k)
                return scan_fail(s, "invalid UTF-8");
            s->i += k;
            continue;
        }
        if (c != '\\') {
            s->i++;
            continue;
        }
        if (s->i + 1 >= s->n)
            return scan_fail(s, "unterminated string");
        c = p[s->i + 1];
        if (c && strchr("\"\\/bfnrt", c)) {
            s->i += 2;
            continue;
        }
        if (c != 'u')
            return scan_fail(s, "invalid escape in a string");
        if (s->n - s->i < 6 || !hex4(p + s->i + 2, &cp))
            return scan_fail(s, "invalid \\u escape");
        if (cp == 0)
            return scan_fail(s, "NUL (\\u0000) in a string");
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return scan_fail(s, "unpaired surrogate in a \\u escape");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (s->n - s->i < 12 || p[s->i + 6] != '\\' || p[s->i + 7] != 'u' ||
                !hex4(p + s->i + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                return scan_fail(s, "unpaired surrogate in a \\u escape");
            s->i += 12;
            continue;
        }
        s->i += 6;
    }
}

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static hc_err scan_number(scanner *s)
{
    const uint8_t *p = s->p;
    size_t start = s->i;
    if (p[s->i] == '-')
        s->i++;
    if (s->i < s->n && p[s->i] == '0') {
        s->i++;
    } else if (s->i < s->n && is_digit(p[s->i])) {
        while (s->i < s->n && is_digit(p[s->i]))
            s->i++;
    } else {
        return scan_fail(s, "invalid number");
    }
    if (s->i < s->n && p[s->i] == '.') {
        s->i++;
        if (s->i >= s->n || !is_digit(p[s->i]))
            return scan_fail(s, "invalid number");
        while (s->i < s->n && is_digit(p[s->i]))
            s->i++;
    }
    if (s->i < s->n && (p[s->i] == 'e' || p[s->i] == 'E')) {
        s->i++;
        if (s->i < s->n && (p[s->i] == '+' || p[s->i] == '-'))
            s->i++;
        if (s->i >= s->n || !is_digit(p[s->i]))
            return scan_fail(s, "invalid number");
        while (s->i < s->n && is_digit(p[s->i]))
            s->i++;
    }
    if (s->i - start > NUMBER_MAX_LEN) {
        s->i = start;
        return scan_fail(s, "number longer than %d characters", NUMBER_MAX_LEN);
    }
    return HC_OK;
}

static hc_err scan_literal(scanner *s, const char *word)
{
    size_t k = strlen(word);
    if (s->n - s->i < k || memcmp(s->p + s->i, word, k) != 0)
        return scan_unexpected(s);
    s->i += k;
    return HC_OK;
}

static hc_err scan_value(scanner *s);

/* An object or array, s->i at its opening bracket. */
static hc_err scan_container(scanner *s, int array)
{
    const uint8_t close = array ? ']' : '}';
    if (s->depth == DEPTH_MAX)
        return scan_fail(s, "nested more than %d levels deep", DEPTH_MAX);
    frame *f = &s->fr[s->depth++];
    memset(f, 0, sizeof *f);
    f->array = array;
    s->i++;
    scan_ws(s);
    if (s->i < s->n && s->p[s->i] == close) {
        s->i++;
        s->depth--;
        return HC_OK;
    }
    for (;;) {
        hc_err err;
        scan_ws(s);
        if (!array) {
            if (s->i >= s->n)
                return scan_unexpected(s);
            if (s->p[s->i] != '"')
                return scan_fail(s, "expected a field name in double quotes");
            size_t key = s->i + 1;
            if ((err = scan_string(s)))
                return err;
            f->key = key;
            f->len = s->i - 1 - key;
            scan_ws(s);
            if (s->i >= s->n || s->p[s->i] != ':')
                return s->i >= s->n ? scan_unexpected(s)
                                    : scan_fail(s, "expected ':'");
            s->i++;
        }
        f->member = 1;
        if ((err = scan_value(s)))
            return err;
        /* errors up to the next ',' name the member just scanned */
        scan_ws(s);
        if (s->i >= s->n)
            return scan_unexpected(s);
        if (s->p[s->i] == ',') {
            s->i++;
            f->index++;
            f->member = 0;
            continue;
        }
        if (s->p[s->i] == close) {
            s->i++;
            s->depth--;
            return HC_OK;
        }
        return scan_fail(s,
                         array ? "expected ',' or ']'" : "expected ',' or '}'");
    }
}

static hc_err scan_value(scanner *s)
{
    scan_ws(s);
    if (s->i >= s->n)
        return scan_unexpected(s);
    switch (s->p[s->i]) {
    case '{':
        return scan_container(s, 0);
    case '[':
        return scan_container(s, 1);
    case '"':
        return scan_string(s);
    case 't':
        return scan_literal(s, "true");
    case 'f':
        return scan_literal(s, "false");
    case 'n':
        return scan_literal(s, "null");
    default:
        if (s->p[s->i] == '-' || is_digit(s->p[s->i]))
            return scan_number(s);
        return scan_unexpected(s);
    }
}

static hc_err scan(const uint8_t *p, size_t n, hc_meta_problem *pb)
{
    scanner s = {.p = p, .n = n, .pb = pb};
    hc_err err;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        return problem(pb, "", "starts with a byte order mark (U+FEFF)");
    scan_ws(&s);
    if (s.i >= n)
        return problem(pb, "", "empty: expected a JSON object");
    if (p[s.i] != '{') {
        uint32_t cp;
        if (p[s.i] >= 0x80 && !utf8_next(p + s.i, n - s.i, &cp))
            return scan_unexpected(&s);
        return scan_fail(&s, "expected a JSON object");
    }
    if ((err = scan_value(&s)))
        return err;
    scan_ws(&s);
    if (s.i != n)
        return s.p[s.i] == 0 ? scan_fail(&s, "NUL byte")
                             : scan_fail(&s, "data after the JSON object");
    return HC_OK;
}

/* --- pass 3: the schema ------------------------------------------------ */

enum { KO, EN };

typedef struct meta {
    hc_address creator;
    const char *name[2]; /* ko, en; NULL if absent */
    const char *desc[2];
    const char *image, *animation_url, *external_url, *license;
    const cJSON *attrs; /* NULL if absent or empty */
    char media_type[MEDIA_MAX_BYTES + 1];
    uint16_t bps;
} meta;

static int is_absent(const cJSON *v)
{
    return !v || cJSON_IsNull(v);
}

/* Matches the members of object o (at field parent) to names[0..count):
 * found[k] is the member named names[k], NULL if absent. An unknown or
 * repeated member is a problem. */
static hc_err members(const cJSON *o, const char *parent,
                      const char *const *names, size_t count,
                      const cJSON **found, hc_meta_problem *pb)
{
    char field[64];
    for (size_t k = 0; k < count; k++)
        found[k] = NULL;
    for (const cJSON *c = o->child; c; c = c->next) {
        const char *key = c->string ? c->string : "";
        size_t k = 0;
        while (k < count && strcmp(key, names[k]) != 0)
            k++;
        field_key(field, parent, key, strlen(key));
        if (k == count)
            return problem(pb, field, "unknown field");
        if (found[k])
            return problem(pb, field, "appears more than once");
        found[k] = c;
    }
    return HC_OK;
}

#define TEXT_MULTILINE 1u /* tab and newline allowed */
#define TEXT_NONBLANK  2u /* not only white space */

/* A string of min..max code points without control characters. */
static hc_err check_text(const cJSON *v, const char *field, size_t min,
                         size_t max, unsigned flags, const char **out,
                         hc_meta_problem *pb)
{
    if (!cJSON_IsString(v) || !v->valuestring)
        return problem(pb, field, "must be a string");
    const uint8_t *p = (const uint8_t *)v->valuestring;
    size_t n = strlen(v->valuestring), chars = 0;
    int blank = 1;
    for (size_t i = 0; i < n; chars++) {
        uint32_t cp;
        size_t k = utf8_next(p + i, n - i, &cp);
        if (!k)
            return problem(pb, field, "is not valid UTF-8");
        if (is_control(cp) &&
            !((flags & TEXT_MULTILINE) && (cp == '\t' || cp == '\n')))
            return problem(pb, field,
                           (flags & TEXT_MULTILINE)
                               ? "contains a control character (U+%04X); "
                                 "only tab and newline are allowed"
                               : "contains a control character (U+%04X)",
                           (unsigned)cp);
        if (!is_blank(cp))
            blank = 0;
        i += k;
    }
    if (chars < min)
        return problem(pb, field, "must not be empty");
    if (chars > max)
        return problem(pb, field, "must be at most %zu characters, not %zu",
                       max, chars);
    if ((flags & TEXT_NONBLANK) && blank)
        return problem(pb, field, "must not be blank");
    *out = v->valuestring;
    return HC_OK;
}

/* {"ko": …, "en": …}: both optional, but at least one if required. */
static hc_err check_langs(const cJSON *v, const char *field, size_t min,
                          size_t max, unsigned flags, int required,
                          const char *out[2], hc_meta_problem *pb)
{
    static const char *const langs[] = {"ko", "en"};
    const cJSON *m[2];
    char sub[64];
    hc_err err;
    out[KO] = out[EN] = NULL;
    if (!cJSON_IsObject(v))
        return problem(pb, field, "must be an object with ko and/or en");
    if ((err = members(v, field, langs, 2, m, pb)))
        return err;
    for (int k = 0; k < 2; k++) {
        if (is_absent(m[k]))
            continue;
        field_key(sub, field, langs[k], 2);
        if ((err = check_text(m[k], sub, min, max, flags, &out[k], pb)))
            return err;
    }
    if (required && !out[KO] && !out[EN])
        return problem(pb, field, "needs ko or en (or both)");
    return HC_OK;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int is_alpha(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_hex(uint8_t c)
{
    return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
}

/* An absolute URL: scheme https, http, ipfs or ar (any case), "//", a
 * non-empty authority without credentials, then only characters that a URI
 * may contain (RFC 3986; anything else percent-encoded). */
static hc_err check_url(const cJSON *v, const char *field, const char **out,
                        hc_meta_problem *pb)
{
    static const char *const schemes[] = {"https", "http", "ipfs", "ar"};
    if (!cJSON_IsString(v) || !v->valuestring)
        return problem(pb, field, "must be a string");
    const uint8_t *p = (const uint8_t *)v->valuestring;
    size_t n = strlen(v->valuestring), colon = 0, k;
    if (n == 0)
        return problem(pb, field, "must not be empty");
    if (n > URL_MAX_BYTES)
        return problem(pb, field, "must be at most %d bytes, not %zu",
                       URL_MAX_BYTES, n);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c <= 0x20 || c == 0x7F)
            return problem(pb, field,
                           "contains white space or a control character");
        if (c >= 0x80)
            return problem(pb, field,
                           "contains a non-ASCII character "
                           "(percent-encode it)");
        if (strchr("\"<>\\^`{|}", c))
            return problem(pb, field, "contains '%c' (percent-encode it)", c);
        if (c == '%' && (n - i < 3 || !is_hex(p[i + 1]) || !is_hex(p[i + 2])))
            return problem(pb, field, "has a malformed percent-escape");
    }
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
    if (is_alpha(p[0]))
        for (colon = 1; colon < n; colon++)
            if (!is_alpha(p[colon]) && !is_digit(p[colon]) &&
                !strchr("+-.", p[colon]))
                break;
    if (colon == 0 || colon >= n || p[colon] != ':')
        return problem(pb, field,
                       "must be an absolute URL (https, http, "
                       "ipfs or ar)");
    for (k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
        size_t len = strlen(schemes[k]), j = 0;
        if (len != colon)
            continue;
        while (j < len && lower(p[j]) == schemes[k][j])
            j++;
        if (j == len)
            break;
    }
    if (k == sizeof schemes / sizeof schemes[0])
        return problem(pb, field,
                       "URL scheme must be https, http, ipfs or "
                       "ar");
    if (n - colon < 3 || p[colon + 1] != '/' || p[colon + 2] != '/')
        return problem(pb, field, "must have the form scheme://host/...");
    size_t a = colon + 3, e = a;
    while (e < n && p[e] != '/' && p[e] != '?' && p[e] != '#')
        e++;
    if (e == a || p[a] == ':')
        return problem(pb, field, "has no host");
    if (memchr(p + a, '@', e - a))
        return problem(pb, field, "must not contain credentials (user@)");
    *out = v->valuestring;
    return HC_OK;
}

/* restricted-name (RFC 6838 4.2): 1..127 of ALPHA DIGIT !#$&-^_.+, the
 * first ALPHA or DIGIT. */
static size_t mime_name(const uint8_t *p, size_t n)
{
    size_t i = 0;
    if (n == 0 || (!is_alpha(p[0]) && !is_digit(p[0])))
        return 0;
    while (i < n && (is_alpha(p[i]) || is_digit(p[i]) ||
                     (p[i] && strchr("!#$&-^_.+", p[i]))))
        i++;
    return i;
}

/* type "/" subtype, no parameters; kept lowercase. */
static hc_err check_media_type(const cJSON *v, const char *field,
                               char out[MEDIA_MAX_BYTES + 1],
                               hc_meta_problem *pb)
{
    if (!cJSON_IsString(v) || !v->valuestring)
        return problem(pb, field, "must be a string");
    const uint8_t *p = (const uint8_t *)v->valuestring;
    size_t n = strlen(v->valuestring);
    if (n == 0)
        return problem(pb, field, "must not be empty");
    if (n > MEDIA_MAX_BYTES)
        return problem(pb, field, "must be at most %d bytes, not %zu",
                       MEDIA_MAX_BYTES, n);
    size_t t = mime_name(p, n);
    size_t st = t < n && p[t] == '/' ? mime_name(p + t + 1, n - t - 1) : 0;
    if (!t || !st || t + 1 + st != n)
        return problem(pb, field,
                       "must be a media type such as image/png "
                       "(type/subtype, no parameters)");
    for (size_t i = 0; i < n; i++)
        out[i] = (char)lower(p[i]);
    out[n] = 0;
    return HC_OK;
}

static hc_err check_attributes(const cJSON *v, const char *field,
                               const cJSON **out, hc_meta_problem *pb)
{
    static const char *const keys[] = {"trait_type", "value"};
    char item[64], sub[64];
    const cJSON *m[2];
    const char *s;
    size_t idx = 0;
    hc_err err;
    if (!cJSON_IsArray(v))
        return problem(pb, field, "must be an array");
    for (const cJSON *a = v->child; a; a = a->next, idx++) {
        field_index(item, field, idx);
        if (idx == ATTR_MAX_ITEMS)
            return problem(pb, field, "must have at most %d items",
                           ATTR_MAX_ITEMS);
        if (!cJSON_IsObject(a))
            return problem(pb, item,
                           "must be an object with trait_type "
                           "and value");
        if ((err = members(a, item, keys, 2, m, pb)))
            return err;
        field_key(sub, item, keys[0], strlen(keys[0]));
        if (is_absent(m[0]))
            return problem(pb, sub, "is required");
        if ((err = check_text(m[0], sub, 1, ATTR_MAX_CHARS, TEXT_NONBLANK, &s,
                              pb)))
            return err;
        field_key(sub, item, keys[1], strlen(keys[1]));
        if (is_absent(m[1]))
            return problem(pb, sub, "is required");
        if (cJSON_IsNumber(m[1])) {
            double d = m[1]->valuedouble;
            if (!isfinite(d))
                return problem(pb, sub, "number out of range");
            if (d == floor(d) && fabs(d) > SAFE_INT)
                return problem(
                    pb, sub, "integer out of range (magnitude above 2^53 - 1)");
        } else if (cJSON_IsString(m[1])) {
            if ((err = check_text(m[1], sub, 0, ATTR_MAX_CHARS, 0, &s, pb)))
                return err;
        } else {
            return problem(pb, sub, "must be a string or a number");
        }
    }
    *out = idx ? v : NULL;
    return HC_OK;
}

enum {
    T_CREATOR,
    T_NAME,
    T_DESCRIPTION,
    T_IMAGE,
    T_ANIMATION_URL,
    T_EXTERNAL_URL,
    T_MEDIA_TYPE,
    T_LICENSE,
    T_ATTRIBUTES,
    T_ROYALTY_BPS,
    T_COUNT
};

static const char *const top_keys[T_COUNT] = {
    [T_CREATOR] = "creator",
    [T_NAME] = "name",
    [T_DESCRIPTION] = "description",
    [T_IMAGE] = "image",
    [T_ANIMATION_URL] = "animation_url",
    [T_EXTERNAL_URL] = "external_url",
    [T_MEDIA_TYPE] = "media_type",
    [T_LICENSE] = "license",
    [T_ATTRIBUTES] = "attributes",
    [T_ROYALTY_BPS] = "royalty_bps",
};

static hc_err check_creator(const cJSON *v, hc_address *out,
                            hc_meta_problem *pb)
{
    static const hc_address zero;
    if (is_absent(v))
        return problem(pb, "creator", "is required");
    if (!cJSON_IsString(v) || !v->valuestring)
        return problem(pb, "creator", "must be a string");
    const char *s = v->valuestring;
    if (strlen(s) != 42 || s[0] != '0' || s[1] != 'x')
        return problem(pb, "creator",
                       "must be an address: 0x and 40 hex digits");
    hc_err err = hc_address_parse(out, s);
    if (err == HC_ERR_CHECKSUM)
        return problem(pb, "creator",
                       "mixed-case address fails its EIP-55 "
                       "checksum");
    if (err)
        return problem(pb, "creator",
                       "must be an address: 0x and 40 hex digits");
    if (!memcmp(out->b, zero.b, sizeof zero.b))
        return problem(pb, "creator", "must not be the zero address");
    return HC_OK;
}

static hc_err check_bps(const cJSON *v, uint16_t *out, hc_meta_problem *pb)
{
    *out = 0;
    if (is_absent(v))
        return HC_OK;
    if (!cJSON_IsNumber(v))
        return problem(pb, "royalty_bps", "must be an integer");
    double d = v->valuedouble;
    if (!isfinite(d) || d != floor(d))
        return problem(pb, "royalty_bps", "must be an integer");
    if (d < 0 || d > BPS_MAX)
        return problem(pb, "royalty_bps",
                       "must be between 0 and %d (basis points)", BPS_MAX);
    *out = (uint16_t)d;
    return HC_OK;
}

/* Passes 1–3. On success *root holds the tree that m's strings point to. */
static hc_err validate(const uint8_t *json, size_t len, meta *m, cJSON **root,
                       hc_meta_problem *pb)
{
    const cJSON *f[T_COUNT];
    char *copy;
    hc_err err;
    memset(m, 0, sizeof *m);
    *root = NULL;
    if (len > HC_META_MAX)
        return problem(pb, "", "larger than %u bytes", HC_META_MAX);
    if ((err = scan(json, len, pb)))
        return err;
    /* pass 2: a NUL-terminated copy, so that cJSON cannot read past it */
    if (!(copy = malloc(len + 1)))
        return HC_ERR_NOMEM;
    memcpy(copy, json, len);
    copy[len] = 0;
    *root = cJSON_ParseWithLength(copy, len);
    free(copy);
    /* The scanner accepted the text and the depth is far below cJSON's
     * limit, so cJSON fails only when out of memory. */
    if (!*root)
        return HC_ERR_NOMEM;
    if (!cJSON_IsObject(*root))
        return HC_ERR_INTERNAL;
    if ((err = members(*root, "", top_keys, T_COUNT, f, pb)))
        return err;
    if ((err = check_creator(f[T_CREATOR], &m->creator, pb)))
        return err;
    if (is_absent(f[T_NAME]))
        return problem(pb, "name", "is required");
    if ((err = check_langs(f[T_NAME], "name", 1, NAME_MAX_CHARS, TEXT_NONBLANK,
                           1, m->name, pb)))
        return err;
    if (!is_absent(f[T_DESCRIPTION]) &&
        (err = check_langs(f[T_DESCRIPTION], "description", 0, DESC_MAX_CHARS,
                           TEXT_MULTILINE, 0, m->desc, pb)))
        return err;
    if (!is_absent(f[T_IMAGE]) &&
        (err = check_url(f[T_IMAGE], "image", &m->image, pb)))
        return err;
    if (!is_absent(f[T_ANIMATION_URL]) &&
        (err = check_url(f[T_ANIMATION_URL], "animation_url", &m->animation_url,
                         pb)))
        return err;
    if (!is_absent(f[T_EXTERNAL_URL]) &&
        (err = check_url(f[T_EXTERNAL_URL], "external_url", &m->external_url,
                         pb)))
        return err;
    if (!is_absent(f[T_MEDIA_TYPE]) &&
        (err = check_media_type(f[T_MEDIA_TYPE], "media_type", m->media_type,
                                pb)))
        return err;
    if (!is_absent(f[T_LICENSE]) &&
        (err = check_text(f[T_LICENSE], "license", 1, LICENSE_MAX_CHARS,
                          TEXT_NONBLANK, &m->license, pb)))
        return err;
    if (!is_absent(f[T_ATTRIBUTES]) &&
        (err = check_attributes(f[T_ATTRIBUTES], "attributes", &m->attrs, pb)))
        return err;
    return check_bps(f[T_ROYALTY_BPS], &m->bps, pb);
}

/* --- the writer -------------------------------------------------------- */

static hc_err w_raw(hc_buf *out, const char *s)
{
    return hc_buf_append(out, s, strlen(s));
}

/* A JSON string: '"' and '\' escaped, the control characters that may
 * remain (tab, newline) as \t and \n, any other below U+0020 as \u00xx,
 * everything else (including all non-ASCII text) as is. */
static hc_err w_str(hc_buf *out, const char *s)
{
    static const char hexd[] = "0123456789abcdef";
    hc_err err = hc_buf_append_byte(out, '"');
    size_t run = 0;
    for (size_t i = 0; !err; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if ((err = hc_buf_append(out, s + run, i - run)))
            break;
        run = i + 1;
        if (c == 0)
            break;
        char esc[7] = {'\\', (char)c, 0};
        if (c == '\t')
            esc[1] = 't';
        else if (c == '\n')
            esc[1] = 'n';
        else if (c == '\r')
            esc[1] = 'r';
        else if (c == '\b')
            esc[1] = 'b';
        else if (c == '\f')
            esc[1] = 'f';
        else if (c < 0x20) {
            memcpy(esc + 1, "u00", 3);
            esc[4] = hexd[c >> 4];
            esc[5] = hexd[c & 15];
        }
        err = w_raw(out, esc);
    }
    return err ? err : hc_buf_append_byte(out, '"');
}

/* "key": */
static hc_err w_key(hc_buf *out, const char *key, int first)
{
    hc_err err = first ? HC_OK : hc_buf_append_byte(out, ',');
    if (!err)
        err = w_str(out, key);
    return err ? err : hc_buf_append_byte(out, ':');
}

static hc_err w_u64(hc_buf *out, uint64_t v)
{
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    return w_raw(out, tmp);
}

/* Integers (|v| <= 2^53 - 1, checked) as plain integers, -0 as 0; other
 * numbers in the shortest %.15g/%.16g/%.17g form that reads back as the
 * same double, with '.' as the decimal point whatever the locale. */
static hc_err w_number(hc_buf *out, double v)
{
    char tmp[40], norm[40];
    size_t n = 0;
    if (v == floor(v)) {
        snprintf(tmp, sizeof tmp, "%" PRId64, (int64_t)v);
        return w_raw(out, tmp);
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    for (size_t i = 0; tmp[i] && n + 1 < sizeof norm; i++) {
        char c = tmp[i];
        if (is_digit((uint8_t)c) || c == '-' || c == '+' || c == 'e')
            norm[n++] = c;
        else if (n == 0 || norm[n - 1] != '.')
            norm[n++] = '.'; /* the locale's decimal point */
    }
    norm[n] = 0;
    return w_raw(out, norm);
}

/* {"ko":…,"en":…} with the languages present. */
static hc_err w_langs(hc_buf *out, const char *const s[2])
{
    hc_err err = hc_buf_append_byte(out, '{');
    int first = 1;
    if (!err && s[KO] && !(err = w_key(out, "ko", first))) {
        err = w_str(out, s[KO]);
        first = 0;
    }
    if (!err && s[EN] && !(err = w_key(out, "en", first)))
        err = w_str(out, s[EN]);
    return err ? err : hc_buf_append_byte(out, '}');
}

static hc_err w_opt_str(hc_buf *out, const char *key, const char *v)
{
    hc_err err = HC_OK;
    if (v && !(err = w_key(out, key, 0)))
        err = w_str(out, v);
    return err;
}

static hc_err render(hc_buf *out, const meta *m, const uint8_t sha[32],
                     uint64_t size)
{
    char hex[65], addr[HC_ADDRESS_STR];
    hc_err err;
#define TRY(x)                                                                 \
    do {                                                                       \
        if ((err = (x)))                                                       \
            return err;                                                        \
    } while (0)
    TRY(hc_buf_append_byte(out, '{'));
    TRY(w_key(out, "name", 1));
    TRY(w_str(out, m->name[EN] ? m->name[EN] : m->name[KO]));
    TRY(w_opt_str(out, "description", m->desc[EN] ? m->desc[EN] : m->desc[KO]));
    TRY(w_opt_str(out, "image", m->image));
    TRY(w_opt_str(out, "animation_url", m->animation_url));
    TRY(w_opt_str(out, "external_url", m->external_url));
    if (m->attrs) {
        int first = 1;
        TRY(w_key(out, "attributes", 0));
        TRY(hc_buf_append_byte(out, '['));
        for (const cJSON *a = m->attrs->child; a; a = a->next) {
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(a, "trait_type");
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "value");
            if (!first)
                TRY(hc_buf_append_byte(out, ','));
            first = 0;
            TRY(hc_buf_append_byte(out, '{'));
            TRY(w_key(out, "trait_type", 1));
            TRY(w_str(out, t->valuestring));
            TRY(w_key(out, "value", 0));
            TRY(cJSON_IsNumber(v) ? w_number(out, v->valuedouble)
                                  : w_str(out, v->valuestring));
            TRY(hc_buf_append_byte(out, '}'));
        }
        TRY(hc_buf_append_byte(out, ']'));
    }
    TRY(w_key(out, "properties", 0));
    TRY(hc_buf_append_byte(out, '{'));
    TRY(w_key(out, "name", 1));
    TRY(w_langs(out, m->name));
    if (m->desc[KO] || m->desc[EN]) {
        TRY(w_key(out, "description", 0));
        TRY(w_langs(out, m->desc));
    }
    TRY(w_opt_str(out, "media_type", m->media_type[0] ? m->media_type : NULL));
    TRY(w_opt_str(out, "license", m->license));
    TRY(w_opt_str(out, "creator", hc_address_to_str(addr, &m->creator)));
    TRY(w_key(out, "royalty_bps", 0));
    TRY(w_u64(out, m->bps));
    TRY(w_opt_str(out, "content_sha256", hc_hex_encode(hex, sha, 32, 0)));
    TRY(w_key(out, "content_size", 0));
    TRY(w_u64(out, size));
    TRY(w_raw(out, "}}"));
#undef TRY
    return HC_OK;
}

/* --- API --------------------------------------------------------------- */

static void set_info(hc_meta_info *info, const meta *m)
{
    if (!info)
        return;
    memset(info, 0, sizeof *info);
    info->creator = m->creator;
    info->royalty_bps = m->bps;
    memcpy(info->media_type, m->media_type, sizeof info->media_type);
}

hc_err hc_metadata_check(const uint8_t *json, size_t len, hc_meta_info *info,
                         hc_meta_problem *pb)
{
    hc_meta_problem spare;
    meta m;
    cJSON *root;
    if (!pb)
        pb = &spare;
    memset(pb, 0, sizeof *pb);
    if (info)
        memset(info, 0, sizeof *info);
    if (!json && len)
        return HC_ERR_ARG;
    hc_err err = validate(json, len, &m, &root, pb);
    if (!err)
        set_info(info, &m);
    cJSON_Delete(root);
    return err;
}

hc_err hc_metadata_build(hc_buf *out, const uint8_t *json, size_t len,
                         const uint8_t content_sha256[32],
                         uint64_t content_size, hc_meta_info *info,
                         hc_meta_problem *pb)
{
    hc_meta_problem spare;
    meta m;
    cJSON *root;
    if (!pb)
        pb = &spare;
    memset(pb, 0, sizeof *pb);
    if (info)
        memset(info, 0, sizeof *info);
    if (!out || !content_sha256 || (!json && len))
        return HC_ERR_ARG;
    size_t mark = out->len;
    hc_err err = validate(json, len, &m, &root, pb);
    if (!err)
        err = render(out, &m, content_sha256, content_size);
    if (!err)
        set_info(info, &m);
    else
        out->len = mark; /* out is left as it was */
    cJSON_Delete(root);
    return err;
}

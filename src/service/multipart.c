/* multipart.c — a streaming multipart/form-data parser (RFC 7578, RFC 2046).
 *
 * A byte-at-a-time state machine, with fast paths (memchr) over part
 * contents and header lines. The delimiter is CRLF "--" boundary; the body is
 * read as if a CRLF preceded it, so a body that starts with "--boundary" has
 * an empty preamble. While a delimiter is being matched in part contents, the
 * matched bytes are held back; as the delimiter contains exactly one CR (its
 * first byte), a mismatch means the held bytes were contents: they are passed
 * on (they equal the delimiter's prefix, so nothing needs to be copied) and
 * matching restarts at the next CR. At most boundary length + 3 bytes are
 * ever held back, and only across the end of a fed buffer: within one, the
 * contents between two delimiters are passed on in one call.
 *
 * Line endings are CRLF only: curl, browsers, Go, Python (requests, httpx)
 * and every other client we know of send CRLF, and a bare LF would make the
 * delimiter ambiguous. Transport padding (spaces and tabs after a boundary,
 * RFC 2046 section 5.1.1) is accepted; the epilogue is ignored.
 */
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "haechi/multipart.h"

#define NONE    SIZE_MAX       /* no such value */
#define IGNORED (SIZE_MAX - 1) /* a filename* in an unknown charset */

enum mp_state {
    ST_PREAMBLE,    /* looking for the first delimiter, bytes ignored */
    ST_AFTER_DELIM, /* a delimiter matched: "--", padding or CRLF next */
    ST_PADDING,     /* transport padding after a delimiter */
    ST_DELIM_LF,    /* CR seen after a delimiter, LF next */
    ST_CLOSE_DASH,  /* "-" seen after a delimiter, "-" next */
    ST_HEADERS,     /* header lines of a part */
    ST_DATA,        /* contents of a part */
    ST_EPILOGUE,    /* after the closing delimiter: done, bytes ignored */
    ST_FAILED
};

struct hc_mp {
    hc_mp_callbacks cb;
    void *arg;
    enum mp_state state;
    hc_err err;
    const char *why;
    uint8_t delim[HC_MP_BOUNDARY_MAX + 4]; /* CRLF "--" boundary */
    size_t dlen;
    uint8_t skip[256]; /* Horspool shifts for the delimiter (find_delim) */
    size_t matched;    /* delimiter bytes matched (held back) */
    size_t parts;      /* parts begun */
    /* the current part's headers */
    size_t hdr_bytes; /* header bytes so far, at most HC_MP_HEADER_MAX */
    hc_buf line;      /* the header line being read */
    hc_buf vals;      /* decoded values, each NUL-terminated */
    int have_disp;
    size_t name_off, file_off, fstar_off, ctype_off; /* in vals, or NONE */
};

/* ---- character classes ---- */

static int is_ctl(uint8_t c)
{
    return c < 0x20 || c == 0x7f;
}

static int is_ws(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static int is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

/* RFC 7230 tchar */
static int is_tchar(uint8_t c)
{
    return is_alnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* RFC 2045 tspecials */
static int is_tspecial(uint8_t c)
{
    return c != 0 && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* RFC 2046 bchars (without the space, which may not end a boundary) */
static int is_bchar_nospace(uint8_t c)
{
    return is_alnum(c) || (c != 0 && strchr("'()+_,-./:=?", c) != NULL);
}

/* RFC 5987 attr-char */
static int is_attr_char(uint8_t c)
{
    return is_alnum(c) || (c != 0 && strchr("!#$&+-.^_`|~", c) != NULL);
}

static int lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int hex_val(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (uint8_t)lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Case-insensitive comparison of p[0..n) with the lower-case string s. */
static int ieq(const uint8_t *p, size_t n, const char *s)
{
    size_t len = strlen(s);
    if (n != len)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(p[i]) != (uint8_t)s[i])
            return 0;
    return 1;
}

/* ---- a small lexer over one header value ---- */

typedef struct mp_lex {
    const uint8_t *p;
    size_t n, i;
} mp_lex;

static int lex_peek(const mp_lex *lx)
{
    return lx->i < lx->n ? lx->p[lx->i] : -1;
}

static void lex_ows(mp_lex *lx)
{
    while (lx->i < lx->n && is_ws(lx->p[lx->i]))
        lx->i++;
}

/* A token (one or more tchars): its start and length. 0 if none. */
static int lex_token(mp_lex *lx, const uint8_t **tok, size_t *len)
{
    size_t start = lx->i;
    while (lx->i < lx->n && is_tchar(lx->p[lx->i]))
        lx->i++;
    *tok = lx->p + start;
    *len = lx->i - start;
    return *len > 0;
}

/* Reads the body of a quoted-string (lx at the opening quote) into out.
 * A backslash before a tspecial stands for that character (RFC 2045
 * quoted-pair, as written by RFC senders and `curl --form-escape`); before
 * anything else it is a literal backslash, as HTML5 senders (browsers, curl
 * by default) never escape: they send '"' as %22 and '\' raw. If that reading
 * finds no closing quote, the string is read again with no escapes at all:
 * curl sends the file name `a\` as "a\"". HC_ERR_MULTIPART if unterminated. */
static hc_err lex_quoted(mp_lex *lx, hc_buf *out)
{
    size_t start = lx->i + 1, mark = out->len;
    for (int escapes = 1; escapes >= 0; escapes--) {
        out->len = mark;
        for (size_t i = start; i < lx->n; i++) {
            uint8_t c = lx->p[i];
            if (c == '"') {
                lx->i = i + 1;
                return HC_OK;
            }
            if (escapes && c == '\\' && i + 1 < lx->n &&
                is_tspecial(lx->p[i + 1]))
                c = lx->p[++i];
            hc_err err = hc_buf_append_byte(out, c);
            if (err)
                return err;
        }
    }
    out->len = mark;
    return HC_ERR_MULTIPART;
}

/* A parameter value: a quoted-string, or one or more bytes up to a space,
 * tab, ';' or '"' (more lenient than a token: unquoted boundaries with '/' or
 * '=' occur). Appended to out. */
static hc_err lex_value(mp_lex *lx, hc_buf *out)
{
    if (lex_peek(lx) == '"')
        return lex_quoted(lx, out);
    size_t start = lx->i;
    while (lx->i < lx->n) {
        uint8_t c = lx->p[lx->i];
        if (is_ws(c) || c == ';' || c == '"' || is_ctl(c))
            break;
        lx->i++;
    }
    if (lx->i == start)
        return HC_ERR_MULTIPART;
    return hc_buf_append(out, lx->p + start, lx->i - start);
}

/* The ";" that must follow a parameter or the type, after optional
 * whitespace: 1 if there is one (consumed with the whitespace after it), 0
 * at the end, -1 on anything else. Empty parameters (";;") are skipped. */
static int lex_next_param(mp_lex *lx)
{
    lex_ows(lx);
    if (lx->i == lx->n)
        return 0;
    if (lex_peek(lx) != ';')
        return -1;
    while (lex_peek(lx) == ';') {
        lx->i++;
        lex_ows(lx);
    }
    return lx->i < lx->n ? 1 : 0;
}

/* "name=" of a parameter: the name, and lx after the "=". 0 if malformed. */
static int lex_param_name(mp_lex *lx, const uint8_t **name, size_t *len)
{
    if (!lex_token(lx, name, len))
        return 0;
    lex_ows(lx);
    if (lex_peek(lx) != '=')
        return 0;
    lx->i++;
    lex_ows(lx);
    return 1;
}

/* ---- errors and callbacks ---- */

static hc_err fail(hc_mp *mp, hc_err err, const char *why)
{
    if (mp->state != ST_FAILED) {
        mp->state = ST_FAILED;
        mp->err = err;
        mp->why = why;
    }
    return mp->err;
}

/* err from a value reader: out of memory, or malformed (why). */
static hc_err fail_value(hc_mp *mp, hc_err err, const char *why)
{
    if (err == HC_ERR_NOMEM)
        return fail(mp, HC_ERR_NOMEM, "out of memory");
    return fail(mp, HC_ERR_MULTIPART, why);
}

static hc_err aborted(hc_mp *mp)
{
    return fail(mp, HC_ERR_ABORTED, "stopped by a callback");
}

static hc_err emit_data(hc_mp *mp, const uint8_t *p, size_t n)
{
    if (n && mp->cb.part_data && mp->cb.part_data(mp->arg, p, n))
        return aborted(mp);
    return HC_OK;
}

/* ---- part headers ---- */

static void reset_part(hc_mp *mp)
{
    mp->hdr_bytes = 0;
    hc_buf_reset(&mp->line);
    hc_buf_reset(&mp->vals);
    mp->have_disp = 0;
    mp->name_off = mp->file_off = mp->fstar_off = mp->ctype_off = NONE;
}

/* Decodes in place the RFC 5987 ext-value at vals[mark..len) (charset
 * "'" [language] "'" pct-encoded attr-chars) and NUL-terminates it. UTF-8 is
 * kept, ISO-8859-1 converted to UTF-8 (both shrink: a byte above 0x7f is
 * three characters encoded); *keep is 0 for any other charset. Control
 * characters are malformed. */
static hc_err decode_ext(hc_buf *vals, size_t mark, int *keep)
{
    uint8_t *s = vals->data + mark;
    size_t n = vals->len - mark, i = 0, w = 0;
    while (i < n && s[i] != '\'')
        i++;
    if (i == n)
        return HC_ERR_MULTIPART;
    int utf8 = ieq(s, i, "utf-8"), latin1 = ieq(s, i, "iso-8859-1");
    for (i++; i < n && s[i] != '\''; i++)
        ;
    if (i == n)
        return HC_ERR_MULTIPART;
    for (i++; i < n; i++) {
        int c = s[i];
        if (c == '%') {
            int hi = i + 2 < n ? hex_val(s[i + 1]) : -1;
            int lo = i + 2 < n ? hex_val(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return HC_ERR_MULTIPART;
            c = hi * 16 + lo;
            i += 2;
        } else if (!is_attr_char((uint8_t)c)) {
            return HC_ERR_MULTIPART;
        }
        if (is_ctl((uint8_t)c))
            return HC_ERR_MULTIPART;
        if (latin1 && c >= 0x80) {
            s[w++] = (uint8_t)(0xc0 | (c >> 6));
            c = 0x80 | (c & 0x3f);
        }
        s[w++] = (uint8_t)c;
    }
    vals->len = mark + w;
    *keep = utf8 || latin1;
    return hc_buf_append_byte(vals, 0);
}

/* One Content-Disposition parameter, lx after its "=". */
static hc_err disp_param(hc_mp *mp, mp_lex *lx, const uint8_t *name, size_t len)
{
    size_t *slot = NULL, mark = mp->vals.len;
    int ext = ieq(name, len, "filename*");
    if (ieq(name, len, "name"))
        slot = &mp->name_off;
    else if (ieq(name, len, "filename"))
        slot = &mp->file_off;
    else if (ext)
        slot = &mp->fstar_off;
    hc_err err = lex_value(lx, &mp->vals);
    if (err)
        return fail_value(mp, err,
                          lex_peek(lx) == '"'
                              ? "unterminated quoted string"
                              : "malformed Content-Disposition");
    if (!slot) {
        mp->vals.len = mark;
        return HC_OK;
    }
    if (*slot != NONE)
        return fail(mp, HC_ERR_MULTIPART,
                    "repeated Content-Disposition parameter");
    int keep = 1;
    err = ext ? decode_ext(&mp->vals, mark, &keep)
              : hc_buf_append_byte(&mp->vals, 0);
    if (err)
        return fail_value(mp, err, "malformed filename*");
    *slot = keep ? mark : IGNORED;
    return HC_OK;
}

/* Content-Disposition: form-data *( ";" param ) */
static hc_err parse_disposition(hc_mp *mp, mp_lex *lx)
{
    const uint8_t *tok, *name;
    size_t len, nlen;
    if (mp->have_disp)
        return fail(mp, HC_ERR_MULTIPART, "repeated Content-Disposition");
    mp->have_disp = 1;
    if (!lex_token(lx, &tok, &len))
        return fail(mp, HC_ERR_MULTIPART, "malformed Content-Disposition");
    if (!ieq(tok, len, "form-data"))
        return fail(mp, HC_ERR_MULTIPART,
                    "Content-Disposition is not form-data");
    int more;
    while ((more = lex_next_param(lx)) == 1) {
        if (!lex_param_name(lx, &name, &nlen))
            return fail(mp, HC_ERR_MULTIPART, "malformed Content-Disposition");
        hc_err err = disp_param(mp, lx, name, nlen);
        if (err)
            return err;
    }
    if (more < 0)
        return fail(mp, HC_ERR_MULTIPART, "malformed Content-Disposition");
    return HC_OK;
}

/* Content-Type: kept as sent, without surrounding whitespace. */
static hc_err parse_part_type(hc_mp *mp, const uint8_t *v, size_t n)
{
    while (n && is_ws(v[n - 1]))
        n--;
    if (mp->ctype_off != NONE)
        return fail(mp, HC_ERR_MULTIPART, "repeated Content-Type");
    if (n == 0)
        return fail(mp, HC_ERR_MULTIPART, "empty Content-Type");
    mp->ctype_off = mp->vals.len;
    if (hc_buf_append(&mp->vals, v, n) || hc_buf_append_byte(&mp->vals, 0))
        return fail(mp, HC_ERR_NOMEM, "out of memory");
    return HC_OK;
}

/* One header line s[0..n) (without its CRLF, not empty). */
static hc_err header_line(hc_mp *mp, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_ctl(s[i]) && s[i] != '\t')
            return fail(mp, HC_ERR_MULTIPART,
                        "control character in part headers");
    if (is_ws(s[0]))
        return fail(mp, HC_ERR_MULTIPART, "folded header line");
    const uint8_t *colon = memchr(s, ':', n);
    if (!colon)
        return fail(mp, HC_ERR_MULTIPART, "header line without a colon");
    size_t nlen = (size_t)(colon - s);
    for (size_t i = 0; i < nlen; i++)
        if (!is_tchar(s[i]))
            return fail(mp, HC_ERR_MULTIPART, "malformed header name");
    if (nlen == 0)
        return fail(mp, HC_ERR_MULTIPART, "malformed header name");
    mp_lex lx = {s, n, nlen + 1};
    lex_ows(&lx);
    if (ieq(s, nlen, "content-disposition"))
        return parse_disposition(mp, &lx);
    if (ieq(s, nlen, "content-type"))
        return parse_part_type(mp, s + lx.i, n - lx.i);
    return HC_OK; /* other headers are ignored */
}

static const char *val(const hc_mp *mp, size_t off)
{
    return off < IGNORED ? (const char *)mp->vals.data + off : NULL;
}

/* The blank line after the headers: the part begins. */
static hc_err headers_done(hc_mp *mp)
{
    if (!mp->have_disp)
        return fail(mp, HC_ERR_MULTIPART, "part without Content-Disposition");
    const char *name = val(mp, mp->name_off);
    if (!name || !name[0])
        return fail(mp, HC_ERR_MULTIPART, "part without a name");
    const char *file = val(mp, mp->fstar_off); /* RFC 6266: filename* wins */
    if (!file)
        file = val(mp, mp->file_off);
    mp->state = ST_DATA;
    mp->matched = 0;
    if (mp->cb.part_begin &&
        mp->cb.part_begin(mp->arg, name, file, val(mp, mp->ctype_off)))
        return aborted(mp);
    return HC_OK;
}

/* Header bytes up to and including the next LF. */
static hc_err st_headers(hc_mp *mp, const uint8_t *p, size_t n, size_t *used)
{
    const uint8_t *lf = memchr(p, '\n', n);
    size_t take = lf ? (size_t)(lf - p) + 1 : n;
    if (take > HC_MP_HEADER_MAX - mp->hdr_bytes)
        return fail(mp, HC_ERR_MULTIPART, "part headers too long");
    mp->hdr_bytes += take;
    *used = take;
    if (hc_buf_append(&mp->line, p, take))
        return fail(mp, HC_ERR_NOMEM, "out of memory");
    if (!lf)
        return HC_OK;
    const uint8_t *s = mp->line.data;
    size_t len = mp->line.len;
    if (len < 2 || s[len - 2] != '\r')
        return fail(mp, HC_ERR_MULTIPART, "header line not ended by CRLF");
    hc_err err = len == 2 ? headers_done(mp) : header_line(mp, s, len - 2);
    hc_buf_reset(&mp->line);
    return err;
}

/* ---- boundaries and contents ---- */

static hc_err delimiter_found(hc_mp *mp)
{
    int in_part = mp->state == ST_DATA;
    mp->state = ST_AFTER_DELIM;
    mp->matched = 0;
    if (in_part && mp->cb.part_end && mp->cb.part_end(mp->arg))
        return aborted(mp);
    return HC_OK;
}

/* The offset of the first whole delimiter in p[0..n), or n if there is
 * none. Binary contents hold a CR every 256 bytes or so, so looking for CRs
 * (memchr) stops far too often. With SSE2 (every x86-64), 16 positions at
 * a time are tested for a CR there and the delimiter's last byte dlen - 1
 * further on, and only where both match is the rest compared; elsewhere
 * Boyer-Moore-Horspool skips most windows whole by their last byte. */
static size_t find_delim(const hc_mp *mp, const uint8_t *p, size_t n)
{
    const size_t m = mp->dlen; /* >= 5: CRLF "--" and a boundary */
    const uint8_t last = mp->delim[m - 1];
    size_t i = 0;
    if (n < m)
        return n;
#ifdef __SSE2__
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i lb = _mm_set1_epi8((char)last);
    for (; i + 16 <= n - (m - 1); i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i b =
            _mm_loadu_si128((const __m128i *)(const void *)(p + i + m - 1));
        unsigned hits = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, cr), _mm_cmpeq_epi8(b, lb)));
        while (hits) {
            size_t k = i + (size_t)__builtin_ctz(hits);
            if (memcmp(p + k + 1, mp->delim + 1, m - 2) == 0)
                return k;
            hits &= hits - 1;
        }
    }
#endif
    for (; i <= n - m; i += mp->skip[p[i + m - 1]])
        if (p[i + m - 1] == last && memcmp(p + i, mp->delim, m - 1) == 0)
            return i;
    return n;
}

/* Scans for the delimiter; in ST_DATA the bytes before it are contents.
 * Contents are passed on in as few calls as possible: a CR that does not
 * begin a delimiter stays inside the run of contents around it, so a buffer
 * without a delimiter is one call (minus a held-back delimiter prefix at its
 * end). Only bytes held back from the previous buffer are passed on from
 * mp->delim. (Passing each run between two CRs separately meant a call
 * every 256 bytes or so of binary contents, and SHA-256 updates of odd
 * sizes.) */
static hc_err st_scan(hc_mp *mp, const uint8_t *p, size_t n, size_t *used)
{
    int data = mp->state == ST_DATA;
    size_t i = 0, start = 0;   /* p[start..] not yet passed on */
    size_t cand = 0;           /* where in p the candidate delimiter began */
    size_t held = mp->matched; /* its first bytes, from the previous buffer */
    hc_err err;
    while (i < n) {
        if (mp->matched == 0 && n - i >= mp->dlen) {
            /* a whole delimiter within p, or none that starts before the
             * last dlen - 1 bytes (the CR scan below looks at those) */
            size_t k = find_delim(mp, p + i, n - i);
            if (k < n - i) {
                cand = i + k;
                mp->matched = mp->dlen;
                if (data && (err = emit_data(mp, p + start, cand - start)))
                    return err;
                *used = cand + mp->dlen;
                return delimiter_found(mp);
            }
            i = n - (mp->dlen - 1);
        }
        if (mp->matched == 0) {
            const uint8_t *cr = memchr(p + i, '\r', n - i);
            if (!cr) {
                i = n;
                break;
            }
            cand = (size_t)(cr - p);
            mp->matched = 1;
            i = cand + 1;
        } else if (p[i] == mp->delim[mp->matched]) {
            i++;
            if (++mp->matched == mp->dlen) {
                /* the contents end where the delimiter began (if it began
                 * in the previous buffer, cand == start == 0) */
                if (data && (err = emit_data(mp, p + start, cand - start)))
                    return err;
                *used = i;
                return delimiter_found(mp);
            }
        } else {
            /* not a delimiter: the matched bytes were contents. Those held
             * from the previous buffer come first and are passed on now;
             * those in p stay in the run. p[i] is looked at again (it may
             * be a CR). */
            if (held) {
                if (data && (err = emit_data(mp, mp->delim, held)))
                    return err;
                held = 0;
            }
            mp->matched = 0;
        }
    }
    /* the end of the buffer: pass on the run, but hold back a delimiter
     * prefix at its end (mp->matched bytes, equal to mp->delim's first) */
    if (data &&
        (err = emit_data(mp, p + start, (mp->matched ? cand : n) - start)))
        return err;
    *used = i;
    return HC_OK;
}

static hc_err start_part(hc_mp *mp)
{
    if (mp->parts == HC_MP_MAX_PARTS)
        return fail(mp, HC_ERR_MULTIPART, "too many parts");
    mp->parts++;
    reset_part(mp);
    mp->state = ST_HEADERS;
    return HC_OK;
}

/* One byte after a delimiter. */
static hc_err st_after(hc_mp *mp, uint8_t c)
{
    switch (mp->state) {
    case ST_AFTER_DELIM:
    case ST_PADDING:
        if (c == '\r') {
            mp->state = ST_DELIM_LF;
        } else if (is_ws(c)) {
            mp->state = ST_PADDING;
        } else if (c == '-' && mp->state == ST_AFTER_DELIM) {
            mp->state = ST_CLOSE_DASH;
        } else if (c == '\n') {
            return fail(mp, HC_ERR_MULTIPART,
                        "boundary line not ended by CRLF");
        } else {
            return fail(mp, HC_ERR_MULTIPART,
                        "unexpected bytes after a boundary");
        }
        return HC_OK;
    case ST_CLOSE_DASH:
        if (c != '-')
            return fail(mp, HC_ERR_MULTIPART,
                        "unexpected bytes after a boundary");
        mp->state = ST_EPILOGUE;
        return HC_OK;
    case ST_DELIM_LF:
        if (c != '\n')
            return fail(mp, HC_ERR_MULTIPART,
                        "boundary line not ended by CRLF");
        return start_part(mp);
    default:
        return fail(mp, HC_ERR_INTERNAL, "internal error");
    }
}

static hc_err step(hc_mp *mp, const uint8_t *p, size_t n, size_t *used)
{
    switch (mp->state) {
    case ST_PREAMBLE:
    case ST_DATA:
        return st_scan(mp, p, n, used);
    case ST_HEADERS:
        return st_headers(mp, p, n, used);
    default:
        *used = 1;
        return st_after(mp, p[0]);
    }
}

/* ---- the interface ---- */

static int valid_boundary(const uint8_t *b, size_t n)
{
    if (n == 0 || n > HC_MP_BOUNDARY_MAX || b[n - 1] == ' ')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_bchar_nospace(b[i]) && b[i] != ' ')
            return 0;
    return 1;
}

/* The boundary parameter of a Content-Type value; lx after the type. */
static hc_err find_boundary(mp_lex *lx, hc_buf *out)
{
    const uint8_t *name;
    size_t nlen;
    int more, found = 0;
    while ((more = lex_next_param(lx)) == 1) {
        if (!lex_param_name(lx, &name, &nlen))
            return HC_ERR_MULTIPART;
        int is_b = ieq(name, nlen, "boundary");
        if (is_b && found)
            return HC_ERR_MULTIPART; /* two boundaries: ambiguous */
        size_t mark = out->len;
        hc_err err = lex_value(lx, out);
        if (err)
            return err;
        if (!is_b)
            out->len = mark;
        found |= is_b;
    }
    return more < 0 || !found ? HC_ERR_MULTIPART : HC_OK;
}

hc_err hc_mp_boundary(char out[HC_MP_BOUNDARY_MAX + 1],
                      const char *content_type)
{
    if (!out)
        return HC_ERR_ARG;
    out[0] = 0;
    if (!content_type)
        return HC_ERR_MULTIPART;
    size_t n = strnlen(content_type, HC_MP_HEADER_MAX + 1);
    if (n > HC_MP_HEADER_MAX)
        return HC_ERR_MULTIPART;
    mp_lex lx = {(const uint8_t *)content_type, n, 0};
    for (size_t i = 0; i < n; i++)
        if (is_ctl(lx.p[i]) && lx.p[i] != '\t')
            return HC_ERR_MULTIPART;
    const uint8_t *type, *sub;
    size_t tlen, slen;
    lex_ows(&lx);
    if (!lex_token(&lx, &type, &tlen) || lex_peek(&lx) != '/')
        return HC_ERR_MULTIPART;
    lx.i++;
    if (!lex_token(&lx, &sub, &slen) || !ieq(type, tlen, "multipart") ||
        !ieq(sub, slen, "form-data"))
        return HC_ERR_MULTIPART;
    hc_buf b;
    hc_buf_init(&b, n, 0);
    hc_err err = find_boundary(&lx, &b);
    if (!err && !valid_boundary(b.data, b.len))
        err = HC_ERR_MULTIPART;
    if (!err) {
        memcpy(out, b.data, b.len);
        out[b.len] = 0;
    }
    hc_buf_free(&b);
    return err == HC_ERR_NOMEM ? err : err ? HC_ERR_MULTIPART : HC_OK;
}

hc_err hc_mp_new(hc_mp **out, const char *boundary, const hc_mp_callbacks *cb,
                 void *arg)
{
    if (!out || !boundary || !cb)
        return HC_ERR_ARG;
    *out = NULL;
    size_t n = strnlen(boundary, HC_MP_BOUNDARY_MAX + 1);
    if (!valid_boundary((const uint8_t *)boundary, n))
        return HC_ERR_MULTIPART;
    hc_mp *mp = calloc(1, sizeof *mp);
    if (!mp)
        return HC_ERR_NOMEM;
    mp->cb = *cb;
    mp->arg = arg;
    mp->state = ST_PREAMBLE;
    mp->why = "no error";
    memcpy(mp->delim, "\r\n--", 4);
    memcpy(mp->delim + 4, boundary, n);
    mp->dlen = n + 4;
    for (size_t c = 0; c < 256; c++)
        mp->skip[c] = (uint8_t)mp->dlen;
    for (size_t j = 0; j + 1 < mp->dlen; j++)
        mp->skip[mp->delim[j]] = (uint8_t)(mp->dlen - 1 - j);
    mp->matched = 2; /* the body reads as if a CRLF preceded it */
    hc_buf_init(&mp->line, HC_MP_HEADER_MAX, 0);
    /* decoded values are no longer than the header bytes, plus a NUL for
     * each of name, filename, filename* and Content-Type */
    hc_buf_init(&mp->vals, HC_MP_HEADER_MAX + 4, 0);
    reset_part(mp);
    *out = mp;
    return HC_OK;
}

hc_err hc_mp_feed(hc_mp *mp, const uint8_t *p, size_t n)
{
    if (!mp || (!p && n))
        return HC_ERR_ARG;
    size_t i = 0;
    while (i < n && mp->state != ST_FAILED && mp->state != ST_EPILOGUE) {
        size_t used = 0;
        hc_err err = step(mp, p + i, n - i, &used);
        if (err)
            return err;
        i += used;
    }
    return mp->state == ST_FAILED ? mp->err : HC_OK;
}

hc_err hc_mp_finish(hc_mp *mp)
{
    if (!mp)
        return HC_ERR_ARG;
    switch (mp->state) {
    case ST_EPILOGUE:
        return HC_OK;
    case ST_FAILED:
        return mp->err;
    case ST_PREAMBLE:
        return fail(mp, HC_ERR_MULTIPART, "no boundary in the body");
    case ST_HEADERS:
        return fail(mp, HC_ERR_MULTIPART, "body ends in part headers");
    default:
        return fail(mp, HC_ERR_MULTIPART, "missing closing boundary");
    }
}

const char *hc_mp_error(const hc_mp *mp)
{
    return mp ? mp->why : "no parser";
}

void hc_mp_free(hc_mp *mp)
{
    if (!mp)
        return;
    hc_buf_free(&mp->line);
    hc_buf_free(&mp->vals);
    free(mp);
}

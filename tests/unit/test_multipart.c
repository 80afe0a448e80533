/* multipart/form-data parser: bodies captured from real curl (7.88.1), every
 * way of splitting a body into feed calls, hostile contents, a 100 MiB part
 * streamed in bounded memory, every truncation, malformed bodies and
 * callback aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "haechi/multipart.h"
#include "testutil.h"

#define S(lit) (const uint8_t *)(lit), sizeof(lit) - 1

/* ---- a recorder of callbacks ---- */

#define REC_PARTS 20

typedef struct rec_part {
    char *name, *file, *ctype;
    hc_buf data;
    int ended;
} rec_part;

typedef struct rec {
    rec_part p[REC_PARTS];
    size_t n;
    char seq[4 * REC_PARTS]; /* B, D (consecutive data coalesced), E */
    size_t seqlen;
    int calls;    /* callbacks so far */
    int abort_at; /* fail the abort_at-th callback (1-based); 0 never */
    int after_abort;
} rec;

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static void rec_event(rec *r, char kind)
{
    if (kind == 'D' && r->seqlen && r->seq[r->seqlen - 1] == 'D')
        return;
    assert_true(r->seqlen + 1 < sizeof r->seq);
    r->seq[r->seqlen++] = kind;
    r->seq[r->seqlen] = 0;
}

static int rec_call(rec *r)
{
    if (r->abort_at && r->calls >= r->abort_at)
        r->after_abort++; /* must never happen */
    return ++r->calls == r->abort_at;
}

static int on_begin(void *arg, const char *name, const char *file,
                    const char *ctype)
{
    rec *r = arg;
    assert_non_null(name);
    assert_true(r->n < REC_PARTS);
    rec_part *p = &r->p[r->n++];
    p->name = dup_or_null(name);
    p->file = dup_or_null(file);
    p->ctype = dup_or_null(ctype);
    hc_buf_init(&p->data, 1 << 20, 0);
    rec_event(r, 'B');
    return rec_call(r);
}

static int on_data(void *arg, const uint8_t *d, size_t n)
{
    rec *r = arg;
    assert_true(n > 0);
    assert_true(r->n > 0 && !r->p[r->n - 1].ended);
    assert_int_equal(hc_buf_append(&r->p[r->n - 1].data, d, n), HC_OK);
    rec_event(r, 'D');
    return rec_call(r);
}

static int on_end(void *arg)
{
    rec *r = arg;
    assert_true(r->n > 0 && !r->p[r->n - 1].ended);
    r->p[r->n - 1].ended = 1;
    rec_event(r, 'E');
    return rec_call(r);
}

static const hc_mp_callbacks rec_cb = {on_begin, on_data, on_end};

static void rec_free(rec *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->p[i].name);
        free(r->p[i].file);
        free(r->p[i].ctype);
        hc_buf_free(&r->p[i].data);
    }
    memset(r, 0, sizeof *r);
}

static void str_equal(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void rec_equal(const rec *a, const rec *b)
{
    assert_string_equal(a->seq, b->seq);
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        str_equal(a->p[i].name, b->p[i].name);
        str_equal(a->p[i].file, b->p[i].file);
        str_equal(a->p[i].ctype, b->p[i].ctype);
        assert_int_equal(a->p[i].ended, b->p[i].ended);
        assert_int_equal(a->p[i].data.len, b->p[i].data.len);
        if (a->p[i].data.len)
            assert_memory_equal(a->p[i].data.data, b->p[i].data.data,
                                a->p[i].data.len);
    }
}

/* ---- running the parser ---- */

typedef struct result {
    hc_err err;
    char why[64];
} result;

/* Feeds body cut at cuts[0..ncuts) (ascending), then finishes. After an
 * error, checks that the parser stays failed without further callbacks. */
static result run_cuts(const char *boundary, const uint8_t *body, size_t n,
                       const size_t *cuts, size_t ncuts, rec *r)
{
    hc_mp *mp;
    result res = {HC_OK, ""};
    assert_int_equal(hc_mp_new(&mp, boundary, &rec_cb, r), HC_OK);
    size_t at = 0;
    for (size_t i = 0; i <= ncuts && !res.err; i++) {
        size_t end = i < ncuts ? cuts[i] : n;
        res.err = hc_mp_feed(mp, body + at, end - at);
        at = end;
    }
    if (!res.err)
        res.err = hc_mp_finish(mp);
    snprintf(res.why, sizeof res.why, "%s", hc_mp_error(mp));
    if (res.err) {
        int calls = r->calls;
        assert_int_equal(hc_mp_feed(mp, S("\r\n--x--\r\n")), res.err);
        assert_int_equal(hc_mp_finish(mp), res.err);
        assert_int_equal(r->calls, calls);
        assert_string_equal(hc_mp_error(mp), res.why);
    } else {
        assert_string_equal(res.why, "no error");
    }
    hc_mp_free(mp);
    return res;
}

static result run_whole(const char *boundary, const uint8_t *body, size_t n,
                        rec *r)
{
    return run_cuts(boundary, body, n, NULL, 0, r);
}

static result run_bytewise(const char *boundary, const uint8_t *body, size_t n,
                           rec *r)
{
    size_t *cuts = malloc((n ? n : 1) * sizeof *cuts);
    assert_non_null(cuts);
    for (size_t i = 0; i < n; i++)
        cuts[i] = i;
    result res = run_cuts(boundary, body, n, cuts, n, r);
    free(cuts);
    return res;
}

/* Every way of feeding body in one, two (and for short bodies three) pieces,
 * and one byte at a time, gives the same callbacks and result as whole. */
static result check_all_splits(const char *boundary, const uint8_t *body,
                               size_t n, rec *whole)
{
    rec r = {0};
    result want = run_whole(boundary, body, n, whole);
    for (size_t i = 0; i <= n; i++) {
        result got = run_cuts(boundary, body, n, &i, 1, &r);
        assert_int_equal(got.err, want.err);
        assert_string_equal(got.why, want.why);
        rec_equal(&r, whole);
        rec_free(&r);
        for (size_t j = i; n <= 200 && j <= n; j++) {
            size_t cuts[2] = {i, j};
            got = run_cuts(boundary, body, n, cuts, 2, &r);
            assert_int_equal(got.err, want.err);
            rec_equal(&r, whole);
            rec_free(&r);
        }
    }
    result got = run_bytewise(boundary, body, n, &r);
    assert_int_equal(got.err, want.err);
    assert_string_equal(got.why, want.why);
    rec_equal(&r, whole);
    rec_free(&r);
    return want;
}

/* ---- building bodies the way curl formats them ---- */

typedef struct tpart {
    const char *name, *file, *ctype;
    const uint8_t *data;
    size_t len;
} tpart;

static void put(hc_buf *b, const char *s)
{
    assert_int_equal(hc_buf_append(b, s, strlen(s)), HC_OK);
}

static void build(hc_buf *b, const char *boundary, const tpart *ps, size_t n)
{
    hc_buf_init(b, 1 << 24, 0);
    for (size_t i = 0; i < n; i++) {
        put(b, "--");
        put(b, boundary);
        put(b, "\r\nContent-Disposition: form-data; name=\"");
        put(b, ps[i].name);
        put(b, "\"");
        if (ps[i].file) {
            put(b, "; filename=\"");
            put(b, ps[i].file);
            put(b, "\"");
        }
        if (ps[i].ctype) {
            put(b, "\r\nContent-Type: ");
            put(b, ps[i].ctype);
        }
        put(b, "\r\n\r\n");
        assert_int_equal(hc_buf_append(b, ps[i].data, ps[i].len), HC_OK);
        put(b, "\r\n");
    }
    put(b, "--");
    put(b, boundary);
    put(b, "--\r\n");
}

static void expect_part(const rec *r, size_t i, const char *name,
                        const char *file, const char *ctype,
                        const uint8_t *data, size_t len)
{
    assert_true(i < r->n);
    str_equal(r->p[i].name, name);
    str_equal(r->p[i].file, file);
    str_equal(r->p[i].ctype, ctype);
    assert_true(r->p[i].ended);
    assert_int_equal(r->p[i].data.len, len);
    if (len)
        assert_memory_equal(r->p[i].data.data, data, len);
}

/* ---- bodies captured from curl 7.88.1 (a socket server dumping the
 * request). Its boundary is 24 dashes and 16 hex digits; curl 8 sends 24
 * dashes and 22 alphanumerics. ---- */

/* curl -F 'metadata=<meta.json;type=application/json'
 *      -F 'content=@content.bin;type=image/png' */
#define CURL1_B "------------------------681c8a290d1b1949"
static const char curl1[] =
    "--" CURL1_B "\r\n"
    "Content-Disposition: form-data; name=\"metadata\"\r\n"
    "Content-Type: application/json\r\n"
    "\r\n"
    "{\"name\":\"Tiger\",\"description\":\"a \\\"quoted\\\" tiger\"}\r\n"
    "--" CURL1_B "\r\n"
    "Content-Disposition: form-data; name=\"content\"; "
    "filename=\"content.bin\"\r\n"
    "Content-Type: image/png\r\n"
    "\r\n"
    "hello\0world\r\n--not\n\r\n"
    "--" CURL1_B "--\r\n";
static const uint8_t content_bin[] = "hello\0world\r\n--not\n";

/* curl -F 'metadata={"a":1}' -F 'content=@we"ird\name.png' -F 'empty=':
 * curl percent-encodes '"' in file names and sends '\' unescaped */
#define CURL2_B "------------------------659a456cda965ad1"
static const char curl2[] =
    "--" CURL2_B "\r\n"
    "Content-Disposition: form-data; name=\"metadata\"\r\n"
    "\r\n"
    "{\"a\":1}\r\n"
    "--" CURL2_B "\r\n"
    "Content-Disposition: form-data; name=\"content\"; "
    "filename=\"we%22ird\\name.png\"\r\n"
    "Content-Type: image/png\r\n"
    "\r\n"
    "hello\0world\r\n--not\n\r\n"
    "--" CURL2_B "\r\n"
    "Content-Disposition: form-data; name=\"empty\"\r\n"
    "\r\n"
    "\r\n"
    "--" CURL2_B "--\r\n";

/* the same with --form-escape: backslash escapes instead */
#define CURL3_B "------------------------03cb6fb625f2c47c"
static const char curl3[] =
    "--" CURL3_B "\r\n"
    "Content-Disposition: form-data; name=\"metadata\"\r\n"
    "\r\n"
    "{\"a\":1}\r\n"
    "--" CURL3_B "\r\n"
    "Content-Disposition: form-data; name=\"content\"; "
    "filename=\"we\\\"ird\\\\name.png\"\r\n"
    "Content-Type: image/png\r\n"
    "\r\n"
    "hello\0world\r\n--not\n\r\n"
    "--" CURL3_B "--\r\n";

/* curl -F 'content=@tail\': a file name ending in a backslash */
#define CURL4_B "------------------------102c9b3903d39709"
static const char curl4[] = "--" CURL4_B "\r\n"
                            "Content-Disposition: form-data; name=\"content\"; "
                            "filename=\"tail\\\"\r\n"
                            "Content-Type: application/octet-stream\r\n"
                            "\r\n"
                            "hello\0world\r\n--not\n\r\n"
                            "--" CURL4_B "--\r\n";

/* curl -F 'content=@content.bin;filename=ü.png': raw UTF-8 */
#define CURL5_B "------------------------568d53bfa0d4d02d"
static const char curl5[] = "--" CURL5_B "\r\n"
                            "Content-Disposition: form-data; name=\"content\"; "
                            "filename=\"\xc3\xbc.png\"\r\n"
                            "Content-Type: image/png\r\n"
                            "\r\n"
                            "hello\0world\r\n--not\n\r\n"
                            "--" CURL5_B "--\r\n";

#define CT(b) "multipart/form-data; boundary=" b

static void test_boundary_param(void **state)
{
    (void)state;
    char b[HC_MP_BOUNDARY_MAX + 1];
    static const struct {
        const char *ct, *want;
    } good[] = {
        {CT(CURL1_B), CURL1_B},
        {CT("------------------------qO3mZ0iB7a4YwLr2Xk9TcE"),
         "------------------------qO3mZ0iB7a4YwLr2Xk9TcE"},
        {"Multipart/Form-Data; BOUNDARY=abc", "abc"},
        {"multipart/form-data;boundary=abc", "abc"},
        {"  multipart/form-data ;  boundary = abc ; charset=utf-8 ", "abc"},
        {"multipart/form-data; charset=\"utf-8\"; boundary=abc", "abc"},
        {"multipart/form-data; boundary=abc;", "abc"},
        /* quoted: may hold a space and tspecials */
        {"multipart/form-data; boundary=\"a b:c?d=e\"", "a b:c?d=e"},
        {"multipart/form-data; boundary=\"----=_Part_0_1.2\"",
         "----=_Part_0_1.2"},
        {"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
         "----WebKitFormBoundary7MA4YWxkTrZu0gW"},
        /* unquoted '=' and '/': not tokens, but bchars and sent by some */
        {"multipart/form-data; boundary=a=b/c", "a=b/c"},
        {CT("1234567890123456789012345678901234567890123456789012345678901234"
            "567890"),
         "1234567890123456789012345678901234567890123456789012345678901234"
         "567890"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(hc_mp_boundary(b, good[i].ct), HC_OK);
        assert_string_equal(b, good[i].want);
    }
    static const char *const bad[] = {
        "",
        "multipart/form-data",
        "multipart/form-data;",
        "multipart/form-data; boundary",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=\"\"",
        "multipart/form-data; boundary=\"abc",    /* unterminated quote */
        "multipart/form-data; boundary=\"abc \"", /* ends in a space */
        "multipart/form-data; boundary=ab@c",     /* not a bchar */
        "multipart/form-data; boundary=ab!c",
        "multipart/form-data; boundary=\"ab\\\\c\"",
        "multipart/form-data; boundary=\"ab\xc3\xbc\"",
        "multipart/form-data; boundary=a\x01z",
        "multipart/form-data; boundary=abc; boundary=abc",
        "multipart/form-data; boundary=abc junk",
        "multipart/form-data boundary=abc",
        "multipart/mixed; boundary=abc",
        "multipart/form-datax; boundary=abc",
        "text/plain; boundary=abc",
        "application/x-www-form-urlencoded",
        "multipart / form-data; boundary=abc",
        "multipart/; boundary=abc",
        "/form-data; boundary=abc",
        "multipart/form-data; =abc; boundary=abc",
        CT("1234567890123456789012345678901234567890123456789012345678901234"
           "5678901"), /* 71 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(hc_mp_boundary(b, bad[i]), HC_ERR_MULTIPART);
        assert_string_equal(b, "");
    }
    assert_int_equal(hc_mp_boundary(b, NULL), HC_ERR_MULTIPART);
    assert_int_equal(hc_mp_boundary(NULL, CT("abc")), HC_ERR_ARG);
}

static void test_new_args(void **state)
{
    (void)state;
    hc_mp *mp;
    int dummy;
    assert_int_equal(hc_mp_new(NULL, "abc", &rec_cb, NULL), HC_ERR_ARG);
    assert_int_equal(hc_mp_new(&mp, NULL, &rec_cb, NULL), HC_ERR_ARG);
    assert_int_equal(hc_mp_new(&mp, "abc", NULL, NULL), HC_ERR_ARG);
    assert_int_equal(hc_mp_new(&mp, "", &rec_cb, NULL), HC_ERR_MULTIPART);
    assert_int_equal(hc_mp_new(&mp, "a@b", &rec_cb, NULL), HC_ERR_MULTIPART);
    assert_int_equal(hc_mp_new(&mp, "ab ", &rec_cb, NULL), HC_ERR_MULTIPART);
    char longb[HC_MP_BOUNDARY_MAX + 2];
    memset(longb, 'x', sizeof longb - 1);
    longb[sizeof longb - 1] = 0;
    assert_int_equal(hc_mp_new(&mp, longb, &rec_cb, NULL), HC_ERR_MULTIPART);
    longb[HC_MP_BOUNDARY_MAX] = 0;
    assert_int_equal(hc_mp_new(&mp, longb, &rec_cb, &dummy), HC_OK);
    assert_string_equal(hc_mp_error(mp), "no error");
    assert_int_equal(hc_mp_feed(mp, NULL, 1), HC_ERR_ARG);
    assert_int_equal(hc_mp_feed(mp, NULL, 0), HC_OK);
    assert_int_equal(hc_mp_feed(NULL, S("x")), HC_ERR_ARG);
    assert_int_equal(hc_mp_finish(NULL), HC_ERR_ARG);
    hc_mp_free(mp);
    hc_mp_free(NULL);

    /* NULL callbacks are skipped */
    hc_mp_callbacks none = {NULL, NULL, NULL};
    assert_int_equal(hc_mp_new(&mp, CURL1_B, &none, NULL), HC_OK);
    assert_int_equal(hc_mp_feed(mp, S(curl1)), HC_OK);
    assert_int_equal(hc_mp_finish(mp), HC_OK);
    hc_mp_free(mp);
}

static void test_curl_bodies(void **state)
{
    (void)state;
    rec r = {0};
    static const char meta[] =
        "{\"name\":\"Tiger\",\"description\":\"a \\\"quoted\\\" tiger\"}";
    assert_int_equal(check_all_splits(CURL1_B, S(curl1), &r).err, HC_OK);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.seq, "BDEBDE");
    expect_part(&r, 0, "metadata", NULL, "application/json", S(meta));
    expect_part(&r, 1, "content", "content.bin", "image/png", S(content_bin));
    rec_free(&r);

    assert_int_equal(check_all_splits(CURL2_B, S(curl2), &r).err, HC_OK);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.seq, "BDEBDEBE");
    expect_part(&r, 0, "metadata", NULL, NULL, S("{\"a\":1}"));
    expect_part(&r, 1, "content", "we%22ird\\name.png", "image/png",
                S(content_bin));
    expect_part(&r, 2, "empty", NULL, NULL, NULL, 0);
    rec_free(&r);

    assert_int_equal(check_all_splits(CURL3_B, S(curl3), &r).err, HC_OK);
    expect_part(&r, 1, "content", "we\"ird\\name.png", "image/png",
                S(content_bin));
    rec_free(&r);

    assert_int_equal(check_all_splits(CURL4_B, S(curl4), &r).err, HC_OK);
    expect_part(&r, 0, "content", "tail\\", "application/octet-stream",
                S(content_bin));
    rec_free(&r);

    assert_int_equal(check_all_splits(CURL5_B, S(curl5), &r).err, HC_OK);
    expect_part(&r, 0, "content", "\xc3\xbc.png", "image/png", S(content_bin));
    rec_free(&r);
}

/* Contents that look like a delimiter but are not one. */
static void test_tricky_contents(void **state)
{
    (void)state;
    static const char *const b = "------------------------qO3mZ0iB7a4Yw";
    static const char *const tricky[] = {
        "\r\n--------------------------qO3mZ0iB7a4Y", /* boundary - 1 char */
        "\r\n--------------------------qO3mZ0iB7a4Yx",
        "--------------------------qO3mZ0iB7a4Yw",      /* no CRLF before */
        "\n--------------------------qO3mZ0iB7a4Yw",    /* LF only */
        "\r--------------------------qO3mZ0iB7a4Yw",    /* CR only */
        "\r\r\n--------------------------qO3mZ0iB7a4Y", /* CR CR LF */
        "\r\n--\r\n--\r\n-\r\n\r\r\r\n\n\n",
        "\r\n--\r\n--------------------------qO3mZ0iB7a4Y\r",
        "\r",
        "\n",
        "\r\n",
        "\r\n-",
        "\r\n--",
        "-",
        "--",
        "\r\r",
        "x\r",
        "\r\nx",
        "\r\n--------------------------qO3mZ0iB7a4",
    };
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        const uint8_t *d = (const uint8_t *)tricky[i];
        size_t len = strlen(tricky[i]);
        tpart ps[2] = {{"a", NULL, NULL, d, len},
                       {"b", "f.bin", "application/octet-stream", d, len}};
        hc_buf body;
        rec r = {0};
        build(&body, b, ps, 2);
        assert_int_equal(check_all_splits(b, body.data, body.len, &r).err,
                         HC_OK);
        assert_string_equal(r.seq, "BDEBDE");
        expect_part(&r, 0, "a", NULL, NULL, d, len);
        expect_part(&r, 1, "b", "f.bin", "application/octet-stream", d, len);
        rec_free(&r);
        hc_buf_free(&body);
    }
}

static void test_binary_contents(void **state)
{
    (void)state;
    uint8_t bin[1024];
    for (size_t i = 0; i < sizeof bin; i++)
        bin[i] = (uint8_t)(i * 7 + (i >> 8));
    memset(bin + 100, 0, 50); /* a run of NULs */
    tpart ps[2] = {{"z", NULL, NULL, (const uint8_t *)"\0", 1},
                   {"bin", "b.bin", NULL, bin, sizeof bin}};
    hc_buf body;
    rec r = {0};
    build(&body, "B", ps, 2);
    /* one- and two-byte boundaries make near-matches frequent */
    assert_int_equal(run_whole("B", body.data, body.len, &r).err, HC_OK);
    expect_part(&r, 0, "z", NULL, NULL, (const uint8_t *)"\0", 1);
    expect_part(&r, 1, "bin", "b.bin", NULL, bin, sizeof bin);
    rec_free(&r);
    assert_int_equal(run_bytewise("B", body.data, body.len, &r).err, HC_OK);
    expect_part(&r, 1, "bin", "b.bin", NULL, bin, sizeof bin);
    rec_free(&r);
    hc_buf_free(&body);
}

static void test_empty_parts(void **state)
{
    (void)state;
    rec r = {0};
    static const char two_empty[] = "--b\r\n"
                                    "Content-Disposition: form-data; name=a\r\n"
                                    "\r\n"
                                    "\r\n"
                                    "--b\r\n"
                                    "Content-Disposition: form-data; name=b\r\n"
                                    "\r\n"
                                    "\r\n"
                                    "--b--";
    assert_int_equal(check_all_splits("b", S(two_empty), &r).err, HC_OK);
    assert_string_equal(r.seq, "BEBE");
    expect_part(&r, 0, "a", NULL, NULL, NULL, 0);
    expect_part(&r, 1, "b", NULL, NULL, NULL, 0);
    rec_free(&r);
    /* a form with no fields (browsers send this) */
    assert_int_equal(check_all_splits("b", S("--b--\r\n"), &r).err, HC_OK);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.calls, 0);
}

static void test_preamble_epilogue_padding(void **state)
{
    (void)state;
    rec r = {0};
    static const char body[] =
        "This is the preamble. --b is not a boundary here.\r\n"
        "--c neither\r\n"
        "\r\n"
        "--b \t \r\n"
        "content-disposition:form-data;NAME=\"x\";FileName=y.txt\r\n"
        "X-Other: ignored; \"unbalanced\r\n"
        "CONTENT-TYPE:   text/plain; charset=utf-8  \r\n"
        "\r\n"
        "data\r\n"
        "--b\t\r\n"
        "Content-Disposition: form-data ; name = \"y\" ;; \r\n"
        "\r\n"
        "more\r\n"
        "--b--this is the epilogue\r\n--b\r\ngarbage";
    assert_int_equal(check_all_splits("b", S(body), &r).err, HC_OK);
    assert_string_equal(r.seq, "BDEBDE");
    expect_part(&r, 0, "x", "y.txt", "text/plain; charset=utf-8", S("data"));
    expect_part(&r, 1, "y", NULL, NULL, S("more"));
    rec_free(&r);
}

static void test_filename_forms(void **state)
{
    (void)state;
    static const struct {
        const char *disp, *name, *file;
    } cases[] = {
        {"form-data; name=\"f\"; filename=\"a\\\"b\"", "f", "a\"b"},
        {"form-data; name=\"f\"; filename=\"a\\\\b\"", "f", "a\\b"},
        /* MSIE and HTML5 senders do not escape: a backslash before a
         * non-special character is literal */
        {"form-data; name=\"f\"; filename=\"C:\\dir\\f.txt\"", "f",
         "C:\\dir\\f.txt"},
        {"form-data; name=\"f\"; filename=\"dir\\\"", "f", "dir\\"},
        {"form-data; name=\"f\"; filename=\"\"", "f", ""},
        {"form-data; name=\"a\\\"", "a\\", NULL},
        {"form-data; name=f; filename=plain.txt", "f", "plain.txt"},
        {"FORM-DATA; Name=\"f\"; FILENAME=\"up.txt\"", "f", "up.txt"},
        {"form-data; name=\"a;b=c\"", "a;b=c", NULL},
        {"form-data; name=\"\xed\x95\xb4\xec\xb9\x98\"",
         "\xed\x95\xb4\xec\xb9\x98", NULL},
        /* filename* (RFC 5987) wins over filename */
        {"form-data; name=\"f\"; filename=\"euro.png\"; "
         "filename*=UTF-8''%e2%82%ac%20rates.png",
         "f", "\xe2\x82\xac rates.png"},
        {"form-data; name=\"f\"; filename*=utf-8'en'a.png; filename=\"b\"", "f",
         "a.png"},
        {"form-data; name=\"f\"; filename*=iso-8859-1''caf%E9.txt", "f",
         "caf\xc3\xa9.txt"},
        /* an unknown charset: filename* is ignored */
        {"form-data; name=\"f\"; filename=\"x\"; filename*=koi8-r''%C1", "f",
         "x"},
        {"form-data; name=\"f\"; filename*=koi8-r''%C1", "f", NULL},
        {"form-data; name=\"f\"; size=12; creation-date=\"Wed, 12 Feb\"", "f",
         NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[512];
        int n = snprintf(body, sizeof body,
                         "--b\r\nContent-Disposition: %s\r\n\r\nx\r\n--b--",
                         cases[i].disp);
        rec r = {0};
        result res =
            check_all_splits("b", (const uint8_t *)body, (size_t)n, &r);
        if (res.err)
            fail_msg("case %zu: %s", i, res.why);
        expect_part(&r, 0, cases[i].name, cases[i].file, NULL, S("x"));
        rec_free(&r);
    }
}

/* ---- malformed bodies ---- */

static void expect_fail(const char *boundary, const uint8_t *body, size_t n,
                        const char *why)
{
    rec r = {0};
    result res = check_all_splits(boundary, body, n, &r);
    if (res.err != HC_ERR_MULTIPART || strcmp(res.why, why) != 0)
        fail_msg("want \"%s\", got %d \"%s\" for %.*s", why, res.err, res.why,
                 (int)n, (const char *)body);
    rec_free(&r);
}

#define HDR "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"

static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *body, *why;
    } cases[] = {
        {"", "no boundary in the body"},
        {"just a preamble\r\n-- b\r\n-b\r\n--", "no boundary in the body"},
        {"--c\r\nContent-Disposition: form-data; name=a\r\n\r\nx--b--",
         "no boundary in the body"},
        {HDR "\r\nx", "missing closing boundary"},
        {HDR "\r\nx\r\n--b", "missing closing boundary"},
        {HDR "\r\nx\r\n--b-", "missing closing boundary"},
        {HDR "\r\nx\r\n--b\r", "missing closing boundary"},
        {HDR "\r\nx\r\n--b\r\n", "body ends in part headers"},
        {HDR, "body ends in part headers"},
        {HDR "\r\nx\r\n--bx", "unexpected bytes after a boundary"},
        {HDR "\r\nx\r\n--b-x", "unexpected bytes after a boundary"},
        {HDR "\r\nx\r\n--b -", "unexpected bytes after a boundary"},
        {"--b\n" HDR, "boundary line not ended by CRLF"},
        {"--b\rx", "boundary line not ended by CRLF"},
        {"--b\r\nContent-Disposition: form-data; name=a\n\n",
         "header line not ended by CRLF"},
        {"--b\r\n\n", "header line not ended by CRLF"},
        {"--b\r\n\r\nx\r\n--b--", "part without Content-Disposition"},
        {"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
         "part without Content-Disposition"},
        {"--b\r\nContent-Disposition: attachment; name=a\r\n\r\n--b--",
         "Content-Disposition is not form-data"},
        {"--b\r\nContent-Disposition: form-datax; name=a\r\n\r\n--b--",
         "Content-Disposition is not form-data"},
        {"--b\r\nContent-Disposition: form-data\r\n\r\n--b--",
         "part without a name"},
        {"--b\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\n",
         "part without a name"},
        {"--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n",
         "part without a name"},
        {"--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\n",
         "unterminated quoted string"},
        {"--b\r\nContent-Disposition: form-data; name=a; filename=\"x\r\n",
         "unterminated quoted string"},
        {"--b\r\nContent-Disposition: form-data; name=a b\r\n",
         "malformed Content-Disposition"},
        {"--b\r\nContent-Disposition: form-data; name\r\n",
         "malformed Content-Disposition"},
        {"--b\r\nContent-Disposition: form-data; name=\r\n",
         "malformed Content-Disposition"},
        {"--b\r\nContent-Disposition: form-data; name=\"a\"x\r\n",
         "malformed Content-Disposition"},
        {"--b\r\nContent-Disposition: form-data name=a\r\n",
         "malformed Content-Disposition"},
        {"--b\r\nContent-Disposition: \r\n", "malformed Content-Disposition"},
        {"--b\r\nContent-Disposition: ; name=a\r\n",
         "malformed Content-Disposition"},
        {"--b\r\nContent-Disposition: form-data; name=a; name=b\r\n",
         "repeated Content-Disposition parameter"},
        {"--b\r\nContent-Disposition: form-data; name=a; NAME=a\r\n",
         "repeated Content-Disposition parameter"},
        {HDR "Content-Disposition: form-data; name=b\r\n",
         "repeated Content-Disposition"},
        {HDR "Content-Type: a/b\r\ncontent-type: a/b\r\n",
         "repeated Content-Type"},
        {HDR "Content-Type:  \r\n", "empty Content-Type"},
        {HDR "Content-Disposition\r\n", "header line without a colon"},
        {HDR "no colon here\r\n\r\n", "header line without a colon"},
        {HDR "--b--\r\n", "header line without a colon"},
        {HDR ": value\r\n", "malformed header name"},
        {HDR "Content Type: a/b\r\n", "malformed header name"},
        {HDR "Content-Type : a/b\r\n", "malformed header name"},
        {HDR " folded\r\n", "folded header line"},
        {HDR "\tfolded\r\n", "folded header line"},
        {HDR "X-A: a\rb\r\n", "control character in part headers"},
        {HDR "X-A: a\x7f\r\n", "control character in part headers"},
        {HDR "X-A: a\x1b[0m\r\n", "control character in part headers"},
        {HDR "X-A: a\r\r\n", "control character in part headers"},
        {"--b\r\nContent-Disposition: form-data; filename*=UTF-8''a%ZZ\r\n",
         "malformed filename*"},
        {"--b\r\nContent-Disposition: form-data; filename*=UTF-8''a%2\r\n",
         "malformed filename*"},
        {"--b\r\nContent-Disposition: form-data; filename*=UTF-8''a%00\r\n",
         "malformed filename*"},
        {"--b\r\nContent-Disposition: form-data; filename*=UTF-8''a%0A\r\n",
         "malformed filename*"},
        {"--b\r\nContent-Disposition: form-data; filename*=UTF-8'a.txt\r\n",
         "malformed filename*"},
        {"--b\r\nContent-Disposition: form-data; filename*=a.txt\r\n",
         "malformed filename*"},
        {"--b\r\nContent-Disposition: form-data; filename*=UTF-8''a=b\r\n",
         "malformed filename*"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_fail("b", (const uint8_t *)cases[i].body, strlen(cases[i].body),
                    cases[i].why);
    /* a NUL in a header would cut the name short */
    expect_fail("b", S(HDR "X-A: a\0b\r\n"),
                "control character in part headers");
    expect_fail("b",
                S("--b\r\nContent-Disposition: form-data; name=\"a\0b\"\r\n"),
                "control character in part headers");
}

/* LF-only line endings: rejected (no real client sends them). */
static void test_lf_only(void **state)
{
    (void)state;
    expect_fail("b",
                S("--b\nContent-Disposition: form-data; name=a\n\nx\n--b--\n"),
                "boundary line not ended by CRLF");
}

static void test_header_limit(void **state)
{
    (void)state;
    static const char head[] = "--b\r\nContent-Disposition: form-data; "
                               "name=a\r\nX-Pad: ";
    static const char tail[] = "\r\n\r\nx\r\n--b--";
    size_t fixed = sizeof head - 1 - 5 + sizeof tail - 1 - 8;
    for (size_t extra = 0; extra <= 1; extra++) {
        hc_buf body;
        hc_buf_init(&body, 1 << 16, 0);
        put(&body, head);
        for (size_t i = 0; i < HC_MP_HEADER_MAX - fixed + extra; i++)
            assert_int_equal(hc_buf_append_byte(&body, 'p'), HC_OK);
        put(&body, tail);
        rec r = {0};
        result res = run_whole("b", body.data, body.len, &r);
        assert_int_equal(res.err, extra ? HC_ERR_MULTIPART : HC_OK);
        if (extra)
            assert_string_equal(res.why, "part headers too long");
        rec_free(&r);
        res = run_bytewise("b", body.data, body.len, &r);
        assert_int_equal(res.err, extra ? HC_ERR_MULTIPART : HC_OK);
        rec_free(&r);
        hc_buf_free(&body);
    }
    /* one endless header line, fed in small chunks: fails as soon as the
     * limit is passed, without holding more */
    hc_mp *mp;
    rec r = {0};
    uint8_t chunk[1000];
    memset(chunk, 'h', sizeof chunk);
    assert_int_equal(hc_mp_new(&mp, "b", &rec_cb, &r), HC_OK);
    assert_int_equal(hc_mp_feed(mp, S("--b\r\n")), HC_OK);
    size_t fed = 0;
    hc_err err = HC_OK;
    while (!err && fed < 100 * sizeof chunk) {
        err = hc_mp_feed(mp, chunk, sizeof chunk);
        fed += sizeof chunk;
    }
    assert_int_equal(err, HC_ERR_MULTIPART);
    assert_true(fed <= HC_MP_HEADER_MAX + sizeof chunk);
    hc_mp_free(mp);
}

static void test_max_parts(void **state)
{
    (void)state;
    for (size_t n = HC_MP_MAX_PARTS; n <= HC_MP_MAX_PARTS + 1; n++) {
        tpart ps[HC_MP_MAX_PARTS + 1];
        for (size_t i = 0; i < n; i++)
            ps[i] = (tpart){"p", NULL, NULL, (const uint8_t *)"v", 1};
        hc_buf body;
        rec r = {0};
        build(&body, "b", ps, n);
        result res = run_whole("b", body.data, body.len, &r);
        if (n > HC_MP_MAX_PARTS) {
            assert_int_equal(res.err, HC_ERR_MULTIPART);
            assert_string_equal(res.why, "too many parts");
            assert_int_equal(r.n, HC_MP_MAX_PARTS);
        } else {
            assert_int_equal(res.err, HC_OK);
            assert_int_equal(r.n, n);
        }
        rec_free(&r);
        hc_buf_free(&body);
    }
}

/* Every truncation of a valid body fails (from feed or finish), except
 * those that keep the whole closing delimiter. */
static void test_truncated(void **state)
{
    (void)state;
    static const struct {
        const char *b, *body;
        size_t len;
    } bodies[] = {
        {CURL1_B, curl1, sizeof curl1 - 1},
        {CURL2_B, curl2, sizeof curl2 - 1},
        {CURL4_B, curl4, sizeof curl4 - 1},
    };
    for (size_t k = 0; k < sizeof bodies / sizeof bodies[0]; k++) {
        const uint8_t *body = (const uint8_t *)bodies[k].body;
        size_t len = bodies[k].len;
        size_t closed = len - 2; /* the body ends "--\r\n" */
        for (size_t n = 0; n <= len; n++) {
            rec r = {0};
            size_t half = n / 2;
            result res = run_cuts(bodies[k].b, body, n, &half, 1, &r);
            if (n < closed)
                assert_int_equal(res.err, HC_ERR_MULTIPART);
            else
                assert_int_equal(res.err, HC_OK);
            rec_free(&r);
        }
    }
}

/* Callbacks that stop the parser, at every callback of a body. */
static void test_abort(void **state)
{
    (void)state;
    rec all = {0};
    assert_int_equal(run_whole(CURL2_B, S(curl2), &all).err, HC_OK);
    int calls = all.calls;
    rec_free(&all);
    for (int at = 1; at <= calls; at++) {
        rec r = {0};
        r.abort_at = at;
        result res = run_whole(CURL2_B, S(curl2), &r);
        assert_int_equal(res.err, HC_ERR_ABORTED);
        assert_string_equal(res.why, "stopped by a callback");
        assert_int_equal(r.calls, at);
        assert_int_equal(r.after_abort, 0);
        rec_free(&r);
        r.abort_at = at;
        res = run_bytewise(CURL2_B, S(curl2), &r);
        assert_int_equal(res.err, HC_ERR_ABORTED);
        assert_int_equal(r.after_abort, 0);
        rec_free(&r);
    }
}

/* ---- a 100 MiB part, 64 KiB at a time ---- */

typedef struct counter {
    uint64_t bytes, calls, hash;
    int begun, ended;
} counter;

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static int count_begin(void *arg, const char *name, const char *file,
                       const char *ctype)
{
    counter *c = arg;
    (void)name, (void)file, (void)ctype;
    c->begun++;
    return 0;
}

static int count_data(void *arg, const uint8_t *p, size_t n)
{
    counter *c = arg;
    c->bytes += n;
    c->calls++;
    c->hash = fnv(c->hash, p, n);
    return 0;
}

static int count_end(void *arg)
{
    counter *c = arg;
    c->ended++;
    return 0;
}

static long max_rss_kib(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

static void test_large_part(void **state)
{
    (void)state;
    static const char b[] = "------------------------681c8a290d1b1949";
    static const char near[] = "\r\n--------------------------681c8a290d1b194";
    static uint8_t chunk[64 * 1024];
    const size_t nchunks = 100 * 16; /* 100 MiB */
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (uint8_t)((i * 2654435761u) >> 13);
    for (size_t at = 1000; at + sizeof near < sizeof chunk; at += 7919)
        memcpy(chunk + at, near, sizeof near - 1); /* near-delimiters */
    /* a near-delimiter split across chunks, and a CR as the last byte */
    memcpy(chunk + sizeof chunk - 20, near, 19);
    memcpy(chunk, near + 19, sizeof near - 1 - 19);
    chunk[sizeof chunk - 1] = '\r';

    counter c = {0, 0, 0xcbf29ce484222325ull, 0, 0};
    hc_mp_callbacks cb = {count_begin, count_data, count_end};
    hc_mp *mp;
    long rss0 = max_rss_kib();
    assert_int_equal(hc_mp_new(&mp, b, &cb, &c), HC_OK);
    assert_int_equal(hc_mp_feed(mp, S("--"
                                      "------------------------"
                                      "681c8a290d1b1949\r\n"
                                      "Content-Disposition: form-data; "
                                      "name=\"content\"; filename=\"big\"\r\n"
                                      "\r\n")),
                     HC_OK);
    uint64_t want = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < nchunks; i++) {
        assert_int_equal(hc_mp_feed(mp, chunk, sizeof chunk), HC_OK);
        want = fnv(want, chunk, sizeof chunk);
        /* everything but a possible delimiter prefix is passed on */
        uint64_t fed = (uint64_t)(i + 1) * sizeof chunk;
        assert_true(c.bytes <= fed);
        assert_true(fed - c.bytes < sizeof b - 1 + 4);
    }
    assert_int_equal(hc_mp_feed(mp, S("\r\n--"
                                      "------------------------"
                                      "681c8a290d1b1949--\r\n")),
                     HC_OK);
    assert_int_equal(hc_mp_finish(mp), HC_OK);
    hc_mp_free(mp);
    assert_int_equal(c.begun, 1);
    assert_int_equal(c.ended, 1);
    assert_true(c.bytes == (uint64_t)nchunks * sizeof chunk);
    assert_true(c.hash == want);
    /* memory stays bounded: the peak RSS grew by far less than 100 MiB */
    assert_true(max_rss_kib() - rss0 < 16 * 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundary_param),
        cmocka_unit_test(test_new_args),
        cmocka_unit_test(test_curl_bodies),
        cmocka_unit_test(test_tricky_contents),
        cmocka_unit_test(test_binary_contents),
        cmocka_unit_test(test_empty_parts),
        cmocka_unit_test(test_preamble_epilogue_padding),
        cmocka_unit_test(test_filename_forms),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_lf_only),
        cmocka_unit_test(test_header_limit),
        cmocka_unit_test(test_max_parts),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_abort),
        cmocka_unit_test(test_large_part),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

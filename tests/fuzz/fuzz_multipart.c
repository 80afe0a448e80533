/* libFuzzer target: the multipart parser never crashes, and its result and
 * callbacks do not depend on how the body is cut into feed calls: the input
 * fed whole, split in two at a position taken from the input, and one byte
 * at a time give the same result and the same callback stream (data
 * coalesced, hashed).
 *
 * Input: split (2 bytes, little-endian), mode (1 byte), then the body.
 *   mode & 7    stop at the n-th part_begin/part_end callback (0: never)
 *   mode & 8    the body starts with a Content-Type line ending in '\n',
 *               whose boundary (hc_mp_boundary) is used; if it has none the
 *               input is done
 *   mode >> 4   otherwise the boundary is fixed[(mode >> 4) & 3]
 */
#include <stdlib.h>
#include <string.h>

#include "haechi/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FNV_INIT 0xcbf29ce484222325ull

typedef struct sink {
    uint64_t h;    /* the event stream */
    uint64_t dh;   /* the current run of data */
    uint64_t dlen; /* bytes in that run */
    int in_part;   /* between part_begin and part_end */
    size_t parts;  /* part_begin calls */
    int events;    /* part_begin + part_end calls */
    int stop_at;   /* return non-zero at this event (1-based); 0 never */
    int stopped;   /* a callback returned non-zero */
    int failed;    /* the parser failed: no more callbacks */
} sink;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
    return fnv(h, &v, sizeof v);
}

/* Folds the pending data run into the event stream. */
static void flush(sink *s)
{
    if (!s->dlen)
        return;
    s->h = fnv(s->h, "D", 1);
    s->h = fnv_u64(fnv_u64(s->h, s->dlen), s->dh);
    s->dlen = 0;
    s->dh = FNV_INIT;
}

static void hash_str(sink *s, const char *str)
{
    if (!str) {
        s->h = fnv(s->h, "N", 1);
        return;
    }
    size_t n = strlen(str);
    if (n > HC_MP_HEADER_MAX)
        abort();
    s->h = fnv(fnv_u64(s->h, n), str, n);
}

static int event(sink *s)
{
    if (s->stopped || s->failed)
        abort(); /* called after a stop */
    if (++s->events == s->stop_at) {
        s->stopped = 1;
        return 1;
    }
    return 0;
}

static int on_begin(void *arg, const char *name, const char *file,
                    const char *ctype)
{
    sink *s = arg;
    if (s->in_part || !name || !name[0] || ++s->parts > HC_MP_MAX_PARTS)
        abort();
    s->in_part = 1;
    flush(s);
    s->h = fnv(s->h, "B", 1);
    hash_str(s, name);
    hash_str(s, file);
    hash_str(s, ctype);
    return event(s);
}

static int on_data(void *arg, const uint8_t *p, size_t n)
{
    sink *s = arg;
    if (!s->in_part || n == 0 || s->stopped || s->failed)
        abort();
    s->dh = fnv(s->dh, p, n);
    s->dlen += n;
    return 0;
}

static int on_end(void *arg)
{
    sink *s = arg;
    if (!s->in_part)
        abort();
    s->in_part = 0;
    flush(s);
    s->h = fnv(s->h, "E", 1);
    return event(s);
}

static const hc_mp_callbacks callbacks = {on_begin, on_data, on_end};

typedef struct outcome {
    hc_err err;
    uint64_t h;
    const char *why;
} outcome;

/* Feeds body in pieces of at most step bytes, the first ending at cut. */
static outcome run(const char *boundary, const uint8_t *body, size_t n,
                   size_t cut, size_t step, int stop_at)
{
    sink s = {FNV_INIT, FNV_INIT, 0, 0, 0, 0, stop_at, 0, 0};
    hc_mp *mp;
    if (hc_mp_new(&mp, boundary, &callbacks, &s) != HC_OK)
        abort();
    hc_err err = HC_OK;
    size_t at = 0;
    while (!err && at < n) {
        size_t end = at < cut ? cut : at + step;
        if (end > n)
            end = n;
        err = hc_mp_feed(mp, body + at, end - at);
        at = end;
    }
    if (!err)
        err = hc_mp_finish(mp);
    /* a failed parser stays failed, without calling back */
    s.failed = err != HC_OK;
    if (err && (hc_mp_feed(mp, body, n) != err || hc_mp_finish(mp) != err))
        abort();
    if (err != HC_OK && err != HC_ERR_MULTIPART &&
        !(err == HC_ERR_ABORTED && s.stopped))
        abort();
    if (s.stopped && err != HC_ERR_ABORTED)
        abort();
    flush(&s);
    outcome o = {err, fnv_u64(s.h, (uint64_t)err), hc_mp_error(mp)};
    hc_mp_free(mp);
    return o;
}

static int valid_boundary(const char *b)
{
    size_t n = strlen(b);
    if (n == 0 || n > HC_MP_BOUNDARY_MAX || b[n - 1] == ' ')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z') || strchr("'()+_,-./:=? ", c)))
            return 0;
    }
    return 1;
}

/* Extracts the boundary from a Content-Type line; checks what it accepts. */
static int content_type(char b[HC_MP_BOUNDARY_MAX + 1], const uint8_t *p,
                        size_t n)
{
    char ct[512], again[HC_MP_BOUNDARY_MAX + 1];
    if (n >= sizeof ct || memchr(p, 0, n))
        return 0;
    memcpy(ct, p, n);
    ct[n] = 0;
    if (hc_mp_boundary(b, ct) != HC_OK)
        return 0;
    if (!valid_boundary(b))
        abort();
    /* what it returns, quoted, reads back the same */
    char q[HC_MP_BOUNDARY_MAX + 64] = "multipart/form-data; boundary=\"";
    strcat(q, b);
    strcat(q, "\"");
    if (hc_mp_boundary(again, q) != HC_OK || strcmp(again, b) != 0)
        abort();
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fixed[4] = {
        "b", "------------------------681c8a290d1b1949", "a b", "--"};
    if (size < 3)
        return 0;
    size_t split = (size_t)data[0] | (size_t)data[1] << 8;
    unsigned mode = data[2];
    data += 3;
    size -= 3;
    char b[HC_MP_BOUNDARY_MAX + 1];
    if (mode & 8) {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t len = nl ? (size_t)(nl - data) : size;
        if (!content_type(b, data, len) || !nl)
            return 0;
        data += len + 1;
        size -= len + 1;
    } else {
        strcpy(b, fixed[(mode >> 4) & 3]);
    }
    int stop_at = (int)(mode & 7);
    outcome whole = run(b, data, size, size, size ? size : 1, stop_at);
    outcome two = run(b, data, size, split % (size + 1), size + 1, stop_at);
    outcome bytes = run(b, data, size, 0, 1, stop_at);
    if (whole.err != two.err || whole.h != two.h || whole.err != bytes.err ||
        whole.h != bytes.h || strcmp(whole.why, two.why) != 0 ||
        strcmp(whole.why, bytes.why) != 0)
        abort();
    return 0;
}

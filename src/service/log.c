#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "haechi/hex.h"
#include "haechi/log.h"
#include "haechi/metadata.h"

static int min_level = HC_LOG_INFO;
static int log_fd = 2;

static const char *const names[] = {"debug", "info", "warn", "error"};

void hc_log_set_level(int level)
{
    if (level >= HC_LOG_DEBUG && level <= HC_LOG_ERROR)
        min_level = level;
}

void hc_log_set_fd(int fd)
{
    log_fd = fd;
}

int hc_log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

const char *hc_log_level_name(int level)
{
    return level >= 0 && level < 4 ? names[level] : "info";
}

/* Appends raw bytes if all of them fit, keeping room for the closing "}\n";
 * 0 (nothing written) if they do not. */
static int put(hc_logline *l, const char *s, size_t n)
{
    if (n > sizeof l->buf - 2 - l->len)
        return 0;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    return 1;
}

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0 if it is not one. */
static size_t utf8_seq(const unsigned char *p)
{
    size_t n = *p < 0x80                  ? 1
               : *p >= 0xc2 && *p <= 0xdf ? 2
               : *p >= 0xe0 && *p <= 0xef ? 3
               : *p >= 0xf0 && *p <= 0xf4 ? 4
                                          : 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
    return n && hc_utf8_valid(p, n) ? n : 0;
}

/* A JSON string with escapes; invalid UTF-8 bytes become \ufffd. A string
 * that does not fit is cut before a character and still closed, so every
 * line stays valid JSON. Returns 1 if written whole, 2 if cut, 0 if not even
 * "" fits (nothing written). */
static int put_json_str(hc_logline *l, const char *s)
{
    int whole = 1;
    if (sizeof l->buf - 2 - l->len < 2)
        return 0;
    l->buf[l->len++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        char esc[8];
        const char *out = esc;
        size_t n = utf8_seq(p), olen;
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            olen = 2;
        } else if (*p < 0x20 || *p == 0x7f) {
            olen = (size_t)snprintf(esc, sizeof esc, "\\u%04x", *p);
        } else if (!n) {
            out = "\\ufffd";
            olen = 6;
        } else {
            out = (const char *)p;
            olen = n;
        }
        /* keep a byte for the closing quote */
        if (olen + 1 > sizeof l->buf - 2 - l->len) {
            whole = 2;
            break;
        }
        put(l, out, olen);
        p += n ? n : 1;
    }
    l->buf[l->len++] = '"';
    return whole;
}

/* ,"k": — 0 if it does not fit whole (the line is then as it was). */
static int key(hc_logline *l, const char *k)
{
    size_t at = l->len;
    if (put(l, ",", 1) && put_json_str(l, k) == 1 && put(l, ":", 1))
        return 1;
    l->len = at;
    return 0;
}

void hc_log_begin(hc_logline *l, int level, const char *event)
{
    l->len = 0;
    l->active = level >= min_level;
    if (!l->active)
        return;
    struct timespec ts;
    struct tm tm;
    char t[40];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(t + n, sizeof t - n, ".%03ldZ", ts.tv_nsec / 1000000);
    put(l, "{\"ts\":", 6);
    put_json_str(l, t);
    put(l, ",\"level\":", 9);
    put_json_str(l, hc_log_level_name(level));
    key(l, "event");
    put_json_str(l, event);
}

void hc_log_str(hc_logline *l, const char *k, const char *v)
{
    size_t at = l->len;
    if (!l->active)
        return;
    /* a field that does not fit is left out (a long string is cut) */
    if (!key(l, k) || !(v ? put_json_str(l, v) : put(l, "null", 4)))
        l->len = at;
}

/* A field with a number already formatted (JSON). */
static void put_num(hc_logline *l, const char *k, const char *n)
{
    size_t at = l->len;
    if (!key(l, k) || !put(l, n, strlen(n)))
        l->len = at;
}

void hc_log_int(hc_logline *l, const char *k, long long v)
{
    char n[32];
    if (!l->active)
        return;
    snprintf(n, sizeof n, "%lld", v);
    put_num(l, k, n);
}

void hc_log_uint(hc_logline *l, const char *k, unsigned long long v)
{
    char n[32];
    if (!l->active)
        return;
    snprintf(n, sizeof n, "%llu", v);
    put_num(l, k, n);
}

void hc_log_double(hc_logline *l, const char *k, double v)
{
    char n[40];
    if (!l->active)
        return;
    if (isfinite(v))
        snprintf(n, sizeof n, "%.6g", v);
    else
        snprintf(n, sizeof n, "null"); /* JSON has no NaN or infinity */
    put_num(l, k, n);
}

void hc_log_hex(hc_logline *l, const char *k, const uint8_t *p, size_t n)
{
    char h[2 * 64 + 3];
    if (!l->active)
        return;
    if (n > 64)
        n = 64;
    hc_log_str(l, k, hc_hex_encode(h, p, n, 1));
}

void hc_log_end(hc_logline *l)
{
    if (!l->active)
        return;
    l->buf[l->len++] = '}';
    l->buf[l->len++] = '\n';
    ssize_t w = write(log_fd, l->buf, l->len);
    (void)w; /* nowhere to report a failing log */
    l->active = 0;
}

void hc_log_msg(int level, const char *event, const char *msg)
{
    hc_logline l;
    hc_log_begin(&l, level, event);
    hc_log_str(&l, "message", msg);
    hc_log_end(&l);
}

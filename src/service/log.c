#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "haechi/hex.h"
#include "haechi/log.h"

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

/* Appends raw bytes, keeping room for the closing "}\n". */
static void put(hc_logline *l, const char *s, size_t n)
{
    size_t room = sizeof l->buf - 3 - l->len;
    if (n > room)
        n = room;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

/* A JSON string with escapes; invalid UTF-8 bytes become \ufffd. */
static void put_json_str(hc_logline *l, const char *s)
{
    put(l, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            put(l, esc, 2);
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            put(l, esc, 6);
        } else {
            put(l, (const char *)p, 1);
        }
    }
    put(l, "\"", 1);
}

static void key(hc_logline *l, const char *k)
{
    put(l, ",", 1);
    put_json_str(l, k);
    put(l, ":", 1);
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
    if (!l->active)
        return;
    key(l, k);
    if (v)
        put_json_str(l, v);
    else
        put(l, "null", 4);
}

void hc_log_int(hc_logline *l, const char *k, long long v)
{
    char n[32];
    if (!l->active)
        return;
    key(l, k);
    put(l, n, (size_t)snprintf(n, sizeof n, "%lld", v));
}

void hc_log_uint(hc_logline *l, const char *k, unsigned long long v)
{
    char n[32];
    if (!l->active)
        return;
    key(l, k);
    put(l, n, (size_t)snprintf(n, sizeof n, "%llu", v));
}

void hc_log_double(hc_logline *l, const char *k, double v)
{
    char n[40];
    if (!l->active)
        return;
    key(l, k);
    put(l, n, (size_t)snprintf(n, sizeof n, "%.6g", v));
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

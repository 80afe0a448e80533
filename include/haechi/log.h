/* log.h — structured logs: one JSON object per line on stderr, e.g.
 *   {"ts":"2026-11-25T09:40:00.123Z","level":"info","event":"mint_accepted",
 *    "mint_id":"…","client":"jongno-gu"}
 * Build a line with hc_log_begin, add fields, and hc_log_end writes it in
 * one write(2) (lines from threads never interleave). A line is at most 2048
 * bytes and always one valid JSON object in UTF-8: a string that does not fit
 * is cut and closed, a field that does not fit is left out, invalid UTF-8
 * becomes U+FFFD, a non-finite double null. Never log a secret:
 * there is deliberately no way to log a key or an Authorization header.
 */
#ifndef HAECHI_LOG_H
#define HAECHI_LOG_H

#include <stddef.h>
#include <stdint.h>

enum { HC_LOG_DEBUG = 0, HC_LOG_INFO, HC_LOG_WARN, HC_LOG_ERROR };

typedef struct hc_logline {
    char buf[2048];
    size_t len;
    int active; /* 0 when below the level: calls are no-ops */
} hc_logline;

void hc_log_set_level(int level);
int hc_log_level_parse(const char *s); /* -1 if unknown */
const char *hc_log_level_name(int level);
/* Redirect (tests): fd to write lines to; default 2. */
void hc_log_set_fd(int fd);

void hc_log_begin(hc_logline *l, int level, const char *event);
void hc_log_str(hc_logline *l, const char *key, const char *value);
void hc_log_int(hc_logline *l, const char *key, long long value);
void hc_log_uint(hc_logline *l, const char *key, unsigned long long value);
void hc_log_double(hc_logline *l, const char *key, double value);
void hc_log_hex(hc_logline *l, const char *key, const uint8_t *p, size_t n);
void hc_log_end(hc_logline *l);

/* One-field convenience: {"event": event, "message": msg}. */
void hc_log_msg(int level, const char *event, const char *msg);

#endif

/* Structured logs, read back through a pipe (hc_log_set_fd): every line is
 * one valid JSON object in UTF-8 (quotes, backslashes and control
 * characters escaped, invalid UTF-8 replaced, long values cut but closed),
 * fields of every type, and level filtering. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "haechi/log.h"
#include "haechi/metadata.h"
#include "testutil.h"

static int pipe_fd[2];

static int setup(void **state)
{
    (void)state;
    if (pipe(pipe_fd) != 0)
        return -1;
    fcntl(pipe_fd[0], F_SETFL, O_NONBLOCK);
    hc_log_set_fd(pipe_fd[1]);
    hc_log_set_level(HC_LOG_INFO);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hc_log_set_fd(2);
    hc_log_set_level(HC_LOG_INFO);
    close(pipe_fd[0]);
    close(pipe_fd[1]);
    return 0;
}

/* Everything written since the last call (static buffer, "" if none). */
static const char *drain(void)
{
    static char buf[16384];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof buf - 1 &&
           (r = read(pipe_fd[0], buf + n, sizeof buf - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = 0;
    return buf;
}

/* The one line written since the last call, checked to be a JSON object in
 * UTF-8 ending in "}\n"; returns it parsed (caller deletes). */
static cJSON *one_line(void)
{
    const char *s = drain();
    size_t n = strlen(s);
    if (n < 3 || s[n - 1] != '\n' || s[n - 2] != '}' || s[0] != '{')
        fail_msg("not one JSON line: [%s]", s);
    if (memchr(s, '\n', n - 1))
        fail_msg("more than one line: [%s]", s);
    assert_true(n <= 2048);
    assert_true(hc_utf8_valid((const uint8_t *)s, n));
    cJSON *o = cJSON_ParseWithLength(s, n);
    if (!o || !cJSON_IsObject(o))
        fail_msg("invalid JSON: [%s]", s);
    return o;
}

static const char *str(cJSON *o, const char *k)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsString(v))
        fail_msg("no string member %s", k);
    return v->valuestring;
}

static void test_line_shape(void **state)
{
    (void)state;
    hc_logline l;
    hc_log_begin(&l, HC_LOG_INFO, "mint_accepted");
    hc_log_str(&l, "client", "jongno-gu");
    hc_log_end(&l);
    const char *s = drain();
    /* {"ts":"2026-11-25T09:40:00.123Z","level":"info","event":… */
    assert_int_equal(strncmp(s, "{\"ts\":\"", 7), 0);
    assert_true(strlen(s) > 32);
    for (int i = 7; i < 31; i++) {
        char c = s[i];
        const char *shape = "dddd-dd-ddTdd:dd:dd.dddZ";
        if (shape[i - 7] == 'd' ? !(c >= '0' && c <= '9') : c != shape[i - 7])
            fail_msg("bad timestamp: %s", s);
    }
    assert_string_equal(s + 31, "\",\"level\":\"info\",\"event\":"
                                "\"mint_accepted\",\"client\":\"jongno-gu\"}"
                                "\n");
    /* hc_log_msg */
    hc_log_msg(HC_LOG_ERROR, "ledger_open_failed", "no space left");
    cJSON *o = one_line();
    assert_string_equal(str(o, "level"), "error");
    assert_string_equal(str(o, "event"), "ledger_open_failed");
    assert_string_equal(str(o, "message"), "no space left");
    cJSON_Delete(o);
}

static void test_escaping(void **state)
{
    (void)state;
    static const char *const values[] = {
        "say \"hi\"",
        "back\\slash",
        "line\nbreak\r\ttab",
        "\x01\x02\x1f\x7f bell\a",
        "\"\\\"\\",
        "서울의 봄 🌸",
        "",
        "</script>",
    };
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        hc_logline l;
        hc_log_begin(&l, HC_LOG_WARN, "e\"v\nent");
        hc_log_str(&l, "k\"ey", values[i]);
        hc_log_end(&l);
        cJSON *o = one_line();
        assert_string_equal(str(o, "event"), "e\"v\nent");
        /* the value reads back exactly */
        assert_string_equal(str(o, "k\"ey"), values[i]);
        cJSON_Delete(o);
    }
    /* control characters as \u00XX, the rest raw */
    hc_logline l;
    hc_log_begin(&l, HC_LOG_INFO, "e");
    hc_log_str(&l, "v", "a\"b\\c\nd\x01\x7f한");
    hc_log_end(&l);
    assert_non_null(
        strstr(drain(), ",\"v\":\"a\\\"b\\\\c\\u000ad\\u0001\\u007f한\"}\n"));
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"a\xff"
         "b",
         "a\xef\xbf\xbd"
         "b"},
        {"\xc3", "\xef\xbf\xbd"},                 /* truncated */
        {"\xc3(", "\xef\xbf\xbd("},               /* bad continuation */
        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong '/' */
        {"\xed\xa0\x80",
         "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate */
        {"\xf4\x90\x80\x80",                      /* above U+10FFFF */
         "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"\x80x", "\xef\xbf\xbdx"}, /* stray continuation */
        {"ok \xe2\x82\xac", "ok \xe2\x82\xac"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hc_logline l;
        hc_log_begin(&l, HC_LOG_INFO, "utf8");
        hc_log_str(&l, "v", cases[i].in);
        hc_log_end(&l);
        cJSON *o = one_line();
        if (strcmp(str(o, "v"), cases[i].want) != 0)
            fail_msg("case %zu: got [%s]", i, str(o, "v"));
        cJSON_Delete(o);
    }
}

static void test_types(void **state)
{
    (void)state;
    hc_logline l;
    static const uint8_t bytes[] = {0x01, 0xab, 0xff};
    hc_log_begin(&l, HC_LOG_INFO, "types");
    hc_log_int(&l, "neg", -42);
    hc_log_uint(&l, "big", 18446744073709551615ull);
    hc_log_double(&l, "secs", 0.25);
    hc_log_double(&l, "nan", NAN);
    hc_log_double(&l, "inf", INFINITY);
    hc_log_hex(&l, "hex", bytes, sizeof bytes);
    hc_log_str(&l, "none", NULL);
    hc_log_end(&l);
    const char *s = drain();
    assert_non_null(strstr(s, ",\"neg\":-42,\"big\":18446744073709551615,"
                              "\"secs\":0.25,\"nan\":null,\"inf\":null,"
                              "\"hex\":\"0x01abff\",\"none\":null}\n"));
    /* a disabled line ignores every call */
    hc_log_begin(&l, HC_LOG_DEBUG, "hidden");
    hc_log_str(&l, "a", "b");
    hc_log_int(&l, "n", 1);
    hc_log_end(&l);
    assert_string_equal(drain(), "");
}

static void test_levels(void **state)
{
    (void)state;
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(hc_log_level_parse(names[i]), i);
        assert_string_equal(hc_log_level_name(i), names[i]);
    }
    assert_int_equal(hc_log_level_parse("INFO"), -1);
    assert_int_equal(hc_log_level_parse("warning"), -1);
    assert_int_equal(hc_log_level_parse(""), -1);
    assert_string_equal(hc_log_level_name(-1), "info");
    assert_string_equal(hc_log_level_name(4), "info");

    for (int min = HC_LOG_DEBUG; min <= HC_LOG_ERROR; min++) {
        hc_log_set_level(min);
        for (int lv = HC_LOG_DEBUG; lv <= HC_LOG_ERROR; lv++) {
            hc_log_msg(lv, "e", "m");
            const char *s = drain();
            if (lv >= min) {
                char want[40];
                snprintf(want, sizeof want, "\"level\":\"%s\"", names[lv]);
                if (!strstr(s, want))
                    fail_msg("level %d at min %d: [%s]", lv, min, s);
            } else if (*s) {
                fail_msg("level %d logged at min %d: [%s]", lv, min, s);
            }
        }
    }
    /* out-of-range levels are ignored */
    hc_log_set_level(HC_LOG_WARN);
    hc_log_set_level(17);
    hc_log_set_level(-1);
    hc_log_msg(HC_LOG_INFO, "e", "m");
    assert_string_equal(drain(), "");
    hc_log_msg(HC_LOG_WARN, "e", "m");
    assert_non_null(strstr(drain(), "\"level\":\"warn\""));
}

/* A line stays one valid JSON object however long its values: a long string
 * is cut at a character boundary and closed, a field that does not fit at
 * all is left out. */
static void test_long_values(void **state)
{
    (void)state;
    static char big[6000];
    /* ASCII, escapes (6 bytes each) and 3-byte characters */
    static const char *const fill[] = {"a", "\x01", "한", "\""};
    for (size_t f = 0; f < sizeof fill / sizeof *fill; f++) {
        for (size_t pad = 0; pad < 8; pad++) {
            size_t n = 0, k = strlen(fill[f]);
            while (n + k < sizeof big - 1) {
                memcpy(big + n, fill[f], k);
                n += k;
            }
            big[n] = 0;
            char padding[8] = "";
            memset(padding, 'p', pad);
            padding[pad] = 0;
            hc_logline l;
            hc_log_begin(&l, HC_LOG_INFO, "long");
            hc_log_str(&l, "pad", padding);
            hc_log_str(&l, "v", big);
            hc_log_int(&l, "after", 7);
            hc_log_str(&l, "also", "x");
            hc_log_end(&l);
            cJSON *o = one_line();
            const char *v = str(o, "v");
            size_t vl = strlen(v);
            assert_true(vl > 100);
            assert_true(vl < strlen(big));
            assert_memory_equal(v, big, vl); /* a prefix, whole characters */
            assert_int_equal(vl % k, 0);
            /* no room was left for the fields after it */
            assert_null(cJSON_GetObjectItemCaseSensitive(o, "after"));
            cJSON_Delete(o);
        }
    }
    /* many short fields: the line fills up and the rest is left out */
    hc_logline l;
    hc_log_begin(&l, HC_LOG_INFO, "many");
    for (int i = 0; i < 400; i++) {
        char k[16];
        snprintf(k, sizeof k, "field%d", i);
        if (i % 3 == 0)
            hc_log_uint(&l, k, (unsigned)i);
        else if (i % 3 == 1)
            hc_log_str(&l, k, "value");
        else
            hc_log_double(&l, k, i + 0.5);
    }
    hc_log_end(&l);
    cJSON *o = one_line();
    assert_non_null(cJSON_GetObjectItemCaseSensitive(o, "field0"));
    assert_null(cJSON_GetObjectItemCaseSensitive(o, "field399"));
    cJSON_Delete(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_line_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_values, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

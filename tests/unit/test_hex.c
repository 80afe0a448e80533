/* Unit tests for hex.h: strict decoding and lowercase encoding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/hex.h"
#include "testutil.h"

/* Decodes NUL-terminated s with the given flags into out (cap bytes). */
static hc_err dec(uint8_t *out, size_t cap, size_t *len, const char *s,
                  unsigned flags)
{
    return hc_hex_decode(out, cap, len, s, strlen(s), flags);
}

static void test_decode_basic(void **state)
{
    (void)state;
    uint8_t out[8];
    size_t n = 99;
    static const uint8_t want[] = {0x01, 0x23, 0x45, 0x67,
                                   0x89, 0xab, 0xcd, 0xef};
    const unsigned flag_list[] = {HC_HEX_PREFIX_OPTIONAL,
                                  HC_HEX_PREFIX_REQUIRED};
    for (size_t f = 0; f < 2; f++) {
        memset(out, 0, sizeof out);
        assert_int_equal(
            dec(out, sizeof out, &n, "0x0123456789abcdef", flag_list[f]),
            HC_OK);
        assert_int_equal(n, 8);
        assert_memory_equal(out, want, 8);
    }
    /* without a prefix: optional and forbidden modes */
    memset(out, 0, sizeof out);
    assert_int_equal(
        dec(out, sizeof out, &n, "0123456789abcdef", HC_HEX_PREFIX_OPTIONAL),
        HC_OK);
    assert_int_equal(n, 8);
    assert_memory_equal(out, want, 8);
    memset(out, 0, sizeof out);
    assert_int_equal(
        dec(out, sizeof out, &n, "0123456789abcdef", HC_HEX_PREFIX_FORBIDDEN),
        HC_OK);
    assert_int_equal(n, 8);
    assert_memory_equal(out, want, 8);
}

static void test_decode_case(void **state)
{
    (void)state;
    uint8_t out[8];
    size_t n;
    static const uint8_t want[] = {0xab, 0xcd, 0xef, 0xAB,
                                   0xCD, 0xEF, 0xfa, 0xce};
    /* upper, lower and mixed digits; 0x and 0X prefixes */
    const char *ok[] = {"0xabcdefabcdefface", "0xABCDEFABCDEFFACE",
                        "0XabCDefABcdEFfAcE", "ABCDEFabcdefFACE"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        memset(out, 0, sizeof out);
        assert_int_equal(
            dec(out, sizeof out, &n, ok[i], HC_HEX_PREFIX_OPTIONAL), HC_OK);
        assert_int_equal(n, 8);
        assert_memory_equal(out, want, 8);
    }
    assert_int_equal(dec(out, sizeof out, &n, "0XABCD", HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
    assert_int_equal(n, 2);
}

static void test_decode_all_bytes(void **state)
{
    (void)state;
    /* every byte value, in lower and upper case */
    char s[2 + 512 + 1];
    uint8_t out[256];
    size_t n;
    for (int upper = 0; upper < 2; upper++) {
        const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        s[0] = '0';
        s[1] = 'x';
        for (int i = 0; i < 256; i++) {
            s[2 + 2 * i] = digits[i >> 4];
            s[3 + 2 * i] = digits[i & 15];
        }
        s[2 + 512] = 0;
        assert_int_equal(dec(out, sizeof out, &n, s, HC_HEX_PREFIX_REQUIRED),
                         HC_OK);
        assert_int_equal(n, 256);
        for (int i = 0; i < 256; i++)
            assert_int_equal(out[i], i);
    }
}

static void test_decode_odd(void **state)
{
    (void)state;
    uint8_t out[8];
    size_t n;
    const char *odd[] = {"0x1", "0x123", "1", "abc", "0x0123456"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        assert_int_equal(
            dec(out, sizeof out, &n, odd[i], HC_HEX_PREFIX_OPTIONAL),
            HC_ERR_HEX_ODD);
    assert_int_equal(dec(out, sizeof out, &n, "0x123", HC_HEX_PREFIX_REQUIRED),
                     HC_ERR_HEX_ODD);
    assert_int_equal(dec(out, sizeof out, &n, "123", HC_HEX_PREFIX_FORBIDDEN),
                     HC_ERR_HEX_ODD);
}

static void test_decode_bad_digit(void **state)
{
    (void)state;
    uint8_t out[8];
    size_t n;
    const char *bad[] = {"0xg0", "0x0g", "0xzz", "0x 1",   "0x1 ",
                         "0x-1", "0x+1", "0x0x", "0x12:4", "0x12\3770",
                         "gg",   "0x1G", "x0",   "0xé"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hc_err err = dec(out, sizeof out, &n, bad[i], HC_HEX_PREFIX_OPTIONAL);
        if (err != HC_ERR_HEX_DIGIT)
            fail_msg("\"%s\": got %s", bad[i], hc_strerror(err));
    }
    /* every non-hex character, at the high and the low nibble position */
    for (int c = 1; c < 256; c++) {
        int is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                     (c >= 'A' && c <= 'F');
        char s[5] = {'0', 'x', (char)c, '0', 0};
        assert_int_equal(dec(out, sizeof out, &n, s, HC_HEX_PREFIX_OPTIONAL),
                         is_hex ? HC_OK : HC_ERR_HEX_DIGIT);
        s[2] = '0';
        s[3] = (char)c;
        assert_int_equal(dec(out, sizeof out, &n, s, HC_HEX_PREFIX_OPTIONAL),
                         is_hex ? HC_OK : HC_ERR_HEX_DIGIT);
    }
    /* an embedded NUL inside the given length is a bad digit, not an end */
    static const char nul[] = {'0', 'x', '1', '2', 0, '4'};
    assert_int_equal(hc_hex_decode(out, sizeof out, &n, nul, sizeof nul,
                                   HC_HEX_PREFIX_OPTIONAL),
                     HC_ERR_HEX_DIGIT);
}

static void test_decode_prefix_required(void **state)
{
    (void)state;
    uint8_t out[8];
    size_t n;
    const char *missing[] = {"1234", "",     "0",     "x12",
                             "00x1", "X012", " 0x12", "0y12"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        hc_err err =
            dec(out, sizeof out, &n, missing[i], HC_HEX_PREFIX_REQUIRED);
        if (err != HC_ERR_HEX_PREFIX)
            fail_msg("\"%s\": got %s", missing[i], hc_strerror(err));
    }
}

static void test_decode_prefix_forbidden(void **state)
{
    (void)state;
    uint8_t out[8];
    size_t n;
    /* the 'x' of a prefix is not a hex digit */
    assert_int_equal(dec(out, sizeof out, &n, "0x12", HC_HEX_PREFIX_FORBIDDEN),
                     HC_ERR_HEX_DIGIT);
    assert_int_equal(dec(out, sizeof out, &n, "0X12", HC_HEX_PREFIX_FORBIDDEN),
                     HC_ERR_HEX_DIGIT);
    assert_int_equal(dec(out, sizeof out, &n, "0x", HC_HEX_PREFIX_FORBIDDEN),
                     HC_ERR_HEX_DIGIT);
    /* a leading zero digit is not a prefix */
    assert_int_equal(dec(out, sizeof out, &n, "0012", HC_HEX_PREFIX_FORBIDDEN),
                     HC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(out[0], 0x00);
    assert_int_equal(out[1], 0x12);
    /* empty is fine: zero bytes */
    assert_int_equal(dec(out, sizeof out, &n, "", HC_HEX_PREFIX_FORBIDDEN),
                     HC_OK);
    assert_int_equal(n, 0);
}

static void test_decode_empty(void **state)
{
    (void)state;
    uint8_t out[1] = {0x77};
    size_t n = 99;
    assert_int_equal(dec(out, sizeof out, &n, "0x", HC_HEX_PREFIX_OPTIONAL),
                     HC_OK);
    assert_int_equal(n, 0);
    n = 99;
    assert_int_equal(dec(out, sizeof out, &n, "0X", HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
    assert_int_equal(n, 0);
    n = 99;
    assert_int_equal(dec(out, sizeof out, &n, "", HC_HEX_PREFIX_OPTIONAL),
                     HC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(out[0], 0x77); /* untouched */
    /* no output buffer needed for empty input */
    n = 99;
    assert_int_equal(dec(NULL, 0, &n, "0x", HC_HEX_PREFIX_REQUIRED), HC_OK);
    assert_int_equal(n, 0);
}

static void test_decode_buffer(void **state)
{
    (void)state;
    uint8_t out[4];
    size_t n;
    assert_int_equal(dec(out, 4, &n, "0x01020304", HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
    assert_int_equal(n, 4);
    assert_int_equal(dec(out, 3, &n, "0x01020304", HC_HEX_PREFIX_REQUIRED),
                     HC_ERR_BUFFER);
    assert_int_equal(dec(out, 0, &n, "0x01", HC_HEX_PREFIX_REQUIRED),
                     HC_ERR_BUFFER);
    assert_int_equal(dec(NULL, 0, &n, "0x01", HC_HEX_PREFIX_REQUIRED),
                     HC_ERR_BUFFER);
    /* a decode never writes past out_cap */
    uint8_t guard[8];
    memset(guard, 0xee, sizeof guard);
    assert_int_equal(dec(guard, 2, &n, "0x010203040", HC_HEX_PREFIX_OPTIONAL),
                     HC_ERR_HEX_ODD);
    assert_int_equal(dec(guard, 2, &n, "0x010203", HC_HEX_PREFIX_OPTIONAL),
                     HC_ERR_BUFFER);
    for (size_t i = 2; i < sizeof guard; i++)
        assert_int_equal(guard[i], 0xee);
}

static void test_decode_args(void **state)
{
    (void)state;
    uint8_t out[4];
    size_t n;
    assert_int_equal(hc_hex_decode(out, 4, &n, NULL, 0, 0), HC_ERR_ARG);
    assert_int_equal(hc_hex_decode(out, 4, NULL, "00", 2, 0), HC_ERR_ARG);
    assert_int_equal(hc_hex_decode(NULL, 4, &n, "00", 2, 0), HC_ERR_ARG);
}

static void test_decode_length_not_nul(void **state)
{
    (void)state;
    /* slen bounds the input: the string need not be NUL-terminated */
    uint8_t out[8];
    size_t n;
    const char *s = "0xdeadbeefzz";
    assert_int_equal(
        hc_hex_decode(out, sizeof out, &n, s, 10, HC_HEX_PREFIX_REQUIRED),
        HC_OK);
    assert_int_equal(n, 4);
    assert_int_equal(out[0], 0xde);
    assert_int_equal(out[3], 0xef);
    assert_int_equal(
        hc_hex_decode(out, sizeof out, &n, s, 6, HC_HEX_PREFIX_REQUIRED),
        HC_OK);
    assert_int_equal(n, 2);
    /* a length of 1 cannot hold the prefix */
    assert_int_equal(
        hc_hex_decode(out, sizeof out, &n, s, 1, HC_HEX_PREFIX_REQUIRED),
        HC_ERR_HEX_PREFIX);
    assert_int_equal(
        hc_hex_decode(out, sizeof out, &n, s, 0, HC_HEX_PREFIX_OPTIONAL),
        HC_OK);
    assert_int_equal(n, 0);
}

static void test_decode_fixed(void **state)
{
    (void)state;
    uint8_t out[4];
    static const uint8_t want[] = {0xca, 0xfe, 0xba, 0xbe};
    memset(out, 0, sizeof out);
    assert_int_equal(
        hc_hex_decode_fixed(out, 4, "0xcafebabe", HC_HEX_PREFIX_REQUIRED),
        HC_OK);
    assert_memory_equal(out, want, 4);
    memset(out, 0, sizeof out);
    assert_int_equal(
        hc_hex_decode_fixed(out, 4, "CAFEBABE", HC_HEX_PREFIX_OPTIONAL), HC_OK);
    assert_memory_equal(out, want, 4);
    /* too short and too long */
    assert_int_equal(
        hc_hex_decode_fixed(out, 4, "0xcafeba", HC_HEX_PREFIX_REQUIRED),
        HC_ERR_LENGTH);
    assert_int_equal(
        hc_hex_decode_fixed(out, 4, "0xcafebabe00", HC_HEX_PREFIX_REQUIRED),
        HC_ERR_LENGTH);
    assert_int_equal(hc_hex_decode_fixed(out, 4, "0x", HC_HEX_PREFIX_REQUIRED),
                     HC_ERR_LENGTH);
    assert_int_equal(hc_hex_decode_fixed(out, 4, "", HC_HEX_PREFIX_OPTIONAL),
                     HC_ERR_LENGTH);
    /* odd digit counts */
    assert_int_equal(
        hc_hex_decode_fixed(out, 4, "0xcafebab", HC_HEX_PREFIX_REQUIRED),
        HC_ERR_HEX_ODD);
    assert_int_equal(
        hc_hex_decode_fixed(out, 4, "0xcafebabe0", HC_HEX_PREFIX_REQUIRED),
        HC_ERR_HEX_ODD);
    /* a bad digit is reported before a bad length */
    assert_int_equal(
        hc_hex_decode_fixed(out, 4, "0xcafeb@", HC_HEX_PREFIX_REQUIRED),
        HC_ERR_HEX_DIGIT);
    assert_int_equal(
        hc_hex_decode_fixed(out, 4, "0xcafebabg", HC_HEX_PREFIX_REQUIRED),
        HC_ERR_HEX_DIGIT);
    assert_int_equal(
        hc_hex_decode_fixed(out, 4, "0xcafebabe0g", HC_HEX_PREFIX_REQUIRED),
        HC_ERR_HEX_DIGIT);
    /* prefix rules */
    assert_int_equal(
        hc_hex_decode_fixed(out, 4, "cafebabe", HC_HEX_PREFIX_REQUIRED),
        HC_ERR_HEX_PREFIX);
    assert_int_equal(
        hc_hex_decode_fixed(out, 4, "0xcafebabe", HC_HEX_PREFIX_FORBIDDEN),
        HC_ERR_HEX_DIGIT);
    /* zero length */
    assert_int_equal(hc_hex_decode_fixed(out, 0, "0x", HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
    assert_int_equal(
        hc_hex_decode_fixed(out, 0, "0x00", HC_HEX_PREFIX_REQUIRED),
        HC_ERR_LENGTH);
    assert_int_equal(hc_hex_decode_fixed(out, 4, NULL, HC_HEX_PREFIX_OPTIONAL),
                     HC_ERR_ARG);
}

static void test_decode_buf(void **state)
{
    (void)state;
    hc_buf b;
    hc_buf_init(&b, 6, 0);
    assert_int_equal(hc_hex_decode_buf(&b, "0x0102", HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
    assert_int_equal(b.len, 2);
    /* appends after the existing bytes */
    assert_int_equal(hc_hex_decode_buf(&b, "A0B0", HC_HEX_PREFIX_OPTIONAL),
                     HC_OK);
    assert_int_equal(b.len, 4);
    static const uint8_t want[] = {0x01, 0x02, 0xa0, 0xb0};
    assert_memory_equal(b.data, want, 4);
    /* an empty string appends nothing */
    assert_int_equal(hc_hex_decode_buf(&b, "0x", HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
    assert_int_equal(b.len, 4);
    /* the buffer's limit applies */
    assert_int_equal(hc_hex_decode_buf(&b, "0x030405", HC_HEX_PREFIX_REQUIRED),
                     HC_ERR_BUFFER);
    assert_int_equal(b.len, 4);
    /* errors leave the contents alone */
    assert_int_equal(hc_hex_decode_buf(&b, "0x0g", HC_HEX_PREFIX_REQUIRED),
                     HC_ERR_HEX_DIGIT);
    assert_int_equal(hc_hex_decode_buf(&b, "0x012", HC_HEX_PREFIX_REQUIRED),
                     HC_ERR_HEX_ODD);
    assert_int_equal(hc_hex_decode_buf(&b, "0102", HC_HEX_PREFIX_REQUIRED),
                     HC_ERR_HEX_PREFIX);
    assert_int_equal(hc_hex_decode_buf(&b, "0x01", HC_HEX_PREFIX_FORBIDDEN),
                     HC_ERR_HEX_DIGIT);
    assert_int_equal(hc_hex_decode_buf(&b, NULL, HC_HEX_PREFIX_OPTIONAL),
                     HC_ERR_ARG);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, want, 4);
    /* exactly to the limit */
    assert_int_equal(hc_hex_decode_buf(&b, "0xFFfe", HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
    assert_int_equal(b.len, 6);
    assert_int_equal(b.data[4], 0xff);
    assert_int_equal(b.data[5], 0xfe);
    hc_buf_free(&b);

    /* empty input into a fresh buffer */
    hc_buf_init(&b, 16, 0);
    assert_int_equal(hc_hex_decode_buf(&b, "0x", HC_HEX_PREFIX_OPTIONAL),
                     HC_OK);
    assert_int_equal(hc_hex_decode_buf(&b, "", HC_HEX_PREFIX_OPTIONAL), HC_OK);
    assert_int_equal(b.len, 0);
    hc_buf_free(&b);

    /* a long string */
    char *s = malloc(2 + 2 * 3000 + 1);
    assert_non_null(s);
    s[0] = '0';
    s[1] = 'x';
    for (int i = 0; i < 3000; i++) {
        s[2 + 2 * i] = "0123456789abcdef"[(i % 256) >> 4];
        s[3 + 2 * i] = "0123456789ABCDEF"[i & 15];
    }
    s[2 + 6000] = 0;
    hc_buf_init(&b, 3000, HC_BUF_SECRET);
    assert_int_equal(hc_hex_decode_buf(&b, s, HC_HEX_PREFIX_REQUIRED), HC_OK);
    assert_int_equal(b.len, 3000);
    for (int i = 0; i < 3000; i++)
        assert_int_equal(b.data[i], i % 256);
    hc_buf_free(&b);
    free(s);
}

static void test_encode(void **state)
{
    (void)state;
    static const uint8_t in[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    char out[2 + 2 * sizeof in + 1];
    memset(out, '#', sizeof out);
    assert_ptr_equal(hc_hex_encode(out, in, sizeof in, 1), out);
    assert_string_equal(out, "0x00017f80abff");
    memset(out, '#', sizeof out);
    assert_ptr_equal(hc_hex_encode(out, in, sizeof in, 0), out);
    assert_string_equal(out, "00017f80abff");
    assert_int_equal(out[12], 0);
    assert_int_equal(out[13], '#'); /* nothing written past the NUL */
    /* empty input */
    assert_string_equal(hc_hex_encode(out, in, 0, 1), "0x");
    assert_string_equal(hc_hex_encode(out, in, 0, 0), "");
}

static void test_encode_alloc_roundtrip(void **state)
{
    (void)state;
    uint8_t in[256], back[256];
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)(255 - i);
    for (int prefix = 0; prefix < 2; prefix++) {
        for (size_t n = 0; n <= sizeof in; n += 17) {
            char *s = hc_hex_encode_alloc(in, n, prefix);
            assert_non_null(s);
            assert_int_equal(strlen(s), 2 * n + (prefix ? 2 : 0));
            for (const char *p = s + (prefix ? 2 : 0); *p; p++)
                assert_true((*p >= '0' && *p <= '9') ||
                            (*p >= 'a' && *p <= 'f'));
            size_t got;
            assert_int_equal(hc_hex_decode(back, sizeof back, &got, s,
                                           strlen(s),
                                           prefix ? HC_HEX_PREFIX_REQUIRED
                                                  : HC_HEX_PREFIX_FORBIDDEN),
                             HC_OK);
            assert_int_equal(got, n);
            if (n)
                assert_memory_equal(back, in, n);
            free(s);
        }
    }
    /* an impossible size is refused */
    assert_null(hc_hex_encode_alloc(in, SIZE_MAX / 2, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_basic),
        cmocka_unit_test(test_decode_case),
        cmocka_unit_test(test_decode_all_bytes),
        cmocka_unit_test(test_decode_odd),
        cmocka_unit_test(test_decode_bad_digit),
        cmocka_unit_test(test_decode_prefix_required),
        cmocka_unit_test(test_decode_prefix_forbidden),
        cmocka_unit_test(test_decode_empty),
        cmocka_unit_test(test_decode_buffer),
        cmocka_unit_test(test_decode_args),
        cmocka_unit_test(test_decode_length_not_nul),
        cmocka_unit_test(test_decode_fixed),
        cmocka_unit_test(test_decode_buf),
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_encode_alloc_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

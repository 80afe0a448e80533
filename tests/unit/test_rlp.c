/* RLP: every record of tests/vectors/rlp.jsonl (encode and decode) and
 * invalid_rlp.jsonl (all rejected), plus hand-made edge cases. */
#include <stdlib.h>
#include <string.h>

#include "haechi/hex.h"
#include "haechi/rlp.h"
#include "testutil.h"

/* Encodes a vector's "in" value: "0x…" strings, "#decimal" big integers,
 * JSON integers and nested arrays. */
static void encode_json(hc_buf *b, const cJSON *v)
{
    if (cJSON_IsArray(v)) {
        size_t mark = hc_rlp_list_begin(b);
        const cJSON *e;
        cJSON_ArrayForEach(e, v) encode_json(b, e);
        assert_int_equal(hc_rlp_list_end(b, mark), HC_OK);
    } else if (cJSON_IsString(v)) {
        size_t n;
        uint8_t *bytes = tu_unhex(v->valuestring, &n);
        assert_int_equal(hc_rlp_put_bytes(b, bytes, n), HC_OK);
        free(bytes);
    } else if (cJSON_IsNumber(v)) {
        assert_true(v->valuedouble >= 0 && v->valuedouble < 9007199254740992.0);
        assert_int_equal(hc_rlp_put_u64(b, (uint64_t)v->valuedouble), HC_OK);
    } else {
        fail_msg("unexpected JSON type in vector");
    }
}

/* Checks that a decoded item matches the vector's "in" structure. */
static void match_json(const hc_rlp_item *it, const cJSON *v)
{
    if (cJSON_IsArray(v)) {
        hc_rlp_iter iter;
        hc_rlp_item sub;
        const cJSON *e;
        assert_true(it->is_list);
        assert_int_equal(hc_rlp_iter_init(&iter, it), HC_OK);
        cJSON_ArrayForEach(e, v)
        {
            assert_int_equal(hc_rlp_iter_next(&iter, &sub), HC_OK);
            match_json(&sub, e);
        }
        assert_int_equal(hc_rlp_iter_next(&iter, &sub), HC_ERR_NOT_FOUND);
    } else if (cJSON_IsString(v)) {
        size_t n;
        uint8_t *bytes = tu_unhex(v->valuestring, &n);
        assert_false(it->is_list);
        assert_int_equal(it->len, n);
        assert_memory_equal(it->p, bytes, n);
        free(bytes);
    } else {
        uint64_t x;
        assert_int_equal(hc_rlp_get_u64(it, &x), HC_OK);
        assert_true((double)x == v->valuedouble);
    }
}

static void test_valid_vectors(void **state)
{
    (void)state;
    size_t n, checked = 0;
    cJSON **recs = tu_load_jsonl("rlp.jsonl", &n);
    assert_true(n >= 29);
    for (size_t i = 0; i < n; i++) {
        const cJSON *in = cJSON_GetObjectItem(recs[i], "in");
        const char *out = cJSON_GetObjectItem(recs[i], "out")->valuestring;
        int decode_only =
            cJSON_IsTrue(cJSON_GetObjectItem(recs[i], "decode_only"));
        size_t want_len;
        uint8_t *want = tu_unhex(out, &want_len);
        hc_rlp_item item;
        assert_int_equal(hc_rlp_decode(&item, want, want_len), HC_OK);
        if (!decode_only) {
            hc_buf b;
            hc_buf_init(&b, 1 << 20, 0);
            encode_json(&b, in);
            assert_int_equal(b.len, want_len);
            assert_memory_equal(b.data, want, want_len);
            hc_buf_free(&b);
            match_json(&item, in);
        }
        free(want);
        checked++;
    }
    assert_int_equal(checked, n);
    tu_free_jsonl(recs, n);
}

static void test_invalid_vectors(void **state)
{
    (void)state;
    size_t n;
    cJSON **recs = tu_load_jsonl("invalid_rlp.jsonl", &n);
    assert_true(n >= 26);
    for (size_t i = 0; i < n; i++) {
        const char *name = cJSON_GetObjectItem(recs[i], "name")->valuestring;
        const char *hex = cJSON_GetObjectItem(recs[i], "rlp")->valuestring;
        size_t len;
        uint8_t *raw = tu_unhex(hex, &len);
        hc_rlp_item item;
        hc_err err = hc_rlp_decode(&item, raw, len);
        if (err == HC_OK)
            fail_msg("invalid RLP vector %s was accepted", name);
        free(raw);
    }
    tu_free_jsonl(recs, n);
}

static hc_err decode_hex(const char *hex)
{
    size_t len;
    uint8_t *raw = tu_unhex(hex, &len);
    hc_rlp_item item;
    hc_err err = hc_rlp_decode(&item, raw, len);
    free(raw);
    return err;
}

static void test_strictness(void **state)
{
    (void)state;
    assert_int_equal(decode_hex("0x8100"), HC_ERR_RLP_NONCANONICAL);
    assert_int_equal(decode_hex("0x817f"), HC_ERR_RLP_NONCANONICAL);
    assert_int_equal(decode_hex("0x8180"), HC_OK);
    assert_int_equal(decode_hex("0xb800"), HC_ERR_RLP_NONCANONICAL);
    assert_int_equal(decode_hex("0xb837"), HC_ERR_RLP_NONCANONICAL);
    assert_int_equal(decode_hex("0xf800"), HC_ERR_RLP_NONCANONICAL);
    assert_int_equal(decode_hex("0x0000"), HC_ERR_RLP_TRAILING);
    assert_int_equal(decode_hex("0xc180"), HC_OK);
    assert_int_equal(decode_hex("0xc2c1"), HC_ERR_RLP_TRUNCATED);
    /* an element that spills out of its list */
    assert_int_equal(decode_hex("0xc28200"), HC_ERR_RLP_TRUNCATED);
    assert_int_equal(decode_hex("0xc1820000"), HC_ERR_RLP_TRAILING);
    assert_int_equal(decode_hex("0x"), HC_ERR_RLP_TRUNCATED);
    /* lengths of 8 bytes that cannot fit */
    assert_int_equal(decode_hex("0xbfffffffffffffffff00"),
                     HC_ERR_RLP_TRUNCATED);
    assert_int_equal(decode_hex("0xffffffffffffffffff00"),
                     HC_ERR_RLP_TRUNCATED);
}

static void test_depth_limit(void **state)
{
    (void)state;
    /* an empty list wrapped in lists, deeper than the limit */
    hc_buf b;
    hc_buf_init(&b, 1 << 16, 0);
    for (int d = 0; d < HC_RLP_MAX_DEPTH + 5; d++) {
        /* wrap b in a list */
        assert_int_equal(hc_rlp_list_end(&b, 0), HC_OK);
    }
    hc_rlp_item item;
    assert_int_equal(hc_rlp_decode(&item, b.data, b.len), HC_ERR_RLP_DEPTH);
    hc_buf_free(&b);
    /* at the limit it still decodes */
    hc_buf_init(&b, 1 << 16, 0);
    for (int d = 0; d < HC_RLP_MAX_DEPTH; d++)
        assert_int_equal(hc_rlp_list_end(&b, 0), HC_OK);
    assert_int_equal(hc_rlp_decode(&item, b.data, b.len), HC_OK);
    hc_buf_free(&b);
}

static void test_integers(void **state)
{
    (void)state;
    hc_rlp_item it;
    uint64_t v;
    hc_u256 u;
    size_t used;
    static const uint8_t zero_lead[] = {0x82, 0x00, 0x01};
    assert_int_equal(hc_rlp_next(&it, &used, zero_lead, sizeof zero_lead),
                     HC_OK);
    assert_int_equal(hc_rlp_get_u64(&it, &v), HC_ERR_RLP_LEADING_ZERO);
    assert_int_equal(hc_rlp_get_u256(&it, &u), HC_ERR_RLP_LEADING_ZERO);
    static const uint8_t nine[] = {0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    assert_int_equal(hc_rlp_next(&it, &used, nine, sizeof nine), HC_OK);
    assert_int_equal(hc_rlp_get_u64(&it, &v), HC_ERR_OVERFLOW);
    assert_int_equal(hc_rlp_get_u256(&it, &u), HC_OK);
    static const uint8_t empty[] = {0x80};
    assert_int_equal(hc_rlp_next(&it, &used, empty, 1), HC_OK);
    assert_int_equal(hc_rlp_get_u64(&it, &v), HC_OK);
    assert_int_equal(v, 0);
    /* encode and decode u64 boundaries */
    uint64_t cases[] = {0, 1, 0x7f, 0x80, 0xff, 0x100, UINT64_MAX};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hc_buf b;
        hc_buf_init(&b, 64, 0);
        assert_int_equal(hc_rlp_put_u64(&b, cases[i]), HC_OK);
        assert_int_equal(hc_rlp_decode(&it, b.data, b.len), HC_OK);
        assert_int_equal(hc_rlp_get_u64(&it, &v), HC_OK);
        assert_true(v == cases[i]);
        hc_buf_free(&b);
    }
}

static void test_buffer_limit(void **state)
{
    (void)state;
    hc_buf b;
    uint8_t big[100] = {0};
    hc_buf_init(&b, 50, 0);
    assert_int_equal(hc_rlp_put_bytes(&b, big, sizeof big), HC_ERR_BUFFER);
    hc_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_vectors),
        cmocka_unit_test(test_invalid_vectors),
        cmocka_unit_test(test_strictness),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_buffer_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

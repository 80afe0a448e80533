/* Transactions: every record of tests/vectors/tx_ethtests_valid.jsonl
 * (decode, hash, sender, intrinsic gas, re-encode byte for byte) and
 * tx_ethtests_invalid.jsonl (rejected by the decoder, sender recovery or
 * the stateless validity rules; chain-id cases are context errors). */
#include <stdlib.h>
#include <string.h>

#include "haechi/hex.h"
#include "haechi/tx.h"
#include "testutil.h"

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItem(o, k);
    assert_non_null(v);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

static void test_valid_vectors(void **state)
{
    (void)state;
    size_t n;
    cJSON **recs = tu_load_jsonl("tx_ethtests_valid.jsonl", &n);
    assert_true(n >= 50);
    for (size_t i = 0; i < n; i++) {
        const char *name = str(recs[i], "name");
        size_t len, hlen;
        uint8_t *raw = tu_unhex(str(recs[i], "txbytes"), &len);
        uint8_t *want_hash = tu_unhex(str(recs[i], "hash"), &hlen);
        hc_address want_from, from;
        hc_tx tx;
        const char *field = NULL;
        assert_int_equal(hlen, 32);
        assert_int_equal(hc_address_parse(&want_from, str(recs[i], "sender")),
                         HC_OK);
        hc_err err = hc_tx_decode(&tx, &field, raw, len);
        if (err)
            fail_msg("%s: decode failed: %s (%s)", name, hc_strerror(err),
                     field ? field : "?");
        uint8_t h[32];
        assert_int_equal(hc_tx_hash(h, &tx), HC_OK);
        if (memcmp(h, want_hash, 32) != 0)
            fail_msg("%s: hash differs", name);
        err = hc_tx_sender(&from, &tx);
        if (err)
            fail_msg("%s: sender: %s", name, hc_strerror(err));
        if (memcmp(from.b, want_from.b, 20) != 0)
            fail_msg("%s: sender differs", name);
        /* re-encoding gives back the same bytes */
        hc_buf b;
        hc_buf_init(&b, HC_TX_MAX_SIZE + 1024, 0);
        assert_int_equal(hc_tx_serialize(&b, &tx), HC_OK);
        assert_int_equal(b.len, len);
        assert_memory_equal(b.data, raw, len);
        hc_buf_free(&b);
        /* intrinsic gas as the reference computed it */
        hc_u256 ig;
        assert_int_equal(hc_u256_parse(&ig, str(recs[i], "intrinsic_gas")),
                         HC_OK);
        if (ig.w[0] != hc_tx_intrinsic_gas(&tx))
            fail_msg("%s: intrinsic gas %llu, want %llu", name,
                     (unsigned long long)hc_tx_intrinsic_gas(&tx),
                     (unsigned long long)ig.w[0]);
        assert_int_equal(hc_tx_validate(&tx), HC_OK);
        hc_tx_free(&tx);
        free(raw);
        free(want_hash);
    }
    tu_free_jsonl(recs, n);
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_invalid_vectors(void **state)
{
    (void)state;
    size_t n, by_decoder = 0, by_sender = 0, by_rules = 0, other_chain = 0;
    cJSON **recs = tu_load_jsonl("tx_ethtests_invalid.jsonl", &n);
    assert_true(n >= 99);
    for (size_t i = 0; i < n; i++) {
        const char *name = str(recs[i], "name");
        const char *exc =
            str(recs[i], "exception") + strlen("TransactionException.");
        size_t len;
        uint8_t *raw = tu_unhex(str(recs[i], "txbytes"), &len);
        hc_tx tx;
        hc_address from;
        hc_err derr = hc_tx_decode(&tx, NULL, raw, len);
        /* The issue requires these to be rejected by the decoder itself. */
        int decoder_class =
            starts(exc, "RLP_") || !strcmp(exc, "INVALID_SIGNATURE_VRS") ||
            strstr(exc, "_OVERFLOW") != NULL || !strcmp(exc, "NONCE_TOO_BIG") ||
            starts(exc, "ADDRESS_TOO_");
        if (decoder_class) {
            if (!derr)
                fail_msg("%s (%s) accepted by the decoder", name, exc);
            by_decoder++;
        } else if (!strcmp(exc, "EC_RECOVERY_FAIL")) {
            if (!derr) {
                if (hc_tx_sender(&from, &tx) == HC_OK)
                    fail_msg("%s: recovered a sender", name);
                by_sender++;
            } else {
                by_decoder++;
            }
        } else if (!strcmp(exc, "INVALID_CHAINID")) {
            /* A decoder cannot know the chain: v values that no chain can
             * produce (26, 29-36, 0-4) are rejected; v >= 37 decodes to a
             * chain id, which is wrong for the test's chain (1). */
            if (!derr) {
                hc_u256 one = hc_u256_from_u64(1);
                if (!(tx.type == HC_TX_LEGACY && tx.eip155 &&
                      hc_u256_cmp(&tx.chain_id, &one) != 0))
                    fail_msg("%s: accepted with chain id 1 or none", name);
                other_chain++;
            } else {
                by_decoder++;
            }
        } else {
            /* INTRINSIC_GAS_TOO_LOW, INITCODE_SIZE_EXCEEDED,
             * PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS*: stateless rules */
            if (!derr) {
                if (hc_tx_validate(&tx) == HC_OK)
                    fail_msg("%s (%s) passed validation", name, exc);
                by_rules++;
            } else {
                by_decoder++;
            }
        }
        hc_tx_free(&tx);
        free(raw);
    }
    print_message("invalid: %zu rejected by decoder, %zu by recovery, %zu by "
                  "validity rules, %zu decoded with another chain id\n",
                  by_decoder, by_sender, by_rules, other_chain);
    assert_int_equal(by_decoder + by_sender + by_rules + other_chain, n);
    tu_free_jsonl(recs, n);
}

static void test_sign_roundtrip(void **state)
{
    (void)state;
    uint8_t sk[32];
    hc_address me, to, from;
    assert_int_equal(hc_key_parse(sk, "0x4c0883a69102937d6231471b5dbb6204fe5129"
                                      "617082792ae468d01a3f362318"),
                     HC_OK);
    assert_int_equal(hc_key_address(&me, sk), HC_OK);
    assert_int_equal(
        hc_address_parse(&to, "0x3535353535353535353535353535353535353535"),
        HC_OK);
    for (int type = 0; type <= 2; type++) {
        for (int create = 0; create <= 1; create++) {
            hc_tx tx, back;
            hc_tx_init(&tx);
            tx.type = (uint8_t)type;
            tx.eip155 = 1;
            tx.chain_id = hc_u256_from_u64(1);
            tx.nonce = 9;
            tx.gas_price = hc_u256_from_u64(20000000000ULL);
            tx.max_fee_per_gas = hc_u256_from_u64(30000000000ULL);
            tx.max_priority_fee_per_gas = hc_u256_from_u64(1000000000ULL);
            tx.gas_limit = 100000;
            tx.has_to = !create;
            tx.to = to;
            tx.value = hc_u256_from_u64(1000000000000000000ULL);
            static const uint8_t data[] = {0xde, 0xad, 0xbe, 0xef};
            assert_int_equal(hc_tx_set_data(&tx, data, sizeof data), HC_OK);
            if (type) {
                uint8_t keys[2][32] = {{1}, {2}};
                assert_int_equal(
                    hc_tx_access_add(&tx, &to, (const uint8_t(*)[32])keys, 2),
                    HC_OK);
            }
            assert_int_equal(hc_tx_sign(&tx, sk), HC_OK);
            hc_buf b;
            hc_buf_init(&b, 1 << 20, 0);
            assert_int_equal(hc_tx_serialize(&b, &tx), HC_OK);
            assert_int_equal(hc_tx_decode(&back, NULL, b.data, b.len), HC_OK);
            assert_int_equal(hc_tx_sender(&from, &back), HC_OK);
            assert_memory_equal(from.b, me.b, 20);
            assert_int_equal(back.type, type);
            assert_int_equal(back.nonce, 9);
            assert_int_equal(back.has_to, !create);
            assert_int_equal(back.access_len, type ? 1 : 0);
            hc_tx_free(&back);
            hc_tx_free(&tx);
            hc_buf_free(&b);
        }
    }
    hc_memzero(sk, sizeof sk);
}

/* EIP-155's own example: nonce 9, gas price 20 gwei, gas 21000, to 0x3535…,
 * value 1 ether, chain id 1, key 0x4646…. */
static void test_eip155_example(void **state)
{
    (void)state;
    uint8_t sk[32], h[32];
    hc_tx tx;
    hc_tx_init(&tx);
    assert_int_equal(hc_key_parse(sk, "0x46464646464646464646464646464646464646"
                                      "46464646464646464646464646"),
                     HC_OK);
    tx.type = HC_TX_LEGACY;
    tx.eip155 = 1;
    tx.chain_id = hc_u256_from_u64(1);
    tx.nonce = 9;
    tx.gas_price = hc_u256_from_u64(20000000000ULL);
    tx.gas_limit = 21000;
    tx.has_to = 1;
    assert_int_equal(
        hc_address_parse(&tx.to, "0x3535353535353535353535353535353535353535"),
        HC_OK);
    tx.value = hc_u256_from_u64(1000000000000000000ULL);
    assert_int_equal(hc_tx_signing_hash(h, &tx), HC_OK);
    char hex[67];
    assert_string_equal(
        hc_hex_encode(hex, h, 32, 1),
        "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
    assert_int_equal(hc_tx_sign(&tx, sk), HC_OK);
    hc_buf b;
    hc_buf_init(&b, 1024, 0);
    assert_int_equal(hc_tx_serialize(&b, &tx), HC_OK);
    char *raw = hc_hex_encode_alloc(b.data, b.len, 1);
    assert_string_equal(
        raw, "0xf86c098504a817c800825208943535353535353535353535353535353535353"
             "535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a1"
             "5d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c"
             "9f3dc64214b297fb1966a3b6d83");
    free(raw);
    hc_buf_free(&b);
    hc_tx_free(&tx);
}

static void test_check_rejects(void **state)
{
    (void)state;
    uint8_t h[32];
    hc_tx tx;
    hc_tx_init(&tx);
    tx.chain_id = hc_u256_from_u64(1);
    tx.nonce = UINT64_MAX;
    assert_int_equal(hc_tx_signing_hash(h, &tx), HC_ERR_TX_FIELD);
    tx.nonce = UINT64_MAX - 1;
    assert_int_equal(hc_tx_signing_hash(h, &tx), HC_OK);
    tx.chain_id = hc_u256_from_u64(0);
    assert_int_equal(hc_tx_signing_hash(h, &tx), HC_ERR_TX_CHAIN_ID);
    tx.chain_id = hc_u256_from_u64(1);
    tx.type = 3;
    assert_int_equal(hc_tx_signing_hash(h, &tx), HC_ERR_TX_TYPE);
    tx.type = HC_TX_EIP1559;
    tx.gas_limit = UINT64_MAX;
    memset(tx.max_fee_per_gas.w, 0xff, sizeof tx.max_fee_per_gas.w);
    assert_int_equal(hc_tx_signing_hash(h, &tx), HC_ERR_TX_GAS);
    /* not signed: nothing to serialize */
    hc_buf b;
    hc_buf_init(&b, 1024, 0);
    assert_int_equal(hc_tx_serialize(&b, &tx), HC_ERR_SIGNATURE);
    hc_buf_free(&b);
    hc_tx_free(&tx);
}

static void test_decode_garbage(void **state)
{
    (void)state;
    /* every prefix of a valid typed transaction is rejected, never crashes */
    size_t len;
    uint8_t *raw = tu_unhex("0x02f8720180843b9aca0085174876e80083030d4094353535"
                            "353535353535353535353535353535353580841234567"
                            "8c080a0",
                            &len);
    for (size_t k = 0; k <= len; k++) {
        hc_tx tx;
        assert_int_not_equal(hc_tx_decode(&tx, NULL, raw, k), HC_OK);
        hc_tx_free(&tx);
    }
    free(raw);
    static const uint8_t bad_types[] = {0x00, 0x03, 0x04, 0x7f, 0x80, 0xbf};
    for (size_t i = 0; i < sizeof bad_types; i++) {
        uint8_t one[2] = {bad_types[i], 0xc0};
        hc_tx tx;
        const char *field;
        assert_int_not_equal(hc_tx_decode(&tx, &field, one, 2), HC_OK);
        hc_tx_free(&tx);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_vectors),
        cmocka_unit_test(test_invalid_vectors),
        cmocka_unit_test(test_sign_roundtrip),
        cmocka_unit_test(test_eip155_example),
        cmocka_unit_test(test_check_rejects),
        cmocka_unit_test(test_decode_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

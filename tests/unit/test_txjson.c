/* Transaction JSON: accepted spellings, defaults, and an error naming the
 * field for every kind of bad input. */
#include <stdlib.h>
#include <string.h>

#include "haechi/txjson.h"
#include "testutil.h"

static hc_err parse(const char *json, hc_tx *tx, char *why, size_t cap)
{
    return hc_tx_from_json(tx, NULL, NULL, json, strlen(json), why, cap);
}

/* Expects failure, with `field` mentioned in the message. */
static void expect_bad(const char *json, const char *field)
{
    hc_tx tx;
    char why[256];
    hc_err err = parse(json, &tx, why, sizeof why);
    hc_tx_free(&tx);
    if (err == HC_OK)
        fail_msg("accepted: %s", json);
    if (!strstr(why, field))
        fail_msg("message \"%s\" does not name \"%s\" (input %s)", why, field,
                 json);
}

#define BASE2                                                                  \
    "\"chain_id\":1,\"nonce\":0,\"gas\":21000,\"max_fee_per_gas\":1,\"max_"    \
    "priority_fee_per_gas\":1"
#define BASE0                                                                  \
    "\"type\":0,\"chain_id\":1,\"nonce\":0,\"gas\":21000,\"gas_price\":1"

static void test_accepts(void **state)
{
    (void)state;
    hc_tx tx;
    char why[256];
    hc_address from;
    int has_from;
    const char *j =
        "{\"type\":\"0x2\",\"chainId\":\"0x01\",\"nonce\":"
        "\"18446744073709551614\","
        "\"gasLimit\":\"0xffffffffffffffff\",\"maxFeePerGas\":\"0\","
        "\"maxPriorityFeePerGas\":0,\"to\":null,\"value\":"
        "\"11579208923731619542357098500868790785326998466564056403945758400791"
        "3129639935\","
        "\"input\":\"0xDEADbeef\",\"accessList\":[{\"address\":"
        "\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\",\"storageKeys\":"
        "[\"0x0000000000000000000000000000000000000000000000000000000000000001"
        "\"]}],"
        "\"from\":\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\"}";
    assert_int_equal(
        hc_tx_from_json(&tx, &from, &has_from, j, strlen(j), why, sizeof why),
        HC_OK);
    assert_int_equal(tx.type, 2);
    assert_true(tx.nonce == UINT64_MAX - 1);
    assert_true(tx.gas_limit == UINT64_MAX);
    assert_false(tx.has_to);
    assert_int_equal(tx.data_len, 4);
    assert_int_equal(tx.data[0], 0xde);
    assert_int_equal(tx.access_len, 1);
    assert_int_equal(tx.access_list[0].nkeys, 1);
    assert_int_equal(tx.access_list[0].keys[0][31], 1);
    assert_true(has_from);
    assert_int_equal(tx.value.w[3], UINT64_MAX);
    hc_tx_free(&tx);

    /* defaults: type 2, value 0, no data, EIP-155 legacy */
    assert_int_equal(parse("{" BASE2 "}", &tx, why, sizeof why), HC_OK);
    assert_int_equal(tx.type, 2);
    assert_true(hc_u256_is_zero(&tx.value));
    assert_int_equal(tx.data_len, 0);
    hc_tx_free(&tx);
    assert_int_equal(
        parse("{" BASE0
              ",\"to\":\"0x3535353535353535353535353535353535353535\"}",
              &tx, why, sizeof why),
        HC_OK);
    assert_int_equal(tx.type, 0);
    assert_true(tx.eip155);
    assert_true(tx.has_to);
    hc_tx_free(&tx);
    /* largest exact JSON number */
    assert_int_equal(
        parse("{" BASE2 ",\"value\":9007199254740991}", &tx, why, sizeof why),
        HC_OK);
    assert_true(tx.value.w[0] == 9007199254740991ULL);
    hc_tx_free(&tx);
}

static void test_rejects(void **state)
{
    (void)state;
    expect_bad("not json", "JSON");
    expect_bad("[]", "object");
    expect_bad("{" BASE2 ",\"colour\":1}", "colour");
    expect_bad("{" BASE2 ",\"gas_limit\":1}", "gas_limit");
    expect_bad("{\"nonce\":0,\"gas\":21000,\"max_fee_per_gas\":1,\"max_"
               "priority_fee_per_gas\":1}",
               "chain_id");
    expect_bad("{\"chain_id\":1,\"gas\":21000,\"max_fee_per_gas\":1,\"max_"
               "priority_fee_per_gas\":1}",
               "nonce");
    expect_bad("{\"chain_id\":1,\"nonce\":0,\"max_fee_per_gas\":1,\"max_"
               "priority_fee_per_gas\":1}",
               "gas_limit");
    expect_bad(
        "{\"chain_id\":1,\"nonce\":0,\"gas\":1,\"max_priority_fee_per_gas\":1}",
        "max_fee_per_gas");
    expect_bad("{\"chain_id\":1,\"nonce\":0,\"gas\":1,\"max_fee_per_gas\":1}",
               "max_priority_fee_per_gas");
    expect_bad("{" BASE2 ",\"gas_price\":1}", "gas_price");
    expect_bad("{" BASE0 ",\"max_fee_per_gas\":1}", "max_fee_per_gas");
    expect_bad("{" BASE0 ",\"access_list\":[]}", "access_list");
    expect_bad("{\"type\":3,\"chain_id\":1}", "type");
    expect_bad("{\"type\":-1,\"chain_id\":1}", "type");
    expect_bad("{\"chain_id\":0,\"nonce\":0,\"gas\":21000,\"max_fee_per_gas\":"
               "1,\"max_priority_fee_per_gas\":1}",
               "chain_id");
    expect_bad("{\"chain_id\":1,\"nonce\":\"18446744073709551615\",\"gas\":"
               "21000,\"max_fee_per_gas\":1,\"max_priority_fee_per_gas\":1}",
               "nonce");
    expect_bad("{\"chain_id\":1,\"nonce\":0,\"gas\":\"18446744073709551616\","
               "\"max_fee_per_gas\":1,\"max_priority_fee_per_gas\":1}",
               "gas");
    expect_bad("{" BASE2 ",\"value\":"
               "\"115792089237316195423570985008687907853269984665640"
               "564039457584007913129639936\"}",
               "value");
    expect_bad("{" BASE2 ",\"value\":"
               "\"0x1000000000000000000000000000000000000000000000000"
               "0000000000000000\"}",
               "value");
    expect_bad("{" BASE2 ",\"value\":9007199254740992}", "value");
    expect_bad("{" BASE2 ",\"value\":1.5}", "value");
    expect_bad("{" BASE2 ",\"value\":-1}", "value");
    expect_bad("{" BASE2 ",\"value\":1e400}", "value");
    expect_bad("{" BASE2 ",\"value\":\"\"}", "value");
    expect_bad("{" BASE2 ",\"value\":\" 1\"}", "value");
    expect_bad("{" BASE2 ",\"value\":\"0x\"}", "value");
    expect_bad("{" BASE2 ",\"value\":\"0xg\"}", "value");
    expect_bad("{" BASE2 ",\"value\":true}", "value");
    expect_bad("{" BASE2
               ",\"to\":\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD\"}",
               "to");
    expect_bad("{" BASE2
               ",\"to\":\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea\"}",
               "to");
    expect_bad("{" BASE2
               ",\"to\":\"5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\"}",
               "to");
    expect_bad("{" BASE2 ",\"to\":1}", "to");
    expect_bad("{" BASE2 ",\"data\":\"0x123\"}", "data");
    expect_bad("{" BASE2 ",\"input\":\"1234\"}", "input");
    expect_bad("{" BASE2 ",\"data\":\"0xzz\"}", "data");
    expect_bad("{" BASE2 ",\"from\":\"0x12\"}", "from");
    expect_bad("{" BASE2 ",\"access_list\":{}}", "access_list");
    expect_bad("{" BASE2 ",\"access_list\":[1]}", "access_list[0]");
    expect_bad("{" BASE2 ",\"access_list\":[{\"storage_keys\":[]}]}",
               "access_list[0].address");
    expect_bad("{" BASE2 ",\"access_list\":[{\"address\":"
               "\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\","
               "\"storage_keys\":[\"0x01\"]}]}",
               "storage_keys[0]");
    expect_bad("{" BASE2 ",\"access_list\":[{\"address\":"
               "\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\",\"slots\":[]}]}",
               "slots");
    expect_bad("{\"chain_id\":1,\"nonce\":0,\"gas\":\"18446744073709551615\","
               "\"max_fee_per_gas\":"
               "\"1157920892373161954235709850086879078532699846656405640394575"
               "84007913129639935\",\"max_priority_fee_per_gas\":1}",
               "2^256");
    /* duplicate key under the same name */
    expect_bad("{" BASE2 ",\"nonce\":1}", "nonce");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* API keys: the format of a new key, parsing (its id and the SHA-256 of its
 * secret), refusal of anything not shaped like a key, and roles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/apikey.h"
#include "haechi/hex.h"
#include "haechi/sha256.h"
#include "testutil.h"

static int is_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static void test_new_format(void **state)
{
    (void)state;
    char key[HC_APIKEY_LEN + 1], key2[HC_APIKEY_LEN + 1];
    uint8_t id[HC_KEY_ID_LEN], hash[32], id2[HC_KEY_ID_LEN], hash2[32];
    assert_int_equal(HC_APIKEY_LEN, 85);
    assert_int_equal(hc_apikey_new(key, id, hash), HC_OK);
    assert_int_equal(strlen(key), HC_APIKEY_LEN);
    assert_memory_equal(key, "hck_", 4);
    assert_true(is_lower_hex(key + 4, 16));
    assert_int_equal(key[20], '_');
    assert_true(is_lower_hex(key + 21, 64));

    /* the id is the public part, as written in the key */
    char idhex[17];
    hc_hex_encode(idhex, id, HC_KEY_ID_LEN, 0);
    assert_memory_equal(key + 4, idhex, 16);
    /* the hash is the SHA-256 of the secret's 32 bytes */
    uint8_t secret[32], want[32];
    size_t n;
    assert_int_equal(hc_hex_decode(secret, sizeof secret, &n, key + 21, 64,
                                   HC_HEX_PREFIX_FORBIDDEN),
                     HC_OK);
    assert_int_equal(n, 32);
    assert_int_equal(hc_sha256(want, secret, 32), HC_OK);
    assert_memory_equal(hash, want, 32);

    /* parse gives back what new returned */
    uint8_t pid[HC_KEY_ID_LEN], phash[32];
    assert_int_equal(hc_apikey_parse(key, strlen(key), pid, phash), HC_OK);
    assert_memory_equal(pid, id, HC_KEY_ID_LEN);
    assert_memory_equal(phash, hash, 32);

    /* keys are random */
    assert_int_equal(hc_apikey_new(key2, id2, hash2), HC_OK);
    assert_string_not_equal(key, key2);
    assert_memory_not_equal(id, id2, HC_KEY_ID_LEN);
    assert_memory_not_equal(hash, hash2, 32);
}

/* A fixed key: id 00..07, secret 32 zero bytes. */
static const char fixed[] = "hck_0001020304050607_"
                            "0000000000000000000000000000000000000000000000000"
                            "000000000000000";

static void test_parse_fixed(void **state)
{
    (void)state;
    uint8_t id[HC_KEY_ID_LEN], hash[32];
    static const uint8_t want_id[HC_KEY_ID_LEN] = {0, 1, 2, 3, 4, 5, 6, 7};
    size_t len;
    /* SHA-256 of 32 zero bytes */
    uint8_t *want_hash = tu_unhex("0x66687aadf862bd776c8fc18b8e9f8e20089714856"
                                  "ee233b3902a591d0d5f2925",
                                  &len);
    assert_int_equal(strlen(fixed), HC_APIKEY_LEN);
    assert_int_equal(hc_apikey_parse(fixed, strlen(fixed), id, hash), HC_OK);
    assert_memory_equal(id, want_id, HC_KEY_ID_LEN);
    assert_memory_equal(hash, want_hash, 32);
    free(want_hash);
}

/* Refused: the key with byte at replaced by c (or cut/extended). */
static void refuse(const char *key, size_t len, const char *why)
{
    uint8_t id[HC_KEY_ID_LEN], hash[32];
    if (hc_apikey_parse(key, len, id, hash) != HC_ERR_INVALID)
        fail_msg("accepted: %s", why);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    char k[HC_APIKEY_LEN + 8];
    static const struct {
        size_t at;
        char c;
        const char *why;
    } subst[] = {
        {0, 'H', "prefix case"},      {2, 'x', "prefix"},
        {3, '-', "prefix separator"}, {4, 'g', "non-hex id"},
        {19, 'G', "non-hex id end"},  {20, '-', "separator"},
        {20, '0', "no separator"},    {21, 'z', "non-hex secret"},
        {50, ' ', "space in secret"}, {84, 'g', "non-hex last"},
        {30, 0, "NUL in secret"},     {4, 'x', "x in id"},
    };
    for (size_t i = 0; i < sizeof subst / sizeof *subst; i++) {
        memcpy(k, fixed, sizeof fixed);
        k[subst[i].at] = subst[i].c;
        refuse(k, HC_APIKEY_LEN, subst[i].why);
    }
    memcpy(k, fixed, sizeof fixed);
    refuse(k, 0, "empty");
    refuse(k, HC_APIKEY_LEN - 1, "one short");
    k[HC_APIKEY_LEN] = '0';
    refuse(k, HC_APIKEY_LEN + 1, "one long");
    refuse("hck_", 4, "prefix only");
    /* a "0x" inside either part */
    memcpy(k, fixed, sizeof fixed);
    memcpy(k + 4, "0x", 2);
    refuse(k, HC_APIKEY_LEN, "0x id");
    memcpy(k, fixed, sizeof fixed);
    memcpy(k + 21, "0x", 2);
    refuse(k, HC_APIKEY_LEN, "0x secret");
    /* the separator and the id swapped round */
    snprintf(k, sizeof k, "hck_%s_%.16s",
             "0000000000000000000000000000000000000000000000000000000000000000",
             "0001020304050607");
    refuse(k, strlen(k), "parts swapped");
}

static void test_roles(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        uint32_t want;
        const char *str;
    } good[] = {
        {"minter", HC_ROLE_MINTER, "minter"},
        {"auditor", HC_ROLE_AUDITOR, "auditor"},
        {"admin", HC_ROLE_ADMIN, "admin"},
        {"minter,auditor", HC_ROLE_MINTER | HC_ROLE_AUDITOR, "minter,auditor"},
        {"admin,minter", HC_ROLE_MINTER | HC_ROLE_ADMIN, "minter,admin"},
        {"auditor,admin", HC_ROLE_AUDITOR | HC_ROLE_ADMIN, "auditor,admin"},
        {"admin,auditor,minter", 7, "minter,auditor,admin"},
        {"minter,minter", HC_ROLE_MINTER, "minter"},
    };
    static const char *const bad[] = {
        "",       "minter,",      ",minter",       "minter,,admin",
        "Minter", "minter admin", "minter, admin", "root",
        "mint",   "minters",      "admin;minter",  ",",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        uint32_t r = 0;
        char s[64];
        if (hc_roles_parse(good[i].s, &r) != HC_OK)
            fail_msg("\"%s\" refused", good[i].s);
        assert_int_equal(r, good[i].want);
        assert_string_equal(hc_roles_str(s, sizeof s, r), good[i].str);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint32_t r = 99;
        if (hc_roles_parse(bad[i], &r) == HC_OK)
            fail_msg("\"%s\" accepted", bad[i]);
        assert_int_equal(r, 99);
    }
    uint32_t r;
    assert_int_not_equal(hc_roles_parse(NULL, &r), HC_OK);
    char s[64];
    assert_string_equal(hc_roles_str(s, sizeof s, 0), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_format),
        cmocka_unit_test(test_parse_fixed),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

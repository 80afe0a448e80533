/* Unit tests for key.h: secret keys, EIP-55 addresses, signing and recovery,
 * EIP-191 personal messages. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "haechi/hex.h"
#include "haechi/keccak.h"
#include "haechi/key.h"
#include "testutil.h"

/* The curve order n, n - 1, n + 1 and n / 2 (rounded down), big-endian. */
#define N_HEX                                                                  \
    "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
#define N_MINUS_1_HEX                                                          \
    "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"
#define N_PLUS_1_HEX                                                           \
    "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142"
#define HALF_N_HEX                                                             \
    "0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0"

/* Two keys used with cast below. */
#define K1      "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
#define K1_ADDR "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
#define K2      "0xc85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4"
#define K2_ADDR "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"

static void unhex_fixed(uint8_t *out, size_t n, const char *hex)
{
    assert_int_equal(hc_hex_decode_fixed(out, n, hex, HC_HEX_PREFIX_OPTIONAL),
                     HC_OK);
}

static void parse_key(uint8_t sk[32], const char *hex)
{
    assert_int_equal(hc_key_parse(sk, hex), HC_OK);
}

static void addr_of(char out[HC_ADDRESS_STR], const uint8_t sk[32])
{
    hc_address a;
    assert_int_equal(hc_key_address(&a, sk), HC_OK);
    hc_address_to_str(out, &a);
}

static uint64_t rng_state = 0xa4093822299f31d0ULL;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rnd_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(rnd() >> 56);
}

static void rnd_key(uint8_t sk[32])
{
    do
        rnd_bytes(sk, 32);
    while (hc_key_check(sk) != HC_OK);
}

/* Big-endian 256-bit n - x (for x in [1, n-1]). */
static void n_minus(uint8_t out[32], const uint8_t x[32])
{
    uint8_t n[32];
    unhex_fixed(n, 32, N_HEX);
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = n[i] - x[i] - borrow;
        borrow = d < 0;
        out[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
    assert_int_equal(borrow, 0);
}

/* --- test vectors ------------------------------------------------------- */

static void test_ethtests_vectors(void **state)
{
    (void)state;
    size_t count = 0;
    cJSON **recs = tu_load_jsonl("keys_ethtests.jsonl", &count);
    assert_true(count >= 1);
    for (size_t i = 0; i < count; i++) {
        const cJSON *k =
            cJSON_GetObjectItemCaseSensitive(recs[i], "private_key");
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(recs[i], "address");
        assert_true(cJSON_IsString(k) && cJSON_IsString(a));
        uint8_t sk[32];
        assert_int_equal(hc_key_parse(sk, k->valuestring), HC_OK);
        char got[HC_ADDRESS_STR];
        addr_of(got, sk);
        /* the exact checksummed string */
        if (strcmp(got, a->valuestring) != 0)
            fail_msg("record %zu: %s != %s", i + 1, got, a->valuestring);
        /* the vector's address parses to the same bytes */
        hc_address want, mine;
        assert_int_equal(hc_address_parse(&want, a->valuestring), HC_OK);
        assert_int_equal(hc_key_address(&mine, sk), HC_OK);
        assert_memory_equal(want.b, mine.b, 20);
        /* the pubkey path agrees */
        uint8_t pub[64];
        hc_address via_pub;
        assert_int_equal(hc_key_pubkey(pub, sk), HC_OK);
        hc_pubkey_address(&via_pub, pub);
        assert_memory_equal(via_pub.b, mine.b, 20);
        hc_memzero(sk, sizeof sk);
    }
    tu_free_jsonl(recs, count);
}

static void test_known_keys(void **state)
{
    (void)state;
    uint8_t sk[32], pub[64];
    char s[HC_ADDRESS_STR];
    /* sk = 1: the public key is the generator G */
    parse_key(sk, "0x0000000000000000000000000000000000000000000000000000000"
                  "000000001");
    assert_int_equal(hc_key_pubkey(pub, sk), HC_OK);
    uint8_t g[64];
    unhex_fixed(
        g, 64,
        "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
        "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
    assert_memory_equal(pub, g, 64);
    /* addresses from: cast wallet address --private-key <key> */
    addr_of(s, sk);
    assert_string_equal(s, "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    parse_key(sk, N_MINUS_1_HEX);
    addr_of(s, sk);
    assert_string_equal(s, "0x80C0dbf239224071c59dD8970ab9d542E3414aB2");
    parse_key(sk, K1);
    addr_of(s, sk);
    assert_string_equal(s, K1_ADDR);
    parse_key(sk, K2);
    addr_of(s, sk);
    assert_string_equal(s, K2_ADDR);
    /* invalid keys yield no public key */
    uint8_t zero[32] = {0};
    hc_address a;
    assert_int_equal(hc_key_pubkey(pub, zero), HC_ERR_KEY);
    assert_int_equal(hc_key_address(&a, zero), HC_ERR_KEY);
    unhex_fixed(sk, 32, N_HEX);
    assert_int_equal(hc_key_pubkey(pub, sk), HC_ERR_KEY);
}

/* --- EIP-55 ------------------------------------------------------------- */

/* The test cases listed in the EIP-55 specification. */
static const char *const eip55_all_caps[] = {
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
};
static const char *const eip55_all_lower[] = {
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
};
static const char *const eip55_normal[] = {
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
};

static void check_eip55_roundtrip(const char *s)
{
    hc_address a;
    char back[HC_ADDRESS_STR];
    hc_err err = hc_address_parse(&a, s);
    if (err)
        fail_msg("%s: %s", s, hc_strerror(err));
    /* formatting reproduces the specification's string exactly */
    hc_address_to_str(back, &a);
    assert_string_equal(back, s);
    /* and the bytes are the hex digits */
    uint8_t raw[20];
    unhex_fixed(raw, 20, s);
    assert_memory_equal(a.b, raw, 20);
}

static void test_eip55_spec(void **state)
{
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        check_eip55_roundtrip(eip55_all_caps[i]);
        check_eip55_roundtrip(eip55_all_lower[i]);
    }
    for (size_t i = 0; i < 4; i++)
        check_eip55_roundtrip(eip55_normal[i]);
    check_eip55_roundtrip(K1_ADDR);
    check_eip55_roundtrip(K2_ADDR);
}

static int has_lower(const char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'f')
            return 1;
    return 0;
}

static int has_upper(const char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'F')
            return 1;
    return 0;
}

static void check_case_flips(const char *addr)
{
    char s[HC_ADDRESS_STR];
    hc_address a;
    int flipped = 0;
    for (int i = 2; i < 42; i++) {
        if (!isalpha((unsigned char)addr[i]))
            continue;
        strcpy(s, addr);
        s[i] = (char)(islower((unsigned char)s[i]) ? toupper(s[i])
                                                   : tolower(s[i]));
        hc_err err = hc_address_parse(&a, s);
        if (has_lower(s + 2) && has_upper(s + 2)) {
            /* still mixed case: the checksum must catch the change */
            if (err != HC_ERR_CHECKSUM)
                fail_msg("%s accepted (%s)", s, hc_strerror(err));
            flipped++;
        } else {
            /* the flip made it all one case: accepted without checksum */
            assert_int_equal(err, HC_OK);
        }
    }
    assert_true(flipped > 0);
}

static void test_eip55_one_letter_flip(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++)
        check_case_flips(eip55_normal[i]);
    for (size_t i = 0; i < 2; i++) {
        check_case_flips(eip55_all_caps[i]);
        check_case_flips(eip55_all_lower[i]);
    }
    check_case_flips(K1_ADDR);
    check_case_flips(K2_ADDR);
}

static void test_eip55_single_case_accepted(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        const char *addr = eip55_normal[i];
        char lo[HC_ADDRESS_STR], up[HC_ADDRESS_STR];
        hc_address want, a;
        assert_int_equal(hc_address_parse(&want, addr), HC_OK);
        strcpy(lo, addr);
        strcpy(up, addr);
        for (int k = 2; k < 42; k++) {
            lo[k] = (char)tolower((unsigned char)lo[k]);
            up[k] = (char)toupper((unsigned char)up[k]);
        }
        assert_int_equal(hc_address_parse(&a, lo), HC_OK);
        assert_memory_equal(a.b, want.b, 20);
        assert_int_equal(hc_address_parse(&a, up), HC_OK);
        assert_memory_equal(a.b, want.b, 20);
        /* formatting restores the checksum */
        char back[HC_ADDRESS_STR];
        assert_string_equal(hc_address_to_str(back, &a), addr);
    }
    /* digits only: no letters, nothing to check */
    hc_address a;
    assert_int_equal(
        hc_address_parse(&a, "0x1234567890123456789012345678901234567890"),
        HC_OK);
    assert_int_equal(a.b[0], 0x12);
}

static void test_address_parse_errors(void **state)
{
    (void)state;
    hc_address a;
    static const struct {
        const char *s;
        hc_err err;
    } cases[] = {
        /* wrong length */
        {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", HC_ERR_LENGTH},
        {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0", HC_ERR_LENGTH},
        {"0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea", HC_ERR_LENGTH},
        {"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00", HC_ERR_LENGTH},
        {"0x", HC_ERR_LENGTH},
        {"0x00", HC_ERR_LENGTH},
        /* a 32-byte word is not an address */
        {"0x0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
         HC_ERR_LENGTH},
        /* missing prefix */
        {"5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", HC_ERR_HEX_PREFIX},
        {"5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", HC_ERR_HEX_PREFIX},
        {"005aaeb6053f3e94c9b9a09f33669435e7ef1beaed", HC_ERR_HEX_PREFIX},
        {"", HC_ERR_HEX_PREFIX},
        {"0", HC_ERR_HEX_PREFIX},
        {" 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", HC_ERR_HEX_PREFIX},
        /* bad digits */
        {"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", HC_ERR_HEX_DIGIT},
        {"0xZaaeb6053f3e94c9b9a09f33669435e7ef1beaed", HC_ERR_HEX_DIGIT},
        {"0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea d", HC_ERR_HEX_DIGIT},
        {"0x0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea", HC_ERR_HEX_DIGIT},
        /* checksum */
        {"0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", HC_ERR_CHECKSUM},
        {"0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed", HC_ERR_CHECKSUM},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&a, 0x5c, sizeof a);
        hc_err err = hc_address_parse(&a, cases[i].s);
        if (err != cases[i].err)
            fail_msg("\"%s\": got %s, want %s", cases[i].s, hc_strerror(err),
                     hc_strerror(cases[i].err));
        /* a failed parse leaves the output alone */
        for (int k = 0; k < 20; k++)
            assert_int_equal(a.b[k], 0x5c);
    }
    assert_int_equal(hc_address_parse(&a, NULL), HC_ERR_ARG);
}

static void test_address_to_str_random(void **state)
{
    (void)state;
    /* formatting then parsing is the identity; the output is 0x + 40 digits
     * and at least the letters follow the hash */
    for (int i = 0; i < 2000; i++) {
        hc_address a, b;
        char s[HC_ADDRESS_STR];
        rnd_bytes(a.b, 20);
        assert_ptr_equal(hc_address_to_str(s, &a), s);
        assert_int_equal(strlen(s), 42);
        assert_int_equal(s[0], '0');
        assert_int_equal(s[1], 'x');
        assert_int_equal(hc_address_parse(&b, s), HC_OK);
        assert_memory_equal(a.b, b.b, 20);
        /* check EIP-55 directly: letter i is upper iff nibble i of
         * keccak(lowercase hex) >= 8 */
        char lower[41];
        for (int k = 0; k < 40; k++)
            lower[k] = (char)tolower((unsigned char)s[2 + k]);
        uint8_t h[32];
        hc_keccak256(h, lower, 40);
        for (int k = 0; k < 40; k++) {
            unsigned nib = (h[k / 2] >> (k % 2 ? 0 : 4)) & 15;
            char c = s[2 + k];
            if (isdigit((unsigned char)c))
                continue;
            assert_int_equal(isupper((unsigned char)c) ? 1 : 0,
                             nib >= 8 ? 1 : 0);
        }
    }
}

/* --- secret keys -------------------------------------------------------- */

static void test_key_check(void **state)
{
    (void)state;
    uint8_t sk[32];
    memset(sk, 0, 32);
    assert_int_equal(hc_key_check(sk), HC_ERR_KEY); /* 0 */
    sk[31] = 1;
    assert_int_equal(hc_key_check(sk), HC_OK); /* 1 */
    unhex_fixed(sk, 32, N_MINUS_1_HEX);
    assert_int_equal(hc_key_check(sk), HC_OK);
    unhex_fixed(sk, 32, N_HEX);
    assert_int_equal(hc_key_check(sk), HC_ERR_KEY);
    unhex_fixed(sk, 32, N_PLUS_1_HEX);
    assert_int_equal(hc_key_check(sk), HC_ERR_KEY);
    memset(sk, 0xff, 32);
    assert_int_equal(hc_key_check(sk), HC_ERR_KEY);
    unhex_fixed(sk, 32, HALF_N_HEX);
    assert_int_equal(hc_key_check(sk), HC_OK);
    /* 2^255 < n: valid */
    memset(sk, 0, 32);
    sk[0] = 0x80;
    assert_int_equal(hc_key_check(sk), HC_OK);
    assert_int_equal(hc_key_check(NULL), HC_ERR_ARG);
}

static void test_key_parse(void **state)
{
    (void)state;
    uint8_t sk[32];
    uint8_t want[32];
    unhex_fixed(want, 32, K1);
    assert_int_equal(hc_key_parse(sk, K1), HC_OK);
    assert_memory_equal(sk, want, 32);
    /* upper-case digits and 0X */
    char up[67];
    strcpy(up, K1);
    for (int i = 2; i < 66; i++)
        up[i] = (char)toupper((unsigned char)up[i]);
    up[1] = 'X';
    assert_int_equal(hc_key_parse(sk, up), HC_OK);
    assert_memory_equal(sk, want, 32);

    static const struct {
        const char *s;
        hc_err err;
    } bad[] = {
        /* no prefix */
        {"4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
         HC_ERR_HEX_PREFIX},
        {"", HC_ERR_HEX_PREFIX},
        /* odd, short, long */
        {"0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231",
         HC_ERR_HEX_ODD},
        {"0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f3623",
         HC_ERR_LENGTH},
        {"0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231800",
         HC_ERR_LENGTH},
        {"0x", HC_ERR_LENGTH},
        {"0x01", HC_ERR_LENGTH},
        /* bad digit */
        {"0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231g",
         HC_ERR_HEX_DIGIT},
        {"0x 4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f36231",
         HC_ERR_HEX_DIGIT},
        /* out of range */
        {"0x0000000000000000000000000000000000000000000000000000000000000000",
         HC_ERR_KEY},
        {N_HEX, HC_ERR_KEY},
        {N_PLUS_1_HEX, HC_ERR_KEY},
        {"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         HC_ERR_KEY},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(sk, 0xaa, sizeof sk);
        hc_err err = hc_key_parse(sk, bad[i].s);
        if (err != bad[i].err)
            fail_msg("\"%s\": got %s, want %s", bad[i].s, hc_strerror(err),
                     hc_strerror(bad[i].err));
        /* the output is wiped on every failure */
        for (int k = 0; k < 32; k++)
            assert_int_equal(sk[k], 0);
    }
    memset(sk, 0xaa, sizeof sk);
    assert_int_equal(hc_key_parse(sk, NULL), HC_ERR_ARG);
    for (int k = 0; k < 32; k++)
        assert_int_equal(sk[k], 0);
    /* the boundaries that are valid */
    assert_int_equal(hc_key_parse(sk, N_MINUS_1_HEX), HC_OK);
    assert_int_equal(hc_key_parse(sk, "0x000000000000000000000000000000000000"
                                      "0000000000000000000000000001"),
                     HC_OK);
}

static void test_key_from_env(void **state)
{
    (void)state;
    const char *var = "HAECHI_TEST_KEY_FROM_ENV";
    uint8_t sk[32], want[32];
    unhex_fixed(want, 32, K2);

    assert_int_equal(unsetenv(var), 0);
    memset(sk, 0x11, sizeof sk);
    assert_int_equal(hc_key_from_env(sk, var), HC_ERR_NOT_FOUND);

    assert_int_equal(setenv(var, "", 1), 0);
    assert_int_equal(hc_key_from_env(sk, var), HC_ERR_NOT_FOUND);

    assert_int_equal(setenv(var, K2, 1), 0);
    assert_int_equal(hc_key_from_env(sk, var), HC_OK);
    assert_memory_equal(sk, want, 32);

    /* a key read from a file keeps its newline: it is trimmed */
    char padded[128];
    snprintf(padded, sizeof padded, " %s\n", K2);
    memset(sk, 0, sizeof sk);
    assert_int_equal(setenv(var, padded, 1), 0);
    assert_int_equal(hc_key_from_env(sk, var), HC_OK);
    assert_memory_equal(sk, want, 32);

    /* malformed values fail, and wipe the output */
    static const struct {
        const char *v;
        hc_err err;
    } bad[] = {
        {"c85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4",
         HC_ERR_HEX_PREFIX},
        /* whitespace around the key is trimmed, inside it is not */
        {"0xc85ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec9234443 8aaf4",
         HC_ERR_HEX_ODD},
        {"0xc85ef7", HC_ERR_LENGTH},
        {"0xzz5ef7d79691fe79573b1a7064c19c1a9819ebdbd1faaab1a8ec92344438aaf4",
         HC_ERR_HEX_DIGIT},
        {"0x0000000000000000000000000000000000000000000000000000000000000000",
         HC_ERR_KEY},
        {N_HEX, HC_ERR_KEY},
        {" ", HC_ERR_HEX_PREFIX},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(setenv(var, bad[i].v, 1), 0);
        memset(sk, 0xaa, sizeof sk);
        hc_err err = hc_key_from_env(sk, var);
        if (err != bad[i].err)
            fail_msg("\"%s\": got %s, want %s", bad[i].v, hc_strerror(err),
                     hc_strerror(bad[i].err));
        for (int k = 0; k < 32; k++)
            assert_int_equal(sk[k], 0);
    }
    assert_int_equal(unsetenv(var), 0);
    /* a bad variable name */
    assert_int_equal(hc_key_from_env(sk, NULL), HC_ERR_ARG);
    assert_int_equal(hc_key_from_env(sk, ""), HC_ERR_ARG);
}

/* The value is wiped where it lives (here: a buffer given to putenv, as the
 * initial environment is a buffer of the process), then the variable goes. */
static void test_key_env_scrub(void **state)
{
    (void)state;
    static char entry[128];
    const char *name = "HAECHI_TEST_KEY_SCRUB";
    size_t nlen = strlen(name);
    snprintf(entry, sizeof entry, "%s=%s", name, K2);
    size_t len = strlen(entry);
    assert_int_equal(putenv(entry), 0);
    uint8_t sk[32], want[32];
    unhex_fixed(want, 32, K2);
    assert_int_equal(hc_key_from_env(sk, name), HC_OK);
    assert_memory_equal(sk, want, 32);

    hc_key_env_scrub(name);
    assert_null(getenv(name));
    assert_memory_equal(entry, name, nlen);
    assert_int_equal(entry[nlen], '=');
    for (size_t i = nlen + 1; i < len; i++)
        assert_int_equal(entry[i], 0);
    assert_int_equal(hc_key_from_env(sk, name), HC_ERR_NOT_FOUND);

    /* unset, empty, or no name at all: nothing to do */
    hc_key_env_scrub(name);
    assert_int_equal(setenv(name, "", 1), 0);
    hc_key_env_scrub(name);
    assert_null(getenv(name));
    hc_key_env_scrub(NULL);
    hc_key_env_scrub("");
}

/* --- signatures --------------------------------------------------------- */

static void test_sign_recover_random(void **state)
{
    (void)state;
    uint8_t half_n[32];
    unhex_fixed(half_n, 32, HALF_N_HEX);
    int recids[2] = {0, 0};
    for (int i = 0; i < 300; i++) {
        uint8_t sk[32], hash[32];
        rnd_key(sk);
        rnd_bytes(hash, 32);
        if (i == 0)
            memset(hash, 0, 32);
        if (i == 1)
            memset(hash, 0xff, 32);
        hc_address signer, got;
        assert_int_equal(hc_key_address(&signer, sk), HC_OK);
        hc_sig sig, again;
        assert_int_equal(hc_sign_hash(&sig, sk, hash), HC_OK);
        /* low s, recid 0 or 1 */
        assert_true(memcmp(sig.s, half_n, 32) <= 0);
        assert_true(sig.recid <= 1);
        recids[sig.recid]++;
        /* deterministic (RFC 6979) */
        assert_int_equal(hc_sign_hash(&again, sk, hash), HC_OK);
        assert_memory_equal(again.r, sig.r, 32);
        assert_memory_equal(again.s, sig.s, 32);
        assert_int_equal(again.recid, sig.recid);
        /* recovers the signer, with and without the low-s rule */
        assert_int_equal(hc_recover(&got, hash, &sig, 1), HC_OK);
        assert_memory_equal(got.b, signer.b, 20);
        assert_int_equal(hc_recover(&got, hash, &sig, 0), HC_OK);
        assert_memory_equal(got.b, signer.b, 20);
        /* the other recid gives some other key (or none) */
        hc_sig other = sig;
        other.recid ^= 1;
        hc_err err = hc_recover(&got, hash, &other, 1);
        if (err == HC_OK)
            assert_memory_not_equal(got.b, signer.b, 20);
        else
            assert_int_equal(err, HC_ERR_RECOVER);
        /* a different hash recovers a different address */
        uint8_t h2[32];
        memcpy(h2, hash, 32);
        h2[i % 32] ^= (uint8_t)(1u << (i % 8));
        err = hc_recover(&got, h2, &sig, 1);
        if (err == HC_OK)
            assert_memory_not_equal(got.b, signer.b, 20);
        else
            assert_int_equal(err, HC_ERR_RECOVER);
        /* the high-s twin (n - s, flipped recid) is the same signature:
         * refused under EIP-2, accepted otherwise */
        hc_sig twin = sig;
        n_minus(twin.s, sig.s);
        twin.recid ^= 1;
        assert_int_equal(hc_recover(&got, hash, &twin, 1), HC_ERR_SIGNATURE);
        assert_int_equal(hc_recover(&got, hash, &twin, 0), HC_OK);
        assert_memory_equal(got.b, signer.b, 20);
    }
    /* both recovery ids occur */
    assert_true(recids[0] > 0 && recids[1] > 0);
}

static void test_sign_matches_cast(void **state)
{
    (void)state;
    /* cast wallet sign --no-hash --private-key $K1 \
     *   0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8
     * (the hash is keccak256("hello")) */
    uint8_t sk[32], hash[32], want[65];
    parse_key(sk, K1);
    hc_keccak256(hash, "hello", 5);
    unhex_fixed(
        want, 65,
        "0xbc81bfc04b658485b9820cf4fac760c84f0fc628da21c9e64ed8aaede215e6"
        "3376cc1bfb23f9869c5b71a4069b48fce3ab0caaebc6bfb7a81cb12ac3b9b2f7"
        "b11c");
    hc_sig sig;
    assert_int_equal(hc_sign_hash(&sig, sk, hash), HC_OK);
    assert_memory_equal(sig.r, want, 32);
    assert_memory_equal(sig.s, want + 32, 32);
    assert_int_equal(27 + sig.recid, want[64]);
    /* cast wallet sign --no-hash --private-key $K1 0x00...01 */
    memset(hash, 0, 32);
    hash[31] = 1;
    unhex_fixed(
        want, 65,
        "0xa28077f39bc8ff274823983f7c9c9a06e4067408910e2733a40864f9e670e3"
        "637fa14f8347a71eaddb731a8112c9c9281a2de6d415c375e1b81119441c6cdd"
        "431c");
    assert_int_equal(hc_sign_hash(&sig, sk, hash), HC_OK);
    assert_memory_equal(sig.r, want, 32);
    assert_memory_equal(sig.s, want + 32, 32);
    assert_int_equal(27 + sig.recid, want[64]);
}

static void test_sign_bad_key(void **state)
{
    (void)state;
    uint8_t sk[32] = {0}, hash[32] = {1};
    hc_sig sig;
    assert_int_equal(hc_sign_hash(&sig, sk, hash), HC_ERR_KEY);
    unhex_fixed(sk, 32, N_HEX);
    assert_int_equal(hc_sign_hash(&sig, sk, hash), HC_ERR_KEY);
    uint8_t msig[65];
    assert_int_equal(hc_eip191_sign(msig, sk, (const uint8_t *)"x", 1),
                     HC_ERR_KEY);
}

static void test_recover_rejects(void **state)
{
    (void)state;
    uint8_t sk[32], hash[32], n[32], n1[32], half_n[32];
    parse_key(sk, K1);
    rnd_bytes(hash, 32);
    unhex_fixed(n, 32, N_HEX);
    unhex_fixed(n1, 32, N_PLUS_1_HEX);
    unhex_fixed(half_n, 32, HALF_N_HEX);
    hc_sig good, sig;
    hc_address a, signer;
    assert_int_equal(hc_sign_hash(&good, sk, hash), HC_OK);
    assert_int_equal(hc_key_address(&signer, sk), HC_OK);
    assert_int_equal(hc_recover(&a, hash, &good, 1), HC_OK);
    assert_memory_equal(a.b, signer.b, 20);

    for (int low = 0; low < 2; low++) {
        /* r = 0, s = 0 */
        sig = good;
        memset(sig.r, 0, 32);
        assert_int_equal(hc_recover(&a, hash, &sig, low), HC_ERR_SIGNATURE);
        sig = good;
        memset(sig.s, 0, 32);
        assert_int_equal(hc_recover(&a, hash, &sig, low), HC_ERR_SIGNATURE);
        /* r >= n */
        sig = good;
        memcpy(sig.r, n, 32);
        assert_int_equal(hc_recover(&a, hash, &sig, low), HC_ERR_SIGNATURE);
        memcpy(sig.r, n1, 32);
        assert_int_equal(hc_recover(&a, hash, &sig, low), HC_ERR_SIGNATURE);
        memset(sig.r, 0xff, 32);
        assert_int_equal(hc_recover(&a, hash, &sig, low), HC_ERR_SIGNATURE);
        /* s >= n */
        sig = good;
        memcpy(sig.s, n, 32);
        assert_int_equal(hc_recover(&a, hash, &sig, low), HC_ERR_SIGNATURE);
        memcpy(sig.s, n1, 32);
        assert_int_equal(hc_recover(&a, hash, &sig, low), HC_ERR_SIGNATURE);
        memset(sig.s, 0xff, 32);
        assert_int_equal(hc_recover(&a, hash, &sig, low), HC_ERR_SIGNATURE);
        /* recid > 1 */
        const uint8_t recids[] = {2, 3, 4, 27, 28, 255};
        for (size_t i = 0; i < sizeof recids; i++) {
            sig = good;
            sig.recid = recids[i];
            assert_int_equal(hc_recover(&a, hash, &sig, low), HC_ERR_SIGNATURE);
        }
    }
    /* high s: only under require_low_s */
    sig = good;
    memcpy(sig.s, n, 32);
    sig.s[31] = 0x40; /* n - 1 */
    assert_int_equal(hc_recover(&a, hash, &sig, 1), HC_ERR_SIGNATURE);
    hc_err err = hc_recover(&a, hash, &sig, 0);
    assert_true(err == HC_OK || err == HC_ERR_RECOVER);
    /* s = n/2 is low; s = n/2 + 1 is high */
    sig = good;
    memcpy(sig.s, half_n, 32);
    err = hc_recover(&a, hash, &sig, 1);
    assert_true(err == HC_OK || err == HC_ERR_RECOVER);
    sig.s[31]++;
    assert_int_equal(hc_recover(&a, hash, &sig, 1), HC_ERR_SIGNATURE);
    err = hc_recover(&a, hash, &sig, 0);
    assert_true(err == HC_OK || err == HC_ERR_RECOVER);
    /* r = n - 1, s = 1 are in range: no HC_ERR_SIGNATURE */
    sig = good;
    memcpy(sig.r, n, 32);
    sig.r[31] = 0x40;
    memset(sig.s, 0, 32);
    sig.s[31] = 1;
    err = hc_recover(&a, hash, &sig, 1);
    assert_true(err == HC_OK || err == HC_ERR_RECOVER);
}

static void test_recover_no_point(void **state)
{
    (void)state;
    /* about half of all r values are not the x coordinate of a curve point;
     * recovery from such an r fails with HC_ERR_RECOVER, not a crash or a
     * bogus address */
    uint8_t hash[32];
    rnd_bytes(hash, 32);
    int failures = 0, successes = 0;
    for (int x = 1; x <= 40; x++) {
        hc_sig sig;
        memset(&sig, 0, sizeof sig);
        sig.r[31] = (uint8_t)x;
        sig.s[31] = 1;
        hc_address a;
        hc_err err = hc_recover(&a, hash, &sig, 1);
        if (err == HC_ERR_RECOVER)
            failures++;
        else if (err == HC_OK)
            successes++;
        else
            fail_msg("r=%d: %s", x, hc_strerror(err));
    }
    assert_true(failures > 0);
    assert_true(successes > 0);
}

/* --- EIP-191 ------------------------------------------------------------ */

struct eip191_vec {
    const char *key;
    const char *addr;
    const char *msg;
    const char *sig;
};

/* Every signature below is the output of
 *   cast wallet sign --private-key <key> '<msg>'
 * (foundry cast 1.7.1). */
/* 1000 bytes, filled in by main():
 *   python3 -c "print(''.join('The quick brown fox %03d; ' % i
 *                             for i in range(40)), end='')" */
static char long_msg[1001];

static void fill_long_msg(void)
{
    for (int i = 0; i < 40; i++)
        snprintf(long_msg + 25 * i, sizeof long_msg - 25 * (size_t)i,
                 "The quick brown fox %03d; ", i);
}

static const struct eip191_vec eip191_vecs[] = {
    {K1, K1_ADDR, "hello",
     "a5d58782075bdf09490159d634d1aae66a8f6777c7247d2f233e9511cfd7c64c34f288cd"
     "bcea5370e4863fdbe9f4d86654c2ba1d86589e9ebb64494c649008591b"},
    /* the empty message */
    {K1, K1_ADDR, "",
     "8a68b4e66cd2b575338e16069d7b65f6f67c7ceae8945dccf8cb7bdb06278d933dd9c888"
     "f3444ca4698464079a067ad3cfffe96d493b8ecf56885169d0fdfe7d1b"},
    /* non-ASCII UTF-8: 20 bytes, 47 72 c3 bc c3 9f 65 2c 20 e4 b8 96 e7 95
     * 8c 20 f0 9f a6 80 */
    {K2, K2_ADDR,
     "Gr\xc3\xbc\xc3\x9f"
     "e, \xe4\xb8\x96\xe7\x95\x8c \xf0\x9f\xa6\x80",
     "17c3825e7e356bbf33a69955a2a44d06b7b0a8741d81bcee52ab22ae5e8c224935f61eef"
     "6286db03b14192b9153d85707f692be567466a21e003431439b580ae1b"},
    /* 1000 bytes: a four-digit length and several Keccak blocks */
    {K2, K2_ADDR, long_msg,
     "ab28b521a02969742736478a3eb0c37a53e7a63fa10d44150987dcda3fe6ee3e110d4a07"
     "7c9fa0a325855f67155a9f0434ff822a214ba6f82bd6427bc1c096971b"},
    {K1, K1_ADDR, long_msg,
     "41c3cc90fbce7027eb01b14d366733a057939ae4e405036cd6677e442b2545075797e4ff"
     "503bc3725313b71a629b570d9cc7497127cd71a0f801f4e4ac4dcf9b1b"},
    /* v = 28 */
    {K1, K1_ADDR, "Haechi",
     "19643ce6f5c24cc2702f17c1ffec2a1525c0620148f51af94c7d4156239813e11b16b8fc"
     "546b93ec12d2c44b2a1aa1ca3e6b486593499c9a0b5c277a2402a8a01c"},
    {K2, K2_ADDR, "Haechi",
     "2ab50ab503e843c60875dcb1b73b2153c0011dc2a56aa83c6d96faa6ad3e9d637a61a163"
     "5279420f3f355e474e3042bf0039cc6a849e3279b5ea789e4f7ac0991c"},
    {K2, K2_ADDR, "a",
     "471abfaa7bee472eaf7dfc102b5c053d279fbec391b72e6728225a8a15623d4400c9302d"
     "06a2b5ffc40441f30d80b4b585628bf6c9ecb77a50ca459f8538c8e81c"},
    /* a newline inside the message */
    {K1, K1_ADDR, "line one\nline two",
     "c6f46473f9540785c91ac4a1b38b234ef73a080b0024280d0212cad10ccb95d55a362c4a"
     "6157257008980df20e0f2c36e6dcdb2a8dded3011cf0540650b1f8161b"},
    {K2, K2_ADDR, "12345",
     "6a1ba56041610911907f1e999a628220a916ab17e7c5cc7fa7e55e0139c4822e30dbe2eb"
     "a0a075d0f10d2f7533d62af79a73cd474ed2a88c679ca612e933d96e1b"},
};

#define N_EIP191 (sizeof eip191_vecs / sizeof eip191_vecs[0])

static void test_eip191_hash(void **state)
{
    (void)state;
    uint8_t h[32], want[32];
    /* cast hash-message 'hello' */
    hc_eip191_hash(h, (const uint8_t *)"hello", 5);
    unhex_fixed(want, 32,
                "0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b3"
                "7750");
    assert_memory_equal(h, want, 32);
    /* cast hash-message '' */
    hc_eip191_hash(h, (const uint8_t *)"", 0);
    unhex_fixed(want, 32,
                "0x5f35dce98ba4fba25530a026ed80b2cecdaa31091ba4958b99b52ea1d068"
                "adad");
    assert_memory_equal(h, want, 32);
    hc_eip191_hash(h, NULL, 0);
    assert_memory_equal(h, want, 32);
    /* the definition: keccak("\x19Ethereum Signed Message:\n" + len + msg) */
    char buf[64];
    int n = snprintf(buf, sizeof buf,
                     "\x19"
                     "Ethereum Signed Message:\n%d%s",
                     12, "Hello world!");
    hc_keccak256(want, buf, (size_t)n);
    hc_eip191_hash(h, (const uint8_t *)"Hello world!", 12);
    assert_memory_equal(h, want, 32);
}

static void test_eip191_sign_matches_cast(void **state)
{
    (void)state;
    assert_int_equal(strlen(long_msg), 1000);
    for (size_t i = 0; i < N_EIP191; i++) {
        const struct eip191_vec *v = &eip191_vecs[i];
        uint8_t sk[32], sig[65], want[65];
        parse_key(sk, v->key);
        unhex_fixed(want, 65, v->sig);
        assert_int_equal(
            hc_eip191_sign(sig, sk, (const uint8_t *)v->msg, strlen(v->msg)),
            HC_OK);
        if (memcmp(sig, want, 65) != 0) {
            char got[2 * 65 + 3];
            fail_msg("vector %zu (\"%.20s\"): got %s", i, v->msg,
                     hc_hex_encode(got, sig, 65, 1));
        }
        assert_true(sig[64] == 27 || sig[64] == 28);
    }
}

static void test_eip191_recover(void **state)
{
    (void)state;
    int saw27 = 0, saw28 = 0;
    for (size_t i = 0; i < N_EIP191; i++) {
        const struct eip191_vec *v = &eip191_vecs[i];
        const uint8_t *msg = (const uint8_t *)v->msg;
        size_t len = strlen(v->msg);
        uint8_t sig[65];
        hc_address want, got;
        unhex_fixed(sig, 65, v->sig);
        assert_int_equal(hc_address_parse(&want, v->addr), HC_OK);
        /* v = 27/28 as produced */
        assert_int_equal(hc_eip191_recover(&got, msg, len, sig), HC_OK);
        assert_memory_equal(got.b, want.b, 20);
        uint8_t v0 = sig[64];
        saw27 |= v0 == 27;
        saw28 |= v0 == 28;
        /* v = 0/1 */
        sig[64] = (uint8_t)(v0 - 27);
        assert_int_equal(hc_eip191_recover(&got, msg, len, sig), HC_OK);
        assert_memory_equal(got.b, want.b, 20);
        /* the other parity recovers someone else */
        sig[64] = (uint8_t)(v0 == 27 ? 28 : 27);
        hc_err err = hc_eip191_recover(&got, msg, len, sig);
        if (err == HC_OK)
            assert_memory_not_equal(got.b, want.b, 20);
        else
            assert_int_equal(err, HC_ERR_RECOVER);
        /* every other v is malformed */
        const uint8_t bad_v[] = {2, 3, 26, 29, 30, 35, 36, 37, 255};
        for (size_t k = 0; k < sizeof bad_v; k++) {
            sig[64] = bad_v[k];
            assert_int_equal(hc_eip191_recover(&got, msg, len, sig),
                             HC_ERR_SIGNATURE);
        }
        sig[64] = v0;
        /* a different message recovers someone else */
        if (len) {
            char *m2 = malloc(len);
            assert_non_null(m2);
            memcpy(m2, msg, len);
            m2[len - 1] ^= 1;
            err = hc_eip191_recover(&got, (const uint8_t *)m2, len, sig);
            if (err == HC_OK)
                assert_memory_not_equal(got.b, want.b, 20);
            else
                assert_int_equal(err, HC_ERR_RECOVER);
            /* and so does a truncated one */
            err = hc_eip191_recover(&got, msg, len - 1, sig);
            if (err == HC_OK)
                assert_memory_not_equal(got.b, want.b, 20);
            else
                assert_int_equal(err, HC_ERR_RECOVER);
            free(m2);
        }
    }
    assert_true(saw27 && saw28);
}

static void test_eip191_bit_flips(void **state)
{
    (void)state;
    /* flipping any single bit of r or s never yields the signer: either the
     * signature is refused or it recovers a different address */
    for (size_t i = 0; i < 3; i++) {
        const struct eip191_vec *v = &eip191_vecs[i];
        const uint8_t *msg = (const uint8_t *)v->msg;
        size_t len = strlen(v->msg);
        uint8_t sig[65];
        hc_address want, got;
        unhex_fixed(sig, 65, v->sig);
        assert_int_equal(hc_address_parse(&want, v->addr), HC_OK);
        for (int bit = 0; bit < 64 * 8; bit++) {
            sig[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
            hc_err err = hc_eip191_recover(&got, msg, len, sig);
            if (err == HC_OK) {
                if (memcmp(got.b, want.b, 20) == 0)
                    fail_msg("vector %zu: bit %d flipped still recovers the "
                             "signer",
                             i, bit);
            } else {
                assert_true(err == HC_ERR_SIGNATURE || err == HC_ERR_RECOVER);
            }
            /* the top bit of s makes it high: always refused (EIP-2) */
            if (bit == 32 * 8)
                assert_int_equal(err, HC_ERR_SIGNATURE);
            sig[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
        }
        /* unchanged again */
        assert_int_equal(hc_eip191_recover(&got, msg, len, sig), HC_OK);
        assert_memory_equal(got.b, want.b, 20);
    }
}

static void test_eip191_high_s_rejected(void **state)
{
    (void)state;
    /* the high-s twin of a valid personal signature is refused */
    const struct eip191_vec *v = &eip191_vecs[0];
    uint8_t sig[65], twin[65];
    hc_address got;
    unhex_fixed(sig, 65, v->sig);
    memcpy(twin, sig, 65);
    n_minus(twin + 32, sig + 32);
    twin[64] = (uint8_t)(sig[64] == 27 ? 28 : 27);
    assert_int_equal(
        hc_eip191_recover(&got, (const uint8_t *)v->msg, strlen(v->msg), twin),
        HC_ERR_SIGNATURE);
}

static void test_eip191_roundtrip_random(void **state)
{
    (void)state;
    for (int i = 0; i < 100; i++) {
        uint8_t sk[32], msg[400], sig[65];
        size_t len = (size_t)(rnd() % sizeof msg);
        rnd_key(sk);
        rnd_bytes(msg, len);
        hc_address signer, got;
        assert_int_equal(hc_key_address(&signer, sk), HC_OK);
        assert_int_equal(hc_eip191_sign(sig, sk, msg, len), HC_OK);
        assert_true(sig[64] == 27 || sig[64] == 28);
        assert_int_equal(hc_eip191_recover(&got, msg, len, sig), HC_OK);
        assert_memory_equal(got.b, signer.b, 20);
        /* the same as signing the EIP-191 digest directly */
        uint8_t h[32];
        hc_sig s;
        hc_eip191_hash(h, msg, len);
        assert_int_equal(hc_sign_hash(&s, sk, h), HC_OK);
        assert_memory_equal(sig, s.r, 32);
        assert_memory_equal(sig + 32, s.s, 32);
        assert_int_equal(sig[64], 27 + s.recid);
    }
}

static void write_keys(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_key_from_file(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    char dir[512], path[600], why[1024];
    snprintf(dir, sizeof dir, "%s/hc-keys-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/keys", dir);
    static const char *const hex =
        "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    uint8_t want[32], sk[32];
    assert_int_equal(hc_key_parse(want, hex), HC_OK);
    char text[512];
    snprintf(text, sizeof text,
             "# haechid keys\n\n  OTHER=0x01\r\nHAECHI_SIGNER_KEY = x\n"
             "HAECHI_SIGNER_KEY=%s  \r\n",
             hex);
    /* "HAECHI_SIGNER_KEY = x" is not NAME= : skipped */
    write_keys(path, text, 0600);
    assert_int_equal(
        hc_key_from_file(sk, path, "HAECHI_SIGNER_KEY", why, sizeof why),
        HC_OK);
    assert_memory_equal(sk, want, 32);
    assert_int_equal(hc_key_from_file(sk, path, "MISSING", why, sizeof why),
                     HC_ERR_NOT_FOUND);
    assert_non_null(strstr(why, "MISSING"));
    /* a bad value: named by line, never echoed */
    assert_int_equal(hc_key_from_file(sk, path, "OTHER", why, sizeof why),
                     HC_ERR_KEY);
    assert_non_null(strstr(why, ":3:"));
    assert_null(strstr(why, "0x01"));
    /* readable by others: refused */
    write_keys(path, text, 0644);
    assert_int_equal(
        hc_key_from_file(sk, path, "HAECHI_SIGNER_KEY", why, sizeof why),
        HC_ERR_IO);
    assert_non_null(strstr(why, "chmod 600"));
    write_keys(path, text, 0660);
    assert_int_equal(hc_key_from_file(sk, path, "HAECHI_SIGNER_KEY", NULL, 0),
                     HC_ERR_IO);
    /* missing file, a directory */
    assert_int_equal(
        hc_key_from_file(sk, "/nonexistent/keys", "A", why, sizeof why),
        HC_ERR_IO);
    assert_int_equal(hc_key_from_file(sk, dir, "A", why, sizeof why),
                     HC_ERR_IO);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    fill_long_msg();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethtests_vectors),
        cmocka_unit_test(test_known_keys),
        cmocka_unit_test(test_eip55_spec),
        cmocka_unit_test(test_eip55_one_letter_flip),
        cmocka_unit_test(test_eip55_single_case_accepted),
        cmocka_unit_test(test_address_parse_errors),
        cmocka_unit_test(test_address_to_str_random),
        cmocka_unit_test(test_key_check),
        cmocka_unit_test(test_key_parse),
        cmocka_unit_test(test_key_from_env),
        cmocka_unit_test(test_key_env_scrub),
        cmocka_unit_test(test_sign_recover_random),
        cmocka_unit_test(test_sign_matches_cast),
        cmocka_unit_test(test_sign_bad_key),
        cmocka_unit_test(test_recover_rejects),
        cmocka_unit_test(test_recover_no_point),
        cmocka_unit_test(test_eip191_hash),
        cmocka_unit_test(test_eip191_sign_matches_cast),
        cmocka_unit_test(test_eip191_recover),
        cmocka_unit_test(test_eip191_bit_flips),
        cmocka_unit_test(test_eip191_high_s_rejected),
        cmocka_unit_test(test_eip191_roundtrip_random),
        cmocka_unit_test(test_key_from_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_abi.c — ABI encoding/decoding, selectors and topics.
 *
 * The expected encodings were produced by the reference client Foundry
 * `cast` 1.7.1 (node_modules/@foundry-rs/cast-linux-amd64/bin/cast); each
 * constant names the command that produced it. In the commands,
 *   $A = 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
 *   $B = 0x70997970C51812dc3A010C7d01b50e0d17dc79C8
 *   $H1 = 0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
 *   $H2 = 0xa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/abi.h"
#include "haechi/hex.h"
#include "haechi/keccak.h"
#include "testutil.h"

#define ADDR_A "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
#define ADDR_B "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
#define H1     "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define H2     "0xa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"

/* cast calldata 'mint(address,bytes32,bytes32,uint16)' $A $H1 $H2 500 */
static const char MINT_HEX[] =
    "0xfbe48ef3"
    "000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "00000000000000000000000000000000000000000000000000000000000001f4";

/* cast calldata 'mintBatch(address[],bytes32[],bytes32[],uint16[])'
 *   "[$A,$B]" "[$H1,$H2]" "[$H2,$H1]" "[0,65535]" */
static const char MINT_BATCH_HEX[] =
    "0x9ca11af0"
    "0000000000000000000000000000000000000000000000000000000000000080"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "0000000000000000000000000000000000000000000000000000000000000140"
    "00000000000000000000000000000000000000000000000000000000000001a0"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000ffff";

/* cast calldata 'mintBatch(address[],bytes32[],bytes32[],uint16[])'
 *   '[]' '[]' '[]' '[]' */
static const char MINT_BATCH_EMPTY_HEX[] =
    "0x9ca11af0"
    "0000000000000000000000000000000000000000000000000000000000000080"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "00000000000000000000000000000000000000000000000000000000000000c0"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000";

/* cast abi-encode
 *   'f(address,uint256,uint96,uint16,uint8,bytes32,bytes4,bytes1,bool,bool)'
 *   $A <2^256-1> 79228162514264337593543950335 65535 255 $H1 0xdeadbeef
 *   0x7f true false
 * (uint256, uint96, uint16 and uint8 at their maximum; cast refuses
 * 79228162514264337593543950336 for uint96 and 65536 for uint16: "number too
 * large to fit in target type") */
static const char STATICS_HEX[] =
    "0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "0000000000000000000000000000000000000000ffffffffffffffffffffffff"
    "000000000000000000000000000000000000000000000000000000000000ffff"
    "00000000000000000000000000000000000000000000000000000000000000ff"
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "deadbeef00000000000000000000000000000000000000000000000000000000"
    "7f00000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000000";

/* cast abi-encode 'f(uint256[],string,bytes)' '[1,2]' 'hi' 0x1234 */
static const char DYN_HEX[] =
    "0x0000000000000000000000000000000000000000000000000000000000000060"
    "00000000000000000000000000000000000000000000000000000000000000c0"
    "0000000000000000000000000000000000000000000000000000000000000100"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "6869000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "1234000000000000000000000000000000000000000000000000000000000000";

/* cast abi-encode 'f(string,bytes,uint256[])' '' 0x '[]' */
static const char EMPTY_HEX[] =
    "0x0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000080"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000";

/* cast abi-encode 'f(string,string,string)' 0123456789012345678901234567890
 *   01234567890123456789012345678901 012345678901234567890123456789012
 * (31, 32 and 33 bytes) */
static const char STR313233_HEX[] =
    "0x0000000000000000000000000000000000000000000000000000000000000060"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "000000000000000000000000000000000000000000000000000000000000001f"
    "3031323334353637383930313233343536373839303132333435363738393000"
    "0000000000000000000000000000000000000000000000000000000000000020"
    "3031323334353637383930313233343536373839303132333435363738393031"
    "0000000000000000000000000000000000000000000000000000000000000021"
    "3031323334353637383930313233343536373839303132333435363738393031"
    "3200000000000000000000000000000000000000000000000000000000000000";

/* cast abi-encode 'f(uint16,string[],bool,bytes[],address[],string)' 7
 *   '["a","","0123456789012345678901234567890123"]' true '[0x,0xff]' '[]' 'end'
 */
static const char NESTED_HEX[] =
    "0x0000000000000000000000000000000000000000000000000000000000000007"
    "00000000000000000000000000000000000000000000000000000000000000c0"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000200"
    "00000000000000000000000000000000000000000000000000000000000002c0"
    "00000000000000000000000000000000000000000000000000000000000002e0"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "00000000000000000000000000000000000000000000000000000000000000c0"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "6100000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000022"
    "3031323334353637383930313233343536373839303132333435363738393031"
    "3233000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "ff00000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000003"
    "656e640000000000000000000000000000000000000000000000000000000000";

/* cast calldata 'ERC721IncorrectOwner(address,uint256,address)' $A 42 $B
 * (a custom error's revert data; cast decode-calldata gives back $A 42 $B) */
static const char ERR_HEX[] =
    "0x64283d7b"
    "000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
    "000000000000000000000000000000000000000000000000000000000000002a"
    "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8";

/* cast abi-encode 'f(address)' $A; cast abi-decode 'ownerOf(uint256)(address)'
 * on it prints $A */
static const char OWNER_RET_HEX[] =
    "0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266";

/* ---- helpers */

#define TRY(x)                                                                 \
    do {                                                                       \
        hc_err e_ = (x);                                                       \
        if (e_)                                                                \
            return e_;                                                         \
    } while (0)

static hc_address addr_of(const char *s)
{
    hc_address a;
    assert_int_equal(hc_address_parse(&a, s), HC_OK);
    return a;
}

static void unhex32(uint8_t out[32], const char *s)
{
    assert_int_equal(hc_hex_decode_fixed(out, 32, s, HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
}

static void assert_buf_hex(const hc_buf *b, const char *hex)
{
    char *h = hc_hex_encode_alloc(b->data, b->len, 1);
    assert_non_null(h);
    assert_string_equal(h, hex);
    free(h);
}

/* Decodes hex into a malloc'ed buffer of exactly *len bytes, so that ASan
 * reports any read past the end. */
static uint8_t *exact_unhex(const char *hex, size_t *len)
{
    uint8_t *tmp = tu_unhex(hex, len);
    uint8_t *out = malloc(*len ? *len : 1);
    assert_non_null(out);
    memcpy(out, tmp, *len);
    free(tmp);
    return out;
}

static void put_word_u64(uint8_t w[32], uint64_t v)
{
    memset(w, 0, 32);
    for (int k = 0; k < 8; k++)
        w[31 - k] = (uint8_t)(v >> (8 * k));
}

static void expect_encoding(const hc_abi_value *v, size_t n, const char *hex)
{
    hc_buf b;
    hc_buf_init(&b, 1 << 20, 0);
    assert_int_equal(hc_abi_encode(&b, v, n), HC_OK);
    assert_buf_hex(&b, hex);
    hc_buf_free(&b);
}

static void expect_call(const char *sig, const hc_abi_value *v, size_t n,
                        const char *hex)
{
    hc_buf b;
    hc_buf_init(&b, 1 << 20, 0);
    assert_int_equal(hc_abi_encode_call(&b, sig, v, n), HC_OK);
    assert_buf_hex(&b, hex);
    hc_buf_free(&b);
}

/* ---- selectors and topics */

static void expect_selector(const char *sig, const char *hex)
{
    uint8_t sel[4], want[4];
    assert_int_equal(hc_hex_decode_fixed(want, 4, hex, HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
    assert_int_equal(hc_abi_selector(sel, sig), HC_OK);
    assert_memory_equal(sel, want, 4);
}

static void test_selectors(void **state)
{
    (void)state;
    /* cast sig '<signature>' */
    expect_selector("mint(address,bytes32,bytes32,uint16)", "0xfbe48ef3");
    expect_selector("mintBatch(address[],bytes32[],bytes32[],uint16[])",
                    "0x9ca11af0");
    expect_selector("ownerOf(uint256)", "0x6352211e");
    expect_selector("transfer(address,uint256)", "0xa9059cbb");
    expect_selector("f()", "0x26121ff0");
    expect_selector("ERC721IncorrectOwner(address,uint256,address)",
                    "0x64283d7b");
}

static void test_event_topics(void **state)
{
    (void)state;
    uint8_t topic[32], want[32];
    /* cast sig-event 'Transfer(address,address,uint256)' */
    unhex32(want, "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df"
                  "523b3ef");
    assert_int_equal(
        hc_abi_event_topic(topic, "Transfer(address,address,uint256)"), HC_OK);
    assert_memory_equal(topic, want, 32);
    /* cast sig-event 'Approval(address,address,uint256)' */
    unhex32(want, "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c"
                  "7c3b925");
    assert_int_equal(
        hc_abi_event_topic(topic, "Approval(address,address,uint256)"), HC_OK);
    assert_memory_equal(topic, want, 32);
}

static void test_signature_checks(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "f",
        "()",
        "(uint256)",
        "1f()",
        " f()",
        "f ()",
        "f() ",
        "f(",
        "f)",
        "f(uint256",
        "f(uint256))",
        "f(uint256)x",
        "f(,uint256)",
        "f(uint256,)",
        "f(uint256,,bool)",
        "transfer(address, uint256)",
        "transfer(address,uint)",
        "f(int)",
        "f(uint[])",
        "f(byte)",
        "f(uint256[)",
        "f(uint256[1)",
        "f(uint256[a])",
        "f(uint256]",
        "f((uint256)",
        "f(((((((((((((((((((uint256)))))))))))))))))))",
        "f(uint256;)",
    };
    static const char *const good[] = {
        "f()",
        "_f$1()",
        "f(uint8)",
        "f(int256,bytes1,ufixed128x18)",
        "f(uint256[],bytes32[2][])",
        "f((address,uint256)[],(bytes,(bool)))",
        "f(())",
    };
    uint8_t out[32];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (hc_abi_event_topic(out, bad[i]) != HC_ERR_ABI)
            fail_msg("accepted signature \"%s\"", bad[i]);
        assert_int_equal(hc_abi_selector(out, bad[i]), HC_ERR_ABI);
    }
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        if (hc_abi_event_topic(out, good[i]) != HC_OK)
            fail_msg("rejected signature \"%s\"", good[i]);
        assert_int_equal(hc_abi_selector(out, good[i]), HC_OK);
    }
    assert_int_equal(hc_abi_selector(NULL, "f()"), HC_ERR_ARG);
    assert_int_equal(hc_abi_selector(out, NULL), HC_ERR_ARG);
    assert_int_equal(hc_abi_event_topic(NULL, "f()"), HC_ERR_ARG);
}

/* ---- encoding against cast */

static void test_encode_mint(void **state)
{
    (void)state;
    hc_address to = addr_of(ADDR_A);
    uint8_t h1[32], h2[32];
    unhex32(h1, H1);
    unhex32(h2, H2);
    hc_abi_value args[] = {hc_abi_address(&to), hc_abi_fixed(h1, 32),
                           hc_abi_fixed(h2, 32), hc_abi_uint64(16, 500)};
    expect_call("mint(address,bytes32,bytes32,uint16)", args, 4, MINT_HEX);
}

static void test_encode_mint_batch(void **state)
{
    (void)state;
    hc_address a = addr_of(ADDR_A), b = addr_of(ADDR_B);
    uint8_t h1[32], h2[32];
    unhex32(h1, H1);
    unhex32(h2, H2);
    hc_abi_value to[] = {hc_abi_address(&a), hc_abi_address(&b)};
    hc_abi_value x[] = {hc_abi_fixed(h1, 32), hc_abi_fixed(h2, 32)};
    hc_abi_value y[] = {hc_abi_fixed(h2, 32), hc_abi_fixed(h1, 32)};
    hc_abi_value bps[] = {hc_abi_uint64(16, 0), hc_abi_uint64(16, 65535)};
    hc_abi_value args[] = {hc_abi_array(HC_ABI_ADDRESS, 0, to, 2),
                           hc_abi_array(HC_ABI_FIXED, 32, x, 2),
                           hc_abi_array(HC_ABI_FIXED, 32, y, 2),
                           hc_abi_array(HC_ABI_UINT, 16, bps, 2)};
    const char *sig = "mintBatch(address[],bytes32[],bytes32[],uint16[])";
    expect_call(sig, args, 4, MINT_BATCH_HEX);

    hc_abi_value empty[] = {hc_abi_array(HC_ABI_ADDRESS, 0, NULL, 0),
                            hc_abi_array(HC_ABI_FIXED, 32, NULL, 0),
                            hc_abi_array(HC_ABI_FIXED, 32, NULL, 0),
                            hc_abi_array(HC_ABI_UINT, 16, NULL, 0)};
    expect_call(sig, empty, 4, MINT_BATCH_EMPTY_HEX);
}

static void test_encode_statics(void **state)
{
    (void)state;
    hc_address a = addr_of(ADDR_A);
    uint8_t h1[32];
    unhex32(h1, H1);
    static const uint8_t b4[4] = {0xde, 0xad, 0xbe, 0xef}, b1[1] = {0x7f};
    hc_u256 max256 = {{UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
    hc_u256 max96 = {{UINT64_MAX, 0xffffffffu, 0, 0}};
    hc_abi_value v[] = {
        hc_abi_address(&a),      hc_abi_uint(256, &max256),
        hc_abi_uint(96, &max96), hc_abi_uint64(16, 65535),
        hc_abi_uint64(8, 255),   hc_abi_fixed(h1, 32),
        hc_abi_fixed(b4, 4),     hc_abi_fixed(b1, 1),
        hc_abi_bool(1),          hc_abi_bool(0),
    };
    expect_encoding(v, 10, STATICS_HEX);
    /* same bytes as a call's arguments, after the selector of f(…) */
    hc_buf b;
    hc_buf_init(&b, 4096, 0);
    assert_int_equal(
        hc_abi_encode_call(&b,
                           "f(address,uint256,uint96,uint16,uint8,bytes32,"
                           "bytes4,bytes1,bool,bool)",
                           v, 10),
        HC_OK);
    assert_int_equal(b.len, 4 + 320);
    hc_buf_free(&b);
}

static void test_encode_dynamic(void **state)
{
    (void)state;
    static const uint8_t b2[2] = {0x12, 0x34};
    hc_abi_value items[] = {hc_abi_uint64(256, 1), hc_abi_uint64(256, 2)};
    hc_abi_value v[] = {hc_abi_array(HC_ABI_UINT, 256, items, 2),
                        hc_abi_string("hi"), hc_abi_bytes(b2, 2)};
    expect_encoding(v, 3, DYN_HEX);
}

static void test_encode_empty(void **state)
{
    (void)state;
    hc_abi_value v[] = {hc_abi_string(""), hc_abi_bytes(NULL, 0),
                        hc_abi_array(HC_ABI_UINT, 256, NULL, 0)};
    expect_encoding(v, 3, EMPTY_HEX);
    /* the empty tuple encodes to nothing */
    hc_buf b;
    hc_buf_init(&b, 64, 0);
    assert_int_equal(hc_abi_encode(&b, NULL, 0), HC_OK);
    assert_int_equal(b.len, 0);
    /* cast calldata 'f()' = 0x26121ff0 */
    assert_int_equal(hc_abi_encode_call(&b, "f()", NULL, 0), HC_OK);
    assert_buf_hex(&b, "0x26121ff0");
    hc_buf_free(&b);
}

static void test_encode_strings_31_32_33(void **state)
{
    (void)state;
    hc_abi_value v[] = {hc_abi_string("0123456789012345678901234567890"),
                        hc_abi_string("01234567890123456789012345678901"),
                        hc_abi_string("012345678901234567890123456789012")};
    expect_encoding(v, 3, STR313233_HEX);
}

static void test_encode_nested(void **state)
{
    (void)state;
    static const uint8_t ff = 0xff;
    hc_abi_value strs[] = {hc_abi_string("a"), hc_abi_string(""),
                           hc_abi_string("0123456789012345678901234567890123")};
    hc_abi_value bytes[] = {hc_abi_bytes(NULL, 0), hc_abi_bytes(&ff, 1)};
    hc_abi_value v[] = {hc_abi_uint64(16, 7),
                        hc_abi_array(HC_ABI_STRING, 0, strs, 3),
                        hc_abi_bool(1),
                        hc_abi_array(HC_ABI_BYTES, 0, bytes, 2),
                        hc_abi_array(HC_ABI_ADDRESS, 0, NULL, 0),
                        hc_abi_string("end")};
    expect_encoding(v, 6, NESTED_HEX);
    /* as a call: the selector, then the same bytes */
    const char *sig = "f(uint16,string[],bool,bytes[],address[],string)";
    hc_buf b;
    uint8_t sel[4];
    hc_buf_init(&b, 4096, 0);
    assert_int_equal(hc_abi_encode_call(&b, sig, v, 6), HC_OK);
    assert_int_equal(hc_abi_selector(sel, sig), HC_OK);
    assert_memory_equal(b.data, sel, 4);
    char *h = hc_hex_encode_alloc(b.data + 4, b.len - 4, 1);
    assert_non_null(h);
    assert_string_equal(h, NESTED_HEX);
    free(h);
    hc_buf_free(&b);
}

/* ---- encoder errors */

/* Encoding v must fail with want and leave the buffer as it was. */
static void expect_encode_error(const hc_abi_value *v, size_t n, hc_err want)
{
    hc_buf b;
    hc_buf_init(&b, 1 << 16, 0);
    assert_int_equal(hc_buf_append(&b, "abc", 3), HC_OK);
    assert_int_equal(hc_abi_encode(&b, v, n), want);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "abc", 3);
    hc_buf_free(&b);
}

static void test_encode_uint_bounds(void **state)
{
    (void)state;
    hc_u256 max96 = {{UINT64_MAX, 0xffffffffu, 0, 0}};
    hc_u256 over96 = {{0, 0x100000000u, 0, 0}}; /* 2^96 */
    hc_abi_value ok[] = {hc_abi_uint64(16, 65535), hc_abi_uint(96, &max96),
                         hc_abi_uint64(8, 255), hc_abi_uint64(64, UINT64_MAX)};
    hc_buf b;
    hc_buf_init(&b, 1024, 0);
    assert_int_equal(hc_abi_encode(&b, ok, 4), HC_OK);
    hc_buf_free(&b);

    hc_abi_value v = hc_abi_uint64(16, 65536);
    expect_encode_error(&v, 1, HC_ERR_OVERFLOW);
    v = hc_abi_uint(96, &over96);
    expect_encode_error(&v, 1, HC_ERR_OVERFLOW);
    v = hc_abi_uint64(8, 256);
    expect_encode_error(&v, 1, HC_ERR_OVERFLOW);
    v = hc_abi_uint64(56, (uint64_t)1 << 56);
    expect_encode_error(&v, 1, HC_ERR_OVERFLOW);
    /* a bool is 0 or 1 */
    v = hc_abi_bool(1);
    v.u = hc_u256_from_u64(2);
    expect_encode_error(&v, 1, HC_ERR_OVERFLOW);
    /* an out-of-range item deep in an array, after valid values */
    hc_abi_value items[] = {hc_abi_uint64(16, 1), hc_abi_uint64(16, 70000)};
    hc_abi_value args[] = {hc_abi_string("x"),
                           hc_abi_array(HC_ABI_UINT, 16, items, 2)};
    expect_encode_error(args, 2, HC_ERR_OVERFLOW);
}

static void test_encode_bad_types(void **state)
{
    (void)state;
    static const uint8_t z[33] = {0};
    hc_abi_value v;
    static const unsigned bad_bits[] = {0, 7, 9, 255, 264, 512};
    for (size_t i = 0; i < sizeof bad_bits / sizeof *bad_bits; i++) {
        v = hc_abi_uint64(bad_bits[i], 0);
        expect_encode_error(&v, 1, HC_ERR_ABI);
    }
    v = hc_abi_fixed(z, 0);
    expect_encode_error(&v, 1, HC_ERR_ABI);
    v = hc_abi_fixed(z, 33);
    expect_encode_error(&v, 1, HC_ERR_ABI);
    v = hc_abi_bool(0);
    v.kind = (hc_abi_kind)0;
    expect_encode_error(&v, 1, HC_ERR_ABI);
    v.kind = (hc_abi_kind)99;
    expect_encode_error(&v, 1, HC_ERR_ABI);

    /* arrays: the element type must be valid, not an array, and every item
     * must have it */
    hc_abi_value u16[] = {hc_abi_uint64(16, 1), hc_abi_uint64(16, 2)};
    hc_abi_value mixed[] = {hc_abi_uint64(16, 1), hc_abi_uint64(256, 2)};
    hc_abi_value strs[] = {hc_abi_string("a"), hc_abi_bytes(z, 1)};
    hc_abi_value inner[] = {hc_abi_array(HC_ABI_UINT, 16, u16, 2)};
    v = hc_abi_array(HC_ABI_UINT, 256, u16, 2);
    expect_encode_error(&v, 1, HC_ERR_ABI);
    v = hc_abi_array(HC_ABI_UINT, 16, mixed, 2);
    expect_encode_error(&v, 1, HC_ERR_ABI);
    v = hc_abi_array(HC_ABI_STRING, 0, strs, 2);
    expect_encode_error(&v, 1, HC_ERR_ABI);
    v = hc_abi_array(HC_ABI_ARRAY, 0, inner, 1);
    expect_encode_error(&v, 1, HC_ERR_ABI);
    v = hc_abi_array(HC_ABI_UINT, 12, NULL, 0);
    expect_encode_error(&v, 1, HC_ERR_ABI);
    v = hc_abi_array(HC_ABI_FIXED, 40, NULL, 0);
    expect_encode_error(&v, 1, HC_ERR_ABI);
    /* an array of addresses ignores the size field of its items */
    hc_address a = addr_of(ADDR_A);
    hc_abi_value addrs[] = {hc_abi_address(&a)};
    addrs[0].size = 20;
    v = hc_abi_array(HC_ABI_ADDRESS, 0, addrs, 1);
    hc_buf b;
    hc_buf_init(&b, 1024, 0);
    assert_int_equal(hc_abi_encode(&b, &v, 1), HC_OK);
    hc_buf_free(&b);

    /* NULL pointers with a non-zero length */
    v = hc_abi_bytes(NULL, 1);
    expect_encode_error(&v, 1, HC_ERR_ARG);
    v = hc_abi_array(HC_ABI_UINT, 16, NULL, 1);
    expect_encode_error(&v, 1, HC_ERR_ARG);
    expect_encode_error(NULL, 1, HC_ERR_ARG);
    assert_int_equal(hc_abi_encode(NULL, &v, 0), HC_ERR_ARG);
}

static void test_encode_call_mismatch(void **state)
{
    (void)state;
    hc_address to = addr_of(ADDR_A);
    uint8_t h[32] = {0};
    hc_abi_value args[] = {hc_abi_address(&to), hc_abi_fixed(h, 32),
                           hc_abi_fixed(h, 32), hc_abi_uint64(16, 500)};
    static const char *const bad[] = {
        "mint(address,bytes32,bytes32,uint256)",
        "mint(address,bytes32,bytes32,uint160)",
        "mint(address,bytes32,bytes32,uint1)",
        "mint(address,bytes32,bytes32,uint16[])",
        "mint(address,bytes32,bytes32)",
        "mint(address,bytes32,bytes32,uint16,bool)",
        "mint(address,bytes32,bytes32,uint16",
        "mint(address,bytes32,bytes32,uint16)x",
        "mint(address,bytes32,bytes,uint16)",
        "mint(address,bytes32,bytes32,uint)",
        "mint(address, bytes32,bytes32,uint16)",
        "mint (address,bytes32,bytes32,uint16)",
        "(address,bytes32,bytes32,uint16)",
    };
    hc_buf b;
    hc_buf_init(&b, 1024, 0);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (hc_abi_encode_call(&b, bad[i], args, 4) != HC_ERR_ABI)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(b.len, 0);
    }
    assert_int_equal(hc_abi_encode_call(&b, "f()", args, 1), HC_ERR_ABI);
    assert_int_equal(hc_abi_encode_call(&b, "f(address)", args, 0), HC_ERR_ABI);
    assert_int_equal(hc_abi_encode_call(&b, NULL, args, 4), HC_ERR_ARG);
    assert_int_equal(hc_abi_encode_call(&b, "f(address)", NULL, 1), HC_ERR_ARG);
    assert_int_equal(hc_abi_encode_call(NULL, "f()", NULL, 0), HC_ERR_ARG);
    /* a value error after the selector leaves nothing behind */
    args[3] = hc_abi_uint64(16, 65536);
    assert_int_equal(
        hc_abi_encode_call(&b, "mint(address,bytes32,bytes32,uint16)", args, 4),
        HC_ERR_OVERFLOW);
    assert_int_equal(b.len, 0);
    hc_buf_free(&b);
}

static void test_encode_buffer_limit(void **state)
{
    (void)state;
    static const uint8_t ff = 0xff;
    hc_abi_value strs[] = {hc_abi_string("a"), hc_abi_string(""),
                           hc_abi_string("0123456789012345678901234567890123")};
    hc_abi_value bytes[] = {hc_abi_bytes(NULL, 0), hc_abi_bytes(&ff, 1)};
    hc_abi_value v[] = {hc_abi_uint64(16, 7),
                        hc_abi_array(HC_ABI_STRING, 0, strs, 3),
                        hc_abi_bool(1),
                        hc_abi_array(HC_ABI_BYTES, 0, bytes, 2),
                        hc_abi_array(HC_ABI_ADDRESS, 0, NULL, 0),
                        hc_abi_string("end")};
    const size_t need = (sizeof NESTED_HEX - 3) / 2;
    for (size_t max = 0; max <= need; max++) {
        hc_buf b;
        hc_buf_init(&b, max, 0);
        hc_err err = hc_abi_encode(&b, v, 6);
        if (max < need) {
            assert_int_equal(err, HC_ERR_BUFFER);
            assert_int_equal(b.len, 0);
        } else {
            assert_int_equal(err, HC_OK);
            assert_buf_hex(&b, NESTED_HEX);
        }
        hc_buf_free(&b);
    }
    /* heads too large for size_t arithmetic or for the buffer fail before
     * any value is read */
    hc_buf b;
    hc_buf_init(&b, 1 << 20, 0);
    assert_int_equal(hc_abi_encode(&b, v, SIZE_MAX / 16), HC_ERR_BUFFER);
    assert_int_equal(hc_abi_encode(&b, v, SIZE_MAX / 32), HC_ERR_BUFFER);
    assert_int_equal(hc_abi_encode(&b, v, SIZE_MAX), HC_ERR_BUFFER);
    assert_int_equal(b.len, 0);
    hc_buf_free(&b);
}

/* ---- decoding valid data */

static void test_decode_mint(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = exact_unhex(MINT_HEX, &len);
    uint8_t sel[4], other[4] = {0xa9, 0x05, 0x9c, 0xbb};
    assert_int_equal(
        hc_abi_selector(sel, "mint(address,bytes32,bytes32,uint16)"), HC_OK);
    hc_abi_dec d;
    assert_int_equal(hc_abi_dec_init_call(&d, other, data, len),
                     HC_ERR_NOT_FOUND);
    assert_int_equal(hc_abi_dec_init_call(&d, sel, data, 3), HC_ERR_ABI);
    assert_int_equal(hc_abi_dec_init_call(&d, sel, NULL, 4), HC_ERR_ARG);
    assert_int_equal(hc_abi_dec_init_call(&d, sel, data, len), HC_OK);
    assert_int_equal(d.n, 4);

    hc_address to, want = addr_of(ADDR_A);
    uint8_t h1[32], h2[32], w1[32], w2[32];
    uint64_t bps;
    hc_u256 u;
    unhex32(w1, H1);
    unhex32(w2, H2);
    assert_int_equal(hc_abi_get_address(&d, 0, &to), HC_OK);
    assert_memory_equal(to.b, want.b, 20);
    assert_int_equal(hc_abi_get_fixed(&d, 1, h1, 32), HC_OK);
    assert_memory_equal(h1, w1, 32);
    assert_int_equal(hc_abi_get_fixed(&d, 2, h2, 32), HC_OK);
    assert_memory_equal(h2, w2, 32);
    assert_int_equal(hc_abi_get_u64(&d, 3, 16, &bps), HC_OK);
    assert_int_equal(bps, 500);
    assert_int_equal(hc_abi_get_uint(&d, 3, 256, &u), HC_OK);
    assert_int_equal(u.w[0], 500);
    /* 500 does not fit in a uint8 */
    assert_int_equal(hc_abi_get_u64(&d, 3, 8, &bps), HC_ERR_ABI);
    assert_int_equal(bps, 500); /* unchanged on failure */
    /* only four slots */
    assert_int_equal(hc_abi_get_u64(&d, 4, 16, &bps), HC_ERR_ABI);
    free(data);
}

static void test_decode_mint_batch(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = exact_unhex(MINT_BATCH_HEX, &len);
    uint8_t sel[4];
    hc_abi_dec d, e;
    size_t n;
    assert_int_equal(
        hc_abi_selector(sel,
                        "mintBatch(address[],bytes32[],bytes32[],uint16[])"),
        HC_OK);
    assert_int_equal(hc_abi_dec_init_call(&d, sel, data, len), HC_OK);

    hc_address a, wa = addr_of(ADDR_A), wb = addr_of(ADDR_B);
    assert_int_equal(hc_abi_get_array(&d, 0, &e, &n), HC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(hc_abi_get_address(&e, 0, &a), HC_OK);
    assert_memory_equal(a.b, wa.b, 20);
    assert_int_equal(hc_abi_get_address(&e, 1, &a), HC_OK);
    assert_memory_equal(a.b, wb.b, 20);
    assert_int_equal(hc_abi_get_address(&e, 2, &a), HC_ERR_ABI);

    uint8_t h[32], w1[32], w2[32];
    unhex32(w1, H1);
    unhex32(w2, H2);
    assert_int_equal(hc_abi_get_array(&d, 1, &e, &n), HC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(hc_abi_get_fixed(&e, 0, h, 32), HC_OK);
    assert_memory_equal(h, w1, 32);
    assert_int_equal(hc_abi_get_fixed(&e, 1, h, 32), HC_OK);
    assert_memory_equal(h, w2, 32);
    assert_int_equal(hc_abi_get_array(&d, 2, &e, &n), HC_OK);
    assert_int_equal(hc_abi_get_fixed(&e, 0, h, 32), HC_OK);
    assert_memory_equal(h, w2, 32);

    uint64_t v;
    assert_int_equal(hc_abi_get_array(&d, 3, &e, &n), HC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(hc_abi_get_u64(&e, 0, 16, &v), HC_OK);
    assert_int_equal(v, 0);
    assert_int_equal(hc_abi_get_u64(&e, 1, 16, &v), HC_OK);
    assert_int_equal(v, 65535);
    assert_int_equal(hc_abi_get_u64(&e, 1, 8, &v), HC_ERR_ABI);
    free(data);

    /* all four arrays empty */
    data = exact_unhex(MINT_BATCH_EMPTY_HEX, &len);
    assert_int_equal(hc_abi_dec_init_call(&d, sel, data, len), HC_OK);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(hc_abi_get_array(&d, i, &e, &n), HC_OK);
        assert_int_equal(n, 0);
        assert_int_equal(e.n, 0);
        assert_int_equal(hc_abi_get_address(&e, 0, &a), HC_ERR_ABI);
    }
    free(data);
}

static void test_decode_statics(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = exact_unhex(STATICS_HEX, &len);
    hc_abi_dec d;
    hc_abi_dec_init(&d, data, len);
    assert_int_equal(d.n, 10);

    hc_address a, wa = addr_of(ADDR_A);
    hc_u256 u;
    uint64_t v;
    int flag;
    uint8_t h[32], w1[32];
    unhex32(w1, H1);
    assert_int_equal(hc_abi_get_address(&d, 0, &a), HC_OK);
    assert_memory_equal(a.b, wa.b, 20);
    assert_int_equal(hc_abi_get_uint(&d, 1, 256, &u), HC_OK);
    for (int k = 0; k < 4; k++)
        assert_true(u.w[k] == UINT64_MAX);
    assert_int_equal(hc_abi_get_uint(&d, 1, 248, &u), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_uint(&d, 2, 96, &u), HC_OK);
    assert_true(u.w[0] == UINT64_MAX && u.w[1] == 0xffffffffu && !u.w[2]);
    assert_int_equal(hc_abi_get_uint(&d, 2, 88, &u), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_u64(&d, 2, 64, &v), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_u64(&d, 3, 16, &v), HC_OK);
    assert_int_equal(v, 65535);
    assert_int_equal(hc_abi_get_u64(&d, 4, 8, &v), HC_OK);
    assert_int_equal(v, 255);
    assert_int_equal(hc_abi_get_fixed(&d, 5, h, 32), HC_OK);
    assert_memory_equal(h, w1, 32);
    assert_int_equal(hc_abi_get_fixed(&d, 6, h, 4), HC_OK);
    assert_memory_equal(h, "\xde\xad\xbe\xef", 4);
    assert_int_equal(hc_abi_get_fixed(&d, 6, h, 3), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_fixed(&d, 6, h, 5), HC_OK); /* bytes5 */
    assert_int_equal(hc_abi_get_fixed(&d, 7, h, 1), HC_OK);
    assert_int_equal(h[0], 0x7f);
    assert_int_equal(hc_abi_get_bool(&d, 8, &flag), HC_OK);
    assert_int_equal(flag, 1);
    assert_int_equal(hc_abi_get_bool(&d, 9, &flag), HC_OK);
    assert_int_equal(flag, 0);
    /* uint16 max is not a bool; a bool is a uint8 */
    assert_int_equal(hc_abi_get_bool(&d, 3, &flag), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_u64(&d, 8, 8, &v), HC_OK);
    assert_int_equal(hc_abi_get_bool(&d, 10, &flag), HC_ERR_ABI);
    free(data);

    /* an ownerOf return value */
    data = exact_unhex(OWNER_RET_HEX, &len);
    hc_abi_dec_init(&d, data, len);
    assert_int_equal(hc_abi_get_address(&d, 0, &a), HC_OK);
    assert_memory_equal(a.b, wa.b, 20);
    free(data);

    /* a custom error's revert data */
    data = exact_unhex(ERR_HEX, &len);
    uint8_t sel[4];
    hc_address b, wb = addr_of(ADDR_B);
    assert_int_equal(
        hc_abi_selector(sel, "ERC721IncorrectOwner(address,uint256,address)"),
        HC_OK);
    assert_int_equal(hc_abi_dec_init_call(&d, sel, data, len), HC_OK);
    assert_int_equal(hc_abi_get_address(&d, 0, &a), HC_OK);
    assert_int_equal(hc_abi_get_uint(&d, 1, 256, &u), HC_OK);
    assert_int_equal(hc_u256_to_u64(&v, &u), HC_OK);
    assert_int_equal(hc_abi_get_address(&d, 2, &b), HC_OK);
    assert_memory_equal(a.b, wa.b, 20);
    assert_int_equal(v, 42);
    assert_memory_equal(b.b, wb.b, 20);
    free(data);
}

static void test_decode_topic(void **state)
{
    (void)state;
    /* topic 2 of a Transfer log: the indexed `to`, as
     * cast abi-encode 'f(address)' $B prints it */
    uint8_t topic[32];
    unhex32(topic, "0x00000000000000000000000070997970c51812dc3a010c7d01b50e0d"
                   "17dc79c8");
    hc_abi_dec d;
    hc_address a, want = addr_of(ADDR_B);
    hc_abi_dec_init(&d, topic, sizeof topic);
    assert_int_equal(hc_abi_get_address(&d, 0, &a), HC_OK);
    assert_memory_equal(a.b, want.b, 20);
    /* the topic word of an indexed value is its encoding */
    hc_abi_value v = hc_abi_address(&want);
    hc_buf b;
    hc_buf_init(&b, 64, 0);
    assert_int_equal(hc_abi_encode(&b, &v, 1), HC_OK);
    assert_int_equal(b.len, 32);
    assert_memory_equal(b.data, topic, 32);
    hc_buf_free(&b);
}

static void check_bytes(const hc_abi_dec *d, size_t i, const char *want)
{
    const uint8_t *p;
    size_t n;
    assert_int_equal(hc_abi_get_bytes(d, i, &p, &n), HC_OK);
    assert_non_null(p);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(p, want, n);
}

static void test_decode_strings(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = exact_unhex(STR313233_HEX, &len);
    hc_abi_dec d;
    hc_abi_dec_init(&d, data, len);
    check_bytes(&d, 0, "0123456789012345678901234567890");
    check_bytes(&d, 1, "01234567890123456789012345678901");
    check_bytes(&d, 2, "012345678901234567890123456789012");
    free(data);

    data = exact_unhex(DYN_HEX, &len);
    hc_abi_dec_init(&d, data, len);
    hc_abi_dec e;
    size_t n;
    uint64_t v;
    assert_int_equal(hc_abi_get_array(&d, 0, &e, &n), HC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(hc_abi_get_u64(&e, 1, 64, &v), HC_OK);
    assert_int_equal(v, 2);
    check_bytes(&d, 1, "hi");
    check_bytes(&d, 2, "\x12\x34");
    /* a static slot read as an offset, and an offset read as a value */
    assert_int_equal(hc_abi_get_u64(&d, 1, 64, &v), HC_OK);
    assert_int_equal(v, 0xc0);
    free(data);

    data = exact_unhex(EMPTY_HEX, &len);
    hc_abi_dec_init(&d, data, len);
    check_bytes(&d, 0, "");
    check_bytes(&d, 1, "");
    assert_int_equal(hc_abi_get_array(&d, 2, &e, &n), HC_OK);
    assert_int_equal(n, 0);
    free(data);
}

/* The nested vector's contents, as found by decode_nested. */
typedef struct nested {
    uint64_t a;
    size_t nstr;
    const uint8_t *str[3];
    size_t str_len[3];
    int flag;
    size_t nbytes;
    const uint8_t *bytes[2];
    size_t bytes_len[2];
    size_t naddr;
    const uint8_t *end;
    size_t end_len;
} nested;

/* Asserts that [p, p+n) lies within [data, data+len). */
static void assert_inside(const uint8_t *p, size_t n, const uint8_t *data,
                          size_t len)
{
    assert_true(p >= data && p <= data + len);
    assert_true(n <= (size_t)(data + len - p));
}

/* Decodes f(uint16,string[],bool,bytes[],address[],string) entirely. */
static hc_err decode_nested(nested *o, const uint8_t *data, size_t len)
{
    hc_abi_dec d, e;
    const uint8_t *p;
    size_t n, cnt;
    memset(o, 0, sizeof *o);
    hc_abi_dec_init(&d, data, len);
    TRY(hc_abi_get_u64(&d, 0, 16, &o->a));
    TRY(hc_abi_get_array(&d, 1, &e, &cnt));
    assert_inside(e.base, 32 * cnt, data, len);
    o->nstr = cnt;
    for (size_t j = 0; j < cnt; j++) {
        TRY(hc_abi_get_bytes(&e, j, &p, &n));
        assert_inside(p, n, data, len);
        if (j < 3) {
            o->str[j] = p;
            o->str_len[j] = n;
        }
    }
    TRY(hc_abi_get_bool(&d, 2, &o->flag));
    TRY(hc_abi_get_array(&d, 3, &e, &cnt));
    assert_inside(e.base, 32 * cnt, data, len);
    o->nbytes = cnt;
    for (size_t j = 0; j < cnt; j++) {
        TRY(hc_abi_get_bytes(&e, j, &p, &n));
        assert_inside(p, n, data, len);
        if (j < 2) {
            o->bytes[j] = p;
            o->bytes_len[j] = n;
        }
    }
    TRY(hc_abi_get_array(&d, 4, &e, &cnt));
    assert_inside(e.base, 32 * cnt, data, len);
    o->naddr = cnt;
    for (size_t j = 0; j < cnt; j++) {
        hc_address a;
        TRY(hc_abi_get_address(&e, j, &a));
    }
    TRY(hc_abi_get_bytes(&d, 5, &o->end, &o->end_len));
    assert_inside(o->end, o->end_len, data, len);
    return HC_OK;
}

static void test_decode_nested(void **state)
{
    (void)state;
    size_t len;
    uint8_t *data = exact_unhex(NESTED_HEX, &len);
    nested o;
    assert_int_equal(decode_nested(&o, data, len), HC_OK);
    assert_int_equal(o.a, 7);
    assert_int_equal(o.nstr, 3);
    assert_int_equal(o.str_len[0], 1);
    assert_memory_equal(o.str[0], "a", 1);
    assert_int_equal(o.str_len[1], 0);
    assert_int_equal(o.str_len[2], 34);
    assert_memory_equal(o.str[2], "0123456789012345678901234567890123", 34);
    assert_int_equal(o.flag, 1);
    assert_int_equal(o.nbytes, 2);
    assert_int_equal(o.bytes_len[0], 0);
    assert_int_equal(o.bytes_len[1], 1);
    assert_int_equal(o.bytes[1][0], 0xff);
    assert_int_equal(o.naddr, 0);
    assert_int_equal(o.end_len, 3);
    assert_memory_equal(o.end, "end", 3);
    free(data);
}

/* ---- decoding hostile data */

static void test_decode_truncated(void **state)
{
    (void)state;
    size_t len;
    uint8_t *full = exact_unhex(NESTED_HEX, &len);
    nested want, got;
    assert_int_equal(decode_nested(&want, full, len), HC_OK);
    /* the last contents ("end") stop 29 bytes before the end: only the
     * padding may go */
    const size_t need = len - 29;
    for (size_t l = 0; l <= len; l++) {
        uint8_t *p = malloc(l ? l : 1);
        assert_non_null(p);
        memcpy(p, full, l);
        hc_err err = decode_nested(&got, p, l);
        if (l < need) {
            if (err != HC_ERR_ABI)
                fail_msg("a prefix of %zu bytes decoded (%d)", l, err);
        } else {
            assert_int_equal(err, HC_OK);
            assert_int_equal(got.end_len, 3);
            assert_memory_equal(got.end, "end", 3);
        }
        free(p);
    }
    free(full);

    /* static slots: a slot is readable only when all of it is there */
    uint8_t *st = exact_unhex(STATICS_HEX, &len);
    for (size_t l = 0; l < len; l++) {
        hc_abi_dec d;
        int flag;
        hc_abi_dec_init(&d, st, l);
        assert_int_equal(d.n, l / 32);
        assert_int_equal(hc_abi_get_bool(&d, 9, &flag), HC_ERR_ABI);
    }
    free(st);
}

static void test_decode_dirty_bits(void **state)
{
    (void)state;
    uint8_t w[32] = {0};
    hc_abi_dec d;
    hc_address a;
    int flag;
    uint64_t v;
    hc_u256 u;
    uint8_t h[32];
    hc_abi_dec_init(&d, w, sizeof w);

    /* address: 12 zero bytes, then 20 */
    put_word_u64(w, 0);
    memset(w + 12, 0xaa, 20);
    assert_int_equal(hc_abi_get_address(&d, 0, &a), HC_OK);
    w[11] = 1;
    memset(a.b, 0x55, 20);
    assert_int_equal(hc_abi_get_address(&d, 0, &a), HC_ERR_ABI);
    assert_int_equal(a.b[0], 0x55); /* untouched */
    w[11] = 0;
    w[0] = 0x80;
    assert_int_equal(hc_abi_get_address(&d, 0, &a), HC_ERR_ABI);

    /* uint16: max ok, max + 1 rejected, any high byte rejected */
    put_word_u64(w, 0xffff);
    assert_int_equal(hc_abi_get_u64(&d, 0, 16, &v), HC_OK);
    assert_int_equal(v, 0xffff);
    put_word_u64(w, 0x10000);
    assert_int_equal(hc_abi_get_u64(&d, 0, 16, &v), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_u64(&d, 0, 24, &v), HC_OK);
    put_word_u64(w, 1);
    w[0] = 1;
    assert_int_equal(hc_abi_get_u64(&d, 0, 16, &v), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_u64(&d, 0, 64, &v), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_uint(&d, 0, 256, &u), HC_OK);
    assert_true(u.w[3] == (uint64_t)1 << 56 && u.w[0] == 1);

    /* uint96: 2^96 - 1 ok, 2^96 rejected */
    put_word_u64(w, 0);
    memset(w + 20, 0xff, 12);
    assert_int_equal(hc_abi_get_uint(&d, 0, 96, &u), HC_OK);
    put_word_u64(w, 0);
    w[19] = 1;
    assert_int_equal(hc_abi_get_uint(&d, 0, 96, &u), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_uint(&d, 0, 104, &u), HC_OK);

    /* bool: only 0 and 1 */
    static const uint64_t bad_bools[] = {2, 0xff, 0x100, 0x101};
    for (size_t i = 0; i < sizeof bad_bools / sizeof *bad_bools; i++) {
        put_word_u64(w, bad_bools[i]);
        flag = 7;
        assert_int_equal(hc_abi_get_bool(&d, 0, &flag), HC_ERR_ABI);
        assert_int_equal(flag, 7);
    }
    put_word_u64(w, 1);
    w[0] = 1;
    assert_int_equal(hc_abi_get_bool(&d, 0, &flag), HC_ERR_ABI);

    /* bytes4: the 28 bytes after the value are zero */
    put_word_u64(w, 0);
    memcpy(w, "\xde\xad\xbe\xef", 4);
    assert_int_equal(hc_abi_get_fixed(&d, 0, h, 4), HC_OK);
    w[4] = 1;
    assert_int_equal(hc_abi_get_fixed(&d, 0, h, 4), HC_ERR_ABI);
    w[4] = 0;
    w[31] = 1;
    assert_int_equal(hc_abi_get_fixed(&d, 0, h, 4), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_fixed(&d, 0, h, 32), HC_OK);
}

static void expect_tail_error(const uint8_t *data, size_t len)
{
    hc_abi_dec d, e;
    const uint8_t *p = NULL;
    size_t n = 12345;
    hc_abi_dec_init(&d, data, len);
    assert_int_equal(hc_abi_get_bytes(&d, 0, &p, &n), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_array(&d, 0, &e, &n), HC_ERR_ABI);
    assert_null(p);
    assert_int_equal(n, 12345);
}

static void test_decode_bad_offsets(void **state)
{
    (void)state;
    uint8_t data[96] = {0};
    static const uint64_t bad[] = {
        96,
        65,
        95,
        97,
        128,
        1000,
        0xffffffffu,
        (uint64_t)1 << 63,
        UINT64_MAX,
        UINT64_MAX - 31,
        UINT64_MAX - 32,
        UINT64_MAX - 63,
        (uint64_t)SIZE_MAX,
        (uint64_t)SIZE_MAX - 31,
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        put_word_u64(data, bad[i]);
        expect_tail_error(data, sizeof data);
    }
    /* offsets whose low 64 bits are fine but whose high bits are not */
    put_word_u64(data, 32);
    data[23] = 1; /* 2^64 + 32 */
    expect_tail_error(data, sizeof data);
    put_word_u64(data, 32);
    data[0] = 0x80; /* 2^255 + 32 */
    expect_tail_error(data, sizeof data);

    /* the last valid position: an empty value in the last word */
    hc_abi_dec d, e;
    const uint8_t *p;
    size_t n;
    put_word_u64(data, 64);
    hc_abi_dec_init(&d, data, sizeof data);
    assert_int_equal(hc_abi_get_bytes(&d, 0, &p, &n), HC_OK);
    assert_int_equal(n, 0);
    assert_ptr_equal(p, data + 96);
    assert_int_equal(hc_abi_get_array(&d, 0, &e, &n), HC_OK);
    assert_int_equal(n, 0);
    /* the same data one byte short */
    expect_tail_error(data, sizeof data - 1);
}

static void test_decode_bad_lengths(void **state)
{
    (void)state;
    /* offset 32, then a length word, then 64 bytes */
    uint8_t data[128];
    hc_abi_dec d;
    const uint8_t *p;
    size_t n;
    memset(data, 'x', sizeof data);
    put_word_u64(data, 32);
    hc_abi_dec_init(&d, data, sizeof data);
    put_word_u64(data + 32, 64);
    assert_int_equal(hc_abi_get_bytes(&d, 0, &p, &n), HC_OK);
    assert_int_equal(n, 64);
    assert_ptr_equal(p, data + 64);
    static const uint64_t bad[] = {
        65,
        96,
        0xffffffffu,
        (uint64_t)1 << 63,
        UINT64_MAX,
        UINT64_MAX - 63, /* 64 + len wraps to 0 */
        UINT64_MAX - 95, /* 96 + len wraps to 0 */
        (uint64_t)SIZE_MAX - 31,
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        put_word_u64(data + 32, bad[i]);
        assert_int_equal(hc_abi_get_bytes(&d, 0, &p, &n), HC_ERR_ABI);
    }
    put_word_u64(data + 32, 1);
    data[32 + 23] = 1; /* 2^64 + 1 */
    assert_int_equal(hc_abi_get_bytes(&d, 0, &p, &n), HC_ERR_ABI);
    put_word_u64(data + 32, 1);
    data[32] = 1; /* 2^248 + 1 */
    assert_int_equal(hc_abi_get_bytes(&d, 0, &p, &n), HC_ERR_ABI);
}

static void test_decode_bad_counts(void **state)
{
    (void)state;
    /* offset 32, a count word, then three words */
    uint8_t data[160] = {0};
    hc_abi_dec d, e;
    size_t n;
    put_word_u64(data, 32);
    hc_abi_dec_init(&d, data, sizeof data);
    put_word_u64(data + 32, 3);
    assert_int_equal(hc_abi_get_array(&d, 0, &e, &n), HC_OK);
    assert_int_equal(n, 3);
    assert_int_equal(e.n, 3);
    static const uint64_t bad[] = {
        4,
        5,
        (uint64_t)1 << 58,
        (uint64_t)1 << 59,       /* 32 * count wraps to 0 */
        ((uint64_t)1 << 59) + 1, /* 32 * count wraps to 32 */
        (uint64_t)1 << 63,
        UINT64_MAX / 32,
        UINT64_MAX,
        (uint64_t)SIZE_MAX / 32 + 1,
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        put_word_u64(data + 32, bad[i]);
        n = 99;
        assert_int_equal(hc_abi_get_array(&d, 0, &e, &n), HC_ERR_ABI);
        assert_int_equal(n, 99);
    }
    put_word_u64(data + 32, 1);
    data[32 + 23] = 1; /* 2^64 + 1 */
    assert_int_equal(hc_abi_get_array(&d, 0, &e, &n), HC_ERR_ABI);

    /* string[] with one element whose offset (counted from the first
     * element) leaves the data */
    static const uint64_t elem_off[] = {96, 65, 100, UINT64_MAX,
                                        UINT64_MAX - 31};
    put_word_u64(data + 32, 1);
    for (size_t i = 0; i < sizeof elem_off / sizeof *elem_off; i++) {
        const uint8_t *p;
        put_word_u64(data + 64, elem_off[i]);
        assert_int_equal(hc_abi_get_array(&d, 0, &e, &n), HC_OK);
        assert_int_equal(hc_abi_get_bytes(&e, 0, &p, &n), HC_ERR_ABI);
    }
    /* offset 32 from the element: the length word is data[96..128) */
    const uint8_t *p;
    put_word_u64(data + 64, 32);
    put_word_u64(data + 96, 32);
    assert_int_equal(hc_abi_get_array(&d, 0, &e, &n), HC_OK);
    assert_int_equal(hc_abi_get_bytes(&e, 0, &p, &n), HC_OK);
    assert_ptr_equal(p, data + 128);
    assert_int_equal(n, 32);
    put_word_u64(data + 96, 33);
    assert_int_equal(hc_abi_get_bytes(&e, 0, &p, &n), HC_ERR_ABI);
}

/* Overwrites bytes and whole words of a valid encoding with values near the
 * limits; decoding must fail cleanly or stay inside the data (ASan checks
 * the reads: the copy has exactly the data's size). */
static void test_decode_mutations(void **state)
{
    (void)state;
    size_t len;
    uint8_t *orig = exact_unhex(NESTED_HEX, &len);
    uint8_t *p = malloc(len);
    assert_non_null(p);
    nested o;
    size_t ok = 0, bad = 0;
    static const uint8_t bytes[] = {0x00, 0x01, 0x1f, 0x20, 0x21,
                                    0x40, 0x7f, 0x80, 0xfe, 0xff};
    for (size_t i = 0; i < len; i++) {
        for (size_t k = 0; k < sizeof bytes; k++) {
            memcpy(p, orig, len);
            p[i] = bytes[k];
            if (decode_nested(&o, p, len) == HC_OK)
                ok++;
            else
                bad++;
        }
    }
    const uint64_t words[] = {0,
                              1,
                              31,
                              32,
                              len - 32,
                              len - 31,
                              len,
                              len + 1,
                              (uint64_t)1 << 59,
                              (uint64_t)1 << 63,
                              UINT64_MAX - 31,
                              UINT64_MAX};
    for (size_t i = 0; i + 32 <= len; i += 32) {
        for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
            memcpy(p, orig, len);
            put_word_u64(p + i, words[k]);
            if (decode_nested(&o, p, len) == HC_OK)
                ok++;
            else
                bad++;
        }
    }
    assert_true(ok > 0 && bad > 0);
    free(p);
    free(orig);
}

static void test_decode_args(void **state)
{
    (void)state;
    uint8_t w[64] = {0};
    hc_abi_dec d, e;
    hc_u256 u;
    uint64_t v;
    uint8_t h[33];
    const uint8_t *p;
    size_t n;
    hc_address a;
    int f;
    hc_abi_dec_init(&d, w, sizeof w);
    static const unsigned bad_bits[] = {0, 4, 7, 12, 257, 264};
    for (size_t i = 0; i < sizeof bad_bits / sizeof *bad_bits; i++) {
        assert_int_equal(hc_abi_get_uint(&d, 0, bad_bits[i], &u), HC_ERR_ARG);
        assert_int_equal(hc_abi_get_u64(&d, 0, bad_bits[i], &v), HC_ERR_ARG);
    }
    assert_int_equal(hc_abi_get_u64(&d, 0, 72, &v), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_fixed(&d, 0, h, 0), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_fixed(&d, 0, h, 33), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_uint(&d, 0, 8, NULL), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_u64(&d, 0, 8, NULL), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_address(&d, 0, NULL), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_bool(&d, 0, NULL), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_fixed(&d, 0, NULL, 1), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_bytes(&d, 0, NULL, &n), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_bytes(&d, 0, &p, NULL), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_array(&d, 0, NULL, &n), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_array(&d, 0, &e, NULL), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_uint(NULL, 0, 8, &u), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_address(NULL, 0, &a), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_bytes(NULL, 0, &p, &n), HC_ERR_ARG);
    assert_int_equal(hc_abi_get_array(NULL, 0, &e, &n), HC_ERR_ARG);
    /* slots past the data, including indices that would overflow 32 * i */
    assert_int_equal(hc_abi_get_bool(&d, 1, &f), HC_OK);
    assert_int_equal(hc_abi_get_bool(&d, 2, &f), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_bool(&d, SIZE_MAX / 32 + 1, &f), HC_ERR_ABI);
    assert_int_equal(hc_abi_get_bool(&d, SIZE_MAX, &f), HC_ERR_ABI);
    /* no data */
    hc_abi_dec_init(&d, NULL, 100);
    assert_int_equal(d.n, 0);
    assert_int_equal(hc_abi_get_bool(&d, 0, &f), HC_ERR_ABI);
    hc_abi_dec_init(&d, w, 31);
    assert_int_equal(hc_abi_get_bool(&d, 0, &f), HC_ERR_ABI);
    hc_abi_dec_init(&d, w, 63);
    assert_int_equal(d.n, 1);
    assert_int_equal(hc_abi_dec_init_call(NULL, w, w, 4), HC_ERR_ARG);
    assert_int_equal(hc_abi_dec_init_call(&d, NULL, w, 4), HC_ERR_ARG);
    /* a selector and nothing else is an empty tuple */
    assert_int_equal(hc_abi_dec_init_call(&d, w, w, 4), HC_OK);
    assert_int_equal(d.n, 0);
}

/* ---- random round trips */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint8_t pool[1024]; /* contents of random bytes and strings */

static void rand_type(hc_abi_kind *kind, unsigned *size)
{
    *kind = (hc_abi_kind)(HC_ABI_UINT + rnd() % 6);
    *size = 0;
    if (*kind == HC_ABI_UINT)
        *size = 8 * (unsigned)(1 + rnd() % 32);
    else if (*kind == HC_ABI_FIXED)
        *size = (unsigned)(1 + rnd() % 32);
}

static void rand_value(hc_abi_value *v, hc_abi_kind kind, unsigned size)
{
    memset(v, 0, sizeof *v);
    v->kind = kind;
    v->size = size;
    switch (kind) {
    case HC_ABI_UINT: {
        unsigned r = (unsigned)(rnd() % 4);
        for (unsigned k = 0; k < 4; k++) {
            unsigned lo = 64 * k;
            uint64_t x = r == 0 ? 0 : r == 1 ? UINT64_MAX : rnd();
            if (lo >= size)
                x = 0;
            else if (size - lo < 64)
                x &= ((uint64_t)1 << (size - lo)) - 1;
            v->u.w[k] = x;
        }
        break;
    }
    case HC_ABI_ADDRESS:
        for (int k = 0; k < 20; k++)
            v->addr.b[k] = (uint8_t)rnd();
        break;
    case HC_ABI_BOOL:
        v->u = hc_u256_from_u64(rnd() & 1);
        break;
    case HC_ABI_FIXED:
        for (unsigned k = 0; k < size; k++)
            v->fixed[k] = (uint8_t)rnd();
        break;
    default: { /* bytes, string: 0..69 bytes, so 31, 32, 33 and 64 occur */
        size_t off = rnd() % 512;
        v->p = pool + off;
        v->len = rnd() % 70;
        break;
    }
    }
}

static void check_value(const hc_abi_dec *d, size_t i, const hc_abi_value *v)
{
    hc_u256 u;
    hc_address a;
    int f;
    uint8_t h[32];
    const uint8_t *p;
    size_t n;
    hc_abi_dec e;
    switch (v->kind) {
    case HC_ABI_UINT:
        assert_int_equal(hc_abi_get_uint(d, i, v->size, &u), HC_OK);
        assert_memory_equal(&u, &v->u, sizeof u);
        if (v->size > 8) {
            hc_err err = hc_abi_get_uint(d, i, v->size - 8, &u);
            assert_int_equal(
                err, hc_u256_bits(&v->u) <= v->size - 8 ? HC_OK : HC_ERR_ABI);
        }
        break;
    case HC_ABI_ADDRESS:
        assert_int_equal(hc_abi_get_address(d, i, &a), HC_OK);
        assert_memory_equal(a.b, v->addr.b, 20);
        break;
    case HC_ABI_BOOL:
        assert_int_equal(hc_abi_get_bool(d, i, &f), HC_OK);
        assert_int_equal(f, v->u.w[0]);
        break;
    case HC_ABI_FIXED:
        assert_int_equal(hc_abi_get_fixed(d, i, h, v->size), HC_OK);
        assert_memory_equal(h, v->fixed, v->size);
        break;
    case HC_ABI_BYTES:
    case HC_ABI_STRING:
        assert_int_equal(hc_abi_get_bytes(d, i, &p, &n), HC_OK);
        assert_int_equal(n, v->len);
        if (n)
            assert_memory_equal(p, v->p, n);
        break;
    default:
        assert_int_equal(hc_abi_get_array(d, i, &e, &n), HC_OK);
        assert_int_equal(n, v->count);
        for (size_t j = 0; j < n; j++)
            check_value(&e, j, &v->items[j]);
        break;
    }
}

/* The canonical type name, written independently of the library. */
static void type_str(char *out, size_t cap, hc_abi_kind kind, unsigned size)
{
    switch (kind) {
    case HC_ABI_UINT:
        snprintf(out, cap, "uint%u", size);
        break;
    case HC_ABI_ADDRESS:
        snprintf(out, cap, "address");
        break;
    case HC_ABI_BOOL:
        snprintf(out, cap, "bool");
        break;
    case HC_ABI_FIXED:
        snprintf(out, cap, "bytes%u", size);
        break;
    case HC_ABI_BYTES:
        snprintf(out, cap, "bytes");
        break;
    default:
        snprintf(out, cap, "string");
        break;
    }
}

static void test_roundtrip_random(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof pool; k++)
        pool[k] = (uint8_t)rnd();
    for (int iter = 0; iter < 2000; iter++) {
        hc_abi_value v[6], items[6][5];
        size_t n = rnd() % 7;
        char sig[256] = "f(";
        for (size_t i = 0; i < n; i++) {
            hc_abi_kind kind;
            unsigned size;
            char name[24];
            rand_type(&kind, &size);
            type_str(name, sizeof name, kind, size);
            if (rnd() % 3 == 0) {
                size_t count = rnd() % 6;
                for (size_t j = 0; j < count; j++)
                    rand_value(&items[i][j], kind, size);
                v[i] = hc_abi_array(kind, size, items[i], count);
                strcat(name, "[]");
            } else {
                rand_value(&v[i], kind, size);
            }
            if (i)
                strcat(sig, ",");
            strcat(sig, name);
        }
        strcat(sig, ")");

        hc_buf b, c;
        hc_buf_init(&b, 1 << 16, 0);
        hc_buf_init(&c, 1 << 16, 0);
        assert_int_equal(hc_abi_encode(&b, v, n), HC_OK);
        assert_int_equal(b.len % 32, 0);
        hc_abi_dec d;
        hc_abi_dec_init(&d, b.data, b.len);
        for (size_t i = 0; i < n; i++)
            check_value(&d, i, &v[i]);

        /* as a call of the matching signature */
        uint8_t sel[4];
        if (hc_abi_encode_call(&c, sig, v, n) != HC_OK)
            fail_msg("signature %s rejected", sig);
        assert_int_equal(hc_abi_selector(sel, sig), HC_OK);
        assert_int_equal(c.len, 4 + b.len);
        assert_memory_equal(c.data, sel, 4);
        if (b.len)
            assert_memory_equal(c.data + 4, b.data, b.len);
        hc_buf_free(&b);
        hc_buf_free(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selectors),
        cmocka_unit_test(test_event_topics),
        cmocka_unit_test(test_signature_checks),
        cmocka_unit_test(test_encode_mint),
        cmocka_unit_test(test_encode_mint_batch),
        cmocka_unit_test(test_encode_statics),
        cmocka_unit_test(test_encode_dynamic),
        cmocka_unit_test(test_encode_empty),
        cmocka_unit_test(test_encode_strings_31_32_33),
        cmocka_unit_test(test_encode_nested),
        cmocka_unit_test(test_encode_uint_bounds),
        cmocka_unit_test(test_encode_bad_types),
        cmocka_unit_test(test_encode_call_mismatch),
        cmocka_unit_test(test_encode_buffer_limit),
        cmocka_unit_test(test_decode_mint),
        cmocka_unit_test(test_decode_mint_batch),
        cmocka_unit_test(test_decode_statics),
        cmocka_unit_test(test_decode_topic),
        cmocka_unit_test(test_decode_strings),
        cmocka_unit_test(test_decode_nested),
        cmocka_unit_test(test_decode_truncated),
        cmocka_unit_test(test_decode_dirty_bits),
        cmocka_unit_test(test_decode_bad_offsets),
        cmocka_unit_test(test_decode_bad_lengths),
        cmocka_unit_test(test_decode_bad_counts),
        cmocka_unit_test(test_decode_mutations),
        cmocka_unit_test(test_decode_args),
        cmocka_unit_test(test_roundtrip_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

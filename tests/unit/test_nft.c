/* Contract bindings: calldata byte for byte as cast encodes it, events,
 * revert names. Expected values from cast 1.7.1 (commands in comments). */
#include <stdlib.h>
#include <string.h>

#include "haechi/hex.h"
#include "haechi/keccak.h"
#include "haechi/nft.h"
#include "testutil.h"

static void expect_hex(const hc_buf *b, const char *want)
{
    char *got = hc_hex_encode_alloc(b->data, b->len, 1);
    assert_string_equal(got, want);
    free(got);
}

static void item(hc_nft_item *it, const char *to, uint8_t c, uint8_t m,
                 uint16_t bps)
{
    assert_int_equal(hc_address_parse(&it->to, to), HC_OK);
    memset(it->content_hash, c, 32);
    memset(it->metadata_hash, m, 32);
    it->royalty_bps = bps;
}

static void test_calldata(void **state)
{
    (void)state;
    hc_nft_item it[2];
    hc_buf b;
    hc_buf_init(&b, 1 << 16, 0);
    item(&it[0], "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 1, 2, 250);
    item(&it[1], "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", 3, 4, 10000);
    /* cast calldata 'mint(address,bytes32,bytes32,uint16)' 0x5aAe… 0x0101…
     * 0x0202… 250 */
    assert_int_equal(hc_nft_mint_calldata(&b, &it[0]), HC_OK);
    expect_hex(
        &b, "0xfbe48ef3"
            "0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
            "0101010101010101010101010101010101010101010101010101010101010101"
            "0202020202020202020202020202020202020202020202020202020202020202"
            "00000000000000000000000000000000000000000000000000000000000000fa");
    hc_buf_reset(&b);
    /* cast calldata 'mintBatch(address[],bytes32[],bytes32[],uint16[])'
     * '[0x5aAe…,0xfB69…]' '[0x0101…,0x0303…]' '[0x0202…,0x0404…]'
     * '[250,10000]' */
    assert_int_equal(hc_nft_mint_batch_calldata(&b, it, 2), HC_OK);
    expect_hex(
        &b, "0x9ca11af0"
            "0000000000000000000000000000000000000000000000000000000000000080"
            "00000000000000000000000000000000000000000000000000000000000000e0"
            "0000000000000000000000000000000000000000000000000000000000000140"
            "00000000000000000000000000000000000000000000000000000000000001a0"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0000000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
            "000000000000000000000000fb6916095ca1df60bb79ce92ce3ea74c37c5d359"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0101010101010101010101010101010101010101010101010101010101010101"
            "0303030303030303030303030303030303030303030303030303030303030303"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "0202020202020202020202020202020202020202020202020202020202020202"
            "0404040404040404040404040404040404040404040404040404040404040404"
            "0000000000000000000000000000000000000000000000000000000000000002"
            "00000000000000000000000000000000000000000000000000000000000000fa"
            "0000000000000000000000000000000000000000000000000000000000002710");
    hc_buf_reset(&b);
    it[0].royalty_bps = 10001;
    assert_int_equal(hc_nft_mint_calldata(&b, &it[0]), HC_ERR_ARG);
    assert_int_equal(hc_nft_mint_batch_calldata(&b, it, 2), HC_ERR_ARG);
    assert_int_equal(b.len, 0);
    /* ownerOf(uint256): cast sig 'ownerOf(uint256)' = 0x6352211e */
    uint8_t id[32];
    memset(id, 0xab, 32);
    assert_int_equal(hc_nft_token_calldata(&b, "ownerOf", id), HC_OK);
    assert_int_equal(b.len, 36);
    assert_memory_equal(b.data, "\x63\x52\x21\x1e", 4);
    assert_memory_equal(b.data + 4, id, 32);
    assert_int_equal(hc_nft_token_calldata(&b, "selfdestruct", id), HC_ERR_ARG);
    hc_buf_free(&b);
}

static void test_events(void **state)
{
    (void)state;
    hc_log l;
    hc_nft_event ev;
    uint8_t meta[32];
    memset(&l, 0, sizeof l);
    memset(meta, 0x77, 32);
    /* cast keccak 'Minted(uint256,address,bytes32)' */
    size_t n;
    assert_int_equal(hc_hex_decode(l.topics[0], 32, &n,
                                   "0x735d687607ce9e35b73121f5b238c4cd2854db103"
                                   "741adba51d670bb706051cc",
                                   66, HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
    memset(l.topics[1], 0x11, 32);
    l.ntopics = 2;
    uint8_t data[64] = {0};
    memset(data + 12, 0x22, 20); /* creator, padded */
    memcpy(data + 32, meta, 32);
    l.data = data;
    l.data_len = 64;
    assert_int_equal(hc_nft_decode_event(&l, &ev), HC_OK);
    assert_int_equal(ev.kind, HC_NFT_EVENT_MINTED);
    assert_int_equal(ev.creator.b[0], 0x22);
    assert_int_equal(ev.token_id[31], 0x11);
    assert_memory_equal(ev.metadata_hash, meta, 32);
    /* dirty address word, wrong data size, an extra topic: malformed */
    data[0] = 1;
    assert_int_equal(hc_nft_decode_event(&l, &ev), HC_ERR_ABI);
    data[0] = 0;
    l.data_len = 32;
    assert_int_equal(hc_nft_decode_event(&l, &ev), HC_ERR_ABI);
    l.data_len = 64;
    l.ntopics = 3;
    assert_int_equal(hc_nft_decode_event(&l, &ev), HC_ERR_ABI);
    memset(l.topics[2], 0, 32);
    /* ERC-721 Transfer with three indexed topics */
    hc_keccak256(l.topics[0], HC_NFT_EV_TRANSFER, strlen(HC_NFT_EV_TRANSFER));
    memset(l.topics[1], 0, 32);
    memset(l.topics[2] + 12, 0x22, 20);
    memset(l.topics[3], 0x33, 32);
    l.ntopics = 4;
    l.data_len = 0;
    assert_int_equal(hc_nft_decode_event(&l, &ev), HC_OK);
    assert_int_equal(ev.kind, HC_NFT_EVENT_TRANSFER);
    assert_int_equal(ev.to.b[19], 0x22);
    /* an ERC-20 Transfer (3 topics) is someone else's event */
    l.ntopics = 3;
    l.data_len = 32;
    assert_int_equal(hc_nft_decode_event(&l, &ev), HC_OK);
    assert_int_equal(ev.kind, HC_NFT_EVENT_OTHER);
}

static void test_revert_names(void **state)
{
    (void)state;
    char name[256];
    size_t n;
    uint8_t data[256];
    /* cast calldata 'AlreadyMinted(uint256)' 0x0101… */
    assert_int_equal(hc_hex_decode(data, sizeof data, &n,
                                   "0xa593dbf8010101010101010101010101010101010"
                                   "1010101010101010101010101010101",
                                   74, HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
    assert_int_equal(hc_nft_revert_name(name, sizeof name, data, n), 1);
    assert_string_equal(
        name,
        "AlreadyMinted("
        "0x101010101010101010101010101010101010101010101010101010101010101)");
    /* cast calldata 'Error(string)' nope */
    const char *err_hex =
        "0x08c379a0000000000000000000000000000000000000000000000000000000000000"
        "002000000000000000000000000000000000000000000000000000000000000000046e"
        "6f706500000000000000000000000000000000000000000000000000000000";
    assert_int_equal(hc_hex_decode(data, sizeof data, &n, err_hex,
                                   strlen(err_hex), HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
    assert_int_equal(hc_nft_revert_name(name, sizeof name, data, n), 1);
    assert_string_equal(name, "Error(\"nope\")");
    uint8_t sel[4];
    assert_int_equal(hc_nft_error_selector(sel, "EnforcedPause"), HC_OK);
    assert_int_equal(hc_nft_revert_name(name, sizeof name, sel, 4), 1);
    assert_string_equal(name, "EnforcedPause()");
    static const uint8_t unknown[4] = {0xde, 0xad, 0xbe, 0xef};
    assert_int_equal(hc_nft_revert_name(name, sizeof name, unknown, 4), 0);
    assert_string_equal(name, "unknown error 0xdeadbeef");
    assert_int_equal(hc_nft_revert_name(name, sizeof name, unknown, 0), 0);
    assert_string_equal(name, "");
    /* truncated arguments do not decode as the error */
    assert_int_equal(hc_hex_decode(data, sizeof data, &n, "0xa593dbf80101", 14,
                                   HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
    assert_int_equal(hc_nft_revert_name(name, sizeof name, data, n), 0);
    assert_int_equal(hc_nft_error_selector(sel, "NoSuchError"),
                     HC_ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calldata),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_revert_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

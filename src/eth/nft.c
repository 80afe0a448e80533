#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/abi.h"
#include "haechi/hex.h"
#include "haechi/keccak.h"
#include "haechi/nft.h"

hc_err hc_nft_mint_calldata(hc_buf *out, const hc_nft_item *it)
{
    hc_abi_value v[4] = {
        hc_abi_address(&it->to),
        hc_abi_fixed(it->content_hash, 32),
        hc_abi_fixed(it->metadata_hash, 32),
        hc_abi_uint64(16, it->royalty_bps),
    };
    if (it->royalty_bps > 10000)
        return HC_ERR_ARG;
    return hc_abi_encode_call(out, "mint(address,bytes32,bytes32,uint16)", v,
                              4);
}

#define BATCH_MAX 4096

hc_err hc_nft_mint_batch_calldata(hc_buf *out, const hc_nft_item *items,
                                  size_t n)
{
    if (n > BATCH_MAX)
        return HC_ERR_ARG;
    hc_abi_value *vals = calloc(4 * (n ? n : 1), sizeof *vals);
    if (!vals)
        return HC_ERR_NOMEM;
    hc_abi_value *to = vals, *ch = vals + n, *mh = vals + 2 * n,
                 *bps = vals + 3 * n;
    hc_err err = HC_OK;
    for (size_t i = 0; i < n; i++) {
        if (items[i].royalty_bps > 10000)
            err = HC_ERR_ARG;
        to[i] = hc_abi_address(&items[i].to);
        ch[i] = hc_abi_fixed(items[i].content_hash, 32);
        mh[i] = hc_abi_fixed(items[i].metadata_hash, 32);
        bps[i] = hc_abi_uint64(16, items[i].royalty_bps);
    }
    hc_abi_value args[4] = {
        hc_abi_array(HC_ABI_ADDRESS, 0, to, n),
        hc_abi_array(HC_ABI_FIXED, 32, ch, n),
        hc_abi_array(HC_ABI_FIXED, 32, mh, n),
        hc_abi_array(HC_ABI_UINT, 16, bps, n),
    };
    if (!err)
        err = hc_abi_encode_call(
            out, "mintBatch(address[],bytes32[],bytes32[],uint16[])", args, 4);
    free(vals);
    return err;
}

hc_err hc_nft_token_calldata(hc_buf *out, const char *function,
                             const uint8_t token_id[32])
{
    static const char *const allowed[] = {"ownerOf", "creatorOf", "exists",
                                          "retired", "tokenURI",  "burn"};
    char sig[64];
    hc_u256 id;
    int ok = 0;
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        ok |= strcmp(function, allowed[i]) == 0;
    if (!ok)
        return HC_ERR_ARG;
    snprintf(sig, sizeof sig, "%s(uint256)", function);
    hc_err err = hc_u256_from_be(&id, token_id, 32);
    if (err)
        return err;
    hc_abi_value v = hc_abi_uint(256, &id);
    return hc_abi_encode_call(out, sig, &v, 1);
}

hc_err hc_nft_deploy_code(hc_buf *out, const char *name, const char *symbol,
                          const char *base_uri, const hc_address *admin,
                          const hc_address *minter)
{
    hc_address zero = {{0}};
    hc_abi_value v[5] = {
        hc_abi_string(name),
        hc_abi_string(symbol),
        hc_abi_string(base_uri),
        hc_abi_address(admin),
        hc_abi_address(minter ? minter : &zero),
    };
    hc_err err =
        hc_hex_decode_buf(out, hc_nft_bytecode_hex(), HC_HEX_PREFIX_OPTIONAL);
    if (err)
        return err;
    if (out->len == 0)
        return HC_ERR_INTERNAL;
    return hc_abi_encode(out, v, 5);
}

/* The event topics, hashed once (a receipt of a 100-token batch has 200
 * logs, each looked at by kind). */
static const char *const event_sigs[] = {HC_NFT_EV_MINTED, HC_NFT_EV_SKIPPED,
                                         HC_NFT_EV_TRANSFER};
static uint8_t event_topics[3][32];
static pthread_once_t topics_once = PTHREAD_ONCE_INIT;

static void topics_init(void)
{
    for (size_t i = 0; i < 3; i++)
        hc_keccak256(event_topics[i], event_sigs[i], strlen(event_sigs[i]));
}

static int topic_is(const uint8_t t[32], const char *sig)
{
    pthread_once(&topics_once, topics_init);
    for (size_t i = 0; i < 3; i++)
        if (!strcmp(event_sigs[i], sig))
            return memcmp(t, event_topics[i], 32) == 0;
    uint8_t want[32];
    hc_keccak256(want, sig, strlen(sig));
    return memcmp(t, want, 32) == 0;
}

/* An indexed address topic: 12 zero bytes, then the address. */
static hc_err topic_address(hc_address *a, const uint8_t t[32])
{
    for (int i = 0; i < 12; i++)
        if (t[i])
            return HC_ERR_ABI;
    memcpy(a->b, t + 12, 20);
    return HC_OK;
}

hc_err hc_nft_decode_event(const hc_log *log, hc_nft_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (log->ntopics == 0)
        return HC_OK;
    const uint8_t(*t)[32] = (const uint8_t(*)[32])log->topics;
    if (topic_is(t[0], HC_NFT_EV_MINTED)) {
        /* Minted(uint256 indexed tokenId, address creator, bytes32 meta) */
        if (log->ntopics != 2 || log->data_len != 64 ||
            topic_address(&ev->creator, log->data))
            return HC_ERR_ABI;
        ev->kind = HC_NFT_EVENT_MINTED;
        memcpy(ev->token_id, t[1], 32);
        memcpy(ev->metadata_hash, log->data + 32, 32);
    } else if (topic_is(t[0], HC_NFT_EV_SKIPPED)) {
        if (log->ntopics != 3 || log->data_len != 0 ||
            topic_address(&ev->owner, t[2]))
            return HC_ERR_ABI;
        ev->kind = HC_NFT_EVENT_SKIPPED;
        memcpy(ev->token_id, t[1], 32);
    } else if (topic_is(t[0], HC_NFT_EV_TRANSFER)) {
        /* ERC-721 Transfer: all three indexed (ERC-20's has 3 topics) */
        if (log->ntopics != 4)
            return HC_OK;
        if (log->data_len != 0 || topic_address(&ev->from, t[1]) ||
            topic_address(&ev->to, t[2]))
            return HC_ERR_ABI;
        ev->kind = HC_NFT_EVENT_TRANSFER;
        memcpy(ev->token_id, t[3], 32);
    }
    return HC_OK;
}

/* Known errors: signature and how to print the arguments. */
typedef enum {
    A_NONE,
    A_U256,
    A_U256_ADDR,
    A_ADDR_B32,
    A_ADDR,
    A_STRING,
    A_ADDR_U256
} arg_shape;

static const struct {
    const char *name;
    const char *sig;
    arg_shape args;
} known_errors[] = {
    {"AlreadyMinted", "AlreadyMinted(uint256)", A_U256},
    {"TokenRetired", "TokenRetired(uint256)", A_U256},
    {"LengthMismatch", "LengthMismatch()", A_NONE},
    {"ZeroAddress", "ZeroAddress()", A_NONE},
    {"RoyaltyTooHigh", "RoyaltyTooHigh(uint256)", A_U256},
    {"NotTokenOwner", "NotTokenOwner(uint256,address)", A_U256_ADDR},
    {"AccessControlUnauthorizedAccount",
     "AccessControlUnauthorizedAccount(address,bytes32)", A_ADDR_B32},
    {"AccessControlBadConfirmation", "AccessControlBadConfirmation()", A_NONE},
    {"EnforcedPause", "EnforcedPause()", A_NONE},
    {"ExpectedPause", "ExpectedPause()", A_NONE},
    {"ERC721NonexistentToken", "ERC721NonexistentToken(uint256)", A_U256},
    {"ERC721InvalidOwner", "ERC721InvalidOwner(address)", A_ADDR},
    {"ERC721IncorrectOwner", "ERC721IncorrectOwner(address,uint256,address)",
     A_ADDR_U256},
    {"ERC721InsufficientApproval",
     "ERC721InsufficientApproval(address,uint256)", A_ADDR_U256},
    {"ERC721InvalidReceiver", "ERC721InvalidReceiver(address)", A_ADDR},
    {"ERC721InvalidSender", "ERC721InvalidSender(address)", A_ADDR},
    {"TokenDoesNotExist", "TokenDoesNotExist()", A_NONE},
    {"TokenAlreadyExists", "TokenAlreadyExists()", A_NONE},
    {"NotOwnerNorApproved", "NotOwnerNorApproved()", A_NONE},
    {"TransferFromIncorrectOwner", "TransferFromIncorrectOwner()", A_NONE},
    {"TransferToZeroAddress", "TransferToZeroAddress()", A_NONE},
    {"TransferToNonERC721ReceiverImplementer",
     "TransferToNonERC721ReceiverImplementer()", A_NONE},
    {"Error", "Error(string)", A_STRING},
    {"Panic", "Panic(uint256)", A_U256},
};

hc_err hc_nft_error_selector(uint8_t out[4], const char *name)
{
    for (size_t i = 0; i < sizeof known_errors / sizeof *known_errors; i++)
        if (!strcmp(known_errors[i].name, name))
            return hc_abi_selector(out, known_errors[i].sig);
    return HC_ERR_NOT_FOUND;
}

int hc_nft_revert_name(char *out, size_t cap, const uint8_t *data, size_t len)
{
    if (cap)
        out[0] = 0;
    if (len == 0)
        return 0;
    if (len < 4) {
        snprintf(out, cap, "malformed revert data (%zu bytes)", len);
        return 0;
    }
    for (size_t i = 0; i < sizeof known_errors / sizeof *known_errors; i++) {
        uint8_t sel[4];
        hc_abi_dec d;
        if (hc_abi_selector(sel, known_errors[i].sig) ||
            hc_abi_dec_init_call(&d, sel, data, len) != HC_OK)
            continue;
        hc_u256 u;
        hc_address a;
        uint8_t b32[32];
        const uint8_t *p;
        size_t n;
        char x[HC_U256_HEX_MAX], y[HC_ADDRESS_STR], z[67];
        const char *name = known_errors[i].name;
        int ok = 1;
        switch (known_errors[i].args) {
        case A_NONE:
            snprintf(out, cap, "%s()", name);
            break;
        case A_U256:
            ok = hc_abi_get_uint(&d, 0, 256, &u) == HC_OK;
            if (ok)
                snprintf(out, cap, "%s(%s)", name, hc_u256_to_hex(x, &u));
            break;
        case A_U256_ADDR:
            ok = hc_abi_get_uint(&d, 0, 256, &u) == HC_OK &&
                 hc_abi_get_address(&d, 1, &a) == HC_OK;
            if (ok)
                snprintf(out, cap, "%s(%s, %s)", name, hc_u256_to_hex(x, &u),
                         hc_address_to_str(y, &a));
            break;
        case A_ADDR_U256:
            ok = hc_abi_get_address(&d, 0, &a) == HC_OK &&
                 hc_abi_get_uint(&d, 1, 256, &u) == HC_OK;
            if (ok)
                snprintf(out, cap, "%s(%s, %s, …)", name,
                         hc_address_to_str(y, &a), hc_u256_to_hex(x, &u));
            break;
        case A_ADDR_B32:
            ok = hc_abi_get_address(&d, 0, &a) == HC_OK &&
                 hc_abi_get_fixed(&d, 1, b32, 32) == HC_OK;
            if (ok)
                snprintf(out, cap, "%s(%s, %s)", name, hc_address_to_str(y, &a),
                         hc_hex_encode(z, b32, 32, 1));
            break;
        case A_ADDR:
            ok = hc_abi_get_address(&d, 0, &a) == HC_OK;
            if (ok)
                snprintf(out, cap, "%s(%s)", name, hc_address_to_str(y, &a));
            break;
        case A_STRING:
            ok = hc_abi_get_bytes(&d, 0, &p, &n) == HC_OK;
            if (ok) {
                /* print only printable ASCII of the reason */
                char reason[128];
                size_t k = 0;
                for (size_t j = 0; j < n && k + 1 < sizeof reason; j++)
                    reason[k++] =
                        (p[j] >= 0x20 && p[j] < 0x7f) ? (char)p[j] : '?';
                reason[k] = 0;
                snprintf(out, cap, "%s(\"%s\")", name, reason);
            }
            break;
        }
        if (ok)
            return 1;
    }
    char h[9];
    snprintf(out, cap, "unknown error 0x%s", hc_hex_encode(h, data, 4, 0));
    return 0;
}

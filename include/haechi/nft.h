/* nft.h — bindings for Haechi's ERC-721 contract (contracts/HaechiNFT.sol):
 * calldata for its functions, decoding of its events and custom errors, and
 * the creation bytecode committed in contracts/build/.
 *
 * Token id = uint256(SHA-256 of the content). Everything here is pure
 * encoding; the calls go through rpc.h.
 */
#ifndef HAECHI_NFT_H
#define HAECHI_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/rpc.h"
#include "haechi/util.h"

/* Event signatures (topic 0 = keccak256 of these). Minted indexes only the
 * token id; its data is (address creator, bytes32 metadataHash). */
#define HC_NFT_EV_MINTED   "Minted(uint256,address,bytes32)"
#define HC_NFT_EV_SKIPPED  "MintSkipped(uint256,address)"
#define HC_NFT_EV_TRANSFER "Transfer(address,address,uint256)"

/* One item of a mint: who gets it, what, with which royalty. */
typedef struct hc_nft_item {
    hc_address to;
    uint8_t content_hash[32];
    uint8_t metadata_hash[32];
    uint16_t royalty_bps; /* <= 10000 */
} hc_nft_item;

/* Calldata, appended to out. */
HC_WUR hc_err hc_nft_mint_calldata(hc_buf *out, const hc_nft_item *item);
HC_WUR hc_err hc_nft_mint_batch_calldata(hc_buf *out, const hc_nft_item *items,
                                         size_t n);
/* A call with one uint256 argument: "ownerOf", "creatorOf", "exists",
 * "retired", "tokenURI", "burn". */
HC_WUR hc_err hc_nft_token_calldata(hc_buf *out, const char *function,
                                    const uint8_t token_id[32]);
/* Creation code + encoded constructor(name, symbol, baseURI, admin,
 * minter); minter may be NULL (no minter granted). */
HC_WUR hc_err hc_nft_deploy_code(hc_buf *out, const char *name,
                                 const char *symbol, const char *base_uri,
                                 const hc_address *admin,
                                 const hc_address *minter);

/* The committed creation bytecode (hex, no 0x) and its length in bytes. */
const char *hc_nft_bytecode_hex(void);

/* Decoded contract events. */
typedef enum hc_nft_event_kind {
    HC_NFT_EVENT_OTHER = 0,
    HC_NFT_EVENT_MINTED,  /* token_id, creator, metadata_hash */
    HC_NFT_EVENT_SKIPPED, /* token_id, owner (zero if retired) */
    HC_NFT_EVENT_TRANSFER /* from, to, token_id */
} hc_nft_event_kind;

typedef struct hc_nft_event {
    hc_nft_event_kind kind;
    uint8_t token_id[32];
    hc_address creator; /* MINTED */
    uint8_t metadata_hash[32];
    hc_address owner;    /* SKIPPED */
    hc_address from, to; /* TRANSFER */
} hc_nft_event;

/* Decodes a log (HC_NFT_EVENT_OTHER for logs of other kinds; HC_ERR_ABI for
 * a malformed log of a known kind). */
HC_WUR hc_err hc_nft_decode_event(const hc_log *log, hc_nft_event *ev);

/* Names a revert: the contract's custom errors, Error(string), Panic(uint256)
 * and the ERC-721 / AccessControl / Pausable errors, with arguments, e.g.
 * "AlreadyMinted(0x…)". Writes "" and returns 0 for empty data, and
 * "unknown error 0x12345678" for an unknown selector. Returns 1 if known. */
int hc_nft_revert_name(char *out, size_t cap, const uint8_t *data, size_t len);

/* The 4-byte selector of a known custom error by name (e.g.
 * "AlreadyMinted"); HC_ERR_NOT_FOUND otherwise. */
HC_WUR hc_err hc_nft_error_selector(uint8_t out[4], const char *name);

#endif

/* tx.h — Ethereum transactions: legacy (with or without EIP-155), EIP-2930
 * (type 1) and EIP-1559 (type 2), with access lists.
 *
 * An hc_tx owns its calldata and access list: set them with hc_tx_set_data
 * and hc_tx_access_add, release everything with hc_tx_free. hc_tx_init gives
 * an empty EIP-1559 transaction (all fields zero, contract creation).
 *
 * Building: fill the fields, hc_tx_sign, then hc_tx_serialize / hc_tx_hash.
 * Reading: hc_tx_decode a raw transaction, then hc_tx_sender.
 */
#ifndef HAECHI_TX_H
#define HAECHI_TX_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/u256.h"
#include "haechi/util.h"

#define HC_TX_LEGACY  0
#define HC_TX_EIP2930 1
#define HC_TX_EIP1559 2

/* Largest raw transaction the decoder accepts and the encoder produces. */
#define HC_TX_MAX_SIZE (4u << 20)
/* EIP-2681: a nonce must be below 2^64 - 1. */
#define HC_TX_NONCE_MAX (UINT64_MAX - 1)

typedef struct hc_access_entry {
    hc_address address;
    uint8_t (*keys)[32]; /* owned */
    size_t nkeys;
} hc_access_entry;

typedef struct hc_tx {
    uint8_t type; /* HC_TX_LEGACY, HC_TX_EIP2930, HC_TX_EIP1559 */
    int eip155;   /* legacy only: 1 if replay-protected (chain id in v) */
    hc_u256 chain_id;
    uint64_t nonce;                   /* must be <= HC_TX_NONCE_MAX */
    hc_u256 gas_price;                /* legacy and type 1 */
    hc_u256 max_priority_fee_per_gas; /* type 2 */
    hc_u256 max_fee_per_gas;          /* type 2 */
    uint64_t gas_limit;
    int has_to; /* 0: contract creation */
    hc_address to;
    hc_u256 value;
    uint8_t *data; /* owned calldata / init code */
    size_t data_len;
    hc_access_entry *access_list; /* owned; type 1 and 2 */
    size_t access_len;
    /* signature */
    int is_signed;
    uint8_t y_parity; /* recovery id, 0 or 1 */
    hc_u256 v;        /* legacy: v as on the wire; typed: = y_parity */
    uint8_t r[32];
    uint8_t s[32];
} hc_tx;

void hc_tx_init(hc_tx *tx);
void hc_tx_free(hc_tx *tx);

/* Copies len bytes of calldata into the transaction. */
HC_WUR hc_err hc_tx_set_data(hc_tx *tx, const uint8_t *data, size_t len);
/* Appends an access-list entry with nkeys storage keys (copied). */
HC_WUR hc_err hc_tx_access_add(hc_tx *tx, const hc_address *addr,
                               const uint8_t (*keys)[32], size_t nkeys);

/* Checks the fields for encoding: type known, nonce <= HC_TX_NONCE_MAX,
 * no access list on a legacy transaction, fee product within 256 bits,
 * EIP-155 chain id small enough for v. HC_ERR_TX_* on failure. */
HC_WUR hc_err hc_tx_check(const hc_tx *tx);

/* The digest that is signed (keccak256 of the signing payload). */
HC_WUR hc_err hc_tx_signing_hash(uint8_t out[32], const hc_tx *tx);

/* Signs with sk and stores v, r, s. The transaction must pass hc_tx_check. */
HC_WUR hc_err hc_tx_sign(hc_tx *tx, const uint8_t sk[32]);

/* Appends the signed transaction as broadcast by eth_sendRawTransaction
 * (typed: type byte ‖ RLP; legacy: RLP) to out. */
HC_WUR hc_err hc_tx_serialize(hc_buf *out, const hc_tx *tx);

/* keccak256 of the serialized signed transaction. */
HC_WUR hc_err hc_tx_hash(uint8_t out[32], const hc_tx *tx);

/* Decodes a raw signed transaction strictly: canonical RLP, minimal
 * integers, exact field counts, 20-byte addresses, 32-byte storage keys,
 * r and s in [1, n-1] with s <= n/2, legacy v of 27/28 or >= 37
 * (EIP-155, chain id >= 1), typed y-parity 0/1, nonce <= 2^64-2,
 * gas limit < 2^64, values < 2^256, gas_limit * fee < 2^256. The result
 * must be released with hc_tx_free (also on error). On failure, *field
 * (if field is not NULL) names the offending field ("nonce", "r", …) or
 * "rlp" / "type" for the envelope. */
HC_WUR hc_err hc_tx_decode(hc_tx *tx, const char **field, const uint8_t *raw,
                           size_t len);

/* Recovers the sender of a signed transaction. */
HC_WUR hc_err hc_tx_sender(hc_address *out, const hc_tx *tx);

/* Intrinsic gas under the Shanghai/Cancun rules: 21000 (+32000 for a
 * creation), 4 per zero and 16 per non-zero calldata byte, 2 per 32-byte word
 * of init code (EIP-3860), 2400 per access-list address and 1900 per key. */
uint64_t hc_tx_intrinsic_gas(const hc_tx *tx);

/* Checks the chain-independent validity rules a node applies before
 * execution (Cancun): gas_limit >= intrinsic gas, init code <= 49152 bytes
 * (EIP-3860), max_priority_fee_per_gas <= max_fee_per_gas. HC_ERR_TX_GAS or
 * HC_ERR_TX_FIELD. */
HC_WUR hc_err hc_tx_validate(const hc_tx *tx);

#endif

/* txjson.h — transactions to and from JSON, for offline signing (sign-tx)
 * and inspection (decode-tx).
 *
 * Input fields, in snake_case or JSON-RPC camelCase:
 *   type (0, 1, 2; default 2), chain_id|chainId, nonce, gas_limit|gas|gasLimit,
 *   gas_price|gasPrice (types 0, 1), max_fee_per_gas|maxFeePerGas and
 *   max_priority_fee_per_gas|maxPriorityFeePerGas (type 2),
 *   access_list|accessList (types 1, 2: [{address, storage_keys|storageKeys}]),
 *   to (absent or null: contract creation), value, data|input (0x-hex),
 *   from (optional; when present the signer must have this address).
 * Integers are decimal strings, 0x-hex strings or JSON numbers below 2^53.
 * Required: chain_id, nonce, gas_limit and the fee fields of the type.
 * Unknown fields, a field given twice (under either name), fields that do
 * not belong to the type, nonce >= 2^64-1, values >= 2^256 and malformed
 * addresses are errors that name the field.
 */
#ifndef HAECHI_TXJSON_H
#define HAECHI_TXJSON_H

#include <stddef.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/tx.h"

/* Parses json (len bytes) into tx (initialised here; free with hc_tx_free
 * even on error). If the object has "from", *has_from is set and *from
 * receives it. On error, why (why_cap bytes) receives a message naming the
 * field. */
HC_WUR hc_err hc_tx_from_json(hc_tx *tx, hc_address *from, int *has_from,
                              const char *json, size_t len, char *why,
                              size_t why_cap);

/* Renders a (signed) transaction as a JSON object: its fields (integers as
 * decimal strings, bytes as 0x-hex), v, r, s, y_parity, and, when given,
 * "hash" and "from" (EIP-55). Returns a malloc'ed NUL-terminated string the
 * caller frees, or NULL when out of memory. */
char *hc_tx_to_json(const hc_tx *tx, const uint8_t hash[32],
                    const hc_address *from, int pretty);

#endif

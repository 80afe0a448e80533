/* send.h — build, sign, send a transaction and wait for its receipt: the
 * simple path used by the CLI (deploy, direct mint). The service's pipeline
 * does the same with a durable nonce counter and replacement.
 */
#ifndef HAECHI_SEND_H
#define HAECHI_SEND_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/rpc.h"
#include "haechi/u256.h"

typedef struct hc_send_opts {
    uint64_t gas_limit; /* 0: eth_estimateGas + 20 % */
    int legacy;         /* EIP-155 legacy transaction (eth_gasPrice) */
    long wait_ms;       /* how long to wait for the receipt; 0 = 120 s */
    long poll_ms;       /* receipt polling interval; 0 = 250 ms */
} hc_send_opts;

/* Sends data to `to` (NULL: contract creation) with value (NULL: 0) from the
 * key's address: chain id, pending nonce and fees (base fee × 2 + priority
 * fee) from the node, signs, broadcasts, and polls for the receipt, which
 * *rcpt receives (free with hc_receipt_free). hash receives the tx hash as
 * soon as it is known; *sent is set once the node took the transaction, so
 * a caller can tell "never sent" from "sent, receipt not seen" (then the
 * hash is worth printing: the transaction may still be mined). Transient
 * RPC failures while waiting are retried until the deadline.
 * A reverting estimate is HC_ERR_RPC with st->cls HC_RPC_REVERTED and the
 * revert data in st. */
HC_WUR hc_err hc_send_tx(hc_rpc *c, const uint8_t sk[32], const hc_address *to,
                         const uint8_t *data, size_t len, const hc_u256 *value,
                         const hc_send_opts *opts, uint8_t hash[32], int *sent,
                         hc_receipt *rcpt, hc_rpc_status *st);

#endif

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "haechi/send.h"
#include "haechi/tx.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static hc_err gas_price(hc_rpc *c, hc_u256 *out, hc_rpc_status *st)
{
    cJSON *params = cJSON_CreateArray(), *res = NULL;
    if (!params)
        return HC_ERR_NOMEM;
    hc_err err = hc_rpc_request(c, "eth_gasPrice", params, &res, st);
    cJSON_Delete(params);
    if (!err && hc_rpc_quantity(res, out))
        err = HC_ERR_RPC_MALFORMED;
    cJSON_Delete(res);
    return err;
}

hc_err hc_send_tx(hc_rpc *c, const uint8_t sk[32], const hc_address *to,
                  const uint8_t *data, size_t len, const hc_u256 *value,
                  const hc_send_opts *opts, uint8_t hash[32], int *sent,
                  hc_receipt *rcpt, hc_rpc_status *st)
{
    hc_send_opts def = {0};
    hc_address from;
    uint64_t chain_id, nonce;
    hc_tx tx;
    hc_buf raw;
    hc_err err;
    if (!opts)
        opts = &def;
    long wait = opts->wait_ms ? opts->wait_ms : 120000;
    long poll = opts->poll_ms ? opts->poll_ms : 250;
    memset(rcpt, 0, sizeof *rcpt);
    if (sent)
        *sent = 0;
    hc_tx_init(&tx);
    hc_buf_init(&raw, HC_TX_MAX_SIZE + 1024, 0);

    if ((err = hc_key_address(&from, sk)) ||
        (err = hc_rpc_chain_id(c, &chain_id, st)) ||
        (err = hc_rpc_get_transaction_count(c, &from, "pending", &nonce, st)))
        goto out;
    tx.chain_id = hc_u256_from_u64(chain_id);
    tx.nonce = nonce;
    tx.has_to = to != NULL;
    if (to)
        tx.to = *to;
    if (value)
        tx.value = *value;
    if ((err = hc_tx_set_data(&tx, data, len)))
        goto out;
    if (opts->legacy) {
        tx.type = HC_TX_LEGACY;
        tx.eip155 = 1;
        if ((err = gas_price(c, &tx.gas_price, st)))
            goto out;
    } else {
        hc_block b;
        hc_u256 prio, two = hc_u256_from_u64(2);
        if ((err = hc_rpc_get_block(c, "latest", &b, st)))
            goto out;
        if (!b.has_base_fee) { /* a chain without EIP-1559 */
            tx.type = HC_TX_LEGACY;
            tx.eip155 = 1;
            if ((err = gas_price(c, &tx.gas_price, st)))
                goto out;
        } else {
            err = hc_rpc_max_priority_fee(c, &prio, st);
            if (err == HC_ERR_RPC && st && st->cls == HC_RPC_METHOD_NOT_FOUND) {
                prio = hc_u256_from_u64(1000000000); /* 1 gwei */
                err = HC_OK;
            }
            if (err)
                goto out;
            tx.max_priority_fee_per_gas = prio;
            if ((err = hc_u256_mul(&tx.max_fee_per_gas, &b.base_fee, &two)) ||
                (err = hc_u256_add(&tx.max_fee_per_gas, &tx.max_fee_per_gas,
                                   &prio)))
                goto out;
        }
    }
    if (opts->gas_limit) {
        tx.gas_limit = opts->gas_limit;
    } else {
        uint64_t est;
        if ((err =
                 hc_rpc_estimate_gas(c, &from, to, data, len, value, &est, st)))
            goto out;
        /* a 20 % margin, saturating (a node could answer anything) */
        tx.gas_limit = est > UINT64_MAX / 6 * 5 ? UINT64_MAX : est + est / 5;
    }
    if ((err = hc_tx_sign(&tx, sk)) || (err = hc_tx_serialize(&raw, &tx)) ||
        (err = hc_tx_hash(hash, &tx)))
        goto out;
    uint8_t node_hash[32];
    err = hc_rpc_send_raw_transaction(c, raw.data, raw.len, node_hash, st);
    if (err == HC_ERR_RPC && st && st->cls == HC_RPC_ALREADY_KNOWN)
        err = HC_OK;
    if (err)
        goto out;
    if (sent)
        *sent = 1;
    /* The transaction is out: keep asking for its receipt until the
     * deadline, through transient failures, so that a caller never sends it
     * twice because one poll failed. */
    long deadline = now_ms() + wait;
    for (;;) {
        err = hc_rpc_get_receipt(c, hash, rcpt, st);
        int transient =
            err == HC_ERR_NOT_FOUND || err == HC_ERR_RPC_UNREACHABLE ||
            err == HC_ERR_RPC_TIMEOUT || err == HC_ERR_RPC_HTTP ||
            (err == HC_ERR_RPC && st && st->cls == HC_RPC_RATE_LIMITED);
        if (!transient)
            break;
        if (now_ms() >= deadline) {
            if (err == HC_ERR_NOT_FOUND)
                err = HC_ERR_RPC_TIMEOUT;
            break;
        }
        sleep_ms(poll);
    }
out:
    hc_tx_free(&tx);
    hc_buf_free(&raw);
    return err;
}

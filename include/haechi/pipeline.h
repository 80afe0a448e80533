/* pipeline.h — the minting worker: turns queued mint requests into tokens.
 *
 * One thread. Each round it:
 *  - follows every transaction in flight: a receipt deep enough (the
 *    configured confirmations) settles its batch in one ledger commit —
 *    each mint confirmed (with its token) or conflict (minted before by
 *    someone else; the owner on chain is recorded) — and a reverted batch
 *    goes back to the queue. A receipt that disappears (a reorganisation
 *    shallower than the confirmations) puts the batch back in flight: its
 *    stored transaction is broadcast again. A transaction unmined for
 *    replace_after is replaced at the same nonce with fees raised by
 *    12.5 % (nodes require 10 %), within the fee cap and the daily budget;
 *    every hash ever sent for a nonce is stored and followed, since any of
 *    them may be mined. A nonce the chain has used (at the confirmation
 *    depth) with none of our transactions releases its mints to the queue.
 *  - starts new batches while fewer than max_inflight are in flight: up to
 *    batch_size queued mints each (oldest first; fewer where the gas limit
 *    would pass 2^24 or half the latest block's), the next nonce from the
 *    durable counter, EIP-1559 fees (or legacy EIP-155 gas price), a gas
 *    limit of 30,000 + 12.5 % over a figure per mint (at least 52,000)
 *    that eth_estimateGas gives on a sample of the batch. The nonce,
 *    the signed transactions and the mints' new state (submitted) are
 *    stored in ONE ledger commit before anything is broadcast.
 *  - at start and every nonce_check it compares the counter with the
 *    chain's transaction counts (latest, pending): a counter behind the
 *    chain moves up, one ahead of everything we have in flight moves back,
 *    and a nonce below our highest transaction that nothing of ours fills
 *    is filled with a 0-value self-transfer, so the signer is never stuck
 *    behind a gap. Only the transaction at the chain's next nonce is
 *    replaced when stuck: those above it wait for it, whatever their fees.
 * The queue holds (nothing fails) while the contract is paused, the signer
 * lacks the minter role, the chain's fees are above the cap, the day's
 * budget is spent or the signer cannot pay: the gauge
 * haechi_pipeline_hold{reason=…} is 1 and a log line says why; it resumes
 * by itself when the cause goes away.
 * On start it waits for the node (checking its chain id against chain_id)
 * and resumes everything in flight from the ledger (every hash of
 * every submitted batch, and filler transactions) and broadcasts it again.
 */
#ifndef HAECHI_PIPELINE_H
#define HAECHI_PIPELINE_H

#include <stdint.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/ledger.h"
#include "haechi/metrics.h"
#include "haechi/rpc.h"
#include "haechi/u256.h"

typedef struct hc_pipeline hc_pipeline;

typedef struct hc_pipeline_opts {
    hc_address contract;
    uint64_t chain_id;         /* must match the node's; 0 = the node's */
    unsigned batch_size;       /* mints per transaction; 0 = 50 */
    unsigned wait_ms;          /* pause between idle rounds; 0 = 200 */
    unsigned confirmations;    /* 0 = 1 */
    unsigned max_inflight;     /* batches in flight; 0 = 4 */
    int legacy;                /* EIP-155 legacy transactions */
    hc_u256 max_fee;           /* cap per gas, wei; zero = none */
    hc_u256 daily_budget;      /* fees per UTC day, wei; zero = none */
    unsigned replace_after_ms; /* 0 = 60 s */
    unsigned nonce_check_ms;   /* 0 = 30 s */
    /* Transfer events of the contract are followed so that owners in the
     * ledger stay true (see follow.h); 0 = on. */
    int no_follow;
    /* A second handle on the same node (optional, borrowed): broadcasts
     * then go through a thread of their own, and the worker goes on with
     * the ledger while the node takes them. */
    hc_rpc *send_rpc;
} hc_pipeline_opts;

/* Starts the worker thread. sk (the signer's key, which must hold the
 * minter role) is copied into locked memory and wiped on stop. rpc is used
 * by the worker alone. */
HC_WUR hc_err hc_pipeline_start(hc_pipeline **out, hc_ledger *l, hc_rpc *rpc,
                                hc_metrics *m, const uint8_t sk[32],
                                const hc_pipeline_opts *opts);
/* Stops after the current round (nothing is lost: state is in the ledger). */
void hc_pipeline_stop(hc_pipeline *p);
/* The chain head the worker last read (0 before the first); any thread.
 * Takes void * to serve as hc_api_set_chain_head's source. */
uint64_t hc_pipeline_head(void *p);

#endif

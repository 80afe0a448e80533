/* pipeline.h — the minting worker: turns queued mint requests into tokens.
 *
 * This first version keeps one batch in flight at a time: it takes up to
 * batch_size queued mints (oldest first), assigns the next nonce from its
 * durable counter, signs a mintBatch transaction and, in ONE ledger commit,
 * stores the nonce, the signed transaction and the mints' new state
 * (submitted) — before broadcasting it. It then follows the receipt until
 * the configured confirmations and, in one commit, marks each mint
 * confirmed (with its token) or conflict (minted before by someone else,
 * with the owner on chain), or puts the batch back in the queue when the
 * contract is paused. On start it resumes a submitted batch from the
 * ledger, re-broadcasting its stored transaction.
 *
 * Not yet: fee bumping and replacement of a stuck transaction, nonce-gap
 * repair, reorg handling, daily budgets, several batches in flight.
 */
#ifndef HAECHI_PIPELINE_H
#define HAECHI_PIPELINE_H

#include <stdint.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/ledger.h"
#include "haechi/metrics.h"
#include "haechi/rpc.h"

typedef struct hc_pipeline hc_pipeline;

typedef struct hc_pipeline_opts {
    hc_address contract;
    uint64_t chain_id;      /* must match the node's */
    unsigned batch_size;    /* mints per transaction; 0 = 50 */
    unsigned wait_ms;       /* pause between rounds; 0 = 200 */
    unsigned confirmations; /* 0 = 1 */
    int legacy;             /* EIP-155 legacy transactions */
} hc_pipeline_opts;

/* Starts the worker thread. sk (the signer's key, which must hold the
 * minter role) is copied into locked memory and wiped on stop. */
HC_WUR hc_err hc_pipeline_start(hc_pipeline **out, hc_ledger *l, hc_rpc *rpc,
                                hc_metrics *m, const uint8_t sk[32],
                                const hc_pipeline_opts *opts);
/* Stops after the current round (nothing is lost: state is in the ledger). */
void hc_pipeline_stop(hc_pipeline *p);

#endif

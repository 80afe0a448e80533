/* The minting worker (see pipeline.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "haechi/codec.h"
#include "haechi/follow.h"
#include "haechi/hex.h"
#include "haechi/log.h"
#include "haechi/nft.h"
#include "haechi/pipeline.h"
#include "haechi/records.h"
#include "haechi/tx.h"

#define MAX_BATCH      500
#define MAX_FLIGHTS    128 /* batches + fillers in flight */
#define MAX_HASHES     24  /* transactions per nonce (replacements) */
#define REBROADCAST_MS 5000
/* the first idle pause with transactions in flight; doubled up to wait_ms */
#define PAUSE_MIN_MS 5
/* a transaction this long without a receipt (or replace_after, if shorter)
 * has the chain's transaction count looked at */
#define STALE_MS 1000
/* A mined transaction not deep enough is looked at again at least this
 * often, however slowly blocks come (see recheck_at) */
#define RECHECK_MAX_MS 30000
/* receipts asked for per round of transactions just sent, lowest nonces
 * first (the others are asked for once these are mined): one more than
 * the last round found, at least RECEIPTS_AHEAD_MIN; doubled, up to
 * RECEIPTS_AHEAD_MAX, and asked again at once, when it found them all */
#define RECEIPTS_AHEAD_MIN 2
#define RECEIPTS_AHEAD_MAX 64
#define FEE_CACHE_MS       2000
/* receipts that come within SETTLE_WAIT_MS of the first are settled in one
 * commit, up to SETTLE_MAX transactions (see settle_due) */
#define SETTLE_WAIT_MS 30
#define SETTLE_MAX     16
#define FILLER_GAS     21000
/* a nonce seen taken (used, no receipt of ours) is released only if it
 * still is in a round at least this much later: the count and the receipts
 * may come from nodes that disagree for a moment (a load balancer in front
 * of several; a node that answers null for a receipt just mined) */
#define TAKEN_WAIT_MS 5000
/* gas per mint a batch's limit is built from, at least: a mint to an
 * address that holds no token yet (its token's word and its balance both
 * written from zero, two logs, four calldata words: about 50,300 gas, see
 * contracts/README.md); a repeat owner costs 22,100 less */
#define MINT_GAS_NEW_OWNER 52000
/* mints of a batch an estimate is made on (the figure per mint is what
 * the limit is built from; executing all of a large batch would cost the
 * node as much as the transaction) */
#define EST_SAMPLE 4
/* an estimate above this is not believed (and would overflow the limits
 * built from it) */
#define EST_MAX ((uint64_t)1 << 40)
/* the gas limit of one transaction on chains with EIP-7825 */
#define TX_GAS_MAX (1u << 24)

typedef struct flight {
    uint64_t nonce;
    size_t n;           /* mints; 0 for a filler (gap) transaction */
    uint8_t (*ids)[16]; /* owned */
    uint8_t hashes[MAX_HASHES][32];
    size_t nhashes;   /* hashes[nhashes - 1] is the latest */
    uint64_t gas;     /* gas limit of the latest */
    hc_u256 max_fee;  /* of the latest (legacy: the gas price) */
    uint64_t sent_ms; /* when the latest was signed */
    uint64_t bcast_ms;
    int attempted;  /* a broadcast came back (whatever its answer) */
    int mined;      /* a receipt was seen (not yet deep enough) */
    int ready;      /* deep enough: in p->ready, to be settled */
    uint64_t block; /* its block */
    /* mined: its receipts are asked for again once the head reaches this
     * (its depth doubled, or the confirmations: see recheck_at), or
     * RECHECK_MAX_MS after check_ms, or when the head goes back */
    uint64_t check_at, check_ms;
    /* the head when it was built: it is in no block at or below (0 when
     * resumed: not known) */
    uint64_t sent_head;
    int capped;         /* could not be replaced: the fee cap, or MAX_HASHES */
    uint64_t taken_at;  /* head when the chain was first seen past nonce */
    uint64_t taken_ms;  /* and when */
    hc_address signer;  /* of another key's flight (p->ofl) */
    size_t rq_at, rq_n; /* this round's receipts: rq_n from rq_at */
    int rq_fresh;       /* asked for this round as one just sent */
} flight;

enum hold_reason {
    HOLD_PAUSED,
    HOLD_NOT_MINTER,
    HOLD_FEE_CAP,
    HOLD_BUDGET,
    HOLD_FUNDS,
    HOLD_REJECTED, /* the estimate failed for another reason */
    HOLD_LEDGER,   /* a write to the ledger failed (a full disk, I/O) */
    HOLD_END
};
static const char *const hold_names[HOLD_END] = {
    "paused", "not_minter", "fee_cap", "budget", "funds", "rejected", "ledger"};

struct fees {
    int legacy;
    hc_u256 max_fee; /* legacy: gas price */
    hc_u256 prio;
    hc_u256 base;
    uint64_t block_gas; /* the latest block's gas limit */
    uint64_t at_ms;
};

/* A transaction for the sender thread, then its result. */
struct bjob {
    struct bjob *next;
    uint64_t nonce;
    uint8_t hash[32]; /* the flight's latest when it was queued */
    int replacement;
    hc_err err;
    hc_rpc_status st;
    size_t len;
    uint8_t raw[];
};

struct hc_pipeline {
    hc_ledger *l;
    hc_rpc *rpc;
    hc_rpc *srpc; /* the sender thread's; NULL: sends are synchronous */
    pthread_t sthread;
    pthread_cond_t scv; /* jobs for the sender */
    struct bjob *jobs, **jobs_tail, *results;
    int wake; /* a result came: the worker looks now */
    hc_metrics *m;
    uint8_t *sk; /* sodium_malloc'ed, locked */
    hc_address signer;
    hc_pipeline_opts o;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;

    flight *fl[MAX_FLIGHTS]; /* sorted by nonce */
    size_t nfl;
    uint64_t next;   /* the durable nonce counter (in memory copy) */
    uint64_t head;   /* chain head this round */
    uint64_t latest; /* transaction count at head, this round */
    int have_latest;
    uint64_t check_ms; /* last nonce check */
    int check_due;
    int counter_unsaved; /* moved by a check, not stored yet */
    struct fees fee;
    int held[HOLD_END];
    uint64_t ledger_ms;    /* the last failed ledger write */
    uint64_t spent_day;    /* UTC day of spent */
    hc_u256 spent;         /* fees paid that day */
    unsigned spent_failed; /* reads of it failed since the last success */
    unsigned spent_bad;    /* malformed records read since a good one */
    uint64_t est_per_mint; /* gas per mint of the last estimate */
    unsigned estimate_in;  /* batches before the next estimate */
    int estimate_whole;    /* the next estimate on a whole batch */
    size_t fit_logged;     /* the last batch_fit logged, 0: none */
    uint64_t follow_to;    /* Transfer events applied up to this block */
    uint64_t unreachable;  /* rounds the node has not answered */
    uint64_t follow_ms;    /* last Transfer following step */
    int chain_ok;          /* the node's chain id was checked */
    unsigned resume_tries;
    unsigned pause_ms;    /* the next idle pause while something is in flight */
    struct settle *ready; /* [MAX_FLIGHTS]: flights to be settled */
    size_t nready;
    uint64_t ready_ms; /* when the first of them was found */
    /* mints a previous signer key sent, found at start: followed (their
     * receipts need no key) but never signed for; see follow_others */
    flight *ofl[MAX_FLIGHTS];
    size_t nofl;
    uint64_t ofl_ms;            /* when follow_others last looked */
    _Atomic uint64_t head_seen; /* head, for other threads */
    uint64_t rq_head;           /* the head when receipts were last asked for */
    uint64_t rq_ms;             /* and when */
    size_t rq_ahead; /* receipts of those just sent to ask for per round */
    int rq_more;     /* the last round found all it asked: ask again now */
};

/* The chain head is h: for the worker, and for other threads
 * (hc_pipeline_head). */
static void head_is(hc_pipeline *p, uint64_t h)
{
    p->head = h;
    atomic_store(&p->head_seen, h);
}

static uint64_t clock_ms(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static pthread_once_t steady_once = PTHREAD_ONCE_INIT;
static uint64_t steady_base;

static void steady_init(void)
{
    steady_base = clock_ms(CLOCK_REALTIME) - clock_ms(CLOCK_MONOTONIC);
}

/* Milliseconds on a clock that never steps: the wall clock as it read when
 * the first pipeline of the process started, advanced by CLOCK_MONOTONIC
 * since. Every interval (replace_after, re-broadcasts, holds, pauses) is
 * timed on it, so setting the wall clock (an administrator, NTP) neither
 * freezes nor hurries them; the sent_ms it stamps on stored transactions
 * read as wall-clock times in the next run. */
static uint64_t now_ms(void)
{
    pthread_once(&steady_once, steady_init);
    return steady_base + clock_ms(CLOCK_MONOTONIC);
}

static void observe(hc_pipeline *p, const char *method, const hc_rpc_status *st)
{
    char labels[64];
    snprintf(labels, sizeof labels, "method=\"%s\"", method);
    hc_metrics_observe(p->m, "haechi_chain_rpc_seconds", labels,
                       st->elapsed_ms / 1000.0);
    if (st->cls != HC_RPC_OK)
        hc_metrics_add(p->m, "haechi_chain_rpc_errors_total", labels, 1);
}

static void log_err(const char *event, hc_err err, const hc_rpc_status *st)
{
    hc_logline l;
    hc_log_begin(&l, HC_LOG_WARN, event);
    hc_log_str(&l, "error", hc_strerror(err));
    if (st && err == HC_ERR_RPC) {
        char name[160] = "";
        hc_log_str(&l, "class", hc_rpc_class_name(st->cls));
        hc_log_str(&l, "message", st->message);
        if (st->revert_len &&
            hc_nft_revert_name(name, sizeof name, st->revert, st->revert_len))
            hc_log_str(&l, "revert", name);
    }
    hc_log_end(&l);
}

static void hold(hc_pipeline *p, enum hold_reason r, const char *detail)
{
    if (p->held[r])
        return;
    p->held[r] = 1;
    char labels[48];
    snprintf(labels, sizeof labels, "reason=\"%s\"", hold_names[r]);
    hc_metrics_set(p->m, "haechi_pipeline_hold", labels, 1);
    hc_logline l;
    hc_log_begin(&l, HC_LOG_ERROR, "queue_held");
    hc_log_str(&l, "reason", hold_names[r]);
    if (detail)
        hc_log_str(&l, "detail", detail);
    hc_log_end(&l);
}

static void unhold(hc_pipeline *p, enum hold_reason r);

/* After each ledger write of the pipeline: a failure holds the queue
 * (reason "ledger") until a write succeeds. Returns 1 if the failure is to
 * be logged: the first of an outage, not one per round (a full disk would
 * otherwise get a few log lines a second). */
static int ledger_result(hc_pipeline *p, hc_err err)
{
    if (!err) {
        unhold(p, HOLD_LEDGER);
        return 0;
    }
    p->ledger_ms = now_ms();
    if (p->held[HOLD_LEDGER])
        return 0;
    hold(p, HOLD_LEDGER, hc_strerror(err));
    return 1;
}

static void unhold(hc_pipeline *p, enum hold_reason r)
{
    if (!p->held[r])
        return;
    p->held[r] = 0;
    char labels[48];
    snprintf(labels, sizeof labels, "reason=\"%s\"", hold_names[r]);
    hc_metrics_set(p->m, "haechi_pipeline_hold", labels, 0);
    hc_logline l;
    hc_log_begin(&l, HC_LOG_INFO, "queue_resumed");
    hc_log_str(&l, "reason", hold_names[r]);
    hc_log_end(&l);
}

static void flight_free(flight *f)
{
    if (f) {
        free(f->ids);
        free(f);
    }
}

static void flight_add(hc_pipeline *p, flight *f)
{
    size_t i = p->nfl;
    while (i > 0 && p->fl[i - 1]->nonce > f->nonce) {
        p->fl[i] = p->fl[i - 1];
        i--;
    }
    p->fl[i] = f;
    p->nfl++;
    hc_metrics_set(p->m, "haechi_pipeline_inflight", NULL, (double)p->nfl);
}

static void flight_remove(hc_pipeline *p, size_t i)
{
    flight_free(p->fl[i]);
    memmove(&p->fl[i], &p->fl[i + 1], (p->nfl - i - 1) * sizeof p->fl[0]);
    p->nfl--;
    hc_metrics_set(p->m, "haechi_pipeline_inflight", NULL, (double)p->nfl);
}

static flight *flight_at(hc_pipeline *p, uint64_t nonce)
{
    for (size_t i = 0; i < p->nfl; i++)
        if (p->fl[i]->nonce == nonce)
            return p->fl[i];
    return NULL;
}

/* x += x / 8 + 1: a replacement's raise (nodes require 10 %) */
static void bump(hc_u256 *x)
{
    hc_u256 eighth, one = hc_u256_from_u64(1);
    uint64_t rem;
    if (!hc_u256_divmod_u64(&eighth, &rem, x, 8) &&
        !hc_u256_add(&eighth, &eighth, &one))
        (void)!hc_u256_add(x, x, &eighth);
}

static const hc_u256 *u256_max(const hc_u256 *a, const hc_u256 *b)
{
    return hc_u256_cmp(a, b) >= 0 ? a : b;
}

/* ---- budget */

/* The budget's day follows the wall clock, stepped or not. */
static uint64_t utc_day(void)
{
    return clock_ms(CLOCK_REALTIME) / 86400000u;
}

static void spent_key(uint8_t key[31], const hc_address *signer, uint64_t day)
{
    memcpy(key, "spent", 5);
    memcpy(key + 5, signer->b, 20);
    for (int i = 0; i < 6; i++)
        key[25 + i] = (uint8_t)(day >> (8 * (5 - i)));
}

/* The day's spending from its stored record, read with err (absent:
 * nothing yet). A record that is not a 32-byte number counts as the whole
 * daily budget spent: the queue holds until the next UTC day rather than
 * spend without knowing how much has gone. Other read errors are
 * returned. */
static hc_err spent_parse(hc_pipeline *p, hc_err err, const uint8_t *v,
                          size_t len, hc_u256 *out)
{
    *out = hc_u256_from_u64(0);
    if (err == HC_ERR_NOT_FOUND || (!err && len == 32)) {
        p->spent_bad = 0;
        return err ? HC_OK : hc_u256_from_be(out, v, 32);
    }
    if (err && err != HC_ERR_CORRUPT && err != HC_ERR_BUFFER)
        return err;
    if (!p->spent_bad++) /* once until a record reads */
        log_err("spent_unreadable", HC_ERR_CORRUPT, NULL);
    *out = p->o.daily_budget;
    return HC_OK;
}

/* Reads the fees paid on the current UTC day into p->spent, if the day is
 * not the one read last. A failed read is logged and tried again at the
 * next call; the spending is then unknown. */
static hc_err spent_load(hc_pipeline *p)
{
    uint64_t day = utc_day();
    if (day == p->spent_day)
        return HC_OK;
    uint8_t key[31];
    hc_buf b;
    hc_u256 v;
    spent_key(key, &p->signer, day);
    hc_buf_init(&b, 64, 0);
    hc_err err = hc_ledger_get(p->l, HC_LDB_KV, key, sizeof key, &b);
    err = spent_parse(p, err, b.data, b.len, &v);
    hc_buf_free(&b);
    if (err) {
        if (!p->spent_failed++) /* once until a read succeeds */
            log_err("spent_read_failed", err, NULL);
        return err;
    }
    p->spent_failed = 0;
    p->spent_day = day;
    p->spent = v;
    unhold(p, HOLD_BUDGET); /* a new day */
    return HC_OK;
}

/* Inside a write: adds fee to the day's spending as stored (not as p->spent
 * has it: that may be a day old or unread); *total: the new sum, *day: its
 * day. */
static hc_err spent_add(hc_ltx *tx, hc_pipeline *p, const hc_u256 *fee,
                        hc_u256 *total, uint64_t *day)
{
    uint8_t key[31], v[32];
    const uint8_t *body = NULL;
    size_t len = 0;
    *day = utc_day();
    spent_key(key, &p->signer, *day);
    hc_err err = hc_ltx_get(tx, HC_LDB_KV, key, sizeof key, &body, &len);
    err = spent_parse(p, err, body, len, total);
    if (!err)
        err = hc_u256_add(total, total, fee);
    if (err)
        return err;
    hc_u256_to_be(v, total);
    return hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, key, sizeof key, v, 32);
}

/* Worst case of everything in flight plus extra: within the budget? Not
 * while the day's spending cannot be read. */
static int within_budget(hc_pipeline *p, const hc_u256 *extra)
{
    if (hc_u256_is_zero(&p->o.daily_budget))
        return 1;
    if (spent_load(p)) { /* held, saying why (the caller's hold is a no-op) */
        hold(p, HOLD_BUDGET,
             "the day's spending cannot be read from the ledger");
        return 0;
    }
    hc_u256 sum = p->spent, c, g;
    for (size_t i = 0; i < p->nfl; i++) {
        g = hc_u256_from_u64(p->fl[i]->gas);
        if (hc_u256_mul(&c, &g, &p->fl[i]->max_fee) ||
            hc_u256_add(&sum, &sum, &c))
            return 0;
    }
    if (hc_u256_add(&sum, &sum, extra))
        return 0;
    return hc_u256_cmp(&sum, &p->o.daily_budget) <= 0;
}

/* ---- fees */

static hc_err suggest_fees(hc_pipeline *p, hc_rpc_status *st)
{
    uint64_t t = now_ms();
    if (p->fee.at_ms && t - p->fee.at_ms < FEE_CACHE_MS)
        return HC_OK;
    hc_block b;
    *st = (hc_rpc_status){0};
    hc_err err = hc_rpc_get_block(p->rpc, "latest", &b, st);
    observe(p, "eth_getBlockByNumber", st);
    if (err)
        return err;
    struct fees f = {0};
    if (p->o.legacy || !b.has_base_fee) {
        cJSON *params = cJSON_CreateArray(), *res = NULL;
        if (!params)
            return HC_ERR_NOMEM;
        *st = (hc_rpc_status){0};
        err = hc_rpc_request(p->rpc, "eth_gasPrice", params, &res, st);
        observe(p, "eth_gasPrice", st);
        cJSON_Delete(params);
        if (!err && hc_rpc_quantity(res, &f.max_fee))
            err = HC_ERR_RPC_MALFORMED;
        cJSON_Delete(res);
        if (err)
            return err;
        f.legacy = 1;
        f.prio = f.max_fee;
    } else {
        /* the priority fee: the node's suggestion, else the median reward
         * of the last blocks (eth_feeHistory), at least 1 wei */
        *st = (hc_rpc_status){0};
        err = hc_rpc_max_priority_fee(p->rpc, &f.prio, st);
        observe(p, "eth_maxPriorityFeePerGas", st);
        if (err == HC_ERR_RPC && st->cls == HC_RPC_METHOD_NOT_FOUND) {
            hc_fee_history *h = malloc(sizeof *h);
            if (!h)
                return HC_ERR_NOMEM;
            *st = (hc_rpc_status){0};
            err = hc_rpc_fee_history(p->rpc, 5, "latest", 50, h, st);
            observe(p, "eth_feeHistory", st);
            f.prio = hc_u256_from_u64(1);
            for (size_t i = 0; !err && i < h->n; i++)
                f.prio = *u256_max(&f.prio, &h->reward[i]);
            free(h);
            if (err == HC_ERR_RPC && st->cls == HC_RPC_METHOD_NOT_FOUND) {
                /* neither: the node's gas price, as for legacy */
                p->o.legacy = 1;
                hc_log_msg(HC_LOG_WARN, "fees_legacy",
                           "the node serves neither eth_maxPriorityFeePerGas "
                           "nor eth_feeHistory: legacy transactions");
                return suggest_fees(p, st);
            }
        }
        if (err)
            return err;
        hc_u256 two = hc_u256_from_u64(2);
        f.base = b.base_fee;
        if ((err = hc_u256_mul(&f.max_fee, &b.base_fee, &two)) ||
            (err = hc_u256_add(&f.max_fee, &f.max_fee, &f.prio)))
            return err;
    }
    f.block_gas = b.gas_limit;
    f.at_ms = t;
    p->fee = f;
    return HC_OK;
}

/* Applies the cap to a transaction's fees; 0 if it cannot be mined under
 * the cap (the chain asks for more). */
static int cap_fees(hc_pipeline *p, hc_tx *tx)
{
    const hc_u256 *cap = &p->o.max_fee;
    if (hc_u256_is_zero(cap))
        return 1;
    if (tx->type != HC_TX_EIP1559)
        return hc_u256_cmp(&tx->gas_price, cap) <= 0;
    hc_u256 need;
    if (hc_u256_add(&need, &p->fee.base, &tx->max_priority_fee_per_gas) ||
        hc_u256_cmp(&need, cap) > 0)
        return 0;
    if (hc_u256_cmp(&tx->max_fee_per_gas, cap) > 0)
        tx->max_fee_per_gas = *cap;
    return 1;
}

static void set_fees(hc_pipeline *p, hc_tx *tx)
{
    if (p->fee.legacy) {
        tx->type = HC_TX_LEGACY;
        tx->eip155 = 1;
        tx->gas_price = p->fee.max_fee;
    } else {
        tx->type = HC_TX_EIP1559;
        tx->max_fee_per_gas = p->fee.max_fee;
        tx->max_priority_fee_per_gas = p->fee.prio;
    }
}

static const hc_u256 *tx_fee_cap(const hc_tx *tx)
{
    return tx->type == HC_TX_EIP1559 ? &tx->max_fee_per_gas : &tx->gas_price;
}

/* ---- broadcasting */

/* What a broadcast came to, applied by the worker. */
static void broadcast_result(hc_pipeline *p, flight *f, int replacement,
                             hc_err err, const hc_rpc_status *st)
{
    f->attempted = 1;
    if (!err || (err == HC_ERR_RPC && st->cls == HC_RPC_ALREADY_KNOWN)) {
        unhold(p, HOLD_FUNDS);
        return;
    }
    if (err != HC_ERR_RPC) {
        log_err("broadcast_failed", err, st); /* retried */
        return;
    }
    switch (st->cls) {
    case HC_RPC_NONCE_TOO_LOW:
        /* one of our transactions for this nonce may be mined: the
         * receipts of every hash are looked at each round; the counter is
         * checked against the chain now */
        p->check_due = 1;
        break;
    case HC_RPC_NONCE_TOO_HIGH:
        p->check_due = 1; /* a gap below: filled by the nonce check */
        break;
    case HC_RPC_REPLACEMENT_UNDERPRICED:
        /* a replacement too small for this node: the next one raises
         * again; a first send: something else holds the nonce */
        if (!replacement)
            p->check_due = 1;
        break;
    case HC_RPC_INSUFFICIENT_FUNDS:
        hold(p, HOLD_FUNDS, st->message);
        break;
    case HC_RPC_FEE_TOO_LOW:
        /* replaced with the chain's fees in REBROADCAST_MS, not at once:
         * a node may keep refusing and each try raises the fees */
        p->fee.at_ms = 0;
        if (p->o.replace_after_ms > REBROADCAST_MS)
            f->sent_ms = now_ms() + REBROADCAST_MS - p->o.replace_after_ms;
        break;
    default:
        break;
    }
    log_err("broadcast_failed", err, st);
}

/* Sends a stored transaction: through the sender thread when there is one
 * (the worker goes on while the node takes it), else here. The sender's
 * queue holds at most one transaction per nonce: a new one takes the place
 * in the line of one still waiting (re-broadcasts made while the node is
 * slow to take sends would otherwise pile up every REBROADCAST_MS, and one
 * sent to the back each time could wait for ever). */
static void broadcast(hc_pipeline *p, flight *f, const uint8_t *raw, size_t len,
                      int replacement)
{
    f->bcast_ms = now_ms();
    if (p->srpc) {
        struct bjob *j = malloc(sizeof *j + len), *old = NULL;
        if (!j) {
            f->attempted = 1; /* followed, and broadcast again later */
            return;
        }
        j->nonce = f->nonce;
        memcpy(j->hash, f->hashes[f->nhashes - 1], 32);
        j->replacement = replacement;
        j->len = len;
        j->next = NULL;
        memcpy(j->raw, raw, len);
        pthread_mutex_lock(&p->mu);
        for (struct bjob **q = &p->jobs; *q; q = &(*q)->next)
            if ((*q)->nonce == j->nonce) { /* takes its place in the line */
                old = *q;
                j->next = old->next;
                *q = j;
                if (p->jobs_tail == &old->next)
                    p->jobs_tail = &j->next;
                if (!old->replacement) /* never tried: still a first send */
                    j->replacement = 0;
                break;
            }
        if (!old) {
            *p->jobs_tail = j;
            p->jobs_tail = &j->next;
        }
        pthread_cond_signal(&p->scv);
        pthread_mutex_unlock(&p->mu);
        free(old);
        return;
    }
    hc_rpc_status st = {0};
    uint8_t h[32];
    hc_err err = hc_rpc_send_raw_transaction(p->rpc, raw, len, h, &st);
    observe(p, "eth_sendRawTransaction", &st);
    broadcast_result(p, f, replacement, err, &st);
}

static flight *flight_at(hc_pipeline *p, uint64_t nonce);

/* Applies what the sender thread reported. Returns how many. */
static size_t drain_results(hc_pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    struct bjob *r = p->results;
    p->results = NULL;
    pthread_mutex_unlock(&p->mu);
    size_t n = 0;
    while (r) {
        struct bjob *next = r->next;
        flight *f = flight_at(p, r->nonce);
        /* only for the transaction the flight stands for now: an older
         * one's answer (a re-broadcast queued before a replacement) says
         * nothing about it, and "fee too low" would move its clock */
        if (f && f->nhashes && !memcmp(f->hashes[f->nhashes - 1], r->hash, 32))
            broadcast_result(p, f, r->replacement, r->err, &r->st);
        free(r);
        r = next;
        n++;
    }
    return n;
}

static void *sender(void *arg)
{
    hc_pipeline *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && !p->jobs)
            pthread_cond_wait(&p->scv, &p->mu);
        if (p->stop)
            break;
        struct bjob *j = p->jobs;
        p->jobs = j->next;
        if (!p->jobs)
            p->jobs_tail = &p->jobs;
        pthread_mutex_unlock(&p->mu);
        uint8_t h[32];
        j->st = (hc_rpc_status){0};
        j->err =
            hc_rpc_send_raw_transaction(p->srpc, j->raw, j->len, h, &j->st);
        observe(p, "eth_sendRawTransaction", &j->st);
        pthread_mutex_lock(&p->mu);
        /* results are applied in order: append */
        j->next = NULL;
        struct bjob **t = &p->results;
        while (*t)
            t = &(*t)->next;
        *t = j;
        /* the worker is woken for an error, or when the sender runs out
         * of work; results of a busy sender wait for its next round */
        if (j->err || !p->jobs || !p->jobs->next) {
            p->wake = 1;
            pthread_cond_signal(&p->cv);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static hc_err load_sent(hc_pipeline *p, const hc_address *signer,
                        uint64_t nonce, const uint8_t hash[32], hc_buf *b,
                        hc_sent_tx *s)
{
    uint8_t key[60];
    hc_sent_key(key, signer, nonce, hash);
    hc_err err = hc_ledger_get(p->l, HC_LDB_SENT, key, sizeof key, b);
    return err ? err : hc_sent_decode(s, b->data, b->len);
}

static void rebroadcast(hc_pipeline *p, flight *f)
{
    hc_buf b;
    hc_sent_tx s;
    hc_buf_init(&b, HC_TX_MAX_SIZE + (1 << 20), 0);
    if (f->nhashes && load_sent(p, &p->signer, f->nonce,
                                f->hashes[f->nhashes - 1], &b, &s) == HC_OK)
        broadcast(p, f, s.raw, s.raw_len, 1);
    hc_buf_free(&b);
}

/* ---- ledger writes */

struct signed_tx {
    flight *f;
    hc_sent_tx s;
    hc_buf raw;
};

struct submit_ctx {
    hc_pipeline *p;
    struct signed_tx *txs;
    size_t n;
    uint64_t next;    /* the counter after these */
    int update_mints; /* replacements: point mints at the new hash */
};

static hc_err submit_write(hc_ltx *tx, void *arg)
{
    struct submit_ctx *x = arg;
    hc_nonce_state ns = {0};
    ns.signer = x->p->signer;
    ns.next = x->next;
    ns.chain_latest = x->p->latest;
    ns.chain_pending = x->p->latest;
    ns.checked_ms = hc_ltx_now(tx);
    hc_err err = hc_ltx_nonce_put(tx, &ns);
    for (size_t k = 0; !err && k < x->n; k++) {
        const struct signed_tx *t = &x->txs[k];
        err = hc_ltx_sent_put(tx, &t->s, HC_J_TX_SIGNED);
        for (size_t i = 0; !err && i < t->f->n; i++) {
            hc_mint m, prev;
            err = hc_ltx_mint_get(tx, t->f->ids[i], &prev);
            if (err)
                break;
            m = prev;
            if (x->update_mints ? m.state != HC_MINT_SUBMITTED
                                : m.state != HC_MINT_QUEUED) {
                err = HC_ERR_CONFLICT; /* changed under us: next round */
                break;
            }
            m.state = HC_MINT_SUBMITTED;
            m.has_tx = 1;
            m.signer = x->p->signer;
            m.nonce = t->s.nonce;
            memcpy(m.tx_hash, t->s.hash, 32);
            m.updated_ms = hc_ltx_now(tx);
            err = hc_ltx_mint_update(tx, &prev, &m, HC_J_MINT_STATE);
        }
    }
    return err;
}

static hc_err nonce_write(hc_ltx *tx, void *arg)
{
    const hc_nonce_state *ns = arg;
    return hc_ltx_nonce_put(tx, ns);
}

static hc_err save_counter(hc_pipeline *p, uint64_t pending)
{
    hc_nonce_state ns = {0};
    ns.signer = p->signer;
    ns.next = p->next;
    ns.chain_latest = p->latest;
    ns.chain_pending = pending;
    ns.checked_ms = now_ms();
    return hc_ledger_write(p->l, nonce_write, &ns);
}

struct settle {
    flight *f;
    hc_receipt r;
    uint64_t block_time_ms;
    size_t confirmed, conflicts;
};

struct settle_ctx {
    hc_pipeline *p;
    struct settle *s;
    size_t n;
    hc_u256 spent; /* the day's total after these */
    uint64_t day;  /* of spent */
};

/* What a settled transaction cost: its gas used at the receipt's
 * effectiveGasPrice; at the latest transaction's fee cap (legacy: its gas
 * price), which is at least what was paid, from a node that leaves the
 * price out (before London). */
static hc_err tx_fee(const struct settle *x, hc_u256 *fee)
{
    hc_u256 gas = hc_u256_from_u64(x->r.gas_used);
    return hc_u256_mul(fee, &gas,
                       x->r.has_effective_gas_price ? &x->r.effective_gas_price
                                                    : &x->f->max_fee);
}

static hc_err settle_one(hc_ltx *tx, hc_pipeline *p, struct settle *x)
{
    const hc_receipt *r = &x->r;
    flight *f = x->f;
    int requeue = r->status != 1;
    /* each mint's share of the transaction's fee */
    hc_u256 fee, share;
    uint64_t rem;
    hc_err err = tx_fee(x, &fee);
    if (!err)
        err = hc_u256_divmod_u64(&share, &rem, &fee, f->n ? f->n : 1);
    /* the contract's Minted / MintSkipped events, decoded once */
    hc_nft_event *evs = calloc(r->nlogs ? r->nlogs : 1, sizeof *evs);
    size_t nev = 0;
    if (!evs)
        err = HC_ERR_NOMEM;
    for (size_t k = 0; !err && k < r->nlogs; k++) {
        hc_nft_event ev;
        if (memcmp(r->logs[k].address.b, p->o.contract.b, 20) ||
            hc_nft_decode_event(&r->logs[k], &ev))
            continue;
        if (ev.kind == HC_NFT_EVENT_MINTED || ev.kind == HC_NFT_EVENT_SKIPPED)
            evs[nev++] = ev;
    }
    for (size_t i = 0; !err && i < f->n; i++) {
        hc_mint m, prev;
        err = hc_ltx_mint_get(tx, f->ids[i], &prev);
        if (err)
            break;
        m = prev;
        if (m.state != HC_MINT_SUBMITTED || m.nonce != f->nonce)
            continue; /* already settled */
        m.updated_ms = hc_ltx_now(tx);
        if (requeue) {
            m.state = HC_MINT_QUEUED;
            m.has_tx = 0;
            err = hc_ltx_mint_update(tx, &prev, &m, HC_J_MINT_STATE);
            continue;
        }
        hc_nft_event ev = {0};
        int found = 0;
        /* events come in the batch's order: look from this mint's place */
        for (size_t j = 0; j < nev && !found; j++) {
            const hc_nft_event *e = &evs[(i + j) % nev];
            if (!memcmp(e->token_id, m.content_hash, 32)) {
                ev = *e;
                found = 1;
            }
        }
        memcpy(m.tx_hash, r->tx_hash, 32);
        m.block = r->block_number;
        m.gas_used = r->gas_used / f->n;
        m.fee_paid = share;
        if (found && ev.kind == HC_NFT_EVENT_MINTED) {
            hc_token t = {0};
            memcpy(t.id, m.content_hash, 32);
            memcpy(t.mint_id, m.id, 16);
            t.creator = m.creator;
            t.owner = m.creator;
            memcpy(t.metadata_hash, m.metadata_hash, 32);
            t.royalty_bps = m.royalty_bps;
            t.block = r->block_number;
            memcpy(t.tx_hash, r->tx_hash, 32);
            t.minted_ms = x->block_time_ms;
            m.state = HC_MINT_CONFIRMED;
            err = hc_ltx_token_put(tx, &t, HC_J_TOKEN);
            x->confirmed++;
        } else if (found) {
            m.state = HC_MINT_CONFLICT;
            m.chain_owner = ev.owner;
            snprintf(m.reason, sizeof m.reason, "%s",
                     memcmp(ev.owner.b, (uint8_t[20]){0}, 20)
                         ? "already minted on chain by someone else"
                         : "withdrawn (burned) on chain before");
            x->conflicts++;
        } else {
            m.state = HC_MINT_FAILED;
            snprintf(m.reason, sizeof m.reason,
                     "the mint transaction did not mention this token");
        }
        if (!err)
            err = hc_ltx_mint_update(tx, &prev, &m, HC_J_RECEIPT);
    }
    free(evs);
    return err;
}

static hc_err settle_write(hc_ltx *tx, void *arg)
{
    struct settle_ctx *x = arg;
    hc_err err = HC_OK;
    hc_u256 fees = hc_u256_from_u64(0);
    for (size_t i = 0; !err && i < x->n; i++) {
        hc_u256 fee;
        err = settle_one(tx, x->p, &x->s[i]);
        if (!err)
            err = tx_fee(&x->s[i], &fee);
        if (!err)
            err = hc_u256_add(&fees, &fees, &fee);
    }
    return err ? err : spent_add(tx, x->p, &fees, &x->spent, &x->day);
}

/* Puts the mints of a flight whose nonce was taken by another transaction
 * back in the queue. */
static hc_err release_write(hc_ltx *tx, void *arg)
{
    flight *f = arg;
    hc_err err = HC_OK;
    for (size_t i = 0; !err && i < f->n; i++) {
        hc_mint m, prev;
        err = hc_ltx_mint_get(tx, f->ids[i], &prev);
        if (err || prev.state != HC_MINT_SUBMITTED || prev.nonce != f->nonce)
            continue;
        m = prev;
        m.state = HC_MINT_QUEUED;
        m.has_tx = 0;
        m.updated_ms = hc_ltx_now(tx);
        err = hc_ltx_mint_update(tx, &prev, &m, HC_J_MINT_STATE);
    }
    return err;
}

/* ---- following what is in flight */

/* The chain's transaction count at a block tag. */
static hc_err tx_count(hc_pipeline *p, const char *tag, uint64_t *out)
{
    hc_rpc_status st = {0};
    hc_err err =
        hc_rpc_get_transaction_count(p->rpc, &p->signer, tag, out, &st);
    observe(p, "eth_getTransactionCount", &st);
    return err;
}

/* Reads the chain head into p->head; st says how the call went. */
static hc_err read_head(hc_pipeline *p, hc_rpc_status *st)
{
    uint64_t head;
    hc_err err = hc_rpc_block_number(p->rpc, &head, st);
    observe(p, "eth_blockNumber", st);
    if (err)
        return err;
    if (head < p->head) /* blocks taken off (or a node behind): look again */
        for (size_t i = 0; i < p->nfl; i++)
            p->fl[i]->check_at = 0;
    head_is(p, head);
    return HC_OK;
}

/* Reads the chain's transaction count at "latest" into p->latest, then the
 * head: a nonce the count shows used was used in a block at or below that
 * head (follow counts a taken nonce's depth from it; the head read before
 * the count may be older than the block that used it). */
static hc_err read_latest(hc_pipeline *p)
{
    hc_rpc_status st = {0};
    hc_err err = tx_count(p, "latest", &p->latest);
    if (!err)
        err = read_head(p, &st);
    p->have_latest = err == HC_OK;
    return err;
}

static void replace(hc_pipeline *p, flight *f);
static int queued_any(hc_pipeline *p);

/* The receipts a round asks for, in one batched request: every hash of
 * every flight the sender is done with, newest first (of those just sent,
 * the p->rq_ahead lowest nonces). */
struct receipts {
    uint8_t (*hashes)[32];
    hc_receipt *r;
    hc_err *errs;
    size_t n;
    size_t unasked; /* of those just sent, not asked for */
    int learn;      /* the answers set p->rq_ahead (see receipts_ahead) */
};

static void receipts_free(struct receipts *rq)
{
    for (size_t i = 0; i < rq->n; i++)
        hc_receipt_free(&rq->r[i]);
    free(rq->hashes);
    free(rq->r);
    free(rq->errs);
    *rq = (struct receipts){0};
}

/* Asks for the receipts of flights fl[0..n), as each one's rq_at and rq_n
 * say (total in all; its latest hashes first), in one batched request.
 * On an error rq is left empty. */
static hc_err receipts_ask(hc_pipeline *p, flight *const *fl, size_t n,
                           size_t total, struct receipts *rq)
{
    rq->hashes = calloc(total, 32);
    rq->r = calloc(total, sizeof *rq->r);
    rq->errs = calloc(total, sizeof *rq->errs);
    if (!rq->hashes || !rq->r || !rq->errs) {
        receipts_free(rq);
        return HC_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < fl[i]->rq_n; k++)
            memcpy(rq->hashes[fl[i]->rq_at + k],
                   fl[i]->hashes[fl[i]->nhashes - 1 - k], 32);
    hc_rpc_status st = {0};
    hc_err err =
        hc_rpc_get_receipts(p->rpc, rq->hashes, total, rq->r, rq->errs, &st);
    observe(p, "eth_getTransactionReceipt", &st);
    if (err)
        receipts_free(rq);
    else
        rq->n = total;
    return err;
}

/* Is a transaction in flight stuck under the cap (or MAX_HASHES)? The
 * fee_cap hold lasts while one is. */
static int any_capped(const hc_pipeline *p)
{
    for (size_t i = 0; i < p->nfl; i++)
        if (p->fl[i]->capped)
            return 1;
    return 0;
}

/* Has flight f waited long enough without a receipt for the chain's
 * transaction count to matter (replacement, re-broadcast, a gap or a
 * taken nonce)? Not while it is fresh: in the steady state the count is
 * not asked for. */
static int stale(const hc_pipeline *p, const flight *f, uint64_t t)
{
    uint64_t after =
        p->o.replace_after_ms < STALE_MS ? p->o.replace_after_ms : STALE_MS;
    return !f->mined && (t < f->sent_ms || t - f->sent_ms >= after);
}

/* Fetches them: when the head moved since the last time, or the last
 * round found all it asked for, else every wait_ms. Returns 0 if nothing
 * is to be followed this round. The chain's transaction count, when a
 * flight is stale, is read before the receipts: a nonce it shows used has
 * its receipt in what follows, if it is ours. */
static int receipts_fetch(hc_pipeline *p, struct receipts *rq)
{
    size_t total = 0, ahead = 0;
    int any = 0, old = 0;
    uint64_t t = now_ms();
    for (size_t i = 0; i < p->nfl; i++) {
        int followed = p->fl[i]->attempted && !p->fl[i]->ready;
        any |= followed;
        old |= followed && stale(p, p->fl[i], t);
        p->fl[i]->rq_fresh = 0;
    }
    if (!any || (!p->rq_more && p->head == p->rq_head && t >= p->rq_ms &&
                 t - p->rq_ms < p->o.wait_ms))
        return 0;
    /* what a round finds after a new block (or the round after one that
     * found all it asked) sets how many the next asks for; a look every
     * wait_ms without a new block sets it only if it finds something (on
     * a chain slower than wait_ms it finds nothing, which says nothing of
     * how many of ours the next block will take) */
    rq->learn = p->head != p->rq_head || p->rq_more;
    p->rq_more = 0;
    if (old && !p->have_latest && read_latest(p))
        return 0;
    for (size_t i = 0; i < p->nfl; i++) {
        flight *f = p->fl[i];
        f->rq_at = total;
        f->rq_n = 0;
        if (!f->attempted || f->ready)
            continue;
        /* of those just sent, the p->rq_ahead lowest: the others cannot
         * be mined before these are (nonces are mined in order), and a
         * receipt that is not there yet costs the node a call (and a
         * provider a request) all the same */
        if (!f->mined && !stale(p, f, t)) {
            if (ahead++ >= p->rq_ahead)
                continue;
            f->rq_fresh = 1;
        }
        if (f->mined && p->head < f->check_at && t >= f->check_ms &&
            t - f->check_ms < RECHECK_MAX_MS)
            continue; /* mined, not deep enough, looked at not long ago */
        f->rq_n = f->nhashes;
        total += f->rq_n;
    }
    rq->unasked = ahead > p->rq_ahead ? ahead - p->rq_ahead : 0;
    if (!total) { /* all mined, none due: as if asked */
        p->rq_head = p->head;
        p->rq_ms = t;
        return 1;
    }
    if (receipts_ask(p, p->fl, p->nfl, total, rq))
        return 0; /* transport: next round */
    p->rq_head = p->head;
    p->rq_ms = t;
    return 1;
}

/* When a flight mined in block b, not deep enough at the head, is to be
 * looked at again: once its depth (head - b + 1) has doubled, and at the
 * confirmations (also RECHECK_MAX_MS after this look, and when the head
 * goes back: receipts_fetch, read_head). A receipt asked for every block
 * until it is deep costs the node (a provider: a request, and a receipt of
 * a 100-mint batch is 127 KB) `confirmations` calls; this, about log2 of
 * them, and a reorganisation that takes the block out is still seen within
 * as many blocks as it was deep (shallow ones, the common kind, at once). */
static uint64_t recheck_at(const hc_pipeline *p, uint64_t b)
{
    uint64_t depth = p->head >= b ? p->head - b + 1 : 1;
    uint64_t want =
        2 * depth < p->o.confirmations ? 2 * depth : p->o.confirmations;
    return b + want - 1;
}

/* The receipts of one flight: 1 with *s filled when it can be settled (the
 * receipt moved from rq to s->r); 0 when it is mined but not deep enough,
 * or is to be looked at again next round; -1 when none of its hashes has
 * a receipt. A flight whose receipts were not asked for this round (fresh
 * ones above the p->rq_ahead lowest) is looked at again next round: the
 * answers say nothing about it, though the count read this round may show
 * its nonce used (it may also have become stale since receipts_fetch). */
static int follow_receipt(hc_pipeline *p, flight *f, struct receipts *rq,
                          struct settle *s)
{
    if (!f->rq_n)
        return 0;
    for (size_t k = 0; k < f->rq_n; k++) {
        hc_err err = rq->errs[f->rq_at + k];
        if (err == HC_ERR_NOT_FOUND)
            continue;
        if (err)
            return 0; /* next round */
        s->r = rq->r[f->rq_at + k];
        rq->r[f->rq_at + k] = (hc_receipt){0};
        f->mined = 1;
        f->taken_at = 0; /* ours after all */
        f->block = s->r.block_number;
        /* the receipt's block is on the node's chain: the head read at the
         * start of the round may be older (blocks come while the receipts
         * are asked). Not counting it would drop a receipt that is deep
         * enough and ask for it again next round. */
        if (s->r.block_number > p->head)
            head_is(p, s->r.block_number);
        if (p->head + 1 < s->r.block_number + p->o.confirmations) {
            hc_receipt_free(&s->r);
            f->check_at = recheck_at(p, f->block);
            f->check_ms = now_ms();
            return 0; /* not deep enough yet */
        }
        s->f = f;
        /* the block's time: from the logs when the node puts it there,
         * else from the block (whose hash must be the receipt's) */
        if (s->r.nlogs && s->r.logs[0].has_block_timestamp) {
            s->block_time_ms = s->r.logs[0].block_timestamp * 1000;
            return 1;
        }
        hc_block b = {0};
        char tag[19];
        hc_rpc_status st = {0};
        err =
            hc_rpc_get_block(p->rpc, hc_rpc_block_tag(tag, f->block), &b, &st);
        observe(p, "eth_getBlockByNumber", &st);
        if (err || memcmp(b.hash, s->r.block_hash, 32)) {
            hc_receipt_free(&s->r); /* moving under us: next round */
            return 0;
        }
        s->block_time_ms = b.timestamp * 1000;
        return 1;
    }
    return -1;
}

/* Flight f's nonce is used (the count read this round is past it) and none
 * of its transactions has a receipt: taken by another transaction of its
 * key, in a block at or below the head read after the count. The mints are
 * released once that block is as deep as the confirmations ask (as a
 * receipt would be; with 1 no later block is needed, which a chain that
 * mines only when sent to, like anvil's automine, needs) and the nonce
 * still looks taken in a round TAKEN_WAIT_MS after it first did, its
 * receipts asked for again (a receipt seen meanwhile clears taken_at): one
 * reading is not enough, since the count and the receipts may come from
 * nodes that disagree for a moment. No historical state is asked for:
 * pruned nodes do not have it. Returns 1 once released (the caller drops
 * f). signer: a previous key's, for the log; NULL for ours. */
static int release_taken(hc_pipeline *p, flight *f, const hc_address *signer)
{
    uint64_t t = now_ms();
    if (!f->taken_at) { /* first seen: never released on one reading */
        f->taken_at = p->head ? p->head : 1;
        f->taken_ms = t;
        return 0;
    }
    if (p->head + 1 < f->taken_at + p->o.confirmations || t < f->taken_ms ||
        t - f->taken_ms < TAKEN_WAIT_MS)
        return 0;
    hc_err err = HC_OK;
    if (f->n) {
        err = hc_ledger_write(p->l, release_write, f);
        if (!ledger_result(p, err) && err)
            return 0; /* logged for the first failure of an outage only */
    }
    hc_logline l;
    hc_log_begin(&l, HC_LOG_WARN, "nonce_taken");
    hc_log_uint(&l, "nonce", f->nonce);
    if (signer)
        hc_log_hex(&l, "signer", signer->b, 20);
    hc_log_uint(&l, "mints_requeued", f->n);
    if (err)
        hc_log_str(&l, "error", hc_strerror(err));
    hc_log_end(&l);
    if (err)
        return 0;
    hc_metrics_add(p->m, "haechi_nonce_repairs_total", "kind=\"taken\"", 1);
    return 1;
}

/* Looks at one flight; returns 1 with *s filled when it can be settled
 * (the receipt moved from rq to s->r), 2 when it is to be dropped (its
 * nonce was taken and its mints are queued again). */
static int follow(hc_pipeline *p, flight *f, struct receipts *rq,
                  struct settle *s)
{
    if (!f->attempted || f->ready)
        return 0; /* not sent yet (the sender thread has it), or settling */
    int r = follow_receipt(p, f, rq, s);
    if (r >= 0)
        return r;
    if (f->mined) {
        /* a receipt seen before is gone: a reorganisation */
        hc_logline l;
        hc_log_begin(&l, HC_LOG_WARN, "tx_unmined_by_reorg");
        hc_log_uint(&l, "nonce", f->nonce);
        hc_log_uint(&l, "block", f->block);
        hc_log_end(&l);
        hc_metrics_add(p->m, "haechi_reorgs_total", NULL, 1);
        f->mined = 0;
        rebroadcast(p, f);
        return 0;
    }
    uint64_t t = now_ms();
    if (!stale(p, f, t) || !p->have_latest)
        return 0; /* just sent: its block is to come */
    if (f->nonce < p->latest) {
        if (!release_taken(p, f, NULL))
            return 0;
        s->f = NULL;
        return 2; /* drop it */
    }
    f->taken_at = 0;
    /* only the transaction the chain needs next is worth raising: those
     * above it wait for it, whatever their fees */
    if (f->nonce > p->latest && !flight_at(p, p->latest))
        p->check_due = 1; /* a gap below: the nonce check fills it */
    int due = f->nonce == p->latest && t >= f->sent_ms &&
              t - f->sent_ms >= p->o.replace_after_ms;
    if (due && f->nhashes >= MAX_HASHES && !f->capped) {
        /* raised as often as it can be remembered: not silently */
        f->capped = 1;
        hold(p, HOLD_FEE_CAP,
             "a stuck transaction was replaced as often as it can be; it is "
             "re-broadcast, not raised again");
    }
    if (due && f->nhashes < MAX_HASHES)
        replace(p, f);
    else if (t - f->bcast_ms >= REBROADCAST_MS)
        rebroadcast(p, f);
    return 0;
}

/* Signs tx (fees set) for flight f into t: the signed bytes (t->raw, to
 * be freed by the caller, also on error) and the sent_txs record. */
static hc_err sign_tx(hc_pipeline *p, flight *f, hc_tx *tx, struct signed_tx *t)
{
    memset(t, 0, sizeof *t);
    t->f = f;
    hc_buf_init(&t->raw, HC_TX_MAX_SIZE, 0);
    hc_err err;
    if ((err = hc_tx_sign(tx, p->sk)) || (err = hc_tx_serialize(&t->raw, tx)) ||
        (err = hc_tx_hash(t->s.hash, tx)))
        return err;
    t->s.signer = p->signer;
    t->s.nonce = tx->nonce;
    t->s.raw = t->raw.data;
    t->s.raw_len = t->raw.len;
    t->s.sent_ms = now_ms();
    t->s.max_fee = *tx_fee_cap(tx);
    t->s.priority_fee = tx->max_priority_fee_per_gas;
    t->s.mint_ids = f->n ? &f->ids[0][0] : NULL;
    t->s.n_mints = f->n;
    return HC_OK;
}

/* The flight's latest transaction is now s (stored). */
static void flight_took(flight *f, const hc_sent_tx *s, uint64_t gas)
{
    memcpy(f->hashes[f->nhashes++], s->hash, 32);
    f->sent_ms = s->sent_ms;
    f->max_fee = s->max_fee;
    f->gas = gas;
}

/* Signs tx (fees set) for flight f, stores it with the ledger commit and
 * broadcasts it. */
static hc_err sign_store_send(hc_pipeline *p, flight *f, hc_tx *tx,
                              int replacement)
{
    struct signed_tx t;
    hc_err err = sign_tx(p, f, tx, &t);
    if (!err) {
        struct submit_ctx x = {p, &t, 1, p->next, replacement};
        err = hc_ledger_write(p->l, submit_write, &x);
        (void)ledger_result(p, err); /* the caller logs, unless held */
    }
    if (!err) {
        flight_took(f, &t.s, tx->gas_limit);
        broadcast(p, f, t.raw.data, t.raw.len, replacement);
    }
    hc_buf_free(&t.raw);
    return err;
}

/* The same transaction again at the same nonce with fees raised. */
static void replace(hc_pipeline *p, flight *f)
{
    hc_buf b;
    hc_sent_tx s;
    hc_tx tx;
    hc_rpc_status st = {0};
    hc_tx_init(&tx);
    hc_buf_init(&b, HC_TX_MAX_SIZE + (1 << 20), 0);
    hc_err err = f->nhashes < MAX_HASHES ? HC_OK : HC_ERR_ABORTED;
    if (!err)
        err = load_sent(p, &p->signer, f->nonce, f->hashes[f->nhashes - 1], &b,
                        &s);
    if (!err)
        err = hc_tx_decode(&tx, NULL, s.raw, s.raw_len);
    if (!err) {
        p->fee.at_ms = 0; /* fresh fees */
        err = suggest_fees(p, &st);
    }
    if (err) {
        log_err("replace_failed", err, &st);
        goto out;
    }
    if (tx.type == HC_TX_EIP1559) {
        bump(&tx.max_priority_fee_per_gas);
        bump(&tx.max_fee_per_gas);
        if (!p->fee.legacy) {
            tx.max_priority_fee_per_gas =
                *u256_max(&tx.max_priority_fee_per_gas, &p->fee.prio);
            tx.max_fee_per_gas =
                *u256_max(&tx.max_fee_per_gas, &p->fee.max_fee);
        }
    } else {
        bump(&tx.gas_price);
        tx.gas_price = *u256_max(&tx.gas_price, &p->fee.max_fee);
    }
    /* within the cap: and still at least +10 % on the old fees (a node
     * refuses less), else it stays as it is */
    hc_u256 old = s.max_fee, min = old, tenth;
    uint64_t rem;
    if (!hc_u256_divmod_u64(&tenth, &rem, &old, 10))
        (void)!hc_u256_add(&min, &min, &tenth);
    if (!hc_u256_is_zero(&p->o.max_fee) &&
        hc_u256_cmp(tx_fee_cap(&tx), &p->o.max_fee) > 0) {
        if (hc_u256_cmp(&p->o.max_fee, &min) < 0) {
            f->capped = 1;
            f->sent_ms = now_ms(); /* looked at again after replace_after */
            hold(p, HOLD_FEE_CAP,
                 "a stuck transaction cannot be replaced "
                 "within max_fee_per_gas");
            goto out;
        }
        if (tx.type == HC_TX_EIP1559)
            tx.max_fee_per_gas = p->o.max_fee;
        else
            tx.gas_price = p->o.max_fee;
    }
    if (tx.type == HC_TX_EIP1559 &&
        hc_u256_cmp(&tx.max_priority_fee_per_gas, &tx.max_fee_per_gas) > 0)
        tx.max_priority_fee_per_gas = tx.max_fee_per_gas;
    /* only one transaction of the nonce can be mined: the replacement adds
     * to the worst case (which counts f's latest already) what it may cost
     * more than that one */
    hc_u256 g = hc_u256_from_u64(tx.gas_limit), worst, more;
    hc_u256 fg = hc_u256_from_u64(f->gas), fworst;
    int over = hc_u256_mul(&worst, &g, tx_fee_cap(&tx)) != HC_OK;
    if (!over && hc_u256_mul(&fworst, &fg, &f->max_fee) == HC_OK)
        worst = hc_u256_sub(&more, &worst, &fworst) == HC_OK
                    ? more
                    : hc_u256_from_u64(0); /* costs no more */
    if (!over && !within_budget(p, &worst)) {
        hold(p, HOLD_BUDGET,
             "a stuck transaction cannot be replaced within "
             "the daily budget");
        f->sent_ms = now_ms(); /* try again later */
        goto out;
    }
    if ((err = sign_store_send(p, f, &tx, 1))) {
        if (!p->held[HOLD_LEDGER]) /* else queue_held said why */
            log_err("replace_failed", err, NULL);
        goto out;
    }
    f->capped = 0;
    /* with nothing queued the budget hold can only be a replacement's;
     * with mints queued, start_batches says each round whether they fit */
    if (p->held[HOLD_BUDGET] && !queued_any(p))
        unhold(p, HOLD_BUDGET);
    hc_metrics_add(p->m, "haechi_txs_replaced_total", NULL, 1);
    hc_logline l;
    hc_log_begin(&l, HC_LOG_INFO, "tx_replaced");
    hc_log_uint(&l, "nonce", f->nonce);
    hc_log_hex(&l, "tx_hash", f->hashes[f->nhashes - 1], 32);
    hc_log_uint(&l, "hashes", f->nhashes);
    hc_log_end(&l);
out:
    hc_tx_free(&tx);
    hc_buf_free(&b);
}

/* After the commit that settled s[0..n) (err: it failed): logs, metrics,
 * the flights removed; the receipts freed. */
static void settle_done(hc_pipeline *p, struct settle *s, size_t n,
                        const struct settle_ctx *x, hc_err err)
{
    /* a failed commit: logged for the first failure of an outage only */
    int logged = ledger_result(p, err) || !err;
    for (size_t i = 0; i < n; i++) {
        const hc_receipt *r = &s[i].r;
        hc_logline l;
        if (logged) {
            hc_log_begin(&l, err ? HC_LOG_ERROR : HC_LOG_INFO,
                         s[i].f->n ? "batch_settled" : "filler_settled");
            hc_log_uint(&l, "nonce", s[i].f->nonce);
            hc_log_uint(&l, "block", r->block_number);
            hc_log_uint(&l, "confirmed", s[i].confirmed);
            hc_log_uint(&l, "conflicts", s[i].conflicts);
            hc_log_str(&l, "status", r->status == 1 ? "mined" : "reverted");
            if (err)
                hc_log_str(&l, "error", hc_strerror(err));
            hc_log_end(&l);
        }
        if (!err) {
            hc_metrics_add(p->m, "haechi_txs_confirmed_total", NULL, 1);
            hc_metrics_add(p->m, "haechi_gas_used_total", NULL,
                           (double)r->gas_used);
            hc_metrics_add(p->m, "haechi_mints_confirmed_total", NULL,
                           (double)s[i].confirmed);
            hc_u256 fee, gwei;
            uint64_t rem;
            if (!tx_fee(&s[i], &fee) &&
                !hc_u256_divmod_u64(&gwei, &rem, &fee, 1000000000u)) {
                uint64_t g;
                if (!hc_u256_to_u64(&g, &gwei))
                    hc_metrics_add(p->m, "haechi_fees_paid_gwei_total", NULL,
                                   (double)g + (double)rem / 1e9);
            }
            if (r->status != 1 ||
                r->gas_used > s[i].f->gas - s[i].f->gas / 10) {
                p->estimate_in = 0;    /* estimate the next batch, */
                p->estimate_whole = 1; /* all of it: a sample fell short */
            }
            if (r->status != 1)
                hc_metrics_add(p->m, "haechi_txs_reverted_total", NULL, 1);
        }
    }
    if (!err && x->day == p->spent_day)
        p->spent = x->spent;
    for (size_t i = 0; i < n; i++) {
        if (!err) {
            for (size_t k = 0; k < p->nfl; k++)
                if (p->fl[k] == s[i].f) {
                    flight_remove(p, k);
                    break;
                }
        } else {
            s[i].f->ready = 0; /* its receipt is asked for again */
        }
        hc_receipt_free(&s[i].r);
    }
}

/* Flights ready to be settled: in the commit that stores a round's first
 * new batches, or in one of their own (settle_all). */
struct settling {
    struct settle *s;
    size_t n;
};

/* Is what is ready to be settled to be committed now? Receipts that come
 * within SETTLE_WAIT_MS of the first are settled together, up to
 * SETTLE_MAX transactions, and at once when nothing else is in flight.
 * Where a block holds many of our transactions their receipts come
 * together anyway; where each has its own block (anvil's automine, fast
 * chains) this makes one commit of several: a batch's tokens and owners
 * rows have random keys, and each commit writes about one page per row. */
static int settle_due(const hc_pipeline *p, const struct settling *ps)
{
    if (!ps->n)
        return 0;
    if (ps->n >= SETTLE_MAX || ps->n == p->nfl)
        return 1;
    uint64_t t = now_ms();
    return t < p->ready_ms || t - p->ready_ms >= SETTLE_WAIT_MS;
}

/* Commits what is settling, if anything is; returns how many flights were
 * settled. */
static size_t settle_all(hc_pipeline *p, struct settling *ps)
{
    size_t before = p->nfl;
    if (!ps->n)
        return 0;
    struct settle_ctx x = {p, ps->s, ps->n, {{0}}, 0};
    hc_err err = hc_ledger_write(p->l, settle_write, &x);
    settle_done(p, ps->s, ps->n, &x, err);
    ps->n = 0;
    return before - p->nfl;
}

/* Settles what is ready, due or not; returns how many flights. */
static size_t settle_ready(hc_pipeline *p)
{
    struct settling ps = {p->ready, p->nready};
    size_t n = settle_all(p, &ps);
    p->nready = ps.n;
    return n;
}

/* How many receipts of those just sent the next round asks for, from
 * what this one found of the `asked`: one more than it found (a chain
 * that mines one of ours per block, like anvil's automine, wastes one
 * call a round), or, when it found them all and more are waiting, twice
 * as many at once (a block with many of ours). Unchanged by a round that
 * found nothing without a new block (rq->learn). */
static void receipts_ahead(hc_pipeline *p, const struct receipts *rq,
                           size_t asked, size_t found)
{
    if (!asked || (!found && !rq->learn))
        return;
    size_t a = found + 1;
    if (found == asked && rq->unasked) {
        a = 2 * p->rq_ahead;
        p->rq_more = 1;
    }
    p->rq_ahead = a < RECEIPTS_AHEAD_MIN   ? RECEIPTS_AHEAD_MIN
                  : a > RECEIPTS_AHEAD_MAX ? RECEIPTS_AHEAD_MAX
                                           : a;
}

/* Follows every flight: those ready to settle are added to *ps (the caller
 * commits them, now or in a later round: settle_due), those whose nonce
 * was taken are dropped. Returns how many were dropped, plus 1 if the
 * receipts are to be asked for again at once. */
static size_t follow_all(hc_pipeline *p, struct settling *ps)
{
    struct receipts rq = {0};
    if (!receipts_fetch(p, &rq))
        return 0;
    size_t before = p->nfl, asked = 0, found = 0;
    for (size_t i = 0; i < p->nfl; i++) {
        ps->s[ps->n] = (struct settle){0};
        flight *f = p->fl[i];
        int fresh = f->rq_fresh;
        int r = follow(p, f, &rq, &ps->s[ps->n]);
        if (fresh && r != 2) {
            asked++;
            found += f->mined;
        }
        if (r == 1) {
            if (!ps->n)
                p->ready_ms = now_ms();
            p->fl[i]->ready = 1;
            ps->n++;
        } else if (r == 2) {
            flight_remove(p, i--);
        }
    }
    receipts_ahead(p, &rq, asked, found);
    receipts_free(&rq);
    return before - p->nfl + (size_t)p->rq_more;
}

/* ---- new batches */

struct pick {
    uint8_t (*ids)[16];
    size_t n, cap;
};

static int pick_row(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
                    size_t vlen)
{
    struct pick *q = arg;
    (void)v;
    (void)vlen;
    if (klen != 25)
        return 0;
    memcpy(q->ids[q->n++], k + 9, 16);
    return q->n == q->cap;
}

/* The oldest queued mints, at most max. */
static hc_err pick(hc_pipeline *p, size_t max, struct pick *q)
{
    uint8_t state = HC_MINT_QUEUED;
    q->n = 0;
    q->cap = max;
    q->ids = calloc(max ? max : 1, 16);
    if (!q->ids)
        return HC_ERR_NOMEM;
    return hc_ledger_scan(p->l, HC_LDB_ACTIVE, &state, 1, NULL, 0, max,
                          pick_row, q);
}

static int queued_any(hc_pipeline *p)
{
    struct pick q = {0};
    int any = pick(p, 1, &q) == HC_OK && q.n > 0;
    free(q.ids);
    return any;
}

struct round_ctx {
    struct settle_ctx *settle; /* NULL: nothing settles */
    struct submit_ctx *submit;
};

static hc_err round_write(hc_ltx *tx, void *arg)
{
    struct round_ctx *x = arg;
    hc_err err = x->settle ? settle_write(tx, x->settle) : HC_OK;
    return err ? err : submit_write(tx, x->submit);
}

/* The most gas one of our transactions asks for: EIP-7825's limit, and
 * at most half the latest block's (a node refuses a transaction above the
 * block's limit, and one that needs most of a block waits for a nearly
 * empty one; private networks often have small blocks). */
static uint64_t gas_cap(const hc_pipeline *p)
{
    uint64_t cap = TX_GAS_MAX;
    if (p->fee.block_gas && p->fee.block_gas / 2 < cap)
        cap = p->fee.block_gas / 2;
    return cap;
}

/* Gas per mint a batch's limit is built from. */
static uint64_t gas_per_mint(const hc_pipeline *p)
{
    return p->est_per_mint > MINT_GAS_NEW_OWNER ? p->est_per_mint
                                                : MINT_GAS_NEW_OWNER;
}

/* The gas limit of a batch of n mints: 30,000 for the transaction and
 * gas_per_mint each, +12.5 %. */
static uint64_t batch_gas(const hc_pipeline *p, size_t n)
{
    uint64_t lim = 30000 + n * gas_per_mint(p);
    return lim + lim / 8;
}

/* Mints per batch: batch_size, or fewer where that many would need a
 * limit (batch_gas) above gas_cap; at least 1. Logged when it changes. */
static size_t batch_fit(hc_pipeline *p)
{
    uint64_t room = gas_cap(p) / 9 * 8, per = gas_per_mint(p);
    uint64_t fit = room > 30000 ? (room - 30000) / per : 0;
    size_t bs = p->o.batch_size;
    if (fit < bs)
        bs = fit ? (size_t)fit : 1;
    if (bs != (p->fit_logged ? p->fit_logged : p->o.batch_size)) {
        hc_logline l; /* info when back to batch_size */
        hc_log_begin(&l, bs < p->o.batch_size ? HC_LOG_WARN : HC_LOG_INFO,
                     "batch_size_limited");
        hc_log_uint(&l, "mints", bs);
        hc_log_uint(&l, "batch_size", p->o.batch_size);
        hc_log_uint(&l, "gas_cap", gas_cap(p));
        hc_log_uint(&l, "gas_per_mint", per);
        hc_log_end(&l);
        p->fit_logged = bs;
    }
    return bs;
}

/* Builds, signs, stores (one commit, which also settles *ps if it holds
 * anything: ps->n is then 0) and broadcasts up to `room` batches; returns
 * how many. */
static size_t start_batches(hc_pipeline *p, size_t room, struct settling *ps)
{
    struct pick q = {0};
    hc_rpc_status st = {0};
    size_t bs = p->o.batch_size, started = 0;
    struct signed_tx *t = NULL;
    hc_nft_item *items = NULL;
    hc_buf cd, scd; /* a batch's calldata; its sample's, to estimate */
    hc_buf_init(&cd, 1 << 22, 0);
    hc_buf_init(&scd, 1 << 16, 0);
    hc_err err = pick(p, room * bs, &q);
    if (err || q.n == 0)
        goto out;
    if ((err = suggest_fees(p, &st)))
        goto out;
    /* with the latest block's gas limit at hand */
    bs = batch_fit(p);
    if (q.n > room * bs)
        q.n = room * bs;
    size_t nb = (q.n + bs - 1) / bs;
    t = calloc(nb, sizeof *t);
    items = calloc(bs, sizeof *items);
    if (!t || !items) {
        err = HC_ERR_NOMEM;
        goto out;
    }
    size_t built = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t n = q.n - b * bs < bs ? q.n - b * bs : bs;
        hc_tx tx;
        hc_tx_init(&tx);
        flight *f = calloc(1, sizeof *f);
        if (!f || !(f->ids = calloc(n, 16))) {
            flight_free(f);
            hc_tx_free(&tx);
            err = HC_ERR_NOMEM;
            break;
        }
        f->n = n;
        f->sent_head = p->head;
        memcpy(f->ids, q.ids[b * bs], n * 16);
        for (size_t i = 0; !err && i < n; i++) {
            hc_mint m;
            if ((err = hc_ledger_mint_get(p->l, f->ids[i], &m)))
                break;
            items[i].to = m.creator;
            memcpy(items[i].content_hash, m.content_hash, 32);
            memcpy(items[i].metadata_hash, m.metadata_hash, 32);
            items[i].royalty_bps = m.royalty_bps;
        }
        cd.len = 0;
        if (!err)
            err = hc_nft_mint_batch_calldata(&cd, items, n);
        tx.chain_id = hc_u256_from_u64(p->o.chain_id);
        tx.nonce = p->next + built;
        tx.has_to = 1;
        tx.to = p->o.contract;
        if (!err)
            err = hc_tx_set_data(&tx, cd.data, cd.len);
        set_fees(p, &tx);
        if (!err && !cap_fees(p, &tx)) {
            hold(p, HOLD_FEE_CAP, "the chain's fees are above max_fee_per_gas");
            err = HC_ERR_ABORTED;
        } else if (!err && !any_capped(p)) {
            unhold(p, HOLD_FEE_CAP);
        }
        uint64_t est = 0;
        int any_hold = 0;
        for (int h = 0; h < HOLD_END; h++)
            any_hold |= p->held[h];
        /* gas from the last estimate's figure per mint, but at least a new
         * owner's (an estimate of repeat owners is far below what new ones
         * need), +12.5 %: an estimate executes what it is given, as costly
         * on the node as a transaction, so it is made on a sample of the
         * batch. Re-estimated every 64 batches, after a revert or a
         * receipt with less than 10 % of its limit left, while the queue
         * holds, and when the figure would pass gas_cap (batch_fit keeps
         * it below): the receipts watch the margin, so a shorter period
         * would buy little. */
        uint64_t lim = 0;
        if (!err && p->est_per_mint && p->estimate_in && !any_hold) {
            lim = batch_gas(p, n);
            if (lim > gas_cap(p))
                lim = 0;
        }
        if (lim) {
            p->estimate_in--;
            tx.gas_limit = lim;
        } else if (!err) {
            /* the batch's first EST_SAMPLE mints (all of a smaller one,
             * and of every batch after a revert or a receipt near its
             * limit, until an estimate succeeds): what an estimate is
             * given, the node executes */
            size_t k = n < EST_SAMPLE || p->estimate_whole ? n : EST_SAMPLE;
            const hc_buf *ecd = &cd;
            if (k < n) {
                scd.len = 0;
                err = hc_nft_mint_batch_calldata(&scd, items, k);
                ecd = &scd;
            }
            st = (hc_rpc_status){0};
            if (!err) {
                err = hc_rpc_estimate_gas(p->rpc, &p->signer, &p->o.contract,
                                          ecd->data, ecd->len, NULL, &est, &st);
                observe(p, "eth_estimateGas", &st);
                if (!err && est > EST_MAX)
                    err = HC_ERR_RPC_MALFORMED;
            }
            if (err == HC_ERR_RPC && st.cls == HC_RPC_REVERTED) {
                char name[160] = "";
                (void)hc_nft_revert_name(name, sizeof name, st.revert,
                                         st.revert_len);
                hold(p,
                     !strncmp(name, "EnforcedPause", 13) ? HOLD_PAUSED
                     : !strncmp(name, "AccessControlUnauthorizedAccount", 32)
                         ? HOLD_NOT_MINTER
                         : HOLD_REJECTED,
                     name[0] ? name : st.message);
            } else if (err == HC_ERR_RPC &&
                       st.cls == HC_RPC_INSUFFICIENT_FUNDS) {
                hold(p, HOLD_FUNDS, st.message);
            } else if (err) {
                log_err("estimate_failed", err, &st);
            } else if (n == 1 && est > gas_cap(p)) {
                /* held until an estimate fits (each round while held) */
                hold(p, HOLD_REJECTED,
                     "one mint needs more gas than a transaction may use "
                     "here");
                err = HC_ERR_ABORTED;
            } else {
                unhold(p, HOLD_PAUSED);
                unhold(p, HOLD_NOT_MINTER);
                unhold(p, HOLD_REJECTED);
                if (!p->nfl)
                    unhold(p, HOLD_FUNDS);
                /* per mint, the transaction's own share left out */
                p->est_per_mint = (est - (est > 30000 ? 30000 : 0) + k - 1) / k;
                p->estimate_in = 64;
                p->estimate_whole = 0;
                /* as between estimates; a batch estimated whole gets at
                 * least the estimate + 20 %, within the cap */
                lim = batch_gas(p, n);
                if (lim > gas_cap(p) && n > 1) {
                    /* the next round's batches are made smaller by this
                     * estimate's figure per mint (batch_fit) */
                    err = HC_ERR_ABORTED;
                }
                if (k == n && lim < est + est / 5)
                    lim = est + est / 5;
                tx.gas_limit = lim < gas_cap(p) ? lim : gas_cap(p);
            }
        }
        hc_u256 g = hc_u256_from_u64(tx.gas_limit), worst;
        if (!err && !hc_u256_mul(&worst, &g, tx_fee_cap(&tx))) {
            /* flights built in this round are not in p->fl yet */
            for (size_t k = 0; k < built; k++) {
                hc_u256 gk = hc_u256_from_u64(t[k].f->gas), ck;
                if (!hc_u256_mul(&ck, &gk, &t[k].f->max_fee))
                    (void)!hc_u256_add(&worst, &worst, &ck);
            }
            if (!within_budget(p, &worst)) {
                hold(p, HOLD_BUDGET, "the daily budget is spent");
                err = HC_ERR_ABORTED;
            } else {
                unhold(p, HOLD_BUDGET);
            }
        }
        struct signed_tx *s = &t[built];
        if (!err && !(err = sign_tx(p, f, &tx, s))) {
            f->nonce = tx.nonce;
            flight_took(f, &s->s, tx.gas_limit);
            built++;
        } else {
            if (s->f == f) /* sign_tx ran: its buffer */
                hc_buf_free(&s->raw);
            flight_free(f);
        }
        hc_tx_free(&tx);
        if (err)
            break;
    }
    if (built) {
        /* persisted before anything is broadcast; what settles, in the
         * same commit */
        struct submit_ctx x = {p, t, built, p->next + built, 0};
        struct settle_ctx sx = {p, ps->s, ps->n, {{0}}, 0};
        struct round_ctx rx = {ps->n ? &sx : NULL, &x};
        hc_err werr = hc_ledger_write(p->l, round_write, &rx);
        if (!werr && ps->n) {
            settle_done(p, ps->s, ps->n, &sx, werr);
            ps->n = 0;
        } /* else the caller settles them alone */
        if (ledger_result(p, werr))
            log_err("batch_store_failed", werr, NULL);
        if (werr) {
            for (size_t k = 0; k < built; k++)
                flight_free(t[k].f);
        } else {
            p->next += built;
            for (size_t k = 0; k < built; k++) {
                flight_add(p, t[k].f);
                broadcast(p, t[k].f, t[k].raw.data, t[k].raw.len, 0);
                hc_metrics_add(p->m, "haechi_txs_sent_total", NULL, 1);
                hc_logline l;
                hc_log_begin(&l, HC_LOG_INFO, "batch_sent");
                hc_log_uint(&l, "nonce", t[k].f->nonce);
                hc_log_uint(&l, "mints", t[k].f->n);
                hc_log_hex(&l, "tx_hash", t[k].f->hashes[0], 32);
                hc_log_end(&l);
            }
            started = built;
        }
        for (size_t k = 0; k < built; k++)
            hc_buf_free(&t[k].raw);
    }
out:
    if (err && err != HC_ERR_ABORTED && err != HC_ERR_RPC)
        log_err("batch_failed", err, NULL);
    free(t);
    free(items);
    free(q.ids);
    hc_buf_free(&cd);
    hc_buf_free(&scd);
    return started;
}

/* ---- the nonce check */

/* A 0-value transfer to ourselves at nonce, to fill a gap. */
static hc_err fill_gap(hc_pipeline *p, uint64_t nonce)
{
    hc_rpc_status st = {0};
    hc_err err = suggest_fees(p, &st);
    if (err)
        return err;
    flight *f = calloc(1, sizeof *f);
    if (!f)
        return HC_ERR_NOMEM;
    hc_tx tx;
    hc_tx_init(&tx);
    tx.chain_id = hc_u256_from_u64(p->o.chain_id);
    tx.nonce = nonce;
    tx.has_to = 1;
    tx.to = p->signer;
    tx.gas_limit = FILLER_GAS;
    set_fees(p, &tx);
    (void)cap_fees(p, &tx); /* a filler goes out even above the cap */
    f->nonce = nonce;
    err = sign_store_send(p, f, &tx, 0);
    hc_tx_free(&tx);
    if (err) {
        flight_free(f);
        return err;
    }
    flight_add(p, f);
    hc_metrics_add(p->m, "haechi_nonce_repairs_total", "kind=\"gap_filled\"",
                   1);
    hc_logline l;
    hc_log_begin(&l, HC_LOG_WARN, "nonce_gap_filled");
    hc_log_uint(&l, "nonce", nonce);
    hc_log_end(&l);
    return HC_OK;
}

static void nonce_check(hc_pipeline *p)
{
    uint64_t latest, pending;
    if (read_latest(p) || tx_count(p, "pending", &pending))
        return;
    latest = p->latest;
    p->check_ms = now_ms();
    p->check_due = 0;
    if (pending < latest)
        pending = latest;
    uint64_t hi = p->nfl ? p->fl[p->nfl - 1]->nonce + 1 : 0, old = p->next;
    /* behind the chain (the key was used elsewhere): move up */
    if (p->next < latest)
        p->next = latest;
    /* ahead of everything we have in flight and of the chain: move back */
    uint64_t floor = hi > pending ? hi : pending;
    if (p->next > floor)
        p->next = floor;
    if (p->next != old) {
        hc_metrics_add(
            p->m, "haechi_nonce_repairs_total",
            p->next > old ? "kind=\"counter_up\"" : "kind=\"counter_down\"", 1);
        hc_logline l;
        hc_log_begin(&l, HC_LOG_WARN, "nonce_counter_moved");
        hc_log_uint(&l, "from", old);
        hc_log_uint(&l, "to", p->next);
        hc_log_uint(&l, "chain_latest", latest);
        hc_log_uint(&l, "chain_pending", pending);
        hc_log_end(&l);
        p->counter_unsaved = 1;
    }
    /* stored when it moved (until that is stored): every other change of
     * the counter is stored by the commit that makes it */
    if (p->counter_unsaved) {
        hc_err err = save_counter(p, pending);
        p->counter_unsaved = err != HC_OK;
        if (ledger_result(p, err))
            log_err("nonce_save_failed", err, NULL);
    }
    /* a hole below our highest transaction that nothing fills */
    for (uint64_t g = latest; g < hi && p->nfl < MAX_FLIGHTS; g++)
        if (!flight_at(p, g) && fill_gap(p, g))
            break;
}

/* ---- restart */

struct resume_ctx {
    hc_pipeline *p;
    hc_err err;
    size_t other_signer;
};

/* A new flight for nonce, with room for MAX_BATCH mints (NULL: out of
 * memory). */
static flight *flight_new(uint64_t nonce)
{
    flight *f = calloc(1, sizeof *f);
    if (f && !(f->ids = calloc(MAX_BATCH, 16))) {
        free(f);
        return NULL;
    }
    if (f)
        f->nonce = nonce;
    return f;
}

/* Adds a mint of another signer to its flight in p->ofl. */
static int other_add(struct resume_ctx *x, const hc_mint *m)
{
    hc_pipeline *p = x->p;
    flight *f = NULL;
    for (size_t i = 0; i < p->nofl && !f; i++)
        if (p->ofl[i]->nonce == m->nonce &&
            !memcmp(p->ofl[i]->signer.b, m->signer.b, 20))
            f = p->ofl[i];
    if (!f) {
        if (p->nofl == MAX_FLIGHTS)
            return 0; /* the rest after these settle (next restart) */
        if (!(f = flight_new(m->nonce))) {
            x->err = HC_ERR_NOMEM;
            return 1;
        }
        f->signer = m->signer;
        f->attempted = 1;
        p->ofl[p->nofl++] = f;
    }
    if (f->n < MAX_BATCH)
        memcpy(f->ids[f->n++], m->id, 16);
    return 0;
}

/* Does stored transaction s carry flight f's mints? (A nonce may have
 * carried an earlier batch that was released.) */
static int sent_carries(const hc_sent_tx *s, const flight *f)
{
    for (size_t i = 0; i < s->n_mints; i++)
        if (!memcmp(s->mint_ids + 16 * i, f->ids[0], 16))
            return 1;
    return 0;
}

/* Adds stored transaction s to flight f's hashes (at start). The rows come
 * in hash order; hashes[nhashes - 1] must be the latest signed (replace
 * raises its fees, rebroadcast sends it), so an older one goes before it. */
static void flight_sent(flight *f, const hc_sent_tx *s)
{
    if (f->nhashes >= MAX_HASHES)
        return;
    if (f->nhashes && s->sent_ms < f->sent_ms) {
        memcpy(f->hashes[f->nhashes], f->hashes[f->nhashes - 1], 32);
        memcpy(f->hashes[f->nhashes - 1], s->hash, 32);
        f->nhashes++;
        return;
    }
    memcpy(f->hashes[f->nhashes++], s->hash, 32);
    hc_tx tx;
    hc_tx_init(&tx);
    if (!hc_tx_decode(&tx, NULL, s->raw, s->raw_len))
        f->gas = tx.gas_limit;
    hc_tx_free(&tx);
    f->max_fee = s->max_fee;
    f->sent_ms = s->sent_ms;
}

/* The hashes another signer's flight sent (the SENT rows under its signer
 * and nonce that carry its mints). */
static int other_sent(void *arg, const uint8_t *k, size_t klen,
                      const uint8_t *v, size_t vlen)
{
    flight *f = arg;
    hc_sent_tx s;
    (void)k;
    if (klen == 60 && !hc_sent_decode(&s, v, vlen) && s.nonce == f->nonce &&
        sent_carries(&s, f))
        flight_sent(f, &s);
    return 0;
}

static void others_free(hc_pipeline *p)
{
    for (size_t i = 0; i < p->nofl; i++)
        flight_free(p->ofl[i]);
    p->nofl = 0;
}

static int resume_row(void *arg, const uint8_t *k, size_t klen,
                      const uint8_t *v, size_t vlen)
{
    struct resume_ctx *x = arg;
    hc_pipeline *p = x->p;
    hc_mint m;
    (void)v;
    (void)vlen;
    if (klen != 25 || hc_ledger_mint_get(p->l, k + 9, &m) ||
        m.state != HC_MINT_SUBMITTED || !m.has_tx)
        return 0;
    if (memcmp(m.signer.b, p->signer.b, 20)) {
        /* sent with another signer key: followed, not replaced */
        if (!x->other_signer++) {
            hc_logline l;
            hc_log_begin(&l, HC_LOG_WARN, "submitted_by_other_signer");
            hc_log_hex(&l, "mint_id", m.id, 16);
            hc_log_str(&l, "detail",
                       "mints in flight were sent with another signer key: "
                       "settled when mined, queued again if that key's "
                       "nonce is taken; otherwise restart with that key");
            hc_log_end(&l);
        }
        return other_add(x, &m);
    }
    flight *f = flight_at(p, m.nonce);
    if (!f) {
        if (p->nfl == MAX_FLIGHTS)
            return 0; /* the rest after these settle (next restart) */
        if (!(f = flight_new(m.nonce))) {
            x->err = HC_ERR_NOMEM;
            return 1;
        }
        flight_add(p, f);
    }
    if (f->n < MAX_BATCH)
        memcpy(f->ids[f->n++], m.id, 16);
    return 0;
}

struct sent_ctx {
    hc_pipeline *p;
    uint64_t from;
};

static int resume_sent(void *arg, const uint8_t *k, size_t klen,
                       const uint8_t *v, size_t vlen)
{
    struct sent_ctx *x = arg;
    hc_pipeline *p = x->p;
    hc_sent_tx s;
    (void)k;
    if (klen != 60 || hc_sent_decode(&s, v, vlen))
        return 0;
    flight *f = flight_at(p, s.nonce);
    if (!f) {
        /* a filler still unmined, or an orphan of released mints */
        if (s.n_mints || s.nonce < x->from || p->nfl == MAX_FLIGHTS ||
            !(f = calloc(1, sizeof *f)))
            return 0;
        f->nonce = s.nonce;
        flight_add(p, f);
    } else if (f->n && !sent_carries(&s, f)) {
        return 0; /* only the transactions of this batch */
    }
    flight_sent(f, &s);
    return 0;
}

static hc_err resume(hc_pipeline *p)
{
    /* the node's chain: the configured one, or taken from the node */
    if (!p->chain_ok) {
        uint64_t chain;
        hc_rpc_status st = {0};
        hc_err err = hc_rpc_chain_id(p->rpc, &chain, &st);
        observe(p, "eth_chainId", &st);
        if (err)
            return err;
        if (p->o.chain_id && chain != p->o.chain_id) {
            hc_logline l;
            hc_log_begin(&l, HC_LOG_ERROR, "chain_id_mismatch");
            hc_log_uint(&l, "configured", p->o.chain_id);
            hc_log_uint(&l, "node", chain);
            hc_log_end(&l);
            return HC_ERR_TX_CHAIN_ID;
        }
        p->o.chain_id = chain;
        p->chain_ok = 1;
    }
    /* the counter */
    hc_buf b;
    hc_nonce_state ns;
    uint64_t latest = 0, pending = 0;
    hc_buf_init(&b, 4096, 0);
    hc_err err = hc_ledger_get(p->l, HC_LDB_NONCES, p->signer.b, 20, &b);
    if (!err)
        err = hc_nonce_decode(&ns, b.data, b.len);
    hc_buf_free(&b);
    if (err && err != HC_ERR_NOT_FOUND)
        return err;
    if (tx_count(p, "latest", &latest) || tx_count(p, "pending", &pending))
        return HC_ERR_RPC;
    p->next = err ? pending : ns.next;
    p->latest = latest;
    /* the batches in flight */
    uint8_t state = HC_MINT_SUBMITTED;
    struct resume_ctx x = {p, HC_OK, 0};
    /* a retry starts over: a failed scan may have left flights (nothing
     * is sent before resume succeeds), whose ids would be added twice */
    while (p->nfl)
        flight_remove(p, p->nfl - 1);
    others_free(p);
    err = hc_ledger_scan(p->l, HC_LDB_ACTIVE, &state, 1, NULL, 0, 0, resume_row,
                         &x);
    if (!err)
        err = x.err;
    if (err)
        return err;
    /* their transactions (every hash), and unmined fillers */
    uint64_t from = p->nfl ? p->fl[0]->nonce : latest;
    if (from > latest)
        from = latest;
    uint8_t after[60];
    hc_sent_key(after, &p->signer, from, (const uint8_t[32]){0});
    struct sent_ctx sx = {p, latest};
    err =
        hc_ledger_scan(p->l, HC_LDB_SENT, p->signer.b, 20, from ? after : NULL,
                       from ? 28 : 0, 0, resume_sent, &sx);
    if (err)
        return err;
    for (size_t i = 0; !err && i < p->nofl; i++) {
        /* prefix: the key's signer and nonce */
        hc_sent_key(after, &p->ofl[i]->signer, p->ofl[i]->nonce,
                    (const uint8_t[32]){0});
        err = hc_ledger_scan(p->l, HC_LDB_SENT, after, 28, NULL, 0, 0,
                             other_sent, p->ofl[i]);
    }
    if (err)
        return err;
    uint64_t t = now_ms();
    for (size_t i = 0; i < p->nfl; i++) {
        flight *f = p->fl[i];
        if (f->nonce >= p->next)
            p->next = f->nonce + 1;
        /* stamped ahead of this run's clock (the wall clock was set back
         * since): as if signed now, not replaced only when that comes */
        if (f->sent_ms > t)
            f->sent_ms = t;
        hc_logline l;
        hc_log_begin(&l, HC_LOG_INFO, "batch_resumed");
        hc_log_uint(&l, "nonce", f->nonce);
        hc_log_uint(&l, "mints", f->n);
        hc_log_uint(&l, "hashes", f->nhashes);
        hc_log_end(&l);
        f->attempted = 1; /* perhaps sent before the restart */
        if (f->nhashes)
            rebroadcast(p, f);
        else
            flight_remove(p, i--); /* no transaction stored: cannot be */
    }
    p->check_due = 1;
    return HC_OK;
}

/* ---- the loop */

/* Broadcasts the latest stored transaction of another signer's flight
 * again: the signed bytes need no key. Here, not on the sender thread
 * (whose answers are matched to our own flights by nonce); the answer only
 * counts in the metrics. */
static void other_rebroadcast(hc_pipeline *p, flight *f)
{
    hc_buf b;
    hc_sent_tx s;
    uint8_t h[32];
    hc_buf_init(&b, HC_TX_MAX_SIZE + (1 << 20), 0);
    if (f->nhashes && load_sent(p, &f->signer, f->nonce,
                                f->hashes[f->nhashes - 1], &b, &s) == HC_OK) {
        hc_rpc_status st = {0};
        (void)!hc_rpc_send_raw_transaction(p->rpc, s.raw, s.raw_len, h, &st);
        observe(p, "eth_sendRawTransaction", &st);
    }
    hc_buf_free(&b);
}

/* Follows the flights of a previous signer key (p->ofl, found at start),
 * every batch_wait_ms: each key's transaction count first, then the head,
 * then the receipts of every hash (so a nonce the count shows used has its
 * receipt in what follows, if it is ours). One with a receipt deep enough
 * is settled; one whose nonce is used with no receipt of ours is released
 * once that is as deep as the confirmations ask (as in follow); the others
 * are broadcast again every REBROADCAST_MS: only their key could replace
 * them. Returns how many flights it settled or released. */
static size_t follow_others(hc_pipeline *p)
{
    uint64_t t = now_ms(), latest[MAX_FLIGHTS];
    if (!p->nofl || (t >= p->ofl_ms && t - p->ofl_ms < p->o.wait_ms))
        return 0;
    p->ofl_ms = t;
    for (size_t i = 0; i < p->nofl; i++) {
        size_t k = 0; /* an earlier flight of the same key: its count */
        while (k < i && memcmp(p->ofl[k]->signer.b, p->ofl[i]->signer.b, 20))
            k++;
        if (k < i) {
            latest[i] = latest[k];
            continue;
        }
        hc_rpc_status st = {0};
        hc_err err = hc_rpc_get_transaction_count(p->rpc, &p->ofl[i]->signer,
                                                  "latest", &latest[i], &st);
        observe(p, "eth_getTransactionCount", &st);
        if (err)
            return 0;
    }
    hc_rpc_status st = {0};
    if (read_head(p, &st))
        return 0;
    struct receipts rq = {0};
    struct settle *s = calloc(p->nofl, sizeof *s);
    size_t total = 0, done = 0, ns = 0;
    if (!s)
        return 0;
    for (size_t i = 0; i < p->nofl; i++) {
        p->ofl[i]->rq_at = total;
        p->ofl[i]->rq_n = p->ofl[i]->nhashes;
        total += p->ofl[i]->nhashes;
    }
    if (total && receipts_ask(p, p->ofl, p->nofl, total, &rq)) {
        free(s);
        return 0;
    }
    for (size_t i = 0; i < p->nofl; i++) {
        flight *f = p->ofl[i];
        s[ns] = (struct settle){0};
        int r = follow_receipt(p, f, &rq, &s[ns]);
        if (r == 1) {
            ns++;
        } else if (r < 0 && f->nonce < latest[i]) {
            if (release_taken(p, f, &f->signer)) {
                flight_free(f);
                p->ofl[i] = NULL;
                done++;
            }
        } else if (r < 0) {
            f->mined = 0; /* a receipt seen before may be gone: a reorg */
            f->taken_at = 0;
            if (t < f->bcast_ms || t - f->bcast_ms >= REBROADCAST_MS) {
                f->bcast_ms = t;
                other_rebroadcast(p, f);
            }
        }
    }
    receipts_free(&rq);
    if (ns) { /* what is deep enough, in one commit */
        struct settle_ctx x = {p, s, ns, {{0}}, 0};
        hc_err err = hc_ledger_write(p->l, settle_write, &x);
        settle_done(p, s, ns, &x, err);
        for (size_t k = 0; !err && k < ns; k++)
            for (size_t i = 0; i < p->nofl; i++)
                if (p->ofl[i] == s[k].f) {
                    flight_free(p->ofl[i]);
                    p->ofl[i] = NULL;
                    done++;
                }
    }
    free(s);
    size_t n = 0; /* the ones left, in order */
    for (size_t i = 0; i < p->nofl; i++)
        if (p->ofl[i])
            p->ofl[n++] = p->ofl[i];
    p->nofl = n;
    return done;
}

static void follow_transfers(hc_pipeline *p)
{
    if (p->o.no_follow || p->head + 1 < p->o.confirmations)
        return;
    uint64_t upto = p->head + 1 - p->o.confirmations;
    /* not past a block that may hold a batch of ours not yet settled: its
     * tokens are not in the ledger yet, and a transfer of them would be
     * skipped for good. The head it was built at: none of its
     * transactions is in a block at or below, whatever a reorganisation
     * does above it (the block its receipt showed may have changed since
     * it was last looked at: recheck_at). Resumed (0: not known): mined,
     * the block before its own; else 0, until it settles. */
    for (size_t i = 0; i < p->nfl + p->nofl; i++) {
        const flight *f = i < p->nfl ? p->fl[i] : p->ofl[i - p->nfl];
        uint64_t below =
            !f->sent_head && f->mined ? f->block - 1 : f->sent_head;
        if (f->n && below < upto)
            upto = below;
    }
    uint64_t t = now_ms();
    if (upto <= p->follow_to || t - p->follow_ms < 1000)
        return;
    p->follow_ms = t;
    hc_rpc_status st = {0};
    uint64_t done = 0;
    hc_err err =
        hc_follow_step(p->l, p->rpc, &p->o.contract, upto, upto, 0, &done, &st);
    observe(p, "eth_getLogs", &st);
    if (!err)
        p->follow_to = done;
    else if (!p->held[HOLD_LEDGER]) /* else queue_held said why */
        log_err("follow_failed", err, &st);
}

/* One round; returns 1 if it moved something (then the next round starts
 * at once: more may be ready). */
static int round_(hc_pipeline *p)
{
    hc_rpc_status st = {0};
    hc_err err = read_head(p, &st);
    if (err) {
        if (!p->unreachable++) /* once per outage */
            log_err("chain_unreachable", err, &st);
        return settle_ready(p) > 0; /* what was ready before */
    }
    if (p->unreachable) {
        hc_logline l;
        hc_log_begin(&l, HC_LOG_INFO, "chain_reachable");
        hc_log_uint(&l, "failed_rounds", p->unreachable);
        hc_log_end(&l);
        p->unreachable = 0;
    }
    p->have_latest = 0;
    size_t progress = drain_results(p);
    if (p->check_due || now_ms() - p->check_ms >= p->o.nonce_check_ms)
        nonce_check(p);
    struct settling ps = {p->ready, p->nready}, none = {NULL, 0};
    progress += follow_all(p, &ps);
    int due = settle_due(p, &ps);
    /* new batches: while the signer cannot pay, only with nothing in
     * flight (the estimate or the broadcast says when it can again); at
     * most 4 per commit (the sender has the first while the next are
     * built), as many commits as max_inflight allows; the first commit
     * also settles what is ready, if that is due */
    for (;;) {
        size_t busy = p->nfl - ps.n, settled = ps.n, n;
        if (busy >= p->o.max_inflight || (p->held[HOLD_FUNDS] && busy))
            break;
        /* while the ledger fails, a new batch is tried once a second (its
         * estimate and signature would be lost each round) */
        if (p->held[HOLD_LEDGER] && now_ms() - p->ledger_ms < 1000)
            break;
        size_t room = p->o.max_inflight - busy;
        n = start_batches(p, room < 4 ? room : 4, due ? &ps : &none);
        if (!n)
            break;
        progress += n + (settled - ps.n);
    }
    if (due)
        progress += settle_all(p, &ps);
    p->nready = ps.n;
    progress += follow_others(p);
    follow_transfers(p);
    /* the cap hold ends when nothing waits on it any more */
    if (p->held[HOLD_FEE_CAP] && !any_capped(p) && !queued_any(p))
        unhold(p, HOLD_FEE_CAP);
    return progress > 0;
}

static void *worker(void *arg)
{
    hc_pipeline *p = arg;
    int resumed = 0;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        pthread_mutex_unlock(&p->mu);
        int more = 0;
        if (!resumed) {
            /* until the node answers (and is the right chain): logged on
             * the first try and every 100th */
            hc_err err = resume(p);
            resumed = err == HC_OK;
            if (err && p->resume_tries++ % 100 == 0)
                log_err("resume_failed", err, NULL);
        }
        if (resumed)
            more = round_(p);
        pthread_mutex_lock(&p->mu);
        if (p->stop)
            break;
        if (more || p->wake) {
            p->wake = 0;
            p->pause_ms = PAUSE_MIN_MS;
            continue;
        }
        /* idle: with transactions in flight their receipts are looked for
         * again soon, then less and less often (a fast chain mines in
         * milliseconds, a slow one in seconds); wait_ms otherwise */
        unsigned pause = p->o.wait_ms;
        if (p->nfl && p->pause_ms < pause) {
            pause = p->pause_ms;
            p->pause_ms *= 2;
        }
        if (p->nready) { /* not past the time they are due */
            uint64_t t = now_ms(), due = p->ready_ms + SETTLE_WAIT_MS;
            unsigned left = t < due ? (unsigned)(due - t) : 1;
            if (left < pause)
                pause = left;
        }
        struct timespec until = hc_deadline_ms((long)pause);
        pthread_cond_timedwait(&p->cv, &p->mu, &until);
        p->wake = 0;
    }
    pthread_mutex_unlock(&p->mu);
    settle_ready(p); /* what is ready is not left to a restart */
    return NULL;
}

hc_err hc_pipeline_start(hc_pipeline **out, hc_ledger *l, hc_rpc *rpc,
                         hc_metrics *m, const uint8_t sk[32],
                         const hc_pipeline_opts *opts)
{
    *out = NULL;
    if (sodium_init() < 0)
        return HC_ERR_CRYPTO;
    hc_pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return HC_ERR_NOMEM;
    p->sk = sodium_malloc(32);
    p->ready = calloc(MAX_FLIGHTS, sizeof *p->ready);
    if (!p->sk || !p->ready) {
        sodium_free(p->sk);
        free(p->ready);
        free(p);
        return HC_ERR_NOMEM;
    }
    memcpy(p->sk, sk, 32);
    p->l = l;
    p->rpc = rpc;
    p->m = m;
    p->o = *opts;
    if (!p->o.batch_size)
        p->o.batch_size = 50;
    if (p->o.batch_size > MAX_BATCH)
        p->o.batch_size = MAX_BATCH;
    if (!p->o.wait_ms)
        p->o.wait_ms = 200;
    p->pause_ms = PAUSE_MIN_MS;
    p->rq_ahead = RECEIPTS_AHEAD_MIN;
    if (!p->o.confirmations)
        p->o.confirmations = 1;
    if (!p->o.max_inflight)
        p->o.max_inflight = 4;
    if (p->o.max_inflight > MAX_FLIGHTS / 2)
        p->o.max_inflight = MAX_FLIGHTS / 2;
    if (!p->o.replace_after_ms)
        p->o.replace_after_ms = 60000;
    if (!p->o.nonce_check_ms)
        p->o.nonce_check_ms = 30000;
    p->spent_day = UINT64_MAX;
    hc_err err = hc_key_address(&p->signer, p->sk);
    static const char *const counters[][2] = {
        {"haechi_txs_sent_total", "mint transactions broadcast (new)"},
        {"haechi_txs_replaced_total",
         "transactions replaced at the same nonce with higher fees"},
        {"haechi_txs_confirmed_total",
         "transactions settled (mined and confirmed)"},
        {"haechi_txs_reverted_total", "settled transactions that reverted"},
        {"haechi_mints_confirmed_total", "mints confirmed as tokens"},
        {"haechi_gas_used_total", "gas used by settled transactions"},
        {"haechi_fees_paid_gwei_total", "fees paid by settled transactions"},
        {"haechi_nonce_repairs_total",
         "nonce repairs: counter moved up/down, gaps filled, nonces taken"},
        {"haechi_reorgs_total", "mined transactions undone by a reorg"},
        {"haechi_chain_rpc_errors_total", "failed chain RPC calls"},
    };
    for (size_t i = 0; !err && i < sizeof counters / sizeof *counters; i++) {
        hc_err e = hc_metrics_declare(m, counters[i][0], HC_METRIC_COUNTER,
                                      counters[i][1], NULL, 0);
        if (e && e != HC_ERR_EXISTS)
            err = e;
    }
    static const char *const gauges[][2] = {
        {"haechi_pipeline_hold",
         "1 while the queue holds for this reason (alert on it)"},
        {"haechi_pipeline_inflight", "transactions in flight"},
    };
    for (size_t i = 0; !err && i < 2; i++) {
        hc_err e = hc_metrics_declare(m, gauges[i][0], HC_METRIC_GAUGE,
                                      gauges[i][1], NULL, 0);
        if (e && e != HC_ERR_EXISTS)
            err = e;
    }
    if (!err) {
        hc_err e = hc_metrics_declare(
            m, "haechi_chain_rpc_seconds", HC_METRIC_HISTOGRAM,
            "the pipeline's chain RPC calls", NULL, 0);
        if (e && e != HC_ERR_EXISTS)
            err = e;
    }
    for (int r = 0; !err && r < HOLD_END; r++) {
        char labels[48];
        snprintf(labels, sizeof labels, "reason=\"%s\"", hold_names[r]);
        hc_metrics_set(m, "haechi_pipeline_hold", labels, 0);
    }
    if (err) {
        sodium_free(p->sk);
        free(p->ready);
        free(p);
        return err;
    }
    pthread_mutex_init(&p->mu, NULL);
    hc_cond_init_monotonic(&p->cv); /* timed waits: hc_deadline_ms */
    pthread_cond_init(&p->scv, NULL);
    p->jobs_tail = &p->jobs;
    p->srpc = p->o.send_rpc;
    if (p->srpc && pthread_create(&p->sthread, NULL, sender, p) != 0)
        p->srpc = NULL; /* sends in the worker, then */
    if (pthread_create(&p->thread, NULL, worker, p) != 0) {
        if (p->srpc) {
            pthread_mutex_lock(&p->mu);
            p->stop = 1;
            pthread_cond_broadcast(&p->scv);
            pthread_mutex_unlock(&p->mu);
            pthread_join(p->sthread, NULL);
        }
        pthread_cond_destroy(&p->scv);
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        sodium_free(p->sk);
        free(p->ready);
        free(p);
        return HC_ERR_NOMEM;
    }
    *out = p;
    return HC_OK;
}

uint64_t hc_pipeline_head(void *p)
{
    return p ? atomic_load(&((hc_pipeline *)p)->head_seen) : 0;
}

void hc_pipeline_stop(hc_pipeline *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_cond_broadcast(&p->scv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    if (p->srpc)
        pthread_join(p->sthread, NULL);
    /* unsent jobs are in the ledger: a restart sends them */
    for (struct bjob *j = p->jobs, *n; j; j = n) {
        n = j->next;
        free(j);
    }
    for (struct bjob *j = p->results, *n; j; j = n) {
        n = j->next;
        free(j);
    }
    pthread_cond_destroy(&p->scv);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    while (p->nfl)
        flight_remove(p, p->nfl - 1);
    others_free(p);
    free(p->ready);     /* the worker settled them on its way out */
    sodium_free(p->sk); /* wipes */
    free(p);
}

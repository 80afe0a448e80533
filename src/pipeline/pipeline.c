/* The minting worker (see pipeline.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "haechi/hex.h"
#include "haechi/log.h"
#include "haechi/nft.h"
#include "haechi/pipeline.h"
#include "haechi/records.h"
#include "haechi/tx.h"

#define MAX_BATCH  500
#define MAX_HASHES 8

struct hc_pipeline {
    hc_ledger *l;
    hc_rpc *rpc;
    hc_metrics *m;
    uint8_t *sk; /* sodium_malloc'ed, locked */
    hc_address signer;
    hc_pipeline_opts o;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    /* the batch in flight */
    int inflight;
    uint64_t nonce;
    uint8_t hashes[MAX_HASHES][32];
    size_t nhashes;
    uint8_t ids[MAX_BATCH][16];
    size_t n;
    unsigned rounds_waiting;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
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

/* ---- collecting queued mints (oldest first) */

struct pick {
    struct {
        uint64_t created;
        uint8_t id[16];
    } * items;
    size_t n, cap;
    const hc_address *signer;
    int want_state;
    uint64_t nonce; /* for SUBMITTED: the lowest nonce seen */
};

static int pick_row(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
                    size_t vlen)
{
    struct pick *p = arg;
    hc_mint m;
    (void)k;
    (void)klen;
    if (hc_mint_decode(&m, v, vlen) || m.state != p->want_state)
        return 0;
    if (p->want_state == HC_MINT_SUBMITTED) {
        if (!m.has_tx || memcmp(m.signer.b, p->signer->b, 20))
            return 0;
        if (p->n && m.nonce > p->nonce)
            return 0;
        if (p->n && m.nonce < p->nonce)
            p->n = 0; /* a lower nonce: its batch first */
        p->nonce = m.nonce;
    }
    if (p->n == p->cap) {
        /* keep the oldest: replace the newest if this one is older */
        size_t newest = 0;
        for (size_t i = 1; i < p->n; i++)
            if (p->items[i].created > p->items[newest].created)
                newest = i;
        if (m.created_ms >= p->items[newest].created)
            return 0;
        p->items[newest].created = m.created_ms;
        memcpy(p->items[newest].id, m.id, 16);
        return 0;
    }
    p->items[p->n].created = m.created_ms;
    memcpy(p->items[p->n].id, m.id, 16);
    p->n++;
    return 0;
}

static int by_age(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static hc_err pick(hc_pipeline *p, int state, size_t max, struct pick *out)
{
    memset(out, 0, sizeof *out);
    out->cap = max;
    out->signer = &p->signer;
    out->want_state = state;
    out->items = calloc(max, sizeof *out->items);
    if (!out->items)
        return HC_ERR_NOMEM;
    hc_err err =
        hc_ledger_scan(p->l, HC_LDB_MINTS, NULL, 0, NULL, 0, 0, pick_row, out);
    if (!err)
        qsort(out->items, out->n, sizeof *out->items, by_age);
    return err;
}

/* ---- ledger writes */

struct submit_ctx {
    hc_pipeline *p;
    const hc_sent_tx *sent;
    const uint8_t (*ids)[16];
    size_t n;
    uint64_t chain_pending;
};

static hc_err submit_write(hc_ltx *tx, void *arg)
{
    struct submit_ctx *x = arg;
    hc_nonce_state ns = {0};
    ns.signer = x->p->signer;
    ns.next = x->sent->nonce + 1;
    ns.chain_pending = x->chain_pending;
    ns.checked_ms = hc_ltx_now(tx);
    hc_err err = hc_ltx_nonce_put(tx, &ns);
    if (!err)
        err = hc_ltx_sent_put(tx, x->sent, HC_J_TX_SIGNED);
    for (size_t i = 0; !err && i < x->n; i++) {
        hc_mint m;
        err = hc_ltx_mint_get(tx, x->ids[i], &m);
        if (!err && m.state != HC_MINT_QUEUED)
            err = HC_ERR_CONFLICT; /* changed under us: retry next round */
        if (err)
            break;
        m.state = HC_MINT_SUBMITTED;
        m.has_tx = 1;
        m.signer = x->p->signer;
        m.nonce = x->sent->nonce;
        memcpy(m.tx_hash, x->sent->hash, 32);
        m.updated_ms = hc_ltx_now(tx);
        err = hc_ltx_mint_put(tx, &m, HC_J_MINT_STATE);
    }
    return err;
}

struct finish_ctx {
    hc_pipeline *p;
    const hc_receipt *r;
    uint64_t block_time_ms;
    int requeue; /* the transaction reverted: back to the queue */
    size_t confirmed, conflicts;
};

static hc_err finish_write(hc_ltx *tx, void *arg)
{
    struct finish_ctx *x = arg;
    hc_pipeline *p = x->p;
    const hc_receipt *r = x->r;
    /* each mint's share of the transaction's gas and fee */
    hc_u256 gas = hc_u256_from_u64(r->gas_used), fee, share;
    uint64_t rem;
    hc_err err = hc_u256_mul(&fee, &gas, &r->effective_gas_price);
    if (!err)
        err = hc_u256_divmod_u64(&share, &rem, &fee, p->n ? p->n : 1);
    for (size_t i = 0; !err && i < p->n; i++) {
        hc_mint m;
        err = hc_ltx_mint_get(tx, p->ids[i], &m);
        if (err)
            break;
        if (m.state != HC_MINT_SUBMITTED)
            continue; /* already settled */
        m.updated_ms = hc_ltx_now(tx);
        if (x->requeue) {
            m.state = HC_MINT_QUEUED;
            m.has_tx = 0;
            err = hc_ltx_mint_put(tx, &m, HC_J_MINT_STATE);
            continue;
        }
        hc_nft_event ev = {0};
        int found = 0;
        for (size_t k = 0; k < r->nlogs && !found; k++) {
            if (memcmp(r->logs[k].address.b, p->o.contract.b, 20) ||
                hc_nft_decode_event(&r->logs[k], &ev) ||
                memcmp(ev.token_id, m.content_hash, 32))
                continue;
            found = ev.kind == HC_NFT_EVENT_MINTED ||
                    ev.kind == HC_NFT_EVENT_SKIPPED;
        }
        memcpy(m.tx_hash, r->tx_hash, 32);
        m.block = r->block_number;
        m.gas_used = r->gas_used / (p->n ? p->n : 1);
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
            err = hc_ltx_mint_put(tx, &m, HC_J_RECEIPT);
    }
    return err;
}

/* ---- one round */

static hc_err fees(hc_pipeline *p, hc_tx *tx, hc_rpc_status *st)
{
    hc_block b;
    hc_err err = hc_rpc_get_block(p->rpc, "latest", &b, st);
    if (err)
        return err;
    if (p->o.legacy || !b.has_base_fee) {
        cJSON *params = cJSON_CreateArray(), *res = NULL;
        if (!params)
            return HC_ERR_NOMEM;
        err = hc_rpc_request(p->rpc, "eth_gasPrice", params, &res, st);
        cJSON_Delete(params);
        if (!err && hc_rpc_quantity(res, &tx->gas_price))
            err = HC_ERR_RPC_MALFORMED;
        cJSON_Delete(res);
        tx->type = HC_TX_LEGACY;
        tx->eip155 = 1;
        return err;
    }
    hc_u256 prio, two = hc_u256_from_u64(2);
    err = hc_rpc_max_priority_fee(p->rpc, &prio, st);
    if (err == HC_ERR_RPC && st->cls == HC_RPC_METHOD_NOT_FOUND) {
        prio = hc_u256_from_u64(1000000000);
        err = HC_OK;
    }
    if (err)
        return err;
    tx->type = HC_TX_EIP1559;
    tx->max_priority_fee_per_gas = prio;
    err = hc_u256_mul(&tx->max_fee_per_gas, &b.base_fee, &two);
    if (!err)
        err = hc_u256_add(&tx->max_fee_per_gas, &tx->max_fee_per_gas, &prio);
    return err;
}

static void start_batch(hc_pipeline *p)
{
    struct pick q;
    hc_rpc_status st;
    hc_tx tx;
    hc_buf cd, raw;
    hc_nft_item *items = NULL;
    hc_err err = pick(p, HC_MINT_QUEUED, p->o.batch_size, &q);
    if (err || q.n == 0) {
        free(q.items);
        return;
    }
    hc_tx_init(&tx);
    hc_buf_init(&cd, 1 << 22, 0);
    hc_buf_init(&raw, HC_TX_MAX_SIZE, 0);
    items = calloc(q.n, sizeof *items);
    uint64_t pending = 0;
    if (!items) {
        err = HC_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < q.n; i++) {
        hc_mint m;
        if ((err = hc_ledger_mint_get(p->l, q.items[i].id, &m)))
            goto out;
        items[i].to = m.creator;
        memcpy(items[i].content_hash, m.content_hash, 32);
        memcpy(items[i].metadata_hash, m.metadata_hash, 32);
        items[i].royalty_bps = m.royalty_bps;
        memcpy(p->ids[i], m.id, 16);
    }
    /* nothing of ours is in flight: the chain's pending count is the nonce */
    if ((err = hc_rpc_get_transaction_count(p->rpc, &p->signer, "pending",
                                            &pending, &st)) ||
        (err = hc_nft_mint_batch_calldata(&cd, items, q.n)))
        goto out;
    tx.chain_id = hc_u256_from_u64(p->o.chain_id);
    tx.nonce = pending;
    tx.has_to = 1;
    tx.to = p->o.contract;
    if ((err = hc_tx_set_data(&tx, cd.data, cd.len)) ||
        (err = fees(p, &tx, &st)))
        goto out;
    uint64_t est;
    err = hc_rpc_estimate_gas(p->rpc, &p->signer, &p->o.contract, cd.data,
                              cd.len, NULL, &est, &st);
    if (err) {
        /* paused, missing role, or a node problem: the queue holds */
        log_err("batch_held", err, &st);
        goto out;
    }
    tx.gas_limit = est + est / 5;
    uint8_t hash[32];
    if ((err = hc_tx_sign(&tx, p->sk)) || (err = hc_tx_serialize(&raw, &tx)) ||
        (err = hc_tx_hash(hash, &tx)))
        goto out;
    hc_sent_tx s = {0};
    s.signer = p->signer;
    s.nonce = tx.nonce;
    memcpy(s.hash, hash, 32);
    s.raw = raw.data;
    s.raw_len = raw.len;
    s.sent_ms = now_ms();
    s.max_fee = tx.type == HC_TX_EIP1559 ? tx.max_fee_per_gas : tx.gas_price;
    s.priority_fee = tx.max_priority_fee_per_gas;
    s.mint_ids = &p->ids[0][0];
    s.n_mints = q.n;
    /* persisted before it is broadcast */
    struct submit_ctx x = {p, &s, (const uint8_t(*)[16])p->ids, q.n, pending};
    if ((err = hc_ledger_write(p->l, submit_write, &x)))
        goto out;
    p->inflight = 1;
    p->nonce = tx.nonce;
    p->n = q.n;
    memcpy(p->hashes[0], hash, 32);
    p->nhashes = 1;
    p->rounds_waiting = 0;
    uint8_t node_hash[32];
    err =
        hc_rpc_send_raw_transaction(p->rpc, raw.data, raw.len, node_hash, &st);
    if (err && !(err == HC_ERR_RPC && st.cls == HC_RPC_ALREADY_KNOWN))
        log_err("broadcast_failed", err, &st); /* retried while waiting */
    hc_metrics_add(p->m, "haechi_txs_sent_total", NULL, 1);
    hc_logline l;
    hc_log_begin(&l, HC_LOG_INFO, "batch_sent");
    hc_log_uint(&l, "nonce", tx.nonce);
    hc_log_uint(&l, "mints", q.n);
    hc_log_hex(&l, "tx_hash", hash, 32);
    hc_log_end(&l);
    err = HC_OK;
out:
    if (err)
        log_err("batch_failed", err, NULL);
    free(items);
    free(q.items);
    hc_tx_free(&tx);
    hc_buf_free(&cd);
    hc_buf_free(&raw);
}

/* Re-broadcasts the stored transactions of the batch in flight. */
static void rebroadcast(hc_pipeline *p)
{
    for (size_t i = 0; i < p->nhashes; i++) {
        uint8_t key[60];
        hc_buf b;
        hc_sent_tx s;
        hc_rpc_status st;
        uint8_t h[32];
        hc_sent_key(key, &p->signer, p->nonce, p->hashes[i]);
        hc_buf_init(&b, HC_TX_MAX_SIZE + (1 << 20), 0);
        if (hc_ledger_get(p->l, HC_LDB_SENT, key, sizeof key, &b) == HC_OK &&
            hc_sent_decode(&s, b.data, b.len) == HC_OK)
            (void)!hc_rpc_send_raw_transaction(p->rpc, s.raw, s.raw_len, h,
                                               &st);
        hc_buf_free(&b);
    }
}

static void follow_batch(hc_pipeline *p)
{
    hc_rpc_status st;
    for (size_t i = 0; i < p->nhashes; i++) {
        hc_receipt r;
        hc_err err = hc_rpc_get_receipt(p->rpc, p->hashes[i], &r, &st);
        if (err == HC_ERR_NOT_FOUND)
            continue;
        if (err) {
            log_err("receipt_failed", err, &st);
            return;
        }
        uint64_t head;
        err = hc_rpc_block_number(p->rpc, &head, &st);
        if (err || head + 1 < r.block_number + p->o.confirmations) {
            hc_receipt_free(&r);
            return; /* not deep enough yet */
        }
        hc_block b = {0};
        char tag[19];
        (void)!hc_rpc_get_block(p->rpc, hc_rpc_block_tag(tag, r.block_number),
                                &b, &st);
        struct finish_ctx x = {p, &r, b.timestamp * 1000, r.status != 1, 0, 0};
        err = hc_ledger_write(p->l, finish_write, &x);
        hc_logline l;
        hc_log_begin(&l, err ? HC_LOG_ERROR : HC_LOG_INFO, "batch_settled");
        hc_log_uint(&l, "nonce", p->nonce);
        hc_log_uint(&l, "block", r.block_number);
        hc_log_uint(&l, "confirmed", x.confirmed);
        hc_log_uint(&l, "conflicts", x.conflicts);
        hc_log_str(&l, "status", r.status == 1 ? "mined" : "reverted");
        if (err)
            hc_log_str(&l, "error", hc_strerror(err));
        hc_log_end(&l);
        if (!err) {
            hc_metrics_add(p->m, "haechi_txs_confirmed_total", NULL, 1);
            hc_metrics_add(p->m, "haechi_gas_used_total", NULL,
                           (double)r.gas_used);
            p->inflight = 0;
        }
        hc_receipt_free(&r);
        return;
    }
    if (++p->rounds_waiting % 25 == 0)
        rebroadcast(p);
}

/* After a restart: the submitted batch of the lowest nonce, if any. */
static void resume(hc_pipeline *p)
{
    struct pick q;
    if (pick(p, HC_MINT_SUBMITTED, MAX_BATCH, &q) != HC_OK || q.n == 0) {
        free(q.items);
        return;
    }
    p->n = 0;
    p->nhashes = 0;
    for (size_t i = 0; i < q.n; i++) {
        hc_mint m;
        if (hc_ledger_mint_get(p->l, q.items[i].id, &m) != HC_OK)
            continue;
        memcpy(p->ids[p->n++], m.id, 16);
        int seen = 0;
        for (size_t k = 0; k < p->nhashes; k++)
            seen |= !memcmp(p->hashes[k], m.tx_hash, 32);
        if (!seen && p->nhashes < MAX_HASHES)
            memcpy(p->hashes[p->nhashes++], m.tx_hash, 32);
    }
    p->nonce = q.nonce;
    p->inflight = p->n > 0;
    free(q.items);
    if (p->inflight) {
        hc_logline l;
        hc_log_begin(&l, HC_LOG_INFO, "batch_resumed");
        hc_log_uint(&l, "nonce", p->nonce);
        hc_log_uint(&l, "mints", p->n);
        hc_log_end(&l);
        rebroadcast(p);
    }
}

static void *worker(void *arg)
{
    hc_pipeline *p = arg;
    resume(p);
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        pthread_mutex_unlock(&p->mu);
        if (p->inflight)
            follow_batch(p);
        if (!p->inflight)
            start_batch(p);
        pthread_mutex_lock(&p->mu);
        if (p->stop)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)p->o.wait_ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&p->cv, &p->mu, &until);
    }
    pthread_mutex_unlock(&p->mu);
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
    if (!p->sk) {
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
    if (!p->o.confirmations)
        p->o.confirmations = 1;
    hc_err err = hc_key_address(&p->signer, p->sk);
    static const char *const counters[][2] = {
        {"haechi_txs_sent_total", "mint transactions broadcast"},
        {"haechi_txs_confirmed_total", "mint transactions settled"},
        {"haechi_gas_used_total", "gas used by settled mint transactions"},
    };
    for (size_t i = 0; !err && i < 3; i++) {
        hc_err e = hc_metrics_declare(m, counters[i][0], HC_METRIC_COUNTER,
                                      counters[i][1], NULL, 0);
        if (e && e != HC_ERR_EXISTS)
            err = e;
    }
    if (err) {
        sodium_free(p->sk);
        free(p);
        return err;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, worker, p) != 0) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        sodium_free(p->sk);
        free(p);
        return HC_ERR_NOMEM;
    }
    *out = p;
    return HC_OK;
}

void hc_pipeline_stop(hc_pipeline *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    sodium_free(p->sk); /* wipes */
    free(p);
}

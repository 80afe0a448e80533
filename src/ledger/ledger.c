/* The ledger: LMDB environment, writer lock, schema, map growth, the group
 * committer and the journal. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "haechi/codec.h"
#include "haechi/records.h"
#include "haechi/sha256.h"
#include "ledger_int.h"

static const char *const db_names[HC_LDB_COUNT] = {
    [HC_LDB_MINTS] = "mints",          [HC_LDB_TOKENS] = "tokens",
    [HC_LDB_METADATA] = "metadata",    [HC_LDB_NONCES] = "nonces",
    [HC_LDB_SENT] = "sent_txs",        [HC_LDB_OUTBOX] = "outbox",
    [HC_LDB_CLIENTS] = "clients",      [HC_LDB_KV] = "kv",
    [HC_LDB_IDEM] = "idx_idempotency", [HC_LDB_CONTENT] = "idx_content",
    [HC_LDB_OWNERS] = "idx_owners",    [HC_LDB_KEYS] = "idx_client_keys",
    [HC_LDB_ACTIVE] = "idx_active",
};

static const char *const kind_names[HC_J_KIND_END] = {
    [HC_J_GENESIS] = "genesis",
    [HC_J_CLIENT_ADDED] = "client_added",
    [HC_J_MINT_ACCEPTED] = "mint_accepted",
    [HC_J_MINT_STATE] = "mint_state",
    [HC_J_TX_SIGNED] = "tx_signed",
    [HC_J_TX_SENT] = "tx_sent",
    [HC_J_RECEIPT] = "receipt",
    [HC_J_TOKEN] = "token",
    [HC_J_OWNER_CHANGED] = "owner_changed",
    [HC_J_NONCE] = "nonce",
    [HC_J_OUTBOX] = "outbox",
    [HC_J_METADATA] = "metadata",
    [HC_J_KV] = "kv",
    [HC_J_UPGRADE] = "schema_upgrade",
    [HC_J_CLIENT_CHANGED] = "client_changed",
};

const char *hc_ldb_name(hc_ldb db)
{
    return (unsigned)db < HC_LDB_COUNT ? db_names[db] : "none";
}

const char *hc_jkind_name(uint16_t kind)
{
    if (kind < HC_J_KIND_END && kind_names[kind])
        return kind_names[kind];
    return "unknown";
}

hc_err hc__mdb_err(int rc)
{
    switch (rc) {
    case MDB_SUCCESS:
        return HC_OK;
    case MDB_NOTFOUND:
        return HC_ERR_NOT_FOUND;
    case MDB_KEYEXIST:
        return HC_ERR_EXISTS;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
        return HC_ERR_CORRUPT;
    case ENOMEM:
        return HC_ERR_NOMEM;
    case EACCES:
    case ENOENT:
    case ENOSPC:
    case EIO:
        return HC_ERR_IO;
    default:
        return HC_ERR_DB;
    }
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- journal entries */

hc_err hc__jentry_encode(hc_buf *b, uint8_t hash[32], uint64_t seq,
                         uint64_t time_ms, uint16_t kind, uint8_t db,
                         uint8_t op, const void *key, size_t klen,
                         const void *body, size_t blen, const uint8_t prev[32])
{
    hc_err err;
    hc_buf_reset(b);
    if ((err = hc_wr_u8(b, JOURNAL_VERSION)) || (err = hc_wr_u64(b, seq)) ||
        (err = hc_wr_u64(b, time_ms)) || (err = hc_wr_u16(b, kind)) ||
        (err = hc_wr_u8(b, db)) || (err = hc_wr_u8(b, op)) ||
        (err = hc_wr_bytes(b, key, klen)) ||
        (err = hc_wr_bytes(b, body, blen)) || (err = hc_wr_fixed(b, prev, 32)))
        return err;
    return hc_sha256(hash, b->data, b->len);
}

hc_err hc_jentry_decode(hc_jentry *e, const uint8_t *data, size_t len)
{
    hc_rd r;
    hc_rd_init(&r, data, len);
    if (hc_rd_u8(&r) != JOURNAL_VERSION && !r.err)
        return HC_ERR_VERSION;
    e->seq = hc_rd_u64(&r);
    e->time_ms = hc_rd_u64(&r);
    e->kind = hc_rd_u16(&r);
    e->db = hc_rd_u8(&r);
    e->op = hc_rd_u8(&r);
    hc_rd_bytes(&r, &e->key, &e->klen, MAX_KEY);
    hc_rd_bytes(&r, &e->body, &e->blen, MAX_BODY);
    hc_rd_fixed(&r, e->prev, 32);
    hc_err err = hc_rd_done(&r);
    if (err)
        return err;
    if ((e->op != OP_PUT && e->op != OP_DEL) ||
        (e->db != DB_NONE && e->db >= HC_LDB_RECORDS_END))
        return HC_ERR_CORRUPT;
    return hc_sha256(e->hash, data, len);
}

/* ---- read transactions and map growth */

hc_err hc__read_begin(hc_ledger *l, MDB_txn **txn)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        pthread_rwlock_rdlock(&l->resize_lock);
        int rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, txn);
        if (rc == MDB_SUCCESS)
            return HC_OK;
        pthread_rwlock_unlock(&l->resize_lock);
        if (rc != MDB_MAP_RESIZED)
            return hc__mdb_err(rc);
        /* another process grew the map: adopt its size */
        pthread_rwlock_wrlock(&l->resize_lock);
        rc = mdb_env_set_mapsize(l->env, 0);
        pthread_rwlock_unlock(&l->resize_lock);
        if (rc)
            return hc__mdb_err(rc);
    }
    return HC_ERR_DB;
}

void hc__read_end(hc_ledger *l, MDB_txn *txn)
{
    mdb_txn_abort(txn);
    pthread_rwlock_unlock(&l->resize_lock);
}

static hc_err grow_map(hc_ledger *l)
{
    if (l->map_size >= l->max_map_size)
        return HC_ERR_BUFFER;
    size_t next = l->map_size * 2;
    if (next > l->max_map_size || next < l->map_size)
        next = l->max_map_size;
    pthread_rwlock_wrlock(&l->resize_lock);
    int rc = mdb_env_set_mapsize(l->env, next);
    pthread_rwlock_unlock(&l->resize_lock);
    if (rc)
        return hc__mdb_err(rc);
    l->map_size = next;
    return HC_OK;
}

/* ---- write context */

static hc_err ltx_rc(hc_ltx *tx, int rc)
{
    if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL)
        tx->map_full = 1;
    return hc__mdb_err(rc);
}

uint64_t hc_ltx_now(const hc_ltx *tx)
{
    return tx->now;
}

static hc_err journal_append(hc_ltx *tx, uint16_t kind, uint8_t db, uint8_t op,
                             const void *key, size_t klen, const void *body,
                             size_t blen)
{
    uint8_t hash[32], k[8];
    uint64_t seq = tx->seq + 1;
    hc_err err = hc__jentry_encode(&tx->scratch, hash, seq, tx->now, kind, db,
                                   op, key, klen, body, blen, tx->hash);
    if (err)
        return err;
    hc_be64_put(k, seq);
    MDB_val mk = {8, k}, mv = {tx->scratch.len, tx->scratch.data};
    int rc = mdb_put(tx->txn, tx->l->journal, &mk, &mv, MDB_APPEND);
    if (rc)
        return ltx_rc(tx, rc);
    tx->seq = seq;
    memcpy(tx->hash, hash, 32);
    return HC_OK;
}

static int is_record_db(hc_ldb db)
{
    return (unsigned)db < HC_LDB_RECORDS_END;
}

static int is_index_db(hc_ldb db)
{
    return db >= HC_LDB_RECORDS_END && db < HC_LDB_COUNT;
}

hc_err hc_ltx_put(hc_ltx *tx, hc_ldb db, uint16_t kind, const void *key,
                  size_t klen, const void *body, size_t blen)
{
    if (!is_record_db(db) || klen == 0 || klen > MAX_KEY || blen > MAX_BODY ||
        (!body && blen))
        return HC_ERR_ARG;
    hc_err err =
        journal_append(tx, kind, (uint8_t)db, OP_PUT, key, klen, body, blen);
    if (err)
        return err;
    MDB_val mk = {klen, (void *)key}, mv = {8 + blen, NULL};
    int rc = mdb_put(tx->txn, tx->l->dbi[db], &mk, &mv, MDB_RESERVE);
    if (rc)
        return ltx_rc(tx, rc);
    hc_be64_put(mv.mv_data, tx->seq);
    if (blen)
        memcpy((uint8_t *)mv.mv_data + 8, body, blen);
    return HC_OK;
}

hc_err hc_ltx_del(hc_ltx *tx, hc_ldb db, uint16_t kind, const void *key,
                  size_t klen)
{
    if (!is_record_db(db) || klen == 0 || klen > MAX_KEY)
        return HC_ERR_ARG;
    MDB_val mk = {klen, (void *)key};
    int rc = mdb_del(tx->txn, tx->l->dbi[db], &mk, NULL);
    if (rc)
        return ltx_rc(tx, rc);
    return journal_append(tx, kind, (uint8_t)db, OP_DEL, key, klen, NULL, 0);
}

hc_err hc_ltx_get(hc_ltx *tx, hc_ldb db, const void *key, size_t klen,
                  const uint8_t **body, size_t *blen)
{
    if (!is_record_db(db) || klen == 0 || klen > MAX_KEY)
        return HC_ERR_ARG;
    MDB_val mk = {klen, (void *)key}, mv;
    int rc = mdb_get(tx->txn, tx->l->dbi[db], &mk, &mv);
    if (rc)
        return ltx_rc(tx, rc);
    if (mv.mv_size < 8)
        return HC_ERR_CORRUPT;
    *body = (const uint8_t *)mv.mv_data + 8;
    *blen = mv.mv_size - 8;
    return HC_OK;
}

hc_err hc_ltx_index_put(hc_ltx *tx, hc_ldb db, const void *key, size_t klen,
                        const void *val, size_t vlen, int overwrite)
{
    if (!is_index_db(db) || klen == 0 || klen > MAX_KEY)
        return HC_ERR_ARG;
    MDB_val mk = {klen, (void *)key}, mv = {vlen, (void *)val};
    int rc = mdb_put(tx->txn, tx->l->dbi[db], &mk, &mv,
                     overwrite ? 0 : MDB_NOOVERWRITE);
    return rc ? ltx_rc(tx, rc) : HC_OK;
}

hc_err hc_ltx_index_get(hc_ltx *tx, hc_ldb db, const void *key, size_t klen,
                        const uint8_t **val, size_t *vlen)
{
    if (!is_index_db(db) || klen == 0 || klen > MAX_KEY)
        return HC_ERR_ARG;
    MDB_val mk = {klen, (void *)key}, mv;
    int rc = mdb_get(tx->txn, tx->l->dbi[db], &mk, &mv);
    if (rc)
        return ltx_rc(tx, rc);
    *val = mv.mv_data;
    *vlen = mv.mv_size;
    return HC_OK;
}

hc_err hc_ltx_index_del(hc_ltx *tx, hc_ldb db, const void *key, size_t klen)
{
    if (!is_index_db(db) || klen == 0 || klen > MAX_KEY)
        return HC_ERR_ARG;
    MDB_val mk = {klen, (void *)key};
    int rc = mdb_del(tx->txn, tx->l->dbi[db], &mk, NULL);
    return rc ? ltx_rc(tx, rc) : HC_OK;
}

/* ---- the committer */

/* Returns LMDB's code. */
static int write_head(MDB_txn *txn, hc_ledger *l, uint64_t seq,
                      const uint8_t hash[32])
{
    uint8_t v[40];
    hc_be64_put(v, seq);
    memcpy(v + 8, hash, 32);
    MDB_val k = {4, "head"}, d = {sizeof v, v};
    return mdb_put(txn, l->meta, &k, &d, 0);
}

/* Runs one batch. Returns HC_OK (each request's own result is set), or
 * HC_ERR_BUFFER when the map must grow and the batch be retried. Any other
 * error is the commit's and applies to every request. *wrote: whether a
 * request's changes went into the commit. */
static hc_err run_batch(hc_ledger *l, struct req *batch, int *retry, int *wrote)
{
    MDB_txn *parent;
    hc_ltx tx;
    *retry = 0;
    *wrote = 0;
    int rc = mdb_txn_begin(l->env, NULL, 0, &parent);
    if (rc == MDB_MAP_RESIZED) {
        pthread_rwlock_wrlock(&l->resize_lock);
        rc = mdb_env_set_mapsize(l->env, 0);
        pthread_rwlock_unlock(&l->resize_lock);
        *retry = rc == 0;
        return hc__mdb_err(rc);
    }
    if (rc)
        return hc__mdb_err(rc);
    memset(&tx, 0, sizeof tx);
    tx.l = l;
    tx.now = now_ms();
    tx.seq = l->head_seq;
    memcpy(tx.hash, l->head_hash, 32);
    hc_buf_init(&tx.scratch, MAX_BODY + 1024, 0);

    hc_err err = HC_OK;
    for (struct req *r = batch; r; r = r->next) {
        uint64_t seq0 = tx.seq;
        uint8_t hash0[32];
        memcpy(hash0, tx.hash, 32);
        rc = mdb_txn_begin(l->env, parent, 0, &tx.txn);
        if (rc) {
            err = ltx_rc(&tx, rc);
            break;
        }
        r->result = r->fn(&tx, r->arg);
        if (tx.map_full) {
            mdb_txn_abort(tx.txn);
            break;
        }
        if (r->result == HC_OK) {
            rc = mdb_txn_commit(tx.txn);
            if (rc) {
                r->result = ltx_rc(&tx, rc);
                if (tx.map_full)
                    break;
            } else {
                *wrote = 1;
            }
        } else {
            mdb_txn_abort(tx.txn);
        }
        if (r->result != HC_OK) {
            tx.seq = seq0;
            memcpy(tx.hash, hash0, 32);
        }
    }
    tx.txn = NULL;
    if (!err && !tx.map_full && tx.seq != l->head_seq) {
        rc = write_head(parent, l, tx.seq, tx.hash);
        err = ltx_rc(&tx, rc);
    }
    if (tx.map_full) {
        err = HC_OK;
        mdb_txn_abort(parent);
        hc_buf_free(&tx.scratch);
        *retry = 1;
        return HC_ERR_BUFFER;
    }
    if (err) {
        mdb_txn_abort(parent);
    } else {
        rc = mdb_txn_commit(parent); /* durable: fsync */
        if (rc == MDB_MAP_FULL) {
            hc_buf_free(&tx.scratch);
            *retry = 1;
            return HC_ERR_BUFFER;
        }
        err = hc__mdb_err(rc);
        if (!err) {
            l->head_seq = tx.seq;
            memcpy(l->head_hash, tx.hash, 32);
        }
    }
    hc_buf_free(&tx.scratch);
    return err;
}

static void *committer(void *arg)
{
    hc_ledger *l = arg;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        while (!l->q_head && !l->stopping)
            pthread_cond_wait(&l->work, &l->mu);
        if (!l->q_head && l->stopping)
            break;
        /* take up to max_batch requests */
        struct req *batch = l->q_head, *last = batch;
        unsigned n = 1;
        uint64_t gen = ++l->taken;
        batch->gen = gen;
        while (last->next && n < l->max_batch) {
            last = last->next;
            last->gen = gen;
            n++;
        }
        l->q_head = last->next;
        if (!l->q_head)
            l->q_tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&l->mu);

        hc_err err;
        int retry, wrote;
        for (;;) {
            err = run_batch(l, batch, &retry, &wrote);
            if (!retry)
                break;
            if (err == HC_ERR_BUFFER) {
                hc_err g = grow_map(l);
                if (g) {
                    err = g;
                    break;
                }
            }
        }

        /* One broadcast wakes this batch's callers (those queued for the
         * next batch wait on the other condition variable). A request
         * lives on its caller's stack: read next before marking it done. */
        pthread_mutex_lock(&l->mu);
        if (wrote || err)
            l->write_status = err;
        for (struct req *r = batch, *next; r; r = next) {
            next = r->next;
            if (err)
                r->result = err;
            r->done = 1;
        }
        pthread_cond_broadcast(&l->batch_done[gen % 2]);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

hc_err hc_ledger_write(hc_ledger *l, hc_ledger_fn fn, void *arg)
{
    struct req r;
    if (!l || !fn)
        return HC_ERR_ARG;
    if (l->read_only)
        return HC_ERR_ARG;
    r.fn = fn;
    r.arg = arg;
    r.result = HC_OK;
    r.done = 0;
    r.gen = 0;
    r.next = NULL;
    pthread_mutex_lock(&l->mu);
    if (l->stopping) {
        pthread_mutex_unlock(&l->mu);
        return HC_ERR_CLOSED;
    }
    l->callers++;
    if (l->q_tail)
        l->q_tail->next = &r;
    else
        l->q_head = &r;
    l->q_tail = &r;
    pthread_cond_signal(&l->work);
    /* the batch that will take r is the next one, unless it is full */
    while (!r.done)
        pthread_cond_wait(&l->batch_done[(r.gen ? r.gen : l->taken + 1) % 2],
                          &l->mu);
    /* the last caller out lets hc_ledger_close free the ledger */
    if (--l->callers == 0 && l->stopping)
        pthread_cond_broadcast(&l->done);
    pthread_mutex_unlock(&l->mu);
    return r.result;
}

hc_err hc_ledger_write_status(hc_ledger *l)
{
    if (!l)
        return HC_ERR_ARG;
    pthread_mutex_lock(&l->mu);
    hc_err err = l->write_status;
    pthread_mutex_unlock(&l->mu);
    return err;
}

static hc_err probe_write(hc_ltx *tx, void *arg)
{
    (void)arg;
    uint8_t v[8];
    hc_be64_put(v, tx->now);
    MDB_val k = {5, "probe"}, d = {sizeof v, v};
    return ltx_rc(tx, mdb_put(tx->txn, tx->l->meta, &k, &d, 0));
}

hc_err hc_ledger_probe(hc_ledger *l)
{
    return hc_ledger_write(l, probe_write, NULL);
}

/* ---- open / close */

/* Schema 1 -> 2: the live-mints index, built from the mints in the opening
 * write transaction (derived, so not journaled). A mint that does not
 * decode gets no row; verify reports it. Returns LMDB's code. */
static int build_active(MDB_txn *txn, hc_ledger *l)
{
    MDB_cursor *cur;
    MDB_val k, v;
    int rc = mdb_drop(txn, l->dbi[HC_LDB_ACTIVE], 0);
    if (!rc)
        rc = mdb_cursor_open(txn, l->dbi[HC_LDB_MINTS], &cur);
    if (rc)
        return rc;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        hc_mint m;
        if (v.mv_size < 8 ||
            hc_mint_decode(&m, (const uint8_t *)v.mv_data + 8, v.mv_size - 8) !=
                HC_OK ||
            (m.state != HC_MINT_QUEUED && m.state != HC_MINT_SUBMITTED))
            continue;
        uint8_t ak[HC_ACTIVE_KEY_LEN];
        hc_active_key(ak, m.state, m.created_ms, m.id);
        MDB_val ik = {sizeof ak, ak}, iv = {0, NULL};
        if ((rc = mdb_put(txn, l->dbi[HC_LDB_ACTIVE], &ik, &iv, 0)))
            break;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* An LMDB code of an upgrade step: HC_ERR_BUFFER when the map is full. */
static hc_err upgrade_err(int rc)
{
    return rc == MDB_MAP_FULL || rc == MDB_TXN_FULL ? HC_ERR_BUFFER
                                                    : hc__mdb_err(rc);
}

/* Schema 3: moves each token record from its token id to mint id ‖ token
 * id, journaled as a delete and a put (HC_J_UPGRADE) so that the journal
 * still accounts for every record, then rebuilds the owner index (not
 * journaled, like every index). A record that does not decode is not
 * moved; verify reports it. l->head_* are the journal head on entry,
 * and on return once it succeeded (load_or_init reads the head again
 * before a retry). */
static hc_err rekey_tokens(MDB_txn *txn, hc_ledger *l)
{
    MDB_cursor *cur;
    MDB_val k, v;
    uint8_t(*old)[32] = NULL;
    size_t n = 0, cap = 0;
    hc_ltx tx = {.l = l, .txn = txn, .now = now_ms(), .seq = l->head_seq};
    hc_err err = HC_OK;
    memcpy(tx.hash, l->head_hash, 32);
    int rc = mdb_cursor_open(txn, l->dbi[HC_LDB_TOKENS], &cur);
    if (rc)
        return hc__mdb_err(rc);
    /* the old keys first: the moves change the tree under a cursor */
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != 32)
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            void *p = realloc(old, nc * sizeof *old);
            if (!p) {
                rc = ENOMEM;
                break;
            }
            old = p;
            cap = nc;
        }
        memcpy(old[n++], k.mv_data, 32);
    }
    mdb_cursor_close(cur);
    if (rc && rc != MDB_NOTFOUND) {
        free(old);
        return rc == ENOMEM ? HC_ERR_NOMEM : hc__mdb_err(rc);
    }
    hc_buf body;
    hc_buf_init(&body, 4096, 0);
    hc_buf_init(&tx.scratch, 1 << 16, 0);
    for (size_t i = 0; i < n && !err; i++) {
        hc_token t;
        uint8_t key[HC_TOKEN_KEY_LEN];
        MDB_val ok = {32, old[i]};
        if ((rc = mdb_get(txn, l->dbi[HC_LDB_TOKENS], &ok, &v))) {
            err = hc__mdb_err(rc);
            break;
        }
        hc_buf_reset(&body);
        if (v.mv_size < 8) /* left for verify (below: not moved) */
            continue;
        if ((err = hc_buf_append(&body, (const uint8_t *)v.mv_data + 8,
                                 v.mv_size - 8)))
            break;
        /* a record that does not decode, or is not this token's, stays
         * where it is: verify reports it (as build_active leaves a mint
         * that does not decode), and the ledger still opens */
        if (hc_token_decode(&t, body.data, body.len) ||
            memcmp(t.id, old[i], 32) != 0)
            continue;
        hc_token_key(key, t.mint_id, t.id);
        err = hc_ltx_del(&tx, HC_LDB_TOKENS, HC_J_UPGRADE, old[i], 32);
        if (!err)
            err = hc_ltx_put(&tx, HC_LDB_TOKENS, HC_J_UPGRADE, key, sizeof key,
                             body.data, body.len);
    }
    free(old);
    hc_buf_free(&tx.scratch);
    /* the owner index anew, from the moved records */
    if (!err)
        err = upgrade_err(mdb_drop(txn, l->dbi[HC_LDB_OWNERS], 0));
    if (!err)
        err = hc__mdb_err(mdb_cursor_open(txn, l->dbi[HC_LDB_TOKENS], &cur));
    if (!err) {
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            hc_token t;
            uint8_t okey[HC_OWNER_KEY_LEN];
            if (k.mv_size != HC_TOKEN_KEY_LEN || v.mv_size < 8 ||
                hc_token_decode(&t, (const uint8_t *)v.mv_data + 8,
                                v.mv_size - 8) ||
                t.burned)
                continue; /* not moved (above), or no owner */
            hc_owner_key(okey, &t.owner, t.mint_id, t.id);
            MDB_val ik = {sizeof okey, okey}, iv = {0, NULL};
            if ((rc = mdb_put(txn, l->dbi[HC_LDB_OWNERS], &ik, &iv, 0)))
                break;
        }
        mdb_cursor_close(cur);
        if (rc != MDB_NOTFOUND)
            err = upgrade_err(rc);
    }
    hc_buf_free(&body);
    if (!err && tx.seq != l->head_seq)
        err = upgrade_err(write_head(txn, l, tx.seq, tx.hash));
    if (tx.map_full && (!err || err == HC_ERR_DB))
        err = HC_ERR_BUFFER;
    if (!err) {
        l->head_seq = tx.seq;
        memcpy(l->head_hash, tx.hash, 32);
    }
    return err;
}

/* Returns HC_ERR_BUFFER when the map is too small for an upgrade. */
static hc_err load_or_init(hc_ledger *l)
{
    MDB_txn *txn;
    unsigned flags = l->read_only ? MDB_RDONLY : 0;
    int rc = mdb_txn_begin(l->env, NULL, flags, &txn);
    if (rc)
        return hc__mdb_err(rc);
    unsigned dflags = l->read_only ? 0 : MDB_CREATE;
    hc_err err = HC_OK;
    rc = mdb_dbi_open(txn, "meta", dflags, &l->meta);
    if (!rc)
        rc = mdb_dbi_open(txn, "journal", dflags, &l->journal);
    if (rc) {
        err = rc == MDB_NOTFOUND ? HC_ERR_NOT_FOUND : hc__mdb_err(rc);
        goto fail;
    }
    /* the schema before the other databases: a reader of an older ledger
     * may miss one that this version has */
    uint32_t schema = 0;
    MDB_val k = {6, "schema"}, v;
    rc = mdb_get(txn, l->meta, &k, &v);
    if (rc == MDB_NOTFOUND && l->read_only) {
        err = HC_ERR_NOT_FOUND;
        goto fail;
    }
    if (rc && rc != MDB_NOTFOUND) {
        err = hc__mdb_err(rc);
        goto fail;
    }
    if (!rc) {
        if (v.mv_size != 4) {
            err = HC_ERR_CORRUPT;
            goto fail;
        }
        const uint8_t *sb = v.mv_data;
        schema = (uint32_t)sb[0] << 24 | (uint32_t)sb[1] << 16 |
                 (uint32_t)sb[2] << 8 | sb[3];
        if (schema == 0) {
            err = HC_ERR_CORRUPT;
            goto fail;
        }
        /* newer: refused; older: only a writer may upgrade it, and a
         * reader cannot read it as this schema */
        if (schema > HC_LEDGER_SCHEMA ||
            (l->read_only && schema < HC_LEDGER_SCHEMA)) {
            err = HC_ERR_VERSION;
            goto fail;
        }
    }
    rc = 0;
    for (int i = 0; !rc && i < HC_LDB_COUNT; i++)
        rc = mdb_dbi_open(txn, db_names[i], dflags, &l->dbi[i]);
    if (rc) {
        /* a reader: the schema says this database exists */
        err = rc == MDB_NOTFOUND   ? HC_ERR_CORRUPT
              : rc == MDB_MAP_FULL ? HC_ERR_BUFFER
                                   : hc__mdb_err(rc);
        goto fail;
    }
    if (schema == 0) {
        /* a new ledger: schema version and the genesis entry */
        uint8_t s[4] = {0, 0, 0, HC_LEDGER_SCHEMA}, hash[32], zero[32] = {0};
        hc_buf b;
        MDB_val sv = {4, s};
        if ((rc = mdb_put(txn, l->meta, &k, &sv, 0))) {
            err = hc__mdb_err(rc);
            goto fail;
        }
        hc_buf_init(&b, 4096, 0);
        err = hc__jentry_encode(&b, hash, 1, now_ms(), HC_J_GENESIS, DB_NONE,
                                OP_PUT, "haechi", 6, s, 4, zero);
        if (!err) {
            uint8_t key[8];
            hc_be64_put(key, 1);
            MDB_val jk = {8, key}, jv = {b.len, b.data};
            rc = mdb_put(txn, l->journal, &jk, &jv, 0);
            err = hc__mdb_err(rc);
        }
        hc_buf_free(&b);
        if (!err)
            err = hc__mdb_err(write_head(txn, l, 1, hash));
        if (err)
            goto fail;
        l->head_seq = 1;
        memcpy(l->head_hash, hash, 32);
        rc = mdb_txn_commit(txn);
        return hc__mdb_err(rc);
    }
    MDB_val hk = {4, "head"}, hv;
    rc = mdb_get(txn, l->meta, &hk, &hv);
    if (!rc && hv.mv_size == 40) {
        l->head_seq = hc_be64_get(hv.mv_data);
        memcpy(l->head_hash, (const uint8_t *)hv.mv_data + 8, 32);
    } else if (!l->read_only || (rc && rc != MDB_NOTFOUND)) {
        /* the writer needs the head; a reader (verify) reports a bad one */
        err = rc && rc != MDB_NOTFOUND ? hc__mdb_err(rc) : HC_ERR_CORRUPT;
        goto fail;
    }
    if (schema < HC_LEDGER_SCHEMA) {
        /* an upgrade, committed with the open (a writer only, see above) */
        uint8_t s[4] = {0, 0, 0, HC_LEDGER_SCHEMA};
        MDB_val sv = {4, s};
        rc = schema < 2 ? build_active(txn, l) : 0;
        if (rc) {
            err = rc == MDB_MAP_FULL ? HC_ERR_BUFFER : hc__mdb_err(rc);
            goto fail;
        }
        if ((err = rekey_tokens(txn, l)))
            goto fail;
        if ((rc = mdb_put(txn, l->meta, &k, &sv, 0))) {
            err = rc == MDB_MAP_FULL ? HC_ERR_BUFFER : hc__mdb_err(rc);
            goto fail;
        }
    }
    /* commit, not abort: database handles opened in an aborted transaction
     * are closed with it */
    rc = mdb_txn_commit(txn);
    return rc == MDB_MAP_FULL ? HC_ERR_BUFFER : hc__mdb_err(rc);
fail:
    mdb_txn_abort(txn);
    return err;
}

hc_err hc_ledger_open(hc_ledger **out, const char *dir,
                      const hc_ledger_opts *opts)
{
    hc_ledger_opts def = {0};
    hc_err err;
    int rc;
    char path[4096];
    if (!out || !dir)
        return HC_ERR_ARG;
    *out = NULL;
    if (!opts)
        opts = &def;
    hc_ledger *l = calloc(1, sizeof *l);
    if (!l)
        return HC_ERR_NOMEM;
    l->lock_fd = -1;
    l->read_only = opts->read_only;
    l->map_size = opts->map_size ? opts->map_size : (size_t)64 << 20;
    l->max_map_size = opts->max_map_size ? opts->max_map_size : (size_t)1 << 40;
    l->max_batch = opts->max_batch ? opts->max_batch : 1024;
    pthread_rwlock_init(&l->resize_lock, NULL);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->work, NULL);
    pthread_cond_init(&l->done, NULL);
    pthread_cond_init(&l->batch_done[0], NULL);
    pthread_cond_init(&l->batch_done[1], NULL);

    if (snprintf(path, sizeof path, "%s/data.mdb", dir) >= (int)sizeof path) {
        err = HC_ERR_ARG;
        goto fail;
    }
    if (l->read_only) {
        if (access(path, R_OK) != 0) {
            err = errno == ENOENT ? HC_ERR_NOT_FOUND : HC_ERR_IO;
            goto fail;
        }
    } else {
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            err = HC_ERR_IO;
            goto fail;
        }
        /* one writer process per ledger */
        snprintf(path, sizeof path, "%s/haechi.lock", dir);
        l->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (l->lock_fd < 0) {
            err = HC_ERR_IO;
            goto fail;
        }
        if (flock(l->lock_fd, LOCK_EX | LOCK_NB) != 0) {
            err = errno == EWOULDBLOCK ? HC_ERR_LOCKED : HC_ERR_IO;
            goto fail;
        }
    }
    if ((rc = mdb_env_create(&l->env))) {
        err = hc__mdb_err(rc);
        goto fail;
    }
    mdb_env_set_maxdbs(l->env, HC_LDB_COUNT + 2);
    mdb_env_set_maxreaders(l->env, 512);
    mdb_env_set_mapsize(l->env, l->map_size);
    rc = mdb_env_open(l->env, dir, MDB_NOTLS | (l->read_only ? MDB_RDONLY : 0),
                      0600);
    if (rc) {
        err = rc == EAGAIN ? HC_ERR_LOCKED : hc__mdb_err(rc);
        goto fail;
    }
    int dead = 0;
    mdb_reader_check(l->env, &dead); /* clear slots of dead processes */
    MDB_envinfo info;
    if (mdb_env_info(l->env, &info) == 0 && info.me_mapsize > l->map_size)
        l->map_size = info.me_mapsize;
    /* an upgrade may need a bigger map */
    while ((err = load_or_init(l)) == HC_ERR_BUFFER && !l->read_only) {
        hc_err g = grow_map(l);
        if (g) {
            err = g;
            break;
        }
    }
    if (err)
        goto fail;
    if (!l->read_only) {
        if (pthread_create(&l->thread, NULL, committer, l) != 0) {
            err = HC_ERR_NOMEM;
            goto fail;
        }
        l->thread_started = 1;
    }
    *out = l;
    return HC_OK;
fail:
    hc_ledger_close(l);
    return err;
}

void hc_ledger_close(hc_ledger *l)
{
    if (!l)
        return;
    if (l->thread_started) {
        pthread_mutex_lock(&l->mu);
        l->stopping = 1;
        pthread_cond_broadcast(&l->work);
        pthread_mutex_unlock(&l->mu);
        pthread_join(l->thread, NULL);
        /* callers woken by the last commit still need l->mu: wait until they
         * have left hc_ledger_write */
        pthread_mutex_lock(&l->mu);
        while (l->callers)
            pthread_cond_wait(&l->done, &l->mu);
        pthread_mutex_unlock(&l->mu);
    }
    if (l->env)
        mdb_env_close(l->env);
    if (l->lock_fd >= 0)
        close(l->lock_fd); /* releases the writer lock */
    pthread_cond_destroy(&l->batch_done[1]);
    pthread_cond_destroy(&l->batch_done[0]);
    pthread_cond_destroy(&l->done);
    pthread_cond_destroy(&l->work);
    pthread_mutex_destroy(&l->mu);
    pthread_rwlock_destroy(&l->resize_lock);
    free(l);
}

/* ---- reading */

hc_err hc_ledger_get(hc_ledger *l, hc_ldb db, const void *key, size_t klen,
                     hc_buf *out)
{
    MDB_txn *txn;
    if (!is_record_db(db) || klen == 0 || klen > MAX_KEY)
        return HC_ERR_ARG;
    hc_err err = hc__read_begin(l, &txn);
    if (err)
        return err;
    MDB_val mk = {klen, (void *)key}, mv;
    int rc = mdb_get(txn, l->dbi[db], &mk, &mv);
    err = hc__mdb_err(rc);
    if (!err && mv.mv_size < 8)
        err = HC_ERR_CORRUPT;
    if (!err) {
        hc_buf_reset(out);
        err =
            hc_buf_append(out, (const uint8_t *)mv.mv_data + 8, mv.mv_size - 8);
    }
    hc__read_end(l, txn);
    return err;
}

hc_err hc_ledger_index_get(hc_ledger *l, hc_ldb db, const void *key,
                           size_t klen, hc_buf *out)
{
    MDB_txn *txn;
    if (!is_index_db(db) || klen == 0 || klen > MAX_KEY)
        return HC_ERR_ARG;
    hc_err err = hc__read_begin(l, &txn);
    if (err)
        return err;
    MDB_val mk = {klen, (void *)key}, mv;
    err = hc__mdb_err(mdb_get(txn, l->dbi[db], &mk, &mv));
    if (!err) {
        hc_buf_reset(out);
        err = hc_buf_append(out, mv.mv_data, mv.mv_size);
    }
    hc__read_end(l, txn);
    return err;
}

hc_err hc_ledger_scan(hc_ledger *l, hc_ldb db, const void *prefix, size_t plen,
                      const void *after, size_t after_len, size_t limit,
                      hc_ledger_iter_fn fn, void *arg)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    if ((unsigned)db >= HC_LDB_COUNT || plen > MAX_KEY || after_len > MAX_KEY)
        return HC_ERR_ARG;
    hc_err err = hc__read_begin(l, &txn);
    if (err)
        return err;
    int rc = mdb_cursor_open(txn, l->dbi[db], &cur);
    if (rc) {
        hc__read_end(l, txn);
        return hc__mdb_err(rc);
    }
    MDB_val k, v;
    /* start at the greater of after and prefix: an after cursor that sorts
     * before the prefix must not end the scan at the first key */
    int from_after = after_len > 0;
    if (from_after && plen) {
        int c = memcmp(after, prefix, after_len < plen ? after_len : plen);
        from_after = c > 0 || (c == 0 && after_len >= plen);
    }
    if (from_after) {
        k.mv_size = after_len;
        k.mv_data = (void *)after;
    } else {
        k.mv_size = plen;
        k.mv_data = (void *)prefix;
    }
    rc = k.mv_size ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)
                   : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    size_t seen = 0;
    while (rc == 0 && (limit == 0 || seen < limit)) {
        if (k.mv_size < plen ||
            (plen && memcmp(k.mv_data, prefix, plen) != 0)) /* NULL if 0 */
            break;
        if (after_len && k.mv_size == after_len &&
            memcmp(k.mv_data, after, after_len) == 0) {
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            continue;
        }
        const uint8_t *val = v.mv_data;
        size_t vlen = v.mv_size;
        if (is_record_db(db)) {
            if (vlen < 8) {
                err = HC_ERR_CORRUPT;
                break;
            }
            val += 8;
            vlen -= 8;
        }
        seen++;
        if (fn(arg, k.mv_data, k.mv_size, val, vlen))
            break;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (!err && rc && rc != MDB_NOTFOUND)
        err = hc__mdb_err(rc);
    mdb_cursor_close(cur);
    hc__read_end(l, txn);
    return err;
}

hc_err hc_ledger_head(hc_ledger *l, uint64_t *seq, uint8_t hash[32])
{
    MDB_txn *txn;
    hc_err err = hc__read_begin(l, &txn);
    if (err)
        return err;
    MDB_val k = {4, "head"}, v;
    err = hc__mdb_err(mdb_get(txn, l->meta, &k, &v));
    if (!err && v.mv_size != 40)
        err = HC_ERR_CORRUPT;
    if (!err) {
        *seq = hc_be64_get(v.mv_data);
        memcpy(hash, (const uint8_t *)v.mv_data + 8, 32);
    }
    hc__read_end(l, txn);
    return err;
}

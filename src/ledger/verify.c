/* hc_ledger_verify and hc_ledger_stats_get. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/codec.h"
#include "haechi/hex.h"
#include "haechi/records.h"
#include "haechi/sha256.h"
#include "ledger_int.h"

static hc_err bad(hc_ledger_report *r, uint64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static hc_err bad(hc_ledger_report *r, uint64_t seq, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->problem, sizeof r->problem, fmt, ap);
    va_end(ap);
    r->bad_seq = seq;
    return HC_ERR_CORRUPT;
}

/* A set of 32-byte digests (open addressing), for records that a journal
 * entry wrote and a later entry must delete, each with the seq of the entry
 * that last wrote it. */
#define SLOT 41 /* [0] used flag, [1..32] digest, [33..40] seq */
typedef struct {
    uint8_t (*slots)[SLOT];
    size_t cap, n;
} digest_set;

static hc_err set_add(digest_set *s, const uint8_t d[32], uint64_t seq)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        uint8_t(*slots)[SLOT] = calloc(cap, SLOT);
        if (!slots)
            return HC_ERR_NOMEM;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slots[i][0])
                continue;
            size_t j = (size_t)hc_be64_get(s->slots[i] + 1) & (cap - 1);
            while (slots[j][0])
                j = (j + 1) & (cap - 1);
            memcpy(slots[j], s->slots[i], SLOT);
        }
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    size_t j = (size_t)hc_be64_get(d) & (s->cap - 1);
    while (s->slots[j][0]) {
        if (memcmp(s->slots[j] + 1, d, 32) == 0) {
            hc_be64_put(s->slots[j] + 33, seq);
            return HC_OK;
        }
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j][0] = 1;
    memcpy(s->slots[j] + 1, d, 32);
    hc_be64_put(s->slots[j] + 33, seq);
    s->n++;
    return HC_OK;
}

/* Removes d; returns 1 if it was there. (Backward-shift deletion.) */
static int set_del(digest_set *s, const uint8_t d[32])
{
    if (!s->cap)
        return 0;
    size_t j = (size_t)hc_be64_get(d) & (s->cap - 1);
    while (s->slots[j][0]) {
        if (memcmp(s->slots[j] + 1, d, 32) == 0) {
            s->slots[j][0] = 0;
            s->n--;
            /* re-insert the rest of the cluster */
            size_t k = (j + 1) & (s->cap - 1);
            while (s->slots[k][0]) {
                uint8_t tmp[SLOT];
                memcpy(tmp, s->slots[k], SLOT);
                s->slots[k][0] = 0;
                s->n--;
                /* cannot grow: n is smaller */
                (void)set_add(s, tmp + 1, hc_be64_get(tmp + 33));
                k = (k + 1) & (s->cap - 1);
            }
            return 1;
        }
        j = (j + 1) & (s->cap - 1);
    }
    return 0;
}

/* The smallest seq in the set (the set is not empty). */
static uint64_t set_first_seq(const digest_set *s)
{
    uint64_t first = UINT64_MAX;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i][0] && hc_be64_get(s->slots[i] + 33) < first)
            first = hc_be64_get(s->slots[i] + 33);
    return first;
}

static hc_err rec_digest(uint8_t out[32], uint8_t db, const uint8_t *key,
                         size_t klen)
{
    hc_sha256_ctx c;
    hc_err err = hc_sha256_init(&c);
    if (!err)
        err = hc_sha256_update(&c, &db, 1);
    if (!err)
        err = hc_sha256_update(&c, key, klen);
    if (!err)
        err = hc_sha256_final(&c, out);
    hc_sha256_free(&c);
    return err;
}

static void key_hex(char *out, size_t cap, const uint8_t *k, size_t n)
{
    if (n > (cap - 3) / 2)
        n = (cap - 3) / 2;
    hc_hex_encode(out, k, n, 1);
}

/* Pass 1: the journal chain, and each entry against the current record. */
static hc_err walk_journal(hc_ledger *l, MDB_txn *txn, hc_ledger_report *rep)
{
    MDB_cursor *cur;
    MDB_val k, v;
    uint8_t prev[32] = {0};
    uint64_t expect = 1;
    digest_set pending = {0};
    char kh[160];
    hc_err err = HC_OK;
    int rc = mdb_cursor_open(txn, l->journal, &cur);
    if (rc)
        return hc__mdb_err(rc);
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), expect++) {
        hc_jentry e;
        if (k.mv_size != 8) {
            err = bad(rep, expect, "journal key of %zu bytes", k.mv_size);
            break;
        }
        uint64_t kseq = hc_be64_get(k.mv_data);
        if (kseq != expect) {
            err =
                bad(rep, expect, "journal entry %llu is missing (next is %llu)",
                    (unsigned long long)expect, (unsigned long long)kseq);
            break;
        }
        hc_err derr = hc_jentry_decode(&e, v.mv_data, v.mv_size);
        if (derr) {
            err = bad(rep, expect, "journal entry %llu is malformed: %s",
                      (unsigned long long)expect, hc_strerror(derr));
            break;
        }
        if (e.seq != kseq) {
            err = bad(rep, expect,
                      "journal entry %llu says it is entry %llu (moved?)",
                      (unsigned long long)kseq, (unsigned long long)e.seq);
            break;
        }
        if (memcmp(e.prev, prev, 32) != 0) {
            err = bad(rep, expect,
                      "journal entry %llu does not follow entry %llu: the "
                      "chain of hashes is broken (one of them was changed)",
                      (unsigned long long)expect,
                      (unsigned long long)(expect - 1));
            break;
        }
        if (expect == 1 && e.kind != HC_J_GENESIS) {
            err = bad(rep, 1, "journal entry 1 is not the genesis entry");
            break;
        }
        memcpy(prev, e.hash, 32);
        rep->entries++;
        if (e.db == DB_NONE)
            continue;
        if (e.klen == 0) {
            err = bad(rep, expect, "journal entry %llu writes an empty key",
                      (unsigned long long)expect);
            break;
        }

        /* the record this entry wrote must still be this write or a later
         * one; a delete must have removed it (or a later write re-created
         * it) */
        MDB_val rk = {e.klen, (void *)e.key}, rv;
        uint8_t dig[32];
        if ((err = rec_digest(dig, e.db, e.key, e.klen)))
            break;
        rc = mdb_get(txn, l->dbi[e.db], &rk, &rv);
        key_hex(kh, sizeof kh, e.key, e.klen);
        if (rc == MDB_NOTFOUND) {
            if (e.op == OP_PUT) {
                if ((err = set_add(&pending, dig, expect)))
                    break;
            } else if (!set_del(&pending, dig)) {
                err = bad(rep, expect,
                          "journal entry %llu deletes %s %s, never written",
                          (unsigned long long)expect, hc_ldb_name(e.db), kh);
                break;
            }
            continue;
        }
        if (rc) {
            err = bad(rep, expect,
                      "journal entry %llu: the database failed reading %s %s "
                      "(%s)",
                      (unsigned long long)expect, hc_ldb_name(e.db), kh,
                      mdb_strerror(rc));
            break;
        }
        set_del(&pending, dig);
        if (rv.mv_size < 8) {
            err = bad(rep, expect, "%s %s: value too short", hc_ldb_name(e.db),
                      kh);
            break;
        }
        uint64_t rseq = hc_be64_get(rv.mv_data);
        if (rseq < expect) {
            err = bad(rep, expect,
                      "%s %s was written by journal entry %llu but holds the "
                      "value of entry %llu (rolled back or resurrected)",
                      hc_ldb_name(e.db), kh, (unsigned long long)expect,
                      (unsigned long long)rseq);
            break;
        }
        if (rseq == expect &&
            (e.op != OP_PUT || rv.mv_size - 8 != e.blen ||
             memcmp((const uint8_t *)rv.mv_data + 8, e.body, e.blen) != 0)) {
            err = bad(rep, expect,
                      "%s %s differs from what journal entry %llu wrote",
                      hc_ldb_name(e.db), kh, (unsigned long long)expect);
            break;
        }
    }
    if (!err && rc && rc != MDB_NOTFOUND)
        err = hc__mdb_err(rc);
    if (!err && pending.n) {
        /* name the earliest entry whose record is gone */
        uint64_t first = set_first_seq(&pending);
        uint8_t jk[8];
        hc_jentry e;
        hc_be64_put(jk, first);
        MDB_val jkey = {8, jk}, jv;
        e.db = DB_NONE;
        kh[0] = 0;
        if (mdb_get(txn, l->journal, &jkey, &jv) == 0 &&
            hc_jentry_decode(&e, jv.mv_data, jv.mv_size) == HC_OK)
            key_hex(kh, sizeof kh, e.key, e.klen);
        err = bad(rep, first,
                  "%s %s, written by journal entry %llu, is missing from the "
                  "database (%zu record(s) missing)",
                  hc_ldb_name(e.db), kh, (unsigned long long)first, pending.n);
    }
    mdb_cursor_close(cur);
    free(pending.slots);
    if (err)
        return err;

    /* the stored head must be the last entry */
    MDB_val hk = {4, "head"}, hv;
    rc = mdb_get(txn, l->meta, &hk, &hv);
    if (rc || hv.mv_size != 40)
        return bad(rep, 0, "the journal head is missing");
    uint64_t hseq = hc_be64_get(hv.mv_data), last = expect - 1;
    if (hseq != last || memcmp((const uint8_t *)hv.mv_data + 8, prev, 32) != 0)
        /* the first bad entry: the last one if only its hash differs, else
         * the first one missing (hseq > last) or unexpected (hseq < last) */
        return bad(rep, hseq == last ? last : (hseq < last ? hseq : last) + 1,
                   "the journal head (entry %llu) does not match the last "
                   "entry (%llu) or its hash",
                   (unsigned long long)hseq, (unsigned long long)last);
    return HC_OK;
}

typedef hc_err (*row_fn)(hc_ledger *l, MDB_txn *txn, hc_ledger_report *rep,
                         const MDB_val *k, const uint8_t *body, size_t blen,
                         uint64_t seq);

static hc_err each_row(hc_ledger *l, MDB_txn *txn, hc_ldb db,
                       hc_ledger_report *rep, row_fn fn)
{
    MDB_cursor *cur;
    MDB_val k, v;
    hc_err err = HC_OK;
    int rc = mdb_cursor_open(txn, l->dbi[db], &cur);
    if (rc)
        return hc__mdb_err(rc);
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && !err;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const uint8_t *body = v.mv_data;
        size_t blen = v.mv_size;
        uint64_t seq = 0;
        if (db < HC_LDB_RECORDS_END) {
            char kh[160];
            key_hex(kh, sizeof kh, k.mv_data, k.mv_size);
            if (blen < 8) {
                err =
                    bad(rep, 0, "%s %s: value too short", hc_ldb_name(db), kh);
                break;
            }
            seq = hc_be64_get(body);
            body += 8;
            blen -= 8;
            /* the journal entry that wrote it must exist and match */
            uint8_t jk[8];
            hc_be64_put(jk, seq);
            MDB_val jkey = {8, jk}, jv;
            hc_jentry e;
            if (mdb_get(txn, l->journal, &jkey, &jv) != 0 ||
                hc_jentry_decode(&e, jv.mv_data, jv.mv_size) != HC_OK ||
                e.db != db || e.op != OP_PUT || e.klen != k.mv_size ||
                memcmp(e.key, k.mv_data, e.klen) != 0 || e.blen != blen ||
                memcmp(e.body, body, blen) != 0) {
                err = bad(rep, seq,
                          "%s %s is not what journal entry %llu wrote "
                          "(changed or forged)",
                          hc_ldb_name(db), kh, (unsigned long long)seq);
                break;
            }
            rep->records++;
        } else {
            rep->index_rows++;
        }
        if (fn)
            err = fn(l, txn, rep, &k, body, blen, seq);
    }
    if (!err && rc && rc != MDB_NOTFOUND)
        err = hc__mdb_err(rc);
    mdb_cursor_close(cur);
    return err;
}

static int get_rec(hc_ledger *l, MDB_txn *txn, hc_ldb db, const void *key,
                   size_t klen, const uint8_t **body, size_t *blen)
{
    MDB_val k = {klen, (void *)key}, v;
    if (mdb_get(txn, l->dbi[db], &k, &v) != 0 || v.mv_size < 8)
        return 0;
    *body = (const uint8_t *)v.mv_data + 8;
    *blen = v.mv_size - 8;
    return 1;
}

static int get_idx(hc_ledger *l, MDB_txn *txn, hc_ldb db, const void *key,
                   size_t klen, const uint8_t **val, size_t *vlen)
{
    MDB_val k = {klen, (void *)key}, v;
    if (mdb_get(txn, l->dbi[db], &k, &v) != 0)
        return 0;
    *val = v.mv_data;
    *vlen = v.mv_size;
    return 1;
}

static int is_live(int state)
{
    return state == HC_MINT_QUEUED || state == HC_MINT_SUBMITTED;
}

static hc_err check_mint(hc_ledger *l, MDB_txn *txn, hc_ledger_report *rep,
                         const MDB_val *k, const uint8_t *body, size_t blen,
                         uint64_t seq)
{
    hc_mint m;
    char kh[40];
    const uint8_t *v;
    size_t vlen;
    key_hex(kh, sizeof kh, k->mv_data, k->mv_size);
    if (hc_mint_decode(&m, body, blen) || k->mv_size != 16 ||
        memcmp(m.id, k->mv_data, 16) != 0)
        return bad(rep, seq, "mint %s: malformed record", kh);
    if (m.idem_key[0]) {
        uint8_t ik[HC_CLIENT_MAX + 1 + HC_IDEM_MAX];
        size_t n = hc_idem_key(ik, m.client, m.idem_key);
        if (!get_idx(l, txn, HC_LDB_IDEM, ik, n, &v, &vlen) || vlen != 16 ||
            memcmp(v, m.id, 16) != 0)
            return bad(rep, seq, "mint %s: idempotency index row missing", kh);
    }
    int has = get_idx(l, txn, HC_LDB_CONTENT, m.content_hash, 32, &v, &vlen);
    if (m.state != HC_MINT_FAILED &&
        (!has || vlen != 16 || memcmp(v, m.id, 16) != 0))
        return bad(rep, seq, "mint %s: content index row missing", kh);
    if (is_live(m.state)) {
        uint8_t ak[HC_ACTIVE_KEY_LEN];
        hc_active_key(ak, m.state, m.created_ms, m.id);
        if (!get_idx(l, txn, HC_LDB_ACTIVE, ak, sizeof ak, &v, &vlen) ||
            vlen != 0)
            return bad(rep, seq, "mint %s (%s): live-mints index row missing",
                       kh, hc_mint_state_name(m.state));
    }
    return HC_OK;
}

static hc_err check_token(hc_ledger *l, MDB_txn *txn, hc_ledger_report *rep,
                          const MDB_val *k, const uint8_t *body, size_t blen,
                          uint64_t seq)
{
    hc_token t;
    char kh[2 * HC_TOKEN_KEY_LEN + 4];
    uint8_t tk[HC_TOKEN_KEY_LEN], ok[HC_OWNER_KEY_LEN];
    const uint8_t *v;
    size_t vlen;
    key_hex(kh, sizeof kh, k->mv_data, k->mv_size);
    if (hc_token_decode(&t, body, blen) || k->mv_size != sizeof tk)
        return bad(rep, seq, "token %s: malformed record", kh);
    hc_token_key(tk, t.mint_id, t.id);
    if (memcmp(tk, k->mv_data, sizeof tk) != 0)
        return bad(rep, seq, "token %s: malformed record", kh);
    /* found by its id through the content index */
    if (!get_idx(l, txn, HC_LDB_CONTENT, t.id, 32, &v, &vlen) || vlen != 16 ||
        memcmp(v, t.mint_id, 16) != 0)
        return bad(rep, seq, "token %s: content index row missing", kh);
    hc_owner_key(ok, &t.owner, t.mint_id, t.id);
    if (!t.burned && !get_idx(l, txn, HC_LDB_OWNERS, ok, sizeof ok, &v, &vlen))
        return bad(rep, seq, "token %s: owner index row missing", kh);
    return HC_OK;
}

static hc_err check_client(hc_ledger *l, MDB_txn *txn, hc_ledger_report *rep,
                           const MDB_val *k, const uint8_t *body, size_t blen,
                           uint64_t seq)
{
    hc_client c;
    const uint8_t *v;
    size_t vlen;
    if (hc_client_decode(&c, body, blen) || k->mv_size != strlen(c.name) ||
        memcmp(c.name, k->mv_data, k->mv_size) != 0)
        return bad(rep, seq, "client record %llu: malformed",
                   (unsigned long long)seq);
    if (!get_idx(l, txn, HC_LDB_KEYS, c.key_id, HC_KEY_ID_LEN, &v, &vlen) ||
        vlen != k->mv_size || memcmp(v, c.name, vlen) != 0)
        return bad(rep, seq, "client %s: key index row missing", c.name);
    return HC_OK;
}

#define DECODE_CHECK(fn_name, type, decode, label)                             \
    static hc_err fn_name(hc_ledger *l, MDB_txn *txn, hc_ledger_report *rep,   \
                          const MDB_val *k, const uint8_t *body, size_t blen,  \
                          uint64_t seq)                                        \
    {                                                                          \
        type x;                                                                \
        (void)l;                                                               \
        (void)txn;                                                             \
        (void)k;                                                               \
        if (decode(&x, body, blen))                                            \
            return bad(rep, seq, "%s record of entry %llu is malformed",       \
                       label, (unsigned long long)seq);                        \
        return HC_OK;                                                          \
    }
DECODE_CHECK(check_nonce, hc_nonce_state, hc_nonce_decode, "nonce")
DECODE_CHECK(check_sent, hc_sent_tx, hc_sent_decode, "sent transaction")
DECODE_CHECK(check_outbox, hc_outbox_item, hc_outbox_decode, "outbox")

static hc_err check_idem_row(hc_ledger *l, MDB_txn *txn, hc_ledger_report *rep,
                             const MDB_val *k, const uint8_t *val, size_t vlen,
                             uint64_t seq)
{
    const uint8_t *body;
    size_t blen;
    hc_mint m;
    uint8_t ik[HC_CLIENT_MAX + 1 + HC_IDEM_MAX];
    (void)seq;
    if (vlen != 16 || !get_rec(l, txn, HC_LDB_MINTS, val, 16, &body, &blen) ||
        hc_mint_decode(&m, body, blen))
        return bad(rep, 0, "idempotency index row points to no mint");
    size_t n = hc_idem_key(ik, m.client, m.idem_key);
    if (!m.idem_key[0] || n != k->mv_size || memcmp(ik, k->mv_data, n) != 0)
        return bad(rep, 0, "idempotency index row disagrees with its mint");
    return HC_OK;
}

static hc_err check_content_row(hc_ledger *l, MDB_txn *txn,
                                hc_ledger_report *rep, const MDB_val *k,
                                const uint8_t *val, size_t vlen, uint64_t seq)
{
    const uint8_t *body;
    size_t blen;
    hc_mint m;
    (void)seq;
    if (vlen != 16 || !get_rec(l, txn, HC_LDB_MINTS, val, 16, &body, &blen) ||
        hc_mint_decode(&m, body, blen))
        return bad(rep, 0, "content index row points to no mint");
    if (k->mv_size != 32 || memcmp(m.content_hash, k->mv_data, 32) != 0 ||
        m.state == HC_MINT_FAILED)
        return bad(rep, 0, "content index row disagrees with its mint");
    return HC_OK;
}

static hc_err check_owner_row(hc_ledger *l, MDB_txn *txn, hc_ledger_report *rep,
                              const MDB_val *k, const uint8_t *val, size_t vlen,
                              uint64_t seq)
{
    const uint8_t *body;
    size_t blen;
    hc_token t;
    (void)seq;
    (void)val;
    if (k->mv_size != HC_OWNER_KEY_LEN || vlen != 0 ||
        !get_rec(l, txn, HC_LDB_TOKENS, (const uint8_t *)k->mv_data + 20,
                 HC_TOKEN_KEY_LEN, &body, &blen) ||
        hc_token_decode(&t, body, blen))
        return bad(rep, 0, "owner index row points to no token");
    if (t.burned || memcmp(t.owner.b, k->mv_data, 20) != 0)
        return bad(rep, 0, "owner index row disagrees with its token");
    return HC_OK;
}

static hc_err check_key_row(hc_ledger *l, MDB_txn *txn, hc_ledger_report *rep,
                            const MDB_val *k, const uint8_t *val, size_t vlen,
                            uint64_t seq)
{
    const uint8_t *body;
    size_t blen;
    hc_client c;
    (void)seq;
    if (vlen == 0 || vlen > HC_CLIENT_MAX ||
        !get_rec(l, txn, HC_LDB_CLIENTS, val, vlen, &body, &blen) ||
        hc_client_decode(&c, body, blen))
        return bad(rep, 0, "client key index row points to no client");
    if (k->mv_size != HC_KEY_ID_LEN ||
        memcmp(c.key_id, k->mv_data, HC_KEY_ID_LEN) != 0)
        return bad(rep, 0, "client key index row disagrees with its client");
    return HC_OK;
}

static hc_err check_active_row(hc_ledger *l, MDB_txn *txn,
                               hc_ledger_report *rep, const MDB_val *k,
                               const uint8_t *val, size_t vlen, uint64_t seq)
{
    const uint8_t *body, *key = k->mv_data;
    size_t blen;
    hc_mint m;
    (void)seq;
    (void)val;
    if (k->mv_size != HC_ACTIVE_KEY_LEN || vlen != 0 ||
        !get_rec(l, txn, HC_LDB_MINTS, key + 9, 16, &body, &blen) ||
        hc_mint_decode(&m, body, blen))
        return bad(rep, 0, "live-mints index row points to no mint");
    if (!is_live(key[0]) || m.state != key[0] ||
        m.created_ms != hc_be64_get(key + 1))
        return bad(rep, 0,
                   "live-mints index row (%s) disagrees with its mint (%s)",
                   hc_mint_state_name(key[0]), hc_mint_state_name(m.state));
    return HC_OK;
}

hc_err hc_ledger_verify(hc_ledger *l, hc_ledger_report *rep)
{
    static const row_fn checks[HC_LDB_COUNT] = {
        [HC_LDB_MINTS] = check_mint,
        [HC_LDB_TOKENS] = check_token,
        [HC_LDB_NONCES] = check_nonce,
        [HC_LDB_SENT] = check_sent,
        [HC_LDB_OUTBOX] = check_outbox,
        [HC_LDB_CLIENTS] = check_client,
        [HC_LDB_IDEM] = check_idem_row,
        [HC_LDB_CONTENT] = check_content_row,
        [HC_LDB_OWNERS] = check_owner_row,
        [HC_LDB_KEYS] = check_key_row,
        [HC_LDB_ACTIVE] = check_active_row,
    };
    MDB_txn *txn;
    memset(rep, 0, sizeof *rep);
    hc_err err = hc__read_begin(l, &txn);
    if (err)
        return err;
    err = walk_journal(l, txn, rep);
    for (int db = 0; !err && db < HC_LDB_COUNT; db++)
        err = each_row(l, txn, (hc_ldb)db, rep, checks[db]);
    hc__read_end(l, txn);
    return err;
}

static int count_state(void *arg, const uint8_t *k, size_t klen,
                       const uint8_t *v, size_t vlen)
{
    hc_ledger_stats *st = arg;
    hc_mint m;
    (void)k;
    (void)klen;
    if (hc_mint_decode(&m, v, vlen) == HC_OK && m.state < 8)
        st->mints_by_state[m.state]++;
    return 0;
}

hc_err hc_ledger_stats_get(hc_ledger *l, hc_ledger_stats *st)
{
    MDB_txn *txn;
    MDB_stat ms;
    MDB_envinfo info;
    memset(st, 0, sizeof *st);
    hc_err err = hc__read_begin(l, &txn);
    if (err)
        return err;
    for (int db = 0; db < HC_LDB_COUNT && !err; db++) {
        err = hc__mdb_err(mdb_stat(txn, l->dbi[db], &ms));
        st->entries[db] = ms.ms_entries;
    }
    if (!err)
        err = hc__mdb_err(mdb_stat(txn, l->journal, &ms));
    if (!err)
        st->journal_entries = ms.ms_entries;
    MDB_val hk = {4, "head"}, hv;
    if (!err && mdb_get(txn, l->meta, &hk, &hv) == 0 && hv.mv_size == 40) {
        st->head_seq = hc_be64_get(hv.mv_data);
        memcpy(st->head_hash, (const uint8_t *)hv.mv_data + 8, 32);
    }
    if (!err && mdb_env_info(l->env, &info) == 0) {
        MDB_stat es;
        st->map_size = info.me_mapsize;
        if (mdb_env_stat(l->env, &es) == 0)
            st->used_bytes = (uint64_t)(info.me_last_pgno + 1) * es.ms_psize;
    }
    hc__read_end(l, txn);
    if (!err)
        err = hc_ledger_scan(l, HC_LDB_MINTS, NULL, 0, NULL, 0, 0, count_state,
                             st);
    return err;
}

hc_err hc_ledger_journal_get(hc_ledger *l, uint64_t seq, hc_buf *out)
{
    MDB_txn *txn;
    uint8_t k[8];
    hc_be64_put(k, seq);
    hc_err err = hc__read_begin(l, &txn);
    if (err)
        return err;
    MDB_val mk = {8, k}, mv;
    err = hc__mdb_err(mdb_get(txn, l->journal, &mk, &mv));
    if (!err) {
        hc_buf_reset(out);
        err = hc_buf_append(out, mv.mv_data, mv.mv_size);
    }
    hc__read_end(l, txn);
    return err;
}

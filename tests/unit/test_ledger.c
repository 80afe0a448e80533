/* Ledger: open/close, group commit, journal, verify, records. */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "haechi/codec.h"
#include "haechi/ledger.h"
#include "haechi/records.h"
#include "haechi/sha256.h"
#include "testutil.h"

static char *make_dir(void)
{
    char *d = strdup("/tmp/hc_ledger_test_XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void remove_dir(char *d)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
    free(d);
}

struct kv {
    const char *key;
    const char *val;
};

static hc_err put_kv(hc_ltx *tx, void *arg)
{
    struct kv *kv = arg;
    return hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, kv->key, strlen(kv->key), kv->val,
                      strlen(kv->val));
}

static hc_err fail_after_put(hc_ltx *tx, void *arg)
{
    hc_err err = put_kv(tx, arg);
    return err ? err : HC_ERR_CONFLICT;
}

static void test_open_write_verify(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_ledger_report rep;
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    struct kv a = {"alpha", "one"}, b = {"beta", "two"}, c = {"gamma", "x"};
    assert_int_equal(hc_ledger_write(l, put_kv, &a), HC_OK);
    assert_int_equal(hc_ledger_write(l, fail_after_put, &c), HC_ERR_CONFLICT);
    assert_int_equal(hc_ledger_write(l, put_kv, &b), HC_OK);
    hc_buf out;
    hc_buf_init(&out, 1024, 0);
    assert_int_equal(hc_ledger_get(l, HC_LDB_KV, "beta", 4, &out), HC_OK);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "two", 3);
    /* the failed write left nothing behind */
    assert_int_equal(hc_ledger_get(l, HC_LDB_KV, "gamma", 5, &out),
                     HC_ERR_NOT_FOUND);
    uint64_t seq;
    uint8_t h[32];
    assert_int_equal(hc_ledger_head(l, &seq, h), HC_OK);
    assert_int_equal(seq, 3); /* genesis + 2 */
    assert_int_equal(hc_ledger_verify(l, &rep), HC_OK);
    assert_int_equal(rep.entries, 3);
    /* a second writer is refused */
    hc_ledger *l2;
    assert_int_equal(hc_ledger_open(&l2, dir, NULL), HC_ERR_LOCKED);
    hc_ledger_close(l);
    /* reopen: head is kept, writes continue the chain */
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    struct kv d = {"alpha", "uno"};
    assert_int_equal(hc_ledger_write(l, put_kv, &d), HC_OK);
    assert_int_equal(hc_ledger_verify(l, &rep), HC_OK);
    assert_int_equal(rep.entries, 4);
    hc_ledger_close(l);
    hc_buf_free(&out);
    remove_dir(dir);
}

static void test_mint_accept(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_ledger_report rep;
    hc_accept_outcome oc;
    hc_mint m, ex, got;
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    memset(&m, 0, sizeof m);
    memset(m.id, 1, 16);
    memset(m.content_hash, 2, 32);
    memset(m.request_hash, 3, 32);
    m.state = HC_MINT_QUEUED;
    strcpy(m.client, "jongno-gu");
    strcpy(m.idem_key, "req-1");
    assert_int_equal(hc_ledger_mint_accept(l, &m, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_NEW);
    assert_int_equal(hc_ledger_mint_accept(l, &m, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_REPLAY);
    assert_memory_equal(ex.id, m.id, 16);
    hc_mint m2 = m;
    m2.request_hash[0] = 9;
    assert_int_equal(hc_ledger_mint_accept(l, &m2, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_KEY_REUSED);
    m2 = m;
    memset(m2.id, 7, 16);
    strcpy(m2.idem_key, "req-2");
    assert_int_equal(hc_ledger_mint_accept(l, &m2, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_DUPLICATE);
    assert_int_equal(hc_ledger_mint_get(l, m.id, &got), HC_OK);
    assert_string_equal(got.client, "jongno-gu");
    assert_int_equal(hc_ledger_verify(l, &rep), HC_OK);
    hc_ledger_close(l);
    remove_dir(dir);
}

/* ---- helpers */

static void verify_ok(hc_ledger *l)
{
    hc_ledger_report rep;
    hc_err err = hc_ledger_verify(l, &rep);
    if (err)
        fail_msg("verify: %s: %s (entry %llu)", hc_strerror(err), rep.problem,
                 (unsigned long long)rep.bad_seq);
}

static uint64_t head_seq(hc_ledger *l)
{
    uint64_t seq;
    uint8_t h[32];
    assert_int_equal(hc_ledger_head(l, &seq, h), HC_OK);
    return seq;
}

static void mk_mint(hc_mint *m, uint8_t id, uint8_t content, const char *idem)
{
    memset(m, 0, sizeof *m);
    memset(m->id, id, 16);
    memset(m->content_hash, content, 32);
    memset(m->metadata_hash, 0x5a, 32);
    memset(m->request_hash, id ^ content, 32);
    memset(m->creator.b, 0xc0, 20);
    m->royalty_bps = 500;
    m->state = HC_MINT_QUEUED;
    strcpy(m->client, "jongno-gu");
    strcpy(m->idem_key, idem);
    m->content_size = 1000 + id;
    m->created_ms = m->updated_ms = 1700000000000ull;
}

struct mint_put {
    const hc_mint *m;
    uint16_t kind;
};

static hc_err mint_put_fn(hc_ltx *tx, void *arg)
{
    struct mint_put *a = arg;
    return hc_ltx_mint_put(tx, a->m, a->kind);
}

static hc_err mint_put(hc_ledger *l, const hc_mint *m, uint16_t kind)
{
    struct mint_put a = {m, kind};
    return hc_ledger_write(l, mint_put_fn, &a);
}

struct token_put {
    const hc_token *t;
    uint16_t kind;
};

static hc_err token_put_fn(hc_ltx *tx, void *arg)
{
    struct token_put *a = arg;
    return hc_ltx_token_put(tx, a->t, a->kind);
}

static hc_err token_put(hc_ledger *l, const hc_token *t, uint16_t kind)
{
    struct token_put a = {t, kind};
    return hc_ledger_write(l, token_put_fn, &a);
}

static hc_err nonce_put_fn(hc_ltx *tx, void *arg)
{
    return hc_ltx_nonce_put(tx, arg);
}

static hc_err sent_put_fn(hc_ltx *tx, void *arg)
{
    return hc_ltx_sent_put(tx, arg, HC_J_TX_SENT);
}

static hc_err outbox_put_fn(hc_ltx *tx, void *arg)
{
    return hc_ltx_outbox_put(tx, arg);
}

struct del {
    hc_ldb db;
    uint16_t kind;
    const void *key;
    size_t klen;
};

static hc_err del_fn(hc_ltx *tx, void *arg)
{
    struct del *d = arg;
    return hc_ltx_del(tx, d->db, d->kind, d->key, d->klen);
}

/* Collects the keys (and value lengths) a scan visits. */
#define MAX_SEEN 128
struct seen {
    size_t n, stop_at; /* stop_at: return 1 after that many (0 = never) */
    uint8_t key[MAX_SEEN][HC_OWNER_KEY_LEN];
    size_t klen[MAX_SEEN];
    uint8_t val[MAX_SEEN][16];
    size_t vlen[MAX_SEEN];
};

static int seen_fn(void *arg, const uint8_t *key, size_t klen,
                   const uint8_t *val, size_t vlen)
{
    struct seen *s = arg;
    assert_true(s->n < MAX_SEEN);
    assert_true(klen <= HC_OWNER_KEY_LEN);
    memcpy(s->key[s->n], key, klen);
    s->klen[s->n] = klen;
    memcpy(s->val[s->n], val, vlen < 16 ? vlen : 16);
    s->vlen[s->n] = vlen;
    s->n++;
    return s->stop_at && s->n >= s->stop_at;
}

static int index_has(hc_ledger *l, hc_ldb db, const void *key, size_t klen,
                     const void *val, size_t vlen)
{
    hc_buf b;
    hc_buf_init(&b, 1024, 0);
    hc_err err = hc_ledger_index_get(l, db, key, klen, &b);
    assert_true(err == HC_OK || err == HC_ERR_NOT_FOUND);
    int ok = err == HC_OK &&
             (!val ||
              (b.len == vlen && (vlen == 0 || memcmp(b.data, val, vlen) == 0)));
    hc_buf_free(&b);
    return ok;
}

/* Raw LMDB access to a closed ledger's directory. */
static MDB_env *raw_open(const char *dir)
{
    MDB_env *env;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
    assert_int_equal(mdb_env_open(env, dir, MDB_NOSYNC, 0600), 0);
    return env;
}

static void raw_put(const char *dir, const char *dbname, const void *key,
                    size_t klen, const void *val, size_t vlen)
{
    MDB_env *env = raw_open(dir);
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, dbname, 0, &dbi), 0);
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* ---- mints */

static void test_mint_states(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_accept_outcome oc;
    hc_mint a, b, ex, got;
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    /* a request without an idempotency key: no idempotency row */
    mk_mint(&a, 0x11, 0xa1, "");
    assert_int_equal(hc_ledger_mint_accept(l, &a, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_NEW);
    assert_true(index_has(l, HC_LDB_CONTENT, a.content_hash, 32, a.id, 16));
    hc_ledger_stats st;
    assert_int_equal(hc_ledger_stats_get(l, &st), HC_OK);
    assert_int_equal(st.entries[HC_LDB_IDEM], 0);
    assert_int_equal(st.entries[HC_LDB_CONTENT], 1);
    /* the same content again, with or without a key: duplicate */
    mk_mint(&b, 0x22, 0xa1, "k-b");
    assert_int_equal(hc_ledger_mint_accept(l, &b, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_DUPLICATE);
    assert_memory_equal(ex.id, a.id, 16);
    assert_int_equal(hc_ledger_mint_get(l, b.id, &got), HC_ERR_NOT_FOUND);
    /* a duplicate stores nothing, not even its idempotency key */
    assert_false(index_has(l, HC_LDB_IDEM, "jongno-gu\0k-b", 13, NULL, 0));
    /* only queued mints are accepted */
    mk_mint(&b, 0x22, 0xb2, "k-b");
    b.state = HC_MINT_SUBMITTED;
    assert_int_equal(hc_ledger_mint_accept(l, &b, &oc, &ex), HC_ERR_ARG);
    assert_int_equal(hc_ledger_mint_get(l, b.id, &got), HC_ERR_NOT_FOUND);
    uint64_t seq = head_seq(l);

    /* queued -> submitted -> confirmed keeps the content row */
    a.state = HC_MINT_SUBMITTED;
    a.has_tx = 1;
    a.nonce = 4;
    memset(a.signer.b, 0x5e, 20);
    memset(a.tx_hash, 0x7f, 32);
    assert_int_equal(mint_put(l, &a, HC_J_TX_SENT), HC_OK);
    assert_int_equal(head_seq(l), seq + 1);
    assert_int_equal(hc_ledger_mint_get(l, a.id, &got), HC_OK);
    assert_int_equal(got.state, HC_MINT_SUBMITTED);
    assert_int_equal(got.nonce, 4);
    assert_true(index_has(l, HC_LDB_CONTENT, a.content_hash, 32, a.id, 16));
    verify_ok(l);

    /* failed: the content is free for a new request */
    a.state = HC_MINT_FAILED;
    strcpy(a.reason, "replaced by fee bump limit");
    assert_int_equal(mint_put(l, &a, HC_J_MINT_STATE), HC_OK);
    assert_false(index_has(l, HC_LDB_CONTENT, a.content_hash, 32, NULL, 0));
    assert_int_equal(hc_ledger_mint_get(l, a.id, &got), HC_OK);
    assert_string_equal(got.reason, "replaced by fee bump limit");
    verify_ok(l);
    /* failing it again changes nothing in the index */
    assert_int_equal(mint_put(l, &a, HC_J_MINT_STATE), HC_OK);
    verify_ok(l);
    mk_mint(&b, 0x33, 0xa1, "k-c");
    assert_int_equal(hc_ledger_mint_accept(l, &b, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_NEW);
    assert_true(index_has(l, HC_LDB_CONTENT, b.content_hash, 32, b.id, 16));
    verify_ok(l);
    /* the failed mint cannot take its content back while b holds it */
    seq = head_seq(l);
    a.state = HC_MINT_QUEUED;
    assert_int_equal(mint_put(l, &a, HC_J_MINT_STATE), HC_ERR_CONFLICT);
    assert_int_equal(head_seq(l), seq); /* rolled back, journal too */
    assert_int_equal(hc_ledger_mint_get(l, a.id, &got), HC_OK);
    assert_int_equal(got.state, HC_MINT_FAILED);
    /* b confirmed; then a different mint failing leaves b's row alone */
    b.state = HC_MINT_CONFIRMED;
    b.block = 77;
    assert_int_equal(mint_put(l, &b, HC_J_RECEIPT), HC_OK);
    assert_true(index_has(l, HC_LDB_CONTENT, b.content_hash, 32, b.id, 16));
    a.state = HC_MINT_FAILED;
    assert_int_equal(mint_put(l, &a, HC_J_MINT_STATE), HC_OK);
    assert_true(index_has(l, HC_LDB_CONTENT, b.content_hash, 32, b.id, 16));
    /* a conflict keeps the content (it is taken, on chain) */
    hc_mint c;
    mk_mint(&c, 0x44, 0xc3, "k-d");
    assert_int_equal(hc_ledger_mint_accept(l, &c, &oc, &ex), HC_OK);
    c.state = HC_MINT_CONFLICT;
    memset(c.chain_owner.b, 0xee, 20);
    assert_int_equal(mint_put(l, &c, HC_J_MINT_STATE), HC_OK);
    assert_true(index_has(l, HC_LDB_CONTENT, c.content_hash, 32, c.id, 16));
    /* an idempotent replay returns the current state */
    assert_int_equal(hc_ledger_mint_accept(l, &b, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_REPLAY);
    assert_int_equal(ex.state, HC_MINT_CONFIRMED);
    /* an invalid record is refused */
    c.state = 0;
    assert_int_equal(mint_put(l, &c, HC_J_MINT_STATE), HC_ERR_ARG);
    verify_ok(l);
    assert_int_equal(hc_ledger_stats_get(l, &st), HC_OK);
    assert_int_equal(st.entries[HC_LDB_MINTS], 3);
    assert_int_equal(st.mints_by_state[HC_MINT_FAILED], 1);
    assert_int_equal(st.mints_by_state[HC_MINT_CONFIRMED], 1);
    assert_int_equal(st.mints_by_state[HC_MINT_CONFLICT], 1);
    assert_int_equal(st.entries[HC_LDB_CONTENT], 2);
    assert_int_equal(st.entries[HC_LDB_IDEM], 2);
    assert_int_equal(st.journal_entries, head_seq(l));
    assert_int_equal(st.head_seq, head_seq(l));
    hc_ledger_close(l);
    remove_dir(dir);
}

/* ---- tokens and the owner index */

static void owners_of(hc_ledger *l, const hc_address *owner, struct seen *s)
{
    memset(s, 0, sizeof *s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_OWNERS, owner->b, 20, NULL, 0, 0, seen_fn, s),
        HC_OK);
}

struct mint_update {
    const hc_mint *m;
    int mismatch; /* pass a prev with another id */
};

/* Reads the stored mint and updates it to *a->m with hc_ltx_mint_update. */
static hc_err mint_update_fn(hc_ltx *tx, void *arg)
{
    struct mint_update *a = arg;
    hc_mint prev;
    hc_err err = hc_ltx_mint_get(tx, a->m->id, &prev);
    if (err)
        return err;
    if (a->mismatch)
        prev.id[15] ^= 1;
    return hc_ltx_mint_update(tx, &prev, a->m, HC_J_MINT_STATE);
}

/* hc_ltx_mint_update keeps the indexes as hc_ltx_mint_put does. */
static void test_mint_update(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_accept_outcome oc;
    hc_mint a, b, ex, got;
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    mk_mint(&a, 1, 0xa1, "");
    mk_mint(&b, 2, 0xa1, ""); /* the same content */
    assert_int_equal(hc_ledger_mint_accept(l, &a, &oc, &ex), HC_OK);

    struct mint_update u = {&a, 1};
    a.state = HC_MINT_SUBMITTED;
    assert_int_equal(hc_ledger_write(l, mint_update_fn, &u), HC_ERR_ARG);
    u.mismatch = 0;
    assert_int_equal(hc_ledger_write(l, mint_update_fn, &u), HC_OK);
    assert_int_equal(hc_ledger_mint_get(l, a.id, &got), HC_OK);
    assert_int_equal(got.state, HC_MINT_SUBMITTED);
    assert_true(index_has(l, HC_LDB_CONTENT, a.content_hash, 32, a.id, 16));
    uint8_t k[HC_ACTIVE_KEY_LEN];
    hc_active_key(k, HC_MINT_SUBMITTED, a.created_ms, a.id);
    assert_true(index_has(l, HC_LDB_ACTIVE, k, sizeof k, "", 0));
    hc_active_key(k, HC_MINT_QUEUED, a.created_ms, a.id);
    assert_false(index_has(l, HC_LDB_ACTIVE, k, sizeof k, NULL, 0));
    verify_ok(l);

    /* failed: the content is free again, for another mint */
    a.state = HC_MINT_FAILED;
    assert_int_equal(hc_ledger_write(l, mint_update_fn, &u), HC_OK);
    assert_false(index_has(l, HC_LDB_CONTENT, a.content_hash, 32, NULL, 0));
    hc_active_key(k, HC_MINT_SUBMITTED, a.created_ms, a.id);
    assert_false(index_has(l, HC_LDB_ACTIVE, k, sizeof k, NULL, 0));
    assert_int_equal(hc_ledger_mint_accept(l, &b, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_NEW);
    assert_true(index_has(l, HC_LDB_CONTENT, b.content_hash, 32, b.id, 16));

    /* confirmed: the content stays b's, the live row goes */
    b.state = HC_MINT_CONFIRMED;
    u.m = &b;
    assert_int_equal(hc_ledger_write(l, mint_update_fn, &u), HC_OK);
    assert_true(index_has(l, HC_LDB_CONTENT, b.content_hash, 32, b.id, 16));
    hc_active_key(k, HC_MINT_QUEUED, b.created_ms, b.id);
    assert_false(index_has(l, HC_LDB_ACTIVE, k, sizeof k, NULL, 0));
    verify_ok(l);
    hc_ledger_close(l);
    remove_dir(dir);
}

static void test_tokens(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_token t[3], got;
    hc_mint m[3];
    hc_address alice, bob;
    struct seen s;
    memset(alice.b, 0xa1, 20);
    memset(bob.b, 0xb0, 20);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    for (int i = 0; i < 3; i++) {
        /* later token ids, earlier mints: rows follow the mints */
        mk_mint(&m[i], (uint8_t)(0x32 - i), (uint8_t)(0x10 + i), "");
        m[i].state = HC_MINT_CONFIRMED;
        assert_int_equal(mint_put(l, &m[i], HC_J_RECEIPT), HC_OK);
        memset(&t[i], 0, sizeof t[i]);
        memcpy(t[i].id, m[i].content_hash, 32);
        memcpy(t[i].mint_id, m[i].id, 16);
        t[i].creator = alice;
        t[i].owner = alice;
        t[i].royalty_bps = 100;
        t[i].block = 1000 + (uint64_t)i;
        assert_int_equal(token_put(l, &t[i], HC_J_TOKEN), HC_OK);
    }
    owners_of(l, &alice, &s);
    assert_int_equal(s.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s.klen[i], HC_OWNER_KEY_LEN);
        /* sorted by mint id */
        assert_memory_equal(s.key[i] + 20, t[2 - i].mint_id, 16);
        assert_memory_equal(s.key[i] + 36, t[2 - i].id, 32);
        assert_int_equal(s.vlen[i], 0);
    }
    owners_of(l, &bob, &s);
    assert_int_equal(s.n, 0);
    verify_ok(l);
    /* a token not made by the mint that holds its content is refused */
    uint64_t seq = head_seq(l);
    hc_token bad = t[0];
    memcpy(bad.mint_id, m[1].id, 16);
    assert_int_equal(token_put(l, &bad, HC_J_TOKEN), HC_ERR_ARG);
    memset(bad.id, 0x77, 32); /* no mint holds this content */
    assert_int_equal(token_put(l, &bad, HC_J_TOKEN), HC_ERR_ARG);
    assert_int_equal(head_seq(l), seq);
    /* transfer token 1 to bob */
    t[1].owner = bob;
    assert_int_equal(token_put(l, &t[1], HC_J_OWNER_CHANGED), HC_OK);
    owners_of(l, &alice, &s);
    assert_int_equal(s.n, 2);
    owners_of(l, &bob, &s);
    assert_int_equal(s.n, 1);
    assert_memory_equal(s.key[0] + 36, t[1].id, 32);
    assert_int_equal(hc_ledger_token_get(l, t[1].id, &got), HC_OK);
    assert_memory_equal(got.owner.b, bob.b, 20);
    uint8_t tk[HC_TOKEN_KEY_LEN];
    hc_token_key(tk, t[1].mint_id, t[1].id);
    memset(&got, 0, sizeof got);
    assert_int_equal(hc_ledger_token_get_key(l, tk, &got), HC_OK);
    assert_memory_equal(got.id, t[1].id, 32);
    assert_memory_equal(got.owner.b, bob.b, 20);
    verify_ok(l);
    /* a transfer to the same owner keeps the one row */
    assert_int_equal(token_put(l, &t[1], HC_J_OWNER_CHANGED), HC_OK);
    owners_of(l, &bob, &s);
    assert_int_equal(s.n, 1);
    /* burn token 0: no owner row at all; burn it again: still none */
    t[0].burned = 1;
    assert_int_equal(token_put(l, &t[0], HC_J_TOKEN), HC_OK);
    owners_of(l, &alice, &s);
    assert_int_equal(s.n, 1);
    assert_memory_equal(s.key[0] + 36, t[2].id, 32);
    assert_int_equal(token_put(l, &t[0], HC_J_TOKEN), HC_OK);
    assert_int_equal(hc_ledger_token_get(l, t[0].id, &got), HC_OK);
    assert_int_equal(got.burned, 1);
    verify_ok(l);
    /* a burned token's new owner field makes no row */
    t[0].owner = bob;
    assert_int_equal(token_put(l, &t[0], HC_J_OWNER_CHANGED), HC_OK);
    owners_of(l, &bob, &s);
    assert_int_equal(s.n, 1);
    /* an invalid token is refused and changes nothing */
    seq = head_seq(l);
    t[2].burned = 2;
    assert_int_equal(token_put(l, &t[2], HC_J_TOKEN), HC_ERR_ARG);
    assert_int_equal(head_seq(l), seq);
    owners_of(l, &alice, &s);
    assert_int_equal(s.n, 1);
    uint8_t none[32] = {0};
    assert_int_equal(hc_ledger_token_get(l, none, &got), HC_ERR_NOT_FOUND);
    /* a mint that holds its content but made no token: not found */
    hc_mint q;
    mk_mint(&q, 0x40, 0x44, "");
    assert_int_equal(mint_put(l, &q, HC_J_MINT_ACCEPTED), HC_OK);
    assert_int_equal(hc_ledger_token_get(l, q.content_hash, &got),
                     HC_ERR_NOT_FOUND);
    hc_ledger_stats st;
    assert_int_equal(hc_ledger_stats_get(l, &st), HC_OK);
    assert_int_equal(st.entries[HC_LDB_TOKENS], 3);
    assert_int_equal(st.entries[HC_LDB_OWNERS], 2);
    verify_ok(l);
    hc_ledger_close(l);
    remove_dir(dir);
}

/* ---- nonces and sent transactions */

static void test_nonces_and_sent(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_nonce_state n, gotn;
    hc_buf b;
    struct seen s;
    hc_buf_init(&b, 1 << 20, 0);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    memset(&n, 0, sizeof n);
    memset(n.signer.b, 0x51, 20);
    n.next = 5;
    n.chain_latest = 3;
    n.chain_pending = 4;
    n.checked_ms = 99;
    assert_int_equal(hc_ledger_write(l, nonce_put_fn, &n), HC_OK);
    n.next = 6;
    assert_int_equal(hc_ledger_write(l, nonce_put_fn, &n), HC_OK);
    assert_int_equal(hc_ledger_get(l, HC_LDB_NONCES, n.signer.b, 20, &b),
                     HC_OK);
    assert_int_equal(hc_nonce_decode(&gotn, b.data, b.len), HC_OK);
    assert_int_equal(gotn.next, 6);
    assert_int_equal(gotn.chain_pending, 4);

    /* three transactions for nonce 5 (fee bumps), one for nonce 6, one for
     * another signer */
    uint8_t raw[40], ids[32];
    memset(raw, 0x02, sizeof raw);
    memset(ids, 0x11, sizeof ids);
    hc_sent_tx tx;
    memset(&tx, 0, sizeof tx);
    tx.signer = n.signer;
    tx.raw = raw;
    tx.raw_len = sizeof raw;
    tx.mint_ids = ids;
    tx.n_mints = 2;
    for (int i = 0; i < 5; i++) {
        tx.nonce = i < 3 ? 5 : 6;
        memset(tx.hash, 0xf0 - i, 32); /* later bumps sort first */
        tx.max_fee = hc_u256_from_u64(1000 + (uint64_t)i);
        if (i == 4)
            memset(tx.signer.b, 0x52, 20);
        assert_int_equal(hc_ledger_write(l, sent_put_fn, &tx), HC_OK);
    }
    uint8_t prefix[28];
    memcpy(prefix, n.signer.b, 20);
    hc_be64_put(prefix + 20, 5);
    memset(&s, 0, sizeof s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_SENT, prefix, 28, NULL, 0, 0, seen_fn, &s),
        HC_OK);
    assert_int_equal(s.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(s.klen[i], 60);
        assert_memory_equal(s.key[i], prefix, 28);
        /* the hashes ascend: 0xee, 0xef, 0xf0 */
        assert_int_equal(s.key[i][28], 0xee + i);
    }
    memset(&s, 0, sizeof s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_SENT, prefix, 20, NULL, 0, 0, seen_fn, &s),
        HC_OK);
    assert_int_equal(s.n, 4); /* the signer's: nonces 5 and 6 */
    /* the stored body decodes to what was written */
    uint8_t key[60], h[32];
    memset(h, 0xef, 32);
    hc_sent_key(key, &n.signer, 5, h);
    assert_int_equal(hc_ledger_get(l, HC_LDB_SENT, key, 60, &b), HC_OK);
    hc_sent_tx got;
    assert_int_equal(hc_sent_decode(&got, b.data, b.len), HC_OK);
    assert_int_equal(got.nonce, 5);
    assert_int_equal(got.n_mints, 2);
    assert_int_equal(got.raw_len, sizeof raw);
    hc_u256 want = hc_u256_from_u64(1001);
    assert_int_equal(hc_u256_cmp(&got.max_fee, &want), 0);
    verify_ok(l);
    hc_ledger_stats st;
    assert_int_equal(hc_ledger_stats_get(l, &st), HC_OK);
    assert_int_equal(st.entries[HC_LDB_SENT], 5);
    assert_int_equal(st.entries[HC_LDB_NONCES], 1);
    hc_buf_free(&b);
    hc_ledger_close(l);
    remove_dir(dir);
}

/* ---- outbox */

static void test_outbox(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_outbox_item o, got;
    hc_buf b;
    struct seen s;
    hc_buf_init(&b, 1 << 20, 0);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    memset(&o, 0, sizeof o);
    strcpy(o.client, "mapo-gu");
    o.payload = (const uint8_t *)"{\"state\":\"confirmed\"}";
    o.payload_len = strlen((const char *)o.payload);
    static const uint64_t seqs[] = {300, 1, 256, 2, 0x0100000000000000ull};
    for (int i = 0; i < 5; i++) {
        o.seq = seqs[i];
        memset(o.mint_id, i, 16);
        assert_int_equal(hc_ledger_write(l, outbox_put_fn, &o), HC_OK);
    }
    /* keys are big-endian: the scan is in seq order */
    memset(&s, 0, sizeof s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_OUTBOX, NULL, 0, NULL, 0, 0, seen_fn, &s),
        HC_OK);
    assert_int_equal(s.n, 5);
    static const uint64_t sorted[] = {1, 2, 256, 300, 0x0100000000000000ull};
    for (int i = 0; i < 5; i++)
        assert_true(hc_be64_get(s.key[i]) == sorted[i]);
    /* a retry rewrites the item */
    o.seq = 256;
    o.attempts = 3;
    o.next_ms = 12345;
    assert_int_equal(hc_ledger_write(l, outbox_put_fn, &o), HC_OK);
    uint8_t key[8];
    hc_be64_put(key, 256);
    assert_int_equal(hc_ledger_get(l, HC_LDB_OUTBOX, key, 8, &b), HC_OK);
    assert_int_equal(hc_outbox_decode(&got, b.data, b.len), HC_OK);
    assert_int_equal(got.attempts, 3);
    assert_int_equal(got.next_ms, 12345);
    assert_string_equal(got.client, "mapo-gu");
    /* delivered: delete it (journaled) */
    uint64_t seq = head_seq(l);
    struct del d = {HC_LDB_OUTBOX, HC_J_OUTBOX, key, 8};
    assert_int_equal(hc_ledger_write(l, del_fn, &d), HC_OK);
    assert_int_equal(head_seq(l), seq + 1);
    assert_int_equal(hc_ledger_get(l, HC_LDB_OUTBOX, key, 8, &b),
                     HC_ERR_NOT_FOUND);
    /* deleting it again: not found, nothing journaled */
    assert_int_equal(hc_ledger_write(l, del_fn, &d), HC_ERR_NOT_FOUND);
    assert_int_equal(head_seq(l), seq + 1);
    /* index databases and bad keys are refused by hc_ltx_del */
    struct del bad = {HC_LDB_CONTENT, HC_J_OUTBOX, key, 8};
    assert_int_equal(hc_ledger_write(l, del_fn, &bad), HC_ERR_ARG);
    bad.db = HC_LDB_OUTBOX;
    bad.klen = 0;
    assert_int_equal(hc_ledger_write(l, del_fn, &bad), HC_ERR_ARG);
    verify_ok(l);
    /* re-created after the delete */
    assert_int_equal(hc_ledger_write(l, outbox_put_fn, &o), HC_OK);
    verify_ok(l);
    hc_ledger_stats st;
    assert_int_equal(hc_ledger_stats_get(l, &st), HC_OK);
    assert_int_equal(st.entries[HC_LDB_OUTBOX], 5);
    hc_buf_free(&b);
    hc_ledger_close(l);
    remove_dir(dir);
}

/* ---- clients */

static void mk_client(hc_client *c, const char *name, uint8_t key)
{
    memset(c, 0, sizeof *c);
    strcpy(c->name, name);
    memset(c->key_id, key, HC_KEY_ID_LEN);
    memset(c->key_hash, key ^ 0xff, 32);
    c->roles = HC_ROLE_MINTER;
    c->rate_per_min = 60;
    c->burst = 5;
    c->created_ms = 1700000000000ull;
    strcpy(c->webhook_url, "https://example.go.kr/hook");
}

static void test_clients(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_client a, b, got;
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    mk_client(&a, "jongno-gu", 1);
    assert_int_equal(hc_ledger_client_add(l, &a), HC_OK);
    mk_client(&b, "mapo-gu", 2);
    b.roles = HC_ROLE_AUDITOR | HC_ROLE_ADMIN;
    assert_int_equal(hc_ledger_client_add(l, &b), HC_OK);
    assert_int_equal(hc_ledger_client_get(l, "jongno-gu", &got), HC_OK);
    assert_memory_equal(got.key_hash, a.key_hash, 32);
    assert_int_equal(got.roles, HC_ROLE_MINTER);
    assert_string_equal(got.webhook_url, a.webhook_url);
    assert_int_equal(hc_ledger_client_by_key(l, b.key_id, &got), HC_OK);
    assert_string_equal(got.name, "mapo-gu");
    assert_int_equal(got.roles, HC_ROLE_AUDITOR | HC_ROLE_ADMIN);
    uint64_t seq = head_seq(l);
    /* the same name again (even with a new key): exists */
    mk_client(&b, "jongno-gu", 3);
    assert_int_equal(hc_ledger_client_add(l, &b), HC_ERR_EXISTS);
    uint8_t k3[HC_KEY_ID_LEN];
    memset(k3, 3, sizeof k3);
    assert_int_equal(hc_ledger_client_by_key(l, k3, &got), HC_ERR_NOT_FOUND);
    /* a new name with a key id in use: exists, and the name is not taken */
    mk_client(&b, "seocho-gu", 1);
    assert_int_equal(hc_ledger_client_add(l, &b), HC_ERR_EXISTS);
    assert_int_equal(hc_ledger_client_get(l, "seocho-gu", &got),
                     HC_ERR_NOT_FOUND);
    assert_int_equal(head_seq(l), seq);
    assert_int_equal(hc_ledger_client_by_key(l, a.key_id, &got), HC_OK);
    assert_string_equal(got.name, "jongno-gu");
    /* invalid clients */
    mk_client(&b, "", 4);
    assert_int_equal(hc_ledger_client_add(l, &b), HC_ERR_ARG);
    mk_client(&b, "gangnam-gu", 4);
    b.roles = 8;
    assert_int_equal(hc_ledger_client_add(l, &b), HC_ERR_ARG);
    assert_int_equal(hc_ledger_client_get(l, "", &got), HC_ERR_ARG);
    assert_int_equal(head_seq(l), seq);
    verify_ok(l);
    hc_ledger_stats st;
    assert_int_equal(hc_ledger_stats_get(l, &st), HC_OK);
    assert_int_equal(st.entries[HC_LDB_CLIENTS], 2);
    assert_int_equal(st.entries[HC_LDB_KEYS], 2);
    hc_ledger_close(l);
    remove_dir(dir);
}

static void test_client_update(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_client a, b, got;
    hc_buf jb;
    hc_jentry e;
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    mk_client(&a, "jongno-gu", 1);
    mk_client(&b, "mapo-gu", 2);
    assert_int_equal(hc_ledger_client_add(l, &a), HC_OK);
    assert_int_equal(hc_ledger_client_add(l, &b), HC_OK);
    uint64_t seq = head_seq(l);
    /* a new key: found by it, not by the old one; one journal entry */
    hc_client r = a;
    memset(r.key_id, 7, HC_KEY_ID_LEN);
    memset(r.key_hash, 0x77, 32);
    assert_int_equal(hc_ledger_client_update(l, &r), HC_OK);
    assert_int_equal(head_seq(l), seq + 1);
    hc_buf_init(&jb, 4096, 0);
    assert_int_equal(hc_ledger_journal_get(l, seq + 1, &jb), HC_OK);
    assert_int_equal(hc_jentry_decode(&e, jb.data, jb.len), HC_OK);
    assert_int_equal(e.kind, HC_J_CLIENT_CHANGED);
    assert_string_equal(hc_jkind_name(e.kind), "client_changed");
    hc_buf_free(&jb);
    assert_int_equal(hc_ledger_client_by_key(l, a.key_id, &got),
                     HC_ERR_NOT_FOUND);
    assert_int_equal(hc_ledger_client_by_key(l, r.key_id, &got), HC_OK);
    assert_string_equal(got.name, "jongno-gu");
    assert_memory_equal(got.key_hash, r.key_hash, 32);
    verify_ok(l);
    /* disabled, same key: the key row stays; enabled again */
    r.disabled = 1;
    assert_int_equal(hc_ledger_client_update(l, &r), HC_OK);
    assert_int_equal(hc_ledger_client_by_key(l, r.key_id, &got), HC_OK);
    assert_int_equal(got.disabled, 1);
    verify_ok(l);
    r.disabled = 0;
    assert_int_equal(hc_ledger_client_update(l, &r), HC_OK);
    assert_int_equal(hc_ledger_client_get(l, "jongno-gu", &got), HC_OK);
    assert_int_equal(got.disabled, 0);
    /* refused, and nothing written: another client's key id, no such
     * client, an invalid one */
    seq = head_seq(l);
    hc_client x = r;
    memcpy(x.key_id, b.key_id, HC_KEY_ID_LEN);
    assert_int_equal(hc_ledger_client_update(l, &x), HC_ERR_EXISTS);
    mk_client(&x, "seocho-gu", 9);
    assert_int_equal(hc_ledger_client_update(l, &x), HC_ERR_NOT_FOUND);
    x = r;
    x.roles = 8;
    assert_int_equal(hc_ledger_client_update(l, &x), HC_ERR_ARG);
    x = r;
    x.name[0] = 0;
    assert_int_equal(hc_ledger_client_update(l, &x), HC_ERR_ARG);
    assert_int_equal(head_seq(l), seq);
    assert_int_equal(hc_ledger_client_by_key(l, b.key_id, &got), HC_OK);
    assert_string_equal(got.name, "mapo-gu");
    /* a change of the record as stored: a key (the rest kept), then the
     * flag alone (the key kept) */
    uint8_t kid[HC_KEY_ID_LEN], kh[32];
    memset(kid, 8, sizeof kid);
    memset(kh, 0x88, sizeof kh);
    hc_client_change ch = {kid, kh, -1};
    assert_int_equal(hc_ledger_client_change(l, "jongno-gu", &ch, &got), HC_OK);
    assert_memory_equal(got.key_id, kid, HC_KEY_ID_LEN);
    assert_int_equal(got.roles, r.roles);
    assert_int_equal(got.disabled, 0);
    assert_string_equal(got.webhook_url, r.webhook_url);
    assert_int_equal(hc_ledger_client_by_key(l, r.key_id, &x),
                     HC_ERR_NOT_FOUND);
    ch = (hc_client_change){NULL, NULL, 1};
    assert_int_equal(hc_ledger_client_change(l, "jongno-gu", &ch, &got), HC_OK);
    assert_int_equal(hc_ledger_client_by_key(l, kid, &x), HC_OK);
    assert_int_equal(x.disabled, 1);
    assert_memory_equal(x.key_hash, kh, 32);
    seq = head_seq(l);
    /* disabled again: as it is, nothing written */
    assert_int_equal(hc_ledger_client_change(l, "jongno-gu", &ch, &got), HC_OK);
    assert_int_equal(got.disabled, 1);
    assert_int_equal(head_seq(l), seq);
    assert_int_equal(hc_ledger_client_change(l, "seocho-gu", &ch, &got),
                     HC_ERR_NOT_FOUND);
    ch = (hc_client_change){kid, NULL, -1};
    assert_int_equal(hc_ledger_client_change(l, "jongno-gu", &ch, &got),
                     HC_ERR_ARG);
    ch = (hc_client_change){b.key_id, kh, -1};
    assert_int_equal(hc_ledger_client_change(l, "jongno-gu", &ch, &got),
                     HC_ERR_EXISTS);
    ch = (hc_client_change){NULL, NULL, 2};
    assert_int_equal(hc_ledger_client_change(l, "jongno-gu", &ch, &got),
                     HC_ERR_ARG);
    assert_int_equal(hc_ledger_client_change(l, "", &ch, &got), HC_ERR_ARG);
    assert_int_equal(head_seq(l), seq);
    hc_ledger_stats st;
    assert_int_equal(hc_ledger_stats_get(l, &st), HC_OK);
    assert_int_equal(st.entries[HC_LDB_CLIENTS], 2);
    assert_int_equal(st.entries[HC_LDB_KEYS], 2);
    verify_ok(l);
    hc_ledger_close(l);
    remove_dir(dir);
}

/* ---- scan: prefix, cursor, limit */

struct kvs {
    int n;
    const char *prefix;
    int wide; /* three digits */
};

static hc_err put_many(hc_ltx *tx, void *arg)
{
    struct kvs *a = arg;
    char k[32];
    for (int i = 0; i < a->n; i++) {
        int kl = a->wide ? snprintf(k, sizeof k, "%s%03d", a->prefix, i)
                         : snprintf(k, sizeof k, "%s%d", a->prefix, i);
        hc_err err =
            hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, k, (size_t)kl, k, (size_t)kl);
        if (err)
            return err;
    }
    return HC_OK;
}

static void test_scan_pages(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    struct seen s;
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    struct kvs a = {30, "a/", 1}, b = {5, "b/", 0}, a2 = {3, "a", 0};
    assert_int_equal(hc_ledger_write(l, put_many, &a), HC_OK);
    assert_int_equal(hc_ledger_write(l, put_many, &b), HC_OK);
    assert_int_equal(hc_ledger_write(l, put_many, &a2), HC_OK);
    /* everything */
    memset(&s, 0, sizeof s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_KV, NULL, 0, NULL, 0, 0, seen_fn, &s), HC_OK);
    assert_int_equal(s.n, 38);
    /* pages of 7 under "a/": 7, 7, 7, 7, 2, then nothing */
    uint8_t after[64];
    size_t after_len = 0, total = 0;
    int pages = 0;
    for (;;) {
        memset(&s, 0, sizeof s);
        assert_int_equal(hc_ledger_scan(l, HC_LDB_KV, "a/", 2, after, after_len,
                                        7, seen_fn, &s),
                         HC_OK);
        if (s.n == 0)
            break;
        assert_true(s.n <= 7);
        for (size_t i = 0; i < s.n; i++) {
            char want[16];
            snprintf(want, sizeof want, "a/%03zu", total + i);
            assert_int_equal(s.klen[i], 5);
            assert_memory_equal(s.key[i], want, 5);
            /* values are bodies, without the journal seq */
            assert_int_equal(s.vlen[i], 5);
            assert_memory_equal(s.val[i], want, 5);
        }
        total += s.n;
        memcpy(after, s.key[s.n - 1], s.klen[s.n - 1]);
        after_len = s.klen[s.n - 1];
        pages++;
    }
    assert_int_equal(total, 30);
    assert_int_equal(pages, 5);
    /* a cursor that is not a key: starts at the next key */
    memset(&s, 0, sizeof s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_KV, "a/", 2, "a/0105", 6, 3, seen_fn, &s),
        HC_OK);
    assert_int_equal(s.n, 3);
    assert_memory_equal(s.key[0], "a/011", 5);
    /* a cursor past the prefix: nothing */
    memset(&s, 0, sizeof s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_KV, "a/", 2, "a0", 2, 0, seen_fn, &s), HC_OK);
    assert_int_equal(s.n, 0);
    /* the callback stops the scan */
    memset(&s, 0, sizeof s);
    s.stop_at = 4;
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_KV, "b/", 2, NULL, 0, 0, seen_fn, &s), HC_OK);
    assert_int_equal(s.n, 4);
    /* a prefix that matches nothing; one between the keys */
    memset(&s, 0, sizeof s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_KV, "c", 1, NULL, 0, 0, seen_fn, &s), HC_OK);
    assert_int_equal(s.n, 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_KV, "a", 1, NULL, 0, 0, seen_fn, &s), HC_OK);
    assert_int_equal(s.n, 33); /* "a/…" and "a0".."a2" */
    /* a cursor that sorts before the prefix: the whole prefix */
    memset(&s, 0, sizeof s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_KV, "b/", 2, "a/005", 5, 0, seen_fn, &s),
        HC_OK);
    assert_int_equal(s.n, 5);
    assert_memory_equal(s.key[0], "b/0", 3);
    memset(&s, 0, sizeof s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_KV, "b/", 2, "b", 1, 2, seen_fn, &s), HC_OK);
    assert_int_equal(s.n, 2);
    assert_memory_equal(s.key[0], "b/0", 3);
    /* a cursor of the prefix itself */
    memset(&s, 0, sizeof s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_KV, "b/", 2, "b/", 2, 0, seen_fn, &s), HC_OK);
    assert_int_equal(s.n, 5);
    /* the last key as cursor: nothing after it */
    memset(&s, 0, sizeof s);
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_KV, "b/", 2, "b/4", 3, 0, seen_fn, &s), HC_OK);
    assert_int_equal(s.n, 0);
    /* bad arguments */
    assert_int_equal(
        hc_ledger_scan(l, HC_LDB_COUNT, NULL, 0, NULL, 0, 0, seen_fn, &s),
        HC_ERR_ARG);
    hc_ledger_close(l);
    remove_dir(dir);
}

/* ---- group commit: one write's failure is its own */

#define ISO_THREADS 16
#define ISO_WRITES  30

struct iso_arg {
    int thread;
    hc_ledger *l;
    hc_err results[ISO_WRITES];
};

struct iso_write {
    char key[32];
    int mode; /* 0 put, 1 put then fail, 2 fail first, 3 delete a missing
                 record, 4 put twice (two entries) */
};

static hc_err iso_fn(hc_ltx *tx, void *arg)
{
    struct iso_write *w = arg;
    size_t kl = strlen(w->key);
    hc_err err;
    if (w->mode == 2)
        return HC_ERR_CONFLICT;
    if (w->mode == 3)
        return hc_ltx_del(tx, HC_LDB_KV, HC_J_KV, w->key, kl);
    err = hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, w->key, kl, w->key, kl);
    if (!err && w->mode == 4)
        err = hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, w->key, kl, "v2", 2);
    if (!err && w->mode == 1)
        err = HC_ERR_INTERNAL;
    /* give the other threads time to queue up behind this batch */
    struct timespec ts = {0, 20000};
    nanosleep(&ts, NULL);
    return err;
}

static void *iso_thread(void *p)
{
    struct iso_arg *a = p;
    for (int i = 0; i < ISO_WRITES; i++) {
        struct iso_write w;
        snprintf(w.key, sizeof w.key, "t%02d/%02d", a->thread, i);
        w.mode = (a->thread + i) % 5;
        a->results[i] = hc_ledger_write(a->l, iso_fn, &w);
    }
    return NULL;
}

static void test_error_isolation(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    pthread_t th[ISO_THREADS];
    static struct iso_arg args[ISO_THREADS];
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    for (int t = 0; t < ISO_THREADS; t++) {
        args[t].thread = t;
        args[t].l = l;
        assert_int_equal(pthread_create(&th[t], NULL, iso_thread, &args[t]), 0);
    }
    for (int t = 0; t < ISO_THREADS; t++)
        assert_int_equal(pthread_join(th[t], NULL), 0);
    hc_buf b;
    hc_buf_init(&b, 1024, 0);
    uint64_t entries = 1, writes = 0;
    for (int t = 0; t < ISO_THREADS; t++) {
        for (int i = 0; i < ISO_WRITES; i++) {
            char k[32];
            int mode = (t + i) % 5;
            snprintf(k, sizeof k, "t%02d/%02d", t, i);
            static const hc_err want[5] = {HC_OK, HC_ERR_INTERNAL,
                                           HC_ERR_CONFLICT, HC_ERR_NOT_FOUND,
                                           HC_OK};
            assert_int_equal(args[t].results[i], want[mode]);
            hc_err err = hc_ledger_get(l, HC_LDB_KV, k, strlen(k), &b);
            if (mode == 0 || mode == 4) {
                assert_int_equal(err, HC_OK);
                if (mode == 4)
                    assert_memory_equal(b.data, "v2", 2);
                else
                    assert_memory_equal(b.data, k, strlen(k));
                entries += mode == 4 ? 2 : 1;
            } else {
                assert_int_equal(err, HC_ERR_NOT_FOUND);
            }
            writes++;
        }
    }
    assert_int_equal(head_seq(l), entries);
    hc_ledger_report rep;
    assert_int_equal(hc_ledger_verify(l, &rep), HC_OK);
    assert_int_equal(rep.entries, entries);
    hc_buf_free(&b);
    hc_ledger_close(l);
    /* the writes shared commits: fewer LMDB transactions than writes */
    MDB_env *env = raw_open(dir);
    MDB_envinfo info;
    assert_int_equal(mdb_env_info(env, &info), 0);
    mdb_env_close(env);
    if (info.me_last_txnid >= writes)
        fail_msg("%zu commits for %llu writes: no group commit",
                 info.me_last_txnid, (unsigned long long)writes);
    remove_dir(dir);
}

/* ---- map growth */

#define GROW_REC       (64u << 10)
#define GROW_PER_WRITE 8
#define GROW_WRITES    40 /* 40 × 8 × 64 KiB = 20 MiB */

static void grow_fill(uint8_t *p, size_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
}

struct grow_write {
    int first;
    uint8_t *buf;
    int runs;
};

static hc_err grow_fn(hc_ltx *tx, void *arg)
{
    struct grow_write *g = arg;
    g->runs++;
    for (int i = 0; i < GROW_PER_WRITE; i++) {
        uint8_t key[4];
        uint32_t id = (uint32_t)(g->first + i);
        key[0] = (uint8_t)(id >> 24), key[1] = (uint8_t)(id >> 16);
        key[2] = (uint8_t)(id >> 8), key[3] = (uint8_t)id;
        grow_fill(g->buf, GROW_REC, id);
        hc_err err =
            hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, key, 4, g->buf, GROW_REC);
        if (err)
            return err;
    }
    return HC_OK;
}

static hc_err big_fn(hc_ltx *tx, void *arg)
{
    struct grow_write *g = arg;
    g->runs++;
    return hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, "big", 3, g->buf, 3u << 20);
}

struct grow_reader {
    hc_ledger *l;
    atomic_int stop;
    int reads;
    hc_err err;
};

/* Reads (and checks) the first record while the map grows under it. */
static void *grow_reader_fn(void *p)
{
    struct grow_reader *r = p;
    hc_buf b;
    uint8_t *want = malloc(GROW_REC);
    uint8_t key[4] = {0, 0, 0, 0};
    hc_buf_init(&b, GROW_REC, 0);
    grow_fill(want, GROW_REC, 0);
    while (!atomic_load(&r->stop) && !r->err) {
        hc_err err = hc_ledger_get(r->l, HC_LDB_KV, key, 4, &b);
        if (err == HC_OK) {
            if (b.len != GROW_REC || memcmp(b.data, want, GROW_REC) != 0)
                r->err = HC_ERR_CORRUPT;
            r->reads++;
        } else if (err != HC_ERR_NOT_FOUND) {
            r->err = err;
        }
    }
    hc_buf_free(&b);
    free(want);
    return NULL;
}

/* A commit that cannot be written (a file size limit here, refusing writes
 * as a full disk does) sets hc_ledger_write_status until a commit with
 * something to write succeeds; a write function's own error does not count;
 * hc_ledger_probe finds out when writes work again. */
static void test_write_status(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    struct kv a = {"ws/a", "1"}, b = {"ws/b", "2"}, c = {"ws/c", "3"};
    assert_int_equal(hc_ledger_write(l, put_kv, &a), HC_OK);
    assert_int_equal(hc_ledger_write_status(l), HC_OK);
    assert_int_equal(hc_ledger_write(l, fail_after_put, &c), HC_ERR_CONFLICT);
    assert_int_equal(hc_ledger_write_status(l), HC_OK);

    /* only the two meta pages can be written */
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 8192;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    hc_err err = hc_ledger_write(l, put_kv, &b);
    assert_int_not_equal(err, HC_OK);
    assert_int_equal(hc_ledger_write_status(l), err);
    /* nothing written: the status stays */
    assert_int_equal(hc_ledger_write(l, fail_after_put, &c), HC_ERR_CONFLICT);
    assert_int_equal(hc_ledger_write_status(l), err);
    assert_int_not_equal(hc_ledger_probe(l), HC_OK);
    assert_int_not_equal(hc_ledger_write_status(l), HC_OK);

    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(hc_ledger_probe(l), HC_OK);
    assert_int_equal(hc_ledger_write_status(l), HC_OK);
    assert_int_equal(hc_ledger_write(l, put_kv, &b), HC_OK);
    hc_buf v;
    hc_buf_init(&v, 64, 0);
    assert_int_equal(hc_ledger_get(l, HC_LDB_KV, "ws/b", 4, &v), HC_OK);
    assert_memory_equal(v.data, "2", 1);
    assert_int_equal(hc_ledger_get(l, HC_LDB_KV, "ws/c", 4, &v),
                     HC_ERR_NOT_FOUND);
    hc_buf_free(&v);
    /* the probe is outside the journal: the ledger verifies */
    hc_ledger_report rep;
    assert_int_equal(hc_ledger_verify(l, &rep), HC_OK);
    assert_int_equal(rep.entries, head_seq(l));
    hc_ledger_close(l);
    remove_dir(dir);
}

static void test_map_growth(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_ledger_opts o = {0};
    o.map_size = 1u << 20;
    assert_int_equal(hc_ledger_open(&l, dir, &o), HC_OK);
    hc_ledger_stats st;
    assert_int_equal(hc_ledger_stats_get(l, &st), HC_OK);
    assert_int_equal(st.map_size, 1u << 20);
    uint8_t *buf = malloc(3u << 20);
    assert_non_null(buf);
    struct grow_reader rd = {l, 0, 0, HC_OK};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, grow_reader_fn, &rd), 0);
    /* one record three times the initial map */
    struct grow_write g = {0, buf, 0};
    grow_fill(buf, 3u << 20, 999);
    assert_int_equal(hc_ledger_write(l, big_fn, &g), HC_OK);
    assert_true(g.runs > 1); /* rerun after growing */
    for (int w = 0; w < GROW_WRITES; w++) {
        g.first = w * GROW_PER_WRITE;
        g.runs = 0;
        assert_int_equal(hc_ledger_write(l, grow_fn, &g), HC_OK);
    }
    atomic_store(&rd.stop, 1);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(rd.err, HC_OK);
    assert_true(rd.reads > 0);
    assert_int_equal(hc_ledger_stats_get(l, &st), HC_OK);
    assert_true(st.map_size >= (size_t)23 << 20);
    assert_true(st.used_bytes >= (size_t)23 << 20);
    assert_int_equal(st.entries[HC_LDB_KV], GROW_WRITES * GROW_PER_WRITE + 1);
    verify_ok(l);
    hc_ledger_close(l);

    /* everything is there after reopening (with the small map size again) */
    assert_int_equal(hc_ledger_open(&l, dir, &o), HC_OK);
    hc_buf b;
    hc_buf_init(&b, 4u << 20, 0);
    for (uint32_t id = 0; id < GROW_WRITES * GROW_PER_WRITE; id++) {
        uint8_t key[4] = {(uint8_t)(id >> 24), (uint8_t)(id >> 16),
                          (uint8_t)(id >> 8), (uint8_t)id};
        assert_int_equal(hc_ledger_get(l, HC_LDB_KV, key, 4, &b), HC_OK);
        grow_fill(buf, GROW_REC, id);
        assert_int_equal(b.len, GROW_REC);
        assert_memory_equal(b.data, buf, GROW_REC);
    }
    assert_int_equal(hc_ledger_get(l, HC_LDB_KV, "big", 3, &b), HC_OK);
    grow_fill(buf, 3u << 20, 999);
    assert_int_equal(b.len, 3u << 20);
    assert_memory_equal(b.data, buf, 3u << 20);
    verify_ok(l);
    /* and it still grows */
    g.first = 100000;
    assert_int_equal(hc_ledger_write(l, grow_fn, &g), HC_OK);
    verify_ok(l);
    hc_ledger_close(l);

    /* a cap on the map size is an error, not a hang */
    hc_ledger_opts capped = {0};
    capped.max_map_size = (size_t)40 << 20;
    assert_int_equal(hc_ledger_open(&l, dir, &capped), HC_OK);
    g.buf = buf;
    for (int w = 0; w < 100; w++) {
        g.first = 200000 + w * GROW_PER_WRITE;
        hc_err err = hc_ledger_write(l, grow_fn, &g);
        if (err) {
            assert_int_equal(err, HC_ERR_BUFFER);
            break;
        }
        assert_true(w < 99);
    }
    verify_ok(l);
    hc_ledger_close(l);
    hc_buf_free(&b);
    free(buf);
    remove_dir(dir);
}

/* ---- open: schema, read-only, locking */

static void test_schema_version(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_ledger_opts ro = {0};
    ro.read_only = 1;
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    struct kv a = {"alpha", "one"};
    assert_int_equal(hc_ledger_write(l, put_kv, &a), HC_OK);
    hc_ledger_close(l);

    uint8_t newer[4] = {0, 0, 0, HC_LEDGER_SCHEMA + 1}, one[4] = {0, 0, 0, 1};
    raw_put(dir, "meta", "schema", 6, newer, 4);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_ERR_VERSION);
    assert_null(l);
    assert_int_equal(hc_ledger_open(&l, dir, &ro), HC_ERR_VERSION);
    /* a big-endian version: 0x01000000 is newer, not 1 */
    uint8_t big[4] = {1, 0, 0, 0};
    raw_put(dir, "meta", "schema", 6, big, 4);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_ERR_VERSION);
    /* a malformed schema value */
    raw_put(dir, "meta", "schema", 6, one, 3);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_ERR_CORRUPT);
    /* schema 0 is no schema */
    uint8_t zero[4] = {0, 0, 0, 0};
    raw_put(dir, "meta", "schema", 6, zero, 4);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_ERR_CORRUPT);
    /* back to 1: a reader refuses an older schema; a writer opens (and
     * upgrades) it, and nothing was lost; the lock was released by the
     * failed opens */
    raw_put(dir, "meta", "schema", 6, one, 4);
    assert_int_equal(hc_ledger_open(&l, dir, &ro), HC_ERR_VERSION);
    assert_null(l);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    hc_buf b;
    hc_buf_init(&b, 64, 0);
    assert_int_equal(hc_ledger_get(l, HC_LDB_KV, "alpha", 5, &b), HC_OK);
    assert_int_equal(b.len, 3);
    hc_buf_free(&b);
    verify_ok(l);
    hc_ledger_close(l);
    remove_dir(dir);
}

/* ---- the live-mints index and the schema 1 -> 2 upgrade */

/* The mint ids a scan of HC_LDB_ACTIVE saw, as their first bytes. */
static size_t active_ids(hc_ledger *l, uint8_t state, const void *after,
                         size_t limit, uint8_t *ids)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(hc_ledger_scan(l, HC_LDB_ACTIVE, &state, 1, after,
                                    after ? HC_ACTIVE_KEY_LEN : 0, limit,
                                    seen_fn, &s),
                     HC_OK);
    for (size_t i = 0; i < s.n; i++) {
        assert_int_equal(s.klen[i], HC_ACTIVE_KEY_LEN);
        assert_int_equal(s.vlen[i], 0);
        assert_int_equal(s.key[i][0], state);
        ids[i] = s.key[i][9];
    }
    return s.n;
}

#define ACTIVE_IS(l, state, after, limit, ...)                                 \
    do {                                                                       \
        const uint8_t want_[] = {__VA_ARGS__};                                 \
        uint8_t got_[MAX_SEEN];                                                \
        size_t n_ = active_ids(l, state, after, limit, got_);                  \
        assert_int_equal(n_, sizeof want_);                                    \
        assert_memory_equal(got_, want_, sizeof want_);                        \
    } while (0)

/* The live mints of test_active_index after its changes. */
static void active_final(hc_ledger *l)
{
    ACTIVE_IS(l, HC_MINT_QUEUED, NULL, 0, 2, 4, 1);
    ACTIVE_IS(l, HC_MINT_SUBMITTED, NULL, 0, 6);
    hc_ledger_stats st;
    assert_int_equal(hc_ledger_stats_get(l, &st), HC_OK);
    assert_int_equal(st.entries[HC_LDB_ACTIVE], 4);
    assert_int_equal(st.entries[HC_LDB_MINTS], 6);
}

static void test_active_index(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_ledger_opts ro = {0};
    ro.read_only = 1;
    hc_accept_outcome oc;
    hc_mint m[7], ex;
    /* created out of id order, two at the same time */
    static const uint64_t created[7] = {0, 5000, 1000, 3000, 1000, 2000, 4000};
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    for (int i = 1; i <= 6; i++) {
        mk_mint(&m[i], (uint8_t)i, (uint8_t)(0xa0 + i), "");
        m[i].created_ms = m[i].updated_ms = created[i];
        assert_int_equal(hc_ledger_mint_accept(l, &m[i], &oc, &ex), HC_OK);
        assert_int_equal(oc, HC_ACCEPT_NEW);
    }
    /* oldest first, ties by id; limit and after page through */
    ACTIVE_IS(l, HC_MINT_QUEUED, NULL, 0, 2, 4, 5, 3, 6, 1);
    ACTIVE_IS(l, HC_MINT_QUEUED, NULL, 2, 2, 4);
    uint8_t k4[HC_ACTIVE_KEY_LEN], k[HC_ACTIVE_KEY_LEN];
    hc_active_key(k4, HC_MINT_QUEUED, 1000, m[4].id);
    assert_int_equal(k4[0], HC_MINT_QUEUED);
    assert_int_equal(hc_be64_get(k4 + 1), 1000);
    assert_memory_equal(k4 + 9, m[4].id, 16);
    ACTIVE_IS(l, HC_MINT_QUEUED, k4, 2, 5, 3);
    assert_true(index_has(l, HC_LDB_ACTIVE, k4, sizeof k4, "", 0));
    verify_ok(l);

    /* queued -> submitted moves the row; terminal states drop it */
    m[5].state = m[6].state = HC_MINT_SUBMITTED;
    assert_int_equal(mint_put(l, &m[5], HC_J_TX_SENT), HC_OK);
    assert_int_equal(mint_put(l, &m[6], HC_J_TX_SENT), HC_OK);
    ACTIVE_IS(l, HC_MINT_QUEUED, NULL, 0, 2, 4, 3, 1);
    ACTIVE_IS(l, HC_MINT_SUBMITTED, NULL, 0, 5, 6);
    hc_active_key(k, HC_MINT_QUEUED, 2000, m[5].id);
    assert_false(index_has(l, HC_LDB_ACTIVE, k, sizeof k, NULL, 0));
    m[3].state = HC_MINT_FAILED;
    m[5].state = HC_MINT_CONFIRMED;
    assert_int_equal(mint_put(l, &m[3], HC_J_MINT_STATE), HC_OK);
    assert_int_equal(mint_put(l, &m[5], HC_J_RECEIPT), HC_OK);
    /* a change that keeps the state keeps the one row */
    m[1].updated_ms = 9000;
    assert_int_equal(mint_put(l, &m[1], HC_J_MINT_STATE), HC_OK);
    active_final(l);
    verify_ok(l);
    hc_ledger_close(l);

    /* schema 1: no idx_active database */
    MDB_env *env = raw_open(dir);
    MDB_txn *txn;
    MDB_dbi dbi;
    uint8_t one[4] = {0, 0, 0, 1};
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "idx_active", 0, &dbi), 0);
    assert_int_equal(mdb_drop(txn, dbi, 1), 0);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
    MDB_val sk = {6, "schema"}, sv = {4, one};
    assert_int_equal(mdb_put(txn, dbi, &sk, &sv, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);

    /* a reader cannot use it (and does not crash) */
    l = (hc_ledger *)1;
    assert_int_equal(hc_ledger_open(&l, dir, &ro), HC_ERR_VERSION);
    assert_null(l);
    /* a writer builds the index and stores the current schema, journaling
     * nothing (there are no tokens to move) */
    uint64_t seq;
    uint8_t head[32], head2[32];
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    assert_int_equal(hc_ledger_head(l, &seq, head), HC_OK);
    active_final(l);
    verify_ok(l);
    hc_ledger_close(l);
    env = raw_open(dir);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
    assert_int_equal(mdb_get(txn, dbi, &sk, &sv), 0);
    assert_int_equal(sv.mv_size, 4);
    assert_memory_equal(sv.mv_data, "\0\0\0\3", 4);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    assert_int_equal(hc_ledger_open(&l, dir, &ro), HC_OK);
    assert_int_equal(hc_ledger_head(l, &seq, head2), HC_OK);
    assert_memory_equal(head, head2, 32);
    active_final(l);
    verify_ok(l);
    hc_ledger_close(l);

    /* schema 1 with a stale idx_active (rows the old version never kept):
     * rebuilt from the mints, not trusted */
    hc_active_key(k, HC_MINT_QUEUED, 2000, m[5].id);
    raw_put(dir, "idx_active", k, sizeof k, "", 0);
    hc_active_key(k, HC_MINT_QUEUED, 5000, m[1].id);
    env = raw_open(dir);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "idx_active", 0, &dbi), 0);
    MDB_val dk = {sizeof k, k};
    assert_int_equal(mdb_del(txn, dbi, &dk, NULL), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    assert_int_equal(hc_ledger_open(&l, dir, &ro), HC_OK);
    hc_ledger_report rep;
    assert_int_equal(hc_ledger_verify(l, &rep), HC_ERR_CORRUPT);
    hc_ledger_close(l);
    raw_put(dir, "meta", "schema", 6, one, 4);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    active_final(l);
    verify_ok(l);
    /* and it is kept from then on */
    m[1].state = HC_MINT_SUBMITTED;
    assert_int_equal(mint_put(l, &m[1], HC_J_TX_SENT), HC_OK);
    ACTIVE_IS(l, HC_MINT_QUEUED, NULL, 0, 2, 4);
    ACTIVE_IS(l, HC_MINT_SUBMITTED, NULL, 0, 6, 1);
    verify_ok(l);
    hc_ledger_close(l);
    remove_dir(dir);
}

/* ---- the schema 2 -> 3 upgrade: tokens and owner rows in mint order */

/* What schema 2 wrote for a token: the record under its id, the owner row
 * under owner ‖ id. */
static hc_err old_token_fn(hc_ltx *tx, void *arg)
{
    const hc_token *t = arg;
    uint8_t okey[52];
    hc_buf b;
    hc_buf_init(&b, 4096, 0);
    hc_err err = hc_token_encode(&b, t);
    const uint8_t *p;
    size_t n;
    if (!err && hc_ltx_get(tx, HC_LDB_TOKENS, t->id, 32, &p, &n) == HC_OK) {
        hc_token old;
        err = hc_token_decode(&old, p, n);
        memcpy(okey, old.owner.b, 20);
        memcpy(okey + 20, old.id, 32);
        if (!err && !old.burned)
            err = hc_ltx_index_del(tx, HC_LDB_OWNERS, okey, 52);
    }
    if (!err)
        err =
            hc_ltx_put(tx, HC_LDB_TOKENS, HC_J_TOKEN, t->id, 32, b.data, b.len);
    hc_buf_free(&b);
    memcpy(okey, t->owner.b, 20);
    memcpy(okey + 20, t->id, 32);
    if (!err && !t->burned)
        err = hc_ltx_index_put(tx, HC_LDB_OWNERS, okey, 52, NULL, 0, 1);
    return err;
}

static void test_token_rekey(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_ledger_opts ro = {0};
    hc_mint m[4];
    hc_token t[4], got;
    hc_address alice, bob;
    struct seen s;
    ro.read_only = 1;
    memset(alice.b, 0xa1, 20);
    memset(bob.b, 0xb0, 20);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    for (int i = 0; i < 4; i++) {
        mk_mint(&m[i], (uint8_t)(0x60 - i), (uint8_t)(0x70 + i), "");
        m[i].state = HC_MINT_CONFIRMED;
        assert_int_equal(mint_put(l, &m[i], HC_J_RECEIPT), HC_OK);
        memset(&t[i], 0, sizeof t[i]);
        memcpy(t[i].id, m[i].content_hash, 32);
        memcpy(t[i].mint_id, m[i].id, 16);
        t[i].creator = t[i].owner = alice;
        t[i].block = 50 + (uint64_t)i;
        assert_int_equal(hc_ledger_write(l, old_token_fn, &t[i]), HC_OK);
    }
    /* token 1 moved to bob, token 3 burned: old keys written twice */
    t[1].owner = bob;
    assert_int_equal(hc_ledger_write(l, old_token_fn, &t[1]), HC_OK);
    t[3].burned = 1;
    memset(t[3].owner.b, 0, 20);
    assert_int_equal(hc_ledger_write(l, old_token_fn, &t[3]), HC_OK);
    uint64_t seq = head_seq(l);
    hc_ledger_close(l);
    uint8_t two[4] = {0, 0, 0, 2};
    raw_put(dir, "meta", "schema", 6, two, 4);

    /* a reader refuses it; a writer moves the 4 records, journaled */
    l = (hc_ledger *)1;
    assert_int_equal(hc_ledger_open(&l, dir, &ro), HC_ERR_VERSION);
    assert_null(l);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    assert_int_equal(head_seq(l), seq + 8);
    hc_buf jb;
    hc_buf_init(&jb, 4096, 0);
    for (uint64_t q = seq + 1; q <= seq + 8; q++) {
        hc_jentry e;
        assert_int_equal(hc_ledger_journal_get(l, q, &jb), HC_OK);
        assert_int_equal(hc_jentry_decode(&e, jb.data, jb.len), HC_OK);
        assert_int_equal(e.kind, HC_J_UPGRADE);
        assert_int_equal(e.db, HC_LDB_TOKENS);
        assert_int_equal(e.klen, (q - seq) % 2 ? 32 : HC_TOKEN_KEY_LEN);
    }
    assert_string_equal(hc_jkind_name(HC_J_UPGRADE), "schema_upgrade");
    hc_buf_free(&jb);
    verify_ok(l);
    hc_ledger_stats st;
    assert_int_equal(hc_ledger_stats_get(l, &st), HC_OK);
    assert_int_equal(st.entries[HC_LDB_TOKENS], 4);
    assert_int_equal(st.entries[HC_LDB_OWNERS], 3);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(hc_ledger_token_get(l, t[i].id, &got), HC_OK);
        assert_memory_equal(got.mint_id, t[i].mint_id, 16);
        assert_memory_equal(got.owner.b, t[i].owner.b, 20);
        assert_int_equal(got.burned, t[i].burned);
    }
    /* alice's tokens in mint order: 2 (mint 0x5e), then 0 (0x60) */
    owners_of(l, &alice, &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.klen[0], HC_OWNER_KEY_LEN);
    assert_memory_equal(s.key[0] + 20, t[2].mint_id, 16);
    assert_memory_equal(s.key[0] + 36, t[2].id, 32);
    assert_memory_equal(s.key[1] + 36, t[0].id, 32);
    owners_of(l, &bob, &s);
    assert_int_equal(s.n, 1);
    assert_memory_equal(s.key[0] + 36, t[1].id, 32);
    /* the moved records are kept as any other from then on */
    t[0].owner = bob;
    assert_int_equal(token_put(l, &t[0], HC_J_OWNER_CHANGED), HC_OK);
    owners_of(l, &bob, &s);
    assert_int_equal(s.n, 2);
    verify_ok(l);
    seq = head_seq(l);
    hc_ledger_close(l);
    /* opened again: nothing more to move */
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    assert_int_equal(head_seq(l), seq);
    verify_ok(l);
    hc_ledger_close(l);

    /* a schema-2 ledger with a damaged token record: it opens, the record
     * stays where it is, the others are kept, and verify names it */
    raw_put(dir, "meta", "schema", 6, two, 4);
    raw_put(dir, "tokens", t[2].id, 32, "\0\0\0\0\0\0\0\1junk", 12);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    assert_int_equal(head_seq(l), seq);
    assert_int_equal(hc_ledger_stats_get(l, &st), HC_OK);
    assert_int_equal(st.entries[HC_LDB_TOKENS], 5);
    assert_int_equal(st.entries[HC_LDB_OWNERS], 3);
    assert_int_equal(hc_ledger_token_get(l, t[0].id, &got), HC_OK);
    hc_ledger_report rep;
    assert_int_equal(hc_ledger_verify(l, &rep), HC_ERR_CORRUPT);
    /* (its old journal entries name it) */
    assert_non_null(strstr(rep.problem, "tokens 0x727272"));
    hc_ledger_close(l);
    remove_dir(dir);
}

static void test_read_only(void **state)
{
    (void)state;
    char *dir = make_dir();
    char path[512];
    hc_ledger *l, *r;
    hc_ledger_opts ro = {0};
    ro.read_only = 1;
    /* no such directory; an empty directory */
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_int_equal(hc_ledger_open(&r, path, &ro), HC_ERR_NOT_FOUND);
    assert_null(r);
    assert_int_equal(access(path, F_OK), -1); /* not created */
    assert_int_equal(hc_ledger_open(&r, dir, &ro), HC_ERR_NOT_FOUND);
    assert_int_equal(hc_ledger_open(&r, NULL, &ro), HC_ERR_ARG);

    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    struct kv a = {"alpha", "one"};
    assert_int_equal(hc_ledger_write(l, put_kv, &a), HC_OK);
    /* a second writer, also with other options */
    assert_int_equal(hc_ledger_open(&r, dir, NULL), HC_ERR_LOCKED);
    hc_ledger_opts big = {0};
    big.map_size = (size_t)1 << 30;
    assert_int_equal(hc_ledger_open(&r, dir, &big), HC_ERR_LOCKED);
    /* a reader in another process (LMDB forbids opening one environment
     * twice in a process) while the writer is open: it sees the data and
     * the ledger verifies */
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int code = 0;
        hc_ledger_report rep;
        hc_buf b;
        hc_buf_init(&b, 64, 0);
        if (hc_ledger_open(&r, dir, &ro) != HC_OK)
            _exit(10);
        if (hc_ledger_get(r, HC_LDB_KV, "alpha", 5, &b) != HC_OK ||
            b.len != 3 || memcmp(b.data, "one", 3) != 0)
            code = 11;
        else if (hc_ledger_verify(r, &rep) != HC_OK || rep.entries != 2)
            code = 12;
        else if (hc_ledger_write(r, put_kv, &a) != HC_ERR_ARG)
            code = 13;
        hc_buf_free(&b);
        hc_ledger_close(r);
        _exit(code);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* the writer goes on */
    struct kv b2 = {"beta", "two"};
    assert_int_equal(hc_ledger_write(l, put_kv, &b2), HC_OK);
    verify_ok(l);
    hc_ledger_close(l);
    /* read-only after the writer is gone; the lock is free again */
    assert_int_equal(hc_ledger_open(&r, dir, &ro), HC_OK);
    assert_int_equal(hc_ledger_write(r, put_kv, &a), HC_ERR_ARG);
    verify_ok(r);
    hc_ledger_close(r);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    hc_ledger_close(l);
    remove_dir(dir);
}

/* ---- close with writes in flight */

#define FLIGHT_EARLY 32
#define FLIGHT_LATE  6

struct flight {
    hc_ledger *l;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int blocker_running, release, arrived;
};

struct flight_writer {
    struct flight *f;
    char key[16];
    struct kv kv;
    hc_err result;
};

static hc_err blocker_fn(hc_ltx *tx, void *arg)
{
    struct flight *f = arg;
    pthread_mutex_lock(&f->mu);
    f->blocker_running = 1;
    pthread_cond_broadcast(&f->cv);
    while (!f->release)
        pthread_cond_wait(&f->cv, &f->mu);
    pthread_mutex_unlock(&f->mu);
    return hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, "blocker", 7, "x", 1);
}

static void *blocker_thread(void *p)
{
    struct flight_writer *w = p;
    w->result = hc_ledger_write(w->f->l, blocker_fn, w->f);
    return NULL;
}

static void *flight_thread(void *p)
{
    struct flight_writer *w = p;
    pthread_mutex_lock(&w->f->mu);
    w->f->arrived++;
    pthread_mutex_unlock(&w->f->mu);
    w->result = hc_ledger_write(w->f->l, put_kv, &w->kv);
    return NULL;
}

static void *closer_thread(void *p)
{
    hc_ledger_close(p);
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void test_close_in_flight(void **state)
{
    (void)state;
    char *dir = make_dir();
    int early_done = 0, late_closed = 0;
    alarm(60); /* a hang fails the test */
    for (int round = 0; round < 4; round++) {
        struct flight f = {0};
        struct flight_writer blocker = {0}, early[FLIGHT_EARLY],
                             late[FLIGHT_LATE];
        pthread_t tb, te[FLIGHT_EARLY], tl[FLIGHT_LATE], tc;
        pthread_mutex_init(&f.mu, NULL);
        pthread_cond_init(&f.cv, NULL);
        assert_int_equal(hc_ledger_open(&f.l, dir, NULL), HC_OK);
        /* the committer is busy with the blocker … */
        blocker.f = &f;
        assert_int_equal(pthread_create(&tb, NULL, blocker_thread, &blocker),
                         0);
        pthread_mutex_lock(&f.mu);
        while (!f.blocker_running)
            pthread_cond_wait(&f.cv, &f.mu);
        pthread_mutex_unlock(&f.mu);
        /* … while writers queue up behind it */
        for (int i = 0; i < FLIGHT_EARLY; i++) {
            early[i].f = &f;
            snprintf(early[i].key, sizeof early[i].key, "r%d/e%02d", round, i);
            early[i].kv.key = early[i].key;
            early[i].kv.val = "early";
            assert_int_equal(
                pthread_create(&te[i], NULL, flight_thread, &early[i]), 0);
        }
        for (;;) {
            pthread_mutex_lock(&f.mu);
            int n = f.arrived;
            pthread_mutex_unlock(&f.mu);
            if (n == FLIGHT_EARLY)
                break;
            sleep_ms(1);
        }
        sleep_ms(30); /* they are inside hc_ledger_write now */
        /* close starts (and waits for the committer) … */
        assert_int_equal(pthread_create(&tc, NULL, closer_thread, f.l), 0);
        sleep_ms(30);
        /* … writers that come now are turned away */
        for (int i = 0; i < FLIGHT_LATE; i++) {
            late[i].f = &f;
            snprintf(late[i].key, sizeof late[i].key, "r%d/l%02d", round, i);
            late[i].kv.key = late[i].key;
            late[i].kv.val = "late";
            assert_int_equal(
                pthread_create(&tl[i], NULL, flight_thread, &late[i]), 0);
        }
        sleep_ms(30);
        pthread_mutex_lock(&f.mu);
        f.release = 1;
        pthread_cond_broadcast(&f.cv);
        pthread_mutex_unlock(&f.mu);
        assert_int_equal(pthread_join(tb, NULL), 0);
        for (int i = 0; i < FLIGHT_EARLY; i++)
            assert_int_equal(pthread_join(te[i], NULL), 0);
        for (int i = 0; i < FLIGHT_LATE; i++)
            assert_int_equal(pthread_join(tl[i], NULL), 0);
        assert_int_equal(pthread_join(tc, NULL), 0);
        assert_int_equal(blocker.result, HC_OK);

        /* every write either happened or was refused as closed */
        hc_ledger *l;
        hc_buf b;
        hc_buf_init(&b, 64, 0);
        assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
        int done = 0, closed = 0;
        for (int i = 0; i < FLIGHT_EARLY + FLIGHT_LATE; i++) {
            struct flight_writer *w =
                i < FLIGHT_EARLY ? &early[i] : &late[i - FLIGHT_EARLY];
            hc_err err =
                hc_ledger_get(l, HC_LDB_KV, w->key, strlen(w->key), &b);
            if (w->result == HC_OK) {
                assert_int_equal(err, HC_OK);
                done++;
            } else {
                assert_int_equal(w->result, HC_ERR_CLOSED);
                assert_int_equal(err, HC_ERR_NOT_FOUND);
                closed++;
            }
        }
        assert_int_equal(done + closed, FLIGHT_EARLY + FLIGHT_LATE);
        /* with these pauses the queued writers are written and the late ones
         * refused; under heavy load a few may land on the other side */
        for (int i = 0; i < FLIGHT_EARLY; i++)
            early_done += early[i].result == HC_OK;
        for (int i = 0; i < FLIGHT_LATE; i++)
            late_closed += late[i].result == HC_ERR_CLOSED;
        verify_ok(l);
        hc_buf_free(&b);
        hc_ledger_close(l);
        pthread_cond_destroy(&f.cv);
        pthread_mutex_destroy(&f.mu);
    }
    alarm(0);
    /* both paths were taken */
    assert_true(early_done > 0);
    assert_true(late_closed > 0);
    remove_dir(dir);
}

/* ---- the journal as stored */

static void test_journal_entries(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_mint m;
    hc_accept_outcome oc;
    hc_mint ex;
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    struct kv a = {"alpha", "one"};
    assert_int_equal(hc_ledger_write(l, put_kv, &a), HC_OK);
    mk_mint(&m, 1, 2, "idem");
    assert_int_equal(hc_ledger_mint_accept(l, &m, &oc, &ex), HC_OK);
    struct del d = {HC_LDB_KV, HC_J_KV, "alpha", 5};
    assert_int_equal(hc_ledger_write(l, del_fn, &d), HC_OK);
    uint8_t head[32];
    uint64_t hseq;
    assert_int_equal(hc_ledger_head(l, &hseq, head), HC_OK);
    assert_int_equal(hseq, 4);
    hc_ledger_close(l);

    MDB_env *env = raw_open(dir);
    MDB_txn *txn;
    MDB_dbi dbi;
    MDB_cursor *cur;
    MDB_val k, v;
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "journal", 0, &dbi), 0);
    assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
    uint8_t prev[32] = {0};
    uint64_t n = 0;
    static const uint16_t kinds[] = {HC_J_GENESIS, HC_J_KV, HC_J_MINT_ACCEPTED,
                                     HC_J_KV};
    static const uint8_t ops[] = {1, 1, 1, 2};
    static const uint8_t dbs[] = {0xff, HC_LDB_KV, HC_LDB_MINTS, HC_LDB_KV};
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        hc_jentry e;
        assert_int_equal(k.mv_size, 8);
        assert_int_equal(hc_be64_get(k.mv_data), n + 1);
        assert_int_equal(hc_jentry_decode(&e, v.mv_data, v.mv_size), HC_OK);
        assert_int_equal(e.seq, n + 1);
        assert_int_equal(e.kind, kinds[n]);
        assert_int_equal(e.op, ops[n]);
        assert_int_equal(e.db, dbs[n]);
        assert_memory_equal(e.prev, prev, 32);
        uint8_t h[32];
        assert_int_equal(hc_sha256(h, v.mv_data, v.mv_size), HC_OK);
        assert_memory_equal(e.hash, h, 32);
        memcpy(prev, e.hash, 32);
        /* every truncation and one trailing byte fail to decode */
        uint8_t *copy = malloc(v.mv_size + 1);
        memcpy(copy, v.mv_data, v.mv_size);
        for (size_t len = 0; len < v.mv_size; len++) {
            hc_jentry t;
            uint8_t *c = malloc(len ? len : 1);
            memcpy(c, copy, len);
            assert_int_not_equal(hc_jentry_decode(&t, c, len), HC_OK);
            free(c);
        }
        copy[v.mv_size] = 0;
        hc_jentry t;
        assert_int_equal(hc_jentry_decode(&t, copy, v.mv_size + 1),
                         HC_ERR_CORRUPT);
        copy[0] = 2;
        assert_int_equal(hc_jentry_decode(&t, copy, v.mv_size), HC_ERR_VERSION);
        free(copy);
        n++;
    }
    assert_int_equal(n, 4);
    assert_memory_equal(prev, head, 32);
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    mdb_env_close(env);

    assert_string_equal(hc_jkind_name(HC_J_GENESIS), "genesis");
    assert_string_equal(hc_jkind_name(HC_J_KV), "kv");
    assert_string_equal(hc_jkind_name(0), "unknown");
    assert_string_equal(hc_jkind_name(HC_J_KIND_END), "unknown");
    assert_string_equal(hc_ldb_name(HC_LDB_MINTS), "mints");
    assert_string_equal(hc_ldb_name(HC_LDB_KEYS), "idx_client_keys");
    assert_string_equal(hc_ldb_name(HC_LDB_ACTIVE), "idx_active");
    assert_string_equal(hc_ldb_name(HC_LDB_COUNT), "none");
    remove_dir(dir);
}

/* ---- argument checks of the write context */

static hc_err bad_args_fn(hc_ltx *tx, void *arg)
{
    const uint8_t *p;
    size_t n;
    uint8_t big[600] = {0};
    (void)arg;
    assert_int_equal(hc_ltx_put(tx, HC_LDB_IDEM, HC_J_KV, "k", 1, "v", 1),
                     HC_ERR_ARG);
    assert_int_equal(hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, "", 0, "v", 1),
                     HC_ERR_ARG);
    assert_int_equal(hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, big, 512, "v", 1),
                     HC_ERR_ARG);
    assert_int_equal(hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, "k", 1, NULL, 1),
                     HC_ERR_ARG);
    assert_int_equal(hc_ltx_index_put(tx, HC_LDB_KV, "k", 1, "v", 1, 0),
                     HC_ERR_ARG);
    assert_int_equal(hc_ltx_get(tx, HC_LDB_OWNERS, "k", 1, &p, &n), HC_ERR_ARG);
    assert_int_equal(hc_ltx_index_get(tx, HC_LDB_MINTS, "k", 1, &p, &n),
                     HC_ERR_ARG);
    assert_int_equal(hc_ltx_index_del(tx, HC_LDB_MINTS, "k", 1), HC_ERR_ARG);
    /* the longest key and an empty body work */
    assert_int_equal(hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, big, 511, NULL, 0),
                     HC_OK);
    assert_int_equal(hc_ltx_get(tx, HC_LDB_KV, big, 511, &p, &n), HC_OK);
    assert_int_equal(n, 0);
    /* index rows: no overwrite unless asked */
    assert_int_equal(hc_ltx_index_put(tx, HC_LDB_KEYS, "k", 1, "a", 1, 0),
                     HC_OK);
    assert_int_equal(hc_ltx_index_put(tx, HC_LDB_KEYS, "k", 1, "b", 1, 0),
                     HC_ERR_EXISTS);
    assert_int_equal(hc_ltx_index_get(tx, HC_LDB_KEYS, "k", 1, &p, &n), HC_OK);
    assert_memory_equal(p, "a", 1);
    assert_int_equal(hc_ltx_index_put(tx, HC_LDB_KEYS, "k", 1, "b", 1, 1),
                     HC_OK);
    assert_int_equal(hc_ltx_index_get(tx, HC_LDB_KEYS, "k", 1, &p, &n), HC_OK);
    assert_memory_equal(p, "b", 1);
    assert_int_equal(hc_ltx_index_del(tx, HC_LDB_KEYS, "k", 1), HC_OK);
    assert_int_equal(hc_ltx_index_del(tx, HC_LDB_KEYS, "k", 1),
                     HC_ERR_NOT_FOUND);
    assert_true(hc_ltx_now(tx) > 1600000000000ull);
    return HC_OK;
}

static void test_ltx_args(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_buf b;
    hc_buf_init(&b, 64, 0);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    assert_int_equal(hc_ledger_write(l, bad_args_fn, NULL), HC_OK);
    assert_int_equal(hc_ledger_write(l, NULL, NULL), HC_ERR_ARG);
    assert_int_equal(hc_ledger_write(NULL, put_kv, NULL), HC_ERR_ARG);
    assert_int_equal(hc_ledger_get(l, HC_LDB_OWNERS, "k", 1, &b), HC_ERR_ARG);
    assert_int_equal(hc_ledger_index_get(l, HC_LDB_KV, "k", 1, &b), HC_ERR_ARG);
    assert_int_equal(hc_ledger_get(l, HC_LDB_KV, "nope", 4, &b),
                     HC_ERR_NOT_FOUND);
    verify_ok(l);
    hc_buf_free(&b);
    hc_ledger_close(l);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_write_verify),
        cmocka_unit_test(test_mint_accept),
        cmocka_unit_test(test_mint_states),
        cmocka_unit_test(test_mint_update),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_nonces_and_sent),
        cmocka_unit_test(test_outbox),
        cmocka_unit_test(test_clients),
        cmocka_unit_test(test_client_update),
        cmocka_unit_test(test_scan_pages),
        cmocka_unit_test(test_error_isolation),
        cmocka_unit_test(test_write_status),
        cmocka_unit_test(test_map_growth),
        cmocka_unit_test(test_schema_version),
        cmocka_unit_test(test_active_index),
        cmocka_unit_test(test_token_rekey),
        cmocka_unit_test(test_read_only),
        cmocka_unit_test(test_close_in_flight),
        cmocka_unit_test(test_journal_entries),
        cmocka_unit_test(test_ltx_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

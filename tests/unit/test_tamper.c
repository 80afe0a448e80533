/* Tamper tests: a ledger is built once through the library and closed; then,
 * case by case, a fresh copy of its data.mdb is changed with raw LMDB (a
 * journal byte flipped, an entry deleted, two entries swapped, a record
 * changed, rolled back, deleted or forged, an index row deleted, changed or
 * forged) and hc_ledger_verify must say HC_ERR_CORRUPT. The untouched copy
 * must verify. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#include "haechi/codec.h"
#include "haechi/ledger.h"
#include "haechi/records.h"
#include "testutil.h"

#define MAX_ENTRIES 128
#define MAX_ROWS    256

/* A row of some database of the built ledger. */
struct row {
    const char *db;
    int is_index;
    uint8_t key[HC_OWNER_KEY_LEN];
    size_t klen;
    uint8_t val[1024];
    size_t vlen;
};

static struct fixture {
    char tmpl[64], scratch[64], data[96];
    uint8_t *image; /* the built ledger's data.mdb */
    size_t image_len;
    size_t n; /* journal entries */
    uint8_t *entry[MAX_ENTRIES + 1];
    size_t entry_len[MAX_ENTRIES + 1];
    struct row rows[MAX_ROWS];
    size_t n_rows;
    unsigned cases;
} fx;

static const char *const db_names[HC_LDB_COUNT] = {
    [HC_LDB_MINTS] = "mints",          [HC_LDB_TOKENS] = "tokens",
    [HC_LDB_METADATA] = "metadata",    [HC_LDB_NONCES] = "nonces",
    [HC_LDB_SENT] = "sent_txs",        [HC_LDB_OUTBOX] = "outbox",
    [HC_LDB_CLIENTS] = "clients",      [HC_LDB_KV] = "kv",
    [HC_LDB_IDEM] = "idx_idempotency", [HC_LDB_CONTENT] = "idx_content",
    [HC_LDB_OWNERS] = "idx_owners",    [HC_LDB_KEYS] = "idx_client_keys",
    [HC_LDB_ACTIVE] = "idx_active",
};

/* ---- building the ledger */

static hc_address alice, bob, signer;

static void mk_mint(hc_mint *m, uint8_t id, const char *idem)
{
    memset(m, 0, sizeof *m);
    memset(m->id, id, 16);
    memset(m->content_hash, 0x40 + id, 32);
    memset(m->metadata_hash, 0x80 + id, 32);
    memset(m->request_hash, 0xc0 + id, 32);
    m->creator = alice;
    m->royalty_bps = 250;
    m->state = HC_MINT_QUEUED;
    strcpy(m->client, id % 2 ? "jongno-gu" : "mapo-gu");
    strcpy(m->idem_key, idem);
    m->content_size = 4096u * id;
    m->created_ms = m->updated_ms = 1700000000000ull + id;
}

static void mk_token(hc_token *t, const hc_mint *m, const hc_address *owner)
{
    memset(t, 0, sizeof *t);
    memcpy(t->id, m->content_hash, 32);
    memcpy(t->mint_id, m->id, 16);
    t->creator = m->creator;
    t->owner = *owner;
    memcpy(t->metadata_hash, m->metadata_hash, 32);
    t->royalty_bps = m->royalty_bps;
    t->block = 100 + m->id[0];
    memset(t->tx_hash, 0x70 + m->id[0], 32);
    t->minted_ms = 1700000100000ull;
}

struct op {
    int what; /* 1 mint, 2 token, 3 nonce, 4 sent, 5 outbox, 6 put, 7 del */
    const void *rec;
    uint16_t kind;
    hc_ldb db;
    const char *key, *val;
};

static hc_err ops_fn(hc_ltx *tx, void *arg)
{
    const struct op *o = arg;
    hc_err err = HC_OK;
    for (; o->what && !err; o++) {
        switch (o->what) {
        case 1:
            err = hc_ltx_mint_put(tx, o->rec, o->kind);
            break;
        case 2:
            err = hc_ltx_token_put(tx, o->rec, o->kind);
            break;
        case 3:
            err = hc_ltx_nonce_put(tx, o->rec);
            break;
        case 4:
            err = hc_ltx_sent_put(tx, o->rec, o->kind);
            break;
        case 5:
            err = hc_ltx_outbox_put(tx, o->rec);
            break;
        case 6:
            err = hc_ltx_put(tx, o->db, o->kind, o->key, strlen(o->key), o->val,
                             strlen(o->val));
            break;
        case 7:
            err = hc_ltx_del(tx, o->db, o->kind, o->key, strlen(o->key));
            break;
        }
    }
    return err;
}

static void write_ops(hc_ledger *l, const struct op *ops)
{
    assert_int_equal(hc_ledger_write(l, ops_fn, (void *)ops), HC_OK);
}

/* Deletes the outbox item 1001 (delivered). */
static hc_err del_outbox_fn(hc_ltx *tx, void *arg)
{
    (void)arg;
    uint8_t k[8];
    hc_be64_put(k, 1001);
    return hc_ltx_del(tx, HC_LDB_OUTBOX, HC_J_OUTBOX, k, 8);
}

static void build(const char *dir)
{
    hc_ledger *l;
    hc_accept_outcome oc;
    hc_mint m[7], ex;
    hc_token t[4];
    hc_client c;
    memset(alice.b, 0xa1, 20);
    memset(bob.b, 0xb0, 20);
    memset(signer.b, 0x5e, 20);
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    /* clients */
    static const char *const names[] = {"jongno-gu", "mapo-gu", "seocho-gu"};
    for (int i = 0; i < 3; i++) {
        memset(&c, 0, sizeof c);
        strcpy(c.name, names[i]);
        memset(c.key_id, 0x10 + i, HC_KEY_ID_LEN);
        memset(c.key_hash, 0x20 + i, 32);
        c.roles = i == 2 ? HC_ROLE_AUDITOR : HC_ROLE_MINTER;
        c.created_ms = 1700000000000ull;
        snprintf(c.webhook_url, sizeof c.webhook_url,
                 "https://%s.example.kr/hook", names[i]);
        assert_int_equal(hc_ledger_client_add(l, &c), HC_OK);
    }
    /* mints 1..6; 1..4 with idempotency keys */
    for (int i = 1; i <= 6; i++) {
        char idem[16] = "";
        if (i <= 4)
            snprintf(idem, sizeof idem, "req-%d", i);
        mk_mint(&m[i], (uint8_t)i, idem);
        assert_int_equal(hc_ledger_mint_accept(l, &m[i], &oc, &ex), HC_OK);
        assert_int_equal(oc, HC_ACCEPT_NEW);
    }
    /* state changes: 1 and 2 submitted, 1 confirmed (with its token), 3
     * failed, 2 in conflict */
    m[1].state = m[2].state = HC_MINT_SUBMITTED;
    m[1].has_tx = m[2].has_tx = 1;
    m[1].signer = m[2].signer = signer;
    m[1].nonce = 4;
    m[2].nonce = 5;
    memset(m[1].tx_hash, 0x71, 32);
    memset(m[2].tx_hash, 0x72, 32);
    struct op sub[] = {{1, &m[1], HC_J_TX_SENT, 0, 0, 0},
                       {1, &m[2], HC_J_TX_SENT, 0, 0, 0},
                       {0, 0, 0, 0, 0, 0}};
    write_ops(l, sub);
    m[1].state = HC_MINT_CONFIRMED;
    m[1].block = 101;
    m[1].gas_used = 90000;
    m[1].fee_paid = hc_u256_from_u64(123456789);
    mk_token(&t[1], &m[1], &alice);
    struct op conf[] = {{1, &m[1], HC_J_RECEIPT, 0, 0, 0},
                        {2, &t[1], HC_J_TOKEN, 0, 0, 0},
                        {0, 0, 0, 0, 0, 0}};
    write_ops(l, conf);
    m[3].state = HC_MINT_FAILED;
    strcpy(m[3].reason, "insufficient funds");
    m[2].state = HC_MINT_CONFLICT;
    m[2].chain_owner = bob;
    struct op fail[] = {{1, &m[3], HC_J_MINT_STATE, 0, 0, 0},
                        {1, &m[2], HC_J_MINT_STATE, 0, 0, 0},
                        {0, 0, 0, 0, 0, 0}};
    write_ops(l, fail);
    /* tokens: 2 more, a transfer, a burn; metadata */
    mk_token(&t[2], &m[4], &alice);
    mk_token(&t[3], &m[5], &bob);
    struct op toks[] = {
        {2, &t[2], HC_J_TOKEN, 0, 0, 0},
        {2, &t[3], HC_J_TOKEN, 0, 0, 0},
        {6, 0, HC_J_METADATA, HC_LDB_METADATA, "token-1", "{\"name\":\"a\"}"},
        {6, 0, HC_J_METADATA, HC_LDB_METADATA, "token-3", "{\"name\":\"c\"}"},
        {0, 0, 0, 0, 0, 0}};
    write_ops(l, toks);
    t[1].owner = bob;
    struct op xfer[] = {{2, &t[1], HC_J_OWNER_CHANGED, 0, 0, 0},
                        {0, 0, 0, 0, 0, 0}};
    write_ops(l, xfer);
    t[2].burned = 1;
    struct op burn[] = {{2, &t[2], HC_J_TOKEN, 0, 0, 0}, {0, 0, 0, 0, 0, 0}};
    write_ops(l, burn);
    /* nonces and sent transactions */
    hc_nonce_state ns = {0};
    ns.signer = signer;
    ns.next = 5;
    ns.chain_latest = 4;
    hc_sent_tx st[3];
    uint8_t raw[3][48], ids[32];
    memset(ids, 0x01, 16);
    memset(ids + 16, 0x02, 16);
    for (int i = 0; i < 3; i++) {
        memset(&st[i], 0, sizeof st[i]);
        memset(raw[i], 0x02 + i, sizeof raw[i]);
        st[i].signer = signer;
        st[i].nonce = i < 2 ? 4 : 5;
        memset(st[i].hash, 0x90 + i, 32);
        st[i].raw = raw[i];
        st[i].raw_len = sizeof raw[i];
        st[i].sent_ms = 1700000000500ull + (uint64_t)i;
        st[i].max_fee = hc_u256_from_u64(30000000000ull + (uint64_t)i);
        st[i].mint_ids = ids;
        st[i].n_mints = i == 2 ? 2 : 1;
    }
    struct op sent[] = {{3, &ns, 0, 0, 0, 0},
                        {4, &st[0], HC_J_TX_SIGNED, 0, 0, 0},
                        {4, &st[1], HC_J_TX_SENT, 0, 0, 0},
                        {4, &st[2], HC_J_TX_SENT, 0, 0, 0},
                        {0, 0, 0, 0, 0, 0}};
    write_ops(l, sent);
    ns.next = 6;
    ns.chain_pending = 6;
    struct op nonce2[] = {{3, &ns, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}};
    write_ops(l, nonce2);
    /* outbox: four items, one delivered (deleted), one retried */
    hc_outbox_item ob[4];
    for (int i = 0; i < 4; i++) {
        memset(&ob[i], 0, sizeof ob[i]);
        ob[i].seq = 1000 + (uint64_t)i;
        strcpy(ob[i].client, i % 2 ? "mapo-gu" : "jongno-gu");
        memset(ob[i].mint_id, i + 1, 16);
        ob[i].payload = (const uint8_t *)"{\"state\":\"confirmed\"}";
        ob[i].payload_len = 21;
        struct op o[] = {{5, &ob[i], 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}};
        write_ops(l, o);
    }
    assert_int_equal(hc_ledger_write(l, del_outbox_fn, NULL), HC_OK);
    ob[2].attempts = 2;
    ob[2].next_ms = 1700000009000ull;
    struct op retry[] = {{5, &ob[2], 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0}};
    write_ops(l, retry);
    /* kv: puts, an overwrite, a delete, a re-creation */
    struct op kv1[] = {{6, 0, HC_J_KV, HC_LDB_KV, "k/alpha", "one"},
                       {6, 0, HC_J_KV, HC_LDB_KV, "k/beta", "two"},
                       {6, 0, HC_J_KV, HC_LDB_KV, "k/gamma", "three"},
                       {6, 0, HC_J_KV, HC_LDB_KV, "k/delta", "four"},
                       {0, 0, 0, 0, 0, 0}};
    write_ops(l, kv1);
    struct op kv2[] = {{6, 0, HC_J_KV, HC_LDB_KV, "k/alpha", "uno"},
                       {0, 0, 0, 0, 0, 0}};
    write_ops(l, kv2);
    struct op kv3[] = {{7, 0, HC_J_KV, HC_LDB_KV, "k/beta", 0},
                       {7, 0, HC_J_KV, HC_LDB_KV, "k/gamma", 0},
                       {0, 0, 0, 0, 0, 0}};
    write_ops(l, kv3);
    struct op kv4[] = {{6, 0, HC_J_KV, HC_LDB_KV, "k/gamma", "tres"},
                       {0, 0, 0, 0, 0, 0}};
    write_ops(l, kv4);
    hc_ledger_close(l);
}

/* ---- raw LMDB */

static MDB_env *raw_env(const char *dir, unsigned flags)
{
    MDB_env *env;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 32), 0);
    assert_int_equal(mdb_env_open(env, dir, flags, 0600), 0);
    return env;
}

static MDB_dbi dbi(MDB_txn *txn, const char *name)
{
    MDB_dbi d;
    assert_int_equal(mdb_dbi_open(txn, name, 0, &d), 0);
    return d;
}

static void t_put(MDB_txn *txn, const char *db, const void *key, size_t klen,
                  const void *val, size_t vlen)
{
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    assert_int_equal(mdb_put(txn, dbi(txn, db), &k, &v, 0), 0);
}

static void t_del(MDB_txn *txn, const char *db, const void *key, size_t klen)
{
    MDB_val k = {klen, (void *)key};
    assert_int_equal(mdb_del(txn, dbi(txn, db), &k, NULL), 0);
}

static void t_jput(MDB_txn *txn, uint64_t seq, const void *val, size_t vlen)
{
    uint8_t k[8];
    hc_be64_put(k, seq);
    t_put(txn, "journal", k, 8, val, vlen);
}

/* ---- running one case */

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    while (n) {
        ssize_t w = write(fd, p, n);
        assert_true(w > 0);
        p += w;
        n -= (size_t)w;
    }
    assert_int_equal(close(fd), 0);
}

typedef void (*tamper_fn)(MDB_txn *txn, const void *arg);

/* A fresh copy of the built ledger, changed by fn (if any), verified. */
static hc_err run_case(tamper_fn fn, const void *arg, hc_ledger_report *rep)
{
    hc_ledger *l;
    hc_ledger_opts ro = {0};
    ro.read_only = 1;
    write_file(fx.data, fx.image, fx.image_len);
    if (fn) {
        MDB_env *env = raw_env(fx.scratch, MDB_NOSYNC);
        MDB_txn *txn;
        assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
        fn(txn, arg);
        assert_int_equal(mdb_txn_commit(txn), 0);
        mdb_env_close(env);
    }
    hc_err err = hc_ledger_open(&l, fx.scratch, &ro);
    if (err)
        fail_msg("open after tampering: %s", hc_strerror(err));
    memset(rep, 0, sizeof *rep);
    err = hc_ledger_verify(l, rep);
    hc_ledger_close(l);
    fx.cases++;
    return err;
}

static hc_ledger_report expect_corrupt(tamper_fn fn, const void *arg,
                                       const char *what)
{
    hc_ledger_report rep;
    hc_err err = run_case(fn, arg, &rep);
    if (err != HC_ERR_CORRUPT)
        fail_msg("not detected: %s (verify: %s)", what, hc_strerror(err));
    assert_true(rep.problem[0] != 0);
    return rep;
}

/* ---- fixture */

static int setup(void **state)
{
    (void)state;
    strcpy(fx.tmpl, "/tmp/hc_tamper_tmpl_XXXXXX");
    strcpy(fx.scratch, "/tmp/hc_tamper_case_XXXXXX");
    if (!mkdtemp(fx.tmpl) || !mkdtemp(fx.scratch))
        return -1;
    snprintf(fx.data, sizeof fx.data, "%s/data.mdb", fx.scratch);
    build(fx.tmpl);
    /* the image each case starts from: a compacted copy of data.mdb (the
     * same ledger, fewer bytes to write per case) */
    MDB_env *cenv = raw_env(fx.tmpl, MDB_RDONLY);
    assert_int_equal(mdb_env_copy2(cenv, fx.scratch, MDB_CP_COMPACT), 0);
    mdb_env_close(cenv);
    fx.image = (uint8_t *)tu_read_file(fx.data, &fx.image_len);

    /* the journal entries and every row, read raw */
    MDB_env *env = raw_env(fx.tmpl, MDB_RDONLY);
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_cursor_open(txn, dbi(txn, "journal"), &cur), 0);
    for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        fx.n++;
        assert_true(fx.n <= MAX_ENTRIES);
        assert_int_equal(hc_be64_get(k.mv_data), fx.n);
        fx.entry[fx.n] = malloc(v.mv_size);
        memcpy(fx.entry[fx.n], v.mv_data, v.mv_size);
        fx.entry_len[fx.n] = v.mv_size;
    }
    mdb_cursor_close(cur);
    for (int db = 0; db < HC_LDB_COUNT; db++) {
        assert_int_equal(mdb_cursor_open(txn, dbi(txn, db_names[db]), &cur), 0);
        for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
            struct row *r = &fx.rows[fx.n_rows++];
            assert_true(fx.n_rows <= MAX_ROWS);
            assert_true(k.mv_size <= sizeof r->key);
            assert_true(v.mv_size <= sizeof r->val);
            r->db = db_names[db];
            r->is_index = db >= HC_LDB_RECORDS_END;
            memcpy(r->key, k.mv_data, k.mv_size);
            r->klen = k.mv_size;
            memcpy(r->val, v.mv_data, v.mv_size);
            r->vlen = v.mv_size;
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", fx.tmpl, fx.scratch);
    int rc = system(cmd);
    free(fx.image);
    for (size_t i = 1; i <= fx.n; i++)
        free(fx.entry[i]);
    return rc;
}

static const struct row *find_row(const char *db, const void *key, size_t klen)
{
    for (size_t i = 0; i < fx.n_rows; i++)
        if (!strcmp(fx.rows[i].db, db) && fx.rows[i].klen == klen &&
            memcmp(fx.rows[i].key, key, klen) == 0)
            return &fx.rows[i];
    fail_msg("no row %s/%.*s", db, (int)klen, (const char *)key);
    return NULL;
}

/* The journal entry seq, decoded (pointers into the fixture's copy). */
static hc_jentry jentry(uint64_t seq)
{
    hc_jentry e;
    assert_int_equal(hc_jentry_decode(&e, fx.entry[seq], fx.entry_len[seq]),
                     HC_OK);
    return e;
}

/* ---- (e) the untouched copy */

static void test_untouched(void **state)
{
    (void)state;
    hc_ledger_report rep;
    assert_true(fx.n >= 36);
    assert_int_equal(run_case(NULL, NULL, &rep), HC_OK);
    assert_int_equal(rep.entries, fx.n);
    assert_int_equal(rep.bad_seq, 0);
    assert_string_equal(rep.problem, "");
    size_t records = 0, index_rows = 0;
    for (size_t i = 0; i < fx.n_rows; i++)
        fx.rows[i].is_index ? index_rows++ : records++;
    assert_int_equal(rep.records, records);
    assert_int_equal(rep.index_rows, index_rows);
    /* every kind of database holds something */
    for (int db = 0; db < HC_LDB_COUNT; db++) {
        int any = 0;
        for (size_t i = 0; i < fx.n_rows; i++)
            any |= !strcmp(fx.rows[i].db, db_names[db]);
        if (!any)
            fail_msg("the fixture has no rows in %s", db_names[db]);
    }
}

/* ---- (a) every byte of every journal entry */

struct flip {
    uint64_t seq;
    size_t off;
    uint8_t mask;
};

static void flip_fn(MDB_txn *txn, const void *arg)
{
    const struct flip *f = arg;
    uint8_t buf[4096];
    size_t n = fx.entry_len[f->seq];
    assert_true(n <= sizeof buf);
    memcpy(buf, fx.entry[f->seq], n);
    buf[f->off] ^= f->mask;
    t_jput(txn, f->seq, buf, n);
}

static void check_flip(const struct flip *f)
{
    char what[80];
    snprintf(what, sizeof what, "entry %llu, byte %zu ^ 0x%02x",
             (unsigned long long)f->seq, f->off, f->mask);
    hc_ledger_report rep = expect_corrupt(flip_fn, f, what);
    /* named: the changed entry, or the next one whose link to it broke */
    if (rep.bad_seq != f->seq && rep.bad_seq != f->seq + 1)
        fail_msg("%s: reported entry %llu (%s)", what,
                 (unsigned long long)rep.bad_seq, rep.problem);
}

static void test_flip_every_byte(void **state)
{
    (void)state;
    struct timespec t0, t1;
    size_t flips = 0, bytes = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t seq = 1; seq <= fx.n; seq++) {
        bytes += fx.entry_len[seq];
        for (size_t off = 0; off < fx.entry_len[seq]; off++) {
            struct flip f = {seq, off, (uint8_t)(1u << (off % 8))};
            check_flip(&f);
            flips++;
        }
    }
    /* and whole-byte changes at a few places of every entry: the first and
     * last bytes, the middle */
    for (uint64_t seq = 1; seq <= fx.n; seq++) {
        size_t n = fx.entry_len[seq];
        size_t offs[3] = {0, n / 2, n - 1};
        for (int i = 0; i < 3; i++) {
            struct flip f = {seq, offs[i], 0xff};
            check_flip(&f);
            flips++;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("flipped %zu bytes of %zu journal entries (%zu bytes): all "
                  "detected, %.1f s\n",
                  flips, fx.n, bytes, s);
}

/* ---- (b) deleting an entry */

static void del_entry_fn(MDB_txn *txn, const void *arg)
{
    uint8_t k[8];
    hc_be64_put(k, *(const uint64_t *)arg);
    t_del(txn, "journal", k, 8);
}

static void test_delete_each_entry(void **state)
{
    (void)state;
    for (uint64_t seq = 1; seq <= fx.n; seq++) {
        char what[40];
        snprintf(what, sizeof what, "entry %llu deleted",
                 (unsigned long long)seq);
        hc_ledger_report rep = expect_corrupt(del_entry_fn, &seq, what);
        if (rep.bad_seq != seq)
            fail_msg("%s: reported entry %llu (%s)", what,
                     (unsigned long long)rep.bad_seq, rep.problem);
    }
}

/* ---- (c) swapping two entries */

static void swap_fn(MDB_txn *txn, const void *arg)
{
    const uint64_t *p = arg;
    t_jput(txn, p[0], fx.entry[p[1]], fx.entry_len[p[1]]);
    t_jput(txn, p[1], fx.entry[p[0]], fx.entry_len[p[0]]);
}

static void test_swap_entries(void **state)
{
    (void)state;
    uint64_t n = fx.n;
    uint64_t pairs[][2] = {{1, 2},          {2, 3}, {3, 4},         {7, 8},
                           {n - 1, n},      {1, n}, {2, n},         {5, 20},
                           {10, n / 2 + 3}, {4, 9}, {n / 2, n - 2}, {11, 12}};
    size_t np = sizeof pairs / sizeof pairs[0];
    for (size_t i = 0; i < np; i++) {
        char what[48];
        snprintf(what, sizeof what, "entries %llu and %llu swapped",
                 (unsigned long long)pairs[i][0],
                 (unsigned long long)pairs[i][1]);
        hc_ledger_report rep = expect_corrupt(swap_fn, pairs[i], what);
        assert_int_equal(rep.bad_seq, pairs[i][0]);
    }
    /* every adjacent pair */
    for (uint64_t s = 1; s < n; s++) {
        uint64_t p[2] = {s, s + 1};
        hc_ledger_report rep = expect_corrupt(swap_fn, p, "adjacent swap");
        assert_int_equal(rep.bad_seq, s);
    }
}

static void rotate_fn(MDB_txn *txn, const void *arg)
{
    (void)arg;
    t_jput(txn, 6, fx.entry[5], fx.entry_len[5]);
    t_jput(txn, 7, fx.entry[6], fx.entry_len[6]);
    t_jput(txn, 5, fx.entry[7], fx.entry_len[7]);
}

/* An entry copied over another (a duplicate), an entry moved to a new key,
 * the journal truncated, an entry appended, the head changed. */
static void dup_fn(MDB_txn *txn, const void *arg)
{
    const uint64_t *p = arg; /* copy entry p[0] over entry p[1] */
    t_jput(txn, p[1], fx.entry[p[0]], fx.entry_len[p[0]]);
}

static void move_last_fn(MDB_txn *txn, const void *arg)
{
    (void)arg;
    uint8_t k[8];
    hc_be64_put(k, fx.n);
    t_del(txn, "journal", k, 8);
    t_jput(txn, fx.n + 1, fx.entry[fx.n], fx.entry_len[fx.n]);
}

static void truncate_fn(MDB_txn *txn, const void *arg)
{
    uint64_t from = *(const uint64_t *)arg;
    for (uint64_t s = from; s <= fx.n; s++) {
        uint8_t k[8];
        hc_be64_put(k, s);
        t_del(txn, "journal", k, 8);
    }
}

static void append_fn(MDB_txn *txn, const void *arg)
{
    (void)arg;
    /* a well-formed copy of the last entry, renumbered (its prev is wrong
     * and the head does not name it) */
    uint8_t buf[4096];
    size_t n = fx.entry_len[fx.n];
    memcpy(buf, fx.entry[fx.n], n);
    hc_be64_put(buf + 1, fx.n + 1);
    t_jput(txn, fx.n + 1, buf, n);
}

static void append_garbage_fn(MDB_txn *txn, const void *arg)
{
    (void)arg;
    t_jput(txn, fx.n + 1, "garbage", 7);
}

static void bad_key_fn(MDB_txn *txn, const void *arg)
{
    (void)arg;
    t_put(txn, "journal", "\xff\xff\xff\xff\xff\xff\xff\xff\x01", 9, "x", 1);
}

static void empty_journal_fn(MDB_txn *txn, const void *arg)
{
    (void)arg;
    assert_int_equal(mdb_drop(txn, dbi(txn, "journal"), 0), 0);
}

struct head {
    int what; /* 0 delete, 1 seq - 1, 2 seq + 1, 3 hash flip, 4 short */
};

static void head_fn(MDB_txn *txn, const void *arg)
{
    const struct head *h = arg;
    MDB_val k = {4, "head"}, v;
    uint8_t buf[40];
    assert_int_equal(mdb_get(txn, dbi(txn, "meta"), &k, &v), 0);
    memcpy(buf, v.mv_data, 40);
    switch (h->what) {
    case 0:
        t_del(txn, "meta", "head", 4);
        return;
    case 1:
        hc_be64_put(buf, hc_be64_get(buf) - 1);
        break;
    case 2:
        hc_be64_put(buf, hc_be64_get(buf) + 1);
        break;
    case 3:
        buf[8 + 17] ^= 0x20;
        break;
    case 4:
        t_put(txn, "meta", "head", 4, buf, 39);
        return;
    }
    t_put(txn, "meta", "head", 4, buf, 40);
}

static void test_journal_structure(void **state)
{
    (void)state;
    uint64_t n = fx.n;
    hc_ledger_report rep;
    rep = expect_corrupt(rotate_fn, NULL, "three entries rotated");
    assert_int_equal(rep.bad_seq, 5);
    uint64_t dups[][2] = {{3, 4}, {4, 3}, {n - 1, n}, {n, 1}};
    for (size_t i = 0; i < 4; i++) {
        rep = expect_corrupt(dup_fn, dups[i], "an entry copied over another");
        assert_int_equal(rep.bad_seq, dups[i][1]);
    }
    rep = expect_corrupt(move_last_fn, NULL, "the last entry renumbered");
    assert_int_equal(rep.bad_seq, n);
    uint64_t from[] = {n, n - 1, n / 2, 2};
    for (size_t i = 0; i < 4; i++) {
        rep = expect_corrupt(truncate_fn, &from[i], "journal truncated");
        assert_int_equal(rep.bad_seq, from[i]);
    }
    rep = expect_corrupt(append_fn, NULL, "an entry appended");
    assert_int_equal(rep.bad_seq, n + 1);
    rep = expect_corrupt(append_garbage_fn, NULL, "garbage appended");
    assert_int_equal(rep.bad_seq, n + 1);
    expect_corrupt(bad_key_fn, NULL, "a journal key of 9 bytes");
    expect_corrupt(empty_journal_fn, NULL, "the journal emptied");
    for (int w = 0; w <= 4; w++) {
        struct head h = {w};
        expect_corrupt(head_fn, &h, "the head changed");
    }
}

/* ---- (d) records and indexes */

/* Puts or deletes one row. */
struct rowop {
    const char *db;
    const void *key;
    size_t klen;
    const void *val; /* NULL: delete */
    size_t vlen;
    const struct rowop *also; /* a second change in the same transaction */
};

static void rowop_fn(MDB_txn *txn, const void *arg)
{
    for (const struct rowop *o = arg; o; o = o->also) {
        if (o->val)
            t_put(txn, o->db, o->key, o->klen, o->val, o->vlen);
        else
            t_del(txn, o->db, o->key, o->klen);
    }
}

static void expect_rowop(const struct rowop *o, const char *what)
{
    char buf[160];
    snprintf(buf, sizeof buf, "%s (%s)", what, o->db);
    expect_corrupt(rowop_fn, o, buf);
}

/* Every record: its body changed (first, middle, last byte), its seq
 * changed, a byte appended, cut short, deleted. Every index row: deleted,
 * its value changed, a byte appended. */
static void test_every_row(void **state)
{
    (void)state;
    for (size_t i = 0; i < fx.n_rows; i++) {
        const struct row *r = &fx.rows[i];
        uint8_t v[1025];
        struct rowop o = {r->db, r->key, r->klen, v, r->vlen, NULL};
        if (!r->is_index) {
            assert_true(r->vlen >= 8);
            size_t blen = r->vlen - 8;
            size_t offs[] = {8, 8 + blen / 2, r->vlen - 1, 7, 0};
            for (size_t j = 0; j < 5; j++) {
                if (offs[j] >= r->vlen)
                    continue;
                memcpy(v, r->val, r->vlen);
                v[offs[j]] ^= 0x01;
                expect_rowop(&o, offs[j] < 8 ? "record seq changed"
                                             : "record body changed");
            }
            /* seq moved to every other entry */
            for (uint64_t s = 0; s <= fx.n + 1; s++) {
                if (s == hc_be64_get(r->val))
                    continue;
                memcpy(v, r->val, r->vlen);
                hc_be64_put(v, s);
                expect_rowop(&o, "record seq replaced");
            }
            memcpy(v, r->val, r->vlen);
            v[r->vlen] = 0;
            o.vlen = r->vlen + 1;
            expect_rowop(&o, "record with a byte appended");
            o.vlen = r->vlen - 1;
            expect_rowop(&o, "record cut short");
            o.vlen = 7;
            expect_rowop(&o, "record shorter than a seq");
            o.vlen = 8;
            expect_rowop(&o, "record body removed");
        } else {
            memcpy(v, r->val, r->vlen);
            if (r->vlen) {
                v[r->vlen - 1] ^= 0x01;
                expect_rowop(&o, "index value changed");
                v[r->vlen - 1] ^= 0x01;
                o.vlen = r->vlen - 1;
                expect_rowop(&o, "index value cut short");
            }
            v[r->vlen] = 0;
            o.vlen = r->vlen + 1;
            expect_rowop(&o, "index value with a byte appended");
        }
        o.val = NULL;
        expect_rowop(&o, r->is_index ? "index row deleted" : "record deleted");
    }
}

/* Finds the latest journal entry that wrote (db, key) before seq `before`;
 * returns its seq (0 if none). */
static uint64_t earlier_write(int db, const void *key, size_t klen,
                              uint64_t before)
{
    for (uint64_t s = before - 1; s >= 1; s--) {
        hc_jentry e = jentry(s);
        if (e.db == db && e.op == 1 && e.klen == klen &&
            memcmp(e.key, key, klen) == 0)
            return s;
    }
    return 0;
}

/* A record rolled back to an older value, with that value's seq. */
static void test_rollback(void **state)
{
    (void)state;
    int rolled = 0;
    for (size_t i = 0; i < fx.n_rows; i++) {
        const struct row *r = &fx.rows[i];
        if (r->is_index)
            continue;
        int db = -1;
        for (int d = 0; d < HC_LDB_RECORDS_END; d++)
            if (!strcmp(db_names[d], r->db))
                db = d;
        uint64_t seq = hc_be64_get(r->val);
        for (uint64_t s = earlier_write(db, r->key, r->klen, seq); s;
             s = earlier_write(db, r->key, r->klen, s)) {
            hc_jentry e = jentry(s);
            uint8_t v[1024];
            hc_be64_put(v, s);
            memcpy(v + 8, e.body, e.blen);
            struct rowop o = {r->db, r->key, r->klen, v, 8 + e.blen, NULL};
            expect_corrupt(rowop_fn, &o, "rollback");
            rolled++;
            /* the old value with the newest seq */
            hc_be64_put(v, seq);
            expect_corrupt(rowop_fn, &o, "old value, new seq");
        }
    }
    /* mints (3 changed), tokens (2), nonce, outbox, kv */
    assert_true(rolled >= 8);

    /* a token transfer rolled back with its owner index made to match */
    uint8_t mid[16], tid[32], tk[HC_TOKEN_KEY_LEN], okey_a[HC_OWNER_KEY_LEN],
        okey_b[HC_OWNER_KEY_LEN];
    memset(mid, 1, 16);
    memset(tid, 0x41, 32); /* token of mint 1 */
    hc_token_key(tk, mid, tid);
    const struct row *tok = find_row("tokens", tk, sizeof tk);
    uint64_t old =
        earlier_write(HC_LDB_TOKENS, tk, sizeof tk, hc_be64_get(tok->val));
    assert_true(old > 0);
    hc_jentry e = jentry(old);
    uint8_t v[1024];
    hc_be64_put(v, old);
    memcpy(v + 8, e.body, e.blen);
    hc_owner_key(okey_a, &alice, mid, tid);
    hc_owner_key(okey_b, &bob, mid, tid);
    struct rowop idx_del = {"idx_owners", okey_b, sizeof okey_b, NULL, 0, NULL};
    struct rowop idx_add = {"idx_owners", okey_a, sizeof okey_a,
                            "",           0,      &idx_del};
    struct rowop rec = {"tokens", tk, sizeof tk, v, 8 + e.blen, &idx_add};
    expect_corrupt(rowop_fn, &rec, "transfer rolled back with its index");
}

/* Records that the journal never wrote, or deleted. */
static void test_forged_records(void **state)
{
    (void)state;
    uint8_t v[1024];
    /* a kv record nobody wrote, with every plausible seq */
    for (uint64_t s = 0; s <= fx.n + 1; s++) {
        hc_be64_put(v, s);
        memcpy(v + 8, "forged", 6);
        struct rowop o = {"kv", "k/forged", 8, v, 14, NULL};
        expect_corrupt(rowop_fn, &o, "forged kv record");
    }
    /* the deleted kv record resurrected with its last value and seq */
    uint64_t s = earlier_write(HC_LDB_KV, "k/beta", 6, fx.n + 1);
    assert_true(s > 0);
    hc_jentry e = jentry(s);
    hc_be64_put(v, s);
    memcpy(v + 8, e.body, e.blen);
    struct rowop res = {"kv", "k/beta", 6, v, 8 + e.blen, NULL};
    expect_corrupt(rowop_fn, &res, "deleted kv record resurrected");
    /* the delivered (deleted) outbox item resurrected */
    uint8_t ok[8];
    hc_be64_put(ok, 1001);
    s = earlier_write(HC_LDB_OUTBOX, ok, 8, fx.n + 1);
    assert_true(s > 0);
    e = jentry(s);
    hc_be64_put(v, s);
    memcpy(v + 8, e.body, e.blen);
    struct rowop ob = {"outbox", ok, 8, v, 8 + e.blen, NULL};
    expect_corrupt(rowop_fn, &ob, "delivered outbox item resurrected");
    /* an existing record copied to a new key (same seq and body) */
    const struct row *alpha = find_row("kv", "k/alpha", 7);
    struct rowop cp = {"kv", "k/alphb", 7, alpha->val, alpha->vlen, NULL};
    expect_corrupt(rowop_fn, &cp, "record copied to another key");
    /* a record copied into another database (same key) */
    struct rowop cpdb = {"metadata", "k/alpha",   7,
                         alpha->val, alpha->vlen, NULL};
    expect_corrupt(rowop_fn, &cpdb, "record copied to another database");
    /* a forged mint with all its index rows made to match */
    hc_mint m;
    hc_buf b;
    memset(&m, 0, sizeof m);
    memset(m.id, 0x99, 16);
    memset(m.content_hash, 0x98, 32);
    m.state = HC_MINT_QUEUED;
    strcpy(m.client, "jongno-gu");
    strcpy(m.idem_key, "forged");
    hc_buf_init(&b, 4096, 0);
    hc_be64_put(v, fx.n);
    assert_int_equal(hc_buf_append(&b, v, 8), HC_OK);
    assert_int_equal(hc_mint_encode(&b, &m), HC_OK);
    uint8_t ik[HC_CLIENT_MAX + 1 + HC_IDEM_MAX];
    size_t iklen = hc_idem_key(ik, m.client, m.idem_key);
    uint8_t ak[HC_ACTIVE_KEY_LEN];
    hc_active_key(ak, m.state, m.created_ms, m.id);
    struct rowop fa = {"idx_active", ak, sizeof ak, "", 0, NULL};
    struct rowop fi = {"idx_idempotency", ik, iklen, m.id, 16, &fa};
    struct rowop fc = {"idx_content", m.content_hash, 32, m.id, 16, &fi};
    struct rowop fm = {"mints", m.id, 16, b.data, b.len, &fc};
    expect_corrupt(rowop_fn, &fm, "forged mint with its indexes");
    hc_buf_free(&b);
}

/* Index rows that no record implies, or that disagree with their record. */
static void test_forged_index_rows(void **state)
{
    (void)state;
    uint8_t tid1[32], tid2[32], tid3[32], m1[16], m4[16], m5[16],
        k[HC_OWNER_KEY_LEN];
    memset(tid1, 0x41, 32); /* mint 1's token: owned by bob */
    memset(tid2, 0x44, 32); /* mint 4's token: burned */
    memset(tid3, 0x45, 32); /* mint 5's token: owned by bob */
    memset(m1, 1, 16);
    memset(m4, 4, 16);
    memset(m5, 5, 16);
    /* alice still listed as the owner of the token she transferred */
    hc_owner_key(k, &alice, m1, tid1);
    struct rowop o1 = {"idx_owners", k, sizeof k, "", 0, NULL};
    expect_corrupt(rowop_fn, &o1, "stale owner row");
    /* an owner row for the burned token */
    hc_owner_key(k, &alice, m4, tid2);
    expect_corrupt(rowop_fn, &o1, "owner row of a burned token");
    /* an owner row for a token that does not exist */
    memset(k + 36, 0x55, 32);
    expect_corrupt(rowop_fn, &o1, "owner row of no token");
    /* an owner row naming a token under another mint's id */
    hc_owner_key(k, &bob, m4, tid3);
    expect_corrupt(rowop_fn, &o1, "owner row under another mint");
    /* an owner row in the old layout (owner ‖ token id) */
    memcpy(k + 20, tid3, 32);
    struct rowop o52 = {"idx_owners", k, 52, "", 0, NULL};
    expect_corrupt(rowop_fn, &o52, "owner row of the old layout");
    /* bob's row for token 3 moved to alice */
    uint8_t kb[HC_OWNER_KEY_LEN];
    hc_owner_key(kb, &bob, m5, tid3);
    hc_owner_key(k, &alice, m5, tid3);
    struct rowop mv_del = {"idx_owners", kb, sizeof kb, NULL, 0, NULL};
    struct rowop mv = {"idx_owners", k, sizeof k, "", 0, &mv_del};
    expect_corrupt(rowop_fn, &mv, "owner row moved");
    /* an owner row with a short key */
    struct rowop shortk = {"idx_owners", k, sizeof k - 1, "", 0, NULL};
    expect_corrupt(rowop_fn, &shortk, "owner row with a short key");

    /* content: a row for content nobody has; for the failed mint's content
     * (pointing to it); the rows of two mints swapped */
    uint8_t id1[16], id2[16], id3[16], id5[16], c[32], c1[32], c5[32];
    memset(id1, 1, 16);
    memset(id2, 2, 16);
    memset(id3, 3, 16);
    memset(id5, 5, 16);
    memset(c, 0x77, 32);
    struct rowop c_new = {"idx_content", c, 32, id2, 16, NULL};
    expect_corrupt(rowop_fn, &c_new, "content row for unknown content");
    memset(c, 0x43, 32); /* mint 3's content: failed */
    struct rowop c_failed = {"idx_content", c, 32, id3, 16, NULL};
    expect_corrupt(rowop_fn, &c_failed, "content row of a failed mint");
    struct rowop c_nomint = {"idx_content", c, 32, "\x33\x33", 2, NULL};
    expect_corrupt(rowop_fn, &c_nomint, "content row with a short value");
    memset(c1, 0x41, 32);
    memset(c5, 0x45, 32);
    struct rowop sw2 = {"idx_content", c5, 32, id1, 16, NULL};
    struct rowop sw1 = {"idx_content", c1, 32, id5, 16, &sw2};
    expect_corrupt(rowop_fn, &sw1, "content rows swapped");

    /* idempotency: a key pointing to another mint; a row for a mint
     * without a key; a row for no mint */
    uint8_t ik[HC_CLIENT_MAX + 1 + HC_IDEM_MAX];
    size_t n = hc_idem_key(ik, "jongno-gu", "req-1");
    struct rowop i1 = {"idx_idempotency", ik, n, id3, 16, NULL};
    expect_corrupt(rowop_fn, &i1, "idempotency row repointed");
    n = hc_idem_key(ik, "jongno-gu", "req-x");
    struct rowop i2 = {"idx_idempotency", ik, n, id5, 16, NULL};
    expect_corrupt(rowop_fn, &i2, "idempotency row for a keyless mint");
    struct rowop i3 = {"idx_idempotency", ik, n, c, 16, NULL};
    expect_corrupt(rowop_fn, &i3, "idempotency row for no mint");
    /* the key moved to another client */
    n = hc_idem_key(ik, "mapo-gu", "req-1");
    struct rowop i4 = {"idx_idempotency", ik, n, id1, 16, NULL};
    expect_corrupt(rowop_fn, &i4, "idempotency row under another client");

    /* client keys: an unknown key id naming a client; a key row renamed */
    uint8_t kid[HC_KEY_ID_LEN];
    memset(kid, 0x66, sizeof kid);
    struct rowop k1 = {"idx_client_keys", kid, sizeof kid, "mapo-gu", 7, NULL};
    expect_corrupt(rowop_fn, &k1, "key row for an unknown key");
    memset(kid, 0x10, sizeof kid); /* jongno-gu's key */
    struct rowop k2 = {"idx_client_keys", kid, sizeof kid, "mapo-gu", 7, NULL};
    expect_corrupt(rowop_fn, &k2, "key row renamed");
    struct rowop k3 = {"idx_client_keys", kid, sizeof kid, "nobody", 6, NULL};
    expect_corrupt(rowop_fn, &k3, "key row naming no client");

    /* live mints (4, 5, 6 are queued, created 1700000000000 + id): a row
     * for a confirmed, a failed, a conflicting mint; under a terminal
     * state; with another creation time or state; for no mint; a row
     * moved to another state; rows deleted */
    const uint64_t t0 = 1700000000000ull;
    uint8_t ak[HC_ACTIVE_KEY_LEN], ak2[HC_ACTIVE_KEY_LEN], id4[16], id9[16];
    memset(id4, 4, 16);
    memset(id9, 9, 16);
    struct rowop a1 = {"idx_active", ak, sizeof ak, "", 0, NULL};
    hc_active_key(ak, HC_MINT_QUEUED, t0 + 1, id1);
    expect_corrupt(rowop_fn, &a1, "live row of a confirmed mint");
    hc_active_key(ak, HC_MINT_SUBMITTED, t0 + 1, id1);
    expect_corrupt(rowop_fn, &a1, "submitted row of a confirmed mint");
    hc_active_key(ak, HC_MINT_CONFIRMED, t0 + 1, id1);
    expect_corrupt(rowop_fn, &a1, "live row in the confirmed state");
    hc_active_key(ak, HC_MINT_QUEUED, t0 + 3, id3);
    expect_corrupt(rowop_fn, &a1, "live row of a failed mint");
    hc_active_key(ak, HC_MINT_QUEUED, t0 + 2, id2);
    expect_corrupt(rowop_fn, &a1, "live row of a mint in conflict");
    hc_active_key(ak, HC_MINT_QUEUED, t0 + 5, id4);
    expect_corrupt(rowop_fn, &a1, "second live row, another time");
    hc_active_key(ak, HC_MINT_SUBMITTED, t0 + 4, id4);
    expect_corrupt(rowop_fn, &a1, "second live row, another state");
    hc_active_key(ak, HC_MINT_QUEUED, t0 + 9, id9);
    expect_corrupt(rowop_fn, &a1, "live row of no mint");
    struct rowop a_short = {"idx_active", ak, sizeof ak - 1, "", 0, NULL};
    hc_active_key(ak, HC_MINT_QUEUED, t0 + 4, id4);
    expect_corrupt(rowop_fn, &a_short, "live row with a short key");
    struct rowop a_val = {"idx_active", ak, sizeof ak, "x", 1, NULL};
    expect_corrupt(rowop_fn, &a_val, "live row with a value");
    hc_active_key(ak2, HC_MINT_SUBMITTED, t0 + 4, id4);
    struct rowop a_old = {"idx_active", ak, sizeof ak, NULL, 0, NULL};
    struct rowop a_mv = {"idx_active", ak2, sizeof ak2, "", 0, &a_old};
    expect_corrupt(rowop_fn, &a_mv, "live row moved to submitted");
    hc_ledger_report rep = expect_corrupt(rowop_fn, &a_old, "live row deleted");
    if (!strstr(rep.problem, "live-mints index row missing"))
        fail_msg("live row deleted: %s", rep.problem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_untouched),
        cmocka_unit_test(test_flip_every_byte),
        cmocka_unit_test(test_delete_each_entry),
        cmocka_unit_test(test_swap_entries),
        cmocka_unit_test(test_journal_structure),
        cmocka_unit_test(test_every_row),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_forged_records),
        cmocka_unit_test(test_forged_index_rows),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    print_message("%u tampered copies of a %zu-byte ledger checked\n", fx.cases,
                  fx.image_len);
    return rc;
}

/* mkledger — makes and damages ledgers for tests/integration/ledger_cli.sh.
 *
 *   mkledger create DIR          builds a small ledger (clients, mints,
 *                                tokens, kv, outbox with a delete); prints
 *                                the number of journal entries
 *   mkledger flip DIR SEQ OFF    flips the low bit of byte OFF of journal
 *                                entry SEQ (OFF -1: the last byte)
 *   mkledger del DIR DB KEY      deletes record KEY (text) of database DB
 *                                (its LMDB name, e.g. kv), not journaled
 *   mkledger hold DIR            opens DIR as its writer, writes once, says
 *                                "ready" and waits for stdin to close
 *   mkledger schema1 DIR         makes DIR look like a schema-1 ledger:
 *                                its tokens moved back to schema 2's keys
 *                                (token id; owner rows owner ‖ token id)
 *                                through the library, journaled; then no
 *                                idx_active database, schema 1
 *   mkledger kvput DIR KEY VAL   puts record KEY (hex) = VAL (hex) in the kv
 *                                database through the library (journaled,
 *                                as haechid would)
 *
 * Except for kvput, the damage is done with raw LMDB, as an attacker with the
 * file would. Exit 0 done, 1 failed, 2 usage. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "haechi/codec.h"
#include "haechi/hex.h"
#include "haechi/ledger.h"
#include "haechi/records.h"

static int fail(const char *what, const char *detail)
{
    fprintf(stderr, "mkledger: %s: %s\n", what, detail);
    return 1;
}

struct kv {
    const char *key, *val;
};

static hc_err kv_fn(hc_ltx *tx, void *arg)
{
    const struct kv *p = arg;
    for (; p->key; p++) {
        hc_err err =
            p->val ? hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, p->key, strlen(p->key),
                                p->val, strlen(p->val))
                   : hc_ltx_del(tx, HC_LDB_KV, HC_J_KV, p->key, strlen(p->key));
        if (err)
            return err;
    }
    return HC_OK;
}

static hc_err mint_fn(hc_ltx *tx, void *arg)
{
    const hc_mint *m = arg;
    hc_err err = hc_ltx_mint_put(tx, m, HC_J_RECEIPT);
    hc_token t;
    memset(&t, 0, sizeof t);
    memcpy(t.id, m->content_hash, 32);
    memcpy(t.mint_id, m->id, 16);
    t.creator = t.owner = m->creator;
    memcpy(t.metadata_hash, m->metadata_hash, 32);
    t.royalty_bps = m->royalty_bps;
    t.block = m->block;
    memcpy(t.tx_hash, m->tx_hash, 32);
    if (!err)
        err = hc_ltx_token_put(tx, &t, HC_J_TOKEN);
    return err;
}

static hc_err outbox_fn(hc_ltx *tx, void *arg)
{
    const hc_outbox_item *o = arg;
    return hc_ltx_outbox_put(tx, o);
}

static hc_err outbox_del_fn(hc_ltx *tx, void *arg)
{
    uint8_t k[8];
    hc_be64_put(k, *(const uint64_t *)arg);
    return hc_ltx_del(tx, HC_LDB_OUTBOX, HC_J_OUTBOX, k, 8);
}

static int create(const char *dir)
{
    hc_ledger *l;
    hc_err err = hc_ledger_open(&l, dir, NULL);
    if (err)
        return fail(dir, hc_strerror(err));
    hc_client c;
    static const char *const names[] = {"jongno-gu", "mapo-gu"};
    for (int i = 0; i < 2 && !err; i++) {
        memset(&c, 0, sizeof c);
        strcpy(c.name, names[i]);
        memset(c.key_id, 0x30 + i, HC_KEY_ID_LEN);
        memset(c.key_hash, 0x40 + i, 32);
        c.roles = HC_ROLE_MINTER;
        err = hc_ledger_client_add(l, &c);
    }
    hc_mint m[3];
    hc_mint ex;
    hc_accept_outcome oc;
    for (int i = 0; i < 3 && !err; i++) {
        memset(&m[i], 0, sizeof m[i]);
        memset(m[i].id, i + 1, 16);
        memset(m[i].content_hash, 0x60 + i, 32);
        memset(m[i].request_hash, 0x70 + i, 32);
        memset(m[i].creator.b, 0xa0 + i, 20);
        m[i].royalty_bps = 100;
        m[i].state = HC_MINT_QUEUED;
        strcpy(m[i].client, names[i % 2]);
        snprintf(m[i].idem_key, sizeof m[i].idem_key, "req-%d", i);
        err = hc_ledger_mint_accept(l, &m[i], &oc, &ex);
    }
    for (int i = 0; i < 2 && !err; i++) { /* two confirmed, with tokens */
        m[i].state = HC_MINT_CONFIRMED;
        m[i].block = 50 + (uint64_t)i;
        err = hc_ledger_write(l, mint_fn, &m[i]);
    }
    struct kv kv1[] = {{"k/alpha", "one"}, {"k/beta", "two"}, {NULL, NULL}};
    struct kv kv2[] = {{"k/alpha", "uno"}, {"k/gamma", "three"}, {0, 0}};
    struct kv kv3[] = {{"k/beta", NULL}, {NULL, NULL}};
    if (!err)
        err = hc_ledger_write(l, kv_fn, kv1);
    if (!err)
        err = hc_ledger_write(l, kv_fn, kv2);
    if (!err)
        err = hc_ledger_write(l, kv_fn, kv3);
    hc_outbox_item o;
    for (uint64_t s = 1; s <= 3 && !err; s++) {
        memset(&o, 0, sizeof o);
        o.seq = s;
        strcpy(o.client, "mapo-gu");
        memset(o.mint_id, (int)s, 16);
        o.payload = (const uint8_t *)"{}";
        o.payload_len = 2;
        err = hc_ledger_write(l, outbox_fn, &o);
    }
    uint64_t two = 2, seq = 0;
    uint8_t h[32];
    if (!err)
        err = hc_ledger_write(l, outbox_del_fn, &two);
    if (!err)
        err = hc_ledger_head(l, &seq, h);
    hc_ledger_close(l);
    if (err)
        return fail(dir, hc_strerror(err));
    printf("%llu\n", (unsigned long long)seq);
    return 0;
}

/* Opens dir with raw LMDB and runs one change in a write transaction. */
static int raw_change(const char *dir, const char *db, const void *key,
                      size_t klen, long flip_at)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    int rc = mdb_env_create(&env);
    if (!rc)
        rc = mdb_env_set_maxdbs(env, 32);
    if (!rc)
        rc = mdb_env_open(env, dir, 0, 0600);
    if (!rc)
        rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc) {
        mdb_env_close(env);
        return fail(dir, mdb_strerror(rc));
    }
    rc = mdb_dbi_open(txn, db, 0, &dbi);
    MDB_val k = {klen, (void *)key}, v;
    if (!rc && flip_at == LONG_MIN) {
        rc = mdb_del(txn, dbi, &k, NULL);
    } else if (!rc) {
        rc = mdb_get(txn, dbi, &k, &v);
        if (!rc) {
            size_t at = flip_at < 0 ? v.mv_size - 1 : (size_t)flip_at;
            uint8_t *copy = malloc(v.mv_size);
            if (!copy || at >= v.mv_size) {
                free(copy);
                mdb_txn_abort(txn);
                mdb_env_close(env);
                return fail(dir, "no such byte");
            }
            memcpy(copy, v.mv_data, v.mv_size);
            copy[at] ^= 1;
            v.mv_data = copy;
            rc = mdb_put(txn, dbi, &k, &v, 0);
            free(copy);
        }
    }
    if (!rc)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    mdb_env_close(env);
    return rc ? fail(dir, mdb_strerror(rc)) : 0;
}

/* Moves each token record to the key schemas 1 and 2 used (the token id)
 * and each owner row to owner ‖ token id, as those versions wrote them. */
static hc_err old_keys_fn(hc_ltx *tx, void *arg)
{
    static const uint8_t mints[2][16] = {
        {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
        {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}};
    (void)arg;
    for (int i = 0; i < 2; i++) { /* the tokens create made */
        uint8_t id[32], key[HC_TOKEN_KEY_LEN], okey[HC_OWNER_KEY_LEN], old[52],
            body[1024];
        const uint8_t *p;
        size_t n;
        hc_token t = {0};
        memset(id, 0x60 + i, 32);
        hc_token_key(key, mints[i], id);
        hc_err err = hc_ltx_get(tx, HC_LDB_TOKENS, key, sizeof key, &p, &n);
        if (!err && n > sizeof body)
            err = HC_ERR_CORRUPT;
        if (!err) {
            memcpy(body, p, n);
            err = hc_token_decode(&t, body, n);
        }
        hc_owner_key(okey, &t.owner, t.mint_id, t.id);
        memcpy(old, t.owner.b, 20);
        memcpy(old + 20, t.id, 32);
        if (!err)
            err = hc_ltx_del(tx, HC_LDB_TOKENS, HC_J_TOKEN, key, sizeof key);
        if (!err)
            err = hc_ltx_put(tx, HC_LDB_TOKENS, HC_J_TOKEN, id, 32, body, n);
        if (!err)
            err = hc_ltx_index_del(tx, HC_LDB_OWNERS, okey, sizeof okey);
        if (!err)
            err = hc_ltx_index_put(tx, HC_LDB_OWNERS, old, 52, NULL, 0, 0);
        if (err)
            return err;
    }
    return HC_OK;
}

static int schema1(const char *dir)
{
    hc_ledger *l;
    hc_err err = hc_ledger_open(&l, dir, NULL);
    if (!err) {
        err = hc_ledger_write(l, old_keys_fn, NULL);
        hc_ledger_close(l);
    }
    if (err)
        return fail(dir, hc_strerror(err));
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi active, meta;
    uint8_t one[4] = {0, 0, 0, 1};
    int rc = mdb_env_create(&env);
    if (!rc)
        rc = mdb_env_set_maxdbs(env, 32);
    if (!rc)
        rc = mdb_env_open(env, dir, 0, 0600);
    if (!rc)
        rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc) {
        mdb_env_close(env);
        return fail(dir, mdb_strerror(rc));
    }
    MDB_val k = {6, "schema"}, v = {4, one};
    rc = mdb_dbi_open(txn, "idx_active", 0, &active);
    if (!rc)
        rc = mdb_drop(txn, active, 1);
    if (!rc)
        rc = mdb_dbi_open(txn, "meta", 0, &meta);
    if (!rc)
        rc = mdb_put(txn, meta, &k, &v, 0);
    if (!rc)
        rc = mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    mdb_env_close(env);
    return rc ? fail(dir, mdb_strerror(rc)) : 0;
}

static hc_err hold_fn(hc_ltx *tx, void *arg)
{
    (void)arg;
    return hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, "k/held", 6, "yes", 3);
}

static int hold(const char *dir)
{
    hc_ledger *l;
    hc_err err = hc_ledger_open(&l, dir, NULL);
    if (!err)
        err = hc_ledger_write(l, hold_fn, NULL);
    if (err) {
        if (l)
            hc_ledger_close(l);
        return fail(dir, hc_strerror(err));
    }
    printf("ready\n");
    fflush(stdout);
    while (getchar() != EOF)
        ;
    hc_ledger_close(l);
    return 0;
}

struct kvbin {
    hc_buf k, v;
};

static hc_err kvbin_fn(hc_ltx *tx, void *arg)
{
    const struct kvbin *x = arg;
    return hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, x->k.data, x->k.len, x->v.data,
                      x->v.len);
}

static int kvput(const char *dir, const char *key, const char *val)
{
    struct kvbin x;
    hc_buf_init(&x.k, 511, 0);
    hc_buf_init(&x.v, 1 << 20, 0);
    hc_err err = hc_hex_decode_buf(&x.k, key, HC_HEX_PREFIX_OPTIONAL);
    if (!err)
        err = hc_hex_decode_buf(&x.v, val, HC_HEX_PREFIX_OPTIONAL);
    hc_ledger *l = NULL;
    if (!err && x.k.len == 0)
        err = HC_ERR_ARG;
    if (!err)
        err = hc_ledger_open(&l, dir, NULL);
    if (!err)
        err = hc_ledger_write(l, kvbin_fn, &x);
    if (l)
        hc_ledger_close(l);
    hc_buf_free(&x.k);
    hc_buf_free(&x.v);
    return err ? fail(dir, hc_strerror(err)) : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "create"))
        return create(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "hold"))
        return hold(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "schema1"))
        return schema1(argv[2]);
    if (argc == 5 && !strcmp(argv[1], "flip")) {
        char *end;
        errno = 0;
        unsigned long long seq = strtoull(argv[3], &end, 10);
        if (errno || *end || seq == 0)
            return 2;
        long off = strtol(argv[4], &end, 10);
        if (errno || *end || off < -1)
            return 2;
        uint8_t k[8];
        hc_be64_put(k, seq);
        return raw_change(argv[2], "journal", k, 8, off);
    }
    if (argc == 5 && !strcmp(argv[1], "kvput"))
        return kvput(argv[2], argv[3], argv[4]);
    if (argc == 5 && !strcmp(argv[1], "del"))
        return raw_change(argv[2], argv[3], argv[4], strlen(argv[4]), LONG_MIN);
    fputs("usage: mkledger create DIR | flip DIR SEQ OFF | del DIR DB KEY | "
          "hold DIR | schema1 DIR | kvput DIR KEYHEX VALHEX\n",
          stderr);
    return 2;
}

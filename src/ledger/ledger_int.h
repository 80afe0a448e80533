/* Internal to the ledger module: the shared structures of ledger.c,
 * journal encoding and verify.c. */
#ifndef HAECHI_LEDGER_INT_H
#define HAECHI_LEDGER_INT_H

#include <pthread.h>

#include <lmdb.h>

#include "haechi/ledger.h"

#define JOURNAL_VERSION 1
#define DB_NONE         0xff
#define OP_PUT          1
#define OP_DEL          2
#define MAX_KEY         511 /* LMDB's default maximum key size */
#define MAX_BODY        (64u << 20)

struct req {
    hc_ledger_fn fn;
    void *arg;
    hc_err result;
    int done;     /* result is final (after the fsync) */
    uint64_t gen; /* the batch that took it (0: not taken yet) */
    struct req *next;
};

struct hc_ledger {
    MDB_env *env;
    MDB_dbi dbi[HC_LDB_COUNT];
    MDB_dbi journal; /* seq (8, big-endian) -> entry */
    MDB_dbi meta;    /* "schema" -> u32, "head" -> seq ‖ hash */
    int read_only;
    int lock_fd;
    size_t map_size, max_map_size;
    unsigned max_batch;
    pthread_rwlock_t resize_lock; /* read txns hold it shared */

    /* group commit */
    pthread_mutex_t mu;
    pthread_cond_t work; /* committer waits for requests */
    pthread_cond_t done; /* hc_ledger_close waits for callers to leave */
    /* callers wait on batch_done[gen % 2] for their batch, gen (or, not
     * taken yet, taken + 1): one broadcast wakes one batch's callers */
    pthread_cond_t batch_done[2];
    uint64_t taken; /* batches taken by the committer */
    struct req *q_head, *q_tail;
    int stopping;
    unsigned callers; /* threads inside hc_ledger_write */
    int thread_started;
    pthread_t thread;

    /* the last failed commit that had something to write, HC_OK once one
     * succeeds (under mu) */
    hc_err write_status;

    /* journal head, owned by the committer */
    uint64_t head_seq;
    uint8_t head_hash[32];
};

struct hc_ltx {
    hc_ledger *l;
    MDB_txn *txn;
    uint64_t now;
    uint64_t seq; /* journal head inside this write */
    uint8_t hash[32];
    int map_full; /* an LMDB call hit MDB_MAP_FULL */
    hc_buf scratch;
};

hc_err hc__mdb_err(int rc);
/* Encodes a journal entry into b (cleared first) and computes its hash. */
hc_err hc__jentry_encode(hc_buf *b, uint8_t hash[32], uint64_t seq,
                         uint64_t time_ms, uint16_t kind, uint8_t db,
                         uint8_t op, const void *key, size_t klen,
                         const void *body, size_t blen, const uint8_t prev[32]);
/* Begins a read transaction (handles MDB_MAP_RESIZED); the caller must end
 * it with hc__read_end. */
hc_err hc__read_begin(hc_ledger *l, MDB_txn **txn);
void hc__read_end(hc_ledger *l, MDB_txn *txn);

#endif

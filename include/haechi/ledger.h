/* ledger.h — Haechi's durable state: one LMDB environment with named
 * sub-databases, an append-only hash-chained journal, and a group commit.
 *
 * Record databases (mints, tokens, metadata, nonces, sent txs, outbox,
 * clients, kv) hold values as  seq ‖ body  where seq is the journal entry
 * that last wrote them. Every write to a record database appends a journal
 * entry (kind, database, key, body, previous entry's hash) in the same LMDB
 * transaction, so history cannot change without `hc_ledger_verify` noticing.
 * Index databases (idempotency, content, owners, client keys, live mints) are
 * derived from the records: written in the same transaction as the record,
 * never journaled; verify checks that they agree.
 *
 * Writes go through hc_ledger_write: a committer thread runs the write
 * functions of many callers in one LMDB transaction (each in its own nested
 * transaction, so one caller's error fails that caller alone), commits it
 * durably (fsync), and only then wakes the callers. A write function may be
 * run more than once (when the map must grow) and must not have effects
 * outside the ledger.
 *
 * Thread safety: all functions may be called from any thread. hc_ledger_close
 * may be called while other threads wait in hc_ledger_write: their writes
 * finish first (a write that arrives once close has begun gets
 * HC_ERR_CLOSED). Otherwise close must not race with other calls, and the
 * ledger must not be used once it has returned.
 */
#ifndef HAECHI_LEDGER_H
#define HAECHI_LEDGER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/u256.h"
#include "haechi/util.h"

/* 2: adds HC_LDB_ACTIVE. A writer opening a schema-1 ledger builds that
 * index from the mints in the opening transaction and stores schema 2.
 * 3: tokens keyed mint id ‖ token id (was: token id), owner-index rows
 * owner ‖ mint id ‖ token id (was: owner ‖ token id). A writer opening an
 * older ledger moves every token record to its new key in the opening
 * transaction, journaled (a delete and a put per token, kind
 * HC_J_UPGRADE), rebuilds the owner index and stores schema 3. */
#define HC_LEDGER_SCHEMA 3

typedef struct hc_ledger hc_ledger;
typedef struct hc_ltx hc_ltx; /* a write context inside a group commit */

/* Sub-databases. Records first, then indexes.
 *
 * HC_LDB_ACTIVE, the live mints: one row per mint whose state is
 * HC_MINT_QUEUED or HC_MINT_SUBMITTED (none for the terminal states), keyed
 * state (1) ‖ created_ms (8, big-endian) ‖ mint id (16) (hc_active_key in
 * records.h), value empty; hc_ltx_mint_put keeps it. Keys sort by state,
 * then age: hc_ledger_scan(l, HC_LDB_ACTIVE, &state, 1, after, after_len,
 * limit, …) visits the mints in that state oldest first (ties by id), and a
 * caller pages on by passing the last key it saw as `after`. */
typedef enum hc_ldb {
    HC_LDB_MINTS = 0, /* mint id (16) -> hc_mint */
    HC_LDB_TOKENS,    /* mint id (16) ‖ token id (32) -> hc_token */
    HC_LDB_METADATA,  /* token id (32) -> metadata JSON bytes */
    HC_LDB_NONCES,    /* signer (20) -> hc_nonce_state */
    HC_LDB_SENT, /* signer (20) ‖ nonce (8) ‖ tx hash (32) -> hc_sent_tx */
    HC_LDB_OUTBOX,  /* seq (8) -> hc_outbox_item */
    HC_LDB_CLIENTS, /* client name -> hc_client */
    HC_LDB_KV,      /* free-form records (tests, tools) */
    HC_LDB_RECORDS_END,
    HC_LDB_IDEM =
        HC_LDB_RECORDS_END, /* client ‖ 0 ‖ idempotency key -> mint id */
    HC_LDB_CONTENT,         /* content hash (32) -> mint id (16) */
    HC_LDB_OWNERS, /* owner (20) ‖ mint id (16) ‖ token id (32) -> (empty) */
    HC_LDB_KEYS,   /* API key id -> client name */
    HC_LDB_ACTIVE, /* state (1) ‖ created_ms (8) ‖ mint id (16) -> (empty) */
    HC_LDB_COUNT
} hc_ldb;

/* Journal entry kinds: what happened, for auditors. */
typedef enum hc_jkind {
    HC_J_GENESIS = 1,
    HC_J_CLIENT_ADDED,
    HC_J_MINT_ACCEPTED,
    HC_J_MINT_STATE,
    HC_J_TX_SIGNED,
    HC_J_TX_SENT,
    HC_J_RECEIPT,
    HC_J_TOKEN,
    HC_J_OWNER_CHANGED,
    HC_J_NONCE,
    HC_J_OUTBOX,
    HC_J_METADATA,
    HC_J_KV,
    HC_J_UPGRADE,        /* a record moved by a schema upgrade */
    HC_J_CLIENT_CHANGED, /* a client's key replaced, or it was disabled */
    HC_J_KIND_END
} hc_jkind;

const char *hc_jkind_name(uint16_t kind);
const char *hc_ldb_name(hc_ldb db);

typedef struct hc_ledger_opts {
    size_t map_size;     /* initial map size; 0 = 64 MiB. Grows when full. */
    size_t max_map_size; /* 0 = 1 TiB */
    unsigned max_batch;  /* writes per group commit; 0 = 1024 */
    int read_only;       /* open for reading only (no writer lock taken) */
} hc_ledger_opts;

/* Opens (creating if absent, unless read_only) the ledger in directory dir.
 * Clears stale reader slots. A writer upgrades a ledger of an older schema
 * in place (see HC_LEDGER_SCHEMA). Returns HC_ERR_LOCKED if another process
 * holds the writer, HC_ERR_VERSION for a newer schema — or, when read_only,
 * for an older one, which a writer must open once to upgrade —,
 * HC_ERR_NOT_FOUND if read_only and there is no ledger, HC_ERR_CORRUPT if
 * read_only and a database of the current schema is missing, HC_ERR_DB/
 * HC_ERR_IO otherwise. */
HC_WUR hc_err hc_ledger_open(hc_ledger **out, const char *dir,
                             const hc_ledger_opts *opts);
/* Stops the committer after the pending writes, and closes. */
void hc_ledger_close(hc_ledger *l);

/* ---- writing */
typedef hc_err (*hc_ledger_fn)(hc_ltx *tx, void *arg);

/* Runs fn(tx, arg) in the next group commit and returns once that commit is
 * durable (or failed). Returns fn's error (its changes are then rolled back)
 * or the commit's error. */
HC_WUR hc_err hc_ledger_write(hc_ledger *l, hc_ledger_fn fn, void *arg);

/* HC_OK, or the error of the last group commit that had something to write
 * and failed (a full disk, an I/O error), until one such commit succeeds.
 * What a write function returned does not count. */
hc_err hc_ledger_write_status(hc_ledger *l);

/* Writes and commits a small record outside the journal (the time, under
 * the meta key "probe"), to learn whether the ledger can be written again
 * after hc_ledger_write_status reported an error. Returns the commit's
 * result, which hc_ledger_write_status then reflects. */
HC_WUR hc_err hc_ledger_probe(hc_ledger *l);

/* Inside a write function: */
/* Writes body at key in record database db and journals it as kind. */
HC_WUR hc_err hc_ltx_put(hc_ltx *tx, hc_ldb db, uint16_t kind, const void *key,
                         size_t klen, const void *body, size_t blen);
/* Deletes a record (journaled). HC_ERR_NOT_FOUND if absent. */
HC_WUR hc_err hc_ltx_del(hc_ltx *tx, hc_ldb db, uint16_t kind, const void *key,
                         size_t klen);
/* Reads a record's body (valid until the write function returns). */
HC_WUR hc_err hc_ltx_get(hc_ltx *tx, hc_ldb db, const void *key, size_t klen,
                         const uint8_t **body, size_t *blen);
/* Index databases: put (HC_ERR_EXISTS if present and !overwrite), get, del. */
HC_WUR hc_err hc_ltx_index_put(hc_ltx *tx, hc_ldb db, const void *key,
                               size_t klen, const void *val, size_t vlen,
                               int overwrite);
HC_WUR hc_err hc_ltx_index_get(hc_ltx *tx, hc_ldb db, const void *key,
                               size_t klen, const uint8_t **val, size_t *vlen);
HC_WUR hc_err hc_ltx_index_del(hc_ltx *tx, hc_ldb db, const void *key,
                               size_t klen);
/* The commit time (ms since the epoch) shared by the batch. */
uint64_t hc_ltx_now(const hc_ltx *tx);

/* ---- reading */
/* Copies a record's body into out (cleared first; the caller frees it). */
HC_WUR hc_err hc_ledger_get(hc_ledger *l, hc_ldb db, const void *key,
                            size_t klen, hc_buf *out);
/* Index lookup, value copied into out. */
HC_WUR hc_err hc_ledger_index_get(hc_ledger *l, hc_ldb db, const void *key,
                                  size_t klen, hc_buf *out);

/* Iterates keys of db that start with prefix, strictly after `after` (when
 * after_len > 0), in ascending byte order of the keys, calling fn until it
 * returns non-zero or limit entries (0 = no limit) were visited. Values are
 * record bodies (without seq) for record databases. On HC_LDB_ACTIVE with
 * the 1-byte prefix {state} and a limit: the `limit` oldest mints in that
 * state. */
typedef int (*hc_ledger_iter_fn)(void *arg, const uint8_t *key, size_t klen,
                                 const uint8_t *val, size_t vlen);
HC_WUR hc_err hc_ledger_scan(hc_ledger *l, hc_ldb db, const void *prefix,
                             size_t plen, const void *after, size_t after_len,
                             size_t limit, hc_ledger_iter_fn fn, void *arg);

/* The journal head: last sequence number and its entry hash. */
HC_WUR hc_err hc_ledger_head(hc_ledger *l, uint64_t *seq, uint8_t hash[32]);

/* ---- checking */
typedef struct hc_ledger_report {
    uint64_t entries;    /* journal entries walked */
    uint64_t records;    /* records checked */
    uint64_t index_rows; /* index rows checked */
    uint64_t bad_seq;    /* first bad journal entry (0 = none) */
    char problem[256];   /* what was wrong ("" = nothing) */
} hc_ledger_report;

/* Walks the journal, recomputes the chain of hashes and the head, checks
 * that every record is the one its journal entry wrote (and the latest) and
 * that the indexes agree with the records. HC_OK if all is well,
 * HC_ERR_CORRUPT with report->problem (and bad_seq) otherwise. */
HC_WUR hc_err hc_ledger_verify(hc_ledger *l, hc_ledger_report *report);

typedef struct hc_ledger_stats {
    uint64_t entries[HC_LDB_COUNT]; /* rows per database */
    uint64_t mints_by_state[8];     /* index: hc_mint_state */
    uint64_t journal_entries;
    uint64_t head_seq;
    uint8_t head_hash[32];
    uint64_t map_size, used_bytes;
} hc_ledger_stats;

HC_WUR hc_err hc_ledger_stats_get(hc_ledger *l, hc_ledger_stats *st);

/* ---- the journal, for readers (reports, the CLI) */
typedef struct hc_jentry {
    uint64_t seq;
    uint64_t time_ms;
    uint16_t kind;
    uint8_t db;
    uint8_t op; /* 1 put, 2 delete */
    const uint8_t *key;
    size_t klen;
    const uint8_t *body;
    size_t blen;
    uint8_t prev[32];
    uint8_t hash[32]; /* SHA-256 of the encoded entry */
} hc_jentry;

/* Copies the stored journal entry seq into out (HC_ERR_NOT_FOUND if none);
 * decode it with hc_jentry_decode. */
HC_WUR hc_err hc_ledger_journal_get(hc_ledger *l, uint64_t seq, hc_buf *out);

/* Decodes one stored journal entry (pointers into data). */
HC_WUR hc_err hc_jentry_decode(hc_jentry *e, const uint8_t *data, size_t len);

#endif

/* records.h — the typed records the ledger keeps, their versioned binary
 * encodings, and the ledger operations built on them.
 *
 * Encodings start with a version byte and are decoded strictly (bounds,
 * lengths, enum ranges, trailing bytes): a corrupt value is HC_ERR_CORRUPT,
 * never a crash. Decoded records own no memory except where a field says it
 * points into the input.
 */
#ifndef HAECHI_RECORDS_H
#define HAECHI_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/ledger.h"
#include "haechi/u256.h"
#include "haechi/util.h"

#define HC_MINT_ID_LEN 16
#define HC_CLIENT_MAX  64  /* client (department) name, bytes */
#define HC_IDEM_MAX    128 /* Idempotency-Key, bytes */
#define HC_REASON_MAX  256 /* failure reason, bytes */
#define HC_URL_MAX     2048
#define HC_KEY_ID_LEN  8 /* public part of an API key */

typedef enum hc_mint_state {
    HC_MINT_QUEUED = 1,
    HC_MINT_SUBMITTED,
    HC_MINT_CONFIRMED,
    HC_MINT_CONFLICT,
    HC_MINT_FAILED,
    HC_MINT_STATE_END
} hc_mint_state;

const char *hc_mint_state_name(int state);
int hc_mint_state_terminal(int state);

typedef struct hc_mint {
    uint8_t id[HC_MINT_ID_LEN];
    uint8_t content_hash[32];  /* SHA-256 of the content = the token id */
    uint8_t metadata_hash[32]; /* committed on chain */
    uint8_t request_hash[32];  /* what an idempotent retry must match */
    hc_address creator;        /* receives the token */
    uint16_t royalty_bps;
    uint8_t state; /* hc_mint_state */
    char client[HC_CLIENT_MAX + 1];
    char idem_key[HC_IDEM_MAX + 1]; /* "" when the request had none */
    uint64_t content_size;
    uint64_t created_ms, updated_ms;
    uint8_t has_tx; /* signer, nonce, tx_hash are set */
    hc_address signer;
    uint64_t nonce;
    uint8_t tx_hash[32]; /* latest (or mined) transaction */
    uint64_t block;      /* 0 until mined */
    uint64_t gas_used;
    hc_u256 fee_paid;
    hc_address chain_owner; /* for conflict: who owns it on chain */
    char reason[HC_REASON_MAX + 1];
} hc_mint;

typedef struct hc_token {
    uint8_t id[32];
    uint8_t mint_id[HC_MINT_ID_LEN];
    hc_address creator;
    hc_address owner;
    uint8_t metadata_hash[32];
    uint16_t royalty_bps;
    uint8_t burned;
    uint64_t block;
    uint8_t tx_hash[32];
    uint64_t minted_ms;
} hc_token;

typedef struct hc_nonce_state {
    hc_address signer;
    uint64_t next;          /* next nonce to assign */
    uint64_t chain_latest;  /* last eth_getTransactionCount(latest) seen */
    uint64_t chain_pending; /* … (pending) */
    uint64_t checked_ms;
} hc_nonce_state;

typedef struct hc_sent_tx {
    hc_address signer;
    uint64_t nonce;
    uint8_t hash[32];
    const uint8_t *raw; /* the signed bytes (decode: points into input) */
    size_t raw_len;
    uint64_t sent_ms;
    hc_u256 max_fee, priority_fee;
    const uint8_t *mint_ids; /* n_mints × 16 bytes (decode: into input) */
    size_t n_mints;
} hc_sent_tx;

typedef struct hc_outbox_item {
    uint64_t seq;
    char client[HC_CLIENT_MAX + 1];
    uint8_t mint_id[HC_MINT_ID_LEN];
    uint32_t attempts;
    uint64_t next_ms;
    const uint8_t *payload; /* the webhook body (decode: into input) */
    size_t payload_len;
} hc_outbox_item;

#define HC_ROLE_MINTER  1u
#define HC_ROLE_AUDITOR 2u
#define HC_ROLE_ADMIN   4u

typedef struct hc_client {
    char name[HC_CLIENT_MAX + 1];
    uint8_t key_id[HC_KEY_ID_LEN];
    uint8_t key_hash[32];  /* SHA-256 of the secret part of the key */
    uint32_t roles;        /* HC_ROLE_* */
    uint32_t rate_per_min; /* 0 = the service default */
    uint32_t burst;
    uint8_t disabled;
    uint64_t created_ms;
    char webhook_url[HC_URL_MAX + 1];
} hc_client;

/* ---- encodings (append to b) and strict decodings */
HC_WUR hc_err hc_mint_encode(hc_buf *b, const hc_mint *m);
HC_WUR hc_err hc_mint_decode(hc_mint *m, const uint8_t *p, size_t len);
HC_WUR hc_err hc_token_encode(hc_buf *b, const hc_token *t);
HC_WUR hc_err hc_token_decode(hc_token *t, const uint8_t *p, size_t len);
HC_WUR hc_err hc_nonce_encode(hc_buf *b, const hc_nonce_state *n);
HC_WUR hc_err hc_nonce_decode(hc_nonce_state *n, const uint8_t *p, size_t len);
HC_WUR hc_err hc_sent_encode(hc_buf *b, const hc_sent_tx *s);
HC_WUR hc_err hc_sent_decode(hc_sent_tx *s, const uint8_t *p, size_t len);
HC_WUR hc_err hc_outbox_encode(hc_buf *b, const hc_outbox_item *o);
HC_WUR hc_err hc_outbox_decode(hc_outbox_item *o, const uint8_t *p, size_t len);
HC_WUR hc_err hc_client_encode(hc_buf *b, const hc_client *c);
HC_WUR hc_err hc_client_decode(hc_client *c, const uint8_t *p, size_t len);

/* Index keys. */
size_t hc_idem_key(uint8_t out[HC_CLIENT_MAX + 1 + HC_IDEM_MAX],
                   const char *client, const char *idem);
/* HC_LDB_TOKENS: mint id (16) ‖ token id (32), 48 bytes. Mint ids sort by
 * time, so the tokens a settle writes are neighbours at the end of the
 * tree, not one leaf page each; a token is found by its id through the
 * content index (content hash = token id -> mint id). */
#define HC_TOKEN_KEY_LEN 48
void hc_token_key(uint8_t out[HC_TOKEN_KEY_LEN], const uint8_t mint_id[16],
                  const uint8_t token_id[32]);
/* HC_LDB_OWNERS: owner (20) ‖ token key (48), 68 bytes: an owner's tokens
 * in mint order. */
#define HC_OWNER_KEY_LEN 68
void hc_owner_key(uint8_t out[HC_OWNER_KEY_LEN], const hc_address *owner,
                  const uint8_t mint_id[16], const uint8_t token_id[32]);
void hc_sent_key(uint8_t out[60], const hc_address *signer, uint64_t nonce,
                 const uint8_t hash[32]);
/* HC_LDB_ACTIVE: state ‖ created_ms (big-endian) ‖ mint id, 25 bytes. */
#define HC_ACTIVE_KEY_LEN 25
/* A new mint id: the time in ms since the epoch (48 bits, big-endian),
 * then 80 random bits. Later ids sort later (to the millisecond), so mints
 * accepted together, which the pipeline also takes together, are neighbours
 * in the mints database: a batch's updates dirty a few B-tree pages, not
 * one page per mint. */
void hc_mint_id_new(uint8_t id[HC_MINT_ID_LEN], uint64_t now_ms);

void hc_active_key(uint8_t out[25], uint8_t state, uint64_t created_ms,
                   const uint8_t id[16]);

/* ---- operations */

typedef enum hc_accept_outcome {
    HC_ACCEPT_NEW = 1,    /* stored: answer 202 */
    HC_ACCEPT_REPLAY,     /* same client, key and request: the same mint */
    HC_ACCEPT_KEY_REUSED, /* same key, different request */
    HC_ACCEPT_DUPLICATE   /* the content is minted or queued already */
} hc_accept_outcome;

/* Stores a new mint request (state queued) with its idempotency and content
 * index rows, or reports why not; *existing receives the mint that exists
 * for REPLAY, KEY_REUSED and DUPLICATE. Durable on return. */
HC_WUR hc_err hc_ledger_mint_accept(hc_ledger *l, const hc_mint *m,
                                    hc_accept_outcome *outcome,
                                    hc_mint *existing);
/* The same inside a write function (to store more in the same commit). */
HC_WUR hc_err hc_ltx_mint_accept(hc_ltx *tx, const hc_mint *m,
                                 hc_accept_outcome *outcome, hc_mint *existing);
HC_WUR hc_err hc_ledger_mint_get(hc_ledger *l, const uint8_t id[16],
                                 hc_mint *out);
/* Inside a write: stores a mint (journaled as kind), keeping the content
 * index right (a failed mint frees its content for a new request) and the
 * live-mints index (HC_LDB_ACTIVE: a row while queued or submitted). */
HC_WUR hc_err hc_ltx_mint_put(hc_ltx *tx, const hc_mint *m, uint16_t kind);
/* The same for a mint the caller read in this write (prev: as read, with
 * m->id == prev->id): saves reading it again, and the content index while
 * the mint stays live (a live mint always holds its content's index row). */
HC_WUR hc_err hc_ltx_mint_update(hc_ltx *tx, const hc_mint *prev,
                                 const hc_mint *m, uint16_t kind);
HC_WUR hc_err hc_ltx_mint_get(hc_ltx *tx, const uint8_t id[16], hc_mint *out);

/* Inside a write: stores a token and keeps the owner index right. The
 * token's mint must hold its content in the content index (t->mint_id is
 * the mint that made it): HC_ERR_ARG otherwise. */
HC_WUR hc_err hc_ltx_token_put(hc_ltx *tx, const hc_token *t, uint16_t kind);
/* A token by its id (through the content index); HC_ERR_NOT_FOUND if none. */
HC_WUR hc_err hc_ltx_token_get(hc_ltx *tx, const uint8_t id[32], hc_token *out);
HC_WUR hc_err hc_ledger_token_get(hc_ledger *l, const uint8_t id[32],
                                  hc_token *out);
/* A token by its key (an owner-index row's last 48 bytes). */
HC_WUR hc_err hc_ledger_token_get_key(hc_ledger *l,
                                      const uint8_t key[HC_TOKEN_KEY_LEN],
                                      hc_token *out);

/* Adds a client; HC_ERR_EXISTS if the name or key id is taken. */
HC_WUR hc_err hc_ledger_client_add(hc_ledger *l, const hc_client *c);
HC_WUR hc_err hc_ledger_client_get(hc_ledger *l, const char *name,
                                   hc_client *out);
/* Replaces the record of client c->name, journaled as HC_J_CLIENT_CHANGED:
 * a new key (key id and hash), its roles, limits or disabled flag. Moves
 * its key-index row when the key id changed, so that the old key stops
 * working at once. HC_ERR_NOT_FOUND if there is no such client,
 * HC_ERR_EXISTS if another client has the new key id, HC_ERR_ARG for an
 * invalid client. */
HC_WUR hc_err hc_ledger_client_update(hc_ledger *l, const hc_client *c);
/* What hc_ledger_client_change changes: a new key (key_id and key_hash, or
 * both NULL to keep it), and disabled (0 or 1; -1 keeps it). */
typedef struct hc_client_change {
    const uint8_t *key_id;   /* HC_KEY_ID_LEN bytes */
    const uint8_t *key_hash; /* 32 bytes */
    int disabled;
} hc_client_change;
/* The same as hc_ledger_client_update on the client's record as stored,
 * read and written in one commit (two changes at once cannot undo each
 * other); *out receives the record as it now is. A change to what the
 * record holds already writes nothing. */
HC_WUR hc_err hc_ledger_client_change(hc_ledger *l, const char *name,
                                      const hc_client_change *ch,
                                      hc_client *out);
/* Looks a client up by API key id. */
HC_WUR hc_err hc_ledger_client_by_key(hc_ledger *l,
                                      const uint8_t key_id[HC_KEY_ID_LEN],
                                      hc_client *out);

HC_WUR hc_err hc_ltx_nonce_put(hc_ltx *tx, const hc_nonce_state *n);
HC_WUR hc_err hc_ltx_sent_put(hc_ltx *tx, const hc_sent_tx *s, uint16_t kind);
HC_WUR hc_err hc_ltx_outbox_put(hc_ltx *tx, const hc_outbox_item *o);

#endif

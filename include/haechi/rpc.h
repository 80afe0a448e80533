/* rpc.h — an Ethereum JSON-RPC client over HTTP(S) (libcurl, cJSON).
 *
 * One hc_rpc holds one reused libcurl handle (keep-alive) and a mutex, so it
 * may be shared by threads (calls are serialised). Every call has a timeout;
 * answers are bounded in size and validated (JSON-RPC 2.0 envelope, id,
 * result types, quantities within range): a misbehaving node yields an error,
 * never a crash or a hang.
 *
 * Errors: HC_ERR_RPC_UNREACHABLE, HC_ERR_RPC_TIMEOUT, HC_ERR_RPC_HTTP,
 * HC_ERR_RPC_MALFORMED, or HC_ERR_RPC for a JSON-RPC error object, which
 * hc_rpc_status classifies (nonce too low, replacement underpriced, …) and
 * carries the revert data of a reverted call.
 */
#ifndef HAECHI_RPC_H
#define HAECHI_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/u256.h"
#include "haechi/util.h"

typedef struct hc_rpc hc_rpc;

typedef enum hc_rpc_class {
    HC_RPC_OK = 0,
    HC_RPC_UNREACHABLE, /* transport: connect refused, DNS, TLS */
    HC_RPC_TIMEOUT,
    HC_RPC_HTTP,      /* HTTP status not 2xx */
    HC_RPC_MALFORMED, /* not HTTP or JSON-RPC, cut short, wrong
                         types, too large */
    HC_RPC_ERROR,     /* any other JSON-RPC error */
    HC_RPC_NONCE_TOO_LOW,
    HC_RPC_NONCE_TOO_HIGH,
    HC_RPC_REPLACEMENT_UNDERPRICED,
    HC_RPC_ALREADY_KNOWN,
    HC_RPC_INSUFFICIENT_FUNDS,
    HC_RPC_FEE_TOO_LOW, /* below base fee / node minimum */
    HC_RPC_GAS_LIMIT,   /* intrinsic gas too low / above block limit */
    HC_RPC_REVERTED,    /* execution reverted (revert data kept) */
    HC_RPC_METHOD_NOT_FOUND,
    HC_RPC_RATE_LIMITED, /* HTTP 429 or a node's "rate limit" error */
    HC_RPC_CLASS_END
} hc_rpc_class;

const char *hc_rpc_class_name(hc_rpc_class c);

#define HC_RPC_REVERT_MAX 4096

/* What went wrong with the last call, in detail. */
typedef struct hc_rpc_status {
    hc_rpc_class cls;
    long http_status;                  /* 0 if no HTTP answer */
    int64_t code;                      /* JSON-RPC error code (0 if none) */
    char message[256];                 /* the node's message (truncated) */
    uint8_t revert[HC_RPC_REVERT_MAX]; /* revert data of a reverted call */
    size_t revert_len;
    double elapsed_ms; /* how long the call took */
} hc_rpc_status;

typedef struct hc_rpc_opts {
    long timeout_ms;         /* whole call; 0 = 10 s */
    long connect_timeout_ms; /* 0 = 3 s */
    size_t max_response;     /* 0 = 32 MiB */
} hc_rpc_opts;

/* Creates a client for url (http:// or https:// only). */
HC_WUR hc_err hc_rpc_open(hc_rpc **out, const char *url,
                          const hc_rpc_opts *opts);
void hc_rpc_close(hc_rpc *c);

/* Classifies a JSON-RPC error by its code and message (exposed for tests). */
hc_rpc_class hc_rpc_classify(int64_t code, const char *message);

/* The generic call: params is a JSON array (borrowed). On HC_OK, *result
 * is the "result" member, detached: the caller frees it with cJSON_Delete.
 * st may be NULL. */
HC_WUR hc_err hc_rpc_request(hc_rpc *c, const char *method, const cJSON *params,
                             cJSON **result, hc_rpc_status *st);

/* One call of a batch. */
typedef struct hc_rpc_batch_item {
    const char *method;  /* in */
    const cJSON *params; /* in, borrowed: a JSON array; NULL = [] */
    cJSON *result;       /* out: the "result" member, detached (the caller
                            frees it); NULL unless err is HC_OK */
    hc_err err;          /* out: this call's outcome */
    hc_rpc_class cls;    /* out: its class */
} hc_rpc_batch_item;

#define HC_RPC_BATCH_MAX 64

/* Sends n (at most HC_RPC_BATCH_MAX) calls in one HTTP request, a JSON-RPC
 * batch. HC_OK: the request went through and each item's err (and result)
 * says how its call went (an answer missing from the batch leaves its item
 * HC_ERR_RPC_MALFORMED). Otherwise the whole request failed, st says how,
 * and every item carries that error. A node that refuses batches (an
 * "invalid request" or "method not found" error, or HTTP 400, 404, 405, 413
 * or 415 for the batch) is from then on sent one call at a time through
 * this handle. */
HC_WUR hc_err hc_rpc_batch(hc_rpc *c, hc_rpc_batch_item *items, size_t n,
                           hc_rpc_status *st);

/* ---- typed calls */
HC_WUR hc_err hc_rpc_chain_id(hc_rpc *c, uint64_t *out, hc_rpc_status *st);
HC_WUR hc_err hc_rpc_block_number(hc_rpc *c, uint64_t *out, hc_rpc_status *st);
/* block: "latest", "pending", … */
HC_WUR hc_err hc_rpc_get_transaction_count(hc_rpc *c, const hc_address *a,
                                           const char *block, uint64_t *out,
                                           hc_rpc_status *st);
HC_WUR hc_err hc_rpc_get_balance(hc_rpc *c, const hc_address *a,
                                 const char *block, hc_u256 *out,
                                 hc_rpc_status *st);
/* Broadcasts a raw signed transaction; hash receives the node's answer. */
HC_WUR hc_err hc_rpc_send_raw_transaction(hc_rpc *c, const uint8_t *raw,
                                          size_t len, uint8_t hash[32],
                                          hc_rpc_status *st);
HC_WUR hc_err hc_rpc_max_priority_fee(hc_rpc *c, hc_u256 *out,
                                      hc_rpc_status *st);
/* eth_call of data to `to` at block; the return data is appended to out. */
HC_WUR hc_err hc_rpc_call(hc_rpc *c, const hc_address *from,
                          const hc_address *to, const uint8_t *data, size_t len,
                          const char *block, hc_buf *out, hc_rpc_status *st);
/* eth_estimateGas; to may be NULL (creation); from may be NULL. */
HC_WUR hc_err hc_rpc_estimate_gas(hc_rpc *c, const hc_address *from,
                                  const hc_address *to, const uint8_t *data,
                                  size_t len, const hc_u256 *value,
                                  uint64_t *out, hc_rpc_status *st);
HC_WUR hc_err hc_rpc_get_code(hc_rpc *c, const hc_address *a, const char *block,
                              hc_buf *out, hc_rpc_status *st);

typedef struct hc_block {
    uint64_t number;
    uint8_t hash[32]; /* all zero if null (geth's pending block) */
    uint8_t parent_hash[32];
    uint64_t timestamp;
    uint64_t gas_limit, gas_used;
    int has_base_fee;
    hc_u256 base_fee;
} hc_block;

/* block: "latest", "pending", "finalized", or a number as "0x…" (use
 * hc_rpc_block_tag). HC_ERR_NOT_FOUND if the node has no such block. */
HC_WUR hc_err hc_rpc_get_block(hc_rpc *c, const char *block, hc_block *out,
                               hc_rpc_status *st);
/* Writes "0x…" for a block number into tag (at least 19 bytes). */
char *hc_rpc_block_tag(char tag[19], uint64_t number);

#define HC_FEE_HISTORY_MAX 1024
typedef struct hc_fee_history {
    uint64_t oldest_block;
    size_t n;                                 /* blocks */
    hc_u256 base_fee[HC_FEE_HISTORY_MAX + 1]; /* n + 1: the next block's too */
    hc_u256 reward[HC_FEE_HISTORY_MAX];       /* at the requested percentile */
    double gas_used_ratio[HC_FEE_HISTORY_MAX];
} hc_fee_history;

HC_WUR hc_err hc_rpc_fee_history(hc_rpc *c, unsigned blocks, const char *newest,
                                 double percentile, hc_fee_history *out,
                                 hc_rpc_status *st);

typedef struct hc_log {
    hc_address address;
    uint8_t topics[4][32];
    size_t ntopics;
    uint8_t *data; /* owned */
    size_t data_len;
    uint64_t block_number;
    uint8_t block_hash[32];
    uint8_t tx_hash[32];
    uint64_t tx_index, log_index;
    int removed;
    int has_block_timestamp; /* the node sent blockTimestamp */
    uint64_t block_timestamp;
} hc_log;

typedef struct hc_receipt {
    uint8_t tx_hash[32];
    int status; /* 1 success, 0 reverted */
    uint64_t block_number;
    uint8_t block_hash[32];
    uint64_t tx_index;
    uint64_t gas_used, cumulative_gas_used;
    hc_u256 effective_gas_price; /* zero if !has_effective_gas_price */
    int has_effective_gas_price; /* nodes before London leave it out (or
                                    give null) */
    hc_address from;
    int has_to;
    hc_address to;
    int has_contract_address;
    hc_address contract_address;
    hc_log *logs; /* owned */
    size_t nlogs;
} hc_receipt;

void hc_receipt_free(hc_receipt *r);

/* The receipts of n transactions, in batches (hc_rpc_batch). HC_OK: errs[i]
 * says how receipt i went: HC_OK (out[i] filled, to be freed with
 * hc_receipt_free), HC_ERR_NOT_FOUND (not mined, or unknown), or an error.
 * Otherwise the request failed (st says how) and out[] is empty. */
HC_WUR hc_err hc_rpc_get_receipts(hc_rpc *c, const uint8_t (*hashes)[32],
                                  size_t n, hc_receipt *out, hc_err *errs,
                                  hc_rpc_status *st);
void hc_logs_free(hc_log *logs, size_t n);

/* HC_ERR_NOT_FOUND while the transaction is not mined (null result). */
HC_WUR hc_err hc_rpc_get_receipt(hc_rpc *c, const uint8_t hash[32],
                                 hc_receipt *out, hc_rpc_status *st);

typedef struct hc_txinfo {
    uint8_t hash[32];
    hc_address from;
    uint64_t nonce;
    int mined; /* block_number valid */
    uint64_t block_number;
} hc_txinfo;

/* HC_ERR_NOT_FOUND if the node does not know the transaction. */
HC_WUR hc_err hc_rpc_get_transaction(hc_rpc *c, const uint8_t hash[32],
                                     hc_txinfo *out, hc_rpc_status *st);

typedef struct hc_log_filter {
    const hc_address *address; /* NULL: any */
    const char *from_block;    /* NULL: "earliest" */
    const char *to_block;      /* NULL: "latest" */
    const uint8_t *topics[4];  /* NULL entries match anything */
    size_t ntopics;
} hc_log_filter;

/* eth_getLogs; *logs is allocated (free with hc_logs_free). At most
 * max_logs logs are accepted (HC_ERR_BUFFER beyond). */
HC_WUR hc_err hc_rpc_get_logs(hc_rpc *c, const hc_log_filter *f,
                              size_t max_logs, hc_log **logs, size_t *n,
                              hc_rpc_status *st);

/* ---- helpers for JSON-RPC values (exposed for tests) */
HC_WUR hc_err hc_rpc_quantity(const cJSON *v, hc_u256 *out);
HC_WUR hc_err hc_rpc_quantity_u64(const cJSON *v, uint64_t *out);
HC_WUR hc_err hc_rpc_data(const cJSON *v, hc_buf *out);
HC_WUR hc_err hc_rpc_fixed(const cJSON *v, uint8_t *out, size_t n);

#endif

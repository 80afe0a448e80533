/* config.h — haechid's configuration: an INI file (parsed with Debian's
 * libinih) with comments, then HAECHI_* environment overrides.
 *
 *   [server]   listen = 127.0.0.1:8080 (port 0: any free port),
 *              max_connections, connection_timeout, max_upload (bytes,
 *              suffixes K/M/G/T allowed), public_url
 *   [ledger]   dir, max_queue (queued mints before 503)
 *   [limits]   rate_per_minute, burst (per API key, token bucket)
 *   [chain]    rpc_url, contract, chain_id, signer_key_env (the NAME of the
 *              environment variable that holds the signer's key; the key
 *              itself is never in the file), keys_file (a file holding
 *              the key under that name instead, see keys.example),
 *              batch_size, batch_wait_ms,
 *              confirmations, max_inflight (batches in flight), tx_type
 *              (eip1559 or legacy), max_fee_per_gas (a cap; wei, or with
 *              "gwei"/"eth"), daily_budget (fees per UTC day, same units;
 *              0 = none), replace_after (seconds before a stuck transaction
 *              is replaced with higher fees), nonce_check (seconds between
 *              nonce checks against the chain)
 *   [log]      level (debug, info, warn, error)
 *
 * Environment: HAECHI_LISTEN, HAECHI_LEDGER_DIR, HAECHI_MAX_UPLOAD,
 * HAECHI_MAX_QUEUE, HAECHI_RATE_PER_MINUTE, HAECHI_BURST, HAECHI_RPC,
 * HAECHI_CONTRACT, HAECHI_CHAIN_ID, HAECHI_PUBLIC_URL, HAECHI_LOG_LEVEL,
 * HAECHI_BATCH_SIZE, HAECHI_BATCH_WAIT_MS, HAECHI_CONFIRMATIONS,
 * HAECHI_MAX_INFLIGHT, HAECHI_TX_TYPE, HAECHI_MAX_FEE_PER_GAS,
 * HAECHI_DAILY_BUDGET, HAECHI_REPLACE_AFTER, HAECHI_NONCE_CHECK.
 * No secret is ever read from this file or the environment by name here:
 * the signer key is handled by the pipeline's key loading.
 */
#ifndef HAECHI_CONFIG_H
#define HAECHI_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/u256.h"
#include "haechi/util.h"

typedef struct hc_config {
    char listen_host[64];
    uint16_t listen_port;
    unsigned max_connections;
    unsigned connection_timeout; /* seconds of inactivity */
    uint64_t max_upload;         /* bytes of content */
    char public_url[512];        /* how clients reach us (Location URLs) */
    char ledger_dir[1024];
    uint64_t max_queue;
    unsigned rate_per_minute; /* 0: no limit */
    unsigned burst;
    char rpc_url[512]; /* "" : no chain (readyz reports it) */
    char contract[64];
    uint64_t chain_id;
    char signer_key_env[64]; /* env var holding the signer's key */
    char keys_file[1024];    /* or a keys file (see keys.example) */
    unsigned batch_size;     /* mints per mintBatch transaction */
    unsigned batch_wait_ms;  /* pause between pipeline rounds */
    unsigned confirmations;  /* blocks before a mint is confirmed */
    unsigned max_inflight;   /* batches sent and not yet settled */
    int legacy;              /* tx_type = legacy (EIP-155 type 0) */
    hc_u256 max_fee_per_gas; /* cap, wei; zero = no cap */
    hc_u256 daily_budget;    /* fees per UTC day, wei; zero = none */
    unsigned replace_after;  /* seconds before a stuck tx is replaced */
    unsigned nonce_check;    /* seconds between nonce checks */
    int log_level;           /* HC_LOG_* */
} hc_config;

void hc_config_defaults(hc_config *c);

/* Reads an INI file over c. On error, why names the line and key (lines
 * longer than libinih's buffer, about 200 bytes, are refused). */
HC_WUR hc_err hc_config_load(hc_config *c, const char *path, char *why,
                             size_t cap);
/* Applies HAECHI_* environment variables. */
HC_WUR hc_err hc_config_env(hc_config *c, char *why, size_t cap);
/* Checks consistency (e.g. a contract without an RPC URL). */
HC_WUR hc_err hc_config_check(const hc_config *c, char *why, size_t cap);
/* Writes the effective configuration as INI (for --check-config); the RPC
 * URL is shown without user info or path, which may hold a provider key. */
void hc_config_print(const hc_config *c, void *file /* FILE * */);

/* Parses "1024", "512B", "64K", "10M", "1G", "1T" (binary units; "KiB" and
 * "KB" the same as "K"). No sign, no spaces. */
HC_WUR hc_err hc_parse_size(const char *s, uint64_t *out);

/* Parses an amount of ether: "1000" (wei), "30gwei", "1.5gwei", "0.25eth"
 * (units case-insensitive; at most as many decimals as the unit has). */
HC_WUR hc_err hc_parse_wei(const char *s, hc_u256 *out);
/* Writes an amount as "<n>wei", "<n>gwei" or "<n>eth" (exact: the largest
 * unit that divides it). */
char *hc_format_wei(char *out, size_t cap, const hc_u256 *a);

#endif

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
 *              itself is never in the file), batch_size, batch_wait_ms,
 *              confirmations
 *   [log]      level (debug, info, warn, error)
 *
 * Environment: HAECHI_LISTEN, HAECHI_LEDGER_DIR, HAECHI_MAX_UPLOAD,
 * HAECHI_MAX_QUEUE, HAECHI_RATE_PER_MINUTE, HAECHI_BURST, HAECHI_RPC,
 * HAECHI_CONTRACT, HAECHI_CHAIN_ID, HAECHI_PUBLIC_URL, HAECHI_LOG_LEVEL,
 * HAECHI_BATCH_SIZE, HAECHI_CONFIRMATIONS.
 * No secret is ever read from this file or the environment by name here:
 * the signer key is handled by the pipeline's key loading.
 */
#ifndef HAECHI_CONFIG_H
#define HAECHI_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
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
    unsigned batch_size;     /* mints per mintBatch transaction */
    unsigned batch_wait_ms;  /* pause between pipeline rounds */
    unsigned confirmations;  /* blocks before a mint is confirmed */
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

#endif

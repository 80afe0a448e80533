/* api.h — the mint API of haechid over libmicrohttpd (HTTP/1.1).
 *
 * Routes (docs/api.md, docs/openapi.yaml):
 *   POST /v1/mints                    minter   multipart: metadata + content
 *   GET  /v1/mints/{id}               any key  (own client's, or auditor/admin)
 *   GET  /v1/tokens/{id}              public
 *   GET  /v1/tokens/{id}/metadata     public   the served ERC-721 metadata
 *   GET  /v1/metadata/{id}            public   the same (the token URI)
 *   GET  /v1/provenance/{sha256}      public
 *   GET  /v1/owners/{address}/tokens  any key  cursor pagination
 *   GET  /healthz, /readyz            public
 *   GET  /metrics                     admin or auditor; Prometheus text
 * Errors are RFC 9457 application/problem+json with a stable type
 * "urn:haechi:problem:<slug>".
 *
 * One thread per connection; a POST answers 202 only after the ledger's
 * group commit that stored it returned (durable).
 */
#ifndef HAECHI_API_H
#define HAECHI_API_H

#include <stdint.h>

#include "haechi/config.h"
#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/ledger.h"
#include "haechi/metrics.h"
#include "haechi/rpc.h"

typedef struct hc_api hc_api;

typedef struct hc_api_deps {
    const hc_config *cfg; /* borrowed; outlives the api */
    hc_ledger *ledger;    /* borrowed */
    hc_metrics *metrics;  /* borrowed; the api declares its families */
    hc_rpc *rpc;          /* borrowed; NULL if no chain is configured */
} hc_api_deps;

/* Binds cfg->listen_host:listen_port (port 0: any free port) and starts
 * serving. */
HC_WUR hc_err hc_api_start(hc_api **out, const hc_api_deps *deps);
/* The bound port. */
uint16_t hc_api_port(const hc_api *a);
/* The pipeline's signer (NULL: none): /readyz then reports whether it can
 * pay for gas ("funded"; "unfunded" is not ready). */
void hc_api_set_signer(hc_api *a, const hc_address *signer);
/* Where the chain head comes from (head(ctx); 0: unknown): a settled mint's
 * JSON then reports "confirmations", head - block + 1. Before it is set,
 * or while the head is unknown, "confirmations" is null. */
void hc_api_set_chain_head(hc_api *a, uint64_t (*head)(void *ctx), void *ctx);
/* Stops accepting connections, waits up to grace_ms for requests in flight,
 * then stops. */
void hc_api_stop(hc_api *a, long grace_ms);

/* The route label used in metrics for a method and path ("/v1/mints/{id}"),
 * or NULL if no route matches (exposed for the OpenAPI consistency test). */
const char *hc_api_route(const char *method, const char *path, int *allowed);
/* All route templates with their methods, NULL-terminated pairs. */
extern const char *const hc_api_routes[];

#endif

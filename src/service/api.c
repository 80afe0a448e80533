/* The mint API: routing, authentication, rate limits, the streaming mint
 * upload, and the read endpoints. */
#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <sodium.h>

#include "haechi/api.h"
#include "haechi/apikey.h"
#include "haechi/hex.h"
#include "haechi/log.h"
#include "haechi/metadata.h"
#include "haechi/multipart.h"
#include "haechi/records.h"
#include "haechi/sha256.h"

#define PROBLEM "urn:haechi:problem:"
/* After an error found mid-upload, how much more of the body is read (and
 * dropped) so the client can receive the answer, before the connection is
 * closed instead. */
#define DISCARD_MAX ((uint64_t)64 << 20)
/* How long a readiness check of the chain is reused. */
#define READY_CACHE_S 2.0

/* ---- routes */

const char *const hc_api_routes[] = {
    "POST", "/v1/mints",
    "GET",  "/v1/mints/{id}",
    "GET",  "/v1/tokens/{id}",
    "GET",  "/v1/tokens/{id}/metadata",
    "GET",  "/v1/metadata/{id}",
    "GET",  "/v1/provenance/{sha256}",
    "GET",  "/v1/owners/{address}/tokens",
    "POST", "/v1/clients/{name}/key",
    "POST", "/v1/clients/{name}/disable",
    "POST", "/v1/clients/{name}/enable",
    "GET",  "/healthz",
    "GET",  "/readyz",
    "GET",  "/metrics",
    NULL,   NULL,
};

/* Matches path against a template ("{x}" = one non-empty segment). */
static int match(const char *tmpl, const char *path)
{
    while (*tmpl && *path) {
        if (*tmpl == '{') {
            while (*tmpl && *tmpl != '}')
                tmpl++;
            if (*tmpl)
                tmpl++;
            size_t n = strcspn(path, "/");
            if (n == 0)
                return 0;
            path += n;
        } else if (*tmpl++ != *path++) {
            return 0;
        }
    }
    return *tmpl == 0 && *path == 0;
}

const char *hc_api_route(const char *method, const char *path, int *allowed)
{
    const char *found = NULL;
    int any = 0;
    for (size_t i = 0; hc_api_routes[i]; i += 2) {
        if (!match(hc_api_routes[i + 1], path))
            continue;
        any = 1;
        if (!strcmp(method, hc_api_routes[i]) ||
            (!strcmp(method, "HEAD") && !strcmp(hc_api_routes[i], "GET")))
            found = hc_api_routes[i + 1];
    }
    if (allowed)
        *allowed = any;
    return found;
}

/* The n-th segment of path (0-based) into out. */
static int segment(const char *path, int n, char *out, size_t cap)
{
    const char *p = path;
    for (int i = 0; i <= n; i++) {
        if (*p != '/')
            return 0;
        p++;
        size_t len = strcspn(p, "/");
        if (i == n) {
            if (len == 0 || len >= cap)
                return 0;
            memcpy(out, p, len);
            out[len] = 0;
            return 1;
        }
        p += len;
    }
    return 0;
}

/* ---- the server */

struct bucket { /* one per client: a new key keeps it */
    char name[HC_CLIENT_MAX + 1];
    double tokens;
    struct timespec last;
    struct bucket *next;
};

struct hc_api {
    struct MHD_Daemon *d;
    const hc_config *cfg;
    hc_ledger *l;
    hc_metrics *m;
    hc_rpc *rpc;
    hc_rpc *ready_rpc; /* readiness checks only (short timeouts) */
    double ready_at;   /* monotonic seconds of the last chain check */
    int ready_checking;
    char ready_chain[32];     /* its result */
    uint64_t (*head)(void *); /* the chain head's source (NULL: none) */
    void *head_ctx;
    int has_signer; /* the pipeline's signer (readyz checks funds) */
    hc_address signer;
    char ready_signer[32];
    uint16_t port;
    pthread_mutex_t mu; /* buckets, counters below */
    struct bucket *buckets[256];
    uint64_t queued;  /* mints in state queued (approximate) */
    double queued_at; /* when it was last counted (monotonic s) */
    double probe_at;  /* the last ledger probe (monotonic s) */
    int unwritable;   /* the ledger refuses writes (logged once) */
    unsigned in_flight;
    pthread_cond_t idle;
};

enum part { P_NONE, P_META, P_CONTENT, P_OTHER };

struct req {
    hc_api *a;
    const char *route;
    unsigned status;
    struct timespec t0;
    int counted;
    int deferred; /* to be answered on the next call */
    int has_body; /* the request came with a body */
    int linger;   /* answered before its body was read */
    /* authentication */
    int authed;
    hc_client client;
    /* the mint upload */
    int upload;
    hc_mp *mp;
    enum part part;
    int seen_meta, seen_content;
    hc_buf meta;
    hc_sha256_ctx sha;
    hc_sha256_bg *bg; /* hashes a large content in its own thread */
    uint64_t content_size;
    uint64_t discarded;
    uint64_t body_bytes;
    char idem[HC_IDEM_MAX + 1];
    /* a problem found during the upload, answered at its end */
    unsigned err_status;
    const char *err_slug, *err_title;
    char err_detail[256];
    char err_field[64];
};

static double secs_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) +
           (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Monotonic seconds. */
static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* 1 (and *at set to now) if a second has passed since *at: for work done
 * at most once a second by whichever request comes first. */
static int once_a_second(hc_api *a, double *at)
{
    double t = mono_s();
    pthread_mutex_lock(&a->mu);
    int due = t - *at >= 1.0;
    if (due)
        *at = t;
    pthread_mutex_unlock(&a->mu);
    return due;
}

/* ---- responses */

/* Adds the common headers (and h1: v1) to resp and queues it. */
static enum MHD_Result queue(struct req *r, struct MHD_Connection *c,
                             unsigned status, const char *type,
                             struct MHD_Response *resp, const char *h1,
                             const char *v1)
{
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (h1 && v1)
        MHD_add_response_header(resp, h1, v1);
    r->status = status;
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_bytes(struct req *r, struct MHD_Connection *c,
                                  unsigned status, const char *type,
                                  const void *body, size_t len, const char *h1,
                                  const char *v1)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, (void *)body, MHD_RESPMEM_MUST_COPY);
    return resp ? queue(r, c, status, type, resp, h1, v1) : MHD_NO;
}

/* Sends a JSON object (consumed). */
static enum MHD_Result send_json(struct req *r, struct MHD_Connection *c,
                                 unsigned status, cJSON *o, const char *h1,
                                 const char *v1)
{
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!s)
        return MHD_NO;
    enum MHD_Result ret =
        send_bytes(r, c, status, "application/json", s, strlen(s), h1, v1);
    free(s);
    return ret;
}

static void wipe_free(void *s)
{
    hc_memzero(s, strlen(s));
    free(s);
}

/* Sends a JSON object (consumed) that holds a secret in its string member
 * name: every copy this side of the socket is wiped (the object's, the
 * printed text when MHD is done with it). */
static enum MHD_Result send_secret_json(struct req *r, struct MHD_Connection *c,
                                        unsigned status, cJSON *o,
                                        const char *name)
{
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON *m = o ? cJSON_GetObjectItemCaseSensitive(o, name) : NULL;
    if (cJSON_IsString(m))
        hc_memzero(m->valuestring, strlen(m->valuestring));
    cJSON_Delete(o);
    if (!s)
        return MHD_NO;
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback_cls(strlen(s), s,
                                                               wipe_free, s);
    if (!resp) {
        wipe_free(s);
        return MHD_NO;
    }
    return queue(r, c, status, "application/json", resp, NULL, NULL);
}

/* RFC 9457 problem details; extra (consumed, may be NULL) adds members. */
static enum MHD_Result problem_ex(struct req *r, struct MHD_Connection *c,
                                  unsigned status, const char *slug,
                                  const char *title, const char *detail,
                                  cJSON *extra, const char *h1, const char *v1)
{
    char type[96];
    snprintf(type, sizeof type, PROBLEM "%s", slug);
    cJSON *o = extra ? extra : cJSON_CreateObject();
    if (!o)
        return MHD_NO;
    cJSON_AddStringToObject(o, "type", type);
    cJSON_AddStringToObject(o, "title", title);
    cJSON_AddNumberToObject(o, "status", status);
    if (detail && *detail)
        cJSON_AddStringToObject(o, "detail", detail);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s)
        return MHD_NO;
    enum MHD_Result ret = send_bytes(r, c, status, "application/problem+json",
                                     s, strlen(s), h1, v1);
    free(s);
    return ret;
}

static enum MHD_Result problem(struct req *r, struct MHD_Connection *c,
                               unsigned status, const char *slug,
                               const char *title, const char *detail)
{
    return problem_ex(r, c, status, slug, title, detail, NULL, NULL, NULL);
}

static enum MHD_Result internal_error(struct req *r, struct MHD_Connection *c,
                                      const char *what, hc_err err)
{
    hc_logline l;
    hc_log_begin(&l, HC_LOG_ERROR, "internal_error");
    hc_log_str(&l, "what", what);
    hc_log_str(&l, "error", hc_strerror(err));
    hc_log_end(&l);
    return problem(r, c, 500, "internal", "Internal error",
                   "the request could not be completed; it was not stored");
}

/* Can the ledger be written? After a failed commit (a full disk, an I/O
 * error), it is probed at most once a second until a write works again:
 * with no mint accepted and nothing for the pipeline to write, nothing else
 * would find out. The change either way is logged once. */
static int ledger_writable(hc_api *a)
{
    hc_err err = hc_ledger_write_status(a->l);
    if (err && once_a_second(a, &a->probe_at))
        err = hc_ledger_probe(a->l);
    pthread_mutex_lock(&a->mu);
    int changed = a->unwritable != (err != HC_OK);
    a->unwritable = err != HC_OK;
    pthread_mutex_unlock(&a->mu);
    if (changed) {
        hc_logline l;
        hc_log_begin(&l, err ? HC_LOG_ERROR : HC_LOG_INFO,
                     err ? "ledger_unwritable" : "ledger_writable");
        if (err)
            hc_log_str(&l, "error", hc_strerror(err));
        hc_log_end(&l);
    }
    return err == HC_OK;
}

/* 503 for a mint while the ledger cannot be written: nothing was stored;
 * the same request, retried later with its Idempotency-Key, is safe. */
static enum MHD_Result ledger_unavailable(struct req *r,
                                          struct MHD_Connection *c)
{
    return problem_ex(r, c, 503, "ledger-unavailable", "Ledger unavailable",
                      "the ledger cannot be written; nothing was stored; "
                      "retry later",
                      NULL, "Retry-After", "10");
}

/* ---- JSON views */

static void iso_time(char out[32], uint64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(ms % 1000));
}

static void add_hex(cJSON *o, const char *k, const uint8_t *p, size_t n,
                    int prefix)
{
    char h[2 * 32 + 3];
    if (n > 32)
        return;
    cJSON_AddStringToObject(o, k, hc_hex_encode(h, p, n, prefix));
}

static void add_addr(cJSON *o, const char *k, const hc_address *a)
{
    char s[HC_ADDRESS_STR];
    cJSON_AddStringToObject(o, k, hc_address_to_str(s, a));
}

static int is_zero(const uint8_t *p, size_t n)
{
    uint8_t z = 0;
    for (size_t i = 0; i < n; i++)
        z |= p[i];
    return z == 0;
}

/* Every transaction sent for a mint (replacements included), oldest
 * first: the sent_txs rows of its signer and nonce that carry it. */
struct sent_list {
    const uint8_t *id;
    struct {
        uint64_t ms;
        uint8_t hash[32];
    } tx[32];
    size_t n;
};

static int sent_row(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
                    size_t vlen)
{
    struct sent_list *x = arg;
    hc_sent_tx s;
    (void)k;
    (void)klen;
    if (hc_sent_decode(&s, v, vlen))
        return 0;
    for (size_t i = 0; i < s.n_mints; i++)
        if (!memcmp(s.mint_ids + 16 * i, x->id, 16)) {
            size_t j = x->n++;
            while (j > 0 && x->tx[j - 1].ms > s.sent_ms) {
                x->tx[j] = x->tx[j - 1];
                j--;
            }
            x->tx[j].ms = s.sent_ms;
            memcpy(x->tx[j].hash, s.hash, 32);
            break;
        }
    return x->n == sizeof x->tx / sizeof x->tx[0];
}

static void add_tx_hashes(hc_ledger *l, cJSON *arr, const hc_mint *m)
{
    struct sent_list x;
    uint8_t prefix[60];
    char h[67];
    int mined_seen = 0;
    x.id = m->id;
    x.n = 0;
    hc_sent_key(prefix, &m->signer, m->nonce, m->tx_hash);
    if (l && hc_ledger_scan(l, HC_LDB_SENT, prefix, 28, NULL, 0, 0, sent_row,
                            &x) != HC_OK)
        x.n = 0;
    for (size_t i = 0; i < x.n; i++) {
        mined_seen |= !memcmp(x.tx[i].hash, m->tx_hash, 32);
        cJSON_AddItemToArray(
            arr, cJSON_CreateString(hc_hex_encode(h, x.tx[i].hash, 32, 1)));
    }
    if (!mined_seen)
        cJSON_AddItemToArray(
            arr, cJSON_CreateString(hc_hex_encode(h, m->tx_hash, 32, 1)));
}

static cJSON *mint_json(hc_api *a, const hc_mint *m)
{
    hc_ledger *l = a->l;
    char t[32], dec[HC_U256_DEC_MAX];
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    add_hex(o, "mint_id", m->id, 16, 0);
    add_hex(o, "token_id", m->content_hash, 32, 1);
    add_hex(o, "content_sha256", m->content_hash, 32, 0);
    cJSON_AddStringToObject(o, "state", hc_mint_state_name(m->state));
    cJSON_AddStringToObject(o, "client", m->client);
    add_addr(o, "creator", &m->creator);
    iso_time(t, m->created_ms);
    cJSON_AddStringToObject(o, "created_at", t);
    cJSON *txs = cJSON_AddArrayToObject(o, "tx_hashes");
    if (txs && m->has_tx)
        add_tx_hashes(l, txs, m);
    if (m->block)
        cJSON_AddNumberToObject(o, "block", (double)m->block);
    else
        cJSON_AddNullToObject(o, "block");
    pthread_mutex_lock(&a->mu);
    uint64_t (*head_fn)(void *) = a->head;
    void *head_ctx = a->head_ctx;
    pthread_mutex_unlock(&a->mu);
    uint64_t head = m->block && head_fn ? head_fn(head_ctx) : 0;
    if (m->block && head >= m->block)
        cJSON_AddNumberToObject(o, "confirmations",
                                (double)(head - m->block + 1));
    else
        cJSON_AddNullToObject(o, "confirmations");
    if (m->gas_used)
        cJSON_AddNumberToObject(o, "gas_used", (double)m->gas_used);
    else
        cJSON_AddNullToObject(o, "gas_used");
    if (m->block)
        cJSON_AddStringToObject(o, "fee_paid",
                                hc_u256_to_dec(dec, &m->fee_paid));
    else
        cJSON_AddNullToObject(o, "fee_paid");
    add_hex(o, "metadata_hash", m->metadata_hash, 32, 1);
    cJSON_AddNumberToObject(o, "royalty_bps", m->royalty_bps);
    if (m->reason[0])
        cJSON_AddStringToObject(o, "reason", m->reason);
    else
        cJSON_AddNullToObject(o, "reason");
    if (m->state == HC_MINT_CONFLICT && !is_zero(m->chain_owner.b, 20))
        add_addr(o, "owner", &m->chain_owner);
    return o;
}

/* ---- authentication and rate limits */

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* 1 if authenticated (r->client filled), else 0 with the reason in *why. */
static int authenticate(struct req *r, struct MHD_Connection *c,
                        const char **why)
{
    const char *h = header(c, "Authorization");
    uint8_t id[HC_KEY_ID_LEN], hash[32];
    *why = "missing Authorization: Bearer <api key>";
    if (!h)
        return 0;
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return 0;
    h += 7;
    while (*h == ' ')
        h++;
    *why = "invalid API key";
    if (hc_apikey_parse(h, strlen(h), id, hash) != HC_OK)
        return 0;
    hc_err err = hc_ledger_client_by_key(r->a->l, id, &r->client);
    if (err) {
        /* spend the same time on unknown ids as on a compare */
        uint8_t dummy[32] = {0};
        (void)hc_ct_equal(dummy, hash, 32);
        return 0;
    }
    if (!hc_ct_equal(r->client.key_hash, hash, 32) || r->client.disabled)
        return 0;
    r->authed = 1;
    return 1;
}

/* Token bucket per client (a new key does not refill it). Returns 0 if
 * allowed, else the seconds to wait. */
static unsigned rate_limit(hc_api *a, const hc_client *cl)
{
    double rate =
        (cl->rate_per_min ? cl->rate_per_min : a->cfg->rate_per_minute) / 60.0;
    double burst = cl->burst ? cl->burst : a->cfg->burst;
    if (rate <= 0)
        return 0;
    if (burst < 1)
        burst = 1;
    unsigned h = 2166136261u; /* FNV-1a of the client's name */
    for (const char *q = cl->name; *q; q++)
        h = (h ^ (unsigned char)*q) * 16777619u;
    h &= 255;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    unsigned wait = 0;
    pthread_mutex_lock(&a->mu);
    struct bucket *b = a->buckets[h];
    while (b && strcmp(b->name, cl->name))
        b = b->next;
    if (!b && (b = calloc(1, sizeof *b)) != NULL) {
        memcpy(b->name, cl->name, sizeof b->name);
        b->tokens = burst;
        b->last = now;
        b->next = a->buckets[h];
        a->buckets[h] = b;
    }
    if (b) {
        double dt = (double)(now.tv_sec - b->last.tv_sec) +
                    (double)(now.tv_nsec - b->last.tv_nsec) / 1e9;
        b->last = now;
        b->tokens += dt * rate;
        if (b->tokens > burst)
            b->tokens = burst;
        if (b->tokens >= 1)
            b->tokens -= 1;
        else
            wait = (unsigned)ceil((1 - b->tokens) / rate);
    }
    pthread_mutex_unlock(&a->mu);
    return wait;
}

/* Authenticates and checks a role (0 = any); on failure answers and returns
 * the MHD result through *ret. */
static int require(struct req *r, struct MHD_Connection *c, uint32_t roles,
                   enum MHD_Result *ret)
{
    const char *why;
    if (!authenticate(r, c, &why)) {
        *ret = problem_ex(r, c, 401, "unauthorized", "Unauthorized", why, NULL,
                          "WWW-Authenticate", "Bearer realm=\"haechi\"");
        return 0;
    }
    if (roles && !(r->client.roles & roles)) {
        *ret = problem(r, c, 403, "forbidden", "Forbidden",
                       "this API key lacks the role this route needs");
        return 0;
    }
    unsigned wait = rate_limit(r->a, &r->client);
    if (wait) {
        char s[16];
        snprintf(s, sizeof s, "%u", wait);
        *ret = problem_ex(r, c, 429, "rate-limited", "Too many requests",
                          "this API key's rate limit is exhausted", NULL,
                          "Retry-After", s);
        return 0;
    }
    return 1;
}

/* ---- the mint upload */

static void upload_fail(struct req *r, unsigned status, const char *slug,
                        const char *title, const char *detail,
                        const char *field)
{
    if (r->err_status)
        return; /* keep the first problem */
    r->err_status = status;
    r->err_slug = slug;
    r->err_title = title;
    snprintf(r->err_detail, sizeof r->err_detail, "%s", detail);
    snprintf(r->err_field, sizeof r->err_field, "%s", field ? field : "");
}

static int on_part_begin(void *arg, const char *name, const char *filename,
                         const char *content_type)
{
    struct req *r = arg;
    (void)filename;
    (void)content_type;
    if (!strcmp(name, "metadata")) {
        if (r->seen_meta) {
            upload_fail(r, 400, "bad-multipart", "Malformed request body",
                        "the metadata part appears twice", "metadata");
            return 1;
        }
        r->seen_meta = 1;
        r->part = P_META;
    } else if (!strcmp(name, "content")) {
        if (r->seen_content) {
            upload_fail(r, 400, "bad-multipart", "Malformed request body",
                        "the content part appears twice", "content");
            return 1;
        }
        r->seen_content = 1;
        r->part = P_CONTENT;
    } else {
        /* the name is the client's: echo printable ASCII only, so the
         * answer stays valid UTF-8 JSON */
        char safe[61], d[128];
        size_t i = 0;
        for (; name[i] && i < sizeof safe - 1; i++)
            safe[i] = (name[i] >= 0x20 && name[i] < 0x7f) ? name[i] : '?';
        safe[i] = 0;
        snprintf(d, sizeof d,
                 "unexpected part \"%s\" (metadata and content only)", safe);
        upload_fail(r, 400, "bad-multipart", "Malformed request body", d, safe);
        return 1;
    }
    return 0;
}

static int on_part_data(void *arg, const uint8_t *p, size_t n)
{
    struct req *r = arg;
    if (r->part == P_META) {
        if (hc_buf_append(&r->meta, p, n) != HC_OK) {
            upload_fail(r, 413, "metadata-too-large", "Metadata too large",
                        "the metadata part is larger than 64 KiB", "metadata");
            return 1;
        }
    } else if (r->part == P_CONTENT) {
        r->content_size += n;
        if (r->content_size > r->a->cfg->max_upload) {
            upload_fail(r, 413, "content-too-large", "Content too large",
                        "the content is larger than this service accepts",
                        "content");
            return 1;
        }
        /* past the first MiB, hash in a thread of its own while this one
         * receives and parses the next bytes (if it cannot start, here) */
        if (!r->bg && r->content_size > HC_SHA256_BG_BYTES &&
            hc_sha256_bg_start(&r->bg, &r->sha) != HC_OK)
            r->bg = NULL;
        if ((r->bg ? hc_sha256_bg_update(r->bg, p, n)
                   : hc_sha256_update(&r->sha, p, n)) != HC_OK) {
            upload_fail(r, 500, "internal", "Internal error", "hashing failed",
                        NULL);
            return 1;
        }
    }
    return 0;
}

static int on_part_end(void *arg)
{
    struct req *r = arg;
    if (r->part == P_META) {
        /* validate early, before a large content part streams in */
        hc_meta_info info;
        hc_meta_problem pb;
        hc_err err = hc_metadata_check(r->meta.data, r->meta.len, &info, &pb);
        if (err == HC_ERR_INVALID) {
            upload_fail(r, 422, "invalid-metadata", "Invalid metadata",
                        pb.message, pb.field[0] ? pb.field : "metadata");
            return 1;
        }
    }
    r->part = P_NONE;
    return 0;
}

static const hc_mp_callbacks mp_cb = {on_part_begin, on_part_data, on_part_end};

struct accept_ctx {
    const hc_mint *m;
    const uint8_t *meta;
    size_t meta_len;
    const hc_client *client; /* as authenticated when the upload began */
    int revoked;             /* its key was replaced or disabled since */
    hc_accept_outcome outcome;
    hc_mint existing;
};

static hc_err accept_write(hc_ltx *tx, void *arg)
{
    struct accept_ctx *x = arg;
    /* the key may have been replaced, or the client disabled, while the
     * body came in: what is stored is checked against the key as of this
     * commit */
    const uint8_t *p;
    size_t n;
    hc_client now;
    hc_err err = hc_ltx_get(tx, HC_LDB_CLIENTS, x->client->name,
                            strlen(x->client->name), &p, &n);
    if (!err)
        err = hc_client_decode(&now, p, n);
    if (err == HC_ERR_NOT_FOUND ||
        (!err && (now.disabled ||
                  memcmp(now.key_id, x->client->key_id, HC_KEY_ID_LEN) ||
                  !hc_ct_equal(now.key_hash, x->client->key_hash, 32)))) {
        x->revoked = 1;
        err = HC_ERR_ABORTED;
    }
    hc_memzero(now.key_hash, sizeof now.key_hash);
    if (err)
        return err;
    err = hc_ltx_mint_accept(tx, x->m, &x->outcome, &x->existing);
    if (!err && x->outcome == HC_ACCEPT_NEW)
        err = hc_ltx_put(tx, HC_LDB_METADATA, HC_J_METADATA, x->m->content_hash,
                         32, x->meta, x->meta_len);
    return err;
}

static enum MHD_Result finish_mint(struct req *r, struct MHD_Connection *c)
{
    hc_api *a = r->a;
    if (!r->err_status && hc_mp_finish(r->mp) != HC_OK)
        upload_fail(r, 400, "bad-multipart", "Malformed request body",
                    hc_mp_error(r->mp), NULL);
    if (!r->err_status && (!r->seen_meta || !r->seen_content))
        upload_fail(r, 400, "bad-multipart", "Malformed request body",
                    !r->seen_meta ? "the metadata part is missing"
                                  : "the content part is missing",
                    !r->seen_meta ? "metadata" : "content");
    if (r->err_status) {
        cJSON *extra = NULL;
        if (r->err_field[0]) {
            extra = cJSON_CreateObject();
            cJSON_AddStringToObject(extra, "field", r->err_field);
        }
        return problem_ex(r, c, r->err_status, r->err_slug, r->err_title,
                          r->err_detail, extra, NULL, NULL);
    }
    uint8_t digest[32];
    hc_err err = HC_OK;
    if (r->bg) {
        err = hc_sha256_bg_finish(r->bg, &r->sha); /* gives r->sha back */
        r->bg = NULL;
    }
    if (!err)
        err = hc_sha256_final(&r->sha, digest);
    if (err)
        return internal_error(r, c, "sha256", err);
    hc_metrics_add(a->m, "haechi_bytes_hashed_total", NULL,
                   (double)r->content_size);

    hc_buf served;
    hc_meta_info info;
    hc_meta_problem pb;
    hc_buf_init(&served, 2 * HC_META_MAX + 4096, 0);
    err = hc_metadata_build(&served, r->meta.data, r->meta.len, digest,
                            r->content_size, &info, &pb);
    if (err) {
        hc_buf_free(&served);
        if (err != HC_ERR_INVALID)
            return internal_error(r, c, "metadata", err);
        cJSON *extra = cJSON_CreateObject();
        cJSON_AddStringToObject(extra, "field",
                                pb.field[0] ? pb.field : "metadata");
        return problem_ex(r, c, 422, "invalid-metadata", "Invalid metadata",
                          pb.message, extra, NULL, NULL);
    }

    hc_mint m;
    memset(&m, 0, sizeof m);
    memcpy(m.content_hash, digest, 32);
    err = hc_sha256(m.metadata_hash, served.data, served.len);
    /* an idempotent retry must carry the same content and metadata */
    hc_sha256_ctx rh;
    if (!err)
        err = hc_sha256_init(&rh);
    if (!err) {
        err = hc_sha256_update(&rh, digest, 32);
        if (!err)
            err = hc_sha256_update(&rh, m.metadata_hash, 32);
        if (!err)
            err = hc_sha256_final(&rh, m.request_hash);
        hc_sha256_free(&rh);
    }
    if (err) {
        hc_buf_free(&served);
        return internal_error(r, c, "sha256", err);
    }
    m.creator = info.creator;
    m.royalty_bps = info.royalty_bps;
    m.state = HC_MINT_QUEUED;
    snprintf(m.client, sizeof m.client, "%s", r->client.name);
    snprintf(m.idem_key, sizeof m.idem_key, "%s", r->idem);
    m.content_size = r->content_size;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    m.created_ms = m.updated_ms =
        (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
    hc_mint_id_new(m.id, m.created_ms);

    struct accept_ctx x;
    memset(&x, 0, sizeof x);
    x.m = &m;
    x.meta = served.data;
    x.meta_len = served.len;
    x.client = &r->client;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    err = hc_ledger_write(a->l, accept_write, &x);
    hc_metrics_observe(a->m, "haechi_ledger_commit_seconds", NULL,
                       secs_since(&t0));
    hc_buf_free(&served);
    if (x.revoked)
        return problem_ex(r, c, 401, "unauthorized", "Unauthorized",
                          "this API key was replaced or disabled during the "
                          "upload; nothing was stored",
                          NULL, "WWW-Authenticate", "Bearer realm=\"haechi\"");
    if (err && !ledger_writable(a))
        return ledger_unavailable(r, c);
    if (err)
        return internal_error(r, c, "ledger", err);

    char loc[700], idhex[33];
    hc_hex_encode(idhex, x.outcome == HC_ACCEPT_NEW ? m.id : x.existing.id, 16,
                  0);
    snprintf(loc, sizeof loc, "%s/v1/mints/%s", a->cfg->public_url, idhex);
    hc_logline l;
    switch (x.outcome) {
    case HC_ACCEPT_NEW:
        pthread_mutex_lock(&a->mu);
        a->queued++;
        pthread_mutex_unlock(&a->mu);
        hc_log_begin(&l, HC_LOG_INFO, "mint_accepted");
        hc_log_str(&l, "mint_id", idhex);
        hc_log_hex(&l, "token_id", m.content_hash, 32);
        hc_log_str(&l, "client", m.client);
        hc_log_uint(&l, "size", m.content_size);
        hc_log_end(&l);
        return send_json(r, c, 202, mint_json(a, &m), "Location", loc);
    case HC_ACCEPT_REPLAY:
        return send_json(r, c, 202, mint_json(a, &x.existing), "Location", loc);
    case HC_ACCEPT_KEY_REUSED: {
        cJSON *extra = cJSON_CreateObject();
        cJSON_AddStringToObject(extra, "field", "Idempotency-Key");
        add_hex(extra, "mint_id", x.existing.id, 16, 0);
        return problem_ex(r, c, 422, "idempotency-key-reused",
                          "Idempotency-Key reused",
                          "this Idempotency-Key was used for a different "
                          "request",
                          extra, NULL, NULL);
    }
    case HC_ACCEPT_DUPLICATE:
    default: {
        cJSON *extra = cJSON_CreateObject();
        add_hex(extra, "mint_id", x.existing.id, 16, 0);
        add_hex(extra, "token_id", x.existing.content_hash, 32, 1);
        cJSON_AddStringToObject(extra, "state",
                                hc_mint_state_name(x.existing.state));
        return problem_ex(r, c, 409, "already-minted",
                          "Content already minted or queued",
                          "a token for this content exists or is on its way",
                          extra, "Location", loc);
    }
    }
}

/* First call of POST /v1/mints: checks before the body is read. */
static int count_queued(void *arg, const uint8_t *k, size_t klen,
                        const uint8_t *v, size_t vlen);

/* The pipeline moves mints out of "queued" behind our back: recount from
 * the ledger at most once a second (the queued rows of the live-mints
 * index). */
static void refresh_queued(hc_api *a)
{
    if (!once_a_second(a, &a->queued_at))
        return;
    uint64_t n = 0;
    uint8_t queued = HC_MINT_QUEUED;
    if (hc_ledger_scan(a->l, HC_LDB_ACTIVE, &queued, 1, NULL, 0, 0,
                       count_queued, &n) == HC_OK) {
        pthread_mutex_lock(&a->mu);
        a->queued = n;
        pthread_mutex_unlock(&a->mu);
    }
}

static enum MHD_Result start_mint(struct req *r, struct MHD_Connection *c)
{
    hc_api *a = r->a;
    enum MHD_Result ret;
    if (!require(r, c, HC_ROLE_MINTER, &ret))
        return ret;
    refresh_queued(a);
    pthread_mutex_lock(&a->mu);
    int full = a->cfg->max_queue && a->queued >= a->cfg->max_queue;
    pthread_mutex_unlock(&a->mu);
    if (full)
        return problem_ex(r, c, 503, "queue-full", "Queue full",
                          "too many mints are waiting; retry later", NULL,
                          "Retry-After", "5");
    if (!ledger_writable(a))
        return ledger_unavailable(r, c);
    const char *idem = header(c, "Idempotency-Key");
    if (idem) {
        size_t n = strlen(idem);
        int ok = n > 0 && n <= HC_IDEM_MAX;
        for (size_t i = 0; ok && i < n; i++)
            ok = idem[i] >= 0x21 && idem[i] <= 0x7e;
        if (!ok) {
            cJSON *extra = cJSON_CreateObject();
            cJSON_AddStringToObject(extra, "field", "Idempotency-Key");
            return problem_ex(
                r, c, 400, "bad-idempotency-key", "Invalid Idempotency-Key",
                "1 to 128 visible ASCII characters", extra, NULL, NULL);
        }
        memcpy(r->idem, idem, n + 1);
    }
    const char *len = header(c, "Content-Length");
    if (len) {
        char *end;
        unsigned long long v = strtoull(len, &end, 10);
        /* the body holds the content plus headers and the metadata */
        if (*end == 0 && v > a->cfg->max_upload + HC_META_MAX + 65536)
            return problem(r, c, 413, "content-too-large", "Content too large",
                           "the request body is larger than this service "
                           "accepts");
    }
    char boundary[HC_MP_BOUNDARY_MAX + 1];
    const char *ct = header(c, "Content-Type");
    if (!ct || hc_mp_boundary(boundary, ct) != HC_OK)
        return problem(r, c, 415, "unsupported-media-type",
                       "Unsupported media type",
                       "send multipart/form-data with a metadata part and a "
                       "content part");
    hc_buf_init(&r->meta, HC_META_MAX, 0);
    if (hc_sha256_init(&r->sha) != HC_OK ||
        hc_mp_new(&r->mp, boundary, &mp_cb, r) != HC_OK)
        return internal_error(r, c, "upload", HC_ERR_NOMEM);
    r->upload = 1;
    return MHD_YES;
}

/* ---- read endpoints */

static int parse_id(const char *s, uint8_t out[32])
{
    return hc_hex_decode_fixed(out, 32, s, HC_HEX_PREFIX_OPTIONAL) == HC_OK;
}

/* The mint for a content hash, via the content index (which also names
 * the mint of a token), into m and its id into mint_id. */
static hc_err mint_for_content(hc_api *a, const uint8_t id[32], hc_mint *m,
                               uint8_t mint_id[HC_MINT_ID_LEN])
{
    hc_buf b;
    hc_buf_init(&b, 64, 0);
    hc_err err = hc_ledger_index_get(a->l, HC_LDB_CONTENT, id, 32, &b);
    if (!err && b.len != HC_MINT_ID_LEN)
        err = HC_ERR_CORRUPT;
    if (!err) {
        memcpy(mint_id, b.data, HC_MINT_ID_LEN);
        if (m)
            err = hc_ledger_mint_get(a->l, mint_id, m);
        if (err == HC_ERR_NOT_FOUND) /* the row names no mint */
            err = HC_ERR_CORRUPT;
    }
    hc_buf_free(&b);
    return err;
}

static cJSON *token_json(hc_api *a, const hc_mint *m, const hc_token *t,
                         int provenance)
{
    char url[700], idhex[65];
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    hc_hex_encode(idhex, m->content_hash, 32, 0);
    add_hex(o, "token_id", m->content_hash, 32, 1);
    add_hex(o, "content_sha256", m->content_hash, 32, 0);
    cJSON_AddStringToObject(o, "state", hc_mint_state_name(m->state));
    add_addr(o, "creator", t ? &t->creator : &m->creator);
    if (t && !t->burned)
        add_addr(o, "owner", &t->owner);
    else if (m->state == HC_MINT_CONFLICT && !is_zero(m->chain_owner.b, 20))
        add_addr(o, "owner", &m->chain_owner);
    else
        cJSON_AddNullToObject(o, "owner");
    add_hex(o, "metadata_hash", m->metadata_hash, 32, 1);
    snprintf(url, sizeof url, "%s/v1/metadata/%s", a->cfg->public_url, idhex);
    cJSON_AddStringToObject(o, "metadata_url", url);
    cJSON_AddNumberToObject(o, "royalty_bps", m->royalty_bps);
    if (t || m->block) {
        cJSON_AddNumberToObject(o, provenance ? "mint_block" : "block",
                                (double)(t ? t->block : m->block));
        add_hex(o, "tx_hash", t ? t->tx_hash : m->tx_hash, 32, 1);
    } else {
        cJSON_AddNullToObject(o, provenance ? "mint_block" : "block");
        cJSON_AddNullToObject(o, "tx_hash");
    }
    if (t) {
        char ts[32];
        iso_time(ts, t->minted_ms);
        cJSON_AddStringToObject(o, provenance ? "mint_time" : "minted_at", ts);
        cJSON_AddBoolToObject(o, "burned", t->burned);
    }
    if (provenance && a->cfg->contract[0])
        cJSON_AddStringToObject(o, "contract", a->cfg->contract);
    if (provenance && a->cfg->chain_id)
        cJSON_AddNumberToObject(o, "chain_id", (double)a->cfg->chain_id);
    return o;
}

static enum MHD_Result get_token(struct req *r, struct MHD_Connection *c,
                                 const char *idstr, int provenance)
{
    uint8_t id[32];
    hc_mint m;
    hc_token t;
    if (!parse_id(idstr, id))
        return problem(r, c, 400, "bad-token-id", "Invalid token id",
                       "a token id is 64 hex digits (the content's SHA-256)");
    uint8_t mint_id[HC_MINT_ID_LEN], tkey[HC_TOKEN_KEY_LEN];
    hc_err err = mint_for_content(r->a, id, &m, mint_id);
    if (err == HC_ERR_NOT_FOUND)
        return problem(r, c, 404, "not-found", "Not found",
                       "no token or mint request for this content");
    if (err)
        return internal_error(r, c, "token lookup", err);
    hc_token_key(tkey, mint_id, id);
    int has_token = hc_ledger_token_get_key(r->a->l, tkey, &t) == HC_OK;
    return send_json(r, c, 200,
                     token_json(r->a, &m, has_token ? &t : NULL, provenance),
                     NULL, NULL);
}

static enum MHD_Result get_metadata(struct req *r, struct MHD_Connection *c,
                                    const char *idstr)
{
    uint8_t id[32];
    hc_buf b;
    if (!parse_id(idstr, id))
        return problem(r, c, 400, "bad-token-id", "Invalid token id",
                       "a token id is 64 hex digits (the content's SHA-256)");
    hc_buf_init(&b, 2 * HC_META_MAX + 4096, 0);
    hc_err err = hc_ledger_get(r->a->l, HC_LDB_METADATA, id, 32, &b);
    if (err) {
        hc_buf_free(&b);
        if (err == HC_ERR_NOT_FOUND)
            return problem(r, c, 404, "not-found", "Not found",
                           "no metadata for this token id");
        return internal_error(r, c, "metadata", err);
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_COPY);
    hc_buf_free(&b);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type",
                            "application/json; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control",
                            "public, max-age=31536000, immutable");
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    r->status = 200;
    enum MHD_Result ret = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result get_mint(struct req *r, struct MHD_Connection *c,
                                const char *idstr)
{
    enum MHD_Result ret;
    uint8_t id[16];
    hc_mint m;
    if (!require(r, c, 0, &ret))
        return ret;
    if (hc_hex_decode_fixed(id, 16, idstr, HC_HEX_PREFIX_FORBIDDEN))
        return problem(r, c, 400, "bad-mint-id", "Invalid mint id",
                       "a mint id is 32 hex digits");
    hc_err err = hc_ledger_mint_get(r->a->l, id, &m);
    /* a client sees its own mints; auditors and admins see all */
    if (!err && strcmp(m.client, r->client.name) != 0 &&
        !(r->client.roles & (HC_ROLE_AUDITOR | HC_ROLE_ADMIN)))
        err = HC_ERR_NOT_FOUND;
    if (err == HC_ERR_NOT_FOUND)
        return problem(r, c, 404, "not-found", "Not found", "no such mint");
    if (err)
        return internal_error(r, c, "mint lookup", err);
    return send_json(r, c, 200, mint_json(r->a, &m), NULL, NULL);
}

struct owner_page {
    hc_api *a;
    cJSON *arr;
    size_t n, limit;
    int more; /* a row past the page exists */
    /* the page's token keys (limit <= 100): mint id ‖ token id */
    uint8_t keys[100][HC_TOKEN_KEY_LEN];
};

static int owner_row(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
                     size_t vlen)
{
    struct owner_page *p = arg;
    (void)v;
    (void)vlen;
    if (klen != HC_OWNER_KEY_LEN)
        return 0;
    if (p->n == p->limit) {
        p->more = 1;
        return 1;
    }
    /* only collect keys here: looking tokens up would open a second read
     * transaction inside the scan's */
    memcpy(p->keys[p->n], k + 20, HC_TOKEN_KEY_LEN);
    p->n++;
    return 0;
}

static enum MHD_Result get_owner_tokens(struct req *r, struct MHD_Connection *c,
                                        const char *addr_s)
{
    enum MHD_Result ret;
    hc_address owner;
    if (!require(r, c, 0, &ret))
        return ret;
    if (hc_address_parse(&owner, addr_s))
        return problem(r, c, 400, "bad-address", "Invalid address",
                       "an address is 0x + 40 hex digits (EIP-55 checksum "
                       "checked when mixed case)");
    size_t limit = 50;
    const char *ls =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
    if (ls) {
        char *end;
        unsigned long v = strtoul(ls, &end, 10);
        if (*end || v < 1 || v > 100)
            return problem(r, c, 400, "bad-limit", "Invalid limit",
                           "limit is 1 to 100");
        limit = v;
    }
    /* the cursor is the last token id of the previous page; the owner's
     * rows are in mint order, so the page goes on after that token's mint
     * (found whoever owns the token now) */
    uint8_t after[HC_OWNER_KEY_LEN];
    size_t after_len = 0;
    const char *cur =
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "cursor");
    if (cur) {
        uint8_t id[32], mint_id[HC_MINT_ID_LEN];
        hc_err err = HC_ERR_ARG;
        if (parse_id(cur, id))
            err = mint_for_content(r->a, id, NULL, mint_id);
        if (err == HC_ERR_ARG || err == HC_ERR_NOT_FOUND)
            return problem(r, c, 400, "bad-cursor", "Invalid cursor",
                           "use next_cursor from the previous page");
        if (err)
            return internal_error(r, c, "owner cursor", err);
        hc_owner_key(after, &owner, mint_id, id);
        after_len = sizeof after;
    }
    struct owner_page p;
    memset(&p, 0, sizeof p);
    p.a = r->a;
    p.arr = cJSON_CreateArray();
    p.limit = limit;
    cJSON *o = cJSON_CreateObject();
    if (!p.arr || !o) {
        cJSON_Delete(p.arr);
        cJSON_Delete(o);
        return MHD_NO;
    }
    /* one more than the page to know whether there is a next one */
    hc_err err = hc_ledger_scan(r->a->l, HC_LDB_OWNERS, owner.b, 20,
                                after_len ? after : NULL, after_len, limit + 1,
                                owner_row, &p);
    if (err) {
        cJSON_Delete(p.arr);
        cJSON_Delete(o);
        return internal_error(r, c, "owner index", err);
    }
    for (size_t i = 0; i < p.n; i++) {
        hc_token t;
        cJSON *item = cJSON_CreateObject();
        if (!item)
            break;
        add_hex(item, "token_id", p.keys[i] + HC_MINT_ID_LEN, 32, 1);
        if (hc_ledger_token_get_key(r->a->l, p.keys[i], &t) == HC_OK) {
            add_addr(item, "creator", &t.creator);
            cJSON_AddNumberToObject(item, "block", (double)t.block);
        }
        cJSON_AddItemToArray(p.arr, item);
    }
    add_addr(o, "owner", &owner);
    cJSON_AddItemToObject(o, "tokens", p.arr);
    if (p.more)
        add_hex(o, "next_cursor", p.keys[p.n - 1] + HC_MINT_ID_LEN, 32, 0);
    else
        cJSON_AddNullToObject(o, "next_cursor");
    return send_json(r, c, 200, o, NULL, NULL);
}

static enum MHD_Result get_ready(struct req *r, struct MHD_Connection *c)
{
    hc_api *a = r->a;
    cJSON *o = cJSON_CreateObject(), *checks = cJSON_CreateObject();
    int ready = 1;
    uint64_t seq;
    uint8_t h[32];
    int ledger_ok = hc_ledger_head(a->l, &seq, h) == HC_OK;
    int writable = ledger_ok && ledger_writable(a);
    cJSON_AddStringToObject(checks, "ledger",
                            !ledger_ok ? "error"
                            : writable ? "ok"
                                       : "not writable");
    ledger_ok &= writable;
    ready &= ledger_ok;
    if (a->rpc) {
        /* The chain check is cached for READY_CACHE_MS and made by one
         * request at a time on its own short-timeout handle: readiness
         * probes must neither queue behind a slow node nor hold up the
         * pipeline's calls. */
        double t = mono_s();
        pthread_mutex_lock(&a->mu);
        int check = !a->ready_checking &&
                    (a->ready_at == 0 || t - a->ready_at > READY_CACHE_S);
        if (check)
            a->ready_checking = 1;
        pthread_mutex_unlock(&a->mu);
        if (check) {
            uint64_t chain = 0;
            hc_rpc_status st;
            hc_err err = a->ready_rpc
                             ? hc_rpc_chain_id(a->ready_rpc, &chain, &st)
                             : HC_ERR_RPC_UNREACHABLE;
            const char *state = "ok";
            if (err)
                state = "unreachable";
            else if (a->cfg->chain_id && chain != a->cfg->chain_id)
                state = "wrong chain id";
            if (a->ready_rpc)
                hc_metrics_observe(a->m, "haechi_rpc_seconds",
                                   "method=\"eth_chainId\"",
                                   st.elapsed_ms / 1000.0);
            /* the signer must be able to pay for gas */
            const char *sstate = "not configured";
            pthread_mutex_lock(&a->mu);
            int has_signer = a->has_signer;
            hc_address signer = a->signer;
            pthread_mutex_unlock(&a->mu);
            if (has_signer && !err) {
                hc_u256 bal;
                if (hc_rpc_get_balance(a->ready_rpc, &signer, "latest", &bal,
                                       &st))
                    sstate = "unknown";
                else
                    sstate = hc_u256_is_zero(&bal) ? "unfunded" : "funded";
            } else if (has_signer) {
                sstate = "unknown";
            }
            pthread_mutex_lock(&a->mu);
            snprintf(a->ready_signer, sizeof a->ready_signer, "%s", sstate);
            snprintf(a->ready_chain, sizeof a->ready_chain, "%s", state);
            a->ready_at = t;
            a->ready_checking = 0;
            pthread_mutex_unlock(&a->mu);
        }
        char state[32];
        pthread_mutex_lock(&a->mu);
        snprintf(state, sizeof state, "%s",
                 a->ready_at ? a->ready_chain : "checking");
        pthread_mutex_unlock(&a->mu);
        cJSON_AddStringToObject(checks, "chain", state);
        ready &= !strcmp(state, "ok");
    } else {
        cJSON_AddStringToObject(checks, "chain", "not configured");
        ready = 0;
    }
    /* the pipeline's signer: "funded", "unfunded" (not ready: nothing can
     * be minted), "unknown" (the balance could not be read) or "not
     * configured" (no pipeline: mints are only queued) */
    char sstate[32];
    pthread_mutex_lock(&a->mu);
    snprintf(sstate, sizeof sstate, "%s",
             !a->has_signer ? "not configured"
             : a->ready_at  ? a->ready_signer
                            : "checking");
    pthread_mutex_unlock(&a->mu);
    cJSON_AddStringToObject(checks, "signer", sstate);
    if (!strcmp(sstate, "unfunded"))
        ready = 0;
    cJSON_AddStringToObject(o, "status", ready ? "ready" : "not ready");
    cJSON_AddItemToObject(o, "checks", checks);
    return send_json(r, c, ready ? 200 : 503, o, NULL, NULL);
}

static enum MHD_Result get_metrics(struct req *r, struct MHD_Connection *c)
{
    enum MHD_Result ret;
    hc_buf b;
    if (!require(r, c, HC_ROLE_ADMIN | HC_ROLE_AUDITOR, &ret))
        return ret;
    refresh_queued(r->a);
    pthread_mutex_lock(&r->a->mu);
    double q = (double)r->a->queued;
    pthread_mutex_unlock(&r->a->mu);
    hc_metrics_set(r->a->m, "haechi_queue_depth", NULL, q);
    hc_buf_init(&b, 16 << 20, 0);
    hc_err err = hc_metrics_render(r->a->m, &b);
    if (err) {
        hc_buf_free(&b);
        return internal_error(r, c, "metrics", err);
    }
    ret = send_bytes(r, c, 200, "text/plain; version=0.0.4; charset=utf-8",
                     b.data ? (const char *)b.data : "", b.len, NULL, NULL);
    hc_buf_free(&b);
    return ret;
}

/* ---- clients (admin) */

/* POST /v1/clients/{name}/key | disable | enable: a new API key for the
 * client (in the answer, once; the old one is refused from then on), or
 * the client's key refused until it is enabled again. Read and written in
 * one commit, journaled (client_changed), logged with the admin's name. */
static enum MHD_Result post_client(struct req *r, struct MHD_Connection *c,
                                   const char *name, const char *what)
{
    enum MHD_Result ret;
    if (!require(r, c, HC_ROLE_ADMIN, &ret))
        return ret;
    /* answered before the body is read: no change is made on a request
     * that may yet fail (its answer, holding a new key, would be lost) */
    if (r->has_body)
        return problem(r, c, 413, "content-too-large", "Content too large",
                       "this route takes no request body; nothing was "
                       "changed");
    int rotate = !strcmp(what, "key");
    char key[HC_APIKEY_LEN + 1] = "";
    uint8_t key_id[HC_KEY_ID_LEN], key_hash[32];
    hc_client_change ch = {NULL, NULL, strcmp(what, "enable") ? 1 : 0};
    hc_client cl;
    hc_err err = HC_OK;
    memset(&cl, 0, sizeof cl);
    if (rotate) {
        ch = (hc_client_change){key_id, key_hash, -1};
        err = hc_apikey_new(key, key_id, key_hash);
    }
    if (!err)
        err = hc_ledger_client_change(r->a->l, name, &ch, &cl);
    hc_memzero(key_hash, sizeof key_hash);
    hc_memzero(cl.key_hash, sizeof cl.key_hash);
    if (err) {
        hc_memzero(key, sizeof key);
        if (err == HC_ERR_NOT_FOUND || err == HC_ERR_ARG)
            return problem(r, c, 404, "not-found", "Not found",
                           "no client of that name");
        return internal_error(r, c, "client change", err);
    }
    hc_logline l;
    hc_log_begin(&l, HC_LOG_INFO,
                 rotate        ? "client_key_rotated"
                 : cl.disabled ? "client_disabled"
                               : "client_enabled");
    hc_log_str(&l, "client", cl.name);
    hc_log_str(&l, "by", r->client.name);
    hc_log_end(&l);
    char roles[64];
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        hc_memzero(key, sizeof key);
        return MHD_NO;
    }
    cJSON_AddStringToObject(o, "client", cl.name);
    cJSON_AddStringToObject(o, "roles",
                            hc_roles_str(roles, sizeof roles, cl.roles));
    cJSON_AddBoolToObject(o, "disabled", cl.disabled);
    if (!rotate)
        return send_json(r, c, 200, o, NULL, NULL);
    cJSON_AddStringToObject(o, "api_key", key);
    hc_memzero(key, sizeof key);
    return send_secret_json(r, c, 200, o, "api_key");
}

/* ---- dispatch */

/* Answers a request to any route but POST /v1/mints. */
static enum MHD_Result respond(struct req *r, struct MHD_Connection *c,
                               const char *url)
{
    char seg[128];
    if (!strcmp(r->route, "(method not allowed)")) {
        char allow[32] = "";
        size_t used = 0;
        for (size_t i = 0; hc_api_routes[i]; i += 2)
            if (match(hc_api_routes[i + 1], url) && used < 24)
                used +=
                    (size_t)snprintf(allow + used, sizeof allow - used, "%s%s",
                                     used ? ", " : "", hc_api_routes[i]);
        return problem_ex(r, c, 405, "method-not-allowed", "Method not allowed",
                          NULL, NULL, "Allow", allow);
    }
    if (!strcmp(r->route, "/healthz"))
        return send_json(r, c, 200, cJSON_Parse("{\"status\":\"ok\"}"), NULL,
                         NULL);
    if (!strcmp(r->route, "/readyz"))
        return get_ready(r, c);
    if (!strcmp(r->route, "/metrics"))
        return get_metrics(r, c);
    if (!strcmp(r->route, "/v1/mints/{id}") && segment(url, 2, seg, sizeof seg))
        return get_mint(r, c, seg);
    if (!strcmp(r->route, "/v1/tokens/{id}") &&
        segment(url, 2, seg, sizeof seg))
        return get_token(r, c, seg, 0);
    if ((!strcmp(r->route, "/v1/tokens/{id}/metadata") &&
         segment(url, 2, seg, sizeof seg)) ||
        (!strcmp(r->route, "/v1/metadata/{id}") &&
         segment(url, 2, seg, sizeof seg)))
        return get_metadata(r, c, seg);
    if (!strcmp(r->route, "/v1/provenance/{sha256}") &&
        segment(url, 2, seg, sizeof seg))
        return get_token(r, c, seg, 1);
    if (!strcmp(r->route, "/v1/owners/{address}/tokens") &&
        segment(url, 2, seg, sizeof seg))
        return get_owner_tokens(r, c, seg);
    if (!strncmp(r->route, "/v1/clients/{name}/", 19) &&
        segment(url, 2, seg, sizeof seg))
        return post_client(r, c, seg, r->route + 19);
    return problem(r, c, 404, "not-found", "Not found", "no such route");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls)
{
    hc_api *a = cls;
    struct req *r = *con_cls;
    (void)version;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->a = a;
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
        *con_cls = r;
        pthread_mutex_lock(&a->mu);
        a->in_flight++;
        r->counted = 1;
        pthread_mutex_unlock(&a->mu);
        int allowed = 0;
        r->route = hc_api_route(method, url, &allowed);
        if (!r->route)
            r->route = allowed ? "(method not allowed)" : "(not found)";
        const char *cl = header(c, "Content-Length");
        int body = (cl && strcmp(cl, "0") != 0) ||
                   header(c, "Transfer-Encoding") != NULL;
        r->has_body = body;
        if (!strcmp(r->route, "/v1/mints")) {
            enum MHD_Result ret = start_mint(r, c);
            r->linger = body && r->status; /* answered already */
            return ret;
        }
        /* Answered on the next call, when MHD knows the request is complete:
         * a response queued on this first call makes MHD close the
         * connection (no keep-alive). A request with a body that no route
         * here takes is answered now, and closed, rather than read. */
        if (body) {
            r->linger = 1;
            return respond(r, c, url);
        }
        r->deferred = 1;
        return MHD_YES;
    }
    if (r->deferred && *upload_data_size == 0) {
        r->deferred = 0;
        return respond(r, c, url);
    }
    if (!r->upload) {
        /* a body on a route that takes none (or after an early answer) */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        /* every body byte counts, preamble and epilogue included: a
         * chunked body has no Content-Length to refuse up front */
        r->body_bytes += n;
        if (!r->err_status &&
            r->body_bytes > r->a->cfg->max_upload + HC_META_MAX + 65536)
            upload_fail(r, 413, "content-too-large", "Content too large",
                        "the request body is larger than this service "
                        "accepts",
                        NULL);
        if (!r->err_status) {
            hc_err err = hc_mp_feed(r->mp, (const uint8_t *)upload_data, n);
            if (err && !r->err_status)
                upload_fail(r, err == HC_ERR_MULTIPART ? 400 : 500,
                            err == HC_ERR_MULTIPART ? "bad-multipart"
                                                    : "internal",
                            err == HC_ERR_MULTIPART ? "Malformed request body"
                                                    : "Internal error",
                            hc_mp_error(r->mp), NULL);
        } else {
            /* answering with an error at the end: discard, within bounds
             * (MHD cannot answer in the middle of an upload) */
            r->discarded += n;
            if (r->discarded > DISCARD_MAX)
                return MHD_NO; /* close the connection */
        }
        return MHD_YES;
    }
    r->upload = 0;
    return finish_mint(r, c);
}

/* An answer sent before the request's body was read (401, 413, 503 …) is
 * followed by MHD closing the connection while the body still arrives; the
 * kernel then resets it, which can destroy the answer before a client that
 * sends without "Expect: 100-continue" reads it. So, as web servers do,
 * read and discard what the client still sends until it closes, for a
 * short while (2 s, 64 MiB at most). */
static void linger(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    char buf[16384];
    uint64_t total = 0;
    struct timespec t0;
    if (!ci)
        return;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (total < (64u << 20)) {
        struct pollfd p = {ci->connect_fd, POLLIN, 0};
        int left_ms = 2000 - (int)(secs_since(&t0) * 1000);
        if (left_ms <= 0 || poll(&p, 1, left_ms) <= 0)
            break;
        ssize_t n = recv(ci->connect_fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0)
            break; /* the client closed (or failed) */
        total += (uint64_t)n;
    }
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    hc_api *a = cls;
    struct req *r = *con_cls;
    if (!r)
        return;
    char labels[160];
    snprintf(labels, sizeof labels, "route=\"%s\",status=\"%u\"",
             r->route ? r->route : "(none)", r->status);
    hc_metrics_add(a->m, "haechi_http_requests_total", labels, 1);
    snprintf(labels, sizeof labels, "route=\"%s\"",
             r->route ? r->route : "(none)");
    hc_metrics_observe(a->m, "haechi_http_request_seconds", labels,
                       secs_since(&r->t0));
    if (r->linger && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        linger(c);
    if (r->mp)
        hc_mp_free(r->mp);
    hc_sha256_bg_free(r->bg);
    if (r->upload || r->sha.md)
        hc_sha256_free(&r->sha);
    hc_buf_free(&r->meta);
    if (r->counted) {
        pthread_mutex_lock(&a->mu);
        if (--a->in_flight == 0)
            pthread_cond_broadcast(&a->idle);
        pthread_mutex_unlock(&a->mu);
    }
    free(r);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[256];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = 0;
    hc_log_msg(HC_LOG_WARN, "http_server", msg);
}

static hc_err declare_metrics(hc_metrics *m)
{
    static const double commit_buckets[] = {
        0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1};
    hc_err err = HC_OK, e;
#define DECL(...)                                                              \
    do {                                                                       \
        e = hc_metrics_declare(m, __VA_ARGS__);                                \
        if (e && e != HC_ERR_EXISTS && !err)                                   \
            err = e;                                                           \
    } while (0)
    DECL("haechi_http_requests_total", HC_METRIC_COUNTER,
         "HTTP requests by route and status", NULL, 0);
    DECL("haechi_http_request_seconds", HC_METRIC_HISTOGRAM,
         "HTTP request latency by route", NULL, 0);
    DECL("haechi_queue_depth", HC_METRIC_GAUGE,
         "mint requests accepted and not yet submitted", NULL, 0);
    DECL("haechi_bytes_hashed_total", HC_METRIC_COUNTER,
         "content bytes hashed from uploads", NULL, 0);
    DECL("haechi_ledger_commit_seconds", HC_METRIC_HISTOGRAM,
         "time from submitting a mint to the ledger until its group commit "
         "returned",
         commit_buckets, sizeof commit_buckets / sizeof *commit_buckets);
    DECL("haechi_rpc_seconds", HC_METRIC_HISTOGRAM,
         "JSON-RPC call latency by method", NULL, 0);
#undef DECL
    return err;
}

/* Counts rows of HC_LDB_ACTIVE scanned with the prefix {HC_MINT_QUEUED}. */
static int count_queued(void *arg, const uint8_t *k, size_t klen,
                        const uint8_t *v, size_t vlen)
{
    uint64_t *n = arg;
    (void)k;
    (void)klen;
    (void)v;
    (void)vlen;
    (*n)++;
    return 0;
}

hc_err hc_api_start(hc_api **out, const hc_api_deps *deps)
{
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;
    struct sockaddr *sa;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG;
    *out = NULL;
    if (sodium_init() < 0)
        return HC_ERR_CRYPTO;
    memset(&sin, 0, sizeof sin);
    memset(&sin6, 0, sizeof sin6);
    if (inet_pton(AF_INET, deps->cfg->listen_host, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;
        sin.sin_port = htons(deps->cfg->listen_port);
        sa = (struct sockaddr *)&sin;
    } else if (inet_pton(AF_INET6, deps->cfg->listen_host, &sin6.sin6_addr) ==
               1) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons(deps->cfg->listen_port);
        sa = (struct sockaddr *)&sin6;
        flags |= MHD_USE_IPv6;
    } else {
        return HC_ERR_ARG;
    }
    hc_api *a = calloc(1, sizeof *a);
    if (!a)
        return HC_ERR_NOMEM;
    a->cfg = deps->cfg;
    a->l = deps->ledger;
    a->m = deps->metrics;
    a->rpc = deps->rpc;
    pthread_mutex_init(&a->mu, NULL);
    hc_cond_init_monotonic(&a->idle); /* timed waits: hc_deadline_ms */
    hc_err err = declare_metrics(a->m);
    if (!err && deps->cfg->rpc_url[0]) {
        hc_rpc_opts ro = {0};
        ro.timeout_ms = 2000;
        ro.connect_timeout_ms = 1000;
        ro.max_response = 1 << 16;
        err = hc_rpc_open(&a->ready_rpc, deps->cfg->rpc_url, &ro);
    }
    if (!err) {
        uint8_t queued = HC_MINT_QUEUED;
        err = hc_ledger_scan(a->l, HC_LDB_ACTIVE, &queued, 1, NULL, 0, 0,
                             count_queued, &a->queued);
    }
    if (err) {
        hc_api_stop(a, 0);
        return err;
    }
    /* the logger first: MHD logs options it parses before it otherwise */
    a->d = MHD_start_daemon(
        flags, deps->cfg->listen_port, NULL, NULL, handler, a,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)deps->cfg->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)deps->cfg->connection_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
        MHD_OPTION_NOTIFY_COMPLETED, completed, a, MHD_OPTION_END);
    if (!a->d) {
        hc_api_stop(a, 0);
        return HC_ERR_IO;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(a->d, MHD_DAEMON_INFO_BIND_PORT);
    a->port = info ? info->port : deps->cfg->listen_port;
    *out = a;
    return HC_OK;
}

void hc_api_set_signer(hc_api *a, const hc_address *signer)
{
    pthread_mutex_lock(&a->mu);
    a->has_signer = signer != NULL;
    if (signer)
        a->signer = *signer;
    a->ready_at = 0; /* check again */
    pthread_mutex_unlock(&a->mu);
}

void hc_api_set_chain_head(hc_api *a, uint64_t (*head)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&a->mu);
    a->head = head;
    a->head_ctx = ctx;
    pthread_mutex_unlock(&a->mu);
}

uint16_t hc_api_port(const hc_api *a)
{
    return a->port;
}

void hc_api_stop(hc_api *a, long grace_ms)
{
    if (!a)
        return;
    if (a->d) {
        MHD_socket fd = MHD_quiesce_daemon(a->d); /* no new connections */
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
        struct timespec until = hc_deadline_ms(grace_ms > 0 ? grace_ms : 0);
        pthread_mutex_lock(&a->mu);
        while (a->in_flight &&
               pthread_cond_timedwait(&a->idle, &a->mu, &until) == 0)
            ;
        pthread_mutex_unlock(&a->mu);
        MHD_stop_daemon(a->d);
    }
    for (int i = 0; i < 256; i++)
        for (struct bucket *b = a->buckets[i], *n; b; b = n) {
            n = b->next;
            free(b);
        }
    hc_rpc_close(a->ready_rpc);
    pthread_cond_destroy(&a->idle);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

/* The JSON-RPC client. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "haechi/hex.h"
#include "haechi/rpc.h"

struct hc_rpc {
    CURL *curl;
    struct curl_slist *headers;
    char *url;
    hc_rpc_opts opts;
    pthread_mutex_t mu;
    uint64_t next_id;
    hc_buf resp;
    int too_large;
    int no_batch; /* the node refused a batch: one call each */
};

static const char *const class_names[HC_RPC_CLASS_END] = {
    [HC_RPC_OK] = "ok",
    [HC_RPC_UNREACHABLE] = "unreachable",
    [HC_RPC_TIMEOUT] = "timeout",
    [HC_RPC_HTTP] = "http_error",
    [HC_RPC_MALFORMED] = "malformed_response",
    [HC_RPC_ERROR] = "rpc_error",
    [HC_RPC_NONCE_TOO_LOW] = "nonce_too_low",
    [HC_RPC_NONCE_TOO_HIGH] = "nonce_too_high",
    [HC_RPC_REPLACEMENT_UNDERPRICED] = "replacement_underpriced",
    [HC_RPC_ALREADY_KNOWN] = "already_known",
    [HC_RPC_INSUFFICIENT_FUNDS] = "insufficient_funds",
    [HC_RPC_FEE_TOO_LOW] = "fee_too_low",
    [HC_RPC_GAS_LIMIT] = "gas_limit",
    [HC_RPC_REVERTED] = "reverted",
    [HC_RPC_METHOD_NOT_FOUND] = "method_not_found",
    [HC_RPC_RATE_LIMITED] = "rate_limited",
};

const char *hc_rpc_class_name(hc_rpc_class c)
{
    return (unsigned)c < HC_RPC_CLASS_END ? class_names[c] : "unknown";
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    hc_rpc *c = arg;
    size_t len = size * n;
    if (hc_buf_append(&c->resp, p, len) != HC_OK) {
        c->too_large = 1;
        return 0; /* aborts the transfer */
    }
    return len;
}

hc_err hc_rpc_open(hc_rpc **out, const char *url, const hc_rpc_opts *opts)
{
    if (!out || !url)
        return HC_ERR_ARG;
    *out = NULL;
    if (strncasecmp(url, "http://", 7) != 0 &&
        strncasecmp(url, "https://", 8) != 0)
        return HC_ERR_ARG;
    pthread_once(&curl_once, curl_init_once);
    hc_rpc *c = calloc(1, sizeof *c);
    if (!c)
        return HC_ERR_NOMEM;
    if (opts)
        c->opts = *opts;
    if (!c->opts.timeout_ms)
        c->opts.timeout_ms = 10000;
    if (!c->opts.connect_timeout_ms)
        c->opts.connect_timeout_ms = 3000;
    if (!c->opts.max_response)
        c->opts.max_response = (size_t)32 << 20;
    hc_buf_init(&c->resp, c->opts.max_response, 0);
    pthread_mutex_init(&c->mu, NULL);
    c->next_id = 1;
    c->url = strdup(url);
    c->curl = curl_easy_init();
    c->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (c->headers)
        c->headers = curl_slist_append(c->headers, "Accept: application/json");
    if (!c->url || !c->curl || !c->headers) {
        hc_rpc_close(c);
        return HC_ERR_NOMEM;
    }
    CURL *h = c->curl;
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->opts.timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->opts.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "haechi/0.1");
    *out = c;
    return HC_OK;
}

void hc_rpc_close(hc_rpc *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    curl_slist_free_all(c->headers);
    free(c->url);
    hc_buf_free(&c->resp);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Case-insensitive: does needle start a word of hay? ("known transaction"
 * is in "Known transaction", not in "Unknown transaction type") */
static int contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if ((p == hay || !isalnum((unsigned char)p[-1])) &&
            strncasecmp(p, needle, n) == 0)
            return 1;
    return 0;
}

/* The messages are those of geth (core/error.go, core/txpool/errors.go),
 * anvil (crates/anvil/src/eth/error.rs), besu (RpcErrorType.java), erigon
 * ("<ImportResult>: <DiscardReason>", txpoolcfg) and nethermind (geth's
 * phrases since 1.31, AcceptTxResult names such as "OldNonce" before). */
hc_rpc_class hc_rpc_classify(int64_t code, const char *m)
{
    if (!m)
        m = "";
    /* A revert first: its message goes on with the contract's own reason,
     * which may say anything ("execution reverted: insufficient funds"). */
    if (code == 3)
        return HC_RPC_REVERTED;
    if (code == -32601 || contains(m, "method not found") ||
        contains(m, "does not exist/is not available"))
        return HC_RPC_METHOD_NOT_FOUND;
    if (contains(m, "execution reverted"))
        return HC_RPC_REVERTED;
    if (contains(m, "nonce too low") || contains(m, "nonce is too low") ||
        contains(m, "oldnonce") || contains(m, "nonce has already been used"))
        return HC_RPC_NONCE_TOO_LOW;
    if (contains(m, "nonce too high") || contains(m, "nonce is too high") ||
        contains(m, "noncegap") || contains(m, "nonce too far") ||
        contains(m, "nonce is too distant"))
        return HC_RPC_NONCE_TOO_HIGH;
    if (contains(m, "replacement transaction underpriced") ||
        contains(m, "replacement fee too low") ||
        contains(m, "replacement underpriced") ||
        contains(m, "replacementnotallowed") ||
        contains(m, "could not replace existing"))
        return HC_RPC_REPLACEMENT_UNDERPRICED;
    if (contains(m, "already known") || contains(m, "alreadyknown") ||
        contains(m, "known transaction") || contains(m, "already imported") ||
        contains(m, "already exists") || contains(m, "with same hash"))
        return HC_RPC_ALREADY_KNOWN;
    if (contains(m, "insufficient funds") || contains(m, "insufficientfunds") ||
        contains(m, "insufficient balance") ||
        contains(m, "upfront cost exceeds"))
        return HC_RPC_INSUFFICIENT_FUNDS;
    if (contains(m, "less than block base fee") ||
        contains(m, "underpriced") || /* "transaction underpriced" */
        contains(m, "fee cap less than") ||
        contains(m, "max fee per gas less") ||
        contains(m, "gas price too low") || contains(m, "gas price below") ||
        contains(m, "feetoolow") || contains(m, "fee too low") ||
        contains(m, "fee_too_low"))
        return HC_RPC_FEE_TOO_LOW;
    if (contains(m, "intrinsic gas") || contains(m, "intrinsicgas") ||
        contains(m, "block gas limit") || contains(m, "gaslimitexceeded") ||
        contains(m, "gas limit reached") ||
        contains(m, "gas required exceeds allowance") ||
        contains(m, "out of gas"))
        return HC_RPC_GAS_LIMIT;
    if (contains(m, "revert"))
        return HC_RPC_REVERTED;
    if (code == -32005 || contains(m, "rate limit") ||
        contains(m, "too many requests"))
        return HC_RPC_RATE_LIMITED;
    return HC_RPC_ERROR;
}

static hc_err set_status(hc_rpc_status *st, hc_rpc_class cls, hc_err err,
                         const char *msg)
{
    if (st) {
        st->cls = cls;
        if (msg)
            snprintf(st->message, sizeof st->message, "%s", msg);
    }
    return err;
}

/* Fills st from a JSON-RPC error object. */
static hc_err rpc_error(const cJSON *e, hc_rpc_status *st)
{
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(e, "data");
    if (!cJSON_IsNumber(code) || !cJSON_IsString(msg))
        return set_status(st, HC_RPC_MALFORMED, HC_ERR_RPC_MALFORMED,
                          "error object without code and message");
    int64_t c = code->valuedouble >= -9e15 && code->valuedouble <= 9e15
                    ? (int64_t)code->valuedouble
                    : 0;
    hc_rpc_class cls = hc_rpc_classify(c, msg->valuestring);
    if (st) {
        st->code = c;
        st->revert_len = 0;
        /* revert data: "data": "0x…" or "data": {"data": "0x…"} */
        if (cJSON_IsObject(data))
            data = cJSON_GetObjectItemCaseSensitive(data, "data");
        if (cJSON_IsString(data)) {
            size_t n;
            const char *s = data->valuestring;
            if (hc_hex_decode(st->revert, sizeof st->revert, &n, s, strlen(s),
                              HC_HEX_PREFIX_REQUIRED) == HC_OK) {
                st->revert_len = n;
                if (cls == HC_RPC_ERROR && n > 0)
                    cls = HC_RPC_REVERTED;
            }
        }
    }
    return set_status(st, cls, HC_ERR_RPC, msg->valuestring);
}

/* Parses one JSON value that fills the buffer: only whitespace may follow. */
static cJSON *parse_all(const char *p, size_t n)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(p, n, &end, 0);
    if (!j)
        return NULL;
    for (size_t i = (size_t)(end - p); i < n; i++) {
        char ch = p[i];
        if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') {
            cJSON_Delete(j);
            return NULL;
        }
    }
    return j;
}

/* Drops the handle's connection: a copy of the handle has the same options
 * and no connection. Done after an answer that was complete for HTTP but no
 * JSON-RPC answer to this request (cut JSON, wrong id): stray bytes may
 * follow on that connection, and libcurl would read them as the next
 * answer. (On failure the old handle stays.) */
static void drop_connection(hc_rpc *c)
{
    CURL *fresh = curl_easy_duphandle(c->curl);
    if (fresh) {
        curl_easy_cleanup(c->curl);
        c->curl = fresh;
    }
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
           (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* POSTs body (c->mu held) and parses the answer into *root (NULL on error).
 * HTTP errors, transport errors and a JSON-RPC error object sent with an
 * HTTP error status are reported here. *complete: an HTTP answer came
 * whole (stray bytes may follow a wrong one: see drop_connection). */
static hc_err post(hc_rpc *c, const char *body, cJSON **root, int *complete,
                   hc_rpc_status *st)
{
    *root = NULL;
    hc_buf_reset(&c->resp);
    c->too_large = 0;
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    CURLcode cc = curl_easy_perform(c->curl);
    long status = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    st->http_status = status;
    *complete = cc == CURLE_OK;

    if (cc != CURLE_OK) {
        if (c->too_large)
            return set_status(st, HC_RPC_MALFORMED, HC_ERR_RPC_MALFORMED,
                              "response too large");
        if (cc == CURLE_OPERATION_TIMEDOUT)
            return set_status(st, HC_RPC_TIMEOUT, HC_ERR_RPC_TIMEOUT,
                              curl_easy_strerror(cc));
        if (status != 0 || cc == CURLE_UNSUPPORTED_PROTOCOL ||
            cc == CURLE_WEIRD_SERVER_REPLY)
            /* the node answered, but its answer broke off (a status line
             * came) or was not HTTP (hc_rpc_open lets only http and https
             * URLs through) */
            return set_status(st, HC_RPC_MALFORMED, HC_ERR_RPC_MALFORMED,
                              curl_easy_strerror(cc));
        return set_status(st, HC_RPC_UNREACHABLE, HC_ERR_RPC_UNREACHABLE,
                          curl_easy_strerror(cc));
    }
    cJSON *r = parse_all((const char *)c->resp.data, c->resp.len);
    if (status < 200 || status > 299) {
        /* some nodes send JSON-RPC errors with an HTTP error status */
        const cJSON *e = cJSON_IsObject(r)
                             ? cJSON_GetObjectItemCaseSensitive(r, "error")
                             : NULL;
        hc_err err;
        if (cJSON_IsObject(e)) {
            err = rpc_error(e, st);
            if (status == 429) /* whatever its message says */
                st->cls = HC_RPC_RATE_LIMITED;
        } else {
            char m[64];
            snprintf(m, sizeof m, "HTTP status %ld", status);
            err = set_status(st,
                             status == 429 ? HC_RPC_RATE_LIMITED : HC_RPC_HTTP,
                             HC_ERR_RPC_HTTP, m);
        }
        cJSON_Delete(r);
        return err;
    }
    if (!r)
        return set_status(st, HC_RPC_MALFORMED, HC_ERR_RPC_MALFORMED,
                          "response is not JSON");
    *root = r;
    return HC_OK;
}

/* post() of doc, printed compactly; doc is consumed (NULL: out of
 * memory). */
static hc_err post_json(hc_rpc *c, cJSON *doc, cJSON **root, int *complete,
                        hc_rpc_status *st)
{
    char *body = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    *root = NULL;
    *complete = 0;
    if (!body)
        return HC_ERR_NOMEM;
    hc_err err = post(c, body, root, complete, st);
    free(body);
    return err;
}

/* Checks one JSON-RPC 2.0 answer object for request id; on HC_OK its
 * "result" is detached into *result. */
static hc_err envelope(cJSON *o, uint64_t id, cJSON **result, hc_rpc_status *st)
{
    if (!cJSON_IsObject(o))
        return set_status(st, HC_RPC_MALFORMED, HC_ERR_RPC_MALFORMED,
                          "response is not a JSON object");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(o, "jsonrpc");
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(o, "id");
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(o, "result");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
    if (!cJSON_IsString(ver) || strcmp(ver->valuestring, "2.0") != 0 ||
        !cJSON_IsNumber(rid) || rid->valuedouble != (double)id)
        return set_status(st, HC_RPC_MALFORMED, HC_ERR_RPC_MALFORMED,
                          "not a JSON-RPC 2.0 answer to this request");
    if (e && !cJSON_IsNull(e) && res)
        return set_status(st, HC_RPC_MALFORMED, HC_ERR_RPC_MALFORMED,
                          "both result and error");
    if (e && !cJSON_IsNull(e))
        return cJSON_IsObject(e)
                   ? rpc_error(e, st)
                   : set_status(st, HC_RPC_MALFORMED, HC_ERR_RPC_MALFORMED,
                                "error member is not an object");
    if (!res)
        return set_status(st, HC_RPC_MALFORMED, HC_ERR_RPC_MALFORMED,
                          "neither result nor error");
    *result = cJSON_DetachItemFromObjectCaseSensitive(o, "result");
    return HC_OK;
}

/* {"jsonrpc":"2.0","id":id,"method":method,"params":params} (params
 * copied; NULL = []). */
static cJSON *request_object(uint64_t id, const char *method,
                             const cJSON *params)
{
    cJSON *req = cJSON_CreateObject();
    cJSON *p = params ? cJSON_Duplicate(params, 1) : cJSON_CreateArray();
    if (req && p && cJSON_AddStringToObject(req, "jsonrpc", "2.0") &&
        cJSON_AddNumberToObject(req, "id", (double)id) &&
        cJSON_AddStringToObject(req, "method", method) &&
        cJSON_AddItemToObject(req, "params", p))
        return req;
    cJSON_Delete(p);
    cJSON_Delete(req);
    return NULL;
}

hc_err hc_rpc_request(hc_rpc *c, const char *method, const cJSON *params,
                      cJSON **result, hc_rpc_status *st)
{
    hc_rpc_status dummy;
    struct timespec t0;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    if (!c || !method || !result)
        return HC_ERR_ARG;
    *result = NULL;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    pthread_mutex_lock(&c->mu);
    uint64_t id = c->next_id++;
    cJSON *root;
    int complete;
    hc_err err =
        post_json(c, request_object(id, method, params), &root, &complete, st);
    if (!err)
        err = envelope(root, id, result, st);
    if (complete && st->cls == HC_RPC_MALFORMED)
        drop_connection(c);
    cJSON_Delete(root);
    pthread_mutex_unlock(&c->mu);
    st->elapsed_ms = ms_since(&t0);
    return err;
}

/* Did the node refuse the batch as such (rather than fail it)? */
static int batch_refused(hc_err err, const hc_rpc_status *st)
{
    if (err == HC_ERR_RPC)
        return st->code == -32600 || st->code == -32601 || st->code == -32700 ||
               st->cls == HC_RPC_METHOD_NOT_FOUND;
    if (err == HC_ERR_RPC_HTTP)
        return st->http_status == 400 || st->http_status == 404 ||
               st->http_status == 405 || st->http_status == 413 ||
               st->http_status == 415;
    return 0;
}

hc_err hc_rpc_batch(hc_rpc *c, hc_rpc_batch_item *items, size_t n,
                    hc_rpc_status *st)
{
    hc_rpc_status dummy;
    struct timespec t0;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    if (!c || (!items && n) || n > HC_RPC_BATCH_MAX)
        return HC_ERR_ARG;
    for (size_t i = 0; i < n; i++) {
        items[i].result = NULL;
        items[i].err = HC_ERR_RPC_MALFORMED;
        items[i].cls = HC_RPC_MALFORMED;
        if (!items[i].method)
            return HC_ERR_ARG;
    }
    if (!n)
        return HC_OK;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    pthread_mutex_lock(&c->mu);
    if (c->no_batch) {
        pthread_mutex_unlock(&c->mu);
        /* one call each; a transport failure ends it */
        for (size_t i = 0; i < n; i++) {
            hc_rpc_status one;
            hc_err err = hc_rpc_request(c, items[i].method, items[i].params,
                                        &items[i].result, &one);
            if (err && err != HC_ERR_RPC) {
                *st = one;
                for (; i < n; i++) {
                    items[i].err = err;
                    items[i].cls = one.cls;
                }
                st->elapsed_ms = ms_since(&t0);
                return err;
            }
            items[i].err = err;
            items[i].cls = one.cls;
        }
        st->elapsed_ms = ms_since(&t0);
        return HC_OK;
    }
    uint64_t id0 = c->next_id;
    c->next_id += n;
    cJSON *arr = cJSON_CreateArray();
    size_t i = 0;
    for (; arr && i < n; i++) {
        cJSON *req = request_object(id0 + i, items[i].method, items[i].params);
        if (!req || !cJSON_AddItemToArray(arr, req)) {
            cJSON_Delete(req);
            break;
        }
    }
    if (arr && i < n) {
        cJSON_Delete(arr);
        arr = NULL;
    }
    cJSON *root;
    int complete;
    hc_err err = post_json(c, arr, &root, &complete, st);
    if (!err && cJSON_IsObject(root)) {
        /* one object for the whole batch: an error, else not an answer */
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
        err = cJSON_IsObject(e)
                  ? rpc_error(e, st)
                  : set_status(st, HC_RPC_MALFORMED, HC_ERR_RPC_MALFORMED,
                               "a batch answered by one object");
    } else if (!err && !cJSON_IsArray(root)) {
        err = set_status(st, HC_RPC_MALFORMED, HC_ERR_RPC_MALFORMED,
                         "a batch answered by neither array nor object");
    }
    if (batch_refused(err, st)) {
        /* from now on one call each, this time too */
        c->no_batch = 1;
        cJSON_Delete(root);
        pthread_mutex_unlock(&c->mu);
        return hc_rpc_batch(c, items, n, st);
    }
    if (!err) {
        /* the answers may come in any order; each id once */
        unsigned char *got = calloc(n, 1);
        const cJSON *o;
        size_t seen = 0;
        if (!got)
            err = HC_ERR_NOMEM;
        cJSON *answers = got ? root : NULL;
        cJSON_ArrayForEach(o, answers)
        {
            const cJSON *rid = cJSON_GetObjectItemCaseSensitive(o, "id");
            double d = cJSON_IsNumber(rid) ? rid->valuedouble : -1;
            if (d < (double)id0 || d >= (double)(id0 + n) ||
                d != (double)(uint64_t)d)
                continue;
            size_t k = (size_t)((uint64_t)d - id0);
            if (got[k])
                continue; /* a second answer for the same id: ignored */
            got[k] = 1;
            hc_rpc_status one = {0};
            items[k].err =
                envelope((cJSON *)o, id0 + k, &items[k].result, &one);
            items[k].cls = one.cls;
            seen++;
        }
        free(got);
        if (!err && seen < n)
            /* answers missing (those items stay malformed): strays may
             * follow on the connection */
            drop_connection(c);
    } else if (complete && st->cls == HC_RPC_MALFORMED) {
        drop_connection(c);
    }
    if (err)
        for (i = 0; i < n; i++) {
            items[i].err = err;
            items[i].cls = st->cls;
        }
    cJSON_Delete(root);
    pthread_mutex_unlock(&c->mu);
    st->elapsed_ms = ms_since(&t0);
    return err;
}

/* ---- values */

hc_err hc_rpc_quantity(const cJSON *v, hc_u256 *out)
{
    if (!cJSON_IsString(v))
        return HC_ERR_RPC_MALFORMED;
    const char *s = v->valuestring;
    if (hc_u256_from_hex(out, s, strlen(s)))
        return HC_ERR_RPC_MALFORMED;
    return HC_OK;
}

hc_err hc_rpc_quantity_u64(const cJSON *v, uint64_t *out)
{
    hc_u256 u;
    if (hc_rpc_quantity(v, &u) || hc_u256_to_u64(out, &u))
        return HC_ERR_RPC_MALFORMED;
    return HC_OK;
}

hc_err hc_rpc_data(const cJSON *v, hc_buf *out)
{
    if (!cJSON_IsString(v))
        return HC_ERR_RPC_MALFORMED;
    hc_err err = hc_hex_decode_buf(out, v->valuestring, HC_HEX_PREFIX_REQUIRED);
    if (err == HC_ERR_NOMEM)
        return err;
    return err ? HC_ERR_RPC_MALFORMED : HC_OK;
}

hc_err hc_rpc_fixed(const cJSON *v, uint8_t *out, size_t n)
{
    if (!cJSON_IsString(v) ||
        hc_hex_decode_fixed(out, n, v->valuestring, HC_HEX_PREFIX_REQUIRED))
        return HC_ERR_RPC_MALFORMED;
    return HC_OK;
}

static hc_err malformed(hc_rpc_status *st, const char *what)
{
    return set_status(st, HC_RPC_MALFORMED, HC_ERR_RPC_MALFORMED, what);
}

static cJSON *str_item(const char *s)
{
    return cJSON_CreateString(s);
}

static cJSON *hex_item(const uint8_t *p, size_t n)
{
    char *h = hc_hex_encode_alloc(p, n, 1);
    cJSON *j = h ? cJSON_CreateString(h) : NULL;
    free(h);
    return j;
}

static cJSON *addr_item(const hc_address *a)
{
    return hex_item(a->b, 20);
}

static cJSON *u256_item(const hc_u256 *v)
{
    char hex[HC_U256_HEX_MAX];
    return cJSON_CreateString(hc_u256_to_hex(hex, v));
}

/* Builds a params array from items (NULL item = allocation failure). */
static cJSON *params_of(size_t n, cJSON **items)
{
    cJSON *a = cJSON_CreateArray();
    int ok = a != NULL;
    for (size_t i = 0; i < n; i++) {
        if (ok && items[i] && cJSON_AddItemToArray(a, items[i]))
            continue;
        ok = 0;
        cJSON_Delete(items[i]);
    }
    if (!ok) {
        cJSON_Delete(a);
        return NULL;
    }
    return a;
}

/* Calls method(params) and parses a quantity result. */
static hc_err call_quantity(hc_rpc *c, const char *method, cJSON *params,
                            hc_u256 *out, hc_rpc_status *st)
{
    cJSON *res = NULL;
    if (!params)
        return HC_ERR_NOMEM;
    hc_err err = hc_rpc_request(c, method, params, &res, st);
    cJSON_Delete(params);
    if (!err && hc_rpc_quantity(res, out))
        err = malformed(st, "result is not a quantity");
    cJSON_Delete(res);
    return err;
}

static hc_err to_u64(hc_err err, const hc_u256 *v, uint64_t *out,
                     hc_rpc_status *st)
{
    if (err)
        return err;
    if (hc_u256_to_u64(out, v))
        return malformed(st, "quantity too large");
    return HC_OK;
}

hc_err hc_rpc_chain_id(hc_rpc *c, uint64_t *out, hc_rpc_status *st)
{
    hc_u256 v;
    return to_u64(call_quantity(c, "eth_chainId", params_of(0, NULL), &v, st),
                  &v, out, st);
}

hc_err hc_rpc_block_number(hc_rpc *c, uint64_t *out, hc_rpc_status *st)
{
    hc_u256 v;
    return to_u64(
        call_quantity(c, "eth_blockNumber", params_of(0, NULL), &v, st), &v,
        out, st);
}

hc_err hc_rpc_get_transaction_count(hc_rpc *c, const hc_address *a,
                                    const char *block, uint64_t *out,
                                    hc_rpc_status *st)
{
    hc_u256 v;
    cJSON *items[2] = {addr_item(a), str_item(block ? block : "latest")};
    return to_u64(call_quantity(c, "eth_getTransactionCount",
                                params_of(2, items), &v, st),
                  &v, out, st);
}

hc_err hc_rpc_get_balance(hc_rpc *c, const hc_address *a, const char *block,
                          hc_u256 *out, hc_rpc_status *st)
{
    cJSON *items[2] = {addr_item(a), str_item(block ? block : "latest")};
    return call_quantity(c, "eth_getBalance", params_of(2, items), out, st);
}

hc_err hc_rpc_max_priority_fee(hc_rpc *c, hc_u256 *out, hc_rpc_status *st)
{
    return call_quantity(c, "eth_maxPriorityFeePerGas", params_of(0, NULL), out,
                         st);
}

hc_err hc_rpc_send_raw_transaction(hc_rpc *c, const uint8_t *raw, size_t len,
                                   uint8_t hash[32], hc_rpc_status *st)
{
    cJSON *items[1] = {hex_item(raw, len)};
    cJSON *params = params_of(1, items), *res = NULL;
    if (!params)
        return HC_ERR_NOMEM;
    hc_err err = hc_rpc_request(c, "eth_sendRawTransaction", params, &res, st);
    cJSON_Delete(params);
    if (!err && hc_rpc_fixed(res, hash, 32))
        err = malformed(st, "result is not a 32-byte hash");
    cJSON_Delete(res);
    return err;
}

static cJSON *call_object(const hc_address *from, const hc_address *to,
                          const uint8_t *data, size_t len, const hc_u256 *value)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    int ok = 1;
    if (from)
        ok = ok && cJSON_AddItemToObject(o, "from", addr_item(from));
    if (to)
        ok = ok && cJSON_AddItemToObject(o, "to", addr_item(to));
    if (len)
        ok = ok && cJSON_AddItemToObject(o, "input", hex_item(data, len));
    if (value)
        ok = ok && cJSON_AddItemToObject(o, "value", u256_item(value));
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

hc_err hc_rpc_call(hc_rpc *c, const hc_address *from, const hc_address *to,
                   const uint8_t *data, size_t len, const char *block,
                   hc_buf *out, hc_rpc_status *st)
{
    cJSON *items[2] = {call_object(from, to, data, len, NULL),
                       str_item(block ? block : "latest")};
    cJSON *params = params_of(2, items), *res = NULL;
    if (!params)
        return HC_ERR_NOMEM;
    hc_err err = hc_rpc_request(c, "eth_call", params, &res, st);
    cJSON_Delete(params);
    if (!err && hc_rpc_data(res, out))
        err = malformed(st, "result is not 0x-hex data");
    cJSON_Delete(res);
    return err;
}

hc_err hc_rpc_estimate_gas(hc_rpc *c, const hc_address *from,
                           const hc_address *to, const uint8_t *data,
                           size_t len, const hc_u256 *value, uint64_t *out,
                           hc_rpc_status *st)
{
    hc_u256 v;
    cJSON *items[1] = {call_object(from, to, data, len, value)};
    return to_u64(
        call_quantity(c, "eth_estimateGas", params_of(1, items), &v, st), &v,
        out, st);
}

hc_err hc_rpc_get_code(hc_rpc *c, const hc_address *a, const char *block,
                       hc_buf *out, hc_rpc_status *st)
{
    cJSON *items[2] = {addr_item(a), str_item(block ? block : "latest")};
    cJSON *params = params_of(2, items), *res = NULL;
    if (!params)
        return HC_ERR_NOMEM;
    hc_err err = hc_rpc_request(c, "eth_getCode", params, &res, st);
    cJSON_Delete(params);
    if (!err && hc_rpc_data(res, out))
        err = malformed(st, "result is not 0x-hex code");
    cJSON_Delete(res);
    return err;
}

char *hc_rpc_block_tag(char tag[19], uint64_t number)
{
    snprintf(tag, 19, "0x%llx", (unsigned long long)number);
    return tag;
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

hc_err hc_rpc_get_block(hc_rpc *c, const char *block, hc_block *out,
                        hc_rpc_status *st)
{
    cJSON *items[2] = {str_item(block ? block : "latest"), cJSON_CreateFalse()};
    cJSON *params = params_of(2, items), *res = NULL;
    if (!params)
        return HC_ERR_NOMEM;
    hc_err err = hc_rpc_request(c, "eth_getBlockByNumber", params, &res, st);
    cJSON_Delete(params);
    memset(out, 0, sizeof *out);
    if (!err && cJSON_IsNull(res))
        err = HC_ERR_NOT_FOUND;
    else if (!err) {
        const cJSON *bf = get(res, "baseFeePerGas"), *hash = get(res, "hash");
        /* geth and erigon give the pending block a null hash */
        if (!cJSON_IsObject(res) ||
            hc_rpc_quantity_u64(get(res, "number"), &out->number) ||
            (!cJSON_IsNull(hash) && hc_rpc_fixed(hash, out->hash, 32)) ||
            hc_rpc_fixed(get(res, "parentHash"), out->parent_hash, 32) ||
            hc_rpc_quantity_u64(get(res, "timestamp"), &out->timestamp) ||
            hc_rpc_quantity_u64(get(res, "gasLimit"), &out->gas_limit) ||
            hc_rpc_quantity_u64(get(res, "gasUsed"), &out->gas_used) ||
            (bf && !cJSON_IsNull(bf) && hc_rpc_quantity(bf, &out->base_fee)))
            err = malformed(st, "malformed block");
        else
            out->has_base_fee = bf && !cJSON_IsNull(bf);
    }
    cJSON_Delete(res);
    return err;
}

hc_err hc_rpc_fee_history(hc_rpc *c, unsigned blocks, const char *newest,
                          double percentile, hc_fee_history *out,
                          hc_rpc_status *st)
{
    if (blocks == 0 || blocks > HC_FEE_HISTORY_MAX || percentile < 0 ||
        percentile > 100)
        return HC_ERR_ARG;
    char n[19];
    cJSON *pct = cJSON_CreateArray();
    cJSON *pv = cJSON_CreateNumber(percentile);
    if (!pct || !pv || !cJSON_AddItemToArray(pct, pv)) {
        cJSON_Delete(pct);
        cJSON_Delete(pv);
        return HC_ERR_NOMEM;
    }
    cJSON *items[3] = {str_item(hc_rpc_block_tag(n, blocks)),
                       str_item(newest ? newest : "latest"), pct};
    cJSON *params = params_of(3, items), *res = NULL;
    if (!params)
        return HC_ERR_NOMEM;
    hc_err err = hc_rpc_request(c, "eth_feeHistory", params, &res, st);
    cJSON_Delete(params);
    memset(out, 0, sizeof *out);
    if (err)
        goto out;
    const cJSON *base = get(res, "baseFeePerGas"),
                *ratio = get(res, "gasUsedRatio"), *reward = get(res, "reward");
    if (!cJSON_IsObject(res) ||
        hc_rpc_quantity_u64(get(res, "oldestBlock"), &out->oldest_block) ||
        !cJSON_IsArray(base) || !cJSON_IsArray(ratio)) {
        err = malformed(st, "malformed fee history");
        goto out;
    }
    int nb = cJSON_GetArraySize(base), nr = cJSON_GetArraySize(ratio);
    if (nr < 0 || (unsigned)nr > blocks || nb != nr + 1 ||
        (reward && !cJSON_IsNull(reward) &&
         (!cJSON_IsArray(reward) || cJSON_GetArraySize(reward) != nr))) {
        err = malformed(st, "fee history arrays of the wrong size");
        goto out;
    }
    out->n = (size_t)nr;
    for (int i = 0; i < nb && !err; i++)
        if (hc_rpc_quantity(cJSON_GetArrayItem(base, i), &out->base_fee[i]))
            err = malformed(st, "malformed base fee");
    for (int i = 0; i < nr && !err; i++) {
        const cJSON *r = cJSON_GetArrayItem(ratio, i);
        if (!cJSON_IsNumber(r) || r->valuedouble < 0 || r->valuedouble > 1e6)
            err = malformed(st, "malformed gas used ratio");
        else
            out->gas_used_ratio[i] = r->valuedouble;
        if (!err && cJSON_IsArray(reward)) {
            const cJSON *ri = cJSON_GetArrayItem(reward, i);
            if (!cJSON_IsArray(ri) || cJSON_GetArraySize(ri) != 1 ||
                hc_rpc_quantity(cJSON_GetArrayItem(ri, 0), &out->reward[i]))
                err = malformed(st, "malformed reward");
        }
    }
out:
    cJSON_Delete(res);
    return err;
}

void hc_logs_free(hc_log *logs, size_t n)
{
    for (size_t i = 0; logs && i < n; i++)
        free(logs[i].data);
    free(logs);
}

void hc_receipt_free(hc_receipt *r)
{
    hc_logs_free(r->logs, r->nlogs);
    r->logs = NULL;
    r->nlogs = 0;
}

static hc_err parse_log(const cJSON *o, hc_log *l)
{
    memset(l, 0, sizeof *l);
    const cJSON *topics = get(o, "topics"), *rm = get(o, "removed");
    if (!cJSON_IsObject(o) ||
        hc_rpc_fixed(get(o, "address"), l->address.b, 20) ||
        !cJSON_IsArray(topics) || cJSON_GetArraySize(topics) > 4 ||
        hc_rpc_quantity_u64(get(o, "blockNumber"), &l->block_number) ||
        hc_rpc_fixed(get(o, "blockHash"), l->block_hash, 32) ||
        hc_rpc_fixed(get(o, "transactionHash"), l->tx_hash, 32) ||
        hc_rpc_quantity_u64(get(o, "transactionIndex"), &l->tx_index) ||
        hc_rpc_quantity_u64(get(o, "logIndex"), &l->log_index))
        return HC_ERR_RPC_MALFORMED;
    l->ntopics = (size_t)cJSON_GetArraySize(topics);
    for (size_t i = 0; i < l->ntopics; i++)
        if (hc_rpc_fixed(cJSON_GetArrayItem(topics, (int)i), l->topics[i], 32))
            return HC_ERR_RPC_MALFORMED;
    if (rm && !cJSON_IsBool(rm))
        return HC_ERR_RPC_MALFORMED;
    l->removed = cJSON_IsTrue(rm);
    /* not in every node's answer (execution-apis added it in 2024) */
    const cJSON *ts = get(o, "blockTimestamp");
    if (ts && !cJSON_IsNull(ts)) {
        if (hc_rpc_quantity_u64(ts, &l->block_timestamp))
            return HC_ERR_RPC_MALFORMED;
        l->has_block_timestamp = 1;
    }
    hc_buf b;
    hc_buf_init(&b, (size_t)16 << 20, 0);
    hc_err err = hc_rpc_data(get(o, "data"), &b);
    if (err) {
        hc_buf_free(&b);
        return err;
    }
    l->data = b.data; /* ownership passes to the log */
    l->data_len = b.len;
    return HC_OK;
}

static hc_err parse_logs(const cJSON *arr, size_t max, hc_log **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!cJSON_IsArray(arr))
        return HC_ERR_RPC_MALFORMED;
    size_t count = (size_t)cJSON_GetArraySize(arr);
    if (count > max)
        return HC_ERR_BUFFER;
    if (count == 0)
        return HC_OK;
    hc_log *logs = calloc(count, sizeof *logs);
    if (!logs)
        return HC_ERR_NOMEM;
    size_t i = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, arr)
    {
        hc_err err = parse_log(o, &logs[i]);
        if (err) {
            hc_logs_free(logs, i + 1);
            return err;
        }
        i++;
    }
    *out = logs;
    *n = count;
    return HC_OK;
}

/* A receipt from its JSON (NULL: none yet, HC_ERR_NOT_FOUND). */
static hc_err receipt_from(const cJSON *res, hc_receipt *out, hc_rpc_status *st)
{
    memset(out, 0, sizeof *out);
    if (cJSON_IsNull(res))
        return HC_ERR_NOT_FOUND;
    uint64_t status;
    const cJSON *to = get(res, "to"), *ca = get(res, "contractAddress");
    if (!cJSON_IsObject(res) ||
        hc_rpc_fixed(get(res, "transactionHash"), out->tx_hash, 32) ||
        hc_rpc_quantity_u64(get(res, "status"), &status) || status > 1 ||
        hc_rpc_quantity_u64(get(res, "blockNumber"), &out->block_number) ||
        hc_rpc_fixed(get(res, "blockHash"), out->block_hash, 32) ||
        hc_rpc_quantity_u64(get(res, "transactionIndex"), &out->tx_index) ||
        hc_rpc_quantity_u64(get(res, "gasUsed"), &out->gas_used) ||
        hc_rpc_quantity_u64(get(res, "cumulativeGasUsed"),
                            &out->cumulative_gas_used) ||
        hc_rpc_fixed(get(res, "from"), out->from.b, 20) ||
        (to && !cJSON_IsNull(to) && hc_rpc_fixed(to, out->to.b, 20)) ||
        (ca && !cJSON_IsNull(ca) &&
         hc_rpc_fixed(ca, out->contract_address.b, 20)))
        return malformed(st, "malformed receipt");
    const cJSON *egp = get(res, "effectiveGasPrice"); /* null: absent */
    if (egp && cJSON_IsNull(egp))
        egp = NULL;
    if (egp && hc_rpc_quantity(egp, &out->effective_gas_price))
        return malformed(st, "malformed receipt");
    out->has_effective_gas_price = egp != NULL;
    out->status = (int)status;
    out->has_to = to && !cJSON_IsNull(to);
    out->has_contract_address = ca && !cJSON_IsNull(ca);
    hc_err err =
        parse_logs(get(res, "logs"), 1u << 16, &out->logs, &out->nlogs);
    if (err == HC_ERR_RPC_MALFORMED || err == HC_ERR_BUFFER)
        err = malformed(st, "malformed receipt logs");
    if (err)
        hc_receipt_free(out);
    return err;
}

/* The parameters [hash] (NULL: out of memory). */
static cJSON *hash_params(const uint8_t hash[32])
{
    cJSON *items[1] = {hex_item(hash, 32)};
    return params_of(1, items);
}

/* A call whose one parameter is a 32-byte hash. */
static hc_err call_by_hash(hc_rpc *c, const char *method,
                           const uint8_t hash[32], cJSON **res,
                           hc_rpc_status *st)
{
    cJSON *params = hash_params(hash);
    *res = NULL;
    if (!params)
        return HC_ERR_NOMEM;
    hc_err err = hc_rpc_request(c, method, params, res, st);
    cJSON_Delete(params);
    return err;
}

hc_err hc_rpc_get_receipt(hc_rpc *c, const uint8_t hash[32], hc_receipt *out,
                          hc_rpc_status *st)
{
    cJSON *res;
    memset(out, 0, sizeof *out);
    hc_err err = call_by_hash(c, "eth_getTransactionReceipt", hash, &res, st);
    if (!err)
        err = receipt_from(res, out, st);
    cJSON_Delete(res);
    return err;
}

hc_err hc_rpc_get_receipts(hc_rpc *c, const uint8_t (*hashes)[32], size_t n,
                           hc_receipt *out, hc_err *errs, hc_rpc_status *st)
{
    hc_rpc_status dummy;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    if (!c || (n && (!hashes || !out || !errs)))
        return HC_ERR_ARG;
    memset(out, 0, n * sizeof *out);
    for (size_t i = 0; i < n; i++)
        errs[i] = HC_ERR_RPC_MALFORMED;
    hc_rpc_batch_item items[HC_RPC_BATCH_MAX];
    cJSON *params[HC_RPC_BATCH_MAX];
    double ms = 0;
    for (size_t at = 0; at < n; at += HC_RPC_BATCH_MAX) {
        size_t k = n - at < HC_RPC_BATCH_MAX ? n - at : HC_RPC_BATCH_MAX;
        hc_err err = HC_OK;
        for (size_t i = 0; i < k; i++) {
            params[i] = hash_params(hashes[at + i]);
            items[i] = (hc_rpc_batch_item){"eth_getTransactionReceipt",
                                           params[i], NULL, HC_OK, HC_RPC_OK};
            if (!params[i])
                err = HC_ERR_NOMEM;
        }
        if (!err)
            err = hc_rpc_batch(c, items, k, st);
        ms += st->elapsed_ms;
        for (size_t i = 0; i < k; i++) {
            if (!err) {
                hc_rpc_status one = {0};
                errs[at + i] = items[i].err ? items[i].err
                                            : receipt_from(items[i].result,
                                                           &out[at + i], &one);
            }
            cJSON_Delete(items[i].result);
            cJSON_Delete(params[i]);
        }
        if (err) {
            for (size_t i = 0; i < n; i++) {
                hc_receipt_free(&out[i]);
                errs[i] = err;
            }
            st->elapsed_ms = ms;
            return err;
        }
    }
    st->elapsed_ms = ms;
    return HC_OK;
}

hc_err hc_rpc_get_transaction(hc_rpc *c, const uint8_t hash[32], hc_txinfo *out,
                              hc_rpc_status *st)
{
    cJSON *res;
    memset(out, 0, sizeof *out);
    hc_err err = call_by_hash(c, "eth_getTransactionByHash", hash, &res, st);
    if (!err && cJSON_IsNull(res))
        err = HC_ERR_NOT_FOUND;
    else if (!err) {
        const cJSON *bn = get(res, "blockNumber");
        if (!cJSON_IsObject(res) ||
            hc_rpc_fixed(get(res, "hash"), out->hash, 32) ||
            hc_rpc_fixed(get(res, "from"), out->from.b, 20) ||
            hc_rpc_quantity_u64(get(res, "nonce"), &out->nonce) ||
            (bn && !cJSON_IsNull(bn) &&
             hc_rpc_quantity_u64(bn, &out->block_number)))
            err = malformed(st, "malformed transaction");
        else
            out->mined = bn && !cJSON_IsNull(bn);
    }
    cJSON_Delete(res);
    return err;
}

hc_err hc_rpc_get_logs(hc_rpc *c, const hc_log_filter *f, size_t max_logs,
                       hc_log **logs, size_t *n, hc_rpc_status *st)
{
    *logs = NULL;
    *n = 0;
    if (f->ntopics > 4)
        return HC_ERR_ARG;
    cJSON *o = cJSON_CreateObject();
    cJSON *topics = cJSON_CreateArray();
    int ok = o && topics;
    if (ok && f->address)
        ok = cJSON_AddItemToObject(o, "address", addr_item(f->address));
    if (ok)
        ok = cJSON_AddStringToObject(o, "fromBlock",
                                     f->from_block ? f->from_block
                                                   : "earliest") != NULL;
    if (ok)
        ok = cJSON_AddStringToObject(
                 o, "toBlock", f->to_block ? f->to_block : "latest") != NULL;
    for (size_t i = 0; ok && i < f->ntopics; i++)
        ok = cJSON_AddItemToArray(topics, f->topics[i]
                                              ? hex_item(f->topics[i], 32)
                                              : cJSON_CreateNull());
    if (ok) {
        ok = cJSON_AddItemToObject(o, "topics", topics);
        topics = NULL;
    }
    cJSON_Delete(topics);
    if (!ok) {
        cJSON_Delete(o);
        return HC_ERR_NOMEM;
    }
    cJSON *items[1] = {o};
    cJSON *params = params_of(1, items), *res = NULL;
    if (!params)
        return HC_ERR_NOMEM;
    hc_err err = hc_rpc_request(c, "eth_getLogs", params, &res, st);
    cJSON_Delete(params);
    if (!err) {
        err = parse_logs(res, max_logs, logs, n);
        if (err == HC_ERR_RPC_MALFORMED)
            err = malformed(st, "malformed logs");
    }
    cJSON_Delete(res);
    return err;
}

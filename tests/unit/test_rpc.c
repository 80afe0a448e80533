/* Unit tests for the JSON-RPC client (rpc.h) against a scripted HTTP/1.1
 * server that runs in a thread of this test, on 127.0.0.1 only.
 *
 * The server reads one request at a time (headers and a Content-Length body)
 * and answers as the current scenario says: a valid answer, garbage, slowly,
 * hugely, with a lying Content-Length, with a JSON-RPC error, or not at all.
 * It keeps the connection alive unless the scenario closes it, and drops the
 * current connection as soon as the client opens a new one (the client gave
 * up on the old one). After every hostile scenario, a valid call on the same
 * hc_rpc must succeed: the handle recovers.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "haechi/hex.h"
#include "haechi/rpc.h"
#include "testutil.h"

/* ---- the scripted server ----------------------------------------------- */

typedef enum action {
    ACT_REPLY,      /* status + body with a right Content-Length */
    ACT_CHUNKED,    /* status + body, chunked transfer encoding */
    ACT_RAW,        /* body sent verbatim: no HTTP framing at all */
    ACT_CLOSE,      /* read the request, close without answering */
    ACT_SLEEP,      /* wait delay_ms, then reply */
    ACT_TRICKLE,    /* the reply, one byte every delay_ms */
    ACT_NO_BODY,    /* headers announce the body, which never comes */
    ACT_HUGE,       /* an answer of `huge` bytes (Content-Length) */
    ACT_HUGE_NOLEN, /* the same without Content-Length, until close */
    ACT_CL_SHORT,   /* Content-Length `delta` bytes short of the body */
    ACT_CL_LATE,    /* same, the excess sent delay_ms later */
    ACT_CL_LONG,    /* Content-Length `delta` bytes longer than the body */
} action;

typedef struct scenario {
    action act;
    int status;       /* 0: 200 */
    const char *body; /* "$ID" stands for the request's id */
    int close;        /* "Connection: close", then close */
    int delay_ms;
    size_t huge;
    size_t delta;
} scenario;

static struct server {
    int lfd, port;
    int stop[2]; /* a byte on this pipe stops the server */
    pthread_t th;
    pthread_mutex_t mu;
    scenario sc; /* sc.body is owned (strdup) */
    unsigned requests, connections;
    char method[64];
    cJSON *req; /* the last request, parsed */
    char ctype[128];
    size_t sent; /* body bytes of the last huge answer actually sent */
    char buf[1 << 20];
} srv;

enum { EV_READY, EV_TIMEOUT, EV_ABORT };

/* Waits up to ms (-1: forever) for fd to become readable. A new connection
 * (the client gave up on this one) or a stop request preempts it. */
static int wait_for(int fd, int ms)
{
    struct pollfd p[3] = {
        {fd, POLLIN, 0}, {srv.lfd, POLLIN, 0}, {srv.stop[0], POLLIN, 0}};
    for (;;) {
        int n = poll(p, 3, ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || p[1].revents || p[2].revents)
            return EV_ABORT;
        return n == 0 ? EV_TIMEOUT : EV_READY;
    }
}

static int send_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 0;
        s += w;
        n -= (size_t)w;
    }
    return 1;
}

static const char *find(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

/* Reads one request; records it; writes its id (JSON text) to id. Returns 0
 * when the connection is over. */
static int read_request(int fd, char id[64])
{
    size_t len = 0, cap = sizeof srv.buf - 1;
    const char *end;
    while (!(end = find(srv.buf, len, "\r\n\r\n"))) {
        if (len == cap || wait_for(fd, -1) != EV_READY)
            return 0;
        ssize_t r = recv(fd, srv.buf + len, cap - len, 0);
        if (r <= 0)
            return 0;
        len += (size_t)r;
    }
    size_t hlen = (size_t)(end + 4 - srv.buf), clen = 0;
    char ctype[128] = "";
    int expect = 0;
    for (const char *l = srv.buf; l < end;) {
        const char *eol = find(l, (size_t)(end + 2 - l), "\r\n");
        if (!strncasecmp(l, "Content-Length:", 15))
            clen = strtoul(l + 15, NULL, 10);
        else if (!strncasecmp(l, "Expect:", 7) &&
                 find(l, (size_t)(eol - l), "100-continue"))
            expect = 1;
        else if (!strncasecmp(l, "Content-Type:", 13))
            snprintf(ctype, sizeof ctype, "%.*s", (int)(eol - l - 13), l + 13);
        l = eol + 2;
    }
    if (clen > cap - hlen)
        return 0;
    if (expect && !send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25))
        return 0;
    while (len < hlen + clen) {
        if (wait_for(fd, -1) != EV_READY)
            return 0;
        ssize_t r = recv(fd, srv.buf + len, cap - len, 0);
        if (r <= 0)
            return 0;
        len += (size_t)r;
    }
    cJSON *req = cJSON_ParseWithLength(srv.buf + hlen, clen);
    /* a batch: its first call's method and id ("$ID+k" in answers) */
    const cJSON *first = cJSON_IsArray(req) ? cJSON_GetArrayItem(req, 0) : req;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(first, "method");
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(first, "id");
    char *itext = i ? cJSON_PrintUnformatted(i) : NULL;
    snprintf(id, 64, "%s", itext ? itext : "null");
    free(itext);
    pthread_mutex_lock(&srv.mu);
    srv.requests++;
    snprintf(srv.method, sizeof srv.method, "%s",
             cJSON_IsString(m) ? m->valuestring : "");
    snprintf(srv.ctype, sizeof srv.ctype, "%s", ctype);
    cJSON_Delete(srv.req);
    srv.req = req;
    pthread_mutex_unlock(&srv.mu);
    return 1;
}

/* Copies s with every "$ID" replaced by id, and "$ID+k" (k a digit) by
 * id + k (a batch's later calls). */
static char *subst(const char *s, const char *id)
{
    size_t n = 0, idl = strlen(id) + 2;
    for (const char *p = s; *p; p++)
        n += strncmp(p, "$ID", 3) ? 1 : idl;
    char *out = malloc(n + 1), *o = out;
    assert_non_null(out);
    while (*s) {
        if (!strncmp(s, "$ID+", 4) && s[4] >= '0' && s[4] <= '9') {
            o += sprintf(o, "%llu",
                         strtoull(id, NULL, 10) + (unsigned)(s[4] - '0'));
            s += 5;
        } else if (!strncmp(s, "$ID", 3)) {
            memcpy(o, id, idl - 2);
            o += idl - 2;
            s += 3;
        } else {
            *o++ = *s++;
        }
    }
    *o = 0;
    return out;
}

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 302:
        return "Found";
    case 400:
        return "Bad Request";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Whatever";
    }
}

/* Sends the huge answer: a JSON-RPC prefix, then digits, never finished. */
static void send_huge(int fd, const scenario *sc, const char *id)
{
    char head[256], chunk[65536];
    int small = 16384;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    if (sc->act == ACT_HUGE)
        snprintf(head, sizeof head,
                 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\n\r\n",
                 sc->huge);
    else
        snprintf(head, sizeof head,
                 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 "Connection: close\r\n\r\n");
    size_t sent = 0;
    int p = snprintf(chunk, sizeof chunk,
                     "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":\"0x", id);
    memset(chunk + p, '7', sizeof chunk - (size_t)p);
    if (send_all(fd, head, strlen(head))) {
        while (sent < sc->huge) {
            size_t n =
                sc->huge - sent < sizeof chunk ? sc->huge - sent : sizeof chunk;
            if (!send_all(fd, chunk, n))
                break;
            if (!sent) /* the JSON prefix once, then digits only */
                memset(chunk, '7', (size_t)p);
            sent += n;
        }
    }
    pthread_mutex_lock(&srv.mu);
    srv.sent = sent;
    pthread_mutex_unlock(&srv.mu);
}

/* Answers one request; returns 0 to close the connection. */
static int respond(int fd, const scenario *sc, const char *id)
{
    char *body = subst(sc->body ? sc->body : "", id);
    size_t blen = strlen(body), clen = blen;
    int status = sc->status ? sc->status : 200, keep = !sc->close;
    char head[512];
    char *msg = NULL;
    size_t mlen = 0;

    if (sc->act == ACT_CL_SHORT || sc->act == ACT_CL_LATE)
        clen = blen - sc->delta;
    else if (sc->act == ACT_CL_LONG)
        clen = blen + sc->delta;
    char framing[64];
    if (sc->act == ACT_CHUNKED)
        snprintf(framing, sizeof framing, "Transfer-Encoding: chunked\r\n");
    else
        snprintf(framing, sizeof framing, "Content-Length: %zu\r\n", clen);
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                      "%s%s\r\n",
                      status, reason(status),
                      keep ? "" : "Connection: close\r\n", framing);
    msg = malloc((size_t)hl + blen + 64);
    assert_non_null(msg);
    memcpy(msg, head, (size_t)hl);
    mlen = (size_t)hl;
    if (sc->act == ACT_CHUNKED) {
        size_t half = blen / 2;
        mlen += (size_t)sprintf(msg + mlen, "%zx\r\n", half);
        memcpy(msg + mlen, body, half);
        mlen += half;
        mlen += (size_t)sprintf(msg + mlen, "\r\n%zx\r\n", blen - half);
        memcpy(msg + mlen, body + half, blen - half);
        mlen += blen - half;
        mlen += (size_t)sprintf(msg + mlen, "\r\n0\r\n\r\n");
    } else {
        memcpy(msg + mlen, body, blen);
        mlen += blen;
    }

    int ok = 0;
    switch (sc->act) {
    case ACT_CLOSE:
        break;
    case ACT_RAW:
        ok = send_all(fd, body, blen) && keep;
        break;
    case ACT_SLEEP:
        if (wait_for(fd, sc->delay_ms) != EV_TIMEOUT)
            break;
        ok = send_all(fd, msg, mlen) && keep;
        break;
    case ACT_REPLY:
    case ACT_CHUNKED:
    case ACT_CL_SHORT:
        ok = send_all(fd, msg, mlen) && keep;
        break;
    case ACT_CL_LATE:
        ok = send_all(fd, msg, mlen - sc->delta) &&
             wait_for(fd, sc->delay_ms) == EV_TIMEOUT &&
             send_all(fd, msg + mlen - sc->delta, sc->delta) && keep;
        break;
    case ACT_TRICKLE:
        ok = 1;
        for (size_t i = 0; ok && i < mlen; i++)
            ok = send_all(fd, msg + i, 1) &&
                 wait_for(fd, sc->delay_ms) == EV_TIMEOUT;
        ok = ok && keep;
        break;
    case ACT_NO_BODY:
        if (send_all(fd, msg, (size_t)hl))
            wait_for(fd, -1);
        break;
    case ACT_CL_LONG:
        if (send_all(fd, msg, mlen) && keep)
            wait_for(fd, -1);
        break;
    case ACT_HUGE:
    case ACT_HUGE_NOLEN:
        send_huge(fd, sc, id);
        break;
    }
    free(msg);
    free(body);
    return ok;
}

static void *server_main(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd p[2] = {{srv.lfd, POLLIN, 0}, {srv.stop[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;
        int fd = accept(srv.lfd, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_mutex_lock(&srv.mu);
        srv.connections++;
        pthread_mutex_unlock(&srv.mu);
        char id[64];
        while (read_request(fd, id)) {
            pthread_mutex_lock(&srv.mu);
            scenario sc = srv.sc;
            char *body = sc.body ? strdup(sc.body) : NULL;
            pthread_mutex_unlock(&srv.mu);
            sc.body = body;
            int keep = respond(fd, &sc, id);
            free(body);
            if (!keep)
                break;
        }
        close(fd);
    }
    return NULL;
}

static void serve(scenario sc)
{
    pthread_mutex_lock(&srv.mu);
    free((char *)srv.sc.body);
    if (sc.body) {
        sc.body = strdup(sc.body);
        assert_non_null(sc.body);
    }
    srv.sc = sc;
    pthread_mutex_unlock(&srv.mu);
}

/* An answer with this body (a printf format; "$ID" is the request's id). */
__attribute__((format(printf, 2, 3))) static void
serve_body(int status, const char *fmt, ...)
{
    char body[16384];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof body);
    serve((scenario){.act = ACT_REPLY, .status = status, .body = body});
}

/* A JSON-RPC success whose "result" is the JSON text fmt. */
__attribute__((format(printf, 1, 2))) static void serve_result(const char *fmt,
                                                               ...)
{
    char res[15000];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(res, sizeof res, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof res);
    serve_body(200, "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":%s}", res);
}

static void serve_error(int64_t code, const char *message, const char *data)
{
    if (data)
        serve_body(200,
                   "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":{\"code\":%lld,"
                   "\"message\":\"%s\",\"data\":%s}}",
                   (long long)code, message, data);
    else
        serve_body(200,
                   "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":{\"code\":%lld,"
                   "\"message\":\"%s\"}}",
                   (long long)code, message);
}

static unsigned server_count(unsigned *field)
{
    pthread_mutex_lock(&srv.mu);
    unsigned v = *field;
    pthread_mutex_unlock(&srv.mu);
    return v;
}

/* The last request's params, re-printed compactly (caller frees). */
static char *last_params(char method[64])
{
    pthread_mutex_lock(&srv.mu);
    snprintf(method, 64, "%s", srv.method);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(srv.req, "params");
    char *s = p ? cJSON_PrintUnformatted(p) : strdup("(none)");
    pthread_mutex_unlock(&srv.mu);
    assert_non_null(s);
    return s;
}

static void expect_request(const char *method, const char *params)
{
    char m[64];
    char *p = last_params(m);
    if (strcmp(m, method) != 0 || strcmp(p, params) != 0)
        fail_msg("request %s %s, want %s %s", m, p, method, params);
    free(p);
}

/* ---- fixtures ----------------------------------------------------------- */

#define TIMEOUT_MS   600
#define MAX_RESPONSE 65536

static hc_rpc *rpc; /* the one handle every scenario shares */

static int start_server(void **state)
{
    (void)state;
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    pthread_mutex_init(&srv.mu, NULL);
    srv.lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (srv.lfd < 0 || bind(srv.lfd, (struct sockaddr *)&a, sizeof a) ||
        listen(srv.lfd, 16) ||
        getsockname(srv.lfd, (struct sockaddr *)&a, &alen) || pipe(srv.stop))
        return -1;
    srv.port = ntohs(a.sin_port);
    if (pthread_create(&srv.th, NULL, server_main, NULL))
        return -1;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", srv.port);
    hc_rpc_opts o = {.timeout_ms = TIMEOUT_MS,
                     .connect_timeout_ms = TIMEOUT_MS,
                     .max_response = MAX_RESPONSE};
    return hc_rpc_open(&rpc, url, &o) == HC_OK ? 0 : -1;
}

static int stop_server(void **state)
{
    (void)state;
    hc_rpc_close(rpc);
    rpc = NULL;
    if (write(srv.stop[1], "x", 1) != 1)
        return -1;
    pthread_join(srv.th, NULL);
    close(srv.lfd);
    close(srv.stop[0]);
    close(srv.stop[1]);
    cJSON_Delete(srv.req);
    free((char *)srv.sc.body);
    pthread_mutex_destroy(&srv.mu);
    return 0;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Fails unless err/st are what we want. */
static void check(const char *what, hc_err err, const hc_rpc_status *st,
                  hc_err want, hc_rpc_class cls)
{
    if (err != want || st->cls != cls)
        fail_msg("%s: got %s / %s (\"%s\", http %ld), want %s / %s", what,
                 hc_strerror(err), hc_rpc_class_name(st->cls), st->message,
                 st->http_status, hc_strerror(want), hc_rpc_class_name(cls));
}

/* A valid call on the shared handle works (after a hostile scenario). */
static void recovers(const char *after)
{
    hc_rpc_status st;
    uint64_t v = 0;
    serve_result("\"0x7a69\"");
    hc_err err = hc_rpc_chain_id(rpc, &v, &st);
    if (err || v != 31337)
        fail_msg("after %s: valid call gave %s / %s (\"%s\")", after,
                 hc_strerror(err), hc_rpc_class_name(st.cls), st.message);
    assert_int_equal(st.cls, HC_RPC_OK);
}

/* eth_chainId under the current scenario must fail with want / cls. */
static void chain_id_fails(const char *what, hc_err want, hc_rpc_class cls)
{
    hc_rpc_status st;
    uint64_t v = 0;
    hc_err err = hc_rpc_chain_id(rpc, &v, &st);
    check(what, err, &st, want, cls);
    recovers(what);
}

#define A1 "0x5fbdb2315678afecb367f032d93f642f64180aa3"
#define A2 "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
#define H1 "0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b"
#define H2 "0x1d59ff54b1eb26b013ce3cb5fc9dab3705b415a67127a003c3e61eb445bb8df2"
#define ZERO64                                                                 \
    "0000000000000000000000000000000000000000000000000000000000000000"
#define T0 "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
#define T1 "0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266"

static void unhex(uint8_t *out, size_t n, const char *s)
{
    assert_int_equal(hc_hex_decode_fixed(out, n, s, HC_HEX_PREFIX_REQUIRED),
                     HC_OK);
}

static void assert_hex(const uint8_t *got, size_t n, const char *want)
{
    char *h = hc_hex_encode_alloc(got, n, 1);
    assert_non_null(h);
    if (strcmp(h, want) != 0)
        fail_msg("got %s, want %s", h, want);
    free(h);
}

/* ---- typed calls: valid answers ----------------------------------------- */

static void test_chain_id_block_number(void **state)
{
    (void)state;
    hc_rpc_status st;
    uint64_t v;
    serve_result("\"0x7a69\"");
    assert_int_equal(hc_rpc_chain_id(rpc, &v, &st), HC_OK);
    assert_int_equal(v, 31337);
    assert_int_equal(st.http_status, 200);
    assert_true(st.elapsed_ms >= 0);
    expect_request("eth_chainId", "[]");
    pthread_mutex_lock(&srv.mu);
    assert_non_null(strstr(srv.ctype, "application/json"));
    pthread_mutex_unlock(&srv.mu);

    serve_result("\"0x1b4\"");
    assert_int_equal(hc_rpc_block_number(rpc, &v, &st), HC_OK);
    assert_int_equal(v, 436);
    expect_request("eth_blockNumber", "[]");

    /* the largest u64, with leading zeros, upper-case digits */
    serve_result("\"0xFFFFFFFFFFFFFFFF\"");
    assert_int_equal(hc_rpc_block_number(rpc, &v, &st), HC_OK);
    assert_true(v == UINT64_MAX);
    serve_result("\"0x000000000000000000000000000000000000000000000000000000000"
                 "0000000001\"");
    assert_int_equal(hc_rpc_block_number(rpc, &v, &st), HC_OK);
    assert_int_equal(v, 1);
    serve_result("\"0x0\"");
    assert_int_equal(hc_rpc_block_number(rpc, &v, &st), HC_OK);
    assert_int_equal(v, 0);

    serve_result("\"0x%s\"", "3b9aca00");
    hc_u256 fee;
    assert_int_equal(hc_rpc_max_priority_fee(rpc, &fee, &st), HC_OK);
    assert_true(fee.w[0] == 1000000000 && !fee.w[1] && !fee.w[2] && !fee.w[3]);
    expect_request("eth_maxPriorityFeePerGas", "[]");
}

static void test_keep_alive(void **state)
{
    (void)state;
    uint64_t v;
    recovers("start");
    unsigned c0 = server_count(&srv.connections);
    unsigned r0 = server_count(&srv.requests);
    serve_result("\"0x7a69\"");
    for (int i = 0; i < 20; i++)
        assert_int_equal(hc_rpc_chain_id(rpc, &v, NULL), HC_OK);
    /* twenty requests over the connection that was already open */
    assert_int_equal(server_count(&srv.requests) - r0, 20);
    assert_int_equal(server_count(&srv.connections), c0);
}

static void test_nonce_balance(void **state)
{
    (void)state;
    hc_rpc_status st;
    hc_address a;
    unhex(a.b, 20, A1);
    uint64_t n;
    serve_result("\"0x5\"");
    assert_int_equal(hc_rpc_get_transaction_count(rpc, &a, "pending", &n, &st),
                     HC_OK);
    assert_int_equal(n, 5);
    expect_request("eth_getTransactionCount", "[\"" A1 "\",\"pending\"]");
    assert_int_equal(hc_rpc_get_transaction_count(rpc, &a, NULL, &n, &st),
                     HC_OK);
    expect_request("eth_getTransactionCount", "[\"" A1 "\",\"latest\"]");

    hc_u256 b;
    serve_result("\"0xde0b6b3a7640000\"");
    assert_int_equal(hc_rpc_get_balance(rpc, &a, "latest", &b, &st), HC_OK);
    assert_true(b.w[0] == 1000000000000000000ull && !b.w[1]);
    expect_request("eth_getBalance", "[\"" A1 "\",\"latest\"]");
    /* 2^256 - 1 fits a balance */
    serve_result("\"0x%064d\"", 0);
    assert_int_equal(hc_rpc_get_balance(rpc, &a, NULL, &b, &st), HC_OK);
    assert_true(hc_u256_is_zero(&b));
    char ff[67] = "0x";
    memset(ff + 2, 'f', 64);
    ff[66] = 0;
    serve_result("\"%s\"", ff);
    assert_int_equal(hc_rpc_get_balance(rpc, &a, NULL, &b, &st), HC_OK);
    for (int i = 0; i < 4; i++)
        assert_true(b.w[i] == UINT64_MAX);
}

static void test_send_raw(void **state)
{
    (void)state;
    hc_rpc_status st;
    const uint8_t raw[] = {0x02, 0xf8, 0x6c, 0x82, 0x7a, 0x69};
    uint8_t hash[32];
    serve_result("\"%s\"", H1);
    assert_int_equal(
        hc_rpc_send_raw_transaction(rpc, raw, sizeof raw, hash, &st), HC_OK);
    assert_hex(hash, 32, H1);
    expect_request("eth_sendRawTransaction", "[\"0x02f86c827a69\"]");

    /* a big raw transaction (a 100 kB body: "Expect: 100-continue") */
    size_t big = 100000;
    uint8_t *b = calloc(big, 1);
    assert_non_null(b);
    double t0 = now_ms();
    assert_int_equal(hc_rpc_send_raw_transaction(rpc, b, big, hash, &st),
                     HC_OK);
    free(b);
    assert_true(now_ms() - t0 < 1000);
}

static void test_call_estimate_code(void **state)
{
    (void)state;
    hc_rpc_status st;
    hc_address from, to;
    unhex(from.b, 20, A2);
    unhex(to.b, 20, A1);
    const uint8_t data[] = {0x70, 0xa0, 0x82, 0x31};
    hc_buf out;
    hc_buf_init(&out, 1 << 16, 0);

    serve_result("\"0x00000000000000000000000000000000000000000000000000000000"
                 "0000002a\"");
    assert_int_equal(
        hc_rpc_call(rpc, &from, &to, data, sizeof data, NULL, &out, &st),
        HC_OK);
    assert_int_equal(out.len, 32);
    assert_int_equal(out.data[31], 0x2a);
    expect_request("eth_call", "[{\"from\":\"" A2 "\",\"to\":\"" A1
                               "\",\"input\":\"0x70a08231\"},\"latest\"]");

    hc_buf_reset(&out);
    serve_result("\"0x\"");
    assert_int_equal(hc_rpc_call(rpc, NULL, &to, NULL, 0, "0x10", &out, &st),
                     HC_OK);
    assert_int_equal(out.len, 0);
    expect_request("eth_call", "[{\"to\":\"" A1 "\"},\"0x10\"]");

    uint64_t gas;
    hc_u256 value = hc_u256_from_u64(255);
    serve_result("\"0x5208\"");
    assert_int_equal(hc_rpc_estimate_gas(rpc, &from, NULL, data, sizeof data,
                                         &value, &gas, &st),
                     HC_OK);
    assert_int_equal(gas, 21000);
    expect_request("eth_estimateGas",
                   "[{\"from\":\"" A2
                   "\",\"input\":\"0x70a08231\",\"value\":\"0xff\"}]");

    hc_buf_reset(&out);
    serve_result("\"0x6001600155\"");
    assert_int_equal(hc_rpc_get_code(rpc, &to, NULL, &out, &st), HC_OK);
    assert_hex(out.data, out.len, "0x6001600155");
    expect_request("eth_getCode", "[\"" A1 "\",\"latest\"]");
    hc_buf_free(&out);
}

#define BLOCK_FIELDS                                                           \
    "\"number\":\"0x1b4\",\"hash\":\"" H1 "\",\"parentHash\":\"" H2            \
    "\",\"timestamp\":\"0x6553f100\",\"gasLimit\":\"0x1c9c380\","              \
    "\"gasUsed\":\"0x5208\",\"miner\":\"" A1 "\",\"transactions\":[]"

#define BLOCK_TAIL                                                             \
    "\"timestamp\":\"0x1\",\"gasLimit\":\"0x1\",\"gasUsed\":\"0x1\"}"

static void test_get_block(void **state)
{
    (void)state;
    hc_rpc_status st;
    hc_block b;
    serve_result("{" BLOCK_FIELDS ",\"baseFeePerGas\":\"0x3b9aca00\"}");
    assert_int_equal(hc_rpc_get_block(rpc, "latest", &b, &st), HC_OK);
    expect_request("eth_getBlockByNumber", "[\"latest\",false]");
    assert_int_equal(b.number, 436);
    assert_hex(b.hash, 32, H1);
    assert_hex(b.parent_hash, 32, H2);
    assert_int_equal(b.timestamp, 0x6553f100);
    assert_int_equal(b.gas_limit, 30000000);
    assert_int_equal(b.gas_used, 21000);
    assert_true(b.has_base_fee);
    assert_true(b.base_fee.w[0] == 1000000000);

    /* before London: no base fee (absent or null) */
    serve_result("{" BLOCK_FIELDS "}");
    char tag[19];
    assert_int_equal(hc_rpc_get_block(rpc, hc_rpc_block_tag(tag, 436), &b, &st),
                     HC_OK);
    expect_request("eth_getBlockByNumber", "[\"0x1b4\",false]");
    assert_false(b.has_base_fee);
    serve_result("{" BLOCK_FIELDS ",\"baseFeePerGas\":null}");
    assert_int_equal(hc_rpc_get_block(rpc, NULL, &b, &st), HC_OK);
    assert_false(b.has_base_fee);

    /* geth's and erigon's pending block: hash, nonce and miner are null
     * (internal/ethapi: "Pending blocks need to nil out a few fields") */
    serve_result("{\"number\":\"0x1b5\",\"hash\":null,\"nonce\":null,"
                 "\"miner\":null,\"parentHash\":\"" H1 "\",\"timestamp\":"
                 "\"0x6553f10c\",\"gasLimit\":\"0x1c9c380\",\"gasUsed\":"
                 "\"0x0\",\"baseFeePerGas\":\"0x342770c0\"}");
    assert_int_equal(hc_rpc_get_block(rpc, "pending", &b, &st), HC_OK);
    expect_request("eth_getBlockByNumber", "[\"pending\",false]");
    assert_int_equal(b.number, 437);
    assert_hex(b.hash, 32, "0x" ZERO64);
    assert_hex(b.parent_hash, 32, H1);

    serve_result("null");
    assert_int_equal(hc_rpc_get_block(rpc, "0xffffff", &b, &st),
                     HC_ERR_NOT_FOUND);

    /* hostile blocks */
    const char *bad[] = {
        "[]",
        "\"0x1\"",
        "{\"number\":\"0x1\"}",
        "{" BLOCK_FIELDS ",\"baseFeePerGas\":1000}",
        "{" BLOCK_FIELDS ",\"baseFeePerGas\":\"0x\"}",
        "{\"number\":\"0x10000000000000000\",\"hash\":\"" H1
        "\",\"parentHash\":\"" H2 "\",\"timestamp\":\"0x1\",\"gasLimit\":"
        "\"0x1\",\"gasUsed\":\"0x1\"}",
        "{\"number\":\"0x1\",\"hash\":\"0x1234\",\"parentHash\":\"" H2
        "\",\"timestamp\":\"0x1\",\"gasLimit\":\"0x1\",\"gasUsed\":\"0x1\"}",
        "{\"number\":\"0x1\",\"hash\":\"" H1 "00\",\"parentHash\":\"" H2
        "\",\"timestamp\":\"0x1\",\"gasLimit\":\"0x1\",\"gasUsed\":\"0x1\"}",
        "{\"number\":1,\"hash\":\"" H1 "\",\"parentHash\":\"" H2
        "\",\"timestamp\":\"0x1\",\"gasLimit\":\"0x1\",\"gasUsed\":\"0x1\"}",
        /* no hash at all; a null parent hash */
        "{\"number\":\"0x1\",\"parentHash\":\"" H2 "\"," BLOCK_TAIL,
        ("{\"number\":\"0x1\",\"hash\":null,\"parentHash\":null," BLOCK_TAIL),
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        serve_result("%s", bad[i]);
        check(bad[i], hc_rpc_get_block(rpc, "latest", &b, &st), &st,
              HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    }
    recovers("hostile blocks");
}

static void test_fee_history(void **state)
{
    (void)state;
    hc_rpc_status st;
    hc_fee_history *fh = malloc(sizeof *fh);
    assert_non_null(fh);
    serve_result("{\"oldestBlock\":\"0x10\",\"baseFeePerGas\":[\"0x1\",\"0x2\","
                 "\"0x3\",\"0x4\"],\"gasUsedRatio\":[0.5,0,1],\"reward\":[["
                 "\"0x5\"],[\"0x6\"],[\"0x7\"]]}");
    assert_int_equal(hc_rpc_fee_history(rpc, 3, NULL, 50, fh, &st), HC_OK);
    expect_request("eth_feeHistory", "[\"0x3\",\"latest\",[50]]");
    assert_int_equal(fh->oldest_block, 16);
    assert_int_equal(fh->n, 3);
    for (int i = 0; i < 4; i++)
        assert_true(fh->base_fee[i].w[0] == (uint64_t)i + 1);
    for (int i = 0; i < 3; i++)
        assert_true(fh->reward[i].w[0] == (uint64_t)i + 5);
    assert_true(fh->gas_used_ratio[0] == 0.5 && fh->gas_used_ratio[2] == 1);

    /* fewer blocks than asked (a young chain), no reward */
    serve_result("{\"oldestBlock\":\"0x0\",\"baseFeePerGas\":[\"0x3b9aca00\","
                 "\"0x342770c0\"],\"gasUsedRatio\":[0]}");
    assert_int_equal(hc_rpc_fee_history(rpc, 5, "0x0", 10, fh, &st), HC_OK);
    assert_int_equal(fh->n, 1);
    assert_true(fh->base_fee[1].w[0] == 0x342770c0);
    assert_true(hc_u256_is_zero(&fh->reward[0]));

    /* caller errors: no request at all */
    unsigned r0 = server_count(&srv.requests);
    assert_int_equal(hc_rpc_fee_history(rpc, 0, NULL, 50, fh, &st), HC_ERR_ARG);
    assert_int_equal(
        hc_rpc_fee_history(rpc, HC_FEE_HISTORY_MAX + 1, NULL, 50, fh, &st),
        HC_ERR_ARG);
    assert_int_equal(hc_rpc_fee_history(rpc, 3, NULL, 101, fh, &st),
                     HC_ERR_ARG);
    assert_int_equal(server_count(&srv.requests), r0);

    const char *bad[] = {
        /* base fees: n, not n + 1 */
        "{\"oldestBlock\":\"0x10\",\"baseFeePerGas\":[\"0x1\",\"0x2\",\"0x3\"],"
        "\"gasUsedRatio\":[0.5,0,1]}",
        /* more blocks than asked */
        "{\"oldestBlock\":\"0x10\",\"baseFeePerGas\":[\"0x1\",\"0x2\",\"0x3\","
        "\"0x4\",\"0x5\"],\"gasUsedRatio\":[0.5,0,1,1]}",
        /* rewards: 2 for 3 blocks */
        "{\"oldestBlock\":\"0x10\",\"baseFeePerGas\":[\"0x1\",\"0x2\",\"0x3\","
        "\"0x4\"],\"gasUsedRatio\":[0.5,0,1],\"reward\":[[\"0x5\"],[\"0x6\"]]}",
        /* two percentiles' rewards for the one asked */
        "{\"oldestBlock\":\"0x10\",\"baseFeePerGas\":[\"0x1\",\"0x2\",\"0x3\","
        "\"0x4\"],\"gasUsedRatio\":[0.5,0,1],\"reward\":[[\"0x5\",\"0x1\"],["
        "\"0x6\",\"0x1\"],[\"0x7\",\"0x1\"]]}",
        /* a ratio that is a string, one that is negative */
        "{\"oldestBlock\":\"0x10\",\"baseFeePerGas\":[\"0x1\",\"0x2\",\"0x3\","
        "\"0x4\"],\"gasUsedRatio\":[\"0.5\",0,1]}",
        "{\"oldestBlock\":\"0x10\",\"baseFeePerGas\":[\"0x1\",\"0x2\",\"0x3\","
        "\"0x4\"],\"gasUsedRatio\":[-1,0,1]}",
        /* a base fee that is a number */
        "{\"oldestBlock\":\"0x10\",\"baseFeePerGas\":[\"0x1\",2,\"0x3\","
        "\"0x4\"],\"gasUsedRatio\":[0.5,0,1]}",
        "{\"oldestBlock\":16,\"baseFeePerGas\":[\"0x1\",\"0x2\"],"
        "\"gasUsedRatio\":[0.5]}",
        "{\"baseFeePerGas\":\"0x1\",\"gasUsedRatio\":[]}",
        "[]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        serve_result("%s", bad[i]);
        check(bad[i], hc_rpc_fee_history(rpc, 3, NULL, 50, fh, &st), &st,
              HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    }
    free(fh);
    recovers("hostile fee histories");
}

#define LOG_AT(addr, topics, data, idx)                                        \
    "{\"address\":\"" addr "\",\"topics\":" topics ",\"data\":\"" data         \
    "\",\"blockNumber\":\"0x10\",\"blockHash\":\"" H2                          \
    "\",\"transactionHash\":\"" H1 "\",\"transactionIndex\":\"0x0\","          \
    "\"logIndex\":\"" idx "\",\"removed\":false}"

#define RECEIPT_HEAD                                                           \
    "\"transactionHash\":\"" H1 "\",\"blockNumber\":\"0x10\","                 \
    "\"blockHash\":\"" H2 "\",\"transactionIndex\":\"0x0\","                   \
    "\"gasUsed\":\"0x5208\",\"cumulativeGasUsed\":\"0xa410\","                 \
    "\"from\":\"" A2 "\",\"type\":\"0x2\""

static void test_receipt(void **state)
{
    (void)state;
    hc_rpc_status st;
    hc_receipt r;
    uint8_t h[32];
    unhex(h, 32, H1);

    serve_result("{" RECEIPT_HEAD ",\"status\":\"0x1\",\"to\":\"" A1
                 "\",\"contractAddress\":null,\"effectiveGasPrice\":"
                 "\"0x3b9aca07\",\"logs\":[" LOG_AT(
                     A1, "[\"" T0 "\",\"" T1 "\"]", "0x0102030405",
                     "0x0") "," LOG_AT(A1, "[]", "0x", "0x1") "]}");
    assert_int_equal(hc_rpc_get_receipt(rpc, h, &r, &st), HC_OK);
    expect_request("eth_getTransactionReceipt", "[\"" H1 "\"]");
    assert_hex(r.tx_hash, 32, H1);
    assert_int_equal(r.status, 1);
    assert_int_equal(r.block_number, 16);
    assert_hex(r.block_hash, 32, H2);
    assert_int_equal(r.gas_used, 21000);
    assert_int_equal(r.cumulative_gas_used, 42000);
    assert_true(r.effective_gas_price.w[0] == 1000000007);
    assert_true(r.has_effective_gas_price);
    assert_hex(r.from.b, 20, A2);
    assert_true(r.has_to);
    assert_hex(r.to.b, 20, A1);
    assert_false(r.has_contract_address);
    assert_int_equal(r.nlogs, 2);
    assert_hex(r.logs[0].address.b, 20, A1);
    assert_int_equal(r.logs[0].ntopics, 2);
    assert_hex(r.logs[0].topics[0], 32, T0);
    assert_hex(r.logs[0].topics[1], 32, T1);
    assert_hex(r.logs[0].data, r.logs[0].data_len, "0x0102030405");
    assert_int_equal(r.logs[1].ntopics, 0);
    assert_int_equal(r.logs[1].data_len, 0);
    assert_int_equal(r.logs[1].log_index, 1);
    hc_receipt_free(&r);

    /* a creation that reverted; no effectiveGasPrice (before London) */
    serve_result("{" RECEIPT_HEAD ",\"status\":\"0x0\",\"to\":null,"
                 "\"contractAddress\":\"" A1 "\",\"logs\":[]}");
    assert_int_equal(hc_rpc_get_receipt(rpc, h, &r, &st), HC_OK);
    assert_int_equal(r.status, 0);
    assert_false(r.has_to);
    assert_true(r.has_contract_address);
    assert_hex(r.contract_address.b, 20, A1);
    assert_true(hc_u256_is_zero(&r.effective_gas_price));
    assert_false(r.has_effective_gas_price);
    assert_int_equal(r.nlogs, 0);
    hc_receipt_free(&r);

    /* effectiveGasPrice null: as absent */
    serve_result("{" RECEIPT_HEAD ",\"status\":\"0x1\",\"effectiveGasPrice\":"
                 "null,\"logs\":[]}");
    assert_int_equal(hc_rpc_get_receipt(rpc, h, &r, &st), HC_OK);
    assert_false(r.has_effective_gas_price);
    assert_true(hc_u256_is_zero(&r.effective_gas_price));
    hc_receipt_free(&r);

    serve_result("null");
    assert_int_equal(hc_rpc_get_receipt(rpc, h, &r, &st), HC_ERR_NOT_FOUND);

    const char *bad[] = {
        "{" RECEIPT_HEAD ",\"status\":\"0x2\",\"logs\":[]}",
        "{" RECEIPT_HEAD ",\"status\":1,\"logs\":[]}",
        "{" RECEIPT_HEAD ",\"logs\":[]}", /* no status (pre-Byzantium) */
        "{" RECEIPT_HEAD ",\"status\":\"0x1\",\"logs\":{}}",
        "{" RECEIPT_HEAD ",\"status\":\"0x1\",\"contractAddress\":\"0x12\","
        "\"logs\":[]}",
        "{" RECEIPT_HEAD ",\"status\":\"0x1\",\"to\":\"" A1 "00\",\"logs\":[]}",
        /* five topics */
        "{" RECEIPT_HEAD ",\"status\":\"0x1\",\"logs\":[" LOG_AT(
            A1, "[\"" T0 "\",\"" T0 "\",\"" T0 "\",\"" T0 "\",\"" T0 "\"]",
            "0x", "0x0") "]}",
        /* a topic of 31 bytes, one that is null */
        "{" RECEIPT_HEAD ",\"status\":\"0x1\",\"logs\":[" LOG_AT(
            A1, "[\"0x0102\"]", "0x", "0x0") "]}",
        "{" RECEIPT_HEAD
        ",\"status\":\"0x1\",\"logs\":[" LOG_AT(A1, "[null]", "0x", "0x0") "]}",
        /* data: odd hex, no prefix, not hex */
        "{" RECEIPT_HEAD
        ",\"status\":\"0x1\",\"logs\":[" LOG_AT(A1, "[]", "0x123", "0x0") "]}",
        "{" RECEIPT_HEAD
        ",\"status\":\"0x1\",\"logs\":[" LOG_AT(A1, "[]", "1234", "0x0") "]}",
        "{" RECEIPT_HEAD
        ",\"status\":\"0x1\",\"logs\":[" LOG_AT(A1, "[]", "0xzz", "0x0") "]}",
        /* a second log that is bad after a good one (no leak, no crash) */
        "{" RECEIPT_HEAD ",\"status\":\"0x1\",\"logs\":[" LOG_AT(
            A1, "[]", "0x01", "0x0") "," LOG_AT(A1, "[]", "0x0", "0x1") "]}",
        "{" RECEIPT_HEAD ",\"status\":\"0x1\",\"logs\":[" LOG_AT(
            A1, "[]", "0x01", "0x0") ",42]}",
        "[]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        serve_result("%s", bad[i]);
        check(bad[i], hc_rpc_get_receipt(rpc, h, &r, &st), &st,
              HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
        assert_null(r.logs);
    }
    recovers("hostile receipts");
}

static void test_transaction(void **state)
{
    (void)state;
    hc_rpc_status st;
    hc_txinfo t;
    uint8_t h[32];
    unhex(h, 32, H1);
    serve_result("{\"hash\":\"" H1 "\",\"from\":\"" A2 "\",\"nonce\":\"0x7\","
                 "\"blockNumber\":null,\"blockHash\":null}");
    assert_int_equal(hc_rpc_get_transaction(rpc, h, &t, &st), HC_OK);
    expect_request("eth_getTransactionByHash", "[\"" H1 "\"]");
    assert_hex(t.hash, 32, H1);
    assert_hex(t.from.b, 20, A2);
    assert_int_equal(t.nonce, 7);
    assert_false(t.mined);

    serve_result("{\"hash\":\"" H1 "\",\"from\":\"" A2 "\",\"nonce\":\"0x7\","
                 "\"blockNumber\":\"0x10\",\"blockHash\":\"" H2 "\"}");
    assert_int_equal(hc_rpc_get_transaction(rpc, h, &t, &st), HC_OK);
    assert_true(t.mined);
    assert_int_equal(t.block_number, 16);

    serve_result("null");
    assert_int_equal(hc_rpc_get_transaction(rpc, h, &t, &st), HC_ERR_NOT_FOUND);

    const char *bad[] = {
        "{\"hash\":\"" H1 "\",\"from\":\"" A2 "\",\"nonce\":7}",
        "{\"hash\":\"" H1 "\",\"from\":\"0x00\",\"nonce\":\"0x7\"}",
        "{\"hash\":\"" H1 "\",\"from\":\"" A2 "\",\"nonce\":\"0x7\","
        "\"blockNumber\":\"pending\"}",
        "{\"hash\":\"" H1 "\",\"from\":\"" A2 "\",\"nonce\":"
        "\"0x10000000000000000\"}",
        "\"" H1 "\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        serve_result("%s", bad[i]);
        check(bad[i], hc_rpc_get_transaction(rpc, h, &t, &st), &st,
              HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    }
    recovers("hostile transactions");
}

static void test_get_logs(void **state)
{
    (void)state;
    hc_rpc_status st;
    hc_address a;
    unhex(a.b, 20, A1);
    uint8_t t0[32];
    unhex(t0, 32, T0);
    hc_log_filter f = {
        .address = &a, .from_block = "0x1", .topics = {t0, NULL}, .ntopics = 2};
    hc_log *logs;
    size_t n;
    serve_result(
        "[" LOG_AT(A1, "[\"" T0 "\",\"" T1 "\"]", "0xff",
                   "0x0") "," LOG_AT(A1, "[\"" T0 "\"]", "0x", "0x1") "]");
    assert_int_equal(hc_rpc_get_logs(rpc, &f, 10, &logs, &n, &st), HC_OK);
    expect_request("eth_getLogs",
                   "[{\"address\":\"" A1 "\",\"fromBlock\":\"0x1\","
                   "\"toBlock\":\"latest\",\"topics\":[\"" T0 "\",null]}]");
    assert_int_equal(n, 2);
    assert_int_equal(logs[0].ntopics, 2);
    assert_hex(logs[0].data, logs[0].data_len, "0xff");
    assert_int_equal(logs[1].ntopics, 1);
    assert_int_equal(logs[1].block_number, 16);
    assert_hex(logs[1].tx_hash, 32, H1);
    assert_false(logs[1].removed);
    hc_logs_free(logs, n);

    /* too many logs for the caller's bound */
    assert_int_equal(hc_rpc_get_logs(rpc, &f, 1, &logs, &n, &st),
                     HC_ERR_BUFFER);
    assert_null(logs);

    hc_log_filter any = {0};
    serve_result("[]");
    assert_int_equal(hc_rpc_get_logs(rpc, &any, 10, &logs, &n, &st), HC_OK);
    assert_int_equal(n, 0);
    expect_request("eth_getLogs", "[{\"fromBlock\":\"earliest\","
                                  "\"toBlock\":\"latest\",\"topics\":[]}]");
    hc_log_filter five = {.ntopics = 5};
    assert_int_equal(hc_rpc_get_logs(rpc, &five, 10, &logs, &n, &st),
                     HC_ERR_ARG);

    const char *bad[] = {
        "{}",
        "null",
        "[" LOG_AT(A1,
                   "[\"" T0 "\",\"" T0 "\",\"" T0 "\",\"" T0 "\",\"" T0 "\"]",
                   "0x", "0x0") "]",
        "[" LOG_AT(A1, "[]", "0xabc", "0x0") "]",
        "[" LOG_AT("0x1234", "[]", "0x", "0x0") "]",
        "[" LOG_AT(A1, "\"" T0 "\"", "0x", "0x0") "]",
        "[{\"address\":\"" A1 "\",\"topics\":[],\"data\":\"0x\"}]",
        "[" LOG_AT(A1, "[]", "0x", "0x0") ",[]]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        serve_result("%s", bad[i]);
        check(bad[i], hc_rpc_get_logs(rpc, &f, 10, &logs, &n, &st), &st,
              HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
        assert_null(logs);
        assert_int_equal(n, 0);
    }
    recovers("hostile logs");
}

static void test_generic_request(void **state)
{
    (void)state;
    hc_rpc_status st;
    cJSON *res = NULL;
    cJSON *params = cJSON_Parse("[\"0x1\",true]");
    serve_result("{\"a\":[1,2,3]}");
    assert_int_equal(hc_rpc_request(rpc, "x_any", params, &res, &st), HC_OK);
    expect_request("x_any", "[\"0x1\",true]");
    assert_true(cJSON_IsObject(res));
    cJSON_Delete(res);
    /* a null result is a result */
    serve_result("null");
    assert_int_equal(hc_rpc_request(rpc, "x_any", NULL, &res, &st), HC_OK);
    expect_request("x_any", "[]");
    assert_true(cJSON_IsNull(res));
    cJSON_Delete(res);
    cJSON_Delete(params);
    assert_int_equal(hc_rpc_request(NULL, "x", NULL, &res, &st), HC_ERR_ARG);
    assert_int_equal(hc_rpc_request(rpc, NULL, NULL, &res, &st), HC_ERR_ARG);

    hc_rpc *r2;
    assert_int_equal(hc_rpc_open(&r2, "ftp://127.0.0.1/", NULL), HC_ERR_ARG);
    assert_int_equal(hc_rpc_open(&r2, "127.0.0.1:8545", NULL), HC_ERR_ARG);
    assert_int_equal(hc_rpc_open(&r2, NULL, NULL), HC_ERR_ARG);
}

/* ---- hostile answers ---------------------------------------------------- */

static void test_not_json_rpc(void **state)
{
    (void)state;
    const char *bodies[] = {
        "hello",
        "",
        "<html><body>502 Bad Gateway</body></html>",
        "[1,2]",
        "\"0x7a69\"",
        "null",
        "42",
        "[{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x7a69\"}]",
        "{\"id\":$ID,\"result\":\"0x7a69\"}",
        "{\"jsonrpc\":\"1.0\",\"id\":$ID,\"result\":\"0x7a69\"}",
        "{\"jsonrpc\":2.0,\"id\":$ID,\"result\":\"0x7a69\"}",
        "{\"jsonrpc\":\"2.0\",\"result\":\"0x7a69\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":\"0x7a69\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":999999,\"result\":\"0x7a69\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"$ID\",\"result\":\"0x7a69\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID.5,\"result\":\"0x7a69\"}",
        /* neither result nor error; both */
        "{\"jsonrpc\":\"2.0\",\"id\":$ID}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":null}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x7a69\",\"error\":{"
        "\"code\":-32000,\"message\":\"nonce too low\"}}",
        /* error objects that are not */
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":\"boom\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":[]}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":{\"message\":\"no code\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":{\"code\":-32000}}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":{\"code\":\"-32000\","
        "\"message\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":{\"code\":-32000,"
        "\"message\":42}}",
        /* truncated; trailing garbage */
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x7a",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x7a69\"} trailing",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x7a69\"}{}",
        /* results of the wrong type or range for a u64 quantity */
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":31337}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":1e400}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":null}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":true}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":[\"0x7a69\"]}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"7a69\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"31337\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0xg\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"-0x1\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\" 0x1\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x1 \"}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x10000000000000000\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x1000000000000000000000"
        "000000000000000000000000000000000000000000000\"}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        serve_body(200, "%s", bodies[i]);
        chain_id_fails(bodies[i], HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    }

    /* nesting deeper than any parser should follow */
    size_t depth = 20000;
    char *deep = malloc(2 * depth + 64);
    assert_non_null(deep);
    strcpy(deep, "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":");
    size_t l = strlen(deep);
    memset(deep + l, '[', depth);
    memset(deep + l + depth, ']', depth);
    strcpy(deep + l + 2 * depth, "}");
    serve((scenario){.act = ACT_REPLY, .body = deep});
    free(deep);
    chain_id_fails("deep nesting", HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);

    /* the same answer in chunked encoding is fine */
    serve((scenario){.act = ACT_CHUNKED,
                     .body = "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":"
                             "\"0x7a69\"}"});
    uint64_t v;
    assert_int_equal(hc_rpc_chain_id(rpc, &v, NULL), HC_OK);
    assert_int_equal(v, 31337);
}

static void test_bad_values(void **state)
{
    (void)state;
    hc_rpc_status st;
    uint8_t hash[32];
    const uint8_t raw[] = {0x01};
    hc_address a;
    unhex(a.b, 20, A1);

    /* hashes of the wrong length or form */
    const char *hashes[] = {
        "\"0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a71394\"",
        "\"" H1 "00\"",
        "\"" H1 "0\"",
        "\"88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b\"",
        "\"0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a71394zz"
        "\"",
        "\"0x\"",
        "null",
        "{\"hash\":\"" H1 "\"}",
    };
    for (size_t i = 0; i < sizeof hashes / sizeof *hashes; i++) {
        serve_result("%s", hashes[i]);
        check(hashes[i],
              hc_rpc_send_raw_transaction(rpc, raw, sizeof raw, hash, &st), &st,
              HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    }
    recovers("bad hashes");

    /* a quantity of 65 significant hex digits overflows even a u256 */
    hc_u256 b;
    char q[80] = "\"0x1";
    memset(q + 4, '0', 64);
    strcpy(q + 68, "\"");
    serve_result("%s", q);
    check("65 hex digits", hc_rpc_get_balance(rpc, &a, NULL, &b, &st), &st,
          HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    /* a u256 where a u64 is expected (gas, nonce) */
    uint64_t v;
    serve_result("\"0x10000000000000000\"");
    check("2^64 gas",
          hc_rpc_estimate_gas(rpc, NULL, &a, NULL, 0, NULL, &v, &st), &st,
          HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    check("2^64 nonce", hc_rpc_get_transaction_count(rpc, &a, NULL, &v, &st),
          &st, HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);

    /* data: odd hex, no prefix, not hex, not a string; too large for out */
    hc_buf out;
    hc_buf_init(&out, 4, 0);
    const char *data[] = {"\"0x123\"", "\"1234\"", "\"0x12zz\"",
                          "12",        "null",     "\"0x0102030405\""};
    for (size_t i = 0; i < sizeof data / sizeof *data; i++) {
        hc_buf_reset(&out);
        serve_result("%s", data[i]);
        check(data[i], hc_rpc_call(rpc, NULL, &a, NULL, 0, NULL, &out, &st),
              &st, HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
        hc_buf_reset(&out);
        check(data[i], hc_rpc_get_code(rpc, &a, NULL, &out, &st), &st,
              HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    }
    hc_buf_free(&out);
    recovers("bad values");
}

static void test_size_bound(void **state)
{
    (void)state;
    hc_rpc_status st;
    uint64_t v;
    /* exactly max_response bytes: accepted */
    char *body = malloc(MAX_RESPONSE + 64);
    assert_non_null(body);
    const char *head = "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x7a69\"";
    /* the answer's length depends on the id of the next request */
    recovers("size: before");
    pthread_mutex_lock(&srv.mu);
    double next_id = cJSON_GetObjectItem(srv.req, "id")->valuedouble + 1;
    pthread_mutex_unlock(&srv.mu);
    char ids[32];
    int idl = snprintf(ids, sizeof ids, "%.0f", next_id);
    size_t hl = strlen(head) - 3 + (size_t)idl;
    memcpy(body, head, strlen(head));
    memset(body + strlen(head), ' ', MAX_RESPONSE - hl - 1);
    body[strlen(head) + MAX_RESPONSE - hl - 1] = '}';
    body[strlen(head) + MAX_RESPONSE - hl] = 0;
    serve((scenario){.act = ACT_REPLY, .body = body});
    assert_int_equal(hc_rpc_chain_id(rpc, &v, &st), HC_OK);
    assert_int_equal(v, 31337);

    /* one byte more: too large */
    body[strlen(head) + MAX_RESPONSE - hl - 1] = ' ';
    body[strlen(head) + MAX_RESPONSE - hl] = '}';
    body[strlen(head) + MAX_RESPONSE - hl + 1] = 0;
    serve((scenario){.act = ACT_REPLY, .body = body});
    check("max_response + 1", hc_rpc_chain_id(rpc, &v, &st), &st,
          HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    free(body);
    recovers("max_response + 1");

    /* a megabyte of headers (max_response bounds the body only): libcurl
     * caps a response's headers (300 kB since 7.84) and gives up */
    size_t npad = 4096, padl = 256;
    char *hdrs = malloc(npad * (padl + 12) + 256), *h = hdrs;
    assert_non_null(hdrs);
    h += sprintf(h, "HTTP/1.1 200 OK\r\n");
    for (size_t i = 0; i < npad; i++) {
        h += sprintf(h, "X-Pad: ");
        memset(h, 'p', padl);
        h += padl;
        h += sprintf(h, "\r\n");
    }
    sprintf(h, "Content-Length: 41\r\n\r\n"
               "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x1\"}");
    serve((scenario){.act = ACT_RAW, .body = hdrs, .close = 1});
    free(hdrs);
    double t1 = now_ms();
    check("1 MiB of headers", hc_rpc_chain_id(rpc, &v, &st), &st,
          HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    assert_true(now_ms() - t1 < TIMEOUT_MS);
    recovers("1 MiB of headers");

    /* 256 MiB announced and streamed: the client stops reading early */
    const action huge[] = {ACT_HUGE, ACT_HUGE_NOLEN};
    for (int i = 0; i < 2; i++) {
        serve((scenario){.act = huge[i], .huge = (size_t)256 << 20});
        double t0 = now_ms();
        check(i ? "huge, until close" : "huge, Content-Length",
              hc_rpc_chain_id(rpc, &v, &st), &st, HC_ERR_RPC_MALFORMED,
              HC_RPC_MALFORMED);
        assert_true(now_ms() - t0 < TIMEOUT_MS);
        assert_non_null(strstr(st.message, "too large"));
        recovers("huge answer"); /* the server has finished sending */
        pthread_mutex_lock(&srv.mu);
        size_t sent = srv.sent;
        pthread_mutex_unlock(&srv.mu);
        /* what the server could push before the client hung up: the
         * bound plus socket buffers, nowhere near 256 MiB */
        if (sent > (size_t)32 << 20)
            fail_msg("the server sent %zu bytes before the client quit", sent);
    }
}

static void expect_timeout(const char *what)
{
    hc_rpc_status st;
    uint64_t v;
    double t0 = now_ms();
    hc_err err = hc_rpc_chain_id(rpc, &v, &st);
    double took = now_ms() - t0;
    check(what, err, &st, HC_ERR_RPC_TIMEOUT, HC_RPC_TIMEOUT);
    if (took < TIMEOUT_MS * 0.9 || took > TIMEOUT_MS + 1500)
        fail_msg("%s: the call took %.0f ms (timeout %d ms)", what, took,
                 TIMEOUT_MS);
    assert_true(st.elapsed_ms >= TIMEOUT_MS * 0.9);
    recovers(what);
}

static void test_slow(void **state)
{
    (void)state;
    const char *ok = "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x7a69\"}";
    /* sleeps five times the timeout before answering */
    serve((scenario){.act = ACT_SLEEP, .delay_ms = 5 * TIMEOUT_MS, .body = ok});
    expect_timeout("sleeping server");
    /* a byte every 100 ms: every read makes progress, the whole does not */
    serve((scenario){.act = ACT_TRICKLE, .delay_ms = 100, .body = ok});
    expect_timeout("trickling server");
    /* headers, then nothing */
    serve((scenario){.act = ACT_NO_BODY, .body = ok});
    expect_timeout("headers without body");
    /* Content-Length longer than the body, connection kept open */
    serve((scenario){.act = ACT_CL_LONG, .delta = 10, .body = ok});
    expect_timeout("Content-Length too long");

    /* a slow answer within the timeout is fine */
    serve((scenario){.act = ACT_SLEEP, .delay_ms = TIMEOUT_MS / 3, .body = ok});
    uint64_t v;
    assert_int_equal(hc_rpc_chain_id(rpc, &v, NULL), HC_OK);
}

static void test_transport(void **state)
{
    (void)state;
    hc_rpc_status st;
    uint64_t v;
    const char *ok = "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x7a69\"}";

    /* accepts, reads the request, closes without a word */
    serve((scenario){.act = ACT_CLOSE});
    chain_id_fails("closed without answer", HC_ERR_RPC_UNREACHABLE,
                   HC_RPC_UNREACHABLE);

    /* not HTTP at all */
    serve((scenario){.act = ACT_RAW, .body = "garbage\r\n\r\n", .close = 1});
    chain_id_fails("not HTTP", HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    serve((scenario){.act = ACT_RAW,
                     .body = "HTTP/9.7 200 OK\r\nContent-Length: 2\r\n\r\n{}",
                     .close = 1});
    chain_id_fails("HTTP/9.7", HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    /* Content-Length longer than the body, then close */
    serve((scenario){.act = ACT_CL_LONG, .delta = 10, .body = ok, .close = 1});
    chain_id_fails("body cut short", HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    /* Content-Length shorter than the body: the answer is cut, JSON
     * incomplete; the excess must not be taken for the next answer */
    serve((scenario){.act = ACT_CL_SHORT, .delta = 5, .body = ok});
    chain_id_fails("Content-Length short", HC_ERR_RPC_MALFORMED,
                   HC_RPC_MALFORMED);
    /* the same with the excess arriving on the idle connection later */
    serve((scenario){
        .act = ACT_CL_LATE, .delta = 5, .delay_ms = 100, .body = ok});
    check("late excess", hc_rpc_chain_id(rpc, &v, &st), &st,
          HC_ERR_RPC_MALFORMED, HC_RPC_MALFORMED);
    usleep(300 * 1000);
    recovers("late excess");
    recovers("twice");

    /* nothing listens on the port */
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    close(fd);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
    hc_rpc *dead;
    hc_rpc_opts o = {.timeout_ms = TIMEOUT_MS};
    assert_int_equal(hc_rpc_open(&dead, url, &o), HC_OK);
    double t0 = now_ms();
    check("nothing listening", hc_rpc_chain_id(dead, &v, &st), &st,
          HC_ERR_RPC_UNREACHABLE, HC_RPC_UNREACHABLE);
    assert_true(now_ms() - t0 < TIMEOUT_MS);
    assert_int_equal(st.http_status, 0);
    hc_rpc_close(dead);
}

static void test_http_status(void **state)
{
    (void)state;
    hc_rpc_status st;
    uint64_t v;
    serve_body(500, "internal error");
    check("500", hc_rpc_chain_id(rpc, &v, &st), &st, HC_ERR_RPC_HTTP,
          HC_RPC_HTTP);
    assert_int_equal(st.http_status, 500);
    recovers("500");
    serve_body(503, "<html>Service Unavailable</html>");
    chain_id_fails("503", HC_ERR_RPC_HTTP, HC_RPC_HTTP);
    serve_body(302, "%s", "");
    chain_id_fails("302 (not followed)", HC_ERR_RPC_HTTP, HC_RPC_HTTP);
    /* a well-formed result with an error status is still an error */
    serve_body(500, "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x7a69\"}");
    chain_id_fails("500 with a result", HC_ERR_RPC_HTTP, HC_RPC_HTTP);

    serve_body(429, "Too Many Requests");
    check("429", hc_rpc_chain_id(rpc, &v, &st), &st, HC_ERR_RPC_HTTP,
          HC_RPC_RATE_LIMITED);
    assert_int_equal(st.http_status, 429);
    recovers("429");
    /* Alchemy's 429: a JSON-RPC error with code 429 and a message that
     * never says "rate limit" */
    serve_body(429, "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":{\"code\":429,"
                    "\"message\":\"Your app has exceeded its compute units "
                    "per second capacity.\"}}");
    check("429 with JSON", hc_rpc_chain_id(rpc, &v, &st), &st, HC_ERR_RPC,
          HC_RPC_RATE_LIMITED);
    recovers("429 with JSON");

    /* HTTP 400 carrying a JSON-RPC error: classified as that error */
    serve_body(400, "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":{\"code\":"
                    "-32602,\"message\":\"invalid argument 0: hex string "
                    "without 0x prefix\"}}");
    check("400 + invalid params", hc_rpc_chain_id(rpc, &v, &st), &st,
          HC_ERR_RPC, HC_RPC_ERROR);
    assert_int_equal(st.code, -32602);
    assert_int_equal(st.http_status, 400);
    recovers("400");
    serve_body(400, "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":{\"code\":"
                    "-32000,\"message\":\"nonce too low\"}}");
    chain_id_fails("400 + nonce too low", HC_ERR_RPC, HC_RPC_NONCE_TOO_LOW);
    serve_body(500, "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":{\"code\":3,"
                    "\"message\":\"execution reverted\",\"data\":"
                    "\"0x01020304\"}}");
    check("500 + revert", hc_rpc_chain_id(rpc, &v, &st), &st, HC_ERR_RPC,
          HC_RPC_REVERTED);
    assert_hex(st.revert, st.revert_len, "0x01020304");
    recovers("500 + revert");
}

/* ---- JSON-RPC errors of real nodes -------------------------------------- */

/* Error(string) for "insufficient funds": a contract's own revert reason */
#define ERR_STRING_INSUFFICIENT                                                \
    "0x08c379a0"                                                               \
    "0000000000000000000000000000000000000000000000000000000000000020"         \
    "0000000000000000000000000000000000000000000000000000000000000012"         \
    "696e73756666696369656e742066756e64730000000000000000000000000000"
#define CUSTOM_ERROR                                                           \
    "0xdeadbeef000000000000000000000000000000000000000000000000000000000000"   \
    "002a"

typedef struct node_error {
    const char *who; /* the client whose source has this message */
    int64_t code;
    const char *message;
    const char *data; /* JSON text, or NULL */
    hc_rpc_class cls;
    const char *revert; /* expected revert bytes ("0x…"), or NULL: none */
} node_error;

static const node_error node_errors[] = {
    /* go-ethereum: core/error.go, core/txpool/errors.go, internal/ethapi
     * (revertError: code 3, data = hex of the revert output) */
    {"geth", -32000,
     "nonce too low: address 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266, tx: 0 "
     "state: 3",
     NULL, HC_RPC_NONCE_TOO_LOW, NULL},
    {"geth", -32000,
     "nonce too high: address 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266, tx: "
     "9 state: 3",
     NULL, HC_RPC_NONCE_TOO_HIGH, NULL},
    {"geth", -32000, "replacement transaction underpriced", NULL,
     HC_RPC_REPLACEMENT_UNDERPRICED, NULL},
    {"geth", -32000, "already known", NULL, HC_RPC_ALREADY_KNOWN, NULL},
    {"geth", -32000,
     "insufficient funds for gas * price + value: address "
     "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf have 0 want 21000000000000",
     NULL, HC_RPC_INSUFFICIENT_FUNDS, NULL},
    {"geth", -32000,
     "max fee per gas less than block base fee: address "
     "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266, maxFeePerGas: 1, baseFee: "
     "875000000",
     NULL, HC_RPC_FEE_TOO_LOW, NULL},
    {"geth", -32000,
     "transaction underpriced: gas tip cap 1, minimum needed 1000000", NULL,
     HC_RPC_FEE_TOO_LOW, NULL},
    {"geth", -32000, "intrinsic gas too low: gas 20000, minimum needed 21000",
     NULL, HC_RPC_GAS_LIMIT, NULL},
    {"geth", -32000, "exceeds block gas limit", NULL, HC_RPC_GAS_LIMIT, NULL},
    {"geth", -32000, "gas required exceeds allowance (30000000)", NULL,
     HC_RPC_GAS_LIMIT, NULL},
    {"geth", 3, "execution reverted", "\"" CUSTOM_ERROR "\"", HC_RPC_REVERTED,
     CUSTOM_ERROR},
    {"geth", 3, "execution reverted: insufficient funds",
     "\"" ERR_STRING_INSUFFICIENT "\"", HC_RPC_REVERTED,
     ERR_STRING_INSUFFICIENT},
    {"geth", 3, "execution reverted: nonce too low", "\"0x08c379a0\"",
     HC_RPC_REVERTED, "0x08c379a0"},
    {"geth", 3, "execution reverted", NULL, HC_RPC_REVERTED, NULL},
    {"geth", -32601, "the method eth_foo does not exist/is not available", NULL,
     HC_RPC_METHOD_NOT_FOUND, NULL},
    /* anvil (foundry crates/anvil/src/eth/error.rs): pool and validation
     * errors are code -32003 "transaction rejected"; reverts are code 3 */
    {"anvil", -32003, "nonce too low", NULL, HC_RPC_NONCE_TOO_LOW, NULL},
    {"anvil", -32003, "Nonce too high", NULL, HC_RPC_NONCE_TOO_HIGH, NULL},
    {"anvil", -32003, "replacement transaction underpriced", NULL,
     HC_RPC_REPLACEMENT_UNDERPRICED, NULL},
    {"anvil", -32003, "transaction already imported", NULL,
     HC_RPC_ALREADY_KNOWN, NULL},
    {"anvil", -32003, "Insufficient funds for gas * price + value", NULL,
     HC_RPC_INSUFFICIENT_FUNDS, NULL},
    {"anvil", -32003, "max fee per gas less than block base fee", NULL,
     HC_RPC_FEE_TOO_LOW, NULL},
    {"anvil", -32000, "intrinsic gas too low", NULL, HC_RPC_GAS_LIMIT, NULL},
    {"anvil", -32000, "intrinsic gas too high -- CallerGasLimitMoreThanBlock",
     NULL, HC_RPC_GAS_LIMIT, NULL},
    {"anvil", 3, "execution reverted: custom error 0xdeadbeef: (42)",
     "\"" CUSTOM_ERROR "\"", HC_RPC_REVERTED, CUSTOM_ERROR},
    {"anvil", 3, "execution reverted: revert: insufficient funds",
     "\"" ERR_STRING_INSUFFICIENT "\"", HC_RPC_REVERTED,
     ERR_STRING_INSUFFICIENT},
    /* not "known transaction": a type anvil does not know */
    {"anvil", -32602, "Unknown transaction type not supported", NULL,
     HC_RPC_ERROR, NULL},
    /* hardhat / ganache-style: the revert bytes in {"data": …} */
    {"hardhat", -32603,
     "Error: VM Exception while processing transaction: reverted with custom "
     "error 'Foo(42)'",
     "{\"message\":\"reverted with custom error "
     "'Foo(42)'\",\"data\":\"" CUSTOM_ERROR "\"}",
     HC_RPC_REVERTED, CUSTOM_ERROR},
    /* besu: ethereum/api/.../jsonrpc/internal/response/RpcErrorType.java */
    {"besu", -32001, "Nonce too low", NULL, HC_RPC_NONCE_TOO_LOW, NULL},
    {"besu", -32006, "Nonce too high", NULL, HC_RPC_NONCE_TOO_HIGH, NULL},
    {"besu", -32000,
     "Transaction nonce is too distant from current sender nonce", NULL,
     HC_RPC_NONCE_TOO_HIGH, NULL},
    {"besu", -32000, "Replacement transaction underpriced", NULL,
     HC_RPC_REPLACEMENT_UNDERPRICED, NULL},
    {"besu", -32000, "Known transaction", NULL, HC_RPC_ALREADY_KNOWN, NULL},
    {"besu", -32004, "Upfront cost exceeds account balance", NULL,
     HC_RPC_INSUFFICIENT_FUNDS, NULL},
    {"besu", -32009, "Gas price below current base fee", NULL,
     HC_RPC_FEE_TOO_LOW, NULL},
    {"besu", -32009, "Gas price below configured minimum gas price", NULL,
     HC_RPC_FEE_TOO_LOW, NULL},
    {"besu", -32003, "Intrinsic gas exceeds gas limit", NULL, HC_RPC_GAS_LIMIT,
     NULL},
    {"besu", -32005, "Transaction gas limit exceeds block gas limit", NULL,
     HC_RPC_GAS_LIMIT, NULL},
    {"besu", -32000, "Execution reverted: insufficient funds",
     "\"" ERR_STRING_INSUFFICIENT "\"", HC_RPC_REVERTED,
     ERR_STRING_INSUFFICIENT},
    {"besu", -32601, "Method not found", NULL, HC_RPC_METHOD_NOT_FOUND, NULL},
    /* erigon: eth_sendRawTransaction says "<ImportResult>: <DiscardReason>"
     * (turbo/jsonrpc/send_transaction.go, txpool/txpoolcfg) */
    {"erigon", -32000, "INTERNAL_ERROR: nonce too low", NULL,
     HC_RPC_NONCE_TOO_LOW, NULL},
    {"erigon", -32000, "ALREADY_EXISTS: already known", NULL,
     HC_RPC_ALREADY_KNOWN, NULL},
    {"erigon", -32000, "INTERNAL_ERROR: existing txn with same hash", NULL,
     HC_RPC_ALREADY_KNOWN, NULL},
    {"erigon", -32000, "FEE_TOO_LOW: replacement transaction underpriced", NULL,
     HC_RPC_REPLACEMENT_UNDERPRICED, NULL},
    {"erigon", -32000, "INTERNAL_ERROR: could not replace existing tx", NULL,
     HC_RPC_REPLACEMENT_UNDERPRICED, NULL},
    {"erigon", -32000, "FEE_TOO_LOW: underpriced", NULL, HC_RPC_FEE_TOO_LOW,
     NULL},
    {"erigon", -32000, "FEE_TOO_LOW: fee too low", NULL, HC_RPC_FEE_TOO_LOW,
     NULL},
    {"erigon", -32000, "INTERNAL_ERROR: insufficient funds", NULL,
     HC_RPC_INSUFFICIENT_FUNDS, NULL},
    {"erigon", -32000, "INTERNAL_ERROR: IntrinsicGas", NULL, HC_RPC_GAS_LIMIT,
     NULL},
    {"erigon", 3, "execution reverted", "\"" CUSTOM_ERROR "\"", HC_RPC_REVERTED,
     CUSTOM_ERROR},
    /* nethermind before 1.31 (Nethermind.TxPool/AcceptTxResult.cs: the
     * result's name, then details); -32010 is "transaction rejected" */
    {"nethermind", -32010,
     "OldNonce, Current nonce: 3, nonce of rejected tx: 0", NULL,
     HC_RPC_NONCE_TOO_LOW, NULL},
    {"nethermind", -32010, "NonceGap, Future nonce. Expected nonce: 3", NULL,
     HC_RPC_NONCE_TOO_HIGH, NULL},
    {"nethermind", -32010, "AlreadyKnown", NULL, HC_RPC_ALREADY_KNOWN, NULL},
    {"nethermind", -32010, "ReplacementNotAllowed", NULL,
     HC_RPC_REPLACEMENT_UNDERPRICED, NULL},
    {"nethermind", -32010,
     "InsufficientFunds, Account balance: 0, cumulative cost: 21000", NULL,
     HC_RPC_INSUFFICIENT_FUNDS, NULL},
    {"nethermind", -32010, "FeeTooLow, MaxFeePerGas too low. MaxFeePerGas: 1",
     NULL, HC_RPC_FEE_TOO_LOW, NULL},
    {"nethermind", -32010,
     "GasLimitExceeded, Gas limit: 30000000, gas limit of rejected tx: "
     "40000000",
     NULL, HC_RPC_GAS_LIMIT, NULL},
    /* nethermind 1.31+: geth's phrases (TxPoolErrorMessages.cs) */
    {"nethermind", -32010, "nonce too low", NULL, HC_RPC_NONCE_TOO_LOW, NULL},
    {"nethermind", -32010, "insufficient funds for gas * price + value", NULL,
     HC_RPC_INSUFFICIENT_FUNDS, NULL},
    {"nethermind", 3, "execution reverted: insufficient funds",
     "\"" ERR_STRING_INSUFFICIENT "\"", HC_RPC_REVERTED,
     ERR_STRING_INSUFFICIENT},
    /* rate limits (Infura: -32005) */
    {"infura", -32005, "daily request count exceeded, request rate limited",
     NULL, HC_RPC_RATE_LIMITED, NULL},
    {"any", -32000, "header not found", NULL, HC_RPC_ERROR, NULL},
    /* revert data that cannot be kept: odd hex, not hex, too long */
    {"hostile", 3, "execution reverted", "\"0x123\"", HC_RPC_REVERTED, NULL},
    {"hostile", 3, "execution reverted", "\"Reverted 0x01\"", HC_RPC_REVERTED,
     NULL},
    {"hostile", 3, "execution reverted", "42", HC_RPC_REVERTED, NULL},
    {"hostile", 3, "execution reverted", "{\"data\":[1]}", HC_RPC_REVERTED,
     NULL},
    /* an unknown error with revert-like data is taken as a revert */
    {"hostile", -32000, "something", "\"0x01\"", HC_RPC_REVERTED, "0x01"},
};

static void test_node_errors(void **state)
{
    (void)state;
    hc_address to;
    unhex(to.b, 20, A1);
    hc_buf out;
    hc_buf_init(&out, 1024, 0);
    int bad = 0;
    for (size_t i = 0; i < sizeof node_errors / sizeof *node_errors; i++) {
        const node_error *e = &node_errors[i];
        char what[300];
        snprintf(what, sizeof what, "%s: %lld \"%s\"", e->who,
                 (long long)e->code, e->message);
        /* the classifier alone (no revert data: by code and message) */
        hc_rpc_class alone = hc_rpc_classify(e->code, e->message);
        if ((e->cls != HC_RPC_REVERTED || e->code == 3 ||
             strstr(e->message, "everted")) &&
            alone != e->cls) {
            print_error("%s: hc_rpc_classify gave %s, want %s\n", what,
                        hc_rpc_class_name(alone), hc_rpc_class_name(e->cls));
            bad++;
        }

        /* the whole way: an eth_call answered with that error */
        hc_rpc_status st;
        hc_buf_reset(&out);
        serve_error(e->code, e->message, e->data);
        hc_err err = hc_rpc_call(rpc, NULL, &to, NULL, 0, NULL, &out, &st);
        char *rev = hc_hex_encode_alloc(st.revert, st.revert_len, 1);
        assert_non_null(rev);
        if (err != HC_ERR_RPC || st.cls != e->cls || st.code != e->code ||
            strcmp(st.message, e->message) != 0 ||
            strcmp(rev, e->revert ? e->revert : "0x") != 0 || out.len) {
            print_error("%s: got %s / %s, code %lld, revert %s\n", what,
                        hc_strerror(err), hc_rpc_class_name(st.cls),
                        (long long)st.code, rev);
            bad++;
        }
        free(rev);
    }
    if (bad)
        fail_msg("%d node errors misread", bad);
    hc_buf_free(&out);

    /* revert data longer than HC_RPC_REVERT_MAX is not kept (the class is) */
    size_t n = 2 * (HC_RPC_REVERT_MAX + 1);
    char *big = malloc(n + 8);
    assert_non_null(big);
    strcpy(big, "\"0x");
    memset(big + 3, 'a', n);
    strcpy(big + 3 + n, "\"");
    serve_error(3, "execution reverted", big);
    free(big);
    hc_rpc_status st;
    uint64_t v;
    check("huge revert data", hc_rpc_chain_id(rpc, &v, &st), &st, HC_ERR_RPC,
          HC_RPC_REVERTED);
    assert_int_equal(st.revert_len, 0);

    /* a message longer than st.message is truncated, not overflowed */
    char longmsg[1000];
    memset(longmsg, 'x', sizeof longmsg - 1);
    memcpy(longmsg, "nonce too low ", 14);
    longmsg[sizeof longmsg - 1] = 0;
    serve_error(-32000, longmsg, NULL);
    check("long message", hc_rpc_chain_id(rpc, &v, &st), &st, HC_ERR_RPC,
          HC_RPC_NONCE_TOO_LOW);
    assert_int_equal(strlen(st.message), sizeof st.message - 1);
    /* a huge or fractional error code */
    serve_body(200, "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":{\"code\":1e300,"
                    "\"message\":\"x\"}}");
    check("code 1e300", hc_rpc_chain_id(rpc, &v, &st), &st, HC_ERR_RPC,
          HC_RPC_ERROR);
    assert_int_equal(st.code, 0);
    recovers("node errors");

    assert_string_equal(hc_rpc_class_name(HC_RPC_REVERTED), "reverted");
    assert_string_equal(hc_rpc_class_name(HC_RPC_CLASS_END), "unknown");
    assert_string_equal(hc_rpc_class_name((hc_rpc_class)-1), "unknown");
    assert_int_equal(hc_rpc_classify(0, NULL), HC_RPC_ERROR);
}

/* Calls from several threads share the handle (calls are serialised). */
/* The last request, re-printed compactly (caller frees). */
static char *last_request(void)
{
    pthread_mutex_lock(&srv.mu);
    char *s = srv.req ? cJSON_PrintUnformatted(srv.req) : strdup("(none)");
    pthread_mutex_unlock(&srv.mu);
    assert_non_null(s);
    return s;
}

static void batch_of(hc_rpc_batch_item *it, cJSON **params, size_t n)
{
    static const char *const methods[] = {"eth_chainId", "eth_blockNumber",
                                          "eth_getBalance"};
    for (size_t i = 0; i < n; i++) {
        params[i] = cJSON_Parse(i == 2 ? "[\"" A1 "\",\"latest\"]" : "[]");
        assert_non_null(params[i]);
        it[i] =
            (hc_rpc_batch_item){.method = methods[i % 3], .params = params[i]};
    }
}

static void batch_free(hc_rpc_batch_item *it, cJSON **params, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cJSON_Delete(it[i].result);
        cJSON_Delete(params[i]);
    }
}

static void test_batch(void **state)
{
    (void)state;
    hc_rpc_status st;
    hc_rpc_batch_item it[3];
    cJSON *params[3];

    /* answers out of order, one of them an error */
    batch_of(it, params, 3);
    unsigned before = server_count(&srv.requests);
    serve_body(200,
               "[{\"jsonrpc\":\"2.0\",\"id\":$ID+2,\"result\":\"0x10\"},"
               "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x7a69\"},"
               "{\"jsonrpc\":\"2.0\",\"id\":$ID+1,\"error\":{\"code\":-32000,"
               "\"message\":\"nonce too low\"}}]");
    assert_int_equal(hc_rpc_batch(rpc, it, 3, &st), HC_OK);
    assert_int_equal(server_count(&srv.requests), before + 1); /* one */
    char *req = last_request();
    assert_non_null(strstr(req, "\"method\":\"eth_chainId\",\"params\":[]"));
    assert_non_null(strstr(req,
                           "\"method\":\"eth_getBalance\",\"params\":[\"" A1
                           "\",\"latest\"]"));
    assert_true(req[0] == '[');
    free(req);
    assert_int_equal(it[0].err, HC_OK);
    assert_string_equal(it[0].result->valuestring, "0x7a69");
    assert_int_equal(it[1].err, HC_ERR_RPC);
    assert_int_equal(it[1].cls, HC_RPC_NONCE_TOO_LOW);
    assert_null(it[1].result);
    assert_int_equal(it[2].err, HC_OK);
    assert_string_equal(it[2].result->valuestring, "0x10");
    batch_free(it, params, 3);

    /* one answer missing, one twice, one for an id not asked: the missing
     * one is malformed, the rest stand; the handle goes on */
    batch_of(it, params, 3);
    serve_body(200, "[{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x1\"},"
                    "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x2\"},"
                    "{\"jsonrpc\":\"2.0\",\"id\":$ID+7,\"result\":\"0x3\"},"
                    "{\"jsonrpc\":\"2.0\",\"id\":$ID+2,\"result\":\"0x4\"}]");
    assert_int_equal(hc_rpc_batch(rpc, it, 3, &st), HC_OK);
    assert_int_equal(it[0].err, HC_OK);
    assert_string_equal(it[0].result->valuestring, "0x1");
    assert_int_equal(it[1].err, HC_ERR_RPC_MALFORMED);
    assert_int_equal(it[1].cls, HC_RPC_MALFORMED);
    assert_null(it[1].result);
    assert_string_equal(it[2].result->valuestring, "0x4");
    batch_free(it, params, 3);
    recovers("a batch with an answer missing");

    /* 300 answers for one id: the first counts, none leaks */
    {
        static char many[300 * 48 + 64];
        size_t at = 0;
        at += (size_t)sprintf(many + at, "[");
        for (int k = 0; k < 300; k++)
            at += (size_t)sprintf(many + at,
                                  "%s{\"jsonrpc\":\"2.0\",\"id\":$ID,"
                                  "\"result\":\"0x%x\"}",
                                  k ? "," : "", k + 1);
        sprintf(many + at, "]");
        batch_of(it, params, 1);
        serve((scenario){.act = ACT_REPLY, .body = many});
        assert_int_equal(hc_rpc_batch(rpc, it, 1, &st), HC_OK);
        assert_string_equal(it[0].result->valuestring, "0x1");
        batch_free(it, params, 1);
    }

    /* the whole request fails: every item carries the error, and the
     * next batch is still sent as a batch */
    const struct {
        scenario sc;
        hc_err want;
    } whole[] = {
        {{.act = ACT_REPLY, .status = 500, .body = "oops"}, HC_ERR_RPC_HTTP},
        {{.act = ACT_REPLY, .body = "[{\"jsonrpc\":\"2.0\""},
         HC_ERR_RPC_MALFORMED},
        {{.act = ACT_REPLY, .body = "{\"jsonrpc\":\"2.0\",\"id\":$ID}"},
         HC_ERR_RPC_MALFORMED},
        {{.act = ACT_REPLY,
          .body = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":"
                  "-32603,\"message\":\"internal error\"}}"},
         HC_ERR_RPC},
        {{.act = ACT_CLOSE}, HC_ERR_RPC_MALFORMED},
    };
    for (size_t k = 0; k < sizeof whole / sizeof *whole; k++) {
        batch_of(it, params, 3);
        serve(whole[k].sc);
        hc_err err = hc_rpc_batch(rpc, it, 3, &st);
        if (err != whole[k].want && !(whole[k].sc.act == ACT_CLOSE && err))
            fail_msg("case %zu: %s", k, hc_strerror(err));
        for (size_t i = 0; i < 3; i++) {
            assert_int_equal(it[i].err, err);
            assert_null(it[i].result);
        }
        batch_free(it, params, 3);
        recovers("a failed batch");
        batch_of(it, params, 1);
        serve_body(200,
                   "[{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":\"0x5\"}]");
        assert_int_equal(hc_rpc_batch(rpc, it, 1, &st), HC_OK);
        assert_string_equal(it[0].result->valuestring, "0x5");
        req = last_request();
        assert_true(req[0] == '['); /* still a batch */
        free(req);
        batch_free(it, params, 1);
    }

    /* bad arguments; an empty batch sends nothing */
    batch_of(it, params, 1);
    before = server_count(&srv.requests);
    assert_int_equal(hc_rpc_batch(rpc, it, 0, &st), HC_OK);
    assert_int_equal(hc_rpc_batch(rpc, it, HC_RPC_BATCH_MAX + 1, &st),
                     HC_ERR_ARG);
    it[0].method = NULL;
    assert_int_equal(hc_rpc_batch(rpc, it, 1, &st), HC_ERR_ARG);
    assert_int_equal(server_count(&srv.requests), before);
    batch_free(it, params, 1);
}

/* A node that refuses batches gets one call at a time, from then on. */
static void test_batch_refused(void **state)
{
    (void)state;
    /* refusals: this error object, then HTTP 405, then HTTP 413 */
    static const char refusal[] =
        "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"error\":{\"code\":-32600,"
        "\"message\":\"batch requests are not supported\"}}";
    for (size_t k = 0; k < 3; k++) {
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/", srv.port);
        hc_rpc_opts o = {.timeout_ms = TIMEOUT_MS,
                         .connect_timeout_ms = TIMEOUT_MS,
                         .max_response = MAX_RESPONSE};
        hc_rpc *c;
        assert_int_equal(hc_rpc_open(&c, url, &o), HC_OK);
        hc_rpc_status st;
        hc_rpc_batch_item it[3];
        cJSON *params[3];
        batch_of(it, params, 3);
        /* every request gets this answer: the batch its refusal, then
         * each single call the same */
        if (k == 0)
            serve_body(200, "%s", refusal);
        else
            serve((scenario){
                .act = ACT_REPLY, .status = k == 1 ? 405 : 413, .body = "no"});
        unsigned before = server_count(&srv.requests);
        hc_err err = hc_rpc_batch(c, it, 3, &st);
        /* the batch, then single calls: each an answered error for the
         * first kind; the second and third kinds' HTTP error ends it after
         * the first single call (as a transport error would) */
        assert_int_equal(err, k == 0 ? HC_OK : HC_ERR_RPC_HTTP);
        assert_int_equal(server_count(&srv.requests),
                         before + (k == 0 ? 4 : 2));
        char *req = last_request();
        assert_true(req[0] == '{');
        free(req);
        for (size_t i = 0; i < 3; i++) {
            assert_int_equal(it[i].err, k == 0 ? HC_ERR_RPC : HC_ERR_RPC_HTTP);
            assert_null(it[i].result);
        }
        batch_free(it, params, 3);
        /* from then on singles, which work */
        batch_of(it, params, 2);
        serve_result("\"0x9\"");
        before = server_count(&srv.requests);
        assert_int_equal(hc_rpc_batch(c, it, 2, &st), HC_OK);
        assert_int_equal(server_count(&srv.requests), before + 2);
        assert_string_equal(it[0].result->valuestring, "0x9");
        assert_string_equal(it[1].result->valuestring, "0x9");
        expect_request("eth_blockNumber", "[]");
        batch_free(it, params, 2);
        hc_rpc_close(c);
    }
}

static void test_receipts(void **state)
{
    (void)state;
    hc_rpc_status st;
    uint8_t h[3][32];
    hc_receipt r[3];
    hc_err errs[3];
    unhex(h[0], 32, H1);
    unhex(h[1], 32, H2);
    unhex(h[2], 32, H1);
    serve_body(200, "[{\"jsonrpc\":\"2.0\",\"id\":$ID+1,\"result\":null},"
                    "{\"jsonrpc\":\"2.0\",\"id\":$ID,\"result\":{" RECEIPT_HEAD
                    ",\"status\":\"0x1\",\"to\":\"" A1 "\",\"contractAddress\":"
                    "null,\"effectiveGasPrice\":\"0x7\",\"logs\":[" LOG_AT(
                        A1, "[\"" T0 "\"]", "0x01",
                        "0x0") "]}},"
                               "{\"jsonrpc\":\"2.0\",\"id\":$ID+2,\"result\":{"
                               "\"status\":\"0x1\"}}]");
    assert_int_equal(hc_rpc_get_receipts(rpc, h, 3, r, errs, &st), HC_OK);
    char *req = last_request();
    assert_non_null(strstr(req, "\"method\":\"eth_getTransactionReceipt\","
                                "\"params\":[\"" H2 "\"]"));
    free(req);
    assert_int_equal(errs[0], HC_OK);
    assert_hex(r[0].tx_hash, 32, H1);
    assert_int_equal(r[0].block_number, 16);
    assert_int_equal(r[0].nlogs, 1);
    assert_true(r[0].effective_gas_price.w[0] == 7);
    assert_int_equal(errs[1], HC_ERR_NOT_FOUND);
    assert_int_equal(r[1].nlogs, 0);
    assert_int_equal(errs[2], HC_ERR_RPC_MALFORMED); /* fields missing */
    for (size_t i = 0; i < 3; i++)
        hc_receipt_free(&r[i]);

    /* the request fails: nothing filled */
    serve((scenario){.act = ACT_REPLY, .status = 502, .body = "bad gateway"});
    assert_int_equal(hc_rpc_get_receipts(rpc, h, 3, r, errs, &st),
                     HC_ERR_RPC_HTTP);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(errs[i], HC_ERR_RPC_HTTP);
        assert_null(r[i].logs);
    }
    recovers("a failed receipts batch");
}

static void *hammer(void *arg)
{
    int *bad = arg;
    for (int i = 0; i < 25; i++) {
        uint64_t v = 0;
        if (hc_rpc_chain_id(rpc, &v, NULL) != HC_OK || v != 31337)
            (*bad)++;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    serve_result("\"0x7a69\"");
    pthread_t th[4];
    int bad[4] = {0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, hammer, &bad[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(bad[i], 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_id_block_number),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_nonce_balance),
        cmocka_unit_test(test_send_raw),
        cmocka_unit_test(test_call_estimate_code),
        cmocka_unit_test(test_get_block),
        cmocka_unit_test(test_fee_history),
        cmocka_unit_test(test_receipt),
        cmocka_unit_test(test_transaction),
        cmocka_unit_test(test_get_logs),
        cmocka_unit_test(test_generic_request),
        cmocka_unit_test(test_not_json_rpc),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_size_bound),
        cmocka_unit_test(test_slow),
        cmocka_unit_test(test_transport),
        cmocka_unit_test(test_http_status),
        cmocka_unit_test(test_node_errors),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_batch_refused),
        cmocka_unit_test(test_receipts),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}

/* rpc_faultproxy — a JSON-RPC HTTP proxy for integration tests that injects
 * faults between a client (haechi's libcurl client, cast) and a node (anvil).
 *
 *   rpc_faultproxy --upstream http://127.0.0.1:PORT[/PATH] [--listen-port N]
 *       [--seed N] [--delay-ms MAX] [--delay-min-ms MIN] [--p-delay P]
 *       [--p-drop P] [--p-error P] [--p-http500 P] [--p-truncate P]
 *       [--p-drop-tx P] [--slow METHOD:MS] [--lag-receipts MS]
 *       [--strip-receipt-field NAME] [--max-body METHOD:BYTES]
 *       [--strip-block-field NAME] [--no-method METHOD]…
 *       [--refuse-typed-tx] [--port-file PATH] [--log]
 *
 * Listens on 127.0.0.1:N (0, the default: any free port), prints the port as
 * one line on stdout and, if asked, writes it to PATH (through a temporary
 * name and a rename: a reader sees the whole line or no file). Serves until
 * SIGTERM or SIGINT, then prints one summary line on stderr and exits 0:
 *
 *   rpc_faultproxy: seed=S requests=N delayed=N dropped=N dropped_after=N
 *       errors=N http500=N truncated=N txs_dropped=N upstream_failures=N
 *       lagged=N stripped=N too_large=N blocks_stripped=N
 *       no_method=N typed_refused=N
 *
 * (one line; dropped counts both kinds of drop, dropped_after those of them
 * that were forwarded first; txs_dropped counts transactions anvil really
 * removed from its pool; upstream_failures counts requests answered 502
 * because the node could not be reached.)
 *
 * Each HTTP/1.1 POST (Content-Length bodies, keep-alive, pipelining,
 * Expect: 100-continue, Connection: close) is forwarded to the upstream over
 * a kept connection, and the answer relayed, except that a request may get,
 * with the given probabilities:
 *   delay      sleep MIN..MAX ms (uniform; MIN defaults to 0) first; combines
 *              with any of the others;
 *   drop       (half of --p-drop) read, not forwarded, connection closed;
 *   drop-after (the other half) forwarded, then the connection closed without
 *              an answer: the call took effect but the client saw a failure;
 *   error      not forwarded; answered with the JSON-RPC error -32603
 *              "injected fault" with the request's id;
 *   http500    not forwarded; answered HTTP 500;
 *   truncate   forwarded; only the first half of the answer's body is sent
 *              (with the full Content-Length), then the connection closed;
 *   drop-tx    eth_sendRawTransaction only, when none of the above: forwarded;
 *              if the answer has a result (the hash), anvil_dropTransaction is
 *              called with it, and only then is the answer relayed — so the
 *              node has forgotten a transaction the client saw accepted
 *              (anvil keeps it only while it is pending: run it with automine
 *              off or a block time).
 * drop, error, http500 and truncate exclude one another: their probabilities
 * are shares of the requests, in that order (if they add up to more than 1,
 * the later ones get what is left). Methods starting with "anvil_" or "evm_",
 * batches (arrays) and bodies that are not JSON are never faulted or delayed.
 *
 * --slow METHOD:MS delays every request that calls METHOD, alone or in a
 * batch, by MS milliseconds before it is forwarded: a node slow at one
 * call, every time (outside the seeded faults above; counted in delayed).
 *
 * --lag-receipts MS answers null for a transaction's receipt until MS
 * milliseconds after the node first gave it (alone or in a batch; counted
 * in lagged): a receipt served by a node behind the one that answered the
 * transaction count, as behind a load balancer.
 *
 * --strip-receipt-field NAME removes the member NAME from every receipt
 * the node gives for eth_getTransactionReceipt (alone or in a batch;
 * counted in stripped): a node of an older kind, such as one before London
 * that leaves effectiveGasPrice out.
 *
 * --max-body METHOD:BYTES answers a request for METHOD (alone, not in a
 * batch) whose body is over BYTES with the JSON-RPC error -32600 "request
 * too large", unforwarded (counted in too_large): a provider that limits
 * what one call may carry.
 *
 * A node from before London (EIP-1559), or one that leaves its fee methods
 * out, for the fees' fallbacks; each of these applies to requests alone,
 * not in a batch, and is outside the seeded faults:
 *   --strip-block-field NAME removes the member NAME from the block that
 *       eth_getBlockByNumber or eth_getBlockByHash answers (counted in
 *       blocks_stripped): --strip-block-field baseFeePerGas, a block with
 *       no base fee;
 *   --no-method METHOD (up to 8 times) answers a request for METHOD with
 *       the JSON-RPC error -32601 "the method METHOD does not exist/is not
 *       available", unforwarded (counted in no_method);
 *   --refuse-typed-tx answers eth_sendRawTransaction of a typed transaction
 *       (EIP-2718: its first byte below 0x80; a legacy one is an RLP list,
 *       0xc0 and up) with the JSON-RPC error -32000 "transaction type not
 *       supported", unforwarded (counted in typed_refused).
 *
 * The faults of the n-th faultable request depend only on the seed and n (a
 * splitmix64 stream), so a client making the same calls one at a time sees
 * the same faults for the same seed. Without --seed the seed is chosen from
 * the clock and printed on stderr at start.
 *
 * Bounds: request bodies over 16 MiB are answered 413 and the connection
 * closed; heads over 64 KiB 431; a client connection idle for 60 s is
 * closed; at most 1024 client connections at once; node answers over
 * 256 MiB are answered 502. Only loopback upstreams (127.0.0.0/8) are
 * accepted.
 *
 * Exit status: 0 after a signal, 1 on a usage error, 2 if it cannot listen.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define MAX_BODY            ((size_t)16 << 20)
#define MAX_HEAD            ((size_t)64 << 10)
#define MAX_UPSTREAM_BODY   ((size_t)256 << 20)
#define IDLE_TIMEOUT_MS     60000
#define UPSTREAM_TIMEOUT_MS 300000
#define MAX_CONNS           1024

/* ---- options and global state ------------------------------------------ */

static struct {
    double p_delay, p_drop, p_error, p_http500, p_truncate, p_drop_tx;
    unsigned delay_min_ms, delay_max_ms;
    uint64_t seed;
    int listen_port;
    const char *port_file;
    int log;
    char slow_method[64]; /* --slow: requests calling it wait slow_ms */
    unsigned slow_ms;
    unsigned lag_ms;         /* --lag-receipts */
    const char *strip_field; /* --strip-receipt-field */
    char big_method[64];     /* --max-body: requests calling it over */
    size_t big_bytes;        /* big_bytes are refused */
    const char *strip_block; /* --strip-block-field */
    const char *no_method[8];
    size_t n_no_method;
    int refuse_typed; /* --refuse-typed-tx */
} opt;

static struct sockaddr_in up_addr;
static char up_host[64]; /* "127.0.0.1:PORT", for the Host header */
static char up_path[1024];

static atomic_int stopping;
static atomic_ullong n_requests, n_delayed, n_dropped, n_dropped_after,
    n_errors, n_http500, n_truncated, n_txs_dropped, n_upstream_failures,
    n_lagged, n_stripped, n_too_large, n_blocks_stripped, n_no_method,
    n_typed_refused;
static atomic_ullong n_faultable; /* index of the next faultable request */

/* Connections, so that a stop can shut every socket down. A socket is closed
 * only under the lock, so the stop never shuts down a reused descriptor. */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reg_cond = PTHREAD_COND_INITIALIZER;
static struct slot {
    int used, cfd, ufd;
} slots[MAX_CONNS];
static int n_active;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "rpc_faultproxy: %s\n", line);
}

static int slot_take(int cfd)
{
    int got = -1;
    pthread_mutex_lock(&reg_lock);
    if (!atomic_load(&stopping)) {
        for (int i = 0; i < MAX_CONNS; i++) {
            if (!slots[i].used) {
                slots[i] = (struct slot){1, cfd, -1};
                n_active++;
                got = i;
                break;
            }
        }
    }
    pthread_mutex_unlock(&reg_lock);
    return got;
}

/* registers a new upstream socket; -1 if stopping (the caller closes it) */
static int slot_set_upstream(int i, int ufd)
{
    int rc = -1;
    pthread_mutex_lock(&reg_lock);
    if (!atomic_load(&stopping)) {
        slots[i].ufd = ufd;
        rc = 0;
    }
    pthread_mutex_unlock(&reg_lock);
    return rc;
}

static void slot_close_upstream(int i)
{
    pthread_mutex_lock(&reg_lock);
    if (slots[i].ufd >= 0)
        close(slots[i].ufd);
    slots[i].ufd = -1;
    pthread_mutex_unlock(&reg_lock);
}

static void slot_release(int i)
{
    pthread_mutex_lock(&reg_lock);
    if (slots[i].ufd >= 0)
        close(slots[i].ufd);
    close(slots[i].cfd);
    slots[i] = (struct slot){0, -1, -1};
    n_active--;
    pthread_cond_broadcast(&reg_cond);
    pthread_mutex_unlock(&reg_lock);
}

/* ---- buffers and socket I/O -------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
};

static int buf_reserve(struct buf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return 0;
    size_t cap = b->cap ? b->cap : 16384;
    while (cap - b->len < extra)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    b->p[b->len] = '\0'; /* always a string, for sscanf */
    return 0;
}

static int buf_append(struct buf *b, const void *d, size_t n)
{
    if (buf_reserve(b, n + 1))
        return -1;
    memcpy(b->p + b->len, d, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static void buf_consume(struct buf *b, size_t n)
{
    if (!b->p)
        return;
    memmove(b->p, b->p + n, b->len - n + 1); /* with the '\0' */
    b->len -= n;
}

static void buf_free(struct buf *b)
{
    free(b->p);
    *b = (struct buf){0};
}

/* Reads what is available (waiting up to timeout_ms) into b: the number of
 * bytes, 0 at end of stream, -1 on an error or a timeout. */
static ssize_t read_some(int fd, struct buf *b, int timeout_ms)
{
    if (buf_reserve(b, 65536))
        return -1;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r;
    do
        r = poll(&pfd, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        return -1;
    ssize_t n;
    do
        n = recv(fd, b->p + b->len, b->cap - b->len - 1, 0);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        b->len += (size_t)n;
        b->p[b->len] = '\0';
    }
    return n;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* the offset just past the first "\r\n\r\n" in b, or 0 */
static size_t head_end(const struct buf *b)
{
    for (size_t i = 3; i < b->len; i++)
        if (b->p[i] == '\n' && b->p[i - 1] == '\r' && b->p[i - 2] == '\n' &&
            b->p[i - 3] == '\r')
            return i + 1;
    return 0;
}

/* ---- HTTP heads --------------------------------------------------------- */

/* Calls fn for each header line "Name: value" of a head (after its first
 * line), with the value trimmed. Returns -1 on a malformed line. */
typedef int (*header_fn)(const char *name, size_t nlen, const char *val,
                         size_t vlen, void *ctx);

static int each_header(const char *head, size_t len, header_fn fn, void *ctx)
{
    const char *p = memchr(head, '\n', len);
    const char *end = head + len;
    if (!p)
        return -1;
    p++;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            return -1;
        const char *le = eol;
        if (le > p && le[-1] == '\r')
            le--;
        if (le == p)
            break; /* the empty line */
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (!colon || colon == p)
            return -1;
        const char *v = colon + 1;
        while (v < le && (*v == ' ' || *v == '\t'))
            v++;
        const char *ve = le;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        if (fn(p, (size_t)(colon - p), v, (size_t)(ve - v), ctx))
            return -1;
        p = eol + 1;
    }
    return 0;
}

static int name_is(const char *name, size_t nlen, const char *want)
{
    return strlen(want) == nlen && strncasecmp(name, want, nlen) == 0;
}

/* whether the comma-separated list val holds token (case-insensitive) */
static int has_token(const char *val, size_t vlen, const char *token)
{
    size_t tl = strlen(token), i = 0;
    while (i < vlen) {
        while (i < vlen && (val[i] == ' ' || val[i] == '\t' || val[i] == ','))
            i++;
        size_t s = i;
        while (i < vlen && val[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (val[e - 1] == ' ' || val[e - 1] == '\t'))
            e--;
        if (e - s == tl && strncasecmp(val + s, token, tl) == 0)
            return 1;
    }
    return 0;
}

/* a decimal Content-Length; -1 if malformed */
static long long parse_length(const char *v, size_t n)
{
    if (n == 0 || n > 18)
        return -1;
    long long x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (v[i] - '0');
    }
    return x;
}

struct head_info {
    long long length; /* -1: none */
    int bad_length;
    int chunked, other_te;
    int conn_close, conn_keep_alive;
    int expect_continue, expect_other;
    char content_type[128];
};

static int on_header(const char *name, size_t nlen, const char *val,
                     size_t vlen, void *ctx)
{
    struct head_info *h = ctx;
    if (name_is(name, nlen, "Content-Length")) {
        long long n = parse_length(val, vlen);
        if (n < 0 || (h->length >= 0 && h->length != n))
            h->bad_length = 1;
        h->length = n;
    } else if (name_is(name, nlen, "Transfer-Encoding")) {
        if (has_token(val, vlen, "chunked"))
            h->chunked = 1;
        if (!(vlen == 7 && strncasecmp(val, "chunked", 7) == 0))
            h->other_te = 1;
    } else if (name_is(name, nlen, "Connection")) {
        if (has_token(val, vlen, "close"))
            h->conn_close = 1;
        if (has_token(val, vlen, "keep-alive"))
            h->conn_keep_alive = 1;
    } else if (name_is(name, nlen, "Expect")) {
        if (vlen == 12 && strncasecmp(val, "100-continue", 12) == 0)
            h->expect_continue = 1;
        else
            h->expect_other = 1;
    } else if (name_is(name, nlen, "Content-Type")) {
        if (vlen < sizeof h->content_type) {
            memcpy(h->content_type, val, vlen);
            h->content_type[vlen] = '\0';
        }
    }
    return 0;
}

static int parse_head(const char *head, size_t len, struct head_info *h)
{
    memset(h, 0, sizeof *h);
    h->length = -1;
    return each_header(head, len, on_header, h);
}

/* ---- answers to the client ---------------------------------------------- */

static int send_answer(int fd, int status, const char *reason,
                       const char *ctype, const char *body, size_t len,
                       size_t claimed_len, int close_after)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Type: %s\r\n"
                     "Content-Length: %zu\r\n"
                     "%s"
                     "\r\n",
                     status, reason, ctype, claimed_len,
                     close_after ? "Connection: close\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof head)
        return -1;
    if (write_all(fd, head, (size_t)n))
        return -1;
    return len ? write_all(fd, body, len) : 0;
}

static int send_text(int fd, int status, const char *reason, const char *text,
                     int close_after)
{
    return send_answer(fd, status, reason, "text/plain", text, strlen(text),
                       strlen(text), close_after);
}

/* Answers a request it will not read (status 4xx/5xx) and ends the
 * connection: closing with the client's bytes unread would reset it, and
 * the client might lose the answer, so what it still sends is read and
 * discarded for a while (up to 1 s of silence, 64 MiB) first. */
static void refuse(int fd, int status, const char *reason, const char *text)
{
    if (send_text(fd, status, reason, text, 1))
        return;
    shutdown(fd, SHUT_WR);
    char sink[16384];
    size_t total = 0;
    while (total < ((size_t)64 << 20) && !atomic_load(&stopping)) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 1000) <= 0)
            break;
        ssize_t n = recv(fd, sink, sizeof sink, 0);
        if (n <= 0)
            break;
        total += (size_t)n;
    }
}

/* ---- the upstream (the node) -------------------------------------------- */

struct conn {
    int slot;
    int cfd;
    int ufd; /* -1: none open */
    struct buf in, uin;
};

struct upstream_answer {
    int status;
    char reason[64];
    char content_type[128];
    struct buf body;
};

static int upstream_open(struct conn *c)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {.tv_sec = UPSTREAM_TIMEOUT_MS / 1000};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (const struct sockaddr *)&up_addr, sizeof up_addr) < 0 ||
        slot_set_upstream(c->slot, fd) < 0) {
        close(fd);
        return -1;
    }
    c->ufd = fd;
    c->uin.len = 0;
    return 0;
}

static void upstream_close(struct conn *c)
{
    if (c->ufd >= 0)
        slot_close_upstream(c->slot);
    c->ufd = -1;
    c->uin.len = 0;
}

/* makes uin hold at least `want` bytes; -1 on error or end of stream */
static int up_fill(struct conn *c, size_t want)
{
    while (c->uin.len < want)
        if (read_some(c->ufd, &c->uin, UPSTREAM_TIMEOUT_MS) <= 0)
            return -1;
    return 0;
}

/* the offset just past the next "\r\n" at or after `from`, reading more as
 * needed (lines up to 4 KiB); 0 on error */
static size_t up_line(struct conn *c, size_t from)
{
    for (;;) {
        for (size_t i = from + 1; i < c->uin.len; i++)
            if (c->uin.p[i] == '\n' && c->uin.p[i - 1] == '\r')
                return i + 1;
        if (c->uin.len - from > 4096 ||
            read_some(c->ufd, &c->uin, UPSTREAM_TIMEOUT_MS) <= 0)
            return 0;
    }
}

static int read_chunked(struct conn *c, struct buf *body)
{
    for (;;) {
        size_t eol = up_line(c, 0);
        if (!eol)
            return -1;
        char *endp;
        errno = 0;
        unsigned long long size = strtoull(c->uin.p, &endp, 16);
        if (endp == c->uin.p || errno)
            return -1;
        buf_consume(&c->uin, eol);
        if (size == 0)
            break;
        if (size > MAX_UPSTREAM_BODY - body->len)
            return -1;
        if (up_fill(c, (size_t)size + 2))
            return -1;
        if (buf_append(body, c->uin.p, (size_t)size))
            return -1;
        buf_consume(&c->uin, (size_t)size + 2);
    }
    for (;;) { /* trailers, up to the empty line */
        size_t eol = up_line(c, 0);
        if (!eol)
            return -1;
        buf_consume(&c->uin, eol);
        if (eol == 2)
            return 0;
    }
}

/* One exchange on the current upstream connection. Returns 0 with the
 * answer; 1 if the connection failed before any byte of an answer came
 * (worth one retry on a fresh connection); -1 on other failures. */
static int upstream_exchange(struct conn *c, const char *body, size_t len,
                             struct upstream_answer *a)
{
    char head[1400];
    int n = snprintf(head, sizeof head,
                     "POST %s HTTP/1.1\r\n"
                     "Host: %s\r\n"
                     "Content-Type: application/json\r\n"
                     "Accept: application/json\r\n"
                     "Content-Length: %zu\r\n"
                     "\r\n",
                     up_path, up_host, len);
    if (n < 0 || (size_t)n >= sizeof head)
        return -1;
    if (write_all(c->ufd, head, (size_t)n) || write_all(c->ufd, body, len))
        return 1;
    size_t he;
    for (;;) {
        while (!(he = head_end(&c->uin))) {
            if (c->uin.len > MAX_HEAD)
                return -1;
            ssize_t r = read_some(c->ufd, &c->uin, UPSTREAM_TIMEOUT_MS);
            if (r <= 0)
                return c->uin.len == 0 && r == 0 ? 1 : -1;
        }
        int minor = 0, status = 0, off = 0;
        if (sscanf(c->uin.p, "HTTP/1.%d %3d%n", &minor, &status, &off) < 2 ||
            status < 100 || status > 599)
            return -1;
        if (status >= 200)
            break;
        buf_consume(&c->uin, he); /* 1xx: an interim answer */
    }
    int minor = 0, off = 0;
    sscanf(c->uin.p, "HTTP/1.%d %3d%n", &minor, &a->status, &off);
    const char *r = c->uin.p + off;
    while (*r == ' ')
        r++;
    size_t rl = strcspn(r, "\r\n");
    if (rl >= sizeof a->reason)
        rl = sizeof a->reason - 1;
    memcpy(a->reason, r, rl);
    a->reason[rl] = '\0';
    if (!a->reason[0])
        snprintf(a->reason, sizeof a->reason, "Status");

    struct head_info h;
    if (parse_head(c->uin.p, he, &h) || h.bad_length)
        return -1;
    snprintf(a->content_type, sizeof a->content_type, "%s",
             h.content_type[0] ? h.content_type : "application/json");
    buf_consume(&c->uin, he);
    a->body.len = 0;
    int keep = minor >= 1 && !h.conn_close;
    if (h.chunked) {
        if (read_chunked(c, &a->body))
            return -1;
    } else if (h.length >= 0) {
        if ((unsigned long long)h.length > MAX_UPSTREAM_BODY)
            return -1;
        if (up_fill(c, (size_t)h.length) ||
            buf_append(&a->body, c->uin.p, (size_t)h.length))
            return -1;
        buf_consume(&c->uin, (size_t)h.length);
    } else if (a->status == 204 || a->status == 304) {
        /* no body */
    } else { /* the body runs to the end of the stream */
        ssize_t rd;
        while ((rd = read_some(c->ufd, &c->uin, UPSTREAM_TIMEOUT_MS)) > 0)
            if (c->uin.len > MAX_UPSTREAM_BODY)
                return -1;
        if (rd < 0 || buf_append(&a->body, c->uin.p, c->uin.len))
            return -1;
        c->uin.len = 0;
        keep = 0;
    }
    if (buf_append(&a->body, "", 0))
        return -1;
    if (!keep || c->uin.len) /* leftovers: out of step, start afresh */
        upstream_close(c);
    return 0;
}

/* Sends one request to the node and reads its answer: 0 or -1. A kept
 * connection that fails before answering is retried once on a fresh one. */
static int upstream_call(struct conn *c, const char *body, size_t len,
                         struct upstream_answer *a)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int fresh = 0;
        if (c->ufd < 0) {
            if (upstream_open(c))
                return -1;
            fresh = 1;
        }
        int rc = upstream_exchange(c, body, len, a);
        if (rc == 0)
            return 0;
        upstream_close(c);
        if (rc < 0 || fresh)
            return -1;
    }
    return -1;
}

/* ---- fault decisions ---------------------------------------------------- */

enum fault {
    F_NONE,
    F_DROP,
    F_DROP_AFTER,
    F_ERROR,
    F_HTTP500,
    F_TRUNCATE,
    F_DROP_TX
};

static const char *const fault_names[] = {
    "none", "drop", "drop-after", "error", "http500", "truncate", "drop-tx"};

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double unit(uint64_t *s)
{
    return (double)(splitmix64(s) >> 11) * 0x1.0p-53;
}

/* the faults of the n-th faultable request: a function of (seed, n) only */
static enum fault decide(uint64_t n, int is_send_raw, unsigned *delay_ms)
{
    uint64_t s = opt.seed;
    s = splitmix64(&s) ^ (n * 0xD1B54A32D192ED03ull);
    double u_delay = unit(&s), u_amount = unit(&s), u_fault = unit(&s);
    double u_half = unit(&s), u_tx = unit(&s);
    *delay_ms = 0;
    if (u_delay < opt.p_delay) {
        unsigned span = opt.delay_max_ms - opt.delay_min_ms;
        *delay_ms = opt.delay_min_ms + (unsigned)(u_amount * (span + 1.0));
        if (*delay_ms > opt.delay_max_ms)
            *delay_ms = opt.delay_max_ms;
    }
    double edge = opt.p_drop;
    if (u_fault < edge)
        return u_half < 0.5 ? F_DROP : F_DROP_AFTER;
    if (u_fault < (edge += opt.p_error))
        return F_ERROR;
    if (u_fault < (edge += opt.p_http500))
        return F_HTTP500;
    if (u_fault < (edge += opt.p_truncate))
        return F_TRUNCATE;
    if (is_send_raw && u_tx < opt.p_drop_tx)
        return F_DROP_TX;
    return F_NONE;
}

static void sleep_ms(unsigned ms)
{
    while (ms > 0 && !atomic_load(&stopping)) {
        unsigned step = ms < 50 ? ms : 50;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)step * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
        ms -= step;
    }
}

/* Calls anvil_dropTransaction for the hash in a node's answer to
 * eth_sendRawTransaction (if it has one); 1 if the node dropped it. */
static int drop_tx(struct conn *c, const struct upstream_answer *sent)
{
    cJSON *j = cJSON_ParseWithLength(sent->body.p, sent->body.len);
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "result");
    int dropped = 0;
    if (cJSON_IsString(res) && strlen(res->valuestring) < 100) {
        char req[256];
        snprintf(req, sizeof req,
                 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                 "\"anvil_dropTransaction\",\"params\":[\"%s\"]}",
                 res->valuestring);
        struct upstream_answer a = {0};
        if (upstream_call(c, req, strlen(req), &a) == 0) {
            cJSON *d = cJSON_ParseWithLength(a.body.p, a.body.len);
            const cJSON *r = cJSON_GetObjectItemCaseSensitive(d, "result");
            dropped = cJSON_IsString(r);
            if (opt.log)
                logf_("anvil_dropTransaction %s -> %.200s", res->valuestring,
                      a.body.p ? a.body.p : "");
            cJSON_Delete(d);
        }
        buf_free(&a.body);
    }
    cJSON_Delete(j);
    return dropped;
}

/* ---- one request -------------------------------------------------------- */

/* Does request j (an object, or a batch of them) call method m? */
static int calls(const cJSON *j, const char *m)
{
    if (cJSON_IsArray(j)) {
        for (const cJSON *e = j->child; e; e = e->next)
            if (calls(e, m))
                return 1;
        return 0;
    }
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "method");
    return cJSON_IsObject(j) && cJSON_IsString(e) && !strcmp(e->valuestring, m);
}

/* ---- --lag-receipts ----------------------------------------------------- */

/* When each receipt was first given by the node, by transaction hash: an
 * open-addressing table (a test sees far fewer transactions than slots;
 * when full, receipts are no longer held back). */
#define LAG_SLOTS 65536
static struct lag_slot {
    char hash[67]; /* "0x" and 64 hex digits */
    uint64_t ms;
} * lag_tab;
static pthread_mutex_t lag_mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* When the receipt of hash was first given (now, if this is the first). */
static uint64_t lag_first_seen(const char *hash, uint64_t now)
{
    uint64_t h = 1469598103934665603ULL, seen = now;
    for (const char *q = hash; *q; q++)
        h = (h ^ (unsigned char)*q) * 1099511628211ULL;
    pthread_mutex_lock(&lag_mu);
    for (size_t i = 0; i < LAG_SLOTS; i++) {
        struct lag_slot *e = &lag_tab[(h + i) % LAG_SLOTS];
        if (!e->hash[0]) {
            snprintf(e->hash, sizeof e->hash, "%s", hash);
            e->ms = now;
            break;
        }
        if (!strcmp(e->hash, hash)) {
            seen = e->ms;
            break;
        }
    }
    pthread_mutex_unlock(&lag_mu);
    return seen;
}

/* Replaces the answer's body with ans, printed. Returns 0, or -1 if it
 * could not be built (a is then unchanged). */
static int set_body(struct upstream_answer *a, const cJSON *ans)
{
    char *out = cJSON_PrintUnformatted(ans);
    struct buf nb = {0};
    int rc = 0;
    if (!out || buf_append(&nb, out, strlen(out))) {
        buf_free(&nb);
        rc = -1;
    } else {
        buf_free(&a->body);
        a->body = nb;
    }
    free(out);
    return rc;
}

/* In the node's answer a to the request body[0..len), removes the member
 * --strip-receipt-field from every receipt, and replaces with null every
 * receipt first given less than lag_ms ago (answers are matched to the
 * requests of a batch by id). Returns 0, or -1 if a rewritten answer could
 * not be built (a is then unchanged). */
static int rewrite_receipts(const char *body, size_t len,
                            struct upstream_answer *a)
{
    cJSON *rq = cJSON_ParseWithLength(body, len);
    cJSON *ans = cJSON_ParseWithLength(a->body.p, a->body.len);
    int changed = 0, rc = 0;
    uint64_t now = mono_ms();
    cJSON *one[1] = {ans};
    size_t nans = cJSON_IsArray(ans) ? (size_t)cJSON_GetArraySize(ans) : 1;
    for (size_t i = 0; ans && i < nans; i++) {
        cJSON *an =
            cJSON_IsArray(ans) ? cJSON_GetArrayItem(ans, (int)i) : one[0];
        cJSON *res = cJSON_GetObjectItemCaseSensitive(an, "result");
        cJSON *hash = cJSON_GetObjectItemCaseSensitive(res, "transactionHash");
        if (!cJSON_IsObject(res) || !cJSON_IsString(hash) ||
            strlen(hash->valuestring) != 66)
            continue;
        /* the request with the same id must ask for a receipt */
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(an, "id"), *e;
        int asked = 0;
        if (cJSON_IsArray(rq)) {
            for (e = rq->child; e && !asked; e = e->next)
                asked = calls(e, "eth_getTransactionReceipt") &&
                        cJSON_Compare(cJSON_GetObjectItemCaseSensitive(e, "id"),
                                      id, 1);
        } else {
            asked = calls(rq, "eth_getTransactionReceipt");
        }
        if (!asked)
            continue;
        if (opt.strip_field &&
            cJSON_GetObjectItemCaseSensitive(res, opt.strip_field)) {
            cJSON_DeleteItemFromObjectCaseSensitive(res, opt.strip_field);
            atomic_fetch_add(&n_stripped, 1);
            changed = 1;
        }
        if (!opt.lag_ms ||
            now - lag_first_seen(hash->valuestring, now) >= opt.lag_ms)
            continue;
        cJSON_ReplaceItemInObjectCaseSensitive(an, "result",
                                               cJSON_CreateNull());
        atomic_fetch_add(&n_lagged, 1);
        changed = 1;
    }
    if (changed)
        rc = set_body(a, ans);
    cJSON_Delete(rq);
    cJSON_Delete(ans);
    return rc;
}

/* Is raw ("0x…", a signed transaction) a typed one (EIP-2718)? Its first
 * byte is the type, below 0x80; a legacy one is an RLP list (0xc0 and up). */
static int is_typed_tx(const char *raw)
{
    if (strncmp(raw, "0x", 2) || !isxdigit((unsigned char)raw[2]) ||
        !isxdigit((unsigned char)raw[3]))
        return 0;
    char b[3] = {raw[2], raw[3], 0};
    return strtoul(b, NULL, 16) < 0x80;
}

/* Removes the member name from the object that is the answer's result.
 * Returns 1 if it did, 0 if there was none, -1 if the new answer could not
 * be built (a is then unchanged). */
static int strip_member(struct upstream_answer *a, const char *name)
{
    cJSON *ans = cJSON_ParseWithLength(a->body.p, a->body.len);
    cJSON *res = cJSON_GetObjectItemCaseSensitive(ans, "result");
    int rc = 0;
    if (cJSON_IsObject(res) && cJSON_GetObjectItemCaseSensitive(res, name)) {
        cJSON_DeleteItemFromObjectCaseSensitive(res, name);
        rc = set_body(a, ans) ? -1 : 1;
    }
    cJSON_Delete(ans);
    return rc;
}

/* Answers the request whose id is id_json (JSON text; NULL: null) with a
 * JSON-RPC error; 0 if it was sent. */
static int send_error(struct conn *c, const char *id_json, int code,
                      const char *message, int keep)
{
    const char *id = id_json ? id_json : "null";
    size_t cap = strlen(id) + strlen(message) + 128;
    char *ans = malloc(cap);
    int m = ans ? snprintf(ans, cap,
                           "{\"jsonrpc\":\"2.0\",\"id\":%s,\"error\":{"
                           "\"code\":%d,\"message\":\"%s\"}}",
                           id, code, message)
                : -1;
    int rc = m > 0 ? send_answer(c->cfd, 200, "OK", "application/json", ans,
                                 (size_t)m, (size_t)m, !keep)
                   : -1;
    free(ans);
    return rc;
}

/* Handles one request whose body is body[0..len); returns whether the
 * connection stays open. */
static int handle(struct conn *c, const char *body, size_t len, int keep)
{
    atomic_fetch_add(&n_requests, 1);
    char method[64] = "";
    char *id_json = NULL;
    int faultable = 0, typed = 0;
    cJSON *j = cJSON_ParseWithLength(body, len);
    unsigned slow = opt.slow_ms && calls(j, opt.slow_method) ? opt.slow_ms : 0;
    if (cJSON_IsObject(j)) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "method");
        if (cJSON_IsString(m)) {
            snprintf(method, sizeof method, "%s", m->valuestring);
            faultable = strncmp(method, "anvil_", 6) != 0 &&
                        strncmp(method, "evm_", 4) != 0;
        }
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
        id_json = id ? cJSON_PrintUnformatted(id) : NULL;
        const cJSON *raw = cJSON_GetArrayItem(
            cJSON_GetObjectItemCaseSensitive(j, "params"), 0);
        typed = !strcmp(method, "eth_sendRawTransaction") &&
                cJSON_IsString(raw) && is_typed_tx(raw->valuestring);
        /* answered for the node (below): outside the seeded faults */
        for (size_t k = 0; k < opt.n_no_method; k++)
            if (!strcmp(method, opt.no_method[k]))
                faultable = 0;
        if (opt.refuse_typed && typed)
            faultable = 0;
    }
    cJSON_Delete(j);

    enum fault f = F_NONE;
    unsigned delay = 0;
    uint64_t n = 0;
    if (faultable) {
        n = atomic_fetch_add(&n_faultable, 1);
        f = decide(n, strcmp(method, "eth_sendRawTransaction") == 0, &delay);
    }
    if (opt.log && (f != F_NONE || delay))
        logf_("#%" PRIu64 " %s: %s (delay %u ms)", n, method, fault_names[f],
              delay);
    if (delay || slow) {
        atomic_fetch_add(&n_delayed, 1);
        sleep_ms(delay + slow);
    }

    int ok = 1;
    if (opt.big_bytes && len > opt.big_bytes && id_json &&
        !strcmp(method, opt.big_method)) {
        atomic_fetch_add(&n_too_large, 1);
        ok = send_error(c, id_json, -32600, "request too large", keep) == 0;
        f = F_NONE;
        goto done;
    }
    for (size_t k = 0; id_json && k < opt.n_no_method; k++) {
        if (strcmp(method, opt.no_method[k]))
            continue;
        char msg[128];
        snprintf(msg, sizeof msg,
                 "the method %s does not exist/is not available", method);
        atomic_fetch_add(&n_no_method, 1);
        ok = send_error(c, id_json, -32601, msg, keep) == 0;
        goto done;
    }
    if (opt.refuse_typed && typed && id_json) {
        atomic_fetch_add(&n_typed_refused, 1);
        ok = send_error(c, id_json, -32000, "transaction type not supported",
                        keep) == 0;
        goto done;
    }
    switch (f) {
    case F_DROP:
        atomic_fetch_add(&n_dropped, 1);
        keep = 0;
        break;
    case F_ERROR:
        atomic_fetch_add(&n_errors, 1);
        ok = send_error(c, id_json, -32603, "injected fault", keep) == 0;
        break;
    case F_HTTP500:
        atomic_fetch_add(&n_http500, 1);
        ok = send_text(c->cfd, 500, "Internal Server Error", "injected fault\n",
                       !keep) == 0;
        break;
    default: {
        struct upstream_answer a = {0};
        if (upstream_call(c, body, len, &a)) {
            atomic_fetch_add(&n_upstream_failures, 1);
            if (opt.log)
                logf_("#%" PRIu64 " %s: upstream failed", n, method);
            ok = send_text(c->cfd, 502, "Bad Gateway", "upstream unreachable\n",
                           !keep) == 0;
        } else if (f == F_DROP_AFTER) {
            atomic_fetch_add(&n_dropped, 1);
            atomic_fetch_add(&n_dropped_after, 1);
            keep = 0;
        } else if (f == F_TRUNCATE) {
            atomic_fetch_add(&n_truncated, 1);
            send_answer(c->cfd, a.status, a.reason, a.content_type, a.body.p,
                        a.body.len / 2, a.body.len, 1);
            keep = 0;
        } else {
            if (f == F_DROP_TX && drop_tx(c, &a))
                atomic_fetch_add(&n_txs_dropped, 1);
            if ((opt.lag_ms || opt.strip_field) &&
                rewrite_receipts(body, len, &a) && opt.log)
                logf_("#%" PRIu64 " %s: could not rewrite receipts", n, method);
            if (opt.strip_block && (!strcmp(method, "eth_getBlockByNumber") ||
                                    !strcmp(method, "eth_getBlockByHash"))) {
                int r = strip_member(&a, opt.strip_block);
                if (r > 0)
                    atomic_fetch_add(&n_blocks_stripped, 1);
                else if (r < 0 && opt.log)
                    logf_("#%" PRIu64 " %s: could not rewrite the block", n,
                          method);
            }
            ok = send_answer(c->cfd, a.status, a.reason, a.content_type,
                             a.body.p, a.body.len, a.body.len, !keep) == 0;
        }
        buf_free(&a.body);
        break;
    }
    }
done:
    free(id_json);
    return ok && keep;
}

/* ---- one client connection ---------------------------------------------- */

static void serve(struct conn *c)
{
    for (;;) {
        size_t he;
        while (!(he = head_end(&c->in))) {
            if (c->in.len > MAX_HEAD) {
                refuse(c->cfd, 431, "Request Header Fields Too Large",
                       "head too large\n");
                return;
            }
            if (read_some(c->cfd, &c->in, IDLE_TIMEOUT_MS) <= 0)
                return; /* closed, idle or failed */
        }
        /* the request line: METHOD SP TARGET SP HTTP/1.x */
        size_t ll = strcspn(c->in.p, "\r\n");
        const char *sp1 = memchr(c->in.p, ' ', ll);
        const char *sp2 =
            sp1 ? memchr(sp1 + 1, ' ', ll - (size_t)(sp1 + 1 - c->in.p)) : NULL;
        const char *ver = sp2 ? sp2 + 1 : NULL;
        if (!ver || c->in.p + ll - ver != 8 || strncmp(ver, "HTTP/1.", 7) ||
            ver[7] < '0' || ver[7] > '9') {
            refuse(c->cfd, 400, "Bad Request", "bad request line\n");
            return;
        }
        int minor = ver[7] - '0';
        struct head_info h;
        if (parse_head(c->in.p, he, &h) || h.bad_length) {
            refuse(c->cfd, 400, "Bad Request", "bad head\n");
            return;
        }
        if (sp1 - c->in.p != 4 || strncmp(c->in.p, "POST", 4) != 0) {
            refuse(c->cfd, 405, "Method Not Allowed", "POST only\n");
            return;
        }
        if (h.chunked || h.other_te) {
            refuse(c->cfd, 501, "Not Implemented",
                   "Transfer-Encoding not supported\n");
            return;
        }
        if (h.expect_other) {
            refuse(c->cfd, 417, "Expectation Failed", "bad Expect\n");
            return;
        }
        if (h.length < 0) {
            refuse(c->cfd, 411, "Length Required", "Content-Length\n");
            return;
        }
        if ((unsigned long long)h.length > MAX_BODY) {
            refuse(c->cfd, 413, "Content Too Large",
                   "request body over 16 MiB\n");
            return;
        }
        size_t len = (size_t)h.length;
        int keep = minor >= 1 ? !h.conn_close : h.conn_keep_alive;
        buf_consume(&c->in, he);
        if (h.expect_continue && c->in.len < len &&
            write_all(c->cfd, "HTTP/1.1 100 Continue\r\n\r\n", 25))
            return;
        while (c->in.len < len)
            if (read_some(c->cfd, &c->in, IDLE_TIMEOUT_MS) <= 0)
                return;
        char *body = malloc(len + 1);
        if (!body)
            return;
        memcpy(body, c->in.p, len);
        body[len] = '\0';
        buf_consume(&c->in, len);
        keep = handle(c, body, len, keep);
        free(body);
        if (!keep || atomic_load(&stopping))
            return;
    }
}

static void *conn_main(void *arg)
{
    struct conn *c = arg;
    serve(c);
    slot_release(c->slot);
    buf_free(&c->in);
    buf_free(&c->uin);
    free(c);
    return NULL;
}

/* ---- listening ---------------------------------------------------------- */

static void *accept_main(void *arg)
{
    int lfd = *(int *)arg;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, (size_t)1 << 20);
    while (!atomic_load(&stopping)) {
        struct pollfd pfd = {.fd = lfd, .events = POLLIN};
        if (poll(&pfd, 1, 200) <= 0)
            continue;
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
                sleep_ms(50);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct timeval tv = {.tv_sec = IDLE_TIMEOUT_MS / 1000};
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        int slot = slot_take(fd);
        if (slot < 0) {
            close(fd); /* too many connections, or stopping */
            continue;
        }
        struct conn *c = calloc(1, sizeof *c);
        pthread_t t;
        if (c) {
            *c = (struct conn){.slot = slot, .cfd = fd, .ufd = -1};
            if (pthread_create(&t, &attr, conn_main, c) == 0)
                continue;
            free(c);
        }
        slot_release(slot);
    }
    pthread_attr_destroy(&attr);
    return NULL;
}

static int write_port_file(const char *path, int port)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return -1;
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int rc = -1;
    if (f) {
        int w = fprintf(f, "%d\n", port) > 0;
        if (fclose(f) == 0 && w && rename(tmp, path) == 0)
            rc = 0;
        else
            unlink(tmp);
    }
    free(tmp);
    return rc;
}

/* ---- options ------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: rpc_faultproxy --upstream http://127.0.0.1:PORT[/PATH]\n"
            "         [--listen-port N] [--seed N] [--delay-ms MAX]\n"
            "         [--delay-min-ms MIN] [--p-delay P] [--p-drop P]\n"
            "         [--p-error P] [--p-http500 P] [--p-truncate P]\n"
            "         [--p-drop-tx P] [--slow METHOD:MS] [--lag-receipts MS]\n"
            "         [--strip-receipt-field NAME] [--max-body METHOD:BYTES]\n"
            "         [--strip-block-field NAME] [--no-method METHOD]...\n"
            "         [--refuse-typed-tx] [--port-file PATH] [--log]\n");
    exit(1);
}

static double parse_p(const char *name, const char *s)
{
    char *end;
    errno = 0;
    double p = strtod(s, &end);
    if (errno || end == s || *end || !(p >= 0.0 && p <= 1.0)) {
        fprintf(stderr, "rpc_faultproxy: %s wants a probability 0..1\n", name);
        exit(1);
    }
    return p;
}

static unsigned long long parse_uint(const char *name, const char *s,
                                     unsigned long long max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-' || v > max) {
        fprintf(stderr, "rpc_faultproxy: %s wants a number 0..%llu\n", name,
                max);
        exit(1);
    }
    return v;
}

/* http://127.x.y.z:PORT[/PATH] (or localhost); loopback only */
static void parse_upstream(const char *url)
{
    if (strncmp(url, "http://", 7) != 0)
        goto bad;
    const char *host = url + 7;
    const char *colon = strchr(host, ':');
    if (!colon || (size_t)(colon - host) >= 32)
        goto bad;
    char h[32];
    memcpy(h, host, (size_t)(colon - host));
    h[colon - host] = '\0';
    if (strcmp(h, "localhost") == 0)
        snprintf(h, sizeof h, "127.0.0.1");
    struct in_addr ia;
    if (inet_pton(AF_INET, h, &ia) != 1 || (ntohl(ia.s_addr) >> 24) != 127) {
        fprintf(stderr,
                "rpc_faultproxy: the upstream must be on 127.0.0.0/8\n");
        exit(1);
    }
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno || end == colon + 1 || port == 0 || port > 65535 ||
        (*end && *end != '/') || strlen(end) >= sizeof up_path ||
        strpbrk(end, " \r\n"))
        goto bad;
    snprintf(up_path, sizeof up_path, "%s", *end ? end : "/");
    snprintf(up_host, sizeof up_host, "%s:%lu", h, port);
    up_addr.sin_family = AF_INET;
    up_addr.sin_addr = ia;
    up_addr.sin_port = htons((uint16_t)port);
    return;
bad:
    fprintf(stderr, "rpc_faultproxy: bad --upstream %s\n", url);
    exit(1);
}

static void parse_args(int argc, char **argv)
{
    int have_upstream = 0, have_seed = 0;
    opt.delay_max_ms = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--log") == 0) {
            opt.log = 1;
            continue;
        }
        if (strcmp(a, "--refuse-typed-tx") == 0) {
            opt.refuse_typed = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (strcmp(a, "--upstream") == 0) {
            parse_upstream(v);
            have_upstream = 1;
        } else if (strcmp(a, "--listen-port") == 0) {
            opt.listen_port = (int)parse_uint(a, v, 65535);
        } else if (strcmp(a, "--seed") == 0) {
            opt.seed = parse_uint(a, v, UINT64_MAX);
            have_seed = 1;
        } else if (strcmp(a, "--delay-ms") == 0) {
            opt.delay_max_ms = (unsigned)parse_uint(a, v, 3600000);
        } else if (strcmp(a, "--delay-min-ms") == 0) {
            opt.delay_min_ms = (unsigned)parse_uint(a, v, 3600000);
        } else if (strcmp(a, "--p-delay") == 0) {
            opt.p_delay = parse_p(a, v);
        } else if (strcmp(a, "--p-drop") == 0) {
            opt.p_drop = parse_p(a, v);
        } else if (strcmp(a, "--p-error") == 0) {
            opt.p_error = parse_p(a, v);
        } else if (strcmp(a, "--p-http500") == 0) {
            opt.p_http500 = parse_p(a, v);
        } else if (strcmp(a, "--p-truncate") == 0) {
            opt.p_truncate = parse_p(a, v);
        } else if (strcmp(a, "--p-drop-tx") == 0) {
            opt.p_drop_tx = parse_p(a, v);
        } else if (strcmp(a, "--slow") == 0) {
            const char *colon = strrchr(v, ':');
            size_t mlen = colon ? (size_t)(colon - v) : 0;
            if (!mlen || mlen >= sizeof opt.slow_method) {
                fprintf(stderr, "rpc_faultproxy: --slow wants METHOD:MS\n");
                exit(1);
            }
            memcpy(opt.slow_method, v, mlen);
            opt.slow_method[mlen] = 0;
            opt.slow_ms = (unsigned)parse_uint(a, colon + 1, 3600000);
        } else if (strcmp(a, "--lag-receipts") == 0) {
            opt.lag_ms = (unsigned)parse_uint(a, v, 3600000);
        } else if (strcmp(a, "--max-body") == 0) {
            const char *colon = strrchr(v, ':');
            size_t mlen = colon ? (size_t)(colon - v) : 0;
            if (!mlen || mlen >= sizeof opt.big_method) {
                fprintf(stderr,
                        "rpc_faultproxy: --max-body wants METHOD:BYTES\n");
                exit(1);
            }
            memcpy(opt.big_method, v, mlen);
            opt.big_method[mlen] = 0;
            opt.big_bytes = (size_t)parse_uint(a, colon + 1, 1u << 30);
        } else if (strcmp(a, "--strip-receipt-field") == 0) {
            if (!*v)
                usage();
            opt.strip_field = v;
        } else if (strcmp(a, "--strip-block-field") == 0) {
            if (!*v)
                usage();
            opt.strip_block = v;
        } else if (strcmp(a, "--no-method") == 0) {
            if (!*v || strlen(v) >= 64 ||
                opt.n_no_method >= sizeof opt.no_method / sizeof *opt.no_method)
                usage();
            opt.no_method[opt.n_no_method++] = v;
        } else if (strcmp(a, "--port-file") == 0) {
            opt.port_file = v;
        } else {
            usage();
        }
    }
    if (!have_upstream)
        usage();
    if (opt.delay_min_ms > opt.delay_max_ms)
        opt.delay_max_ms = opt.delay_min_ms;
    if (opt.lag_ms && !(lag_tab = calloc(LAG_SLOTS, sizeof *lag_tab))) {
        fprintf(stderr, "rpc_faultproxy: out of memory\n");
        exit(1);
    }
    if (!have_seed) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t s =
            ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) ^
            ((uint64_t)getpid() << 32);
        opt.seed = splitmix64(&s) % 1000000000ull;
    }
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    for (int i = 0; i < MAX_CONNS; i++)
        slots[i] = (struct slot){0, -1, -1};

    /* signals: SIGTERM and SIGINT are taken by sigwait below, in no thread
     * else; a closed peer is an error, not a SIGPIPE */
    signal(SIGPIPE, SIG_IGN);
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)opt.listen_port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    if (lfd < 0 ||
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        listen(lfd, 128) < 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
        fprintf(stderr, "rpc_faultproxy: cannot listen on 127.0.0.1:%d: %s\n",
                opt.listen_port, strerror(errno));
        return 2;
    }
    int port = ntohs(sa.sin_port);
    if (opt.port_file && write_port_file(opt.port_file, port)) {
        fprintf(stderr, "rpc_faultproxy: cannot write %s: %s\n", opt.port_file,
                strerror(errno));
        return 2;
    }
    printf("%d\n", port);
    fflush(stdout);
    logf_("listening on 127.0.0.1:%d, upstream http://%s%s, seed %" PRIu64,
          port, up_host, up_path, opt.seed);

    pthread_t acceptor;
    if (pthread_create(&acceptor, NULL, accept_main, &lfd)) {
        fprintf(stderr, "rpc_faultproxy: cannot start a thread\n");
        return 2;
    }
    int sig = 0;
    while (sigwait(&sigs, &sig) != 0)
        ;

    /* stop: no new connections, shut down the open ones (their threads
     * then end), wait for them a while */
    atomic_store(&stopping, 1);
    pthread_join(acceptor, NULL);
    close(lfd);
    pthread_mutex_lock(&reg_lock);
    for (int i = 0; i < MAX_CONNS; i++) {
        if (!slots[i].used)
            continue;
        shutdown(slots[i].cfd, SHUT_RDWR);
        if (slots[i].ufd >= 0)
            shutdown(slots[i].ufd, SHUT_RDWR);
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    while (n_active > 0)
        if (pthread_cond_timedwait(&reg_cond, &reg_lock, &until) == ETIMEDOUT)
            break;
    int left = n_active;
    pthread_mutex_unlock(&reg_lock);
    if (left)
        logf_("%d connection(s) still busy at exit", left);

    fprintf(stderr,
            "rpc_faultproxy: seed=%" PRIu64 " requests=%llu delayed=%llu "
            "dropped=%llu dropped_after=%llu errors=%llu http500=%llu "
            "truncated=%llu txs_dropped=%llu upstream_failures=%llu "
            "lagged=%llu stripped=%llu too_large=%llu blocks_stripped=%llu "
            "no_method=%llu typed_refused=%llu\n",
            opt.seed, atomic_load(&n_requests), atomic_load(&n_delayed),
            atomic_load(&n_dropped), atomic_load(&n_dropped_after),
            atomic_load(&n_errors), atomic_load(&n_http500),
            atomic_load(&n_truncated), atomic_load(&n_txs_dropped),
            atomic_load(&n_upstream_failures), atomic_load(&n_lagged),
            atomic_load(&n_stripped), atomic_load(&n_too_large),
            atomic_load(&n_blocks_stripped), atomic_load(&n_no_method),
            atomic_load(&n_typed_refused));
    return 0;
}

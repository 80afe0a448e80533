#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "haechi/config.h"
#include "haechi/key.h"
#include "haechi/log.h"

void hc_config_defaults(hc_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
    c->listen_port = 8080;
    c->max_connections = 512;
    c->connection_timeout = 30;
    c->max_upload = (uint64_t)1 << 30; /* 1 GiB */
    snprintf(c->public_url, sizeof c->public_url, "http://127.0.0.1:8080");
    snprintf(c->ledger_dir, sizeof c->ledger_dir, ".haechi/ledger");
    c->max_queue = 100000;
    c->rate_per_minute = 600;
    c->burst = 100;
    c->log_level = HC_LOG_INFO;
    snprintf(c->signer_key_env, sizeof c->signer_key_env, "HAECHI_SIGNER_KEY");
    c->batch_size = 50;
    c->batch_wait_ms = 200;
    c->confirmations = 1;
    c->max_inflight = 4;
    c->max_fee_per_gas = hc_u256_from_u64(500000000000ull); /* 500 gwei */
    c->replace_after = 60;
    c->nonce_check = 30;
}

hc_err hc_parse_wei(const char *s, hc_u256 *out)
{
    char digits[HC_U256_DEC_MAX + 20];
    size_t n = 0, decimals = 0, unit = 0;
    const char *p = s;
    if (!s || !(*p >= '0' && *p <= '9'))
        return HC_ERR_NUMBER;
    while (*p >= '0' && *p <= '9') {
        if (n + 1 >= sizeof digits)
            return HC_ERR_OVERFLOW;
        digits[n++] = *p++;
    }
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return HC_ERR_NUMBER;
        while (*p >= '0' && *p <= '9') {
            if (n + 1 >= sizeof digits)
                return HC_ERR_OVERFLOW;
            digits[n++] = *p++;
            decimals++;
        }
    }
    if (!strcasecmp(p, "eth") || !strcasecmp(p, "ether"))
        unit = 18;
    else if (!strcasecmp(p, "gwei"))
        unit = 9;
    else if (*p && strcasecmp(p, "wei"))
        return HC_ERR_NUMBER;
    if (decimals > unit)
        return HC_ERR_NUMBER; /* fractions of a wei */
    for (size_t i = decimals; i < unit; i++) {
        if (n + 1 >= sizeof digits)
            return HC_ERR_OVERFLOW;
        digits[n++] = '0';
    }
    return hc_u256_from_dec(out, digits, n);
}

char *hc_format_wei(char *out, size_t cap, const hc_u256 *a)
{
    static const struct {
        uint64_t d;
        const char *name;
    } units[] = {{1000000000000000000ull, "eth"}, {1000000000ull, "gwei"}};
    for (size_t i = 0; i < 2 && !hc_u256_is_zero(a); i++) {
        hc_u256 q;
        uint64_t rem;
        if (!hc_u256_divmod_u64(&q, &rem, a, units[i].d) && rem == 0) {
            char dec[HC_U256_DEC_MAX];
            snprintf(out, cap, "%s%s", hc_u256_to_dec(dec, &q), units[i].name);
            return out;
        }
    }
    char dec[HC_U256_DEC_MAX];
    snprintf(out, cap, "%s%s", hc_u256_to_dec(dec, a),
             hc_u256_is_zero(a) ? "" : "wei");
    return out;
}

hc_err hc_parse_size(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !(*s >= '0' && *s <= '9')) /* no sign, no space */
        return HC_ERR_NUMBER;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return HC_ERR_NUMBER;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    else if (*end == 'T' || *end == 't')
        shift = 40;
    if (shift) {
        end++;
        if (end[0] == 'i' && end[1] == 'B') /* 64KiB */
            end += 2;
        else if (*end == 'B') /* 64KB */
            end++;
    } else if (*end == 'B') { /* 512B */
        end++;
    }
    if (*end)
        return HC_ERR_NUMBER;
    if (shift && v > (ULLONG_MAX >> shift))
        return HC_ERR_OVERFLOW;
    *out = (uint64_t)v << shift;
    return HC_OK;
}

static hc_err parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    hc_err err = hc_parse_size(s, out);
    if (!err && *out > max)
        err = HC_ERR_OVERFLOW;
    return err;
}

static hc_err copy_str(char *dst, size_t cap, const char *v)
{
    if (strlen(v) >= cap)
        return HC_ERR_LENGTH;
    memcpy(dst, v, strlen(v) + 1);
    return HC_OK;
}

static hc_err parse_listen(hc_config *c, const char *v)
{
    const char *colon = strrchr(v, ':');
    uint64_t port;
    if (!colon || colon == v || (size_t)(colon - v) >= sizeof c->listen_host)
        return HC_ERR_ARG;
    if (parse_uint(colon + 1, 65535, &port)) /* 0: any free port */
        return HC_ERR_ARG;
    memcpy(c->listen_host, v, (size_t)(colon - v));
    c->listen_host[colon - v] = 0;
    c->listen_port = (uint16_t)port;
    return HC_OK;
}

/* Sets one setting; section may be "" for environment names. */
static hc_err set(hc_config *c, const char *section, const char *name,
                  const char *v)
{
    uint64_t u = 0; /* read below even when parsing failed */
#define IS(s, n) (!strcasecmp(section, s) && !strcasecmp(name, n))
    if (IS("server", "listen"))
        return parse_listen(c, v);
    if (IS("server", "max_connections")) {
        hc_err err = parse_uint(v, 100000, &u);
        if (!err && u == 0)
            err = HC_ERR_ARG;
        c->max_connections = (unsigned)u;
        return err;
    }
    if (IS("server", "connection_timeout")) {
        hc_err err = parse_uint(v, 86400, &u);
        c->connection_timeout = (unsigned)u;
        return err;
    }
    if (IS("server", "max_upload")) {
        hc_err err = hc_parse_size(v, &c->max_upload);
        return !err && c->max_upload == 0 ? HC_ERR_ARG : err;
    }
    if (IS("server", "public_url"))
        return copy_str(c->public_url, sizeof c->public_url, v);
    if (IS("ledger", "dir"))
        return copy_str(c->ledger_dir, sizeof c->ledger_dir, v);
    if (IS("ledger", "max_queue"))
        return parse_uint(v, UINT64_MAX, &c->max_queue);
    if (IS("limits", "rate_per_minute")) {
        hc_err err = parse_uint(v, 100000000, &u);
        c->rate_per_minute = (unsigned)u;
        return err;
    }
    if (IS("limits", "burst")) {
        hc_err err = parse_uint(v, 100000000, &u);
        c->burst = (unsigned)u;
        return err;
    }
    if (IS("chain", "rpc_url"))
        return copy_str(c->rpc_url, sizeof c->rpc_url, v);
    if (IS("chain", "contract")) {
        hc_address a;
        if (*v && hc_address_parse(&a, v))
            return HC_ERR_ADDRESS;
        return copy_str(c->contract, sizeof c->contract, v);
    }
    if (IS("chain", "chain_id"))
        return parse_uint(v, UINT64_MAX / 2 - 36, &c->chain_id);
    if (IS("chain", "signer_key_env")) {
        size_t n = strlen(v);
        int ok = n > 0 && !(v[0] >= '0' && v[0] <= '9');
        for (size_t i = 0; ok && i < n; i++)
            ok = v[i] == '_' || (v[i] >= 'A' && v[i] <= 'Z') ||
                 (v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9');
        return ok ? copy_str(c->signer_key_env, sizeof c->signer_key_env, v)
                  : HC_ERR_ARG;
    }
    if (IS("chain", "keys_file"))
        return copy_str(c->keys_file, sizeof c->keys_file, v);
    if (IS("chain", "batch_size")) {
        hc_err err = parse_uint(v, 500, &u);
        if (!err && u == 0)
            err = HC_ERR_ARG;
        c->batch_size = (unsigned)u;
        return err;
    }
    if (IS("chain", "batch_wait_ms")) {
        hc_err err = parse_uint(v, 600000, &u);
        c->batch_wait_ms = (unsigned)u;
        return err;
    }
    if (IS("chain", "confirmations")) {
        hc_err err = parse_uint(v, 10000, &u);
        if (!err && u == 0)
            err = HC_ERR_ARG;
        c->confirmations = (unsigned)u;
        return err;
    }
    if (IS("chain", "max_inflight")) {
        hc_err err = parse_uint(v, 64, &u);
        if (!err && u == 0)
            err = HC_ERR_ARG;
        c->max_inflight = (unsigned)u;
        return err;
    }
    if (IS("chain", "tx_type")) {
        if (strcasecmp(v, "eip1559") && strcasecmp(v, "legacy"))
            return HC_ERR_ARG;
        c->legacy = !strcasecmp(v, "legacy");
        return HC_OK;
    }
    if (IS("chain", "max_fee_per_gas"))
        return hc_parse_wei(v, &c->max_fee_per_gas);
    if (IS("chain", "daily_budget"))
        return hc_parse_wei(v, &c->daily_budget);
    if (IS("chain", "replace_after")) {
        hc_err err = parse_uint(v, 86400, &u);
        if (!err && u == 0)
            err = HC_ERR_ARG;
        c->replace_after = (unsigned)u;
        return err;
    }
    if (IS("chain", "nonce_check")) {
        hc_err err = parse_uint(v, 86400, &u);
        if (!err && u == 0)
            err = HC_ERR_ARG;
        c->nonce_check = (unsigned)u;
        return err;
    }
    if (IS("log", "level")) {
        int l = hc_log_level_parse(v);
        if (l < 0)
            return HC_ERR_ARG;
        c->log_level = l;
        return HC_OK;
    }
#undef IS
    return HC_ERR_NOT_FOUND;
}

/* libinih reports the first bad line, but a setting refused by on_ini and a
 * syntax error on an earlier line would then be paired wrongly, and a line
 * longer than its buffer (200 bytes) would be split into two lines. So the
 * file is read here, line by line, counting lines. */
struct load_ctx {
    hc_config *c;
    char *why;
    size_t cap;
    hc_err err;
    FILE *f;
    int line;     /* lines read so far */
    int err_line; /* the line of err */
};

static int on_ini(void *user, const char *section, const char *name,
                  const char *value)
{
    struct load_ctx *x = user;
    hc_err err = set(x->c, section, name, value);
    if (err && !x->err) {
        x->err = HC_ERR_INVALID;
        x->err_line = x->line;
        snprintf(x->why, x->cap, "[%s] %s: %s", section, name,
                 err == HC_ERR_NOT_FOUND ? "unknown setting" : "invalid value");
    }
    return err ? 0 : 1;
}

/* An ini_reader: one whole line, or an error for one too long. */
static char *read_line(char *str, int num, void *stream)
{
    struct load_ctx *x = stream;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t n = getline(&line, &lcap, x->f);
    if (n < 0) {
        free(line);
        return NULL;
    }
    x->line++;
    if (n < num) {
        memcpy(str, line, (size_t)n + 1);
    } else {
        if (!x->err) {
            x->err = HC_ERR_INVALID;
            x->err_line = x->line;
            snprintf(x->why, x->cap, "line too long (at most %d bytes)",
                     num - 2);
        }
        snprintf(str, (size_t)num, "\n");
    }
    free(line);
    return str;
}

hc_err hc_config_load(hc_config *c, const char *path, char *why, size_t cap)
{
    struct load_ctx x = {c, why, cap, HC_OK, NULL, 0, 0};
    if (why && cap)
        why[0] = 0;
    x.f = fopen(path, "r");
    if (!x.f) {
        snprintf(why, cap, "%s: %s", path, strerror(errno));
        return HC_ERR_IO;
    }
    int rc = ini_parse_stream(read_line, &x, on_ini, &x);
    fclose(x.f);
    if (rc > 0 && (!x.err || rc < x.err_line)) {
        snprintf(why, cap, "%s line %d: syntax error", path, rc);
        return HC_ERR_INVALID;
    }
    if (x.err) {
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", why);
        snprintf(why, cap, "%s line %d: %s", path, x.err_line, tmp);
        return x.err;
    }
    if (rc != 0) {
        snprintf(why, cap, "%s: cannot be parsed", path);
        return HC_ERR_INVALID;
    }
    return HC_OK;
}

hc_err hc_config_env(hc_config *c, char *why, size_t cap)
{
    static const struct {
        const char *env, *section, *name;
    } map[] = {
        {"HAECHI_LISTEN", "server", "listen"},
        {"HAECHI_MAX_UPLOAD", "server", "max_upload"},
        {"HAECHI_PUBLIC_URL", "server", "public_url"},
        {"HAECHI_LEDGER_DIR", "ledger", "dir"},
        {"HAECHI_MAX_QUEUE", "ledger", "max_queue"},
        {"HAECHI_RATE_PER_MINUTE", "limits", "rate_per_minute"},
        {"HAECHI_BURST", "limits", "burst"},
        {"HAECHI_RPC", "chain", "rpc_url"},
        {"HAECHI_CONTRACT", "chain", "contract"},
        {"HAECHI_CHAIN_ID", "chain", "chain_id"},
        {"HAECHI_KEYS_FILE", "chain", "keys_file"},
        {"HAECHI_BATCH_SIZE", "chain", "batch_size"},
        {"HAECHI_BATCH_WAIT_MS", "chain", "batch_wait_ms"},
        {"HAECHI_CONFIRMATIONS", "chain", "confirmations"},
        {"HAECHI_MAX_INFLIGHT", "chain", "max_inflight"},
        {"HAECHI_TX_TYPE", "chain", "tx_type"},
        {"HAECHI_MAX_FEE_PER_GAS", "chain", "max_fee_per_gas"},
        {"HAECHI_DAILY_BUDGET", "chain", "daily_budget"},
        {"HAECHI_REPLACE_AFTER", "chain", "replace_after"},
        {"HAECHI_NONCE_CHECK", "chain", "nonce_check"},
        {"HAECHI_LOG_LEVEL", "log", "level"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++) {
        const char *v = getenv(map[i].env);
        if (!v)
            continue;
        if (set(c, map[i].section, map[i].name, v)) {
            snprintf(why, cap, "%s: invalid value", map[i].env);
            return HC_ERR_INVALID;
        }
    }
    return HC_OK;
}

hc_err hc_config_check(const hc_config *c, char *why, size_t cap)
{
    if (c->contract[0] && !c->rpc_url[0]) {
        snprintf(why, cap, "[chain] contract is set but rpc_url is not");
        return HC_ERR_INVALID;
    }
    if (c->rpc_url[0] && strncmp(c->rpc_url, "http://", 7) &&
        strncmp(c->rpc_url, "https://", 8)) {
        snprintf(why, cap, "[chain] rpc_url must be an http(s) URL");
        return HC_ERR_INVALID;
    }
    if (!c->ledger_dir[0]) {
        snprintf(why, cap, "[ledger] dir is empty");
        return HC_ERR_INVALID;
    }
    return HC_OK;
}

/* An RPC URL often carries a provider's API key in its user info or path:
 * show only scheme://host[:port], and "/…" when a path was given. */
static void redact_url(char *out, size_t cap, const char *url)
{
    const char *p = strstr(url, "://");
    if (!p) {
        snprintf(out, cap, "%s", url[0] ? "(set)" : "");
        return;
    }
    const char *host = p + 3;
    const char *end = host + strcspn(host, "/?#");
    const char *at = memchr(host, '@', (size_t)(end - host));
    if (at)
        host = at + 1;
    snprintf(out, cap, "%.*s://%.*s%s", (int)(p - url), url, (int)(end - host),
             host, *end ? "/…" : "");
}

void hc_config_print(const hc_config *c, void *file)
{
    char url_shown[sizeof c->rpc_url + 8], cap[100], budget[100];
    hc_format_wei(cap, sizeof cap, &c->max_fee_per_gas);
    hc_format_wei(budget, sizeof budget, &c->daily_budget);
    redact_url(url_shown, sizeof url_shown, c->rpc_url);
    FILE *f = file;
    fprintf(f,
            "[server]\nlisten = %s:%u\nmax_connections = %u\n"
            "connection_timeout = %u\nmax_upload = %llu\npublic_url = %s\n\n"
            "[ledger]\ndir = %s\nmax_queue = %llu\n\n"
            "[limits]\nrate_per_minute = %u\nburst = %u\n\n"
            "[chain]\nrpc_url = %s\ncontract = %s\nchain_id = %llu\n"
            "signer_key_env = %s\nkeys_file = %s\nbatch_size = "
            "%u\nbatch_wait_ms = %u\n"
            "confirmations = %u\nmax_inflight = %u\ntx_type = %s\n"
            "max_fee_per_gas = %s\ndaily_budget = %s\nreplace_after = %u\n"
            "nonce_check = %u\n\n"
            "[log]\nlevel = %s\n",
            c->listen_host, c->listen_port, c->max_connections,
            c->connection_timeout, (unsigned long long)c->max_upload,
            c->public_url, c->ledger_dir, (unsigned long long)c->max_queue,
            c->rate_per_minute, c->burst, url_shown, c->contract,
            (unsigned long long)c->chain_id, c->signer_key_env, c->keys_file,
            c->batch_size, c->batch_wait_ms, c->confirmations, c->max_inflight,
            c->legacy ? "legacy" : "eip1559", cap, budget, c->replace_after,
            c->nonce_check, hc_log_level_name(c->log_level));
}

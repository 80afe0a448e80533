/* haechid's configuration: defaults, INI files (comments, every setting,
 * errors naming the line and the key), size suffixes, HAECHI_* environment
 * overrides, consistency checks, and print → load round trips. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "haechi/config.h"
#include "haechi/log.h"
#include "testutil.h"

static const char *const env_names[] = {
    "HAECHI_LISTEN",     "HAECHI_LEDGER_DIR",      "HAECHI_MAX_UPLOAD",
    "HAECHI_MAX_QUEUE",  "HAECHI_RATE_PER_MINUTE", "HAECHI_BURST",
    "HAECHI_RPC",        "HAECHI_CONTRACT",        "HAECHI_CHAIN_ID",
    "HAECHI_PUBLIC_URL", "HAECHI_LOG_LEVEL",
};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof env_names / sizeof *env_names; i++)
        unsetenv(env_names[i]);
}

static int setup(void **state)
{
    (void)state;
    clear_env();
    return 0;
}

/* Writes text to a temp file; returns its path (static buffer). */
static const char *ini_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/haechi-test-config.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

/* Loads text over the defaults; returns the error, why filled. */
static hc_err load(const char *text, hc_config *c, char *why, size_t cap)
{
    hc_config_defaults(c);
    const char *path = ini_file(text);
    hc_err err = hc_config_load(c, path, why, cap);
    unlink(path);
    return err;
}

static void test_defaults(void **state)
{
    (void)state;
    hc_config c;
    char why[256];
    hc_config_defaults(&c);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8080);
    assert_int_equal(c.max_connections, 512);
    assert_int_equal(c.connection_timeout, 30);
    assert_int_equal(c.max_upload, (uint64_t)1 << 30);
    assert_string_equal(c.ledger_dir, ".haechi/ledger");
    assert_int_equal(c.max_queue, 100000);
    assert_int_equal(c.rate_per_minute, 600);
    assert_int_equal(c.burst, 100);
    assert_string_equal(c.rpc_url, "");
    assert_string_equal(c.contract, "");
    assert_int_equal(c.chain_id, 0);
    assert_int_equal(c.log_level, HC_LOG_INFO);
    assert_int_equal(hc_config_check(&c, why, sizeof why), HC_OK);
}

static void test_load_all(void **state)
{
    (void)state;
    hc_config c;
    char why[256];
    static const char text[] =
        "; haechid.ini\n"
        "# comments either way\n"
        "[server]\n"
        "listen = 0.0.0.0:9090\n"
        "max_connections = 64\n"
        "connection_timeout = 2\n"
        "max_upload = 64M ; inline comment\n"
        "public_url = https://haechi.seoul.go.kr\n"
        "\n"
        "[ledger]\n"
        "dir = /var/lib/haechi/ledger\n"
        "max_queue = 1K\n"
        "[limits]\n"
        "rate_per_minute = 60\n"
        "burst = 10\n"
        "[chain]\n"
        "rpc_url = http://127.0.0.1:8545\n"
        "contract = 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n"
        "chain_id = 31337\n"
        "[log]\n"
        "level = debug\n";
    assert_int_equal(load(text, &c, why, sizeof why), HC_OK);
    assert_string_equal(c.listen_host, "0.0.0.0");
    assert_int_equal(c.listen_port, 9090);
    assert_int_equal(c.max_connections, 64);
    assert_int_equal(c.connection_timeout, 2);
    assert_int_equal(c.max_upload, 64u << 20);
    assert_string_equal(c.public_url, "https://haechi.seoul.go.kr");
    assert_string_equal(c.ledger_dir, "/var/lib/haechi/ledger");
    assert_int_equal(c.max_queue, 1024);
    assert_int_equal(c.rate_per_minute, 60);
    assert_int_equal(c.burst, 10);
    assert_string_equal(c.rpc_url, "http://127.0.0.1:8545");
    assert_string_equal(c.contract,
                        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    assert_int_equal(c.chain_id, 31337);
    assert_int_equal(c.log_level, HC_LOG_DEBUG);
    assert_int_equal(hc_config_check(&c, why, sizeof why), HC_OK);

    /* a partial file keeps the other defaults; names are case-insensitive */
    assert_int_equal(
        load("[Server]\nConnection_Timeout = 5\n", &c, why, sizeof why), HC_OK);
    assert_int_equal(c.connection_timeout, 5);
    assert_int_equal(c.listen_port, 8080);
    /* an empty file is the defaults */
    assert_int_equal(load("", &c, why, sizeof why), HC_OK);
    assert_int_equal(c.max_upload, (uint64_t)1 << 30);
    /* port 0: any free port */
    assert_int_equal(
        load("[server]\nlisten = 127.0.0.1:0\n", &c, why, sizeof why), HC_OK);
    assert_int_equal(c.listen_port, 0);
}

/* A bad file: the error, and why names the file, the line and the key. */
static void bad(const char *text, const char *want_line, const char *want)
{
    hc_config c;
    char why[512];
    hc_err err = load(text, &c, why, sizeof why);
    assert_int_not_equal(err, HC_OK);
    if (!strstr(why, want_line) || !strstr(why, want))
        fail_msg("for %s: why is \"%s\", want \"%s\" and \"%s\"", text, why,
                 want_line, want);
    assert_non_null(strstr(why, "/tmp/haechi-test-config."));
}

static void test_load_errors(void **state)
{
    (void)state;
    bad("[server]\nlisten = 127.0.0.1:1\nbogus = 1\n",
        "line 3:", "[server] bogus: unknown setting");
    bad("[nope]\nlisten = 127.0.0.1:80\n",
        "line 2:", "[nope] listen: unknown setting");
    bad("listen = 127.0.0.1:80\n", "line 1:", "] listen: unknown setting");
    bad("[server]\n\n\nmax_upload = 12X\n",
        "line 4:", "[server] max_upload: invalid value");
    bad("[server]\nthis is not ini\n", "line 2:", "syntax error");
    bad("[server]\nlisten = 127.0.0.1\n", "line 2:", "listen: invalid value");
    bad("[server]\nlisten = :8080\n", "line 2:", "listen: invalid value");
    bad("[server]\nlisten = 127.0.0.1:65536\n",
        "line 2:", "listen: invalid value");
    bad("[server]\nlisten = 127.0.0.1:-1\n",
        "line 2:", "listen: invalid value");
    bad("[server]\nmax_connections = 0\n",
        "line 2:", "max_connections: invalid value");
    bad("[server]\nmax_connections = 100001\n",
        "line 2:", "max_connections: invalid value");
    bad("[server]\nconnection_timeout = 86401\n",
        "line 2:", "connection_timeout: invalid value");
    bad("[server]\nmax_upload = 0\n", "line 2:", "max_upload: invalid value");
    bad("[server]\nmax_upload = -1\n", "line 2:", "max_upload: invalid value");
    bad("[ledger]\nmax_queue = ten\n", "line 2:", "max_queue: invalid value");
    bad("[limits]\nrate_per_minute = 100000001\n",
        "line 2:", "rate_per_minute: invalid value");
    bad("[limits]\nburst = 1.5\n", "line 2:", "burst: invalid value");
    bad("[chain]\ncontract = 0x1234\n", "line 2:", "contract: invalid value");
    bad("[chain]\ncontract = 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD\n",
        "line 2:", "contract: invalid value"); /* bad checksum */
    bad("[log]\nlevel = loud\n", "line 2:", "level: invalid value");
    bad("[log]\nlevel = INFO\n", "line 2:", "level: invalid value");
    /* a line longer than libinih's buffer is refused, not split in two */
    char long_url[1200] = "[server]\npublic_url = https://";
    size_t n = strlen(long_url);
    memset(long_url + n, 'a', 600);
    strcpy(long_url + n + 600, "#x\nlisten = 1.2.3.4:5\n");
    bad(long_url, "line 2:", "line too long");
    /* the first bad line is reported, whatever is wrong with it */
    bad("[server\nlisten = 127.0.0.1:80\n", "line 1:", "syntax error");
    bad("[server]\nbogus = 1\n[x\n", "line 2:", "bogus: unknown setting");
    bad("[server]\nlisten = 127.0.0.1:80\n  continued\n",
        "line 3:", "listen: invalid value");
    /* the first error is the one reported */
    bad("[server]\nmax_upload = x\nbogus = 1\n", "line 2:", "max_upload");

    /* a missing file */
    hc_config c;
    char why[256];
    hc_config_defaults(&c);
    assert_int_equal(
        hc_config_load(&c, "/nonexistent/haechid.ini", why, sizeof why),
        HC_ERR_IO);
    assert_non_null(strstr(why, "/nonexistent/haechid.ini"));
}

static void test_parse_size(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        uint64_t want;
    } good[] = {
        {"0", 0},
        {"1024", 1024},
        {"512B", 512},
        {"64K", 64 << 10},
        {"64k", 64 << 10},
        {"64KB", 64 << 10},
        {"64KiB", 64 << 10},
        {"10M", 10u << 20},
        {"10m", 10u << 20},
        {"10MiB", 10u << 20},
        {"1G", 1u << 30},
        {"2g", (uint64_t)2 << 30},
        {"2GiB", (uint64_t)2 << 30},
        {"1T", (uint64_t)1 << 40},
        {"16777215T", (uint64_t)16777215 << 40},
        {"18446744073709551615", UINT64_MAX},
    };
    static const char *const bad_sizes[] = {
        "",    "-1",  " 1", "\t1", "+1",  "1 ",   "1 M", "M",    "1X",  "1.5M",
        "1MM", "1Mi", "1i", "1iB", "1Ki", "0x10", "1e3", "1KBB", "1BB", "1MiBs",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        uint64_t v = 12345;
        if (hc_parse_size(good[i].s, &v) != HC_OK)
            fail_msg("\"%s\" refused", good[i].s);
        if (v != good[i].want)
            fail_msg("\"%s\" = %llu", good[i].s, (unsigned long long)v);
    }
    for (size_t i = 0; i < sizeof bad_sizes / sizeof *bad_sizes; i++) {
        uint64_t v = 12345;
        if (hc_parse_size(bad_sizes[i], &v) == HC_OK)
            fail_msg("\"%s\" accepted as %llu", bad_sizes[i],
                     (unsigned long long)v);
        assert_int_equal(v, 12345); /* untouched */
    }
    uint64_t v;
    assert_int_equal(hc_parse_size("16777216T", &v), HC_ERR_OVERFLOW);
    assert_int_equal(hc_parse_size("17179869184G", &v), HC_ERR_OVERFLOW);
    assert_int_not_equal(hc_parse_size("18446744073709551616", &v), HC_OK);
    assert_int_not_equal(hc_parse_size(NULL, &v), HC_OK);
}

static void test_parse_wei(void **state)
{
    (void)state;
    static const struct {
        const char *s, *dec, *shown;
    } good[] = {
        {"0", "0", "0"},
        {"1", "1", "1wei"},
        {"1000wei", "1000", "1000wei"},
        {"30gwei", "30000000000", "30gwei"},
        {"30GWEI", "30000000000", "30gwei"},
        {"1.5gwei", "1500000000", "1500000000wei"},
        {"0.000000001gwei", "1", "1wei"},
        {"0.25eth", "250000000000000000", "250000000gwei"},
        {"2ether", "2000000000000000000", "2eth"},
        {"1000000000gwei", "1000000000000000000", "1eth"},
        {("11579208923731619542357098500868790785326998466564056403945758400791"
          "3"
          "129639935"),
         ("11579208923731619542357098500868790785326998466564056403945758400791"
          "3"
          "129639935"),
         NULL},
    };
    static const char *const bad[] = {
        "",
        "-1",
        " 1",
        "1 gwei",
        "1.",
        ".5",
        "1.5",
        "1.5w",
        "1e9",
        "0x10",
        "gwei",
        "1wei ",
        "0.1wei",
        "1kwei",
        "1.0000000001gwei",
        "0.0000000000000000001eth",
        ("115792089237316195423570985008687907853269984665640564039457584007913"
         "129639936"), /* 2^256 */
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        hc_u256 v;
        char dec[HC_U256_DEC_MAX], shown[100];
        if (hc_parse_wei(good[i].s, &v) != HC_OK)
            fail_msg("\"%s\" refused", good[i].s);
        assert_string_equal(hc_u256_to_dec(dec, &v), good[i].dec);
        if (good[i].shown)
            assert_string_equal(hc_format_wei(shown, sizeof shown, &v),
                                good[i].shown);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hc_u256 v;
        if (hc_parse_wei(bad[i], &v) == HC_OK)
            fail_msg("\"%s\" accepted", bad[i]);
    }
}

static void test_chain_settings(void **state)
{
    (void)state;
    hc_config c;
    char why[256];
    hc_config_defaults(&c);
    assert_int_equal(c.max_inflight, 4);
    assert_int_equal(c.replace_after, 60);
    assert_int_equal(c.nonce_check, 30);
    assert_false(c.legacy);
    assert_true(hc_u256_is_zero(&c.daily_budget));
    assert_int_equal(load("[chain]\nmax_inflight = 8\ntx_type = legacy\n"
                          "max_fee_per_gas = 40gwei\ndaily_budget = 0.5eth\n"
                          "replace_after = 5\nnonce_check = 2\n",
                          &c, why, sizeof why),
                     HC_OK);
    char dec[HC_U256_DEC_MAX];
    assert_int_equal(c.max_inflight, 8);
    assert_true(c.legacy);
    assert_string_equal(hc_u256_to_dec(dec, &c.max_fee_per_gas), "40000000000");
    assert_string_equal(hc_u256_to_dec(dec, &c.daily_budget),
                        "500000000000000000");
    assert_int_equal(c.replace_after, 5);
    assert_int_equal(c.nonce_check, 2);
    static const char *const bad[] = {
        "[chain]\nmax_inflight = 0\n",     "[chain]\nmax_inflight = 65\n",
        "[chain]\ntx_type = 2\n",          "[chain]\nmax_fee_per_gas = -1\n",
        "[chain]\ndaily_budget = 1 eth\n", "[chain]\nreplace_after = 0\n",
        "[chain]\nnonce_check = x\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hc_config_defaults(&c);
        if (load(bad[i], &c, why, sizeof why) == HC_OK)
            fail_msg("accepted: %s", bad[i]);
    }
}

static void test_env(void **state)
{
    (void)state;
    hc_config c;
    char why[256];
    /* the file sets some values, the environment wins */
    assert_int_equal(load("[server]\nlisten = 127.0.0.1:9000\nmax_upload = "
                          "5M\n[limits]\nburst = 7\n",
                          &c, why, sizeof why),
                     HC_OK);
    setenv("HAECHI_LISTEN", "127.0.0.1:0", 1);
    setenv("HAECHI_LEDGER_DIR", "/tmp/ledger", 1);
    setenv("HAECHI_MAX_UPLOAD", "1M", 1);
    setenv("HAECHI_MAX_QUEUE", "1", 1);
    setenv("HAECHI_RATE_PER_MINUTE", "2", 1);
    setenv("HAECHI_PUBLIC_URL", "http://haechi.test", 1);
    setenv("HAECHI_RPC", "http://127.0.0.1:8545", 1);
    setenv("HAECHI_CONTRACT", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", 1);
    setenv("HAECHI_CHAIN_ID", "31337", 1);
    setenv("HAECHI_LOG_LEVEL", "warn", 1);
    assert_int_equal(hc_config_env(&c, why, sizeof why), HC_OK);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 0);
    assert_string_equal(c.ledger_dir, "/tmp/ledger");
    assert_int_equal(c.max_upload, 1u << 20);
    assert_int_equal(c.max_queue, 1);
    assert_int_equal(c.rate_per_minute, 2);
    assert_int_equal(c.burst, 7); /* from the file: HAECHI_BURST unset */
    assert_string_equal(c.public_url, "http://haechi.test");
    assert_string_equal(c.rpc_url, "http://127.0.0.1:8545");
    assert_string_equal(c.contract,
                        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
    assert_int_equal(c.chain_id, 31337);
    assert_int_equal(c.log_level, HC_LOG_WARN);
    assert_int_equal(hc_config_check(&c, why, sizeof why), HC_OK);
    setenv("HAECHI_BURST", "0", 1);
    assert_int_equal(hc_config_env(&c, why, sizeof why), HC_OK);
    assert_int_equal(c.burst, 0);
    clear_env();

    /* an invalid value names its variable */
    static const char *const bad_env[][2] = {
        {"HAECHI_LISTEN", "127.0.0.1"}, {"HAECHI_LISTEN", "127.0.0.1:70000"},
        {"HAECHI_MAX_UPLOAD", "1X"},    {"HAECHI_MAX_UPLOAD", "0"},
        {"HAECHI_MAX_QUEUE", "-1"},     {"HAECHI_RATE_PER_MINUTE", "fast"},
        {"HAECHI_BURST", ""},           {"HAECHI_CONTRACT", "0xnothex"},
        {"HAECHI_CHAIN_ID", "one"},     {"HAECHI_LOG_LEVEL", "verbose"},
    };
    for (size_t i = 0; i < sizeof bad_env / sizeof *bad_env; i++) {
        hc_config_defaults(&c);
        setenv(bad_env[i][0], bad_env[i][1], 1);
        why[0] = 0;
        if (hc_config_env(&c, why, sizeof why) == HC_OK)
            fail_msg("%s=%s accepted", bad_env[i][0], bad_env[i][1]);
        char want[64];
        snprintf(want, sizeof want, "%s: invalid value", bad_env[i][0]);
        assert_string_equal(why, want);
        unsetenv(bad_env[i][0]);
    }
    /* a value too long for its field */
    char url[700] = "https://";
    memset(url + 8, 'a', 600);
    url[608] = 0;
    setenv("HAECHI_PUBLIC_URL", url, 1);
    assert_int_equal(hc_config_env(&c, why, sizeof why), HC_ERR_INVALID);
    assert_string_equal(why, "HAECHI_PUBLIC_URL: invalid value");
    unsetenv("HAECHI_PUBLIC_URL");
}

static void test_check(void **state)
{
    (void)state;
    hc_config c;
    char why[256];
    hc_config_defaults(&c);
    strcpy(c.contract, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    assert_int_equal(hc_config_check(&c, why, sizeof why), HC_ERR_INVALID);
    assert_non_null(strstr(why, "contract"));
    assert_non_null(strstr(why, "rpc_url"));

    hc_config_defaults(&c);
    strcpy(c.rpc_url, "ftp://node.example");
    assert_int_equal(hc_config_check(&c, why, sizeof why), HC_ERR_INVALID);
    assert_non_null(strstr(why, "rpc_url"));
    strcpy(c.rpc_url, "127.0.0.1:8545");
    assert_int_equal(hc_config_check(&c, why, sizeof why), HC_ERR_INVALID);
    strcpy(c.rpc_url, "https://node.example");
    assert_int_equal(hc_config_check(&c, why, sizeof why), HC_OK);

    hc_config_defaults(&c);
    c.ledger_dir[0] = 0;
    assert_int_equal(hc_config_check(&c, why, sizeof why), HC_ERR_INVALID);
    assert_non_null(strstr(why, "[ledger] dir"));
}

/* --check-config prints INI that loads back to the same configuration. */
static void test_print_roundtrip(void **state)
{
    (void)state;
    hc_config a, b;
    char why[256];
    assert_int_equal(load("[server]\nlisten = 127.0.0.1:0\nmax_upload = 3G\n"
                          "connection_timeout = 9\npublic_url = "
                          "http://x.test\n[ledger]\ndir = /tmp/l\n"
                          "max_queue = 5\n[limits]\nrate_per_minute = 0\n"
                          "[chain]\nrpc_url = http://127.0.0.1:1\n"
                          "chain_id = 7\n[log]\nlevel = error\n",
                          &a, why, sizeof why),
                     HC_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    hc_config_print(&a, f);
    fclose(f);
    assert_non_null(strstr(text, "max_upload = 3221225472\n"));
    assert_non_null(strstr(text, "level = error\n"));
    assert_int_equal(load(text, &b, why, sizeof why), HC_OK);
    free(text);
    assert_memory_equal(&a, &b, sizeof a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, setup),
        cmocka_unit_test_setup(test_load_all, setup),
        cmocka_unit_test_setup(test_load_errors, setup),
        cmocka_unit_test_setup(test_parse_size, setup),
        cmocka_unit_test_setup(test_parse_wei, setup),
        cmocka_unit_test_setup(test_chain_settings, setup),
        cmocka_unit_test_setup(test_env, setup),
        cmocka_unit_test_setup(test_check, setup),
        cmocka_unit_test_setup(test_print_roundtrip, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* haechid — the Haechi mint service: a thin program over libhaechi. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "haechi/api.h"
#include "haechi/config.h"
#include "haechi/key.h"
#include "haechi/ledger.h"
#include "haechi/log.h"
#include "haechi/metrics.h"
#include "haechi/pipeline.h"
#include "haechi/rpc.h"

#ifndef HAECHI_VERSION
#define HAECHI_VERSION "0.1.0"
#endif

static const char usage[] =
    "Usage: haechid [--config FILE] [--check-config] [--help] [--version]\n"
    "\n"
    "The Haechi mint service: accepts citizens' works over HTTP, hashes them\n"
    "as they stream in, keeps them in a durable ledger and mints their\n"
    "tokens on the configured chain (docs/pipeline.md, docs/chains.md).\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE   INI configuration (docs/haechid.ini.example);\n"
    "                      without it, built-in defaults\n"
    "  --check-config      load and check the configuration, print the\n"
    "                      effective settings, and exit (0 ok, 2 invalid)\n"
    "  -h, --help          this help\n"
    "  --version           the version\n"
    "\n"
    "Environment overrides: HAECHI_LISTEN (host:port), HAECHI_LEDGER_DIR,\n"
    "HAECHI_MAX_UPLOAD, HAECHI_MAX_QUEUE, HAECHI_RATE_PER_MINUTE,\n"
    "HAECHI_BURST, HAECHI_RPC, HAECHI_CONTRACT, HAECHI_CHAIN_ID,\n"
    "HAECHI_PUBLIC_URL, HAECHI_LOG_LEVEL, HAECHI_KEYS_FILE,\n"
    "HAECHI_BATCH_SIZE, HAECHI_BATCH_WAIT_MS, HAECHI_CONFIRMATIONS,\n"
    "HAECHI_MAX_INFLIGHT, HAECHI_TX_TYPE, HAECHI_MAX_FEE_PER_GAS,\n"
    "HAECHI_DAILY_BUDGET, HAECHI_REPLACE_AFTER, HAECHI_NONCE_CHECK.\n"
    "\n"
    "The signer key is read from the keys file ([chain] keys_file, mode\n"
    "600, see keys.example) or else from the environment variable named by\n"
    "[chain] signer_key_env (default HAECHI_SIGNER_KEY), never from argv.\n"
    "\n"
    "API clients are added with `haechi keys add-client --ledger DIR` while\n"
    "the service is stopped. SIGTERM or SIGINT stops it gracefully: no new\n"
    "connections, requests in flight finish, the ledger is closed.\n"
    "Logs: one JSON object per line on standard error.\n";

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"check-config", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL;
    int check_only = 0, c;
    hc_config cfg;
    char why[512];

    opterr = 0;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'k':
            check_only = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        case 'v':
            printf("haechid %s\n", HAECHI_VERSION);
            return 0;
        default:
            fprintf(stderr, "haechid: unknown option or missing value\n%s",
                    usage);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "haechid: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }

    /* secrets must never land in a core dump */
    struct rlimit no_core = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &no_core);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

    hc_config_defaults(&cfg);
    if (config_path && hc_config_load(&cfg, config_path, why, sizeof why)) {
        fprintf(stderr, "haechid: %s\n", why);
        return 2;
    }
    if (hc_config_env(&cfg, why, sizeof why) ||
        hc_config_check(&cfg, why, sizeof why)) {
        fprintf(stderr, "haechid: %s\n", why);
        return 2;
    }
    if (check_only) {
        hc_config_print(&cfg, stdout);
        return 0;
    }
    hc_log_set_level(cfg.log_level);

    /* signals are taken by sigwait below, in this thread only */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    hc_ledger *ledger = NULL;
    hc_metrics *metrics = NULL;
    hc_rpc *rpc = NULL, *prpc = NULL, *srpc = NULL; /* API, pipeline, sends */
    hc_api *api = NULL;
    hc_pipeline *pipe = NULL;
    int rc = 1;
    hc_err err = hc_ledger_open(&ledger, cfg.ledger_dir, NULL);
    if (err) {
        hc_logline l;
        hc_log_begin(&l, HC_LOG_ERROR, "ledger_open_failed");
        hc_log_str(&l, "dir", cfg.ledger_dir);
        hc_log_str(&l, "error", hc_strerror(err));
        hc_log_end(&l);
        goto out;
    }
    if ((err = hc_metrics_new(&metrics)))
        goto out;
    if (cfg.rpc_url[0] && (err = hc_rpc_open(&rpc, cfg.rpc_url, NULL))) {
        hc_log_msg(HC_LOG_ERROR, "rpc_open_failed", hc_strerror(err));
        goto out;
    }
    hc_api_deps deps = {&cfg, ledger, metrics, rpc};
    err = hc_api_start(&api, &deps);
    if (err) {
        hc_logline l;
        hc_log_begin(&l, HC_LOG_ERROR, "listen_failed");
        hc_log_str(&l, "host", cfg.listen_host);
        hc_log_uint(&l, "port", cfg.listen_port);
        hc_log_str(&l, "error", hc_strerror(err));
        hc_log_end(&l);
        goto out;
    }
    /* The pipeline runs when a chain, a contract and a signer key are
     * given: from the keys file ([chain] keys_file) if one is set, else
     * from the environment variable named by [chain] signer_key_env
     * (wiped and removed from the environment once read). */
    const char *key_hex = getenv(cfg.signer_key_env);
    int have_key = cfg.keys_file[0] || (key_hex && *key_hex);
    if (rpc && cfg.contract[0] && have_key) {
        uint8_t sk[32];
        hc_pipeline_opts po = {0};
        char kwhy[1200] = "";
        if (cfg.keys_file[0])
            err = hc_key_from_file(sk, cfg.keys_file, cfg.signer_key_env, kwhy,
                                   sizeof kwhy);
        else
            err = hc_key_from_env(sk, cfg.signer_key_env);
        hc_key_env_scrub(cfg.signer_key_env);
        if (err) {
            hc_log_msg(HC_LOG_ERROR, "signer_key_invalid",
                       kwhy[0] ? kwhy
                               : "the signer key variable does not hold a "
                                 "valid key");
            goto out;
        }
        err = hc_rpc_open(&prpc, cfg.rpc_url, NULL);
        if (!err)
            err = hc_rpc_open(&srpc, cfg.rpc_url, NULL);
        /* the node's chain id is checked by the pipeline, which waits for
         * a node that does not answer yet (the API runs meanwhile) */
        if (!err) {
            (void)!hc_address_parse(&po.contract, cfg.contract);
            po.chain_id = cfg.chain_id; /* 0: the node's */
            po.batch_size = cfg.batch_size;
            po.wait_ms = cfg.batch_wait_ms;
            po.confirmations = cfg.confirmations;
            po.max_inflight = cfg.max_inflight;
            po.legacy = cfg.legacy;
            po.max_fee = cfg.max_fee_per_gas;
            po.daily_budget = cfg.daily_budget;
            po.replace_after_ms = cfg.replace_after * 1000;
            po.nonce_check_ms = cfg.nonce_check * 1000;
            po.send_rpc = srpc;
            err = hc_pipeline_start(&pipe, ledger, prpc, metrics, sk, &po);
            hc_address signer;
            if (!err && !hc_key_address(&signer, sk))
                hc_api_set_signer(api, &signer);
            if (!err)
                hc_api_set_chain_head(api, hc_pipeline_head, pipe);
        }
        hc_memzero(sk, sizeof sk);
        if (err) {
            hc_log_msg(HC_LOG_ERROR, "pipeline_start_failed", hc_strerror(err));
            goto out;
        }
    } else if (key_hex) {
        hc_key_env_scrub(cfg.signer_key_env);
    }
    if (!pipe && cfg.contract[0] && !have_key)
        hc_log_msg(HC_LOG_WARN, "pipeline_off",
                   "no signer key: mints are accepted and queued, not minted");
    hc_logline l;
    hc_log_begin(&l, HC_LOG_INFO, "started");
    hc_log_str(&l, "version", HAECHI_VERSION);
    hc_log_str(&l, "host", cfg.listen_host);
    hc_log_uint(&l, "port", hc_api_port(api));
    hc_log_str(&l, "ledger", cfg.ledger_dir);
    hc_log_str(&l, "chain", cfg.rpc_url[0] ? "configured" : "none");
    hc_log_str(&l, "pipeline", pipe ? "running" : "off");
    hc_log_end(&l);

    int sig = 0;
    while (sigwait(&set, &sig) != 0)
        ;
    hc_log_begin(&l, HC_LOG_INFO, "stopping");
    hc_log_str(&l, "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    hc_log_end(&l);
    rc = 0;
out:
    hc_api_stop(api, 30000);
    hc_pipeline_stop(pipe);
    hc_ledger_close(ledger);
    hc_rpc_close(rpc);
    hc_rpc_close(prpc);
    hc_rpc_close(srpc);
    hc_metrics_free(metrics);
    if (!rc)
        hc_log_msg(HC_LOG_INFO, "stopped", "bye");
    return rc;
}

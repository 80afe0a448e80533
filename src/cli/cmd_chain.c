/* haechi deploy | owner | verify | mint — commands that talk to a chain. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "haechi/abi.h"
#include "haechi/hex.h"
#include "haechi/keccak.h"
#include "haechi/nft.h"
#include "haechi/rpc.h"
#include "haechi/send.h"
#include "haechi/sha256.h"

/* Options shared by the chain commands. */
struct chain_opts {
    const char *rpc;
    const char *contract_s;
    hc_address contract;
    const char *key_env;
    int json;
    long timeout_ms;
};

/* Exit code for a failed chain call, after printing what happened. */
static int chain_fail(const char *what, hc_err err, const hc_rpc_status *st)
{
    if (err == HC_ERR_RPC && st->cls == HC_RPC_REVERTED) {
        char name[256];
        hc_nft_revert_name(name, sizeof name, st->revert, st->revert_len);
        return cli_fail(EXIT_USAGE, "%s: %s: %s", what,
                        cli_tr("reverted", "되돌려짐"),
                        name[0] ? name : st->message);
    }
    /* the node answered: an error about the request (funds, nonce, fee…)
     * is the user's to fix (2); only a rate limit means "try later" (3) */
    if (err == HC_ERR_RPC)
        return cli_fail(
            st->cls == HC_RPC_RATE_LIMITED ? EXIT_UNREACHABLE : EXIT_USAGE,
            "%s: %s (%s)", what, st->message, hc_rpc_class_name(st->cls));
    if (err == HC_ERR_RPC_UNREACHABLE || err == HC_ERR_RPC_TIMEOUT ||
        err == HC_ERR_RPC_HTTP || err == HC_ERR_RPC_MALFORMED)
        return cli_fail(EXIT_UNREACHABLE, "%s: %s%s%s%s", what,
                        cli_strerror(err), st->message[0] ? " (" : "",
                        st->message, st->message[0] ? ")" : "");
    return cli_fail(EXIT_USAGE, "%s: %s", what, cli_strerror(err));
}

/* After a failure once the transaction was sent: its hash, to look up. */
static void print_sent_hash(const uint8_t hash[32])
{
    char h[67];
    fprintf(
        stderr,
        cli_tr("haechi: the transaction was sent and may still be mined; "
               "check it before sending again: %s\n",
               "haechi: 트랜잭션은 전송되었고 아직 채굴될 수 있습니다; 다시 "
               "보내기 전에 확인하세요: %s\n"),
        hc_hex_encode(h, hash, 32, 1));
}

static int open_rpc(hc_rpc **c, const struct chain_opts *o, const char *cmd)
{
    hc_rpc_opts ro = {0};
    ro.timeout_ms = o->timeout_ms;
    if (!o->rpc)
        return cli_usage_error(cmd, "%s",
                               cli_tr("--rpc URL is required (or set "
                                      "HAECHI_RPC)",
                                      "--rpc URL이 필요합니다 (또는 HAECHI_RPC "
                                      "설정)"));
    hc_err err = hc_rpc_open(c, o->rpc, &ro);
    if (err)
        return cli_usage_error(cmd, "--rpc: %s",
                               cli_tr("must be an http:// or https:// URL",
                                      "http:// 또는 https:// URL이어야 "
                                      "합니다"));
    return EXIT_OK;
}

static int need_contract(struct chain_opts *o, const char *cmd)
{
    if (!o->contract_s)
        return cli_usage_error(cmd, "%s",
                               cli_tr("--contract ADDR is required (or set "
                                      "HAECHI_CONTRACT)",
                                      "--contract ADDR이 필요합니다 (또는 "
                                      "HAECHI_CONTRACT 설정)"));
    hc_err err = hc_address_parse(&o->contract, o->contract_s);
    if (err)
        return cli_usage_error(cmd, "--contract: %s", cli_strerror(err));
    return EXIT_OK;
}

/* Hashes a file into a token id. */
static int hash_file(const char *path, uint8_t id[32])
{
    int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
    if (fd < 0)
        return cli_fail(EXIT_USAGE, "%s: %s", path, strerror(errno));
    hc_err err = hc_sha256_fd(id, NULL, fd, NULL, NULL);
    int saved = errno;
    if (fd)
        close(fd);
    if (err)
        return cli_fail(EXIT_USAGE, "%s: %s", path,
                        err == HC_ERR_IO ? strerror(saved) : cli_strerror(err));
    return EXIT_OK;
}

/* eth_call of a one-uint256 view; HC_ERR_NOT_FOUND if it reverted. */
static hc_err call_token(hc_rpc *c, const hc_address *contract, const char *fn,
                         const uint8_t id[32], hc_buf *out, hc_rpc_status *st)
{
    hc_buf cd;
    hc_buf_init(&cd, 256, 0);
    hc_err err = hc_nft_token_calldata(&cd, fn, id);
    if (!err)
        err =
            hc_rpc_call(c, NULL, contract, cd.data, cd.len, "latest", out, st);
    hc_buf_free(&cd);
    if (err == HC_ERR_RPC && st->cls == HC_RPC_REVERTED)
        return HC_ERR_NOT_FOUND;
    return err;
}

static hc_err call_address(hc_rpc *c, const hc_address *contract,
                           const char *fn, const uint8_t id[32], hc_address *a,
                           hc_rpc_status *st)
{
    hc_buf out;
    hc_abi_dec d;
    hc_buf_init(&out, 4096, 0);
    hc_err err = call_token(c, contract, fn, id, &out, st);
    if (!err) {
        hc_abi_dec_init(&d, out.data, out.len);
        if (hc_abi_get_address(&d, 0, a))
            err = HC_ERR_RPC_MALFORMED;
    }
    hc_buf_free(&out);
    return err;
}

static hc_err call_bool(hc_rpc *c, const hc_address *contract, const char *fn,
                        const uint8_t id[32], int *b, hc_rpc_status *st)
{
    hc_buf out;
    hc_abi_dec d;
    hc_buf_init(&out, 4096, 0);
    hc_err err = call_token(c, contract, fn, id, &out, st);
    if (!err) {
        hc_abi_dec_init(&d, out.data, out.len);
        if (hc_abi_get_bool(&d, 0, b))
            err = HC_ERR_RPC_MALFORMED;
    }
    hc_buf_free(&out);
    return err;
}

enum {
    O_RPC = 256,
    O_CONTRACT,
    O_KEY_ENV,
    O_JSON,
    O_TOKEN,
    O_NAME,
    O_SYMBOL,
    O_BASE_URI,
    O_ADMIN,
    O_MINTER,
    O_TO,
    O_ROYALTY,
    O_META,
    O_TIMEOUT,
    O_LEGACY
};

static const struct option chain_options[] = {
    {"rpc", required_argument, NULL, O_RPC},
    {"contract", required_argument, NULL, O_CONTRACT},
    {"key-env", required_argument, NULL, O_KEY_ENV},
    {"json", no_argument, NULL, O_JSON},
    {"token", required_argument, NULL, O_TOKEN},
    {"name", required_argument, NULL, O_NAME},
    {"symbol", required_argument, NULL, O_SYMBOL},
    {"base-uri", required_argument, NULL, O_BASE_URI},
    {"admin", required_argument, NULL, O_ADMIN},
    {"minter", required_argument, NULL, O_MINTER},
    {"to", required_argument, NULL, O_TO},
    {"royalty-bps", required_argument, NULL, O_ROYALTY},
    {"metadata-hash", required_argument, NULL, O_META},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"legacy", no_argument, NULL, O_LEGACY},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct all_opts {
    struct chain_opts c;
    const char *token, *name, *symbol, *base_uri, *admin, *minter, *to,
        *royalty, *meta;
    int legacy;
};

/* Parses options; allowed is a string of O_* codes the command takes.
 * Returns -1 to go on, or an exit code. */
static int parse(int argc, char **argv, const char *cmd, const int *allowed,
                 const char *help_en, const char *help_ko, struct all_opts *o)
{
    int c;
    memset(o, 0, sizeof *o);
    o->c.rpc = getenv("HAECHI_RPC");
    o->c.contract_s = getenv("HAECHI_CONTRACT");
    if (o->c.rpc && !*o->c.rpc)
        o->c.rpc = NULL;
    if (o->c.contract_s && !*o->c.contract_s)
        o->c.contract_s = NULL;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", chain_options, NULL)) != -1) {
        if (c == 'h') {
            fputs(cli_tr(help_en, help_ko), stdout);
            return EXIT_OK;
        }
        int ok = 0;
        for (const int *a = allowed; *a; a++)
            ok |= *a == c;
        if (!ok)
            return cli_bad_option(cmd, argv[optind - 1]);
        switch (c) {
        case O_RPC:
            o->c.rpc = optarg;
            break;
        case O_CONTRACT:
            o->c.contract_s = optarg;
            break;
        case O_KEY_ENV:
            o->c.key_env = optarg;
            break;
        case O_JSON:
            o->c.json = 1;
            break;
        case O_TOKEN:
            o->token = optarg;
            break;
        case O_NAME:
            o->name = optarg;
            break;
        case O_SYMBOL:
            o->symbol = optarg;
            break;
        case O_BASE_URI:
            o->base_uri = optarg;
            break;
        case O_ADMIN:
            o->admin = optarg;
            break;
        case O_MINTER:
            o->minter = optarg;
            break;
        case O_TO:
            o->to = optarg;
            break;
        case O_ROYALTY:
            o->royalty = optarg;
            break;
        case O_META:
            o->meta = optarg;
            break;
        case O_LEGACY:
            o->legacy = 1;
            break;
        case O_TIMEOUT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v <= 0 || v > 3600)
                return cli_usage_error(cmd, "%s",
                                       cli_tr("--timeout: seconds, 1 to 3600",
                                              "--timeout: 1에서 3600 사이의 "
                                              "초"));
            o->c.timeout_ms = v * 1000;
            break;
        }
        }
    }
    return -1;
}

static void print_json(cJSON *o)
{
    char *s = o ? cJSON_Print(o) : NULL;
    if (s)
        puts(s);
    free(s);
    cJSON_Delete(o);
}

/* ---------------------------------------------------------------- owner */

static const char owner_en[] =
    "Usage: haechi owner [--rpc URL] [--contract ADDR] [--json] "
    "(FILE | --token 0x…)\n"
    "\n"
    "Prints the current owner of the token of FILE (its SHA-256) or of the\n"
    "given token id.\n"
    "\n"
    "Options:\n"
    "  --rpc URL        JSON-RPC endpoint (default: $HAECHI_RPC)\n"
    "  --contract ADDR  Haechi contract (default: $HAECHI_CONTRACT)\n"
    "  --token 0x…      a token id (64 hex digits) instead of a file\n"
    "  --json           print {\"token_id\", \"owner\"}\n"
    "  --timeout SEC    per-call timeout (default 10)\n"
    "\n"
    "Exit: 0 minted (owner printed); 1 not minted; 2 usage; 3 chain "
    "unreachable.\n";
static const char owner_ko[] =
    "사용법: haechi owner [--rpc URL] [--contract ADDR] [--json] "
    "(파일 | --token 0x…)\n"
    "\n"
    "파일(의 SHA-256) 또는 주어진 토큰 ID의 현재 소유자를 출력합니다.\n"
    "\n"
    "옵션: --rpc URL (기본 $HAECHI_RPC), --contract ADDR (기본 "
    "$HAECHI_CONTRACT),\n"
    "--token 0x…, --json, --timeout 초\n"
    "\n"
    "종료 코드: 0 발행됨, 1 발행 안 됨, 2 사용법, 3 체인 연결 불가.\n";

static int token_arg(struct all_opts *o, int argc, char **argv, const char *cmd,
                     uint8_t id[32], const char **label)
{
    if (o->token && optind < argc)
        return cli_usage_error(cmd, "%s",
                               cli_tr("give a FILE or --token, not both",
                                      "파일과 --token 중 하나만 주세요"));
    if (o->token) {
        hc_err err =
            hc_hex_decode_fixed(id, 32, o->token, HC_HEX_PREFIX_OPTIONAL);
        if (err)
            return cli_usage_error(
                cmd, "--token: %s%s", cli_strerror(err),
                cli_tr(" (64 hex digits)", " (16진수 64자리)"));
        *label = o->token;
        return EXIT_OK;
    }
    if (argc - optind != 1)
        return cli_usage_error(cmd, "%s",
                               cli_tr("expected one FILE (or --token)",
                                      "파일 하나(또는 --token)가 필요합니다"));
    *label = argv[optind];
    return hash_file(argv[optind], id);
}

int cmd_owner(int argc, char **argv)
{
    static const int allowed[] = {O_RPC,   O_CONTRACT, O_JSON,
                                  O_TOKEN, O_TIMEOUT,  0};
    struct all_opts o;
    uint8_t id[32];
    const char *label;
    hc_rpc *c;
    hc_rpc_status st;
    hc_address owner;
    int rc = parse(argc, argv, "owner", allowed, owner_en, owner_ko, &o);
    if (rc >= 0)
        return rc;
    if ((rc = need_contract(&o.c, "owner")) ||
        (rc = token_arg(&o, argc, argv, "owner", id, &label)) ||
        (rc = open_rpc(&c, &o.c, "owner")))
        return rc;
    hc_err err = call_address(c, &o.c.contract, "ownerOf", id, &owner, &st);
    hc_rpc_close(c);
    char hex[67], a[HC_ADDRESS_STR];
    hc_hex_encode(hex, id, 32, 1);
    if (err == HC_ERR_NOT_FOUND) {
        if (o.c.json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "token_id", hex);
            cJSON_AddNullToObject(j, "owner");
            print_json(j);
        } else {
            printf(cli_tr("not minted: %s\n", "발행되지 않음: %s\n"), label);
        }
        return EXIT_NOT_VERIFIED;
    }
    if (err)
        return chain_fail("ownerOf", err, &st);
    hc_address_to_str(a, &owner);
    if (o.c.json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "token_id", hex);
        cJSON_AddStringToObject(j, "owner", a);
        print_json(j);
    } else {
        puts(a);
    }
    return EXIT_OK;
}

/* --------------------------------------------------------------- verify */

static const char verify_en[] =
    "Usage: haechi verify [--rpc URL] [--contract ADDR] [--json] FILE\n"
    "\n"
    "Hashes FILE and looks its token up on the chain: token id (= SHA-256),\n"
    "current owner, creator, metadata hash, mint transaction, block and time\n"
    "(from the contract's Minted event). Trusts nothing but the chain.\n"
    "\n"
    "Options:\n"
    "  --rpc URL        JSON-RPC endpoint (default: $HAECHI_RPC)\n"
    "  --contract ADDR  Haechi contract (default: $HAECHI_CONTRACT)\n"
    "  --json           machine-readable output\n"
    "  --timeout SEC    per-call timeout (default 10)\n"
    "\n"
    "Exit: 0 minted; 1 not minted (or withdrawn); 2 usage; 3 chain "
    "unreachable.\n";
static const char verify_ko[] =
    "사용법: haechi verify [--rpc URL] [--contract ADDR] [--json] 파일\n"
    "\n"
    "파일을 해시해 체인에서 토큰을 찾습니다: 토큰 ID(= SHA-256), 현재 소유자,\n"
    "창작자, 메타데이터 해시, 발행 트랜잭션, 블록과 시각(Minted 이벤트).\n"
    "체인 말고는 아무것도 믿지 않습니다.\n"
    "\n"
    "옵션: --rpc URL (기본 $HAECHI_RPC), --contract ADDR (기본 "
    "$HAECHI_CONTRACT),\n"
    "--json, --timeout 초\n"
    "\n"
    "종료 코드: 0 발행됨, 1 발행 안 됨(또는 회수됨), 2 사용법, 3 체인 연결 "
    "불가.\n";

int cmd_verify(int argc, char **argv)
{
    static const int allowed[] = {O_RPC, O_CONTRACT, O_JSON, O_TIMEOUT, 0};
    struct all_opts o;
    uint8_t id[32];
    const char *label;
    hc_rpc *c;
    hc_rpc_status st;
    hc_address owner, creator;
    int rc = parse(argc, argv, "verify", allowed, verify_en, verify_ko, &o);
    if (rc >= 0)
        return rc;
    if ((rc = need_contract(&o.c, "verify")) ||
        (rc = token_arg(&o, argc, argv, "verify", id, &label)) ||
        (rc = open_rpc(&c, &o.c, "verify")))
        return rc;
    char hex[67], a[HC_ADDRESS_STR], b[HC_ADDRESS_STR];
    hc_hex_encode(hex, id, 32, 1);
    hc_err err = call_address(c, &o.c.contract, "ownerOf", id, &owner, &st);
    if (err == HC_ERR_NOT_FOUND) {
        int retired = 0;
        hc_err e2 = call_bool(c, &o.c.contract, "retired", id, &retired, &st);
        hc_rpc_close(c);
        if (e2 && e2 != HC_ERR_NOT_FOUND)
            return chain_fail("retired", e2, &st);
        if (o.c.json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "file", label);
            cJSON_AddStringToObject(j, "token_id", hex);
            cJSON_AddBoolToObject(j, "minted", 0);
            cJSON_AddBoolToObject(j, "withdrawn", retired);
            print_json(j);
        } else if (retired) {
            printf(cli_tr("NOT MINTED: %s was minted and then withdrawn "
                          "(burned) by its owner\ntoken id: %s\n",
                          "발행 안 됨: %s는 발행되었다가 소유자가 회수(소각)"
                          "했습니다\n토큰 ID: %s\n"),
                   label, hex);
        } else {
            printf(cli_tr("NOT MINTED: %s\ntoken id: %s\n",
                          "발행 안 됨: %s\n토큰 ID: %s\n"),
                   label, hex);
        }
        return EXIT_NOT_VERIFIED;
    }
    if (!err)
        err = call_address(c, &o.c.contract, "creatorOf", id, &creator, &st);
    if (err) {
        hc_rpc_close(c);
        return chain_fail(cli_tr("contract call", "컨트랙트 호출"), err, &st);
    }
    /* the Minted event: block, transaction, metadata hash */
    uint8_t topic[32];
    hc_keccak256(topic, HC_NFT_EV_MINTED, strlen(HC_NFT_EV_MINTED));
    hc_log_filter f = {0};
    f.address = &o.c.contract;
    f.topics[0] = topic;
    f.topics[1] = id;
    f.ntopics = 2;
    hc_log *logs = NULL;
    size_t nlogs = 0;
    hc_nft_event ev = {0};
    hc_block blk = {0};
    int found = 0;
    err = hc_rpc_get_logs(c, &f, 16, &logs, &nlogs, &st);
    for (size_t i = 0; !err && i < nlogs; i++) {
        if (!logs[i].removed && hc_nft_decode_event(&logs[i], &ev) == HC_OK &&
            ev.kind == HC_NFT_EVENT_MINTED && !memcmp(ev.token_id, id, 32)) {
            found = 1;
            char tag[19];
            err = hc_rpc_get_block(
                c, hc_rpc_block_tag(tag, logs[i].block_number), &blk, &st);
            if (!err)
                break;
        }
    }
    hc_rpc_close(c);
    if (err) {
        hc_logs_free(logs, nlogs);
        return chain_fail("eth_getLogs", err, &st);
    }
    hc_address_to_str(a, &owner);
    hc_address_to_str(b, &creator);
    char meta[67] = "", txh[67] = "", when[32] = "";
    const hc_log *ml = NULL;
    for (size_t i = 0; found && i < nlogs; i++)
        if (logs[i].block_number == blk.number)
            ml = &logs[i];
    if (ml) {
        hc_hex_encode(meta, ev.metadata_hash, 32, 1);
        hc_hex_encode(txh, ml->tx_hash, 32, 1);
        time_t t = (time_t)blk.timestamp;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    if (o.c.json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "file", label);
        cJSON_AddStringToObject(j, "token_id", hex);
        cJSON_AddBoolToObject(j, "minted", 1);
        cJSON_AddStringToObject(j, "owner", a);
        cJSON_AddStringToObject(j, "creator", b);
        if (ml) {
            cJSON_AddStringToObject(j, "metadata_hash", meta);
            cJSON_AddStringToObject(j, "mint_tx", txh);
            cJSON_AddNumberToObject(j, "block", (double)blk.number);
            cJSON_AddStringToObject(j, "time", when);
        }
        print_json(j);
    } else {
        printf(cli_tr("MINTED: %s\n", "발행됨: %s\n"), label);
        printf("  %-14s %s\n", cli_tr("token id", "토큰 ID"), hex);
        printf("  %-14s %s\n", cli_tr("owner", "소유자"), a);
        printf("  %-14s %s\n", cli_tr("creator", "창작자"), b);
        if (ml) {
            printf("  %-14s %s\n", cli_tr("metadata hash", "메타데이터 해시"),
                   meta);
            printf("  %-14s %s\n", cli_tr("mint tx", "발행 트랜잭션"), txh);
            printf("  %-14s %llu (%s)\n", cli_tr("block", "블록"),
                   (unsigned long long)blk.number, when);
        }
    }
    hc_logs_free(logs, nlogs);
    return EXIT_OK;
}

/* --------------------------------------------------------------- deploy */

static const char deploy_en[] =
    "Usage: haechi deploy --key-env NAME [--rpc URL] [--name N] [--symbol S]\n"
    "                     [--base-uri URI] [--admin ADDR] [--minter ADDR] "
    "[--json]\n"
    "\n"
    "Deploys the Haechi contract (the artifact committed in contracts/build,\n"
    "built into this program), waits for the receipt and prints the contract\n"
    "address.\n"
    "\n"
    "Options:\n"
    "  --key-env NAME   environment variable holding the deployer's key\n"
    "  --rpc URL        JSON-RPC endpoint (default: $HAECHI_RPC)\n"
    "  --name N         token name (default \"Haechi\")\n"
    "  --symbol S       token symbol (default \"HAECHI\")\n"
    "  --base-uri URI   token URI prefix; tokenURI = URI + 64 hex digits\n"
    "                   (default \"http://127.0.0.1:8080/v1/metadata/\")\n"
    "  --admin ADDR     gets the admin and pauser roles (default: deployer)\n"
    "  --minter ADDR    gets the minter role (default: deployer)\n"
    "  --legacy         send a legacy (EIP-155) transaction\n"
    "  --json           print {\"address\", \"tx_hash\", \"block\", "
    "\"gas_used\"}\n"
    "  --timeout SEC    per-call timeout (default 10)\n"
    "\n"
    "Exit: 0 deployed; 2 usage or the deployment reverted; 3 chain "
    "unreachable.\n";
static const char deploy_ko[] =
    "사용법: haechi deploy --key-env NAME [--rpc URL] [--name N] [--symbol S]\n"
    "                      [--base-uri URI] [--admin ADDR] [--minter ADDR] "
    "[--json]\n"
    "\n"
    "해치 컨트랙트(contracts/build의 산출물, 이 프로그램에 내장)를 배포하고\n"
    "영수증을 기다려 컨트랙트 주소를 출력합니다.\n"
    "\n"
    "옵션: --key-env NAME (배포자 키의 환경 변수), --rpc URL, --name, "
    "--symbol,\n"
    "--base-uri (tokenURI = URI + 16진수 64자리), --admin (기본 배포자), "
    "--minter\n"
    "(기본 배포자), --legacy, --json, --timeout 초\n"
    "\n"
    "종료 코드: 0 배포됨, 2 사용법 또는 배포 실패, 3 체인 연결 불가.\n";

static int parse_addr_opt(const char *cmd, const char *opt, const char *s,
                          hc_address *a)
{
    hc_err err = hc_address_parse(a, s);
    if (err)
        return cli_usage_error(cmd, "%s: %s", opt, cli_strerror(err));
    return EXIT_OK;
}

int cmd_deploy(int argc, char **argv)
{
    static const int allowed[] = {O_RPC,     O_KEY_ENV,  O_JSON,  O_NAME,
                                  O_SYMBOL,  O_BASE_URI, O_ADMIN, O_MINTER,
                                  O_TIMEOUT, O_LEGACY,   0};
    struct all_opts o;
    uint8_t sk[32], hash[32];
    hc_address me, admin, minter;
    hc_rpc *c = NULL;
    hc_rpc_status st;
    hc_receipt r = {0};
    int sent = 0;
    hc_buf code;
    int rc = parse(argc, argv, "deploy", allowed, deploy_en, deploy_ko, &o);
    if (rc >= 0)
        return rc;
    if (optind < argc)
        return cli_usage_error(
            "deploy", "%s",
            cli_tr("unexpected argument", "예상하지 못한 인자"));
    if (!hc_nft_bytecode_hex()[0])
        return cli_fail(EXIT_USAGE, "%s",
                        cli_tr("this build has no contract bytecode "
                               "(contracts/build/HaechiNFT.bin was missing)",
                               "이 빌드에는 컨트랙트 바이트코드가 없습니다"));
    if ((rc = cli_load_key(sk, o.c.key_env, "deploy")))
        return rc;
    hc_buf_init(&code, 1 << 20, 0);
    if (hc_key_address(&me, sk)) {
        rc = cli_fail(EXIT_USAGE, "%s", cli_strerror(HC_ERR_KEY));
        goto out;
    }
    admin = minter = me;
    if ((o.admin &&
         (rc = parse_addr_opt("deploy", "--admin", o.admin, &admin))) ||
        (o.minter &&
         (rc = parse_addr_opt("deploy", "--minter", o.minter, &minter))) ||
        (rc = open_rpc(&c, &o.c, "deploy")))
        goto out;
    hc_err err = hc_nft_deploy_code(
        &code, o.name ? o.name : "Haechi", o.symbol ? o.symbol : "HAECHI",
        o.base_uri ? o.base_uri : "http://127.0.0.1:8080/v1/metadata/", &admin,
        &minter);
    if (err) {
        rc = cli_fail(EXIT_USAGE, "%s", cli_strerror(err));
        goto out;
    }
    hc_send_opts so = {0};
    so.legacy = o.legacy;
    err = hc_send_tx(c, sk, NULL, code.data, code.len, NULL, &so, hash, &sent,
                     &r, &st);
    if (err) {
        rc = chain_fail("deploy", err, &st);
        if (sent) /* it may still be mined: do not simply send it again */
            print_sent_hash(hash);
        goto out;
    }
    char a[HC_ADDRESS_STR], h[67];
    hc_hex_encode(h, hash, 32, 1);
    if (r.status != 1 || !r.has_contract_address) {
        rc =
            cli_fail(EXIT_USAGE, "%s: %s",
                     cli_tr("deployment reverted", "배포가 되돌려졌습니다"), h);
        goto out;
    }
    hc_address_to_str(a, &r.contract_address);
    if (o.c.json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "address", a);
        cJSON_AddStringToObject(j, "tx_hash", h);
        cJSON_AddNumberToObject(j, "block", (double)r.block_number);
        cJSON_AddNumberToObject(j, "gas_used", (double)r.gas_used);
        print_json(j);
    } else {
        puts(a);
    }
out:
    hc_memzero(sk, sizeof sk);
    hc_receipt_free(&r);
    hc_buf_free(&code);
    hc_rpc_close(c);
    return rc;
}

/* ----------------------------------------------------------------- mint */

static const char mint_en[] =
    "Usage: haechi mint --key-env NAME --to ADDR [--rpc URL] [--contract "
    "ADDR]\n"
    "                   [--royalty-bps N] [--metadata-hash 0x…] [--json] "
    "FILE...\n"
    "\n"
    "Mints the tokens of FILE... (token id = SHA-256 of each) to ADDR in one\n"
    "transaction (mint for one file, mintBatch for several) and waits for it.\n"
    "For operators and tests; the mint service (haechid) is the main path.\n"
    "Files already minted are skipped by mintBatch (and reported).\n"
    "\n"
    "Options:\n"
    "  --key-env NAME      environment variable holding a minter's key\n"
    "  --to ADDR           the creator, who receives the tokens\n"
    "  --royalty-bps N     royalty in basis points, 0..10000 (default 0)\n"
    "  --metadata-hash 0x… metadata hash committed in the Minted event\n"
    "                      (default: 32 zero bytes)\n"
    "  --rpc URL, --contract ADDR, --json, --timeout SEC, --legacy\n"
    "\n"
    "Exit: 0 all minted; 1 some were skipped (minted before); 2 usage or the\n"
    "transaction reverted; 3 chain unreachable.\n";
static const char mint_ko[] =
    "사용법: haechi mint --key-env NAME --to ADDR [--rpc URL] [--contract "
    "ADDR]\n"
    "                    [--royalty-bps N] [--metadata-hash 0x…] [--json] "
    "파일...\n"
    "\n"
    "파일들의 토큰(ID = 각 파일의 SHA-256)을 ADDR에게 한 트랜잭션으로 "
    "발행하고\n"
    "기다립니다 (파일 하나는 mint, 여럿은 mintBatch). 운영자와 시험용이며, "
    "주된\n경로는 발행 서비스(haechid)입니다. 이미 발행된 파일은 건너뜁니다.\n"
    "\n"
    "종료 코드: 0 모두 발행, 1 일부 건너뜀, 2 사용법 또는 되돌려짐, 3 체인 "
    "연결 불가.\n";

int cmd_mint(int argc, char **argv)
{
    static const int allowed[] = {O_RPC,    O_CONTRACT, O_KEY_ENV, O_JSON,
                                  O_TO,     O_ROYALTY,  O_META,    O_TIMEOUT,
                                  O_LEGACY, 0};
    struct all_opts o;
    uint8_t sk[32], hash[32], meta[32] = {0};
    hc_address to;
    hc_rpc *c = NULL;
    hc_rpc_status st;
    hc_receipt r = {0};
    int sent = 0;
    hc_buf cd;
    hc_nft_item *items = NULL;
    unsigned long bps = 0;
    int rc = parse(argc, argv, "mint", allowed, mint_en, mint_ko, &o);
    if (rc >= 0)
        return rc;
    if ((rc = need_contract(&o.c, "mint")))
        return rc;
    if (!o.to)
        return cli_usage_error(
            "mint", "%s",
            cli_tr("--to ADDR is required", "--to ADDR이 필요합니다"));
    if ((rc = parse_addr_opt("mint", "--to", o.to, &to)))
        return rc;
    if (o.royalty) {
        char *end;
        errno = 0;
        bps = strtoul(o.royalty, &end, 10);
        if (*end || end == o.royalty || errno || bps > 10000 ||
            o.royalty[0] == '-')
            return cli_usage_error("mint", "%s",
                                   cli_tr("--royalty-bps: 0 to 10000",
                                          "--royalty-bps: 0에서 10000"));
    }
    if (o.meta) {
        hc_err err =
            hc_hex_decode_fixed(meta, 32, o.meta, HC_HEX_PREFIX_REQUIRED);
        if (err)
            return cli_usage_error("mint", "--metadata-hash: %s",
                                   cli_strerror(err));
    }
    size_t n = (size_t)(argc - optind);
    if (n == 0)
        return cli_usage_error("mint", "%s",
                               cli_tr("no FILE given", "파일이 없습니다"));
    if (n > 1000)
        return cli_usage_error("mint", "%s",
                               cli_tr("at most 1000 files per transaction",
                                      "한 트랜잭션에 파일은 1000개까지"));
    items = calloc(n, sizeof *items);
    if (!items)
        return cli_fail(EXIT_USAGE, "%s", cli_strerror(HC_ERR_NOMEM));
    for (size_t i = 0; i < n; i++) {
        items[i].to = to;
        memcpy(items[i].metadata_hash, meta, 32);
        items[i].royalty_bps = (uint16_t)bps;
        if ((rc = hash_file(argv[optind + (int)i], items[i].content_hash))) {
            free(items);
            return rc;
        }
    }
    if ((rc = cli_load_key(sk, o.c.key_env, "mint"))) {
        free(items);
        return rc;
    }
    hc_buf_init(&cd, 1 << 20, 0);
    if ((rc = open_rpc(&c, &o.c, "mint")))
        goto out;
    hc_err err = n == 1 ? hc_nft_mint_calldata(&cd, &items[0])
                        : hc_nft_mint_batch_calldata(&cd, items, n);
    if (!err) {
        hc_send_opts so = {0};
        so.legacy = o.legacy;
        err = hc_send_tx(c, sk, &o.c.contract, cd.data, cd.len, NULL, &so, hash,
                         &sent, &r, &st);
        uint8_t already[4], retired[4];
        if (err == HC_ERR_RPC && st.cls == HC_RPC_REVERTED && n == 1 &&
            st.revert_len >= 4 &&
            hc_nft_error_selector(already, "AlreadyMinted") == HC_OK &&
            hc_nft_error_selector(retired, "TokenRetired") == HC_OK &&
            (!memcmp(st.revert, already, 4) ||
             !memcmp(st.revert, retired, 4))) {
            /* a single mint of a known id: not an error, not minted */
            int was_retired = !memcmp(st.revert, retired, 4);
            char id[67];
            hc_hex_encode(id, items[0].content_hash, 32, 1);
            if (o.c.json) {
                cJSON *j = cJSON_CreateObject();
                cJSON *arr = cJSON_AddArrayToObject(j, "tokens");
                cJSON *t = cJSON_CreateObject();
                cJSON_AddItemToArray(arr, t);
                cJSON_AddStringToObject(t, "file", argv[optind]);
                cJSON_AddStringToObject(t, "token_id", id);
                cJSON_AddBoolToObject(t, "minted", 0);
                cJSON_AddStringToObject(
                    t, "reason", was_retired ? "withdrawn" : "minted_before");
                print_json(j);
            } else {
                printf("%s  %s  %s\n", id + 2,
                       was_retired ? cli_tr("not minted (withdrawn before)",
                                            "발행 안 됨 (이전에 회수됨)")
                                   : cli_tr("skipped (minted before)",
                                            "건너뜀 (이미 발행됨)"),
                       argv[optind]);
            }
            rc = EXIT_NOT_VERIFIED;
            goto out;
        }
        if (err) {
            rc = chain_fail("mint", err, &st);
            if (sent) /* it may still be mined: do not simply resend */
                print_sent_hash(hash);
            goto out;
        }
    }
    if (err) {
        rc = cli_fail(EXIT_USAGE, "%s", cli_strerror(err));
        goto out;
    }
    char h[67];
    hc_hex_encode(h, hash, 32, 1);
    if (r.status != 1) {
        rc = cli_fail(
            EXIT_USAGE, "%s: %s",
            cli_tr("the transaction reverted", "트랜잭션이 되돌려졌습니다"), h);
        goto out;
    }
    /* which were minted, which skipped */
    cJSON *j = o.c.json ? cJSON_CreateObject() : NULL;
    cJSON *arr = j ? cJSON_AddArrayToObject(j, "tokens") : NULL;
    size_t skipped = 0;
    for (size_t i = 0; i < n; i++) {
        int minted = 0, skip = 0;
        for (size_t k = 0; k < r.nlogs; k++) {
            hc_nft_event ev;
            if (memcmp(r.logs[k].address.b, o.c.contract.b, 20) ||
                hc_nft_decode_event(&r.logs[k], &ev) ||
                memcmp(ev.token_id, items[i].content_hash, 32))
                continue;
            minted |= ev.kind == HC_NFT_EVENT_MINTED;
            skip |= ev.kind == HC_NFT_EVENT_SKIPPED;
        }
        char id[67];
        hc_hex_encode(id, items[i].content_hash, 32, 1);
        if (!minted)
            skipped++;
        if (arr) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, t);
            cJSON_AddStringToObject(t, "file", argv[optind + (int)i]);
            cJSON_AddStringToObject(t, "token_id", id);
            cJSON_AddBoolToObject(t, "minted", minted);
        } else {
            printf("%s  %s  %s\n", id + 2,
                   minted ? cli_tr("minted", "발행됨")
                   : skip ? cli_tr("skipped (minted before)",
                                   "건너뜀 (이미 발행됨)")
                          : cli_tr("not minted", "발행 안 됨"),
                   argv[optind + (int)i]);
        }
    }
    if (j) {
        cJSON_AddStringToObject(j, "tx_hash", h);
        cJSON_AddNumberToObject(j, "block", (double)r.block_number);
        cJSON_AddNumberToObject(j, "gas_used", (double)r.gas_used);
        print_json(j);
    } else {
        printf("tx %s  block %llu  gas %llu\n", h,
               (unsigned long long)r.block_number,
               (unsigned long long)r.gas_used);
    }
    rc = skipped ? EXIT_NOT_VERIFIED : EXIT_OK;
out:
    hc_memzero(sk, sizeof sk);
    hc_receipt_free(&r);
    hc_buf_free(&cd);
    hc_rpc_close(c);
    free(items);
    return rc;
}

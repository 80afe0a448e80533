/* haechi keys add-client | rotate-client | disable-client | enable-client |
 * list | address */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "cli.h"
#include "haechi/apikey.h"
#include "haechi/hex.h"
#include "haechi/ledger.h"
#include "haechi/records.h"

static const char help_en[] =
    "Usage: haechi keys add-client --ledger DIR --name NAME --roles ROLES\n"
    "                              [--rate-per-minute N] [--burst N] "
    "[--json]\n"
    "       haechi keys rotate-client --ledger DIR --name NAME [--json]\n"
    "       haechi keys disable-client --ledger DIR --name NAME\n"
    "       haechi keys enable-client --ledger DIR --name NAME\n"
    "       haechi keys list --ledger DIR [--json]\n"
    "       haechi keys address --key-env NAME\n"
    "\n"
    "add-client      registers an API client (a department or a district) in\n"
    "                the ledger and prints its new API key ONCE: only its\n"
    "                hash is stored. ROLES is a comma-separated list of\n"
    "                minter, auditor, admin.\n"
    "rotate-client   gives the client a new API key and prints it ONCE; the\n"
    "                old key stops working.\n"
    "disable-client  refuses the client's key (401) until enable-client; its\n"
    "                mints are kept and go on.\n"
    "list            the clients: name, roles, enabled or disabled, the\n"
    "                public part of the key (hck_ + 16 hex digits), created.\n"
    "                Reads only: it may run beside haechid.\n"
    "address         prints the address of the private key in the\n"
    "                environment variable NAME.\n"
    "The other client commands write the ledger: run them while haechid is\n"
    "stopped (one writer per ledger), or use the API's /v1/clients routes.\n"
    "Each change is journaled.\n"
    "\n"
    "Exit: 0 done; 2 usage error, name taken, no such client, or ledger in\n"
    "use.\n";
static const char help_ko[] =
    "사용법: haechi keys add-client --ledger DIR --name NAME --roles ROLES\n"
    "                               [--rate-per-minute N] [--burst N] "
    "[--json]\n"
    "        haechi keys rotate-client --ledger DIR --name NAME [--json]\n"
    "        haechi keys disable-client --ledger DIR --name NAME\n"
    "        haechi keys enable-client --ledger DIR --name NAME\n"
    "        haechi keys list --ledger DIR [--json]\n"
    "        haechi keys address --key-env NAME\n"
    "\n"
    "add-client      API 클라이언트(부서나 자치구)를 원장에 등록하고 새 API\n"
    "                키를 한 번만 출력합니다 (해시만 저장). ROLES는 minter,\n"
    "                auditor, admin을 쉼표로 잇습니다.\n"
    "rotate-client   클라이언트에 새 API 키를 주고 한 번만 출력합니다. 이전\n"
    "                키는 더 이상 쓸 수 없습니다.\n"
    "disable-client  enable-client 전까지 클라이언트의 키를 거부합니다 (401).\n"
    "                민팅 요청은 그대로 처리됩니다.\n"
    "list            클라이언트 목록: 이름, 역할, 사용/중지, 키의 공개 부분\n"
    "                (hck_ + 16자리 16진수), 등록 시각. 읽기만 하므로\n"
    "                haechid와 함께 실행할 수 있습니다.\n"
    "address         환경 변수 NAME의 개인 키에 해당하는 주소를 출력합니다.\n"
    "다른 클라이언트 명령은 원장에 씁니다: haechid를 멈춘 뒤 실행하거나 API의\n"
    "/v1/clients 경로를 쓰세요. 변경은 모두 저널에 남습니다.\n"
    "\n"
    "종료 코드: 0 완료, 2 사용법 오류, 이미 있는 이름, 없는 클라이언트, 사용\n"
    "중인 원장.\n";

/* 1 to 64 of a-z 0-9 - _ . */
static int name_ok(const char *name)
{
    size_t nlen = strlen(name);
    int ok = nlen > 0 && nlen <= HC_CLIENT_MAX;
    for (size_t i = 0; ok && i < nlen; i++)
        ok = (name[i] >= 'a' && name[i] <= 'z') ||
             (name[i] >= '0' && name[i] <= '9') || name[i] == '-' ||
             name[i] == '_' || name[i] == '.';
    return ok;
}

static int bad_name(void)
{
    return cli_usage_error("keys", "%s",
                           cli_tr("--name: 1 to 64 of a-z 0-9 - _ .",
                                  "--name: a-z 0-9 - _ . 로 1~64자"));
}

/* Prints a new API key on stdout: alone, or as JSON with the client's name
 * and roles. Wipes the copies it made. Returns 1 if it was printed alone
 * (the caller then says on stderr what it is), 0 as JSON, -1 if it could
 * not be written (errno). */
static int print_key(const hc_client *cl, const char *key, int json)
{
    int alone = !json;
    char roles[64];
    hc_roles_str(roles, sizeof roles, cl->roles);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "client", cl->name);
        cJSON_AddStringToObject(o, "roles", roles);
        cJSON_AddBoolToObject(o, "disabled", cl->disabled);
        cJSON_AddStringToObject(o, "api_key", key);
        char *s = cJSON_Print(o);
        if (s) {
            puts(s);
            hc_memzero(s, strlen(s)); /* it holds the key */
        }
        free(s);
        cJSON *k = cJSON_GetObjectItem(o, "api_key");
        if (k && k->valuestring)
            hc_memzero(k->valuestring, strlen(k->valuestring));
        cJSON_Delete(o);
    } else {
        printf("%s\n", key);
    }
    return fflush(stdout) != 0 || ferror(stdout) ? -1 : alone;
}

static int add_client(int argc, char **argv)
{
    static const struct option opts[] = {
        {"ledger", required_argument, NULL, 'l'},
        {"name", required_argument, NULL, 'n'},
        {"roles", required_argument, NULL, 'r'},
        {"rate-per-minute", required_argument, NULL, 'p'},
        {"burst", required_argument, NULL, 'b'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *name = NULL, *roles_s = NULL;
    unsigned long rate = 0, burst = 0;
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'l':
            dir = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'r':
            roles_s = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'p':
        case 'b': {
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || end == optarg || optarg[0] == '-' || v > 100000000)
                return cli_usage_error("keys", "%s",
                                       cli_tr("--rate-per-minute/--burst: "
                                              "a number",
                                              "--rate-per-minute/--burst: "
                                              "숫자"));
            if (c == 'p')
                rate = v;
            else
                burst = v;
            break;
        }
        case 'h':
            fputs(cli_tr(help_en, help_ko), stdout);
            return EXIT_OK;
        default:
            return cli_bad_option("keys", argv[optind - 1]);
        }
    }
    if (!dir || !name || !roles_s)
        return cli_usage_error("keys", "%s",
                               cli_tr("--ledger, --name and --roles are "
                                      "required",
                                      "--ledger, --name, --roles가 "
                                      "필요합니다"));
    if (!name_ok(name))
        return bad_name();
    size_t nlen = strlen(name);
    hc_client cl;
    memset(&cl, 0, sizeof cl);
    if (hc_roles_parse(roles_s, &cl.roles))
        return cli_usage_error("keys", "%s",
                               cli_tr("--roles: minter, auditor, admin "
                                      "(comma-separated)",
                                      "--roles: minter, auditor, admin "
                                      "(쉼표로 구분)"));
    memcpy(cl.name, name, nlen + 1);
    cl.rate_per_min = (uint32_t)rate;
    cl.burst = (uint32_t)burst;
    cl.created_ms = (uint64_t)time(NULL) * 1000;
    char key[HC_APIKEY_LEN + 1];
    hc_err err = hc_apikey_new(key, cl.key_id, cl.key_hash);
    if (err)
        return cli_fail(EXIT_USAGE, "%s", cli_strerror(err));
    hc_ledger *l;
    err = hc_ledger_open(&l, dir, NULL);
    if (!err) {
        err = hc_ledger_client_add(l, &cl);
        hc_ledger_close(l);
    }
    if (err) {
        hc_memzero(key, sizeof key);
        if (err == HC_ERR_EXISTS)
            return cli_fail(EXIT_USAGE,
                            cli_tr("client '%s' exists already",
                                   "클라이언트 '%s'가 이미 있습니다"),
                            name);
        return cli_fail(EXIT_USAGE, "%s: %s", dir, cli_strerror(err));
    }
    char roles[64];
    int printed = print_key(&cl, key, json);
    hc_memzero(key, sizeof key);
    if (printed < 0)
        return cli_fail(EXIT_USAGE,
                        cli_tr("client %s was added, but its API key could "
                               "not be written (%s): give it a new one with "
                               "rotate-client",
                               "클라이언트 %s는 등록되었지만 API 키를 쓰지 "
                               "못했습니다 (%s): rotate-client로 새 키를 "
                               "주세요"),
                        name, strerror(errno));
    if (printed)
        fprintf(stderr,
                cli_tr("client %s (%s) added; keep this API key: it is not "
                       "stored and cannot be shown again\n",
                       "클라이언트 %s (%s) 등록됨; 이 API 키를 보관하세요: "
                       "저장되지 않아 다시 볼 수 없습니다\n"),
                name, hc_roles_str(roles, sizeof roles, cl.roles));
    hc_memzero(key, sizeof key);
    return EXIT_OK;
}

enum change { ROTATE, DISABLE, ENABLE };

/* rotate-client, disable-client, enable-client */
static int change_client(int argc, char **argv, enum change what)
{
    static const struct option opts[] = {
        {"ledger", required_argument, NULL, 'l'},
        {"name", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *name = NULL;
    int json = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        if (c == 'l')
            dir = optarg;
        else if (c == 'n')
            name = optarg;
        else if (c == 'j' && what == ROTATE)
            json = 1;
        else if (c == 'h') {
            fputs(cli_tr(help_en, help_ko), stdout);
            return EXIT_OK;
        } else
            return cli_bad_option("keys", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_extra_arg("keys", argv[optind]);
    if (!dir || !name)
        return cli_usage_error("keys", "%s",
                               cli_tr("--ledger and --name are required",
                                      "--ledger와 --name이 필요합니다"));
    if (!name_ok(name))
        return bad_name();
    char key[HC_APIKEY_LEN + 1] = "";
    uint8_t key_id[HC_KEY_ID_LEN], key_hash[32];
    hc_client_change ch = {NULL, NULL, what == ENABLE ? 0 : 1};
    hc_client cl;
    hc_ledger *l;
    hc_err err = HC_OK;
    if (what == ROTATE) {
        ch = (hc_client_change){key_id, key_hash, -1};
        err = hc_apikey_new(key, key_id, key_hash);
    }
    if (!err)
        err = hc_ledger_open(&l, dir, NULL);
    if (!err) {
        err = hc_ledger_client_change(l, name, &ch, &cl);
        hc_ledger_close(l);
    }
    hc_memzero(key_hash, sizeof key_hash);
    hc_memzero(cl.key_hash, sizeof cl.key_hash);
    if (err) {
        hc_memzero(key, sizeof key);
        if (err == HC_ERR_NOT_FOUND)
            return cli_fail(
                EXIT_USAGE,
                cli_tr("%s: no client '%s'", "%s: 클라이언트 '%s'가 없습니다"),
                dir, name);
        return cli_fail(EXIT_USAGE, "%s: %s", dir, cli_strerror(err));
    }
    char roles[64];
    if (what == ROTATE) {
        int printed = print_key(&cl, key, json);
        hc_memzero(key, sizeof key);
        if (printed < 0)
            return cli_fail(EXIT_USAGE,
                            cli_tr("client %s has a new API key, but it could "
                                   "not be written (%s), and the old one no "
                                   "longer works: run rotate-client again",
                                   "클라이언트 %s에 새 API 키를 주었지만 쓰지 "
                                   "못했고 (%s), 이전 키는 더 이상 쓸 수 "
                                   "없습니다: rotate-client를 다시 "
                                   "실행하세요"),
                            name, strerror(errno));
        if (printed)
            fprintf(stderr,
                    cli_tr("client %s (%s) has a new API key; the old one no "
                           "longer works. Keep this one: it is not stored "
                           "and cannot be shown again\n",
                           "클라이언트 %s (%s)에 새 API 키를 주었습니다. "
                           "이전 키는 더 이상 쓸 수 없습니다. 이 키를 "
                           "보관하세요: 저장되지 않아 다시 볼 수 없습니다\n"),
                    name, hc_roles_str(roles, sizeof roles, cl.roles));
        if (cl.disabled)
            fprintf(stderr,
                    cli_tr("client %s is disabled: its new key is refused "
                           "until enable-client\n",
                           "클라이언트 %s는 사용 중지 상태입니다: "
                           "enable-client 전까지 새 키도 거부됩니다\n"),
                    name);
    } else if (what == DISABLE)
        fprintf(stderr,
                cli_tr("client %s disabled: its API key is refused until "
                       "enable-client\n",
                       "클라이언트 %s 사용 중지: enable-client 전까지 API "
                       "키가 거부됩니다\n"),
                name);
    else
        fprintf(stderr,
                cli_tr("client %s enabled: its API key works again\n",
                       "클라이언트 %s 사용 재개: API 키를 다시 쓸 수 "
                       "있습니다\n"),
                name);
    hc_memzero(key, sizeof key);
    return EXIT_OK;
}

struct list_ctx {
    int json;
    cJSON *arr;
    int bad;
};

static int list_row(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
                    size_t vlen)
{
    struct list_ctx *x = arg;
    hc_client cl;
    char roles[64], kid[4 + 2 * HC_KEY_ID_LEN + 1], when[32] = "";
    (void)k;
    (void)klen;
    if (hc_client_decode(&cl, v, vlen) != HC_OK) {
        x->bad = 1;
        return 1;
    }
    hc_memzero(cl.key_hash, sizeof cl.key_hash);
    memcpy(kid, "hck_", 4);
    hc_hex_encode(kid + 4, cl.key_id, HC_KEY_ID_LEN, 0);
    time_t t = (time_t)(cl.created_ms / 1000);
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    hc_roles_str(roles, sizeof roles, cl.roles);
    if (x->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "client", cl.name);
        cJSON_AddStringToObject(o, "roles", roles);
        cJSON_AddBoolToObject(o, "disabled", cl.disabled);
        cJSON_AddStringToObject(o, "key_id", kid);
        cJSON_AddStringToObject(o, "created_at", when);
        cJSON_AddItemToArray(x->arr, o);
    } else {
        printf("%-24s %-22s %-8s %s  %s\n", cl.name, roles,
               cl.disabled ? "disabled" : "enabled", kid, when);
    }
    return 0;
}

/* list: every client, read-only */
static int list_clients(int argc, char **argv)
{
    static const struct option opts[] = {
        {"ledger", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL;
    struct list_ctx x = {0, NULL, 0};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        if (c == 'l')
            dir = optarg;
        else if (c == 'j')
            x.json = 1;
        else if (c == 'h') {
            fputs(cli_tr(help_en, help_ko), stdout);
            return EXIT_OK;
        } else
            return cli_bad_option("keys", argv[optind - 1]);
    }
    if (optind < argc)
        return cli_extra_arg("keys", argv[optind]);
    if (!dir)
        return cli_usage_error(
            "keys", "%s",
            cli_tr("--ledger is required", "--ledger가 필요합니다"));
    hc_ledger *l;
    int rc = cli_ledger_open_ro(&l, dir);
    if (rc)
        return rc;
    if (x.json && !(x.arr = cJSON_CreateArray())) {
        hc_ledger_close(l);
        return cli_fail(EXIT_USAGE, "%s", cli_strerror(HC_ERR_NOMEM));
    }
    hc_err err =
        hc_ledger_scan(l, HC_LDB_CLIENTS, NULL, 0, NULL, 0, 0, list_row, &x);
    hc_ledger_close(l);
    if (!err && x.bad)
        err = HC_ERR_CORRUPT;
    if (err) {
        cJSON_Delete(x.arr);
        return cli_fail(EXIT_USAGE, "%s: %s", dir, cli_strerror(err));
    }
    if (x.json) {
        char *s = cJSON_Print(x.arr);
        cJSON_Delete(x.arr);
        if (!s)
            return cli_fail(EXIT_USAGE, "%s", cli_strerror(HC_ERR_NOMEM));
        puts(s);
        free(s);
    }
    if (fflush(stdout) != 0)
        return cli_fail(EXIT_USAGE, "stdout: %s", strerror(errno));
    return EXIT_OK;
}

static int key_address(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key-env", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *env = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        if (c == 'k')
            env = optarg;
        else if (c == 'h') {
            fputs(cli_tr(help_en, help_ko), stdout);
            return EXIT_OK;
        } else
            return cli_bad_option("keys", argv[optind - 1]);
    }
    uint8_t sk[32];
    hc_address a;
    char s[HC_ADDRESS_STR];
    int rc = cli_load_key(sk, env, "keys");
    if (rc)
        return rc;
    hc_err err = hc_key_address(&a, sk);
    hc_memzero(sk, sizeof sk);
    if (err)
        return cli_fail(EXIT_USAGE, "%s", cli_strerror(err));
    puts(hc_address_to_str(s, &a));
    return EXIT_OK;
}

int cmd_keys(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(cli_tr(help_en, help_ko), argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "add-client"))
        return add_client(argc - 1, argv + 1);
    if (!strcmp(argv[1], "rotate-client"))
        return change_client(argc - 1, argv + 1, ROTATE);
    if (!strcmp(argv[1], "disable-client"))
        return change_client(argc - 1, argv + 1, DISABLE);
    if (!strcmp(argv[1], "enable-client"))
        return change_client(argc - 1, argv + 1, ENABLE);
    if (!strcmp(argv[1], "list"))
        return list_clients(argc - 1, argv + 1);
    if (!strcmp(argv[1], "address"))
        return key_address(argc - 1, argv + 1);
    return cli_usage_error("keys",
                           cli_tr("unknown keys command '%s' (add-client, "
                                  "rotate-client, disable-client, "
                                  "enable-client, list, address)",
                                  "알 수 없는 keys 명령 '%s' (add-client, "
                                  "rotate-client, disable-client, "
                                  "enable-client, list, address)"),
                           argv[1]);
}

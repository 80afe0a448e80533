/* haechi ledger verify | stats */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "haechi/hex.h"
#include "haechi/ledger.h"
#include "haechi/records.h"
#include "haechi/util.h"

static const char help_en[] =
    "Usage: haechi ledger verify --ledger DIR [--expect-head SEQ:0xHASH] "
    "[--json]\n"
    "       haechi ledger stats  --ledger DIR [--json]\n"
    "\n"
    "verify  walks the ledger's journal, recomputes its chain of hashes and\n"
    "        its head, checks that every record is the one its journal entry\n"
    "        wrote (and the latest), and that the indexes agree with the\n"
    "        records. Names the first bad entry, and prints the head\n"
    "        (SEQ:HASH). The chain proves history up to the head; to prove\n"
    "        that nothing was cut off the end, keep the head outside the\n"
    "        ledger and give it back with --expect-head: it must still be\n"
    "        in the journal with that hash.\n"
    "stats   counts rows per database and mints per state, sizes, and the\n"
    "        journal head.\n"
    "The ledger is opened read-only: both work while haechid runs.\n"
    "\n"
    "Options:\n"
    "  --ledger DIR  the ledger directory (haechid's ledger_dir)\n"
    "  --json        machine-readable output\n"
    "  -h, --help    this help\n"
    "\n"
    "Exit: 0 verified / ok; 1 the ledger fails verification; 2 usage error or\n"
    "no ledger at DIR.\n";
static const char help_ko[] =
    "사용법: haechi ledger verify --ledger DIR [--json]\n"
    "        haechi ledger stats  --ledger DIR [--json]\n"
    "\n"
    "verify  원장 저널을 처음부터 읽어 해시 사슬과 머리를 다시 계산하고, 모든\n"
    "        레코드가 그것을 쓴 저널 항목과 같은지(그리고 최신인지), 색인이\n"
    "        레코드와 맞는지 확인합니다. 첫 번째로 잘못된 항목을 알려 줍니다.\n"
    "stats   데이터베이스별 행 수, 상태별 발행 요청 수, 크기, 저널 머리.\n"
    "원장을 읽기 전용으로 열므로 haechid가 도는 중에도 쓸 수 있습니다.\n"
    "\n"
    "옵션:\n"
    "  --ledger DIR  원장 디렉터리\n"
    "  --json        JSON 출력\n"
    "  -h, --help    도움말\n"
    "\n"
    "종료 코드: 0 검증됨/성공, 1 검증 실패, 2 사용법 오류나 원장 없음.\n";

static int print_json(cJSON *o)
{
    char *s = o ? cJSON_Print(o) : NULL;
    cJSON_Delete(o);
    if (!s)
        return cli_fail(EXIT_USAGE, "%s", cli_strerror(HC_ERR_NOMEM));
    puts(s);
    free(s);
    return EXIT_OK;
}

static int do_verify(const char *dir, int json, const char *expect)
{
    hc_ledger *l;
    hc_ledger_report rep;
    uint64_t want_seq = 0, head_seq = 0;
    uint8_t want_hash[32], head_hash[32];
    if (expect) {
        /* SEQ:0xHASH, as a previous verify or stats printed it */
        char *end;
        want_seq = strtoull(expect, &end, 10);
        if (end == expect || *end != ':' ||
            hc_hex_decode_fixed(want_hash, 32, end + 1, HC_HEX_PREFIX_REQUIRED))
            return cli_usage_error("ledger", "%s",
                                   cli_tr("--expect-head: SEQ:0xHASH (from "
                                          "an earlier verify)",
                                          "--expect-head: SEQ:0xHASH (이전 "
                                          "verify 출력)"));
    }
    int rc = cli_ledger_open_ro(&l, dir);
    if (rc)
        return rc;
    hc_err err = hc_ledger_verify(l, &rep);
    if (!err)
        err = hc_ledger_head(l, &head_seq, head_hash);
    hc_ledger_close(l);
    if (err && err != HC_ERR_CORRUPT)
        return cli_fail(EXIT_USAGE, "%s: %s", dir, cli_strerror(err));
    if (err && !rep.problem[0])
        snprintf(rep.problem, sizeof rep.problem, "%s", hc_strerror(err));
    /* The chain of hashes proves history up to the head; only a head kept
     * outside the ledger proves the head itself (nothing cut off the end).
     * The expected head must still be in the journal, with that hash. */
    if (!err && expect) {
        int ok = 0;
        if (want_seq == head_seq) {
            ok = hc_ct_equal(want_hash, head_hash, 32);
        } else if (want_seq < head_seq && want_seq > 0) {
            hc_ledger *l2;
            hc_jentry e;
            hc_buf b;
            hc_buf_init(&b, 1 << 27, 0);
            if (cli_ledger_open_ro(&l2, dir) == EXIT_OK) {
                ok = hc_ledger_journal_get(l2, want_seq, &b) == HC_OK &&
                     hc_jentry_decode(&e, b.data, b.len) == HC_OK &&
                     hc_ct_equal(e.hash, want_hash, 32);
                hc_ledger_close(l2);
            }
            hc_buf_free(&b);
        }
        if (!ok) {
            err = HC_ERR_CORRUPT;
            rep.bad_seq = want_seq;
            snprintf(rep.problem, sizeof rep.problem,
                     "the expected head (entry %llu) is not in the journal "
                     "with that hash: history was cut off or rewritten",
                     (unsigned long long)want_seq);
        }
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        if (o) {
            cJSON_AddBoolToObject(o, "ok", !err);
            cJSON_AddNumberToObject(o, "entries", (double)rep.entries);
            cJSON_AddNumberToObject(o, "records", (double)rep.records);
            cJSON_AddNumberToObject(o, "index_rows", (double)rep.index_rows);
            if (!err) {
                char hh[67], head[96];
                snprintf(head, sizeof head, "%llu:%s",
                         (unsigned long long)head_seq,
                         hc_hex_encode(hh, head_hash, 32, 1));
                cJSON_AddStringToObject(o, "head", head);
            }
            if (err) {
                cJSON_AddNumberToObject(o, "bad_entry", (double)rep.bad_seq);
                cJSON_AddStringToObject(o, "problem", rep.problem);
            }
        }
        rc = print_json(o);
        return rc ? rc : err ? EXIT_NOT_VERIFIED : EXIT_OK;
    }
    if (err) {
        printf(cli_tr("NOT VERIFIED: %s\n", "검증 실패: %s\n"), rep.problem);
        if (rep.bad_seq)
            printf(cli_tr("first bad journal entry: %llu\n",
                          "첫 번째로 잘못된 저널 항목: %llu\n"),
                   (unsigned long long)rep.bad_seq);
        return EXIT_NOT_VERIFIED;
    }
    char hh[67];
    printf(cli_tr("verified: %llu journal entries, %llu records, %llu index "
                  "rows\nhead: %llu:%s\n",
                  "검증됨: 저널 항목 %llu개, 레코드 %llu개, 색인 행 %llu개\n"
                  "머리: %llu:%s\n"),
           (unsigned long long)rep.entries, (unsigned long long)rep.records,
           (unsigned long long)rep.index_rows, (unsigned long long)head_seq,
           hc_hex_encode(hh, head_hash, 32, 1));
    return EXIT_OK;
}

static int do_stats(const char *dir, int json)
{
    hc_ledger *l;
    hc_ledger_stats st;
    char head[67];
    int rc = cli_ledger_open_ro(&l, dir);
    if (rc)
        return rc;
    hc_err err = hc_ledger_stats_get(l, &st);
    hc_ledger_close(l);
    if (err)
        return cli_fail(EXIT_USAGE, "%s: %s", dir, cli_strerror(err));
    hc_hex_encode(head, st.head_hash, 32, 1);
    if (json) {
        cJSON *o = cJSON_CreateObject(), *dbs = cJSON_CreateObject(),
              *states = cJSON_CreateObject();
        if (o && dbs && states) {
            for (int i = 0; i < HC_LDB_COUNT; i++)
                cJSON_AddNumberToObject(dbs, hc_ldb_name((hc_ldb)i),
                                        (double)st.entries[i]);
            for (int s = 1; s < HC_MINT_STATE_END; s++)
                cJSON_AddNumberToObject(states, hc_mint_state_name(s),
                                        (double)st.mints_by_state[s]);
            cJSON_AddItemToObject(o, "databases", dbs);
            cJSON_AddItemToObject(o, "mints_by_state", states);
            cJSON_AddNumberToObject(o, "journal_entries",
                                    (double)st.journal_entries);
            cJSON_AddNumberToObject(o, "head_seq", (double)st.head_seq);
            cJSON_AddStringToObject(o, "head_hash", head);
            cJSON_AddNumberToObject(o, "map_size", (double)st.map_size);
            cJSON_AddNumberToObject(o, "used_bytes", (double)st.used_bytes);
        } else {
            cJSON_Delete(dbs);
            cJSON_Delete(states);
            cJSON_Delete(o);
            o = NULL;
        }
        return print_json(o);
    }
    printf("%s\n", cli_tr("mints by state:", "상태별 발행 요청:"));
    for (int s = 1; s < HC_MINT_STATE_END; s++)
        printf("  %-10s %llu\n", hc_mint_state_name(s),
               (unsigned long long)st.mints_by_state[s]);
    printf("%s\n", cli_tr("rows per database:", "데이터베이스별 행 수:"));
    for (int i = 0; i < HC_LDB_COUNT; i++)
        printf("  %-16s %llu\n", hc_ldb_name((hc_ldb)i),
               (unsigned long long)st.entries[i]);
    printf(cli_tr("journal: %llu entries, head %llu %s\n",
                  "저널: 항목 %llu개, 머리 %llu %s\n"),
           (unsigned long long)st.journal_entries,
           (unsigned long long)st.head_seq, head);
    printf(cli_tr("size: %llu bytes used of a %llu-byte map\n",
                  "크기: 맵 %2$llu바이트 중 %1$llu바이트 사용\n"),
           (unsigned long long)st.used_bytes, (unsigned long long)st.map_size);
    return EXIT_OK;
}

int cmd_ledger(int argc, char **argv)
{
    static const struct option opts[] = {
        {"ledger", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},
        {"expect-head", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *expect = NULL;
    int json = 0, c;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(cli_tr(help_en, help_ko), argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *sub = argv[1];
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            dir = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'e':
            expect = optarg;
            break;
        case 'h':
            fputs(cli_tr(help_en, help_ko), stdout);
            return EXIT_OK;
        default:
            return cli_bad_option("ledger", argv[optind]);
        }
    }
    if (optind < argc - 1)
        return cli_extra_arg("ledger", argv[optind + 1]);
    if (!dir)
        return cli_usage_error("ledger", "%s",
                               cli_tr("--ledger DIR is required",
                                      "--ledger DIR 옵션이 필요합니다"));
    if (!strcmp(sub, "verify"))
        return do_verify(dir, json, expect);
    if (!strcmp(sub, "stats"))
        return do_stats(dir, json);
    return cli_usage_error("ledger",
                           cli_tr("unknown ledger command '%s' (verify, stats)",
                                  "알 수 없는 ledger 명령 '%s' (verify, "
                                  "stats)"),
                           sub);
}

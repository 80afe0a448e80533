/* haechi — the Haechi command-line tool: hash and verify content, sign and
 * decode transactions and messages. A thin layer over libhaechi. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef HAECHI_VERSION
#define HAECHI_VERSION "0.1.0"
#endif

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *en;
    const char *ko;
};

static const struct command commands[] = {
    {"hash", cmd_hash, "SHA-256 of files (= token ids), like sha256sum",
     "파일의 SHA-256 (= 토큰 ID), sha256sum과 같은 출력"},
    {"sign-tx", cmd_sign_tx, "sign a transaction given as JSON on stdin",
     "표준 입력의 JSON 트랜잭션에 서명"},
    {"decode-tx", cmd_decode_tx, "decode a raw signed transaction",
     "서명된 원시 트랜잭션 해석"},
    {"sign-message", cmd_sign_message,
     "sign a message from stdin (EIP-191 personal_sign)",
     "표준 입력의 메시지에 서명 (EIP-191)"},
    {"verify-message", cmd_verify_message,
     "check an EIP-191 message signature against an address",
     "EIP-191 메시지 서명을 주소와 대조"},
    {"verify", cmd_verify,
     "is FILE minted? token id, owner, creator, mint tx (from the chain)",
     "파일이 발행되었나? 토큰 ID, 소유자, 창작자, 발행 트랜잭션 (체인에서)"},
    {"owner", cmd_owner, "current owner of a file's token",
     "파일 토큰의 현재 소유자"},
    {"mint", cmd_mint, "mint files directly (operators, tests)",
     "파일을 직접 발행 (운영자, 시험용)"},
    {"deploy", cmd_deploy, "deploy the Haechi contract", "해치 컨트랙트 배포"},
    {"keys", cmd_keys, "API clients and key addresses",
     "API 클라이언트와 키 주소"},
    {"ledger", cmd_ledger, "verify the ledger's journal, show its statistics",
     "원장 저널 검증, 통계 보기"},
};

static void usage(FILE *f)
{
    fprintf(f, "%s",
            cli_tr("Usage: haechi <command> [options] [arguments]\n"
                   "\n"
                   "Haechi proves who owns a piece of content: its token id is "
                   "the SHA-256\nof the file, minted as an ERC-721 token.\n"
                   "\nCommands:\n",
                   "사용법: haechi <명령> [옵션] [인자]\n"
                   "\n"
                   "해치는 콘텐츠의 소유를 증명합니다: 토큰 ID는 파일의 "
                   "SHA-256이며\nERC-721 토큰으로 발행됩니다.\n"
                   "\n명령:\n"));
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-16s %s\n", commands[i].name,
                cli_tr(commands[i].en, commands[i].ko));
    fprintf(f, "%s",
            cli_tr("\nRun 'haechi <command> --help' for a command's options.\n"
                   "Exit codes: 0 ok/verified, 1 not verified/not found, "
                   "2 usage or input error,\n3 chain or service unreachable.\n"
                   "Messages are in Korean when LANG starts with \"ko\".\n",
                   "\n명령별 옵션은 'haechi <명령> --help'로 보세요.\n"
                   "종료 코드: 0 성공/검증됨, 1 검증 안 됨/없음, 2 사용법 또는 "
                   "입력 오류,\n3 체인이나 서비스에 연결할 수 없음.\n"));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("haechi %s\n", HAECHI_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr,
            cli_tr("haechi: unknown command '%s'\n",
                   "haechi: 알 수 없는 명령 '%s'\n"),
            cmd);
    usage(stderr);
    return EXIT_USAGE;
}

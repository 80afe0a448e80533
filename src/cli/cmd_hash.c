/* haechi hash FILE... — SHA-256 like sha256sum. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "haechi/hex.h"
#include "haechi/sha256.h"

static const char help_en[] =
    "Usage: haechi hash [--json] [FILE...]\n"
    "\n"
    "Prints the SHA-256 of each FILE exactly as sha256sum does; the digest is\n"
    "the file's Haechi token id. With no FILE, or when FILE is -, reads\n"
    "standard input. A progress bar is shown on a terminal for large files.\n"
    "\n"
    "Options:\n"
    "  --json    print a JSON array of {\"file\", \"sha256\", \"token_id\",\n"
    "            \"size\"} (token_id is the digest as 0x-hex)\n"
    "  -h, --help  this help\n"
    "\n"
    "Exit: 0 all hashed; 2 a file could not be read (the others are still\n"
    "printed).\n";
static const char help_ko[] =
    "사용법: haechi hash [--json] [파일...]\n"
    "\n"
    "각 파일의 SHA-256을 sha256sum과 똑같이 출력합니다. 이 값이 파일의 해치\n"
    "토큰 ID입니다. 파일이 없거나 -이면 표준 입력을 읽습니다. 큰 파일은\n"
    "터미널에 진행 막대를 보여 줍니다.\n"
    "\n"
    "옵션:\n"
    "  --json    {\"file\", \"sha256\", \"token_id\", \"size\"}의 JSON 배열 "
    "출력\n"
    "  -h, --help  도움말\n"
    "\n"
    "종료 코드: 0 모두 성공, 2 읽을 수 없는 파일이 있음 (나머지는 출력).\n";

#define PROGRESS_MIN (64u << 20) /* show progress for files >= 64 MiB */

struct progress {
    const char *name;
    uint64_t size;
    struct timespec last;
    int shown;
};

static void progress_cb(void *arg, uint64_t done)
{
    struct progress *p = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double dt = (double)(now.tv_sec - p->last.tv_sec) +
                (double)(now.tv_nsec - p->last.tv_nsec) / 1e9;
    if (dt < 0.2 && done < p->size)
        return;
    p->last = now;
    int pct = p->size ? (int)(done * 100 / p->size) : 100;
    int bar = pct / 5;
    fprintf(stderr, "\r%-.40s [%.*s%*s] %3d%%", p->name, bar,
            "####################", 20 - bar, "", pct);
    p->shown = 1;
}

/* sha256sum escapes names holding a backslash or newline, and marks such
 * lines with a leading backslash. */
static void print_line(const char *hex, const char *name)
{
    int esc = strchr(name, '\\') || strchr(name, '\n');
    if (esc)
        fputc('\\', stdout);
    fputs(hex, stdout);
    fputs("  ", stdout);
    for (const char *c = name; *c; c++) {
        if (esc && *c == '\\')
            fputs("\\\\", stdout);
        else if (esc && *c == '\n')
            fputs("\\n", stdout);
        else
            fputc(*c, stdout);
    }
    fputc('\n', stdout);
}

int cmd_hash(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int json = 0, c, rc = EXIT_OK;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(cli_tr(help_en, help_ko), stdout);
            return EXIT_OK;
        default:
            return cli_usage_error(
                "hash", cli_tr("unknown option '%s'", "알 수 없는 옵션 '%s'"),
                cli_opt_name(argv[optind - 1]));
        }
    }
    char *stdin_name = "-";
    char **files = argv + optind;
    int nfiles = argc - optind;
    if (nfiles == 0) {
        files = &stdin_name;
        nfiles = 1;
    }
    cJSON *arr = json ? cJSON_CreateArray() : NULL;
    if (json && !arr)
        return cli_fail(EXIT_USAGE, "%s", cli_strerror(HC_ERR_NOMEM));
    for (int i = 0; i < nfiles; i++) {
        const char *name = files[i];
        int is_stdin = strcmp(name, "-") == 0;
        int fd = is_stdin ? STDIN_FILENO : open(name, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            rc = cli_fail(EXIT_USAGE, "%s: %s", name, strerror(errno));
            continue;
        }
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = cli_fail(EXIT_USAGE, "%s: %s", name, strerror(EISDIR));
            if (!is_stdin)
                close(fd);
            continue;
        }
        struct progress prog = {name, 0, {0, 0}, 0};
        int show = isatty(STDERR_FILENO) && S_ISREG(st.st_mode) &&
                   (uint64_t)st.st_size >= PROGRESS_MIN;
        if (show) {
            prog.size = (uint64_t)st.st_size;
            clock_gettime(CLOCK_MONOTONIC, &prog.last);
        }
        uint8_t digest[32];
        uint64_t total = 0;
        hc_err err =
            hc_sha256_fd(digest, &total, fd, show ? progress_cb : NULL, &prog);
        int saved = errno;
        if (prog.shown)
            fputs("\r\033[K", stderr);
        if (!is_stdin)
            close(fd);
        if (err) {
            rc = cli_fail(EXIT_USAGE, "%s: %s", name,
                          err == HC_ERR_IO ? strerror(saved)
                                           : cli_strerror(err));
            continue;
        }
        char hex[67];
        hc_hex_encode(hex, digest, 32, 1);
        if (json) {
            cJSON *o = cJSON_CreateObject();
            if (!o || !cJSON_AddItemToArray(arr, o) ||
                !cJSON_AddStringToObject(o, "file", name) ||
                !cJSON_AddStringToObject(o, "sha256", hex + 2) ||
                !cJSON_AddStringToObject(o, "token_id", hex) ||
                !cJSON_AddNumberToObject(o, "size", (double)total)) {
                cJSON_Delete(arr);
                return cli_fail(EXIT_USAGE, "%s", cli_strerror(HC_ERR_NOMEM));
            }
        } else {
            print_line(hex + 2, name);
        }
    }
    if (json) {
        char *s = cJSON_Print(arr);
        if (s)
            puts(s);
        free(s);
        cJSON_Delete(arr);
    }
    if (fflush(stdout) != 0)
        return cli_fail(EXIT_USAGE, "stdout: %s", strerror(errno));
    return rc;
}

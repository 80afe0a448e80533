#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/hex.h"
#include "testutil.h"

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

cJSON **tu_load_jsonl(const char *name, size_t *count)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", HC_VECTORS_DIR, name);
    char *text = tu_read_file(path, NULL);
    size_t cap = 16, n = 0;
    cJSON **recs = malloc(cap * sizeof *recs);
    assert_non_null(recs);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (!*line)
            continue;
        cJSON *j = cJSON_Parse(line);
        if (!j)
            fail_msg("%s: record %zu is not JSON", name, n + 1);
        if (n == cap) {
            cap *= 2;
            recs = realloc(recs, cap * sizeof *recs);
            assert_non_null(recs);
        }
        recs[n++] = j;
    }
    free(text);
    *count = n;
    return recs;
}

void tu_free_jsonl(cJSON **recs, size_t count)
{
    for (size_t i = 0; i < count; i++)
        cJSON_Delete(recs[i]);
    free(recs);
}

uint8_t *tu_unhex(const char *hex, size_t *len)
{
    size_t cap = strlen(hex) / 2 + 1;
    uint8_t *out = malloc(cap);
    assert_non_null(out);
    hc_err err =
        hc_hex_decode(out, cap, len, hex, strlen(hex), HC_HEX_PREFIX_OPTIONAL);
    if (err)
        fail_msg("bad hex in vector: %s (%s)", hex, hc_strerror(err));
    return out;
}

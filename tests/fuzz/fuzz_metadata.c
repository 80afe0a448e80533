/* libFuzzer target: metadata validation never crashes and fails only with
 * HC_ERR_INVALID and a message. Whatever passes the check builds; the
 * output is valid UTF-8 and JSON that cJSON reads back (with the creator
 * and royalty the check reported) and that our own strict scanner accepts;
 * building twice gives the same bytes. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "haechi/metadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void build(hc_buf *out, const uint8_t *data, size_t size,
                  hc_meta_info *info)
{
    static const uint8_t sha[32] = {0xde, 0xad, 0xbe, 0xef};
    hc_meta_problem pb;
    hc_buf_init(out, 4 * HC_META_MAX, 0);
    if (hc_metadata_build(out, data, size, sha, 1234567, info, &pb) != HC_OK)
        abort();
}

static void check_output(const hc_buf *out, const hc_meta_info *info)
{
    char addr[HC_ADDRESS_STR];
    hc_meta_problem pb;
    if (!hc_utf8_valid(out->data, out->len))
        abort();
    char *s = malloc(out->len + 1);
    if (!s)
        abort();
    memcpy(s, out->data, out->len);
    s[out->len] = 0;
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithOpts(s, &end, 1);
    if (!j || !cJSON_IsObject(j))
        abort();
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "properties");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(p, "creator");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(p, "royalty_bps");
    if (!cJSON_IsString(c) ||
        strcmp(c->valuestring, hc_address_to_str(addr, &info->creator)) ||
        !cJSON_IsNumber(r) || r->valuedouble != info->royalty_bps ||
        !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "name")))
        abort();
    cJSON_Delete(j);
    free(s);
    /* Our strict scanner takes the output as JSON: the first complaint is
     * about the schema (the "properties" member), not the syntax. */
    if (out->len <= HC_META_MAX &&
        (hc_metadata_check(out->data, out->len, NULL, &pb) != HC_ERR_INVALID ||
         strcmp(pb.field, "properties") != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hc_meta_info info, info2;
    hc_meta_problem pb, pb2;
    hc_err err = hc_metadata_check(data, size, &info, &pb);
    if (err == HC_OK) {
        hc_buf a, b;
        build(&a, data, size, &info2);
        if (memcmp(&info, &info2, sizeof info) != 0)
            abort();
        build(&b, data, size, &info2);
        if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
            abort();
        check_output(&a, &info);
        hc_buf_free(&a);
        hc_buf_free(&b);
        return 0;
    }
    if (err != HC_ERR_INVALID || pb.message[0] == 0 ||
        !hc_utf8_valid((const uint8_t *)pb.field, strlen(pb.field)) ||
        !hc_utf8_valid((const uint8_t *)pb.message, strlen(pb.message)))
        abort();
    /* build fails the same way and leaves its buffer alone */
    hc_buf out;
    uint8_t sha[32] = {0};
    hc_buf_init(&out, 4 * HC_META_MAX, 0);
    if (hc_metadata_build(&out, data, size, sha, 0, NULL, &pb2) != err ||
        out.len != 0 || strcmp(pb.field, pb2.field) != 0 ||
        strcmp(pb.message, pb2.message) != 0)
        abort();
    hc_buf_free(&out);
    return 0;
}

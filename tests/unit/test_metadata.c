/* Unit tests for metadata.h: validation of the mint metadata (every rule,
 * with the field it names), UTF-8, and the exact bytes (and hash) of the
 * served ERC-721 metadata JSON. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "haechi/hex.h"
#include "haechi/metadata.h"
#include "haechi/sha256.h"
#include "testutil.h"

#define ADDR "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" /* EIP-55 spec */
#define CR   "\"creator\":\"" ADDR "\""
#define NM   "\"name\":{\"en\":\"x\"}"
/* a valid document with more members */
#define DOC(rest) "{" CR "," NM rest "}"

/* --- helpers ----------------------------------------------------------- */

static const uint8_t *u8(const char *s)
{
    return (const uint8_t *)s;
}

/* Builds json (n bytes) for the content "hello world\n" into a fresh
 * buffer; returns the error. */
static hc_err build(hc_buf *out, const char *json, size_t n, hc_meta_info *info,
                    hc_meta_problem *pb)
{
    uint8_t sha[32];
    assert_int_equal(hc_sha256(sha, "hello world\n", 12), HC_OK);
    hc_buf_init(out, 1u << 20, 0);
    return hc_metadata_build(out, u8(json), n, sha, 12, info, pb);
}

/* Builds a valid document and returns the output as a NUL-terminated
 * string the caller frees. */
static char *build_ok(const char *json)
{
    hc_buf out;
    hc_meta_problem pb;
    hc_err err = build(&out, json, strlen(json), NULL, &pb);
    if (err)
        print_error("unexpected error %d at '%s': %s\n  in %s\n", err, pb.field,
                    pb.message, json);
    assert_int_equal(err, HC_OK);
    char *s = malloc(out.len + 1);
    assert_non_null(s);
    memcpy(s, out.data, out.len);
    s[out.len] = 0;
    hc_buf_free(&out);
    return s;
}

/* json (n bytes) is invalid at field: check and build agree, the message is
 * set, and build leaves its buffer untouched. */
static void expect_bad_n(const char *json, size_t n, const char *field)
{
    hc_meta_problem pb;
    hc_meta_info info;
    hc_buf out;
    uint8_t sha[32] = {0};
    memset(&pb, 0x55, sizeof pb);
    hc_err err = hc_metadata_check(u8(json), n, &info, &pb);
    if (err != HC_ERR_INVALID || strcmp(pb.field, field) != 0)
        print_error("input: %.*s\n  got %d '%.64s': %.160s\n  want '%s'\n",
                    (int)(n > 300 ? 300 : n), json, err, pb.field, pb.message,
                    field);
    assert_int_equal(err, HC_ERR_INVALID);
    assert_string_equal(pb.field, field);
    assert_true(pb.message[0] != 0);
    assert_true(strlen(pb.message) < sizeof pb.message);
    assert_true(hc_utf8_valid(u8(pb.field), strlen(pb.field)));
    assert_true(hc_utf8_valid(u8(pb.message), strlen(pb.message)));
    assert_int_equal(info.royalty_bps, 0);
    assert_int_equal(info.media_type[0], 0);

    hc_meta_problem pb2;
    hc_buf_init(&out, 1u << 20, 0);
    assert_int_equal(hc_buf_append(&out, "keep", 4), HC_OK);
    assert_int_equal(hc_metadata_build(&out, u8(json), n, sha, 1, NULL, &pb2),
                     HC_ERR_INVALID);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.data, "keep", 4);
    assert_string_equal(pb2.field, pb.field);
    assert_string_equal(pb2.message, pb.message);
    hc_buf_free(&out);
}

static void expect_bad(const char *json, const char *field)
{
    expect_bad_n(json, strlen(json), field);
}

static void expect_ok(const char *json)
{
    hc_meta_problem pb;
    hc_err err = hc_metadata_check(u8(json), strlen(json), NULL, &pb);
    if (err)
        print_error("unexpected error %d at '%s': %s\n  in %.300s\n", err,
                    pb.field, pb.message, json);
    assert_int_equal(err, HC_OK);
    free(build_ok(json));
}

/* A string of count copies of unit (printf-ready), malloc'ed. */
static char *repeat(const char *unit, size_t count)
{
    size_t k = strlen(unit);
    char *s = malloc(k * count + 1);
    assert_non_null(s);
    for (size_t i = 0; i < count; i++)
        memcpy(s + i * k, unit, k);
    s[k * count] = 0;
    return s;
}

/* printf into a malloc'ed string. */
__attribute__((format(printf, 1, 2))) static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    assert_true(n >= 0);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

/* tmpl with its one "%s" replaced by x, malloc'ed. */
static char *splice(const char *tmpl, const char *x)
{
    const char *at = strstr(tmpl, "%s");
    assert_non_null(at);
    return fmt("%.*s%s%s", (int)(at - tmpl), tmpl, x, at + 2);
}

/* --- the full example, pinned ------------------------------------------- */

static const char example_in[] =
    "{\"creator\": \"" ADDR "\",\n"
    " \"name\": {\"ko\": \"서울의 봄\", \"en\": \"Spring in Seoul\"},\n"
    " \"description\": {\"ko\": \"남산에서 본 서울의 봄.\\n벚꽃과 "
    "N서울타워.\",\n"
    "                 \"en\": \"Spring in Seoul, seen from Namsan.\\n\\tCherry "
    "blossoms and \\\"N Seoul Tower\\\".\"},\n"
    " \"image\": \"https://cdn.metaverse.seoul.go.kr/works/spring.png\",\n"
    " \"animation_url\": "
    "\"ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/"
    "spring.mp4\",\n"
    " \"external_url\": "
    "\"https://metaverse.seoul.go.kr/works/spring?lang=ko\",\n"
    " \"media_type\": \"image/png\",\n"
    " \"license\": \"CC-BY-4.0\",\n"
    " \"attributes\": [{\"trait_type\": \"구\", \"value\": \"중구\"},\n"
    "                {\"trait_type\": \"year\", \"value\": 2024},\n"
    "                {\"trait_type\": \"rating\", \"value\": 4.5}],\n"
    " \"royalty_bps\": 250}\n";

/* Cross-checked with Python: json.dumps(doc, ensure_ascii=False,
 * separators=(",", ":")) of the same keys in the same order. */
static const char example_out[] =
    "{\"name\":\"Spring in Seoul\","
    "\"description\":\"Spring in Seoul, seen from Namsan.\\n\\tCherry "
    "blossoms and \\\"N Seoul Tower\\\".\","
    "\"image\":\"https://cdn.metaverse.seoul.go.kr/works/spring.png\","
    "\"animation_url\":"
    "\"ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/"
    "spring.mp4\","
    "\"external_url\":\"https://metaverse.seoul.go.kr/works/spring?lang=ko\","
    "\"attributes\":[{\"trait_type\":\"구\",\"value\":\"중구\"},"
    "{\"trait_type\":\"year\",\"value\":2024},"
    "{\"trait_type\":\"rating\",\"value\":4.5}],"
    "\"properties\":{"
    "\"name\":{\"ko\":\"서울의 봄\",\"en\":\"Spring in Seoul\"},"
    "\"description\":{\"ko\":\"남산에서 본 서울의 봄.\\n벚꽃과 N서울타워.\","
    "\"en\":\"Spring in Seoul, seen from Namsan.\\n\\tCherry blossoms and "
    "\\\"N Seoul Tower\\\".\"},"
    "\"media_type\":\"image/png\",\"license\":\"CC-BY-4.0\","
    "\"creator\":\"" ADDR "\",\"royalty_bps\":250,"
    "\"content_sha256\":"
    "\"a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447\","
    "\"content_size\":12}}";

static const char example_sha[] =
    "e39c0b1e1e441d81540c5337c258f1cb99890691d01e1adc293d4dc5671fe0a0";

static void test_example(void **state)
{
    (void)state;
    hc_buf out, again;
    hc_meta_info info, info2;
    hc_meta_problem pb;
    uint8_t h[32];
    char hex[65], addr[HC_ADDRESS_STR];

    assert_int_equal(build(&out, example_in, strlen(example_in), &info, &pb),
                     HC_OK);
    assert_string_equal(pb.field, "");
    assert_int_equal(out.len, strlen(example_out));
    assert_memory_equal(out.data, example_out, out.len);
    assert_int_equal(hc_sha256(h, out.data, out.len), HC_OK);
    assert_string_equal(hc_hex_encode(hex, h, 32, 0), example_sha);
    assert_true(hc_utf8_valid(out.data, out.len));

    assert_string_equal(hc_address_to_str(addr, &info.creator), ADDR);
    assert_int_equal(info.royalty_bps, 250);
    assert_string_equal(info.media_type, "image/png");

    /* check gives the same info; building again the same bytes */
    assert_int_equal(
        hc_metadata_check(u8(example_in), strlen(example_in), &info2, NULL),
        HC_OK);
    assert_memory_equal(&info, &info2, sizeof info);
    assert_int_equal(build(&again, example_in, strlen(example_in), NULL, NULL),
                     HC_OK);
    assert_int_equal(again.len, out.len);
    assert_memory_equal(again.data, out.data, out.len);
    hc_buf_free(&again);

    /* the output is JSON that cJSON reads back to the same values */
    cJSON *j = cJSON_ParseWithLength((const char *)out.data, out.len);
    assert_non_null(j);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "properties");
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(p, "name");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(nm, "ko")->valuestring,
                        "서울의 봄");
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(j, "name")->valuestring,
        "Spring in Seoul");
    cJSON_Delete(j);
    hc_buf_free(&out);
}

/* Appends after what the buffer holds; a full buffer is HC_ERR_BUFFER and
 * leaves it as it was. */
static void test_build_buffer(void **state)
{
    (void)state;
    hc_buf out;
    uint8_t sha[32];
    assert_int_equal(hc_sha256(sha, "hello world\n", 12), HC_OK);
    hc_buf_init(&out, 1u << 20, 0);
    assert_int_equal(hc_buf_append(&out, "XYZ", 3), HC_OK);
    assert_int_equal(hc_metadata_build(&out, u8(example_in), strlen(example_in),
                                       sha, 12, NULL, NULL),
                     HC_OK);
    assert_int_equal(out.len, 3 + strlen(example_out));
    assert_memory_equal(out.data, "XYZ", 3);
    assert_memory_equal(out.data + 3, example_out, strlen(example_out));
    hc_buf_free(&out);

    for (size_t max = 0; max < strlen(example_out); max += 97) {
        hc_buf_init(&out, max, 0);
        if (max >= 2)
            assert_int_equal(hc_buf_append(&out, "ab", 2), HC_OK);
        size_t before = out.len;
        assert_int_equal(hc_metadata_build(&out, u8(example_in),
                                           strlen(example_in), sha, 12, NULL,
                                           NULL),
                         HC_ERR_BUFFER);
        assert_int_equal(out.len, before);
        hc_buf_free(&out);
    }
}

static void test_args(void **state)
{
    (void)state;
    hc_buf out;
    uint8_t sha[32] = {0};
    hc_buf_init(&out, 1024, 0);
    assert_int_equal(hc_metadata_check(NULL, 5, NULL, NULL), HC_ERR_ARG);
    assert_int_equal(hc_metadata_build(NULL, u8("{}"), 2, sha, 0, NULL, NULL),
                     HC_ERR_ARG);
    assert_int_equal(hc_metadata_build(&out, u8("{}"), 2, NULL, 0, NULL, NULL),
                     HC_ERR_ARG);
    assert_int_equal(hc_metadata_build(&out, NULL, 3, sha, 0, NULL, NULL),
                     HC_ERR_ARG);
    /* NULL with length 0 is the empty document */
    hc_meta_problem pb;
    assert_int_equal(hc_metadata_check(NULL, 0, NULL, &pb), HC_ERR_INVALID);
    assert_string_equal(pb.field, "");
    assert_int_equal(out.len, 0);
    hc_buf_free(&out);
}

/* --- output format ------------------------------------------------------ */

static void test_minimal(void **state)
{
    (void)state;
    char *s =
        build_ok("{\"name\":{\"ko\":\"서울의 봄\"},\"creator\":\"" ADDR "\"}");
    assert_string_equal(
        s, "{\"name\":\"서울의 봄\",\"properties\":{\"name\":{\"ko\":\"서울의 "
           "봄\"},\"creator\":\"" ADDR "\",\"royalty_bps\":0,"
           "\"content_sha256\":\"a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1"
           "ec0fb85d299a192a447\",\"content_size\":12}}");
    free(s);

    /* English first when given; the Korean description when it is the
     * only one; empty description and attributes are left out */
    s = build_ok("{\"creator\":\"" ADDR "\",\"name\":{\"en\":\"E\",\"ko\":"
                 "\"K\"},\"description\":{\"ko\":\"설명\"},\"attributes\":[]}");
    assert_string_equal(
        s, "{\"name\":\"E\",\"description\":\"설명\",\"properties\":{\"name\":"
           "{\"ko\":\"K\",\"en\":\"E\"},\"description\":{\"ko\":\"설명\"},"
           "\"creator\":\"" ADDR "\",\"royalty_bps\":0,\"content_sha256\":"
           "\"a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
           "\",\"content_size\":12}}");
    free(s);
    s = build_ok(DOC(",\"description\":{},\"image\":null,\"license\":null,"
                     "\"attributes\":null,\"royalty_bps\":null,"
                     "\"media_type\":null,\"animation_url\":null,"
                     "\"external_url\":null"));
    assert_string_equal(
        s, "{\"name\":\"x\",\"properties\":{\"name\":{\"en\":\"x\"},"
           "\"creator\":\"" ADDR "\",\"royalty_bps\":0,\"content_sha256\":"
           "\"a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
           "\",\"content_size\":12}}");
    free(s);
    /* description strings may be empty */
    s = build_ok(DOC(",\"description\":{\"en\":\"\"}"));
    assert_non_null(strstr(s, "\"description\":\"\","));
    free(s);
}

/* Escapes are decoded (non-ASCII written as UTF-8, never \u), addresses
 * in EIP-55 form, media types in lowercase, numbers normalised. */
static void test_normalisation(void **state)
{
    (void)state;
    char *s = build_ok(
        "{\"creator\":\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\","
        "\"name\":{\"ko\":\"\\uc11c\\uC6B8 \\ud83c\\udf38\"},"
        "\"description\":{\"ko\":null,\"en\":\"caf\\u00e9 \\/ \\\"q\\\" \\\\ "
        "tab\\there\"},"
        "\"media_type\":\"Image/SVG+XML\","
        "\"attributes\":["
        "{\"value\":-0,\"trait_type\":\"a\"},"
        "{\"trait_type\":\"b\",\"value\":1.0},"
        "{\"trait_type\":\"c\",\"value\":0.1},"
        "{\"trait_type\":\"d\",\"value\":1e-7},"
        "{\"trait_type\":\"e\",\"value\":2.5E3},"
        "{\"trait_type\":\"f\",\"value\":-123.456},"
        "{\"trait_type\":\"g\",\"value\":9007199254740991},"
        "{\"trait_type\":\"h\",\"value\":-9007199254740991},"
        "{\"trait_type\":\"i\",\"value\":1e-400},"
        "{\"trait_type\":\"j\",\"value\":0.30000000000000004},"
        "{\"trait_type\":\"k\",\"value\":4503599627370495.5},"
        "{\"trait_type\":\"l\",\"value\":\"\"}],"
        "\"royalty_bps\":1e4}");
    assert_string_equal(
        s, "{\"name\":\"서울 🌸\",\"description\":\"café / \\\"q\\\" \\\\ "
           "tab\\there\",\"attributes\":["
           "{\"trait_type\":\"a\",\"value\":0},"
           "{\"trait_type\":\"b\",\"value\":1},"
           "{\"trait_type\":\"c\",\"value\":0.1},"
           "{\"trait_type\":\"d\",\"value\":1e-07},"
           "{\"trait_type\":\"e\",\"value\":2500},"
           "{\"trait_type\":\"f\",\"value\":-123.456},"
           "{\"trait_type\":\"g\",\"value\":9007199254740991},"
           "{\"trait_type\":\"h\",\"value\":-9007199254740991},"
           "{\"trait_type\":\"i\",\"value\":0},"
           "{\"trait_type\":\"j\",\"value\":0.30000000000000004},"
           "{\"trait_type\":\"k\",\"value\":4503599627370495.5},"
           "{\"trait_type\":\"l\",\"value\":\"\"}],"
           "\"properties\":{\"name\":{\"ko\":\"서울 🌸\"},\"description\":{"
           "\"en\":\"café / \\\"q\\\" \\\\ tab\\there\"},"
           "\"media_type\":\"image/svg+xml\",\"creator\":\"" ADDR "\","
           "\"royalty_bps\":10000,\"content_sha256\":"
           "\"a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
           "\",\"content_size\":12}}");
    free(s);

    /* the same metadata written differently gives the same bytes */
    char *a = build_ok("{\"creator\":\"" ADDR "\",\"name\":{\"en\":\"A\"},"
                       "\"royalty_bps\":250}");
    char *b = build_ok(" {\r\n\t\"royalty_bps\" : 2.5e2 , \"name\":{\"en\":"
                       "\"\\u0041\"},\"creator\":"
                       "\"0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED\""
                       "} ");
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* --- rules -------------------------------------------------------------- */

static void test_document(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"", ""},
        {" \r\n\t", ""},
        {"[]", ""},
        {"\"x\"", ""},
        {"null", ""},
        {"1", ""},
        {"{", ""},
        {"{}", "creator"},
        {"\xEF\xBB\xBF{}", ""},
        {DOC("") " {}", ""},
        {DOC("") "x", ""},
        {"{" CR "," NM ",}", ""},
        {"{" CR "," NM ",,}", ""},
        {"{" CR " " NM "}", "creator"},
        {"{" CR "," NM, "name"},
        {"{" CR ",\"name\" {\"en\":\"x\"}}", ""},
        {"{" CR ",name:{\"en\":\"x\"}}", ""},
        {"{" CR ",'name':{\"en\":\"x\"}}", ""},
        {"{" CR ",/* c */" NM "}", ""},
        {"{" CR "," NM "} // c", ""},
        {"{" CR ",\"name\":{\"en\":\"x\",}}", "name"},
        {"{" CR ",\"name\":{\"en\":\"x\""
         "}",
         "name"},
        {"{" CR ",\"name\":{\"en\":'x'}}", "name.en"},
        {"{" CR ",\"name\":{\"en\":\"x}}", "name.en"},
        {DOC(",\"attributes\":[{\"trait_type\":\"a\",\"value\":1},]"),
         "attributes[1]"},
        {DOC(",\"attributes\":[{\"trait_type\":\"a\",\"value\":1} 2]"),
         "attributes[0]"},
        {DOC(",\"attributes\":[{\"trait_type\":\"a\",\"value\":1}"),
         "attributes[0]"},
        /* syntax errors name the field with its escapes decoded */
        {"{" CR ",\"\\u006eame\":{\"en\":'x'}}", "name.en"},
        {DOC(",\"\\ud83c\\udf38\\u00e9\\\"\\/\":01"), "🌸é\"/"},
        {DOC(",\"a\\nb\\u0085\":01"), "a?b?"},
        {DOC(",\"colour\":\"red\""), "colour"},
        {DOC(",\"Name\":{\"en\":\"x\"}"), "Name"},
        {DOC(",\"\":1"), ""},
        {DOC(",\"a\\u0001b\":1"), "a?b"},
        {DOC(",\"x\":true"), "x"},
        /* duplicates, also written differently */
        {DOC(",\"name\":{\"ko\":\"y\"}"), "name"},
        {DOC(",\"\\u006eame\":{\"ko\":\"y\"}"), "name"},
        {"{" CR ",\"name\":{\"en\":\"x\",\"en\":\"y\"}}", "name.en"},
        {DOC(",\"royalty_bps\":1,\"royalty_bps\":1"), "royalty_bps"},
        {DOC(",\"image\":null,\"image\":null"), "image"},
        {DOC(",\"attributes\":[{\"trait_type\":\"a\",\"value\":1,\"value\":"
             "2}]"),
         "attributes[0].value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_bad(cases[i][0], cases[i][1]);
    /* the field of an unknown key is cut at 63 bytes, on a character */
    char *long_key = repeat("가", 40);
    char *doc = fmt(DOC(",\"%s\":1"), long_key);
    hc_meta_problem pb;
    assert_int_equal(hc_metadata_check(u8(doc), strlen(doc), NULL, &pb),
                     HC_ERR_INVALID);
    assert_int_equal(strlen(pb.field), 63);
    assert_memory_equal(pb.field, long_key, 63);
    free(doc);
    free(long_key);
}

static void test_syntax_numbers(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "01",    "-01", "+1",  ".5",   "1.",      "1.e3",     "1e",
        "1e+",   "-",   "--1", "0x10", "NaN",     "Infinity", "-Infinity",
        "1_000", "tru", "nul", "True", "250 250",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *doc = fmt(DOC(",\"royalty_bps\":%s"), bad[i]);
        expect_bad(doc, "royalty_bps");
        free(doc);
    }
    /* numbers longer than cJSON reads (63 characters) */
    char *zeros = repeat("0", 62);
    char *doc = fmt(DOC(",\"royalty_bps\":0.%s"), zeros);
    expect_bad(doc, "royalty_bps");
    free(doc);
    doc = fmt(DOC(",\"royalty_bps\":0.%.61s"), zeros);
    expect_ok(doc);
    free(doc);
    free(zeros);
}

static void test_strings_escapes(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\\x41",
        "\\u12",
        "\\u12g4",
        "\\U0041",
        "\\'",
        "\\",
        "\\ud800",
        "\\udc00",
        "\\udfff",
        "\\ud800x",
        "\\ud800\\u0041",
        "\\ud800\\ud800",
        "\\udc00\\ud800",
        "\\ud83c\\n",
        "a\tb",
        "a\nb",
        "a\rb",
        "\x01",
        "\x1f",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *doc = fmt("{" CR ",\"name\":{\"en\":\"%s\"}}", bad[i]);
        expect_bad(doc, "name.en");
        free(doc);
        /* the same in a key: the object is named */
        doc = fmt("{" CR ",\"name\":{\"e%s\":\"x\"}}", bad[i]);
        expect_bad(doc, "name");
        free(doc);
    }
}

static void test_nul(void **state)
{
    (void)state;
    /* a NUL byte inside a string, as \u0000, and outside strings */
    static const char raw[] = "{" CR ",\"name\":{\"en\":\"a\0b\"}}";
    expect_bad_n(raw, sizeof raw - 1, "name.en");
    expect_bad("{" CR ",\"name\":{\"en\":\"a\\u0000b\"}}", "name.en");
    expect_bad("{" CR ",\"name\":{\"en\":\"\\u0000\"}}", "name.en");
    expect_bad(DOC(",\"attributes\":[{\"trait_type\":\"a\",\"value\":"
                   "\"\\u0000\"}]"),
               "attributes[0].value");
    expect_bad("{" CR ",\"name\":{\"e\\u0000n\":\"x\"}}", "name");
    static const char key[] = "{" CR ",\"name\":{\"e\0n\":\"x\"}}";
    expect_bad_n(key, sizeof key - 1, "name");
    static const char outside[] = "{" CR ",\0" NM "}";
    expect_bad_n(outside, sizeof outside - 1, "");
    static const char after[] = DOC("") "\0";
    expect_bad_n(after, sizeof after - 1, "");
    static const char before[] = "\0" DOC("");
    expect_bad_n(before, sizeof before - 1, "");
}

/* Invalid UTF-8 sequences and where they are reported. */
static const char *const bad_utf8[] = {
    "\x80", /* lone continuation bytes */
    "\xBF",
    "\x80\x80",
    "a\x80",
    "\xC0\xAF",                 /* overlong '/' */
    "\xC1\xBF",                 /* overlong U+007F */
    "\xE0\x80\xAF",             /* overlong '/' */
    "\xE0\x9F\xBF",             /* overlong U+07FF */
    "\xF0\x80\x80\xAF",         /* overlong '/' */
    "\xF0\x8F\xBF\xBF",         /* overlong U+FFFF */
    "\xED\xA0\x80",             /* U+D800 */
    "\xED\xAF\xBF",             /* U+DBFF */
    "\xED\xB0\x80",             /* U+DC00 */
    "\xED\xBF\xBF",             /* U+DFFF */
    "\xED\xA0\xBD\xED\xB8\x80", /* CESU-8 surrogate pair */
    "\xF4\x90\x80\x80",         /* U+110000 */
    "\xF5\x80\x80\x80",
    "\xF7\xBF\xBF\xBF",
    "\xF8\x88\x80\x80\x80", /* 5- and 6-byte forms */
    "\xFC\x84\x80\x80\x80\x80",
    "\xFE",
    "\xFF",
    "\xC3", /* truncated */
    "\xE4\xB8",
    "\xF0\x9F\x98",
    "\xE4\x61", /* then 'a' */
    "\xC3\xC3\xA9",
    "\xEC\x84\x9C\xEC\x9A", /* "서" then a truncated "울" */
};

static void test_invalid_utf8(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
        const char *x = bad_utf8[i];
        struct {
            const char *fmt, *field;
        } where[] = {
            {"{" CR ",\"name\":{\"ko\":\"a%sb\"}}", "name.ko"},
            {"{" CR ",\"name\":{\"ko\":\"%s\"}}", "name.ko"},
            {"{" CR ",\"name\":{\"k%so\":\"x\"}}", "name"},
            {"{" CR ",\"n%same\":{\"en\":\"x\"}}", ""},
            {DOC(",\"description\":{\"en\":\"%s\"}"), "description.en"},
            {DOC(",\"license\":\"%s\""), "license"},
            {DOC(",\"image\":\"https://x/%s\""), "image"},
            {DOC(",\"attributes\":[{\"trait_type\":\"a\",\"value\":1},"
                 "{\"trait_type\":\"b\",\"value\":\"%s\"}]"),
             "attributes[1].value"},
            {DOC(",\"attributes\":[{\"trait_type\":\"a\",\"val%sue\":1}]"),
             "attributes[0]"},
            {DOC(",%s\"image\":null"), ""},
            {"{" CR ",\"name\":%s{\"en\":\"x\"}}", "name"},
            {"%s" DOC(""), ""},
            {DOC("") "%s", ""},
        };
        for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
            char *doc = splice(where[w].fmt, x);
            expect_bad(doc, where[w].field);
            free(doc);
        }
    }
    /* a sequence cut by the end of the input */
    static const char cut[] = "{" CR ",\"name\":{\"ko\":\"\xEC\x84";
    expect_bad_n(cut, sizeof cut - 1, "name.ko");
}

static void test_utf8_valid(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t n;
    } good[] = {
#define S(x) {x, sizeof(x) - 1}
        S(""),
        S("a"),
        S("\0"), /* U+0000 is valid UTF-8 (metadata rejects it) */
        S("\x7F"),
        S("\xC2\x80"),
        S("\xDF\xBF"),
        S("\xE0\xA0\x80"),
        S("\xED\x9F\xBF"), /* U+D7FF */
        S("\xEE\x80\x80"), /* U+E000 */
        S("\xEF\xBF\xBD"), /* U+FFFD */
        S("\xEF\xBF\xBF"), /* U+FFFF */
        S("\xF0\x90\x80\x80"),
        S("\xF0\x9F\x8C\xB8"), /* 🌸 */
        S("\xF4\x8F\xBF\xBF"), /* U+10FFFF */
        S("서울의 봄"),
        S("Spring 봄 🌸 café"),
#undef S
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_true(hc_utf8_valid(u8(good[i].s), good[i].n));
        /* every proper prefix ending inside a multi-byte character fails */
        if (good[i].n > 1 && (uint8_t)good[i].s[good[i].n - 1] >= 0x80)
            assert_false(hc_utf8_valid(u8(good[i].s), good[i].n - 1));
    }
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++)
        assert_false(hc_utf8_valid(u8(bad_utf8[i]), strlen(bad_utf8[i])));
    assert_true(hc_utf8_valid(NULL, 0));

    /* every scalar value encodes to valid UTF-8; surrogates do not */
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        uint8_t e[4];
        size_t n;
        if (cp < 0x80) {
            e[0] = (uint8_t)cp;
            n = 1;
        } else if (cp < 0x800) {
            e[0] = (uint8_t)(0xC0 | cp >> 6);
            e[1] = (uint8_t)(0x80 | (cp & 0x3F));
            n = 2;
        } else if (cp < 0x10000) {
            e[0] = (uint8_t)(0xE0 | cp >> 12);
            e[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
            e[2] = (uint8_t)(0x80 | (cp & 0x3F));
            n = 3;
        } else {
            e[0] = (uint8_t)(0xF0 | cp >> 18);
            e[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
            e[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
            e[3] = (uint8_t)(0x80 | (cp & 0x3F));
            n = 4;
        }
        int surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        if (hc_utf8_valid(e, n) != !surrogate)
            fail_msg("U+%04X", (unsigned)cp);
    }

    /* exhaustively over all 2- and 3-byte strings: exactly the strings made
     * of whole encoded scalar values are valid */
    size_t valid2 = 0, valid3 = 0;
    for (uint32_t v = 0; v < (1u << 16); v++) {
        uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
        valid2 += (size_t)hc_utf8_valid(b, 2);
    }
    for (uint32_t v = 0; v < (1u << 24); v++) {
        uint8_t b[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
        valid3 += (size_t)hc_utf8_valid(b, 3);
    }
    /* 1+1 ASCII, or one 2-byte character (U+0080..U+07FF: 1920) */
    assert_int_equal(valid2, 128 * 128 + 1920);
    /* 1+1+1, 1+2, 2+1, or one 3-byte character (U+0800..U+FFFF less the
     * 2048 surrogates: 61440) */
    assert_int_equal(valid3, 128 * 128 * 128 + 2 * 128 * 1920 + 61440);
}

static void test_creator(void **state)
{
    (void)state;
    static const char *const ok[] = {
        ADDR, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", /* EIP-55 spec */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char *doc = fmt("{\"creator\":\"%s\"," NM "}", ok[i]);
        hc_meta_info info;
        char addr[HC_ADDRESS_STR];
        assert_int_equal(hc_metadata_check(u8(doc), strlen(doc), &info, NULL),
                         HC_OK);
        hc_address_to_str(addr, &info.creator);
        assert_true(strcasecmp(addr, ok[i]) == 0);
        free(doc);
    }
    static const char *const bad[] = {
        "\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD\"",  /* checksum */
        "\"0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\"",  /* checksum */
        "\"0X5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\"",  /* 0X */
        "\"5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\"",    /* no 0x */
        "\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe\"",   /* short */
        "\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0\"", /* long */
        "\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg\"",  /* not hex */
        "\" 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\"",
        "\"0x0000000000000000000000000000000000000000\"", /* zero */
        "\"\"",
        "null",
        "5",
        "[\"" ADDR "\"]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *doc = fmt("{\"creator\":%s," NM "}", bad[i]);
        expect_bad(doc, "creator");
        free(doc);
    }
    expect_bad("{" NM "}", "creator");
}

static void test_names(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"\"x\"", "name"},
        {"null", "name"},
        {"[]", "name"},
        {"{}", "name"},
        {"{\"ko\":null,\"en\":null}", "name"},
        {"{\"ko\":\"\"}", "name.ko"},
        {"{\"en\":\"\"}", "name.en"},
        {"{\"en\":\"   \"}", "name.en"},
        {"{\"ko\":\"\\u3164\\u3000\"}", "name.ko"}, /* Hangul filler */
        {"{\"en\":\"\\u200b\"}", "name.en"},        /* zero width */
        {"{\"en\":5}", "name.en"},
        {"{\"en\":{\"x\":\"y\"}}", "name.en"},
        {"{\"en\":\"a\\tb\"}", "name.en"},
        {"{\"en\":\"a\\nb\"}", "name.en"},
        {"{\"en\":\"a\\u007fb\"}", "name.en"},
        {"{\"en\":\"a\x7F"
         "b\"}",
         "name.en"},
        {"{\"en\":\"a\\u0085b\"}", "name.en"},
        {"{\"en\":\"a\xC2\x9F"
         "b\"}",
         "name.en"},
        {"{\"en\":\"a\\u001bb\"}", "name.en"},
        {"{\"fr\":\"x\"}", "name.fr"},
        {"{\"ko\":\"x\",\"EN\":\"x\"}", "name.EN"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *doc = fmt("{" CR ",\"name\":%s}", bad[i][0]);
        expect_bad(doc, bad[i][1]);
        free(doc);
    }
    expect_bad("{" CR "}", "name");

    /* 200 characters (of 3 bytes each) pass, 201 do not */
    char *s200 = repeat("봄", 200), *s201 = repeat("봄", 201);
    char *doc =
        fmt("{" CR ",\"name\":{\"ko\":\"%s\",\"en\":\"%s\"}}", s200, s200);
    expect_ok(doc);
    free(doc);
    doc = fmt("{" CR ",\"name\":{\"ko\":\"%s\"}}", s201);
    expect_bad(doc, "name.ko");
    free(doc);
    free(s200);
    free(s201);
    /* escapes count as the characters they stand for */
    char *e200 = repeat("\\ubd04", 200);
    doc = fmt("{" CR ",\"name\":{\"ko\":\"%s\"}}", e200);
    expect_ok(doc);
    free(doc);
    doc = fmt("{" CR ",\"name\":{\"ko\":\"%s\\ubd04\"}}", e200);
    expect_bad(doc, "name.ko");
    free(doc);
    free(e200);
    /* 4-byte characters, surrogate pairs in escapes */
    char *f200 = repeat("\\ud83c\\udf38", 200);
    doc = fmt("{" CR ",\"name\":{\"en\":\"%s\"}}", f200);
    expect_ok(doc);
    free(doc);
    doc = fmt("{" CR ",\"name\":{\"en\":\"%s🌸\"}}", f200);
    expect_bad(doc, "name.en");
    free(doc);
    free(f200);
    /* leading and trailing spaces are kept as given */
    char *s = build_ok("{" CR ",\"name\":{\"en\":\" a \"}}");
    assert_non_null(strstr(s, "{\"name\":\" a \","));
    free(s);
}

static void test_descriptions(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"\"x\"", "description"},
        {"[]", "description"},
        {"{\"en\":1}", "description.en"},
        {"{\"de\":\"x\"}", "description.de"},
        {"{\"ko\":\"a\\rb\"}", "description.ko"},
        {"{\"ko\":\"a\\u000bb\"}", "description.ko"},
        {"{\"ko\":\"a\\fb\"}", "description.ko"},
        {"{\"ko\":\"a\\bb\"}", "description.ko"},
        {"{\"ko\":\"a\\u0085b\"}", "description.ko"},
        {"{\"ko\":\"a\",\"ko\":\"b\"}", "description.ko"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *doc = fmt(DOC(",\"description\":%s"), bad[i][0]);
        expect_bad(doc, bad[i][1]);
        free(doc);
    }
    expect_ok(DOC(",\"description\":{\"ko\":\"줄\\n\\t줄\",\"en\":\" \"}"));
    char *d2000 = repeat("가", 2000);
    char *doc = fmt(DOC(",\"description\":{\"ko\":\"%s\"}"), d2000);
    expect_ok(doc);
    free(doc);
    doc = fmt(DOC(",\"description\":{\"en\":\"%sa\"}"), d2000);
    expect_bad(doc, "description.en");
    free(doc);
    free(d2000);
}

static void test_urls(void **state)
{
    (void)state;
    static const char *const good[] = {
        "https://cdn.metaverse.seoul.go.kr/a.png",
        "HTTPS://EXAMPLE.KR/A.PNG",
        "Http://example.kr",
        "http://127.0.0.1:8080/x?y=1&z=%2F#frag",
        "https://[::1]:8443/x",
        "https://example.kr/%EC%84%9C%EC%9A%B8.png",
        "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
        "IPFS://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG/readme",
        "ar://kvWZJc9eE2z6-rR_4kHqlRqvAKZ6Vsjp5wkH3UIdGWE",
        "https://example.kr/a(1)!$'*+,;=~-._",
    };
    static const char *const bad[] = {
        "",
        "javascript:alert(1)",
        "JavaScript://x/%0aalert(1)",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd",
        "ftp://example.kr/a",
        "ws://example.kr/a",
        "/relative.png",
        "relative.png",
        "./a.png",
        "//cdn.example.kr/a.png",
        "https:",
        "https:/x",
        "https://",
        "https:///a",
        "https://:443/a",
        "https:example.kr",
        "ipfs:QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
        "ipfs://",
        "ar://",
        "https://user:pw@example.kr/",
        "https://seoul.go.kr@evil.example/",
        "https://a b",
        "https://a\\tb",
        "https://a\\nb",
        " https://a",
        "https://a ",
        "https://example.kr/서울.png",
        "https://example.kr/\\u00e9",
        "https://a/\\u007f",
        "https://a/%zz",
        "https://a/%4",
        "https://a/%",
        "https://a/<script>",
        "https://a/\\\"",
        "https://a/{x}",
        "https://a/\\\\x",
        "https://a/`",
        "https://a/|",
        "https://a/^",
        "1https://a",
        "-x://a",
        "ht tp://a",
    };
    static const char *const fields[] = {"image", "animation_url",
                                         "external_url"};
    for (size_t f = 0; f < 3; f++) {
        for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
            char *doc = fmt(DOC(",\"%s\":\"%s\""), fields[f], good[i]);
            expect_ok(doc);
            free(doc);
        }
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            char *doc = fmt(DOC(",\"%s\":\"%s\""), fields[f], bad[i]);
            expect_bad(doc, fields[f]);
            free(doc);
        }
        char *doc = fmt(DOC(",\"%s\":5"), fields[f]);
        expect_bad(doc, fields[f]);
        free(doc);
        doc = fmt(DOC(",\"%s\":[\"https://a\"]"), fields[f]);
        expect_bad(doc, fields[f]);
        free(doc);
    }
    /* 2048 bytes pass, 2049 do not */
    char *pad = repeat("a", 2048 - strlen("https://x/"));
    char *doc = fmt(DOC(",\"image\":\"https://x/%s\""), pad);
    expect_ok(doc);
    free(doc);
    doc = fmt(DOC(",\"image\":\"https://x/%sb\""), pad);
    expect_bad(doc, "image");
    free(doc);
    free(pad);
    /* the URL is served exactly as given (no case or escape changes) */
    char *s = build_ok(DOC(",\"image\":\"HTTPS://A.kr/%7e\\/x\""));
    assert_non_null(strstr(s, "\"image\":\"HTTPS://A.kr/%7e/x\""));
    free(s);
}

static void test_media_type(void **state)
{
    (void)state;
    static const char *const good[][2] = {
        {"image/png", "image/png"},
        {"IMAGE/PNG", "image/png"},
        {"video/mp4", "video/mp4"},
        {"model/gltf-binary", "model/gltf-binary"},
        {"application/vnd.ms-excel", "application/vnd.ms-excel"},
        {"image/svg+xml", "image/svg+xml"},
        {"a/b!#$&^_.+-", "a/b!#$&^_.+-"},
        {"3d/x", "3d/x"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char *doc = fmt(DOC(",\"media_type\":\"%s\""), good[i][0]);
        hc_meta_info info;
        assert_int_equal(hc_metadata_check(u8(doc), strlen(doc), &info, NULL),
                         HC_OK);
        assert_string_equal(info.media_type, good[i][1]);
        free(doc);
    }
    static const char *const bad[] = {
        "\"\"",
        "\"png\"",
        "\"image/\"",
        "\"/png\"",
        "\"image//png\"",
        "\"image/png/x\"",
        "\"image/png; charset=utf-8\"",
        "\"image/png;q=1\"",
        "\"image /png\"",
        "\"image/png \"",
        "\"image/p*ng\"",
        "\"image/p(n)g\"",
        "\".image/png\"",
        "\"image/-png\"",
        "\"이미지/png\"",
        "\"image/png\\u0000\"",
        "5",
        "{}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *doc = fmt(DOC(",\"media_type\":%s"), bad[i]);
        expect_bad(doc, "media_type");
        free(doc);
    }
    /* 127 bytes pass, 128 do not */
    char *sub = repeat("x", 127 - 6);
    char *doc = fmt(DOC(",\"media_type\":\"image/%s\""), sub);
    expect_ok(doc);
    free(doc);
    doc = fmt(DOC(",\"media_type\":\"image/%sx\""), sub);
    expect_bad(doc, "media_type");
    free(doc);
    free(sub);
}

static void test_license(void **state)
{
    (void)state;
    expect_ok(DOC(",\"license\":\"공공누리 제1유형 (KOGL Type 1)\""));
    static const char *const bad[] = {"\"\"",      "\" \"",     "5",
                                      "\"a\\tb\"", "[\"CC0\"]", "\"a\\u0085\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *doc = fmt(DOC(",\"license\":%s"), bad[i]);
        expect_bad(doc, "license");
        free(doc);
    }
    char *l100 = repeat("라", 100);
    char *doc = fmt(DOC(",\"license\":\"%s\""), l100);
    expect_ok(doc);
    free(doc);
    doc = fmt(DOC(",\"license\":\"%s.\""), l100);
    expect_bad(doc, "license");
    free(doc);
    free(l100);
}

static void test_attributes(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"{}", "attributes"},
        {"\"x\"", "attributes"},
        {"[1]", "attributes[0]"},
        {"[null]", "attributes[0]"},
        {"[[]]", "attributes[0]"},
        {"[{\"trait_type\":\"a\",\"value\":1},\"x\"]", "attributes[1]"},
        {"[{\"value\":1}]", "attributes[0].trait_type"},
        {"[{\"trait_type\":null,\"value\":1}]", "attributes[0].trait_type"},
        {"[{\"trait_type\":\"a\"}]", "attributes[0].value"},
        {"[{\"trait_type\":\"a\",\"value\":null}]", "attributes[0].value"},
        {"[{\"trait_type\":\"\",\"value\":1}]", "attributes[0].trait_type"},
        {"[{\"trait_type\":\" \",\"value\":1}]", "attributes[0].trait_type"},
        {"[{\"trait_type\":1,\"value\":1}]", "attributes[0].trait_type"},
        {"[{\"trait_type\":\"a\\nb\",\"value\":1}]",
         "attributes[0].trait_type"},
        {"[{\"trait_type\":\"a\",\"value\":true}]", "attributes[0].value"},
        {"[{\"trait_type\":\"a\",\"value\":false}]", "attributes[0].value"},
        {"[{\"trait_type\":\"a\",\"value\":[1]}]", "attributes[0].value"},
        {"[{\"trait_type\":\"a\",\"value\":{}}]", "attributes[0].value"},
        {"[{\"trait_type\":\"a\",\"value\":\"x\\ty\"}]", "attributes[0].value"},
        {"[{\"trait_type\":\"a\",\"value\":1e400}]", "attributes[0].value"},
        {"[{\"trait_type\":\"a\",\"value\":-1e400}]", "attributes[0].value"},
        {"[{\"trait_type\":\"a\",\"value\":9007199254740992}]",
         "attributes[0].value"},
        {"[{\"trait_type\":\"a\",\"value\":-9007199254740993}]",
         "attributes[0].value"},
        {"[{\"trait_type\":\"a\",\"value\":1e300}]", "attributes[0].value"},
        {"[{\"trait_type\":\"a\",\"value\":1,\"display_type\":\"number\"}]",
         "attributes[0].display_type"},
        {"[{\"trait_type\":\"a\",\"trait_type\":\"b\",\"value\":1}]",
         "attributes[0].trait_type"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *doc = fmt(DOC(",\"attributes\":%s"), bad[i][0]);
        expect_bad(doc, bad[i][1]);
        free(doc);
    }
    /* 64 items pass, 65 do not */
    char *items = repeat("{\"trait_type\":\"t\",\"value\":\"v\"},", 65);
    items[strlen(items) - 1] = 0;
    char *doc = fmt(DOC(",\"attributes\":[%s]"), items);
    expect_bad(doc, "attributes");
    free(doc);
    items[strlen(items) - strlen(",{\"trait_type\":\"t\",\"value\":\"v\"}")] =
        0;
    doc = fmt(DOC(",\"attributes\":[%s]"), items);
    expect_ok(doc);
    free(doc);
    free(items);
    /* 200 characters each */
    char *t200 = repeat("특", 200);
    doc = fmt(DOC(",\"attributes\":[{\"trait_type\":\"%s\",\"value\":\"%s\"}]"),
              t200, t200);
    expect_ok(doc);
    free(doc);
    doc = fmt(DOC(",\"attributes\":[{\"trait_type\":\"%s!\",\"value\":1}]"),
              t200);
    expect_bad(doc, "attributes[0].trait_type");
    free(doc);
    doc = fmt(DOC(",\"attributes\":[{\"trait_type\":\"a\",\"value\":\"%s!\"}]"),
              t200);
    expect_bad(doc, "attributes[0].value");
    free(doc);
    free(t200);
}

static void test_royalty(void **state)
{
    (void)state;
    static const struct {
        const char *v;
        int bps;
    } good[] = {{"0", 0},        {"-0", 0},          {"1", 1},
                {"250", 250},    {"10000", 10000},   {"1e4", 10000},
                {"1E+4", 10000}, {"10000.0", 10000}, {"2.5e2", 250},
                {"null", 0},     {"0.0e0", 0}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char *doc = fmt(DOC(",\"royalty_bps\":%s"), good[i].v);
        hc_meta_info info;
        assert_int_equal(hc_metadata_check(u8(doc), strlen(doc), &info, NULL),
                         HC_OK);
        assert_int_equal(info.royalty_bps, good[i].bps);
        free(doc);
    }
    static const char *const bad[] = {
        "10001",   "-1",    "1.5",    "0.1",   "9999.99",
        "1e5",     "1e400", "-1e400", "65536", "4294967296",
        "\"250\"", "true",  "[250]",  "{}",    "1e-400x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *doc = fmt(DOC(",\"royalty_bps\":%s"), bad[i]);
        expect_bad(doc, "royalty_bps");
        free(doc);
    }
}

/* Nesting: the schema's depth is 3; the scanner stops at 16 levels, far
 * below cJSON's recursion limit (1000), whatever the input. */
static void test_nesting(void **state)
{
    (void)state;
    static const size_t depths[] = {13, 14, 15, 16, 999, 1000, 1001, 32000};
    for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++) {
        size_t d = depths[i];
        char *open = repeat("[", d), *close = repeat("]", d);
        char *doc = fmt(DOC(",\"attributes\":[%s%s]"), open, close);
        hc_meta_problem pb;
        assert_int_equal(hc_metadata_check(u8(doc), strlen(doc), NULL, &pb),
                         HC_ERR_INVALID);
        /* at most 16 levels: top object, attributes, 14 arrays */
        if (d <= 14) {
            assert_string_equal(pb.field, "attributes[0]");
            assert_null(strstr(pb.message, "nested"));
        } else {
            assert_true(strncmp(pb.field, "attributes[0][0]", 16) == 0);
            assert_non_null(strstr(pb.message, "nested more than 16"));
        }
        free(doc);
        free(open);
        free(close);
    }
    /* objects in objects at the top level */
    char *open = repeat("{\"a\":", 10000), *close = repeat("}", 10000);
    char *doc = fmt("%s1%s", open, close);
    hc_meta_problem pb;
    assert_true(strlen(doc) <= HC_META_MAX);
    assert_int_equal(hc_metadata_check(u8(doc), strlen(doc), NULL, &pb),
                     HC_ERR_INVALID);
    assert_string_equal(pb.field, "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a");
    assert_non_null(strstr(pb.message, "nested"));
    free(doc);
    free(open);
    free(close);
    /* unclosed */
    open = repeat("[", 60000);
    doc = fmt(DOC(",\"attributes\":%s"), open);
    char *zeros = repeat("[0]", 15), *want = fmt("attributes%s", zeros);
    expect_bad(doc, want);
    free(want);
    free(zeros);
    free(doc);
    free(open);
}

static void test_size_limit(void **state)
{
    (void)state;
    /* a valid document padded to exactly HC_META_MAX bytes passes */
    const char *base = DOC("");
    char *doc = malloc(HC_META_MAX + 2);
    assert_non_null(doc);
    memset(doc, ' ', HC_META_MAX + 1);
    memcpy(doc, base, strlen(base));
    doc[HC_META_MAX + 1] = 0;
    hc_meta_problem pb;
    assert_int_equal(hc_metadata_check(u8(doc), HC_META_MAX, NULL, &pb), HC_OK);
    /* one more byte does not */
    expect_bad_n(doc, HC_META_MAX + 1, "");
    assert_int_equal(hc_metadata_check(u8(doc), HC_META_MAX + 1, NULL, &pb),
                     HC_ERR_INVALID);
    assert_non_null(strstr(pb.message, "65536"));
    free(doc);
    /* a very large input is refused before it is read */
    static const char small[] = "{}";
    assert_int_equal(hc_metadata_check(u8(small), SIZE_MAX, NULL, &pb),
                     HC_ERR_INVALID);
    assert_string_equal(pb.field, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example),
        cmocka_unit_test(test_build_buffer),
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_normalisation),
        cmocka_unit_test(test_document),
        cmocka_unit_test(test_syntax_numbers),
        cmocka_unit_test(test_strings_escapes),
        cmocka_unit_test(test_nul),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_creator),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_descriptions),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_media_type),
        cmocka_unit_test(test_license),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_royalty),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_size_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

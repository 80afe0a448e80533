/* metadata.h — the metadata of a mint request: validation, and the ERC-721
 * metadata JSON that Haechi serves at the token URI and whose SHA-256 is
 * committed on chain at mint.
 *
 * Input (the "metadata" part of POST /v1/mints), snake_case:
 *   {"creator": "0x…",                         required, an address (EIP-55
 *                                               checksum checked if mixed case)
 *    "name": {"ko": "…", "en": "…"},           at least one, 1..200 chars
 *    "description": {"ko": "…", "en": "…"},    optional, each ≤ 2000 chars
 *    "image": "https://…",                     optional URL (https, http,
 *    "animation_url": "…",                      ipfs, ar), ≤ 2048 bytes
 *    "external_url": "…",
 *    "media_type": "image/png",                optional MIME type type/subtype
 *    "license": "CC-BY-4.0",                   optional, ≤ 100 chars
 *    "attributes": [{"trait_type": "…",        optional, ≤ 64 items;
 *                    "value": "…" | number}],   strings ≤ 200 chars
 *    "royalty_bps": 250}                       optional integer 0..10000
 * The raw bytes must be valid UTF-8 (no NUL, no control characters in
 * strings except tab/newline in descriptions), at most HC_META_MAX bytes,
 * with no unknown or repeated fields. In detail (docs/metadata.md):
 * strict RFC 8259 JSON, nesting ≤ 16, numbers ≤ 63 characters; "chars" are
 * code points after unescaping; null is the same as absent for optional
 * fields; creator is "0x…" and not the zero address; names, license and
 * trait_type must not be blank; attribute numbers finite, integers within
 * ±(2^53 − 1); royalty_bps is judged by value (1e4 = 10000, 1.5 refused);
 * URLs are scheme://authority… with only URI characters, no user@.
 *
 * Output (served at the token URI), compact JSON, keys in this order:
 *   {"name", "description"?, "image"?, "animation_url"?, "external_url"?,
 *    "attributes"?, "properties": {"name": {"ko"?, "en"?},
 *    "description"?: {…}, "media_type"?, "license"?, "creator" (EIP-55),
 *    "royalty_bps", "content_sha256", "content_size"}}
 * where the top-level name/description is the English text if given, the
 * Korean otherwise; empty description/attributes are left out; strings are
 * raw UTF-8 (escapes only \" \\ \t \n), media_type lowercase, integers
 * plain, other numbers in the shortest round-tripping %.15g..%.17g form.
 * The bytes depend only on the input. Its SHA-256 is the metadata hash:
 *   curl -s $URI | sha256sum  ==  the hash in the Minted event.
 */
#ifndef HAECHI_METADATA_H
#define HAECHI_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/key.h"
#include "haechi/util.h"

#define HC_META_MAX (64u << 10) /* largest metadata part, bytes */

/* Where validation failed: the field ("name.ko", "attributes[2].value",
 * "" for the document) and why, in English. */
typedef struct hc_meta_problem {
    char field[64];
    char message[160];
} hc_meta_problem;

/* What the service needs from valid metadata. */
typedef struct hc_meta_info {
    hc_address creator;
    uint16_t royalty_bps;
    char media_type[128]; /* "" if not given */
} hc_meta_info;

/* Validates the request's metadata JSON. HC_OK, or HC_ERR_INVALID with pb
 * filled (HC_ERR_NOMEM on allocation failure); larger than HC_META_MAX is
 * HC_ERR_INVALID too (field ""). info and pb may be NULL; info is zeroed
 * unless the result is HC_OK. */
HC_WUR hc_err hc_metadata_check(const uint8_t *json, size_t len,
                                hc_meta_info *info, hc_meta_problem *pb);

/* Validates and renders the served metadata JSON (appended to out) for
 * content with the given SHA-256 and size. On any error out is left as it
 * was (HC_ERR_BUFFER if it would grow past its max). */
HC_WUR hc_err hc_metadata_build(hc_buf *out, const uint8_t *json, size_t len,
                                const uint8_t content_sha256[32],
                                uint64_t content_size, hc_meta_info *info,
                                hc_meta_problem *pb);

/* 1 if p[0..n) is valid UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF). */
int hc_utf8_valid(const uint8_t *p, size_t n);

#endif

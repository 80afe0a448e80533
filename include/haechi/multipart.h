/* multipart.h — a streaming multipart/form-data parser (RFC 7578, RFC 2046).
 *
 * The body is fed in chunks of any size (as the HTTP server hands them
 * over); part contents are passed to callbacks as they arrive and never
 * buffered whole, so a part may be gigabytes long. Part headers are bounded
 * (HC_MP_HEADER_MAX bytes per part, HC_MP_MAX_PARTS parts). Malformed input
 * (missing or wrong boundary, bad or oversized headers, a part without a
 * form-data Content-Disposition name, a body that ends before the closing
 * boundary) is HC_ERR_MULTIPART, never a crash.
 *
 * Strict where it matters: lines end in CRLF (every real client sends CRLF;
 * a bare LF is an error), a delimiter ("CRLF--boundary") must be followed by
 * "--", CRLF or transport padding (spaces, tabs) then CRLF, and a part needs
 * a Content-Disposition of type form-data with a non-empty name. A preamble
 * before the first boundary and the epilogue after the closing one are
 * ignored; a body with no part at all ("--boundary--") is valid. At most
 * HC_MP_BOUNDARY_MAX + 3 bytes of contents are held back (a possible
 * delimiter prefix); everything else reaches part_data in the same
 * hc_mp_feed call, so the memory of a parser stays bounded.
 */
#ifndef HAECHI_MULTIPART_H
#define HAECHI_MULTIPART_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/util.h"

#define HC_MP_BOUNDARY_MAX 70   /* RFC 2046 */
#define HC_MP_HEADER_MAX   8192 /* all header lines of one part */
#define HC_MP_MAX_PARTS    16

typedef struct hc_mp hc_mp;

/* Any of the three may be NULL (that event is not reported). Callbacks must
 * not call back into the parser. Return non-zero to stop the parser: the
 * call in progress returns HC_ERR_ABORTED, and so does every later one. */
typedef struct hc_mp_callbacks {
    /* A part begins. name is the form field name (never NULL, never empty),
     * filename and content_type may be NULL; the strings are valid during
     * the call only. filename comes from filename*= (RFC 5987, UTF-8 or
     * ISO-8859-1, returned as UTF-8) if present, else from filename=; it is
     * not percent-decoded (browsers and curl send '"' as %22) and may hold
     * any bytes but control characters. In a quoted value a backslash
     * escapes a following special character ('"', '\', ...) and is kept
     * before anything else (browsers and curl do not escape "C:\dir"); if
     * that reading leaves the value unterminated it is re-read with no
     * escapes (curl sends the name `a\` as "a\""). content_type is the
     * part's Content-Type value as sent. */
    int (*part_begin)(void *arg, const char *name, const char *filename,
                      const char *content_type);
    /* Some bytes of the current part's contents (n > 0). */
    int (*part_data)(void *arg, const uint8_t *p, size_t n);
    /* The current part's contents are complete (its delimiter was seen).
     * The body as a whole is valid only if hc_mp_finish returns HC_OK. */
    int (*part_end)(void *arg);
} hc_mp_callbacks;

/* Extracts the boundary parameter from a Content-Type header value
 * ("multipart/form-data; boundary=…", quoted or not, any case for the type
 * and parameter name). HC_ERR_MULTIPART if the type is not
 * multipart/form-data or the boundary is missing, empty, longer than 70
 * characters or contains characters RFC 2046 does not allow. */
HC_WUR hc_err hc_mp_boundary(char out[HC_MP_BOUNDARY_MAX + 1],
                             const char *content_type);

/* Creates a parser for boundary (without the leading "--"), as returned by
 * hc_mp_boundary. cb is copied. HC_ERR_ARG if out, boundary or cb is NULL,
 * HC_ERR_MULTIPART if the boundary is not a valid RFC 2046 boundary. */
HC_WUR hc_err hc_mp_new(hc_mp **out, const char *boundary,
                        const hc_mp_callbacks *cb, void *arg);
/* Feeds the next n bytes of the body (p may be NULL if n is 0). After an
 * error the parser stays failed (every later call returns the same error,
 * without callbacks). Bytes after the closing boundary are ignored. */
HC_WUR hc_err hc_mp_feed(hc_mp *mp, const uint8_t *p, size_t n);
/* The body ended: HC_OK only if the closing boundary was seen. Bytes after
 * the closing boundary (the epilogue) are ignored. */
HC_WUR hc_err hc_mp_finish(hc_mp *mp);
/* A short description of the first error, for a problem+json detail
 * ("missing closing boundary", "part without a name", ...); "no error" if
 * there is none. A static string. */
const char *hc_mp_error(const hc_mp *mp);
void hc_mp_free(hc_mp *mp);

#endif

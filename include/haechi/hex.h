/* hex.h — strict hexadecimal encoding and decoding.
 *
 * Decoding is strict: an odd number of digits, a non-hex character or a
 * missing 0x prefix (when HC_HEX_PREFIX_REQUIRED) is an error. Upper and lower
 * case digits are both accepted. Encoding writes lowercase digits.
 */
#ifndef HAECHI_HEX_H
#define HAECHI_HEX_H

#include <stddef.h>
#include <stdint.h>

#include "haechi/err.h"
#include "haechi/util.h"

#define HC_HEX_PREFIX_OPTIONAL  0u /* "0x" may be present */
#define HC_HEX_PREFIX_REQUIRED  1u /* "0x" (or "0X") must be present */
#define HC_HEX_PREFIX_FORBIDDEN 2u /* plain digits only */

/* Decodes the hex string s (slen characters; not NUL-terminated necessarily)
 * into out, which holds out_cap bytes. *out_len receives the byte count.
 * Returns HC_ERR_HEX_PREFIX, HC_ERR_HEX_ODD, HC_ERR_HEX_DIGIT, HC_ERR_BUFFER.
 */
HC_WUR hc_err hc_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len,
                            const char *s, size_t slen, unsigned flags);

/* Decodes exactly n bytes from the NUL-terminated string s; any other length
 * is HC_ERR_LENGTH. */
HC_WUR hc_err hc_hex_decode_fixed(uint8_t *out, size_t n, const char *s,
                                  unsigned flags);

/* Decodes a NUL-terminated string of any length into a new buffer of at most
 * max bytes (appended to b, which the caller owns). */
HC_WUR hc_err hc_hex_decode_buf(hc_buf *b, const char *s, unsigned flags);

/* Writes 2n lowercase hex digits of in (prefixed by "0x" if prefix) and a NUL
 * to out, which must hold 2n + 1 (+ 2 with prefix) bytes. Returns out. */
char *hc_hex_encode(char *out, const uint8_t *in, size_t n, int prefix);

/* Same, into a newly allocated string the caller frees; NULL on NOMEM. */
char *hc_hex_encode_alloc(const uint8_t *in, size_t n, int prefix);

#endif

/* testutil.h — helpers shared by the unit tests. */
#ifndef HAECHI_TESTUTIL_H
#define HAECHI_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

/* Reads tests/vectors/<name> (JSON lines) into an array of parsed objects.
 * *count receives the number of records. Fails the test on any error. */
cJSON **tu_load_jsonl(const char *name, size_t *count);
void tu_free_jsonl(cJSON **recs, size_t count);

/* Decodes a 0x-hex string into a malloc'ed buffer; fails the test on error. */
uint8_t *tu_unhex(const char *hex, size_t *len);

/* Reads a whole file into a NUL-terminated malloc'ed buffer. */
char *tu_read_file(const char *path, size_t *len);

#endif

/* Ledger: open/close, group commit, journal, verify, records. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "haechi/codec.h"
#include "haechi/ledger.h"
#include "haechi/records.h"
#include "testutil.h"

static char *make_dir(void)
{
    char *d = strdup("/tmp/hc_ledger_test_XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void remove_dir(char *d)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
    free(d);
}

struct kv {
    const char *key;
    const char *val;
};

static hc_err put_kv(hc_ltx *tx, void *arg)
{
    struct kv *kv = arg;
    return hc_ltx_put(tx, HC_LDB_KV, HC_J_KV, kv->key, strlen(kv->key),
                      kv->val, strlen(kv->val));
}

static hc_err fail_after_put(hc_ltx *tx, void *arg)
{
    hc_err err = put_kv(tx, arg);
    return err ? err : HC_ERR_CONFLICT;
}

static void test_open_write_verify(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_ledger_report rep;
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    struct kv a = {"alpha", "one"}, b = {"beta", "two"}, c = {"gamma", "x"};
    assert_int_equal(hc_ledger_write(l, put_kv, &a), HC_OK);
    assert_int_equal(hc_ledger_write(l, fail_after_put, &c), HC_ERR_CONFLICT);
    assert_int_equal(hc_ledger_write(l, put_kv, &b), HC_OK);
    hc_buf out;
    hc_buf_init(&out, 1024, 0);
    assert_int_equal(hc_ledger_get(l, HC_LDB_KV, "beta", 4, &out), HC_OK);
    assert_int_equal(out.len, 3);
    assert_memory_equal(out.data, "two", 3);
    /* the failed write left nothing behind */
    assert_int_equal(hc_ledger_get(l, HC_LDB_KV, "gamma", 5, &out),
                     HC_ERR_NOT_FOUND);
    uint64_t seq;
    uint8_t h[32];
    assert_int_equal(hc_ledger_head(l, &seq, h), HC_OK);
    assert_int_equal(seq, 3); /* genesis + 2 */
    assert_int_equal(hc_ledger_verify(l, &rep), HC_OK);
    assert_int_equal(rep.entries, 3);
    /* a second writer is refused */
    hc_ledger *l2;
    assert_int_equal(hc_ledger_open(&l2, dir, NULL), HC_ERR_LOCKED);
    hc_ledger_close(l);
    /* reopen: head is kept, writes continue the chain */
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    struct kv d = {"alpha", "uno"};
    assert_int_equal(hc_ledger_write(l, put_kv, &d), HC_OK);
    assert_int_equal(hc_ledger_verify(l, &rep), HC_OK);
    assert_int_equal(rep.entries, 4);
    hc_ledger_close(l);
    hc_buf_free(&out);
    remove_dir(dir);
}

static void test_mint_accept(void **state)
{
    (void)state;
    char *dir = make_dir();
    hc_ledger *l;
    hc_ledger_report rep;
    hc_accept_outcome oc;
    hc_mint m, ex, got;
    assert_int_equal(hc_ledger_open(&l, dir, NULL), HC_OK);
    memset(&m, 0, sizeof m);
    memset(m.id, 1, 16);
    memset(m.content_hash, 2, 32);
    memset(m.request_hash, 3, 32);
    m.state = HC_MINT_QUEUED;
    strcpy(m.client, "jongno-gu");
    strcpy(m.idem_key, "req-1");
    assert_int_equal(hc_ledger_mint_accept(l, &m, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_NEW);
    assert_int_equal(hc_ledger_mint_accept(l, &m, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_REPLAY);
    assert_memory_equal(ex.id, m.id, 16);
    hc_mint m2 = m;
    m2.request_hash[0] = 9;
    assert_int_equal(hc_ledger_mint_accept(l, &m2, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_KEY_REUSED);
    m2 = m;
    memset(m2.id, 7, 16);
    strcpy(m2.idem_key, "req-2");
    assert_int_equal(hc_ledger_mint_accept(l, &m2, &oc, &ex), HC_OK);
    assert_int_equal(oc, HC_ACCEPT_DUPLICATE);
    assert_int_equal(hc_ledger_mint_get(l, m.id, &got), HC_OK);
    assert_string_equal(got.client, "jongno-gu");
    assert_int_equal(hc_ledger_verify(l, &rep), HC_OK);
    hc_ledger_close(l);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_write_verify),
        cmocka_unit_test(test_mint_accept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

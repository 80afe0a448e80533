/* The metrics registry and its Prometheus text rendering: HELP and TYPE for
 * every family, labels, cumulative histogram buckets ending in +Inf with
 * _sum and _count, number formats, declaration errors, what is ignored, and
 * adds from many threads. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/metrics.h"
#include "testutil.h"

/* Renders m into a NUL-terminated string (caller frees). */
static char *render(hc_metrics *m)
{
    hc_buf b;
    hc_buf_init(&b, 1 << 20, 0);
    assert_int_equal(hc_metrics_render(m, &b), HC_OK);
    char *s = malloc(b.len + 1);
    assert_non_null(s);
    if (b.len)
        memcpy(s, b.data, b.len);
    s[b.len] = 0;
    hc_buf_free(&b);
    return s;
}

static void expect(hc_metrics *m, const char *want)
{
    char *got = render(m);
    if (strcmp(got, want) != 0)
        fail_msg("rendered:\n%s\nwant:\n%s", got, want);
    free(got);
}

static void test_counter_gauge(void **state)
{
    (void)state;
    hc_metrics *m;
    assert_int_equal(hc_metrics_new(&m), HC_OK);
    expect(m, "");
    assert_int_equal(hc_metrics_declare(m, "req_total", HC_METRIC_COUNTER,
                                        "Requests by route and status", NULL,
                                        0),
                     HC_OK);
    assert_int_equal(
        hc_metrics_declare(m, "depth", HC_METRIC_GAUGE, "Queue depth", NULL, 0),
        HC_OK);
    /* declared families are listed even without series */
    expect(m, "# HELP req_total Requests by route and status\n"
              "# TYPE req_total counter\n"
              "# HELP depth Queue depth\n"
              "# TYPE depth gauge\n");
    hc_metrics_add(m, "req_total", "route=\"/v1/mints\",status=\"202\"", 1);
    hc_metrics_add(m, "req_total", "route=\"/healthz\",status=\"200\"", 1);
    hc_metrics_add(m, "req_total", "route=\"/v1/mints\",status=\"202\"", 2);
    hc_metrics_add(m, "req_total", NULL, 5);
    hc_metrics_set(m, "depth", NULL, 3);
    hc_metrics_set(m, "depth", NULL, 2);
    hc_metrics_add(m, "depth", NULL, 0.5); /* a gauge may be added to */
    expect(m, "# HELP req_total Requests by route and status\n"
              "# TYPE req_total counter\n"
              "req_total{route=\"/v1/mints\",status=\"202\"} 3\n"
              "req_total{route=\"/healthz\",status=\"200\"} 1\n"
              "req_total 5\n"
              "# HELP depth Queue depth\n"
              "# TYPE depth gauge\n"
              "depth 2.5\n");
    assert_true(hc_metrics_get(m, "req_total",
                               "route=\"/v1/mints\",status=\"202\"") == 3);
    assert_true(hc_metrics_get(m, "req_total", "") == 5);
    assert_true(hc_metrics_get(m, "req_total", "route=\"/x\"") == 0);
    assert_true(hc_metrics_get(m, "nope", NULL) == 0);
    assert_true(hc_metrics_get(m, "depth", NULL) == 2.5);

    /* ignored: unknown families, set on a counter, observe on a gauge,
     * non-finite adds, labels too long */
    char *before = render(m);
    hc_metrics_add(m, "unknown_total", NULL, 1);
    hc_metrics_set(m, "req_total", "route=\"/v1/mints\",status=\"202\"", 0);
    hc_metrics_observe(m, "depth", NULL, 1);
    hc_metrics_add(m, "req_total", NULL, NAN);
    hc_metrics_add(m, "req_total", NULL, INFINITY);
    char labels[300];
    memset(labels, 'a', sizeof labels - 1);
    labels[sizeof labels - 1] = 0;
    hc_metrics_add(m, "req_total", labels, 1);
    char *after = render(m);
    assert_string_equal(before, after);
    free(before);
    free(after);
    hc_metrics_free(m);
}

static void test_histogram(void **state)
{
    (void)state;
    hc_metrics *m;
    static const double b[] = {0.125, 0.5, 1};
    assert_int_equal(hc_metrics_new(&m), HC_OK);
    assert_int_equal(hc_metrics_declare(m, "lat_seconds", HC_METRIC_HISTOGRAM,
                                        "Latency", b, 3),
                     HC_OK);
    hc_metrics_observe(m, "lat_seconds", "route=\"/a\"", 0.0625);
    hc_metrics_observe(m, "lat_seconds", "route=\"/a\"", 0.125); /* le is <= */
    hc_metrics_observe(m, "lat_seconds", "route=\"/a\"", 0.25);
    hc_metrics_observe(m, "lat_seconds", "route=\"/a\"", 2);
    hc_metrics_observe(m, "lat_seconds", NULL, 0.75);
    hc_metrics_observe(m, "lat_seconds", NULL, NAN); /* ignored */
    hc_metrics_add(m, "lat_seconds", NULL, 1);       /* ignored */
    /* buckets are cumulative; +Inf is the count */
    expect(m, "# HELP lat_seconds Latency\n"
              "# TYPE lat_seconds histogram\n"
              "lat_seconds_bucket{route=\"/a\",le=\"0.125\"} 2\n"
              "lat_seconds_bucket{route=\"/a\",le=\"0.5\"} 3\n"
              "lat_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"
              "lat_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
              "lat_seconds_sum{route=\"/a\"} 2.4375\n"
              "lat_seconds_count{route=\"/a\"} 4\n"
              "lat_seconds_bucket{le=\"0.125\"} 0\n"
              "lat_seconds_bucket{le=\"0.5\"} 0\n"
              "lat_seconds_bucket{le=\"1\"} 1\n"
              "lat_seconds_bucket{le=\"+Inf\"} 1\n"
              "lat_seconds_sum 0.75\n"
              "lat_seconds_count 1\n");
    assert_true(hc_metrics_get(m, "lat_seconds", "route=\"/a\"") == 4);
    hc_metrics_free(m);
}

static void test_default_buckets(void **state)
{
    (void)state;
    hc_metrics *m;
    assert_int_equal(hc_metrics_new(&m), HC_OK);
    assert_int_equal(hc_metrics_declare(m, "rpc_seconds", HC_METRIC_HISTOGRAM,
                                        "RPC latency", NULL, 0),
                     HC_OK);
    hc_metrics_observe(m, "rpc_seconds", NULL, 0.00390625);
    hc_metrics_observe(m, "rpc_seconds", NULL, 11);
    /* 0.5 ms to 10 s, written in their shortest form */
    expect(m, "# HELP rpc_seconds RPC latency\n"
              "# TYPE rpc_seconds histogram\n"
              "rpc_seconds_bucket{le=\"0.0005\"} 0\n"
              "rpc_seconds_bucket{le=\"0.001\"} 0\n"
              "rpc_seconds_bucket{le=\"0.0025\"} 0\n"
              "rpc_seconds_bucket{le=\"0.005\"} 1\n"
              "rpc_seconds_bucket{le=\"0.01\"} 1\n"
              "rpc_seconds_bucket{le=\"0.025\"} 1\n"
              "rpc_seconds_bucket{le=\"0.05\"} 1\n"
              "rpc_seconds_bucket{le=\"0.1\"} 1\n"
              "rpc_seconds_bucket{le=\"0.25\"} 1\n"
              "rpc_seconds_bucket{le=\"0.5\"} 1\n"
              "rpc_seconds_bucket{le=\"1\"} 1\n"
              "rpc_seconds_bucket{le=\"2.5\"} 1\n"
              "rpc_seconds_bucket{le=\"5\"} 1\n"
              "rpc_seconds_bucket{le=\"10\"} 1\n"
              "rpc_seconds_bucket{le=\"+Inf\"} 2\n"
              "rpc_seconds_sum 11.00390625\n"
              "rpc_seconds_count 2\n");
    hc_metrics_free(m);
}

static void test_numbers(void **state)
{
    (void)state;
    hc_metrics *m;
    assert_int_equal(hc_metrics_new(&m), HC_OK);
    assert_int_equal(hc_metrics_declare(m, "g", HC_METRIC_GAUGE, "g", NULL, 0),
                     HC_OK);
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {0, "g 0\n"},
        {-0.0, "g -0\n"},
        {1e15, "g 1000000000000000\n"},
        {1e16, "g 1e+16\n"},
        {0.1 + 0.2, "g 0.30000000000000004\n"},
        {1.0 / 3, "g 0.3333333333333333\n"},
        {-2.5, "g -2.5\n"},
        {1e-7, "g 1e-07\n"},
        {INFINITY, "g +Inf\n"},
        {-INFINITY, "g -Inf\n"},
        {NAN, "g NaN\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hc_metrics_set(m, "g", NULL, cases[i].v);
        char *got = render(m);
        const char *line = strstr(got, "\ng ");
        assert_non_null(line);
        if (strcmp(line + 1, cases[i].want) != 0)
            fail_msg("%.17g rendered as %s, want %s", cases[i].v, line + 1,
                     cases[i].want);
        free(got);
    }
    hc_metrics_free(m);
}

static void test_declare_errors(void **state)
{
    (void)state;
    hc_metrics *m;
    static const double unsorted[] = {1, 0.5};
    static const double equal[] = {1, 1};
    double many[25];
    for (int i = 0; i < 25; i++)
        many[i] = i + 1;
    char help[300];
    memset(help, 'h', sizeof help - 1);
    help[sizeof help - 1] = 0;
    assert_int_equal(hc_metrics_new(&m), HC_OK);
    assert_int_equal(hc_metrics_declare(m, "", HC_METRIC_COUNTER, "x", NULL, 0),
                     HC_ERR_ARG);
    assert_int_equal(
        hc_metrics_declare(m, "9lives", HC_METRIC_COUNTER, "x", NULL, 0),
        HC_ERR_ARG);
    assert_int_equal(
        hc_metrics_declare(m, "a-b", HC_METRIC_COUNTER, "x", NULL, 0),
        HC_ERR_ARG);
    assert_int_equal(
        hc_metrics_declare(m, "a b", HC_METRIC_COUNTER, "x", NULL, 0),
        HC_ERR_ARG);
    assert_int_equal(
        hc_metrics_declare(m, "ok", HC_METRIC_COUNTER, NULL, NULL, 0),
        HC_ERR_ARG);
    assert_int_equal(
        hc_metrics_declare(m, "ok", HC_METRIC_COUNTER, help, NULL, 0),
        HC_ERR_ARG);
    assert_int_equal(
        hc_metrics_declare(m, "h", HC_METRIC_HISTOGRAM, "x", unsorted, 2),
        HC_ERR_ARG);
    assert_int_equal(
        hc_metrics_declare(m, "h", HC_METRIC_HISTOGRAM, "x", equal, 2),
        HC_ERR_ARG);
    assert_int_equal(
        hc_metrics_declare(m, "h", HC_METRIC_HISTOGRAM, "x", many, 25),
        HC_ERR_ARG);
    assert_int_equal(
        hc_metrics_declare(m, "h", HC_METRIC_HISTOGRAM, "x", many, 24), HC_OK);
    assert_int_equal(
        hc_metrics_declare(m, "ns:sub_total2", HC_METRIC_COUNTER, "x", NULL, 0),
        HC_OK);
    /* a name is declared once, whatever the type */
    assert_int_equal(
        hc_metrics_declare(m, "h", HC_METRIC_COUNTER, "y", NULL, 0),
        HC_ERR_EXISTS);
    char *s = render(m);
    assert_non_null(strstr(s, "# HELP h x\n# TYPE h histogram\n"));
    assert_non_null(strstr(s, "# TYPE ns:sub_total2 counter\n"));
    assert_null(strstr(s, "TYPE h counter"));
    free(s);
    hc_metrics_free(m);
}

struct adder {
    hc_metrics *m;
    int n;
};

static void *add_many(void *arg)
{
    struct adder *a = arg;
    for (int i = 0; i < a->n; i++) {
        hc_metrics_add(a->m, "c_total", (i & 1) ? "k=\"odd\"" : "k=\"even\"",
                       1);
        hc_metrics_observe(a->m, "h_seconds", NULL, 0.001);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    hc_metrics *m;
    pthread_t t[4];
    struct adder a;
    assert_int_equal(hc_metrics_new(&m), HC_OK);
    assert_int_equal(
        hc_metrics_declare(m, "c_total", HC_METRIC_COUNTER, "c", NULL, 0),
        HC_OK);
    assert_int_equal(
        hc_metrics_declare(m, "h_seconds", HC_METRIC_HISTOGRAM, "h", NULL, 0),
        HC_OK);
    a.m = m;
    a.n = 20000;
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, add_many, &a), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    assert_true(hc_metrics_get(m, "c_total", "k=\"odd\"") == 40000);
    assert_true(hc_metrics_get(m, "c_total", "k=\"even\"") == 40000);
    assert_true(hc_metrics_get(m, "h_seconds", NULL) == 80000);
    char *s = render(m);
    assert_non_null(strstr(s, "h_seconds_bucket{le=\"0.001\"} 80000\n"));
    assert_non_null(strstr(s, "h_seconds_bucket{le=\"0.0005\"} 0\n"));
    assert_non_null(strstr(s, "h_seconds_count 80000\n"));
    free(s);
    hc_metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_gauge),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_default_buckets),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_declare_errors),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

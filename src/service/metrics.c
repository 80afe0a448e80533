#include <math.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "haechi/metrics.h"

#define MAX_BUCKETS 24
#define LABELS_MAX  256

struct series {
    char labels[LABELS_MAX];
    double value;             /* counter / gauge; histogram sum */
    unsigned long long count; /* histogram */
    unsigned long long buckets[MAX_BUCKETS];
    struct series *next;
};

struct family {
    char name[96];
    char help[256];
    hc_metric_type type;
    double bounds[MAX_BUCKETS];
    size_t nbounds;
    struct series *series;
    struct family *next;
};

struct hc_metrics {
    pthread_mutex_t mu;
    struct family *families, *last;
};

static const double default_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                         0.025,  0.05,  0.1,    0.25,  0.5,
                                         1,      2.5,   5,      10};

hc_err hc_metrics_new(hc_metrics **out)
{
    hc_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return HC_ERR_NOMEM;
    pthread_mutex_init(&m->mu, NULL);
    *out = m;
    return HC_OK;
}

void hc_metrics_free(hc_metrics *m)
{
    if (!m)
        return;
    for (struct family *f = m->families, *fn; f; f = fn) {
        fn = f->next;
        for (struct series *s = f->series, *sn; s; s = sn) {
            sn = s->next;
            free(s);
        }
        free(f);
    }
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static int valid_name(const char *n)
{
    if (!n || !*n || strlen(n) >= 96)
        return 0;
    for (const char *c = n; *c; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                 *c == '_' || *c == ':' || (c != n && *c >= '0' && *c <= '9');
        if (!ok)
            return 0;
    }
    return 1;
}

hc_err hc_metrics_declare(hc_metrics *m, const char *name, hc_metric_type type,
                          const char *help, const double *buckets,
                          size_t nbuckets)
{
    if (!valid_name(name) || !help || strlen(help) >= 256)
        return HC_ERR_ARG;
    if (type == HC_METRIC_HISTOGRAM && !buckets) {
        buckets = default_buckets;
        nbuckets = sizeof default_buckets / sizeof *default_buckets;
    }
    if (nbuckets > MAX_BUCKETS)
        return HC_ERR_ARG;
    for (size_t i = 1; i < nbuckets; i++)
        if (!(buckets[i] > buckets[i - 1]))
            return HC_ERR_ARG;
    struct family *f = calloc(1, sizeof *f);
    if (!f)
        return HC_ERR_NOMEM;
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->help, sizeof f->help, "%s", help);
    f->type = type;
    if (type == HC_METRIC_HISTOGRAM) {
        memcpy(f->bounds, buckets, nbuckets * sizeof *buckets);
        f->nbounds = nbuckets;
    }
    pthread_mutex_lock(&m->mu);
    for (struct family *g = m->families; g; g = g->next) {
        if (!strcmp(g->name, name)) {
            pthread_mutex_unlock(&m->mu);
            free(f);
            return HC_ERR_EXISTS;
        }
    }
    if (m->last)
        m->last->next = f;
    else
        m->families = f;
    m->last = f;
    pthread_mutex_unlock(&m->mu);
    return HC_OK;
}

/* Finds (creating) a series; call with the lock held. */
static struct series *find(hc_metrics *m, const char *name, const char *labels,
                           struct family **fam)
{
    struct family *f = m->families;
    while (f && strcmp(f->name, name))
        f = f->next;
    if (!f)
        return NULL;
    *fam = f;
    if (!labels)
        labels = "";
    if (strlen(labels) >= LABELS_MAX)
        return NULL;
    struct series **pp = &f->series;
    for (; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->labels, labels))
            return *pp;
    struct series *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    snprintf(s->labels, sizeof s->labels, "%s", labels);
    *pp = s;
    return s;
}

void hc_metrics_add(hc_metrics *m, const char *name, const char *labels,
                    double v)
{
    struct family *f;
    pthread_mutex_lock(&m->mu);
    struct series *s = find(m, name, labels, &f);
    if (s && f->type != HC_METRIC_HISTOGRAM && isfinite(v))
        s->value += v;
    pthread_mutex_unlock(&m->mu);
}

void hc_metrics_set(hc_metrics *m, const char *name, const char *labels,
                    double v)
{
    struct family *f;
    pthread_mutex_lock(&m->mu);
    struct series *s = find(m, name, labels, &f);
    if (s && f->type == HC_METRIC_GAUGE)
        s->value = v;
    pthread_mutex_unlock(&m->mu);
}

void hc_metrics_observe(hc_metrics *m, const char *name, const char *labels,
                        double v)
{
    struct family *f;
    if (!isfinite(v))
        return;
    pthread_mutex_lock(&m->mu);
    struct series *s = find(m, name, labels, &f);
    if (s && f->type == HC_METRIC_HISTOGRAM) {
        s->count++;
        s->value += v;
        for (size_t i = 0; i < f->nbounds; i++)
            if (v <= f->bounds[i])
                s->buckets[i]++;
    }
    pthread_mutex_unlock(&m->mu);
}

double hc_metrics_get(hc_metrics *m, const char *name, const char *labels)
{
    double v = 0;
    pthread_mutex_lock(&m->mu);
    struct family *f = m->families;
    while (f && strcmp(f->name, name))
        f = f->next;
    for (struct series *s = f ? f->series : NULL; s; s = s->next)
        if (!strcmp(s->labels, labels ? labels : ""))
            v = f->type == HC_METRIC_HISTOGRAM ? (double)s->count : s->value;
    pthread_mutex_unlock(&m->mu);
    return v;
}

static hc_err putf(hc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static hc_err putf(hc_buf *b, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line)
        return HC_ERR_BUFFER;
    return hc_buf_append(b, line, (size_t)n);
}

static const char *num(char *out, size_t cap, double v)
{
    if (isnan(v))
        return "NaN";
    if (isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    if (v == floor(v) && fabs(v) < 9e15) {
        snprintf(out, cap, "%.0f", v);
        return out;
    }
    /* the shortest form that reads back as v: le="0.1", not
     * le="0.10000000000000001" */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            break;
    }
    return out;
}

hc_err hc_metrics_render(hc_metrics *m, hc_buf *out)
{
    static const char *const types[] = {"counter", "gauge", "histogram"};
    hc_err err = HC_OK;
    char a[64], le[64];
    pthread_mutex_lock(&m->mu);
    for (struct family *f = m->families; f && !err; f = f->next) {
        err = putf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help,
                   f->name, types[f->type]);
        for (struct series *s = f->series; s && !err; s = s->next) {
            const char *sep = s->labels[0] ? "," : "";
            if (f->type != HC_METRIC_HISTOGRAM) {
                err = s->labels[0] ? putf(out, "%s{%s} %s\n", f->name,
                                          s->labels, num(a, sizeof a, s->value))
                                   : putf(out, "%s %s\n", f->name,
                                          num(a, sizeof a, s->value));
                continue;
            }
            for (size_t i = 0; i < f->nbounds && !err; i++)
                err = putf(out, "%s_bucket{%s%sle=\"%s\"} %llu\n", f->name,
                           s->labels, sep, num(le, sizeof le, f->bounds[i]),
                           s->buckets[i]);
            if (!err)
                err = putf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", f->name,
                           s->labels, sep, s->count);
            if (!err)
                err = s->labels[0]
                          ? putf(out, "%s_sum{%s} %s\n%s_count{%s} %llu\n",
                                 f->name, s->labels, num(a, sizeof a, s->value),
                                 f->name, s->labels, s->count)
                          : putf(out, "%s_sum %s\n%s_count %llu\n", f->name,
                                 num(a, sizeof a, s->value), f->name, s->count);
        }
    }
    pthread_mutex_unlock(&m->mu);
    return err;
}

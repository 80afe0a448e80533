/* metrics.h — a small metrics registry rendered in the Prometheus text
 * exposition format (version 0.0.4): counters, gauges and histograms, each
 * with an optional label set given as a preformatted string such as
 *   route="/v1/mints",status="202"
 * Thread-safe (one mutex; series are few). Families must be declared with
 * hc_metrics_declare before use, so every family has HELP and TYPE.
 */
#ifndef HAECHI_METRICS_H
#define HAECHI_METRICS_H

#include <stddef.h>

#include "haechi/err.h"
#include "haechi/util.h"

typedef struct hc_metrics hc_metrics;

typedef enum hc_metric_type {
    HC_METRIC_COUNTER,
    HC_METRIC_GAUGE,
    HC_METRIC_HISTOGRAM
} hc_metric_type;

HC_WUR hc_err hc_metrics_new(hc_metrics **out);
void hc_metrics_free(hc_metrics *m);

/* Declares a family. For histograms, buckets are the upper bounds (sorted,
 * +Inf added automatically); NULL gives latency buckets in seconds from
 * 0.5 ms to 10 s. */
HC_WUR hc_err hc_metrics_declare(hc_metrics *m, const char *name,
                                 hc_metric_type type, const char *help,
                                 const double *buckets, size_t nbuckets);

/* labels may be NULL or "" for none. Unknown families are ignored. */
void hc_metrics_add(hc_metrics *m, const char *name, const char *labels,
                    double v);
void hc_metrics_set(hc_metrics *m, const char *name, const char *labels,
                    double v);
void hc_metrics_observe(hc_metrics *m, const char *name, const char *labels,
                        double v);
/* Current value of a counter or gauge series (0 if absent), for tests. */
double hc_metrics_get(hc_metrics *m, const char *name, const char *labels);

/* Appends the exposition text to out. */
HC_WUR hc_err hc_metrics_render(hc_metrics *m, hc_buf *out);

#endif

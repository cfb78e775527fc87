package api

// PathMetrics serves Prometheus metrics (text format) to a token holding
// METRICS_READ; tokensmithd --metrics-listen serves the same without a token
// on a separate address.
const PathMetrics = "/metrics"

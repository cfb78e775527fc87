package server

import (
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
)

// Every label below takes values from a fixed set: route patterns (never
// paths), known methods, status classes, reason and result names, store
// method names. No token, secret, email, id or client address is a label.

// Reasons an authentication fails (tokensmith_auth_failures_total).
const (
	authFailMissing   = "missing"
	authFailMalformed = "malformed"
	authFailUnknown   = "unknown" // also revoked, or its owner removed
	authFailExpired   = "expired"
)

// Refusals (tokensmith_refusals_total).
const (
	refusedQuota        = "quota"
	refusedRateLimit    = "rate_limit"
	refusedAuthFailures = "auth_failure_limit"
)

// metrics is the server's own Prometheus registry, so that several servers
// in one process (tests) never share counters.
type metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	authFailures   *prometheus.CounterVec
	tokens         *prometheus.CounterVec
	refusals       *prometheus.CounterVec
	introspections *prometheus.CounterVec
	authorizations *prometheus.CounterVec
	store          *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tokensmith_http_requests_total", Help: "HTTP requests by route pattern, method and status class.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tokensmith_http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tokensmith_auth_failures_total", Help: "Failed authentications of callers by reason (missing, malformed, unknown, expired).",
		}, []string{"reason"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tokensmith_tokens_total", Help: "Access tokens created, reset and deleted (event).",
		}, []string{"event"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tokensmith_refusals_total", Help: "Requests refused by a quota or a rate limit (quota, rate_limit, auth_failure_limit).",
		}, []string{"reason"}),
		introspections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tokensmith_introspections_total", Help: "Token introspections by result (active, inactive).",
		}, []string{"result"}),
		authorizations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tokensmith_authorizations_total", Help: "Authorize answers by result (allowed, denied, inactive).",
		}, []string{"result"}),
		store: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tokensmith_store_operation_seconds", Help: "Store operation latency by operation.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}, []string{"operation"}),
	}
	version, goVersion := "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		version, goVersion = bi.Main.Version, bi.GoVersion
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "tokensmith_build_info", Help: "Always 1; the labels say which tokensmithd this is.",
	}, []string{"version", "goversion"})
	build.WithLabelValues(version, goVersion).Set(1)
	m.reg.MustRegister(m.requests, m.latency, m.authFailures, m.tokens, m.refusals, m.introspections, m.authorizations, m.store, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{authFailMissing, authFailMalformed, authFailUnknown, authFailExpired} {
		m.authFailures.WithLabelValues(r)
	}
	for _, r := range []string{refusedQuota, refusedRateLimit, refusedAuthFailures} {
		m.refusals.WithLabelValues(r)
	}
	for _, r := range []string{"active", "inactive"} {
		m.introspections.WithLabelValues(r)
	}
	for _, r := range []string{"allowed", "denied", "inactive"} {
		m.authorizations.WithLabelValues(r)
	}
	for _, e := range []string{"created", "reset", "deleted"} {
		m.tokens.WithLabelValues(e)
	}
	return m
}

// knownMethods bounds the method label: anything else a client sends is "other".
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

func (m *metrics) request(route, method string, status int, d time.Duration) {
	if !knownMethods[method] {
		method = "other"
	}
	if route == "" {
		route = "none" // refused before routing (body too large)
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status/100)+"xx").Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

// authFailure counts a failed authentication by the reason its error gives.
func (m *metrics) authFailure(err error) {
	switch err {
	case errMissingToken:
		m.authFailures.WithLabelValues(authFailMissing).Inc()
	case errMalformedToken:
		m.authFailures.WithLabelValues(authFailMalformed).Inc()
	case errExpiredToken:
		m.authFailures.WithLabelValues(authFailExpired).Inc()
	case errUnauthorized:
		m.authFailures.WithLabelValues(authFailUnknown).Inc()
	}
}

func (m *metrics) refused(reason string) { m.refusals.WithLabelValues(reason).Inc() }

// audited counts token lifecycle events from the audit actions that
// record them; token.delete_all counts through tokensDeleted.
func (m *metrics) audited(action string) {
	switch action {
	case "token.create":
		m.tokens.WithLabelValues("created").Inc()
	case "token.reset":
		m.tokens.WithLabelValues("reset").Inc()
	case "token.delete":
		m.tokens.WithLabelValues("deleted").Inc()
	}
}

func (m *metrics) tokensDeleted(n int) { m.tokens.WithLabelValues("deleted").Add(float64(n)) }

func (m *metrics) introspection(active bool) {
	if active {
		m.introspections.WithLabelValues("active").Inc()
	} else {
		m.introspections.WithLabelValues("inactive").Inc()
	}
}

func (m *metrics) authorization(res api.AuthorizeResult) {
	switch {
	case res.Allowed:
		m.authorizations.WithLabelValues("allowed").Inc()
	case res.Active != nil:
		m.authorizations.WithLabelValues("inactive").Inc()
	default:
		m.authorizations.WithLabelValues("denied").Inc()
	}
}

func (m *metrics) storeOp(op string, start time.Time) {
	m.store.WithLabelValues(op).Observe(time.Since(start).Seconds())
}

// MetricsHandler serves the metrics in Prometheus text format without
// authentication, for a separate listener (tokensmithd --metrics-listen)
// that only the monitoring system can reach. On the API's own listener
// GET /metrics needs a token holding METRICS_READ.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
}

// serveMetrics is GET /metrics on the API listener.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if err := info(r.Context()).caller.Require(catalogue.MetricsRead); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.MetricsHandler().ServeHTTP(w, r)
}

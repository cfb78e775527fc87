package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// scrape parses the metrics served at url.
func scrape(t *testing.T, url, token string) map[string]*dto.MetricFamily {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s %v", url, res.StatusCode, raw, err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	return fams
}

// value is the counter, gauge or histogram count of the series of name
// carrying every label given as name/value pairs (summed over the others).
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
	var sum float64
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

// A scripted session moves exactly the counters it should, and no label
// carries a token, an id or an email.
func TestMetricsAfterASession(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) {
		cfg.Quota = store.Quota{PerMember: 3}
		cfg.RateLimit, cfg.RateBurst = 1, 40
	}))
	c := newClient(t, ts, ts.OwnerToken)
	before := scrape(t, ts.URL+api.PathMetrics, ts.OwnerToken)
	if value(before, "tokensmith_tokens_total") != 0 || value(before, "tokensmith_build_info") != 1 {
		t.Fatalf("fresh server: tokens %v, build_info %v", value(before, "tokensmith_tokens_total"), value(before, "tokensmith_build_info"))
	}

	rs := relyingService(t, c)                                     // created 1
	x := c.createToken(api.TokenCreate{Name: "x", Role: "reader"}) // created 2
	c.fail(http.StatusConflict, api.CodeQuotaExceeded, "POST", api.PathTokens, api.TokenCreate{Name: "y", Role: "reader"})
	var reset api.Token
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+x.ID+"/reset", nil).into(t, &reset)
	c.must(http.StatusNoContent, "DELETE", api.PathTokens+"/"+x.ID, nil)
	e := c.createToken(api.TokenCreate{Name: "e", Role: "reader", ExpirationDate: ts.Clock.Now().Add(time.Hour).UnixMilli()}) // created 3
	m, _ := memberWithToken(t, c, "person@example.com", "reader", "reader")                                                   // created 4

	rs.introspectForm(e.Token)
	rs.introspectForm(x.Token)
	for _, in := range []api.AuthorizeRequest{
		{Token: e.Token, Action: catalogue.WorkspaceRead, Resource: "org"},
		{Token: e.Token, Action: catalogue.MemberWrite, Resource: "org"},
		{Token: e.Token, Action: catalogue.MemberWrite, Resource: "workspace/" + ts.DefaultWorkspaceID},
		{Token: x.Token, Action: catalogue.WorkspaceRead, Resource: "org"},
	} {
		rs.must(http.StatusOK, "POST", api.PathAuthorize, in)
	}
	unknown, _ := secret.Generate(secret.KindPersonal)
	c.with("").fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	c.with("abc").fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	c.with(unknown).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	ts.Clock.Advance(2 * time.Hour)
	c.with(e.Token).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	limited := false
	for range 60 {
		if r := rs.do("GET", api.PathCallerIdentity, nil); r.Status == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("the rate limit never answered 429")
	}
	c.do("GET", "/api/v2/tokens/"+x.ID+"/nothing-here", nil)

	after := scrape(t, ts.URL+api.PathMetrics, ts.OwnerToken)
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"tokensmith_tokens_total", []string{"event", "created"}, 4},
		{"tokensmith_tokens_total", []string{"event", "reset"}, 1},
		{"tokensmith_tokens_total", []string{"event", "deleted"}, 1},
		{"tokensmith_auth_failures_total", []string{"reason", "missing"}, 1},
		{"tokensmith_auth_failures_total", []string{"reason", "malformed"}, 1},
		{"tokensmith_auth_failures_total", []string{"reason", "unknown"}, 1},
		{"tokensmith_auth_failures_total", []string{"reason", "expired"}, 1},
		{"tokensmith_refusals_total", []string{"reason", "quota"}, 1},
		{"tokensmith_refusals_total", []string{"reason", "rate_limit"}, 1},
		{"tokensmith_refusals_total", []string{"reason", "auth_failure_limit"}, 0},
		{"tokensmith_introspections_total", []string{"result", "active"}, 1},
		{"tokensmith_introspections_total", []string{"result", "inactive"}, 1},
		{"tokensmith_authorizations_total", []string{"result", "allowed"}, 1},
		{"tokensmith_authorizations_total", []string{"result", "denied"}, 2},
		{"tokensmith_authorizations_total", []string{"result", "inactive"}, 1},
		{"tokensmith_http_requests_total", []string{"route", "POST " + api.PathTokens, "method", "POST", "code", "2xx"}, 4},
		{"tokensmith_http_requests_total", []string{"route", "POST " + api.PathTokens, "method", "POST", "code", "4xx"}, 1},
		{"tokensmith_http_requests_total", []string{"route", "DELETE " + api.PathTokens + "/{id}", "code", "2xx"}, 1},
		{"tokensmith_http_requests_total", []string{"route", "/", "code", "4xx"}, 1},
		{"tokensmith_http_request_duration_seconds", []string{"route", "POST " + api.PathIntrospect}, 2},
		{"tokensmith_build_info", nil, 1},
	} {
		if got := value(after, tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	if value(after, "tokensmith_store_operation_seconds", "operation", "GetTokenByDigest") < 1 ||
		value(after, "tokensmith_store_operation_seconds", "operation", "CreateToken") != 5 {
		t.Errorf("store operations: %v lookups, %v creates (want 5: four made, one refused by the quota)",
			value(after, "tokensmith_store_operation_seconds", "operation", "GetTokenByDigest"),
			value(after, "tokensmith_store_operation_seconds", "operation", "CreateToken"))
	}

	forbidden := []string{ts.OwnerToken, rs.token, x.Token, reset.Token, e.Token, unknown, "abc", "@", m.ID, x.ID, e.ID}
	for name, f := range after {
		for _, mt := range f.GetMetric() {
			for _, lp := range mt.GetLabel() {
				for _, bad := range forbidden {
					if strings.Contains(lp.GetValue(), bad) {
						t.Errorf("%s{%s=%q} carries a token, an id or an email", name, lp.GetName(), lp.GetValue())
					}
				}
			}
		}
	}
}

// GET /metrics on the API listener needs METRICS_READ; the handler for a
// separate listener needs nothing.
func TestMetricsAccess(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	c.with("").fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathMetrics, nil)
	none := c.createToken(api.TokenCreate{Name: "none", Permissions: []string{catalogue.WorkspaceRead}})
	p := c.with(none.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathMetrics, nil)
	if len(p.Missing) != 1 || p.Missing[0] != catalogue.MetricsRead {
		t.Fatalf("missing %v", p.Missing)
	}
	reader := c.createToken(api.TokenCreate{Name: "metrics", Permissions: []string{catalogue.MetricsRead}})
	if fams := scrape(t, ts.URL+api.PathMetrics, reader.Token); value(fams, "tokensmith_build_info") != 1 {
		t.Fatal("no build info on the API listener")
	}
	sep := httptest.NewServer(ts.Backend.MetricsHandler())
	defer sep.Close()
	fams := scrape(t, sep.URL, "")
	if value(fams, "tokensmith_http_requests_total", "route", "GET "+api.PathMetrics, "code", "2xx") != 1 {
		t.Fatal("the separate handler does not serve the server's own metrics")
	}
}

package server_test

import (
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// BenchmarkIntrospect measures what a relying service in front of every
// request sees: introspection over loopback HTTP by 8 concurrent clients
// (keep-alive connections), the token checked and the service's own token
// already in the cache. It reports requests per second and the 99th
// percentile latency. The per-token rate limit is off, as it would be
// raised for a relying service's token.
func BenchmarkIntrospect(b *testing.B) {
	const clients = 8
	ts := testserver.New(b, testserver.WithConfig(func(cfg *server.Config) { cfg.RateLimit = 0 }))
	c := newClient(b, ts, ts.OwnerToken)
	svc := c.createToken(api.TokenCreate{Name: "relying", ServiceToken: true, Permissions: []string{catalogue.TokenIntrospect}})
	checked := c.createToken(api.TokenCreate{Name: "checked", Role: "writer", WorkspaceIDs: []string{ts.DefaultWorkspaceID}})
	body := url.Values{"token": {checked.Token}}.Encode()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	introspect := func() {
		req, err := http.NewRequest("POST", ts.URL+api.PathIntrospect, strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", svc.Token)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || !strings.HasPrefix(string(raw), `{"active":true`) {
			b.Fatalf("status %d: %s %v", res.StatusCode, raw, err)
		}
	}
	for range clients {
		introspect() // warm: both tokens cached
	}

	var mu sync.Mutex
	var latencies []time.Duration
	b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			introspect()
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
}

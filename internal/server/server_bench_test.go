package server_test

import (
	"io"
	"net/http"
	"runtime"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func unlimited(cfg *server.Config) {
	cfg.Quota = store.Quota{}
	cfg.RateLimit = 0
}

// BenchmarkGetTokenLoopback is GET /api/v2/tokens/{id} over loopback with 8
// concurrent clients.
func BenchmarkGetTokenLoopback(b *testing.B) {
	ts := testserver.New(b, testserver.WithConfig(unlimited))
	c := newClient(b, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "bench", Role: "reader"})
	url := ts.URL + api.PathTokens + "/" + tok.ID
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", ts.OwnerToken)
			res, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkCreateToken is POST /api/v2/tokens over loopback, one client.
func BenchmarkCreateToken(b *testing.B) {
	ts := testserver.New(b, testserver.WithConfig(unlimited))
	c := newClient(b, ts, ts.OwnerToken)
	body := api.TokenCreate{Name: "bench", Role: "reader"}
	b.ResetTimer()
	for b.Loop() {
		r := c.do("POST", api.PathTokens, body)
		if r.Status != http.StatusCreated {
			b.Fatalf("status %d: %s", r.Status, r.Body)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

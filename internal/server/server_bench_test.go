package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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

// BenchmarkAuthenticateWarm measures authenticating one request (digest plus
// lookup) with the token already seen, through the handler without a
// network, at 1,000 stored tokens. The request fails authorization at once
// (a token with no token permissions asking for tokens) so the figure is
// dominated by authentication.
func BenchmarkAuthenticateWarm(b *testing.B) {
	for _, n := range []int{1000} {
		b.Run(fmt.Sprint("tokens=", n), func(b *testing.B) {
			ts := testserver.New(b, testserver.WithConfig(unlimited))
			c := newClient(b, ts, ts.OwnerToken)
			var tok api.Token
			for i := range n - 1 {
				r := c.do("POST", api.PathTokens, api.TokenCreate{Name: fmt.Sprint(i), Permissions: []string{"API_READ"}})
				if r.Status != http.StatusCreated {
					b.Fatalf("create: %d %s", r.Status, r.Body)
				}
				_ = json.Unmarshal(r.Body, &tok)
			}
			req := httptest.NewRequest("GET", api.PathTokens, nil)
			req.Header.Set("Authorization", tok.Token)
			w := httptest.NewRecorder()
			ts.Backend.ServeHTTP(w, req)
			if w.Code != http.StatusForbidden {
				b.Fatalf("status %d", w.Code)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				w := httptest.NewRecorder()
				ts.Backend.ServeHTTP(w, req)
			}
		})
	}
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

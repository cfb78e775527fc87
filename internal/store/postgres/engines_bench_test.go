package postgres_test

import (
	"context"
	"io"
	"net/http"
	"runtime"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/postgres"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/postgres/pgtest"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// benchClients is how many clients send requests at once.
const benchClients = 8

// engines start one backend per store engine, for the same benchmark on
// each. PostgreSQL is pgtest's throwaway cluster on this machine (fsync
// off); SQLite is a file with tokensmithd's own settings.
var engines = []struct {
	name  string
	start func(b *testing.B, cfg func(*server.Config)) *testserver.Server
}{
	{"sqlite", func(b *testing.B, cfg func(*server.Config)) *testserver.Server {
		return testserver.New(b, testserver.WithConfig(cfg))
	}},
	{"postgres", func(b *testing.B, cfg func(*server.Config)) *testserver.Server {
		st, err := postgres.Open(context.Background(), pgtest.URL(b), postgres.Options{MaxConns: 16})
		if err != nil {
			b.Fatal(err)
		}
		return testserver.New(b, testserver.WithStore(st), testserver.WithConfig(cfg))
	}},
}

func unlimited(cfg *server.Config) {
	cfg.Quota = store.Quota{}
	cfg.RateLimit = 0
}

// quotas that are never reached, so every create still counts under its
// locks as it does in production.
func quotas(cfg *server.Config) {
	cfg.Quota = store.Quota{PerMember: 1 << 30, PerOrg: 1 << 30}
	cfg.RateLimit = 0
}

// parallel sends request() from benchClients clients over loopback and
// reports requests per second under unit.
func parallel(b *testing.B, unit string, want int, request func() *http.Request) {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	b.SetParallelism(max(1, benchClients/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := hc.Do(request())
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != want {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
}

func createToken(b *testing.B, ts *testserver.Server) api.Token {
	res, err := http.DefaultClient.Do(jsonRequest(ts, "POST", api.PathTokens, `{"name":"bench","role":"reader"}`))
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var tok api.Token
	if err := decode(res.Body, &tok); err != nil || res.StatusCode != http.StatusCreated {
		b.Fatalf("create: %d %v", res.StatusCode, err)
	}
	return tok
}

// BenchmarkEngines compares the engines on authentication with a warm
// cache (GET caller-identity), GET /api/v2/tokens/{id} and creates, without
// quotas and under quotas that are counted but never reached.
func BenchmarkEngines(b *testing.B) {
	for _, e := range engines {
		b.Run(e.name+"/CallerIdentity", func(b *testing.B) {
			ts := e.start(b, unlimited)
			parallel(b, "req/s", http.StatusOK, func() *http.Request {
				return jsonRequest(ts, "GET", api.PathCallerIdentity, "")
			})
		})
		b.Run(e.name+"/GetToken", func(b *testing.B) {
			ts := e.start(b, unlimited)
			tok := createToken(b, ts)
			parallel(b, "req/s", http.StatusOK, func() *http.Request {
				return jsonRequest(ts, "GET", api.PathTokens+"/"+tok.ID, "")
			})
		})
		b.Run(e.name+"/Create", func(b *testing.B) {
			ts := e.start(b, unlimited)
			parallel(b, "creates/s", http.StatusCreated, func() *http.Request {
				return jsonRequest(ts, "POST", api.PathTokens, `{"name":"bench","role":"reader"}`)
			})
		})
		b.Run(e.name+"/CreateUnderQuota", func(b *testing.B) {
			ts := e.start(b, quotas)
			parallel(b, "creates/s", http.StatusCreated, func() *http.Request {
				return jsonRequest(ts, "POST", api.PathTokens, `{"name":"bench","role":"reader"}`)
			})
		})
	}
}

package server_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// terraformParallelism is how many resources Terraform and OpenTofu
// create, read or delete at once by default.
const terraformParallelism = 10

// runLikeTerraform runs b.N requests from terraformParallelism concurrent
// clients over TLS, as a plan or apply of many tokens does; request(i) is
// the i-th request's method, path and JSON body (nil for none), want its
// status. It reports requests per second.
func runLikeTerraform(b *testing.B, ts *testserver.Server, want int, request func(i int64) (string, string, any)) {
	hc := tlsClient(b, ts)
	var next atomic.Int64
	b.SetParallelism(max(1, terraformParallelism/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			method, path, body := request(next.Add(1) - 1)
			var rd io.Reader
			if body != nil {
				raw, _ := json.Marshal(body)
				rd = bytes.NewReader(raw)
			}
			req, _ := http.NewRequest(method, ts.URL+path, rd)
			req.Header.Set("Authorization", ts.OwnerToken)
			if rd != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != want {
				b.Errorf("%s %s: status %d", method, path, res.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// tlsClient is an HTTP client of the TLS backend ts that keeps a
// connection per concurrent client, as the provider's does.
func tlsClient(b *testing.B, ts *testserver.Server) *http.Client {
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM([]byte(ts.CACertPEM))
	tr := &http.Transport{
		MaxIdleConnsPerHost: 2 * terraformParallelism,
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
	}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// tlsSetupClient is the helper client of the TLS backend ts.
func tlsSetupClient(b *testing.B, ts *testserver.Server) *client {
	return &client{t: b, base: ts.URL, token: ts.OwnerToken, http: tlsClient(b, ts)}
}

// BenchmarkCreateTokenParallel10 is POST /api/v2/tokens from ten clients.
func BenchmarkCreateTokenParallel10(b *testing.B) {
	ts := testserver.New(b, testserver.WithTLS(), testserver.WithConfig(unlimited))
	body := api.TokenCreate{Name: "bench", Role: "reader", AllWorkspaces: true}
	runLikeTerraform(b, ts, http.StatusCreated, func(int64) (string, string, any) {
		return "POST", api.PathTokens, body
	})
}

// BenchmarkCreateTokenDryRunParallel10 is the plan's dry run of a create
// from ten clients.
func BenchmarkCreateTokenDryRunParallel10(b *testing.B) {
	ts := testserver.New(b, testserver.WithTLS(), testserver.WithConfig(unlimited))
	body := api.TokenCreate{Name: "bench", Role: "reader", AllWorkspaces: true}
	runLikeTerraform(b, ts, http.StatusOK, func(int64) (string, string, any) {
		return "POST", api.PathTokens + "?dryRun=true", body
	})
}

// BenchmarkGetTokenParallel10 is GET /api/v2/tokens/{id} from ten clients,
// the refresh of every plan.
func BenchmarkGetTokenParallel10(b *testing.B) {
	ts := testserver.New(b, testserver.WithTLS(), testserver.WithConfig(unlimited))
	tok := tlsSetupClient(b, ts).createToken(api.TokenCreate{Name: "bench", Role: "reader", AllWorkspaces: true})
	runLikeTerraform(b, ts, http.StatusOK, func(int64) (string, string, any) {
		return "GET", api.PathTokens + "/" + tok.ID, nil
	})
}

// BenchmarkDeleteTokenParallel10 is DELETE /api/v2/tokens/{id} from ten
// clients, each request deleting another token.
func BenchmarkDeleteTokenParallel10(b *testing.B) {
	ts := testserver.New(b, testserver.WithTLS(), testserver.WithConfig(unlimited))
	c := tlsSetupClient(b, ts)
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = c.createToken(api.TokenCreate{Name: "bench", Role: "reader", AllWorkspaces: true}).ID
	}
	runLikeTerraform(b, ts, http.StatusNoContent, func(i int64) (string, string, any) {
		return "DELETE", api.PathTokens + "/" + ids[i], nil
	})
}

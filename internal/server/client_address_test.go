package server_test

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// failAuth sends a well-formed unknown token with the given X-Forwarded-For
// and returns the status.
func failAuth(t *testing.T, c *client, xff string) int {
	t.Helper()
	bogus, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		t.Fatal(err)
	}
	var headers []string
	if xff != "" {
		headers = []string{"X-Forwarded-For", xff}
	}
	return c.with(bogus).do("GET", api.PathCallerIdentity, nil, headers...).Status
}

func limitAuthFailures(trusted ...string) testserver.Option {
	return testserver.WithConfig(func(cfg *server.Config) {
		cfg.AuthFailureLimit, cfg.AuthFailureBurst = 1, 3
		for _, p := range trusted {
			cfg.TrustedProxies = append(cfg.TrustedProxies, netip.MustParsePrefix(p))
		}
	})
}

// Behind a trusted reverse proxy each client has its own failure bucket,
// named by X-Forwarded-For read from the right: what a client writes to the
// left of the address its proxy appended is ignored.
func TestAuthFailuresLimitedPerClientBehindTrustedProxies(t *testing.T) {
	ts := testserver.New(t, limitAuthFailures("127.0.0.0/8", "::1/128", "10.0.0.0/8"))
	c := newClient(t, ts, ts.OwnerToken)
	for range 3 {
		if st := failAuth(t, c, "203.0.113.7"); st != http.StatusUnauthorized {
			t.Fatalf("failure within the burst: status %d", st)
		}
	}
	for _, xff := range []string{
		"203.0.113.7",
		"198.51.100.1, 203.0.113.7",                 // a client-written entry on the left
		"203.0.113.7, 10.1.2.3",                     // through a second trusted proxy
		"203.0.113.7:4711",                          // with a port
		"not-an-address, 198.51.100.9, 203.0.113.7", // garbage far left
	} {
		if st := failAuth(t, c, xff); st != http.StatusTooManyRequests {
			t.Errorf("X-Forwarded-For %q: status %d, want 429 (the client 203.0.113.7 is limited)", xff, st)
		}
	}
	// Another client behind the same proxy is not.
	if st := failAuth(t, c, "203.0.113.8"); st != http.StatusUnauthorized {
		t.Fatalf("another client behind the proxy: status %d, want 401", st)
	}
	// Without X-Forwarded-For, the proxy itself is the client.
	if st := failAuth(t, c, ""); st != http.StatusUnauthorized {
		t.Fatalf("the proxy's own request: status %d, want 401", st)
	}
	// A malformed rightmost entry is counted against the proxy that sent it.
	for range 2 {
		failAuth(t, c, "")
	}
	if st := failAuth(t, c, "203.0.113.9, garbage"); st != http.StatusTooManyRequests {
		t.Fatalf("malformed entry: status %d, want 429 (counted against the proxy)", st)
	}
}

// X-Forwarded-For from a peer that is not a trusted proxy is ignored: a
// client cannot pick a fresh bucket by sending a new address each time.
func TestForwardedForIgnoredFromUntrustedPeers(t *testing.T) {
	for name, trusted := range map[string][]string{"no trusted proxies": nil, "other proxies trusted": {"10.0.0.0/8"}} {
		t.Run(name, func(t *testing.T) {
			ts := testserver.New(t, limitAuthFailures(trusted...))
			c := newClient(t, ts, ts.OwnerToken)
			for i, xff := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
				if st := failAuth(t, c, xff); st != http.StatusUnauthorized {
					t.Fatalf("failure %d: status %d", i, st)
				}
			}
			for _, xff := range []string{"203.0.113.4", "", "10.0.0.1"} {
				if st := failAuth(t, c, xff); st != http.StatusTooManyRequests {
					t.Errorf("X-Forwarded-For %q from an untrusted peer: status %d, want 429", xff, st)
				}
			}
		})
	}
}

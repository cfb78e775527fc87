package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// countingTransport counts the introspection requests the checker makes.
type countingTransport struct{ n atomic.Int64 }

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// clock is the checker's clock, moved together with the backend's.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	ts      *testserver.Server
	admin   *client.Client
	calls   *countingTransport
	clock   *clock
	service *httptest.Server
}

// newFixture runs tokensmithd in-process and this service in front of it.
func newFixture(t *testing.T) *fixture {
	ts := testserver.New(t)
	admin, err := client.New(client.Config{Endpoint: ts.URL, Token: ts.OwnerToken})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := admin.CreateToken(context.Background(), api.TokenCreate{Name: "relying-service", ServiceToken: true,
		Permissions: []string{"TOKEN_INTROSPECT"}}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ts: ts, admin: admin, calls: &countingTransport{}, clock: &clock{t: ts.Clock.Now()}}
	checker := &Checker{Endpoint: ts.URL, Token: svc.Token, Client: &http.Client{Transport: f.calls}, Now: f.clock.now}
	f.service = httptest.NewServer(routes(checker))
	t.Cleanup(f.service.Close)
	return f
}

func (f *fixture) token(t *testing.T, in api.TokenCreate) *api.Token {
	t.Helper()
	tok, err := f.admin.CreateToken(context.Background(), in, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// advance moves both clocks.
func (f *fixture) advance(d time.Duration) {
	f.ts.Clock.Advance(d)
	f.clock.advance(d)
}

func (f *fixture) hello(t *testing.T, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", f.service.URL+"/hello", nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestActiveTokenAccepted(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t, api.TokenCreate{Name: "caller", Role: api.RoleReader})
	status, body := f.hello(t, tok.Token)
	if status != http.StatusOK || !strings.Contains(body, f.ts.OwnerID) {
		t.Fatalf("%d %s", status, body)
	}
}

func TestRefusals(t *testing.T) {
	f := newFixture(t)
	noAPIRead := f.token(t, api.TokenCreate{Name: "narrow", Permissions: []string{"WORKSPACE_READ"}})
	for _, tc := range []struct {
		token string
		want  int
	}{
		{"", http.StatusUnauthorized},
		{"not-a-token", http.StatusUnauthorized},
		{noAPIRead.Token, http.StatusForbidden},
	} {
		if status, body := f.hello(t, tc.token); status != tc.want {
			t.Errorf("token %q: %d %s, want %d", tc.token, status, body, tc.want)
		}
	}
}

// An active answer is reused for the TTL, then asked again: a revoked token
// stops working once it runs out.
func TestActiveAnswerCachedForTTL(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t, api.TokenCreate{Name: "caller", Role: api.RoleReader})
	for range 3 {
		if status, body := f.hello(t, tok.Token); status != http.StatusOK {
			t.Fatalf("%d %s", status, body)
		}
	}
	if n := f.calls.n.Load(); n != 1 {
		t.Fatalf("%d introspections for three requests within the TTL", n)
	}
	if err := f.admin.DeleteToken(context.Background(), tok.ID); err != nil {
		t.Fatal(err)
	}
	f.advance(5 * time.Second)
	if status, _ := f.hello(t, tok.Token); status != http.StatusUnauthorized {
		t.Fatalf("revoked token accepted after the TTL: %d", status)
	}
}

// An answer is never kept past the token's expiry, however long the TTL.
func TestNeverCachedPastExpiry(t *testing.T) {
	f := newFixture(t)
	exp := f.ts.Clock.Now().Add(time.Hour).Truncate(time.Second)
	tok := f.token(t, api.TokenCreate{Name: "short", Role: api.RoleReader, ExpirationDate: exp.UnixMilli()})
	f.advance(exp.Sub(f.ts.Clock.Now()) - 2*time.Second)
	if status, body := f.hello(t, tok.Token); status != http.StatusOK {
		t.Fatalf("%d %s", status, body)
	}
	f.advance(3 * time.Second) // within the TTL, past the expiry
	if status, _ := f.hello(t, tok.Token); status != http.StatusUnauthorized {
		t.Fatalf("expired token accepted from the cache: %d", status)
	}
	if n := f.calls.n.Load(); n != 2 {
		t.Fatalf("%d introspections, want 2", n)
	}
}

// A negative answer is never kept: a token refused once is asked about again.
func TestInactiveNeverCached(t *testing.T) {
	f := newFixture(t)
	for range 2 {
		f.hello(t, "tsm_pat_unknown")
	}
	if n := f.calls.n.Load(); n != 2 {
		t.Fatalf("%d introspections for two requests with an inactive token", n)
	}
}

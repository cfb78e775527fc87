// Package testserver runs a real tokensmithd backend in-process for tests:
// the HTTP API over httptest, a SQLite store in a temporary directory, an
// injectable clock and a captured log. Everything is closed by t.Cleanup.
package testserver

import (
	"bytes"
	"context"
	"encoding/pem"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/apicheck"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store/sqlite"
)

// Clock is a settable clock, safe for concurrent use: the backend's own
// test clock, so WithTestClockEndpoint can expose it over HTTP.
type Clock = server.TestClock

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return server.NewTestClock(t) }

// Server is a running backend.
type Server struct {
	// URL is the base URL (https:// with WithTLS).
	URL string
	// OwnerToken is the bootstrap owner token: everything on everything.
	OwnerToken         string
	OwnerID            string
	OrgID              string
	DefaultWorkspaceID string
	Clock              *Clock
	Store              store.Store
	// DataPath is the SQLite file; its directory holds nothing else.
	DataPath string
	// CACertPEM is the server certificate in PEM form (WithTLS only).
	CACertPEM string
	// Backend is the HTTP API itself.
	Backend *server.Server

	logs *syncBuffer
}

// Option configures New.
type Option func(*options)

type options struct {
	tls     bool
	configs []func(*server.Config)
	wrap    func(store.Store) store.Store
	store   store.Store
	// clockEndpoint serves POST /api/v2/test/clock.
	clockEndpoint bool
}

// WithTestClockEndpoint makes the backend run on Clock as tokensmithd
// --test-clock does: POST /api/v2/test/clock moves it, every request logs a
// warning and the Date header comes from it.
func WithTestClockEndpoint() Option { return func(o *options) { o.clockEndpoint = true } }

// WithTLS serves over HTTPS with a self-signed certificate (CACertPEM).
func WithTLS() Option { return func(o *options) { o.tls = true } }

// WithConfig adjusts the server configuration before start (quotas,
// expiration policy, rate limits, catalogue).
func WithConfig(f func(*server.Config)) Option {
	return func(o *options) { o.configs = append(o.configs, f) }
}

// WithStoreWrapper hands the server wrap(store) instead of the SQLite store
// itself, for tests that observe what the server asks of its store (for
// example that a request causes no write). Server.Store stays the SQLite
// store, so setup through it is not observed.
func WithStoreWrapper(wrap func(store.Store) store.Store) Option {
	return func(o *options) { o.wrap = wrap }
}

// WithStore runs the backend on st, an empty store of any engine (for
// example a PostgreSQL database), instead of a SQLite file; DataPath is
// then empty. The backend closes st when the test ends.
func WithStore(st store.Store) Option { return func(o *options) { o.store = st } }

// New starts a backend bootstrapped with a known owner token.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var st store.Store = o.store
	var path string
	if st == nil {
		path = filepath.Join(t.TempDir(), "tokensmith.db")
		lite, err := sqlite.Open(path)
		if err != nil {
			t.Fatalf("testserver: open store: %v", err)
		}
		st = lite
	}
	pepper, err := secret.NewPepper()
	if err != nil {
		t.Fatalf("testserver: pepper: %v", err)
	}
	hasher, err := secret.NewHasher(pepper)
	if err != nil {
		t.Fatalf("testserver: hasher: %v", err)
	}
	clock := NewClock(time.Now().UTC().Truncate(time.Millisecond))
	owner, err := secret.Generate(secret.KindPersonal)
	if err != nil {
		t.Fatalf("testserver: token: %v", err)
	}
	ctx := context.Background()
	if _, _, err := server.Bootstrap(ctx, st, hasher, clock.Now(), owner); err != nil {
		_ = st.Close()
		t.Fatalf("testserver: bootstrap: %v", err)
	}

	logs := &syncBuffer{}
	cfg := server.DefaultConfig()
	cfg.Store, cfg.Hasher, cfg.Catalogue = st, hasher, catalogue.Default()
	if o.wrap != nil {
		cfg.Store = o.wrap(st)
	}
	cfg.Now = clock.Now
	if o.clockEndpoint {
		cfg.TestClock = clock
	}
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, f := range o.configs {
		f(&cfg)
	}
	backend, err := server.New(cfg)
	if err != nil {
		_ = st.Close()
		t.Fatalf("testserver: server: %v", err)
	}

	s := &Server{OwnerToken: owner, Clock: clock, Store: st, DataPath: path, Backend: backend, logs: logs}
	org, err := st.Organization(ctx)
	if err != nil {
		t.Fatalf("testserver: organisation: %v", err)
	}
	s.OrgID = org.ID
	members, err := st.ListMembers(ctx, org.ID)
	if err != nil || len(members) == 0 {
		t.Fatalf("testserver: owner member: %v", err)
	}
	s.OwnerID = members[0].ID
	ws, err := st.GetWorkspaceByName(ctx, org.ID, server.BootstrapWorkspaceName)
	if err != nil {
		t.Fatalf("testserver: default workspace: %v", err)
	}
	s.DefaultWorkspaceID = ws.ID

	// Every exchange is checked against the published API document: a
	// response that drifts from it fails the test that provoked it.
	checker, err := apicheck.New()
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	handler := checker.Handler(backend, func(err error) { t.Errorf("testserver: API document: %v", err) })
	var hs *httptest.Server
	if o.tls {
		hs = httptest.NewTLSServer(handler)
		s.CACertPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw}))
	} else {
		hs = httptest.NewServer(handler)
	}
	s.URL = hs.URL
	t.Cleanup(func() {
		hs.Close()
		if err := backend.Close(); err != nil {
			t.Errorf("testserver: close server: %v", err)
		}
		if err := st.Close(); err != nil {
			t.Errorf("testserver: close store: %v", err)
		}
	})
	return s
}

// Logs returns the captured log as a string.
func (s *Server) Logs() string { return string(s.logs.Bytes()) }

// Flush writes lastUsed times collected in memory to the store.
func (s *Server) Flush() error { return s.Backend.FlushLastUsed() }

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.buf.Bytes()...)
}

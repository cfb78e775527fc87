package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/authz"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// DefaultAPIVersion is the defaultApiVersion of tokens created without one.
const DefaultAPIVersion = 20240415

// Defaults applied by DefaultConfig.
const (
	DefaultQuotaPerMember = 20
	DefaultQuotaPerOrg    = 1000
	// A Terraform run at parallelism 10 over 1,000 tokens makes a few
	// thousand requests in total; this never throttles it.
	DefaultRateLimit = 1000
	DefaultRateBurst = 2000
	// A client address may fail authentication 100 times at once and 10
	// times a second after that; only lookups of unknown tokens cost the
	// store anything, and no correctly configured client fails that often.
	DefaultAuthFailureLimit = 10
	DefaultAuthFailureBurst = 100
)

// MaxBodyBytes is the largest request body accepted (413 beyond).
const MaxBodyBytes = 1 << 20

// MaxHeaderBytes is the largest request line and headers accepted: beyond
// it the answer is a 431 problem document. HeaderReadLimit is what the HTTP
// server should read before giving up (http.Server.MaxHeaderBytes): past
// that net/http answers 431 itself, in plain text, before any handler runs.
// It is kept a few times MaxHeaderBytes only, since every connection may
// hold that much while its headers arrive.
const (
	MaxHeaderBytes  = 64 << 10
	HeaderReadLimit = 256 << 10
)

// idempotencyTTL is how long a response is replayed for the same key.
const idempotencyTTL = 24 * time.Hour

// Config configures a Server.
type Config struct {
	Store     store.Store
	Catalogue *catalogue.Catalogue
	Hasher    *secret.Hasher
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the access log and internal errors; nil discards.
	Logger *slog.Logger
	// Quota is passed to the store on every create; zero fields are unlimited.
	Quota store.Quota
	// MaxLifetime is the longest expiration allowed; 0 means no maximum.
	MaxLifetime   time.Duration
	AllowNoExpiry bool
	// RateLimit is requests per second per token; 0 disables rate limiting.
	RateLimit float64
	RateBurst int
	// AuthFailureLimit is how many failed authentications per second one
	// client address may make (AuthFailureBurst at once) before it is
	// answered 429 without a lookup; 0 disables the limit.
	AuthFailureLimit float64
	AuthFailureBurst int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed: a request whose peer is one of them is limited by the
	// address the proxies report (see clientAddress). Empty: the peer.
	TrustedProxies []netip.Prefix
	// AuthCacheLifetime bounds how long a resolved caller is reused when
	// other processes write to the same store; 0 keeps it until this
	// server's next write, right when it is the store's only writer.
	AuthCacheLifetime time.Duration
	// Ready reports whether the store can serve requests (GET /readyz);
	// nil means whenever the store answers.
	Ready func(ctx context.Context) error
	// LastUsedFlush is how often lastUsed times and usage counts are
	// written; 0 means every minute.
	LastUsedFlush time.Duration
	// AllowClientSecrets lets clients supply the secret of a token they
	// create or reset (client_secret.go). Off by default: the server cannot
	// check that a supplied value was drawn at random.
	AllowClientSecrets bool
	// TestClock, when set, is the clock (Now is ignored) and
	// POST /api/v2/test/clock moves it; every request logs a warning.
	TestClock *TestClock
	// Console, when set, builds the web console served under ConsolePath
	// (package console); it is given the server to make its requests through.
	Console func(*Server) http.Handler
}

// DefaultConfig returns the defaults of tokensmithd: quotas of 20 tokens per
// member and 1,000 per organisation, no maximum lifetime, tokens without
// expiry allowed, a generous rate limit and a limit on failed
// authentications per client address.
func DefaultConfig() Config {
	return Config{
		Quota:         store.Quota{PerMember: DefaultQuotaPerMember, PerOrg: DefaultQuotaPerOrg},
		AllowNoExpiry: true,
		RateLimit:     DefaultRateLimit,
		RateBurst:     DefaultRateBurst,

		AuthFailureLimit: DefaultAuthFailureLimit,
		AuthFailureBurst: DefaultAuthFailureBurst,
	}
}

// Server is the HTTP API. It implements http.Handler.
type Server struct {
	cfg     Config
	store   store.Store
	cat     *catalogue.Catalogue
	hasher  *secret.Hasher
	now     func() time.Time
	log     *slog.Logger
	handler http.Handler
	orgID   string

	// memberMu serialises member role changes and removals, so that the
	// last-owner check and the write that relies on it cannot interleave
	// with another (the server is its store's only writer).
	memberMu sync.Mutex

	auth     *authCache
	rules    *authz.Rules
	expiry   authz.Expiry
	lastUsed *lastUsed
	usage    *usage
	limiter  *rateLimiter
	metrics  *metrics
	answers  *answerCache
	// failures limits failed authentications per client address.
	failures *rateLimiter

	// patterns are the routes' patterns, in the order routes registers them.
	patterns []string

	// idempotentRunning holds the idempotency records of the requests
	// running in this process.
	idempotentRunning sync.Map

	closeOnce sync.Once
	stop      chan struct{}
	done      chan struct{}
}

// New returns a Server over an initialised (bootstrapped) store.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: Config.Store is required")
	}
	if cfg.Hasher == nil {
		return nil, errors.New("server: Config.Hasher is required")
	}
	if cfg.Catalogue == nil {
		cfg.Catalogue = catalogue.Default()
	}
	if cfg.TestClock != nil {
		cfg.Now = cfg.TestClock.Now
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.RateBurst <= 0 && cfg.RateLimit > 0 {
		cfg.RateBurst = max(int(cfg.RateLimit), 1)
	}
	if cfg.AuthFailureBurst <= 0 && cfg.AuthFailureLimit > 0 {
		cfg.AuthFailureBurst = max(int(cfg.AuthFailureLimit), 1)
	}
	if cfg.LastUsedFlush <= 0 {
		cfg.LastUsedFlush = time.Minute
	}
	org, err := cfg.Store.Organization(context.Background())
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("server: the store has no organisation; bootstrap it first: %w", err)
	} else if err != nil {
		return nil, fmt.Errorf("server: reading the organisation: %w", err)
	}
	m := newMetrics()
	s := &Server{
		cfg:      cfg,
		store:    timedStore{Store: cfg.Store, m: m},
		metrics:  m,
		answers:  &answerCache{},
		cat:      cfg.Catalogue,
		hasher:   cfg.Hasher,
		now:      cfg.Now,
		log:      cfg.Logger,
		orgID:    org.ID,
		auth:     newAuthCache(cfg.AuthCacheLifetime),
		lastUsed: newLastUsed(),
		usage:    newUsage(),
		limiter:  newRateLimiter(cfg.RateLimit, cfg.RateBurst),
		failures: newRateLimiter(cfg.AuthFailureLimit, cfg.AuthFailureBurst),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	s.rules = &authz.Rules{Cat: s.cat, Store: s.store, OrgID: s.orgID}
	s.expiry = authz.Expiry{AllowNoExpiry: cfg.AllowNoExpiry, MaxLifetime: cfg.MaxLifetime}
	s.handler = s.middleware(s.routes())
	if cfg.TestClock != nil {
		s.handler = s.withTestClock(s.handler)
	}
	go s.background()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// Close stops background work and flushes lastUsed times. It does not close
// the store.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.done
		err = s.FlushLastUsed()
	})
	return err
}

// FlushLastUsed writes the lastUsed times and usage counts collected in memory.
func (s *Server) FlushLastUsed() error {
	s.usage.flushing.Lock()
	defer s.usage.flushing.Unlock()
	if used := s.lastUsed.take(); len(used) > 0 {
		if err := s.store.RecordLastUsed(context.Background(), used); err != nil {
			s.lastUsed.restore(used)
			s.log.Error("flush lastUsed", "error", err)
			return err
		}
	}
	return s.flushUsage(context.Background())
}

func (s *Server) background() {
	defer close(s.done)
	t := time.NewTicker(s.cfg.LastUsedFlush)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			_ = s.FlushLastUsed()
			if err := s.store.PurgeIdempotent(context.Background(), s.now().Add(-idempotencyTTL)); err != nil {
				s.log.Error("purge idempotency records", "error", err)
			}
		}
	}
}

// newID returns 24 lowercase hex characters.
func newID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

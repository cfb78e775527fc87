package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// TestClock is a clock that tests move by hand, safe for concurrent use.
// A Server whose Config has one takes its time from it and serves
// POST /api/v2/test/clock, so a test outside the process can set or
// advance it.
type TestClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewTestClock returns a clock set to t.
func NewTestClock(t time.Time) *TestClock { return &TestClock{now: t} }

// Now returns the clock's time.
func (c *TestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *TestClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set sets the clock to t.
func (c *TestClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// testClockTimeFormat is RFC 3339 with milliseconds, the precision of every
// time the API returns.
const testClockTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// setTestClock sets or advances the test clock. Only an owner may move it:
// every expiry and grace period in the organisation moves with it.
func (s *Server) setTestClock(cl *call, in api.TestClockUpdate) (api.TestClock, error) {
	if err := cl.c.OwnerOnly("move the test clock"); err != nil {
		return api.TestClock{}, err
	}
	switch {
	case (in.Set == "") == (in.Advance == ""):
		return api.TestClock{}, invalid("set", "give exactly one of set (an RFC 3339 time) and advance (a duration such as 696h)")
	case in.Set != "":
		t, err := time.Parse(time.RFC3339Nano, in.Set)
		if err != nil {
			return api.TestClock{}, invalid("set", "set must be an RFC 3339 time such as 2030-01-01T00:00:00Z, got %q", in.Set)
		}
		s.cfg.TestClock.Set(t.UTC())
	default:
		d, err := time.ParseDuration(in.Advance)
		if err != nil || d <= 0 {
			return api.TestClock{}, invalid("advance", "advance must be a positive duration such as 30m or 696h, got %q; use set to move the clock back", in.Advance)
		}
		s.cfg.TestClock.Advance(d)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	s.audit(cl, "test_clock.set", "clock", now.Format(testClockTimeFormat))
	return api.TestClock{Now: now.Format(testClockTimeFormat), NowMillis: now.UnixMilli()}, nil
}

// withTestClock marks every response of a server on a test clock: a warning
// in the log for each request, since such a server must never hold anything
// real, and a Date header from the test clock, which is where clients take
// "now" from.
func (s *Server) withTestClock(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := s.now()
		s.log.Warn("test clock in use: this server's time is set by POST "+api.PathTestClock+"; never use it for real tokens",
			"now", now.UTC().Format(testClockTimeFormat), "method", r.Method, "path", redact(r.URL.Path))
		w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
		next.ServeHTTP(w, r)
	})
}

package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/authz"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// caller is the authenticated token of a request with everything needed to
// authorize it; package authz holds the rules.
type caller = authz.Caller

// authCache maps a digest to a resolved caller. Every write through the
// server bumps gen, which invalidates all entries at once, so a demotion,
// revocation or role change is seen by the very next request. The server is
// the only writer of its store. When other processes write to the same
// store, ForgetCallers bumps gen on their notice and lifetime bounds how
// long an entry lives should a notice be lost.
type authCache struct {
	gen      atomic.Uint64
	mu       sync.RWMutex
	entries  map[string]authEntry
	lifetime time.Duration // 0: until the next write
}

type authEntry struct {
	gen uint64
	at  time.Time
	c   *caller
}

const authCacheMax = 200000

func newAuthCache(lifetime time.Duration) *authCache {
	return &authCache{entries: map[string]authEntry{}, lifetime: lifetime}
}

func (a *authCache) invalidate() { a.gen.Add(1) }

func (a *authCache) get(digest []byte) *caller {
	a.mu.RLock()
	e, ok := a.entries[string(digest)]
	a.mu.RUnlock()
	if !ok || e.gen != a.gen.Load() || (a.lifetime > 0 && time.Since(e.at) >= a.lifetime) {
		return nil
	}
	return e.c
}

func (a *authCache) put(digest []byte, gen uint64, c *caller) {
	a.mu.Lock()
	if len(a.entries) >= authCacheMax {
		a.entries = map[string]authEntry{}
	}
	a.entries[string(digest)] = authEntry{gen: gen, at: time.Now(), c: c}
	a.mu.Unlock()
}

var (
	errUnauthorized   = &Error{Code: api.CodeUnauthorized, Detail: "missing, malformed, unknown, revoked or expired access token"}
	errMissingToken   = &Error{Code: api.CodeUnauthorized, Detail: "missing access token in the Authorization header"}
	errMalformedToken = &Error{Code: api.CodeUnauthorized, Detail: "malformed access token"}
	errExpiredToken   = &Error{Code: api.CodeUnauthorized, Detail: "the access token has expired"}
)

// tokenFromHeader accepts "Authorization: <token>" and "Bearer <token>".
func tokenFromHeader(r *http.Request) string {
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		h = strings.TrimSpace(h[7:])
	}
	return h
}

// rateLimitedError is a request refused by a rate limit; wait is when the
// next one may succeed.
type rateLimitedError struct{ wait time.Duration }

func (e *rateLimitedError) Error() string { return "rate limited" }

// authenticate resolves the request's token. A token in the cache costs no
// lookup; otherwise a client address that has failed authentication too
// often is refused before the lookup, so a flood of well-formed unknown
// tokens cannot make the server query its store for each. Every failure
// counts against the address.
func (s *Server) authenticate(r *http.Request) (*caller, error) {
	c, err := s.authenticateToken(r)
	var e *Error
	if err != nil && errors.As(err, &e) && e.Code == api.CodeUnauthorized {
		s.failures.allow(s.clientAddress(r), s.now())
		s.metrics.authFailure(err)
	}
	return c, err
}

func (s *Server) authenticateToken(r *http.Request) (*caller, error) {
	raw := tokenFromHeader(r)
	if raw == "" {
		return nil, errMissingToken
	}
	if _, err := secret.Parse(raw); err != nil {
		return nil, errMalformedToken
	}
	digest := s.hasher.Digest(raw)
	now := s.now()
	c := s.auth.get(digest)
	if c == nil {
		if ok, wait := s.failures.check(s.clientAddress(r), now); !ok {
			return nil, &rateLimitedError{wait: wait}
		}
		gen := s.auth.gen.Load()
		var err error
		c, err = s.resolveCaller(r.Context(), digest)
		if err != nil {
			return nil, err
		}
		s.auth.put(digest, gen, c)
	}
	if err := checkPresented(c.Token, digest, now); err != nil {
		return nil, err
	}
	s.used(c.Token.ID, now)
	return c, nil
}

// checkPresented is re-run against the clock on every request, cached or
// not: the secret presented (digest) is the token's current one, or its
// previous one within the grace period of a reset, and the token has not
// expired.
func checkPresented(t store.Token, digest []byte, now time.Time) error {
	switch {
	case secret.Equal(t.Digest, digest):
	case t.PrevDigest != nil && secret.Equal(t.PrevDigest, digest) &&
		t.PrevExpiresAt != nil && now.Before(*t.PrevExpiresAt):
	default:
		return errUnauthorized
	}
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return errExpiredToken
	}
	return nil
}

func (s *Server) resolveCaller(ctx context.Context, digest []byte) (*caller, error) {
	tok, err := s.store.GetTokenByDigest(ctx, digest, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, errUnauthorized
	} else if err != nil {
		return nil, err
	}
	return s.callerFor(ctx, tok, digest)
}

// callerFor resolves what a stored token may do now: its owner's current
// role and its grant.
func (s *Server) callerFor(ctx context.Context, tok store.Token, digest []byte) (*caller, error) {
	m, err := s.store.GetMember(ctx, tok.OrgID, tok.MemberID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errUnauthorized
	} else if err != nil {
		return nil, err
	}
	return s.rules.Caller(ctx, tok, m, digest)
}

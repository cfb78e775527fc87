package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Introspection is the part of tokensmithd's RFC 7662 answer this service
// uses. The backend sends more (token_type, client_id, workspace_ids, the
// effective policy); decode what you need.
type Introspection struct {
	Active bool   `json:"active"`
	Sub    string `json:"sub"`
	Scope  string `json:"scope"`
	Exp    int64  `json:"exp"`
}

// HasScope reports whether the token holds permission on the organisation.
// For a decision about one workspace, ask POST /api/v2/authorize instead:
// it also applies the owner's workspace membership.
func (i *Introspection) HasScope(permission string) bool {
	for _, s := range strings.Fields(i.Scope) {
		if s == permission {
			return true
		}
	}
	return false
}

// Checker asks tokensmithd whether the tokens presented to this service are
// active. Positive answers are kept for TTL, never past the token's own
// expiry; negative answers are never kept, so a token that has just been
// created works at once. A revoked token keeps working here for at most
// TTL: choose it with that in mind.
type Checker struct {
	// Endpoint is tokensmithd's base URL.
	Endpoint string
	// Token is this service's own token; it needs TOKEN_INTROSPECT.
	Token string
	// Client defaults to http.DefaultClient.
	Client *http.Client
	// TTL is how long an active answer is reused; 0 means 5 seconds.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu    sync.Mutex
	cache map[[32]byte]cached
}

type cached struct {
	in    Introspection
	until time.Time
}

// maxCached bounds the cache; past it, the cache starts over.
const maxCached = 10000

// Check returns the introspection of token, from the cache while it is fresh.
func (c *Checker) Check(ctx context.Context, token string) (*Introspection, error) {
	// The cache is keyed by a hash, so no token is kept in memory longer
	// than the request that carried it.
	key := sha256.Sum256([]byte(token))
	now := c.now()
	c.mu.Lock()
	if e, ok := c.cache[key]; ok && now.Before(e.until) {
		c.mu.Unlock()
		in := e.in
		return &in, nil
	}
	c.mu.Unlock()

	in, err := c.introspect(ctx, token)
	if err != nil || !in.Active {
		return in, err
	}
	until := now.Add(c.ttl())
	if in.Exp > 0 {
		if exp := time.Unix(in.Exp, 0); exp.Before(until) {
			until = exp
		}
	}
	c.mu.Lock()
	if c.cache == nil || len(c.cache) >= maxCached {
		c.cache = map[[32]byte]cached{}
	}
	c.cache[key] = cached{in: *in, until: until}
	c.mu.Unlock()
	return in, nil
}

func (c *Checker) introspect(ctx context.Context, token string) (*Introspection, error) {
	body := url.Values{"token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.Endpoint, "/")+"/api/v2/introspect", strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	client := c.Client
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("introspection: %w", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("introspection: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		// Never the token itself in an error: only what the backend said.
		return nil, fmt.Errorf("introspection: tokensmithd answered %d: %s", res.StatusCode, raw)
	}
	var in Introspection
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("introspection: %w", err)
	}
	return &in, nil
}

func (c *Checker) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return 5 * time.Second
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

type ctxKey struct{}

// Caller returns the introspection Require put in the request's context.
func Caller(ctx context.Context) *Introspection {
	in, _ := ctx.Value(ctxKey{}).(*Introspection)
	return in
}

// errNoToken is a request without a bearer token.
var errNoToken = errors.New("missing bearer token")

func bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:]), nil
	}
	return "", errNoToken
}

// Require is middleware that lets a request through only with an active
// token holding permission (none when empty). It answers 401 for a missing
// or inactive token, 403 for a missing permission and 503 when tokensmithd
// cannot be asked.
func (c *Checker) Require(permission string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, err := bearer(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer`)
			http.Error(w, "missing bearer token", http.StatusUnauthorized)
			return
		}
		in, err := c.Check(r.Context(), token)
		switch {
		case err != nil:
			http.Error(w, "cannot check the token now", http.StatusServiceUnavailable)
		case !in.Active:
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			http.Error(w, "invalid token", http.StatusUnauthorized)
		case permission != "" && !in.HasScope(permission):
			http.Error(w, "the token lacks "+permission, http.StatusForbidden)
		default:
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, in)))
		}
	})
}

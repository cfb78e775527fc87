package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/authz"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Relying services check the tokens presented to them here. The token
// checked is data, not the caller's credential: its failures never count
// against the caller's address in the failed-authentication limiter, and
// it is never logged or audited.

// inactive is the whole answer for a token that is not active, whatever the
// reason.
var inactive = []byte(`{"active":false}`)

// introspect serves POST /api/v2/introspect (RFC 7662). It is not built on
// endpoint because RFC 7662 sends a form; JSON is accepted too.
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	c := info(r.Context()).caller
	if err := c.Require(catalogue.TokenIntrospect); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := readIntrospectRequest(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.presented(r.Context(), in.Token)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.metrics.introspection(t != nil)
	if t == nil {
		writeJSON(w, http.StatusOK, inactive)
		return
	}
	gen := s.auth.gen.Load()
	b := s.answers.get(t, gen)
	if b == nil {
		if b, err = s.activeAnswer(t); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.answers.put(t, gen, b)
	}
	writeJSON(w, http.StatusOK, b)
}

// answerCache keeps the active answer built for a resolved token. A
// caller never changes once resolved and any write replaces it (the
// authentication cache's generation moves on), so an answer is valid for as
// long as the same caller comes back.
type answerCache struct {
	mu      sync.RWMutex
	gen     uint64
	answers map[*caller][]byte
}

func (a *answerCache) get(c *caller, gen uint64) []byte {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.gen != gen {
		return nil
	}
	return a.answers[c]
}

func (a *answerCache) put(c *caller, gen uint64, b []byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gen != gen || len(a.answers) >= authCacheMax {
		a.gen, a.answers = gen, map[*caller][]byte{}
	}
	a.answers[c] = b
}

// readIntrospectRequest decodes a form or JSON body. Unknown fields are
// refused by name; values are never repeated in an error.
func readIntrospectRequest(r *http.Request) (api.IntrospectRequest, error) {
	var in api.IntrospectRequest
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return in, tooLarge()
		}
		return in, invalid("", "unable to read the request body")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return in, invalid("", "malformed form body")
		}
		for k, v := range form {
			if k != "token" && k != "token_type_hint" {
				return in, invalid(k, "%s is not a field of this request; allowed here: token, token_type_hint", k)
			}
			if len(v) > 1 {
				return in, invalid(k, "%s must be sent once", k)
			}
		}
		in.Token, in.TokenTypeHint = form.Get("token"), form.Get("token_type_hint")
	case "application/json", "":
		if len(strings.TrimSpace(string(body))) > 0 {
			if err := decodeStrict(body, &in); err != nil {
				return in, err
			}
		}
	default:
		return in, invalid("Content-Type", "Content-Type must be application/x-www-form-urlencoded or application/json")
	}
	if in.Token == "" {
		return in, invalid("token", "token is required")
	}
	return in, nil
}

// authorize serves POST /api/v2/authorize through decide, the same checks
// the server's own endpoints make.
func (s *Server) authorize(cl *call, in api.AuthorizeRequest) (api.AuthorizeResult, error) {
	res, err := s.authorizeToken(cl, in)
	if err == nil {
		s.metrics.authorization(res)
	}
	return res, err
}

func (s *Server) authorizeToken(cl *call, in api.AuthorizeRequest) (api.AuthorizeResult, error) {
	if err := cl.c.Require(catalogue.TokenIntrospect); err != nil {
		return api.AuthorizeResult{}, err
	}
	if in.Token == "" {
		return api.AuthorizeResult{}, invalid("token", "token is required")
	}
	if in.Action == "" {
		return api.AuthorizeResult{}, invalid("action", "action is required (a permission of the catalogue, e.g. %s)", catalogue.WorkspaceRead)
	}
	if _, ok := s.cat.Lookup(in.Action); !ok {
		msg := fmt.Sprintf("action: unknown permission %q", in.Action)
		if sug := s.cat.Suggest(in.Action, 1); len(sug) > 0 {
			msg += fmt.Sprintf(" (did you mean %q?)", sug[0])
		}
		return api.AuthorizeResult{}, invalid("action", "%s", msg)
	}
	if in.Resource == "" {
		return api.AuthorizeResult{}, invalid("resource", `resource is required ("org" or "<kind>/<id>", e.g. "workspace/<id>")`)
	}
	if _, _, err := policy.ParseResource(in.Resource); err != nil {
		return api.AuthorizeResult{}, invalid("resource", "resource: %s", err.Error())
	}
	t, err := s.presented(cl.ctx, in.Token)
	if err != nil {
		return api.AuthorizeResult{}, err
	}
	if t == nil {
		no := false
		return api.AuthorizeResult{Active: &no}, nil
	}
	err = s.rules.Decide(cl.ctx, t, in.Action, in.Resource)
	var denied *authz.Denied
	var notFound *authz.NotFound
	switch {
	case err == nil:
		return api.AuthorizeResult{Allowed: true}, nil
	case errors.As(err, &denied):
		return api.AuthorizeResult{Code: api.PermissionDeniedNumber, Missing: denied.Missing, Detail: denied.Detail}, nil
	case errors.As(err, &notFound):
		return api.AuthorizeResult{Detail: notFound.Detail}, nil
	}
	return api.AuthorizeResult{}, err
}

// presented resolves a token presented to a relying service, or nil when
// it is not active. Every inactive answer costs the same, whatever the
// reason (malformed, bad checksum, unknown, expired, deleted, past its
// grace period, owner removed): one digest and one store lookup by digest,
// so the time taken tells nothing. An active token in the cache costs no
// lookup, like any authentication.
func (s *Server) presented(ctx context.Context, raw string) (*caller, error) {
	now := s.now()
	digest := s.hasher.Digest(raw)
	_, malformed := secret.Parse(raw)
	if malformed == nil {
		if c := s.auth.get(digest); c != nil && checkPresented(c.Token, digest, now) == nil {
			s.used(c.Token.ID, now)
			return c, nil
		}
	}
	gen := s.auth.gen.Load()
	tok, err := s.store.GetTokenByDigest(ctx, digest, now)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if malformed != nil || checkPresented(tok, digest, now) != nil {
		return nil, nil
	}
	c, err := s.callerFor(ctx, tok, digest)
	if errors.Is(err, errUnauthorized) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	s.auth.put(digest, gen, c)
	s.used(c.Token.ID, now)
	return c, nil
}

// activeAnswer is the introspection answer for an active token.
func (s *Server) activeAnswer(c *caller) ([]byte, error) {
	t := c.Token
	out := api.Introspection{
		Active: true, TokenType: api.TokenTypePersonal, Sub: c.Member.ID, ClientID: t.ID, Username: c.Member.Email,
		Iat: t.CreatedAt.Unix(), Scope: strings.Join(c.EffectivePermissions(s.cat), " "),
		TokenID: t.ID, OrganizationID: s.orgID, AllWorkspaces: t.AllWorkspaces,
	}
	if t.Service {
		out.TokenType, out.Username = api.TokenTypeService, ""
	}
	if t.ExpiresAt != nil {
		out.Exp = t.ExpiresAt.Unix()
	}
	if t.AllWorkspaces {
		out.ExcludedWorkspaceIDs = slices.Clone(t.ExcludedWorkspaceIDs)
	} else {
		out.WorkspaceIDs = slices.Clone(t.WorkspaceIDs)
	}
	for _, p := range c.Subject {
		out.Policy = append(out.Policy, nonNil([]api.Statement(p)))
	}
	return json.Marshal(out)
}

// readOnly marks a POST that changes nothing, so an Idempotency-Key sent
// with it is ignored: no record (whose request hash would cover a token
// presented in the body) is kept for it.
func readOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del(api.HeaderIdempotencyKey)
		next.ServeHTTP(w, r)
	})
}

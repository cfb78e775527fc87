package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// caller is the authenticated token of a request with everything needed to
// authorize it.
type caller struct {
	token   store.Token
	member  store.Member
	digest  []byte
	subject policy.Subject
}

func (c *caller) isAdmin() bool { return isAdmin(c.member) }

// oldSecret reports a request made with the secret a reset replaced, in its
// grace period. It keeps working for what its token may do, so automation
// survives a rotation, but a stolen old secret must not take the token over
// (reset it and lock the new secret out, change or delete it) nor mint or
// reset any token that would outlive the grace period.
func (c *caller) oldSecret() bool { return !secret.Equal(c.token.Digest, c.digest) }

// refuseOldSecret is the error for what oldSecret forbids.
func (c *caller) refuseOldSecret(what string) error {
	if !c.oldSecret() {
		return nil
	}
	return denied(nil, "this request uses the old secret of an access token that was reset; an old secret in its grace period cannot %s: use the new secret", what)
}

// isAdmin reports whether m is an admin or an owner, who reach every
// workspace and act on every member's tokens.
func isAdmin(m store.Member) bool {
	return m.Role == api.RoleAdmin || m.Role == api.RoleOwner
}

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
	if err := checkPresented(c.token, digest, now); err != nil {
		return nil, err
	}
	s.used(c.token.ID, now)
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
	grant, err := s.grantPolicy(ctx, tok, m.Role)
	if err != nil {
		return nil, err
	}
	return &caller{token: tok, member: m, digest: digest, subject: s.subjectFor(tok, m, grant)}, nil
}

// grantPolicy is what a token's grant allows, ignoring scope; memberRole is
// the role of the token's owner, which bounds a custom role's base
// permissions.
func (s *Server) grantPolicy(ctx context.Context, t store.Token, memberRole string) (policy.Policy, error) {
	switch {
	case t.Role != "":
		return policy.AllowAll(s.cat.ForRole(t.Role)), nil
	case len(t.Permissions) > 0:
		return policy.AllowAll(t.Permissions), nil
	case len(t.Access) > 0:
		return policy.AllowAll(s.cat.AccessGrants(t.Access)), nil
	case len(t.InlineRole) > 0:
		return toPolicy(t.InlineRole), nil
	case len(t.CustomRoleIDs) > 0:
		var p policy.Policy
		for _, id := range t.CustomRoleIDs {
			r, err := s.store.GetCustomRole(ctx, t.OrgID, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			p = append(p, s.rolePolicy(r, memberRole)...)
		}
		return p, nil
	}
	return policy.Policy{}, nil
}

// rolePolicy is what a custom role allows a holder whose member role is
// memberRole: its statements, its permissions and, when its base
// permissions are reader, every read permission that member role holds.
func (s *Server) rolePolicy(r store.CustomRole, memberRole string) policy.Policy {
	p := toPolicy(r.Policy)
	if len(r.Permissions) > 0 {
		p = append(p, policy.AllowAll(r.Permissions)...)
	}
	if granted := s.cat.AccessGrants(r.Access); len(granted) > 0 {
		p = append(p, policy.AllowAll(granted)...)
	}
	if r.BasePermissions == api.BasePermissionsReader {
		held := s.cat.ForRole(memberRole)
		var reads []string
		for _, n := range s.cat.ReadPermissions() {
			if slices.Contains(held, n) {
				reads = append(reads, n)
			}
		}
		if len(reads) > 0 {
			p = append(p, policy.AllowAll(reads)...)
		}
	}
	return p
}

// toPolicy copies stored statements into a policy of their own, which the
// caller may extend without touching the record.
func toPolicy(stmts []api.Statement) policy.Policy {
	return policy.Policy(slices.Clone(stmts))
}

// scopePolicy allows everything on "org" and on the workspaces in scope.
func scopePolicy(t store.Token) policy.Policy {
	p := policy.Policy{{Effect: api.EffectAllow, Actions: []string{"*"}, Resources: []string{"org"}}}
	if t.AllWorkspaces {
		p = append(p, api.Statement{Effect: api.EffectAllow, Actions: []string{"*"}, Resources: []string{"workspace/*"}})
		if len(t.ExcludedWorkspaceIDs) > 0 {
			p = append(p, api.Statement{Effect: api.EffectDeny, Actions: []string{"*"}, Resources: workspaceResources(t.ExcludedWorkspaceIDs)})
		}
	} else if len(t.WorkspaceIDs) > 0 {
		p = append(p, api.Statement{Effect: api.EffectAllow, Actions: []string{"*"}, Resources: workspaceResources(t.WorkspaceIDs)})
	}
	return p
}

func workspaceResources(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = policy.Workspace(id)
	}
	return out
}

// subjectFor bounds every token, personal or service, by its owner's
// current role: a demotion narrows all of the member's tokens at once.
func (s *Server) subjectFor(t store.Token, m store.Member, grant policy.Policy) policy.Subject {
	return policy.Subject{grant, policy.AllowAll(s.cat.ForRole(m.Role)), scopePolicy(t)}
}

// require checks one action on "org".
func (c *caller) require(action string) error {
	return c.requireOn(action, "org")
}

func (c *caller) requireOn(action, resource string) error {
	if c.subject.Allows(action, resource) {
		return nil
	}
	return denied([]string{action}, "the access token lacks permission %s on %s", action, resource)
}

// requireWorkspace checks an action on a workspace, including the rule that
// a reader's or writer's token reaches only workspaces its owner belongs to.
func (c *caller) requireWorkspace(action string, w store.Workspace) error {
	if err := c.requireOn(action, policy.Workspace(w.ID)); err != nil {
		return err
	}
	if !c.isAdmin() && !isMember(w, c.member.ID) {
		return denied([]string{action}, "member %s does not belong to workspace %s", c.member.ID, w.ID)
	}
	return nil
}

// effectivePermissions lists the catalogue permissions the caller holds on "org".
func (c *caller) effectivePermissions(cat *catalogue.Catalogue) []string {
	out := []string{}
	for _, p := range cat.All() {
		if c.subject.Allows(p.Name, "org") {
			out = append(out, p.Name)
		}
	}
	return out
}

// futureWorkspaces lists resources standing for workspaces created later,
// which an all-workspaces token will reach too. Their ids end in "?", which
// no statement can name, so only "*", "workspace/*", notResources and the
// id prefixes they are built from match them: one stand-in for a workspace
// matching no prefix, and one per prefix ("workspace/ab*") in any of the
// policies, for a future workspace whose id starts with it. Together they
// meet every combination of prefixes a future id can match.
func futureWorkspaces(subjects ...policy.Subject) []string {
	out := []string{"workspace/?"}
	add := func(specs []string) {
		for _, sp := range specs {
			if pat, ok := strings.CutPrefix(sp, "workspace/"); ok && len(pat) > 1 && strings.HasSuffix(pat, "*") {
				if r := "workspace/" + strings.TrimSuffix(pat, "*") + "?"; !slices.Contains(out, r) {
					out = append(out, r)
				}
			}
		}
	}
	for _, sub := range subjects {
		for _, p := range sub {
			for _, st := range p {
				add(st.Resources)
				add(st.NotResources)
			}
		}
	}
	return out
}

func inScope(t store.Token, wsID string) bool {
	if t.AllWorkspaces {
		return !slices.Contains(t.ExcludedWorkspaceIDs, wsID)
	}
	return slices.Contains(t.WorkspaceIDs, wsID)
}

func isMember(w store.Workspace, memberID string) bool {
	return w.OwnerID == memberID || slices.Contains(w.MemberIDs, memberID)
}

// reaches reports whether the caller's token can act in w at all.
func (c *caller) reaches(w store.Workspace) bool {
	return inScope(c.token, w.ID) && (c.isAdmin() || isMember(w, c.member.ID))
}

// holder is what the caller holds for the no-escalation check: their
// subject, and for a reader or writer only the workspaces they belong to
// (and future ones, which their tokens reach only once they belong to them).
func (c *caller) holder(workspaces []store.Workspace, future []string) policy.Subject {
	if c.isAdmin() {
		return c.subject
	}
	res := append([]string{"org"}, future...)
	for _, w := range workspaces {
		if isMember(w, c.member.ID) {
			res = append(res, policy.Workspace(w.ID))
		}
	}
	h := append(policy.Subject{}, c.subject...)
	return append(h, policy.Policy{{Effect: api.EffectAllow, Actions: []string{"*"}, Resources: res}})
}

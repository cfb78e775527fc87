package server

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// tokenSpec is the mutable part of a token, in its JSON form: what a create
// sets and what a PATCH document addresses.
type tokenSpec struct {
	Name          string            `json:"name"`
	Description   string            `json:"description"`
	Role          string            `json:"role"`
	CustomRoleIDs []string          `json:"customRoleIds"`
	InlineRole    []api.Statement   `json:"inlineRole"`
	Permissions   []string          `json:"permissions"`
	Access        map[string]string `json:"access"`
	WorkspaceIDs  []string          `json:"workspaceIds"`
	AllWorkspaces bool              `json:"allWorkspaces"`
}

var tokenPatchRules = patchRules{
	mutable: fieldSet("name", "description", "role", "customRoleIds", "inlineRole", "permissions", "access", "workspaceIds", "allWorkspaces"),
	fixed: fieldSet("_id", "ownerId", "memberId", "_member", "creationDate", "lastModified", "token", "serviceToken",
		"defaultApiVersion", "lastUsed", "_links", "expirationDate", "expired"),
}

var grantFields = []string{"role", "customRoleIds", "inlineRole", "permissions", "access"}

func specOf(t store.Token) tokenSpec {
	return tokenSpec{
		Name: t.Name, Description: t.Description, Role: t.Role,
		CustomRoleIDs: nonNil(t.CustomRoleIDs), InlineRole: nonNil(t.InlineRole), Permissions: nonNil(t.Permissions),
		Access:       accessOf(t.Access),
		WorkspaceIDs: nonNil(t.WorkspaceIDs), AllWorkspaces: t.AllWorkspaces,
	}
}

func (sp *tokenSpec) grantSet() map[string]bool {
	return map[string]bool{
		"role": sp.Role != "", "customRoleIds": len(sp.CustomRoleIDs) > 0,
		"inlineRole": len(sp.InlineRole) > 0, "permissions": len(sp.Permissions) > 0,
		"access": len(sp.Access) > 0,
	}
}

func (sp *tokenSpec) clearGrant(field string) {
	switch field {
	case "role":
		sp.Role = ""
	case "customRoleIds":
		sp.CustomRoleIDs = nil
	case "inlineRole":
		sp.InlineRole = nil
	case "permissions":
		sp.Permissions = nil
	case "access":
		sp.Access = nil
	}
}

func validName(field, v string, maxLen int, required bool) error {
	n := utf8.RuneCountInString(v)
	if required && strings.TrimSpace(v) == "" {
		return invalid(field, "%s is required (1 to %d characters)", field, maxLen)
	}
	if n > maxLen {
		return invalid(field, "%s must be at most %d characters, got %d", field, maxLen, n)
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return invalid(field, "%s must not contain control characters", field)
	}
	if strings.IndexFunc(v, isBidiControl) >= 0 {
		return invalid(field, "%s must not contain bidirectional override or isolate characters", field)
	}
	if i := strings.IndexFunc(v, isInvisible); i >= 0 {
		r, _ := utf8.DecodeRuneInString(v[i:])
		return invalid(field, "%s must not contain invisible characters (zero-width, other format characters, line or paragraph separators); found U+%04X", field, r)
	}
	return noSecret(field, v)
}

// isInvisible reports characters that show nothing yet make two names that
// look alike differ ("admin\u200b"): format characters (zero-width space,
// joiners, word joiner, byte order mark, soft hyphen) and the line and
// paragraph separators.
func isInvisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// isBidiControl reports the explicit embedding, override and isolate
// characters, which make a name display differently from what it is
// ("admin\u202etxt.exe").
func isBidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// validDescription checks a free-text description of at most
// api.MaxDescriptionLength characters. Line breaks and tabs are text; other
// control characters (an escape sequence rewriting a terminal, a NUL cutting
// a log line) are not.
func validDescription(field, v string) error {
	if n := utf8.RuneCountInString(v); n > api.MaxDescriptionLength {
		return invalid(field, "%s must be at most %d characters, got %d", field, api.MaxDescriptionLength, n)
	}
	if strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0 {
		return invalid(field, "%s must not contain control characters other than line breaks and tabs", field)
	}
	return noSecret(field, v)
}

// noSecret refuses text holding a well-formed access token: names and
// descriptions are stored, audited and shown to every reader.
func noSecret(field, v string) error {
	if holdsToken(v) {
		return invalid(field, "%s must not contain an access token; if this was a real token, reset it", field)
	}
	return nil
}

// noSecretInPolicy applies noSecret to every entry of every statement:
// policies are stored and shown to every reader of roles and tokens, so a
// secret pasted into a resource ("token/<secret>") must not be kept either.
// It looks at the statements as a whole rather than at the specifier
// grammar, which decides separately what a resource may be.
func noSecretInPolicy(field string, stmts []api.Statement) error {
	for i, st := range stmts {
		for _, l := range []struct {
			name string
			list []string
		}{{"actions", st.Actions}, {"notActions", st.NotActions}, {"resources", st.Resources}, {"notResources", st.NotResources}} {
			for j, v := range l.list {
				if err := noSecret(fmt.Sprintf("%s[%d].%s[%d]", field, i, l.name, j), v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// applySpec validates sp and writes it into t, resolving custom role keys
// to ids.
func (s *Server) applySpec(cl *call, t *store.Token, sp tokenSpec, workspaces []store.Workspace) error {
	if err := validName("name", sp.Name, api.MaxTokenNameLength, true); err != nil {
		return err
	}
	if err := validDescription("description", sp.Description); err != nil {
		return err
	}
	if err := noSecretInPolicy("inlineRole", sp.InlineRole); err != nil {
		return err
	}
	if err := capLists(listCap{"customRoleIds", len(sp.CustomRoleIDs), maxCustomRoles},
		listCap{"permissions", len(sp.Permissions), maxListItems},
		listCap{"workspaceIds", len(sp.WorkspaceIDs), maxListItems}); err != nil {
		return err
	}
	count := 0
	for _, set := range sp.grantSet() {
		if set {
			count++
		}
	}
	if count != 1 {
		return invalid("role", "exactly one of role, customRoleIds, inlineRole, permissions and access is required, got %d", count)
	}
	t.Name, t.Description = sp.Name, sp.Description
	t.Role, t.CustomRoleIDs, t.InlineRole, t.Permissions, t.Access = "", nil, nil, nil, nil
	switch {
	case sp.Role != "":
		if !slices.Contains(api.TokenRoles(), sp.Role) {
			return invalid("role", "role must be one of %s, got %q", strings.Join(api.TokenRoles(), ", "), sp.Role)
		}
		t.Role = sp.Role
	case len(sp.CustomRoleIDs) > 0:
		for i, k := range sp.CustomRoleIDs {
			r, err := s.store.GetCustomRole(cl.ctx, s.orgID, k)
			if errors.Is(err, store.ErrNotFound) {
				return invalid(fmt.Sprintf("customRoleIds[%d]", i), "no custom role with key or id %q", k)
			} else if err != nil {
				return err
			}
			if !slices.Contains(t.CustomRoleIDs, r.ID) {
				t.CustomRoleIDs = append(t.CustomRoleIDs, r.ID)
			}
		}
	case len(sp.InlineRole) > 0:
		if err := policy.Validate("inlineRole", sp.InlineRole, s.cat); err != nil {
			return err
		}
		t.InlineRole = sp.InlineRole
	case len(sp.Access) > 0:
		access, err := s.checkAccess("access", sp.Access)
		if err != nil {
			return err
		}
		if len(s.cat.AccessGrants(access)) == 0 {
			return invalid("access", "access must set at least one object to %s or %s", catalogue.AccessReadOnly, catalogue.AccessReadWrite)
		}
		t.Access = access
	default:
		for i, p := range sp.Permissions {
			if err := s.knownPermission(fmt.Sprintf("permissions[%d]", i), p); err != nil {
				return err
			}
			if !slices.Contains(t.Permissions, p) {
				t.Permissions = append(t.Permissions, p)
			}
		}
	}
	if sp.AllWorkspaces && len(sp.WorkspaceIDs) > 0 {
		return invalid("allWorkspaces", "set either workspaceIds or allWorkspaces, not both")
	}
	if !sp.AllWorkspaces && len(sp.WorkspaceIDs) == 0 {
		return invalid("workspaceIds", "a token needs at least one workspace in workspaceIds, or allWorkspaces")
	}
	t.AllWorkspaces, t.WorkspaceIDs = sp.AllWorkspaces, nil
	for i, id := range sp.WorkspaceIDs {
		if _, ok := findWorkspace(workspaces, id); !ok {
			return invalid(fmt.Sprintf("workspaceIds[%d]", i), "no workspace with id %q", id)
		}
		if !slices.Contains(t.WorkspaceIDs, id) {
			t.WorkspaceIDs = append(t.WorkspaceIDs, id)
		}
	}
	if t.AllWorkspaces {
		t.ExcludedWorkspaceIDs = nil
	}
	return nil
}

func (s *Server) knownPermission(field, name string) error {
	if _, ok := s.cat.Lookup(name); ok {
		return nil
	}
	msg := fmt.Sprintf("unknown permission %q", name)
	if sug := s.cat.Suggest(name, 3); len(sug) > 0 {
		msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(sug, ", "))
	}
	return invalid(field, "%s", msg)
}

func findWorkspace(ws []store.Workspace, id string) (store.Workspace, bool) {
	for _, w := range ws {
		if w.ID == id {
			return w, true
		}
	}
	return store.Workspace{}, false
}

// checkGrant enforces the member scope rule and no escalation: the token t,
// owned by owner, may grant nothing the caller does not hold on any resource
// it will reach.
func (s *Server) checkGrant(cl *call, t store.Token, owner store.Member, workspaces []store.Workspace) error {
	if !cl.c.isAdmin() && !t.AllWorkspaces {
		for i, id := range t.WorkspaceIDs {
			w, _ := findWorkspace(workspaces, id)
			if !isMember(w, cl.c.member.ID) {
				e := denied(nil, "members with role %s may scope tokens only to workspaces they belong to; not a member of %s", cl.c.member.Role, id)
				e.Field = fmt.Sprintf("workspaceIds[%d]", i)
				return e
			}
		}
	}
	if err := s.accessCeiling("access", t.Access, owner.Role); err != nil {
		return err
	}
	grant, err := s.grantPolicy(cl.ctx, t, owner.Role)
	if err != nil {
		return err
	}
	resources := []string{"org"}
	for _, w := range workspaces {
		if inScope(t, w.ID) && (isAdmin(owner) || isMember(w, owner.ID)) {
			resources = append(resources, policy.Workspace(w.ID))
		}
	}
	if err := s.checkOwnerRules(cl, t, owner, workspaces, grant, resources); err != nil {
		return err
	}
	return s.noEscalation(cl, grant, resources, workspaces, t.AllWorkspaces)
}

// noEscalation refuses a grant allowing anything on resources (and, when it
// will reach workspaces created later, on those) that the caller lacks.
func (s *Server) noEscalation(cl *call, grant policy.Policy, resources []string, workspaces []store.Workspace, future bool) error {
	var fw []string
	if future {
		fw = futureWorkspaces(policy.Subject{grant}, cl.c.subject)
		resources = append(resources, fw...)
	}
	missing := policy.Missing(policy.Subject{grant}, cl.c.holder(workspaces, fw), s.cat.Names(), resources)
	if len(missing) > 0 {
		return denied(missing, "the grant includes permissions the caller does not hold: %s", strings.Join(missing, ", "))
	}
	return nil
}

// checkExpiry applies the expiration policy to a new token.
func (s *Server) checkExpiry(now time.Time, expMS int64) (*time.Time, error) {
	if expMS == 0 {
		if !s.cfg.AllowNoExpiry {
			return nil, invalid("expirationDate", "expirationDate is required: this server does not allow tokens without expiry")
		}
		if s.cfg.MaxLifetime > 0 {
			return nil, invalid("expirationDate", "expirationDate is required: tokens may live at most %s", lifetime(s.cfg.MaxLifetime))
		}
		return nil, nil
	}
	exp := fromMS(expMS)
	if !exp.After(now) {
		return nil, invalid("expirationDate", "expirationDate must be in the future")
	}
	if s.cfg.MaxLifetime > 0 && exp.Sub(now) > s.cfg.MaxLifetime {
		return nil, invalid("expirationDate", "expirationDate must be at most %s from now", lifetime(s.cfg.MaxLifetime))
	}
	return &exp, nil
}

func lifetime(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// loadToken finds a token and checks action on it; other members' tokens
// additionally need ACCESS_TOKEN_MANAGE.
func (s *Server) loadToken(cl *call, id, action string) (store.Token, store.Member, error) {
	if err := cl.c.require(action); err != nil {
		return store.Token{}, store.Member{}, err
	}
	t, err := s.store.GetToken(cl.ctx, s.orgID, id)
	if errors.Is(err, store.ErrNotFound) {
		return t, store.Member{}, notFound("access token %q not found", id)
	} else if err != nil {
		return t, store.Member{}, err
	}
	if t.MemberID == cl.c.member.ID {
		return t, cl.c.member, nil
	}
	if err := cl.c.require(catalogue.AccessTokenManage); err != nil {
		return t, store.Member{}, err
	}
	m, err := s.store.GetMember(cl.ctx, s.orgID, t.MemberID)
	if err != nil {
		return t, m, err
	}
	if action != catalogue.AccessTokenRead {
		if err := cl.c.mayActOnTokensOf(m); err != nil {
			return t, m, err
		}
	}
	return t, m, nil
}

// mayActOnTokensOf: a token acts with its owner's rank, so changing,
// resetting (which hands over the new secret) or minting a token of a member
// ranked above the caller would let the caller act as that member.
func (c *caller) mayActOnTokensOf(owner store.Member) error {
	if api.RoleRank(owner.Role) > api.RoleRank(c.member.Role) {
		return denied(nil, "a member with role %s cannot act on the access tokens of a member with role %s", c.member.Role, owner.Role)
	}
	return nil
}

// checkQuota checks the quotas a new token of the member would count
// against. replaced, when not nil, is a token the new one replaces (a dry run
// that names it with ?replaces=): it is deleted before the new one is
// created, so it is not counted.
func (s *Server) checkQuota(cl *call, memberID string, replaced *store.Token) error {
	q := s.cfg.Quota
	if q.PerMember > 0 {
		_, n, err := s.store.ListTokens(cl.ctx, store.TokenFilter{OrgID: s.orgID, MemberID: memberID, Limit: 1})
		if err != nil {
			return err
		}
		if replaced != nil && replaced.MemberID == memberID {
			n--
		}
		if n >= q.PerMember {
			return &store.QuotaError{Scope: "member", Limit: q.PerMember}
		}
	}
	if q.PerOrg > 0 {
		_, n, err := s.store.ListTokens(cl.ctx, store.TokenFilter{OrgID: s.orgID, Limit: 1})
		if err != nil {
			return err
		}
		if replaced != nil {
			n--
		}
		if n >= q.PerOrg {
			return &store.QuotaError{Scope: "organization", Limit: q.PerOrg}
		}
	}
	return nil
}

func kindOf(t store.Token) secret.Kind {
	if t.Service {
		return secret.KindService
	}
	return secret.KindPersonal
}

func (s *Server) createToken(cl *call, in api.TokenCreate) (api.Token, error) {
	if err := cl.c.require(catalogue.AccessTokenWrite); err != nil {
		return api.Token{}, err
	}
	if err := cl.c.refuseOldSecret("create access tokens"); err != nil {
		return api.Token{}, err
	}
	owner := cl.c.member
	if in.MemberID != "" && in.MemberID != owner.ID {
		if err := cl.c.require(catalogue.AccessTokenManage); err != nil {
			return api.Token{}, err
		}
		m, err := s.store.GetMember(cl.ctx, s.orgID, in.MemberID)
		if errors.Is(err, store.ErrNotFound) {
			return api.Token{}, invalid("memberId", "no member with id %q", in.MemberID)
		} else if err != nil {
			return api.Token{}, err
		}
		if err := cl.c.mayActOnTokensOf(m); err != nil {
			return api.Token{}, err
		}
		owner = m
	}
	if in.DefaultAPIVersion < 0 {
		return api.Token{}, invalid("defaultApiVersion", "defaultApiVersion must be a positive integer")
	}
	t := store.Token{
		ID: newID(), OrgID: s.orgID, MemberID: owner.ID, Service: in.ServiceToken,
		DefaultAPIVersion: in.DefaultAPIVersion, CreatedAt: cl.now, UpdatedAt: cl.now,
	}
	if t.DefaultAPIVersion == 0 {
		t.DefaultAPIVersion = DefaultAPIVersion
	}
	sp := tokenSpec{
		Name: in.Name, Description: in.Description, Role: in.Role, CustomRoleIDs: in.CustomRoleIDs,
		InlineRole: in.InlineRole, Permissions: in.Permissions, Access: in.Access, WorkspaceIDs: in.WorkspaceIDs, AllWorkspaces: in.AllWorkspaces,
	}
	if !sp.AllWorkspaces && len(sp.WorkspaceIDs) == 0 {
		sp.AllWorkspaces = true
	}
	workspaces, err := s.store.ListWorkspaces(cl.ctx, s.orgID)
	if err != nil {
		return api.Token{}, err
	}
	if err := s.applySpec(cl, &t, sp, workspaces); err != nil {
		return api.Token{}, err
	}
	if t.ExpiresAt, err = s.checkExpiry(cl.now, in.ExpirationDate); err != nil {
		return api.Token{}, err
	}
	if err := s.checkGrant(cl, t, owner, workspaces); err != nil {
		return api.Token{}, err
	}
	replaced, err := s.replacedToken(cl)
	if err != nil {
		return api.Token{}, err
	}
	sec, err := s.issueSecret("secret", in.Secret, kindOf(t))
	if err != nil {
		return api.Token{}, err
	}
	if cl.dryRun {
		if err := s.checkQuota(cl, owner.ID, replaced); err != nil {
			return api.Token{}, err
		}
		t.ID = ""
		return s.apiToken(t, owner, "", cl.now), nil
	}
	t.Digest, t.LastFour = sec.digest, sec.lastFour
	if err := s.store.CreateToken(cl.ctx, t, s.cfg.Quota); err != nil {
		return api.Token{}, sec.stored("secret", err)
	}
	s.audit(cl, "token.create", "token/"+t.ID, fmt.Sprintf("name=%q member=%s service=%t", t.Name, t.MemberID, t.Service)+
		notEnforcedDetail("inlineRole", t.InlineRole)+sec.auditNote())
	cl.secret = sec.shown != ""
	return s.apiToken(t, owner, sec.shown, cl.now), nil
}

// replacedToken reads ?replaces=<token id> of a token create: the token the
// created one would replace (Terraform's destroy-then-create), so that a dry
// run counts the two against the quotas once. It is accepted only with
// ?dryRun=true, changes nothing but that count, and must name a token the
// caller could delete.
func (s *Server) replacedToken(cl *call) (*store.Token, error) {
	id := cl.r.URL.Query().Get(api.QueryReplaces)
	if id == "" {
		return nil, nil
	}
	if !cl.dryRun {
		return nil, invalid(api.QueryReplaces, "%s is accepted only with dryRun=true: a create never deletes the token it replaces", api.QueryReplaces)
	}
	t, _, err := s.loadToken(cl, id, catalogue.AccessTokenWrite)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Field == "" {
			e.Field = api.QueryReplaces
			e.Detail = api.QueryReplaces + ": " + e.Detail
		}
		return nil, err
	}
	return &t, nil
}

func (s *Server) getToken(cl *call, _ noBody) (api.Token, error) {
	t, m, err := s.loadToken(cl, cl.r.PathValue("id"), catalogue.AccessTokenRead)
	if err != nil {
		return api.Token{}, err
	}
	return s.apiToken(t, m, "", cl.now), nil
}

func (s *Server) listTokens(cl *call, _ noBody) (api.List[api.Token], error) {
	if err := cl.c.require(catalogue.AccessTokenRead); err != nil {
		return api.List[api.Token]{}, err
	}
	showAll := false
	if v := cl.r.URL.Query().Get("showAll"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return api.List[api.Token]{}, invalid("showAll", "showAll must be true or false")
		}
		showAll = b
	}
	f := store.TokenFilter{OrgID: s.orgID, MemberID: cl.c.member.ID}
	if showAll {
		if err := cl.c.require(catalogue.AccessTokenManage); err != nil {
			return api.List[api.Token]{}, err
		}
		f.MemberID = ""
	}
	p, err := pageOf(cl.r)
	if err != nil {
		return api.List[api.Token]{}, err
	}
	f.Limit, f.Offset = p.limit, p.offset
	if f.UnusedSince, err = s.unusedSince(cl); err != nil {
		return api.List[api.Token]{}, err
	}
	toks, total, err := s.store.ListTokens(cl.ctx, f)
	if err != nil {
		return api.List[api.Token]{}, err
	}
	members := map[string]store.Member{cl.c.member.ID: cl.c.member}
	items := make([]api.Token, 0, len(toks))
	for _, t := range toks {
		m, ok := members[t.MemberID]
		if !ok {
			if m, err = s.store.GetMember(cl.ctx, s.orgID, t.MemberID); err != nil {
				return api.List[api.Token]{}, err
			}
			members[t.MemberID] = m
		}
		items = append(items, s.apiToken(t, m, "", cl.now))
	}
	return listOf(cl.r, items, total, p), nil
}

func (s *Server) patchToken(cl *call, pb patchBody) (api.Token, error) {
	t, owner, err := s.loadToken(cl, cl.r.PathValue("id"), catalogue.AccessTokenWrite)
	if err != nil {
		return api.Token{}, err
	}
	if t.ID == cl.c.token.ID {
		if err := cl.c.refuseOldSecret("change its own token"); err != nil {
			return api.Token{}, err
		}
	}
	var next tokenSpec
	touched, err := applyPatch(specOf(t), pb.Ops, tokenPatchRules, &next)
	if err != nil {
		return api.Token{}, err
	}
	// Setting one grant or scope form replaces the other, so clients need not
	// remove the old form in the same patch.
	set := next.grantSet()
	n := 0
	for _, f := range grantFields {
		if set[f] {
			n++
		}
	}
	if n > 1 {
		for _, f := range grantFields {
			if set[f] && !touched[f] {
				next.clearGrant(f)
			}
		}
	}
	if next.AllWorkspaces && len(next.WorkspaceIDs) > 0 {
		switch {
		case touched["workspaceIds"] && !touched["allWorkspaces"]:
			next.AllWorkspaces = false
		case touched["allWorkspaces"] && !touched["workspaceIds"]:
			next.WorkspaceIDs = nil
		}
	}
	workspaces, err := s.store.ListWorkspaces(cl.ctx, s.orgID)
	if err != nil {
		return api.Token{}, err
	}
	if err := s.applySpec(cl, &t, next, workspaces); err != nil {
		return api.Token{}, err
	}
	if err := s.checkGrant(cl, t, owner, workspaces); err != nil {
		return api.Token{}, err
	}
	t.UpdatedAt = cl.now
	if !cl.dryRun {
		if err := s.store.UpdateToken(cl.ctx, t); err != nil {
			return api.Token{}, err
		}
		s.audit(cl, "token.update", "token/"+t.ID, "fields="+strings.Join(slices.Sorted(maps.Keys(touched)), ",")+
			notEnforcedDetail("inlineRole", t.InlineRole))
	}
	return s.apiToken(t, owner, "", cl.now), nil
}

// resetToken issues a new secret for the same token. The old secret keeps
// working until expiry (query parameter or body, Unix ms), or stops now.
func (s *Server) resetToken(cl *call, in api.TokenReset) (api.Token, error) {
	t, owner, err := s.loadToken(cl, cl.r.PathValue("id"), catalogue.AccessTokenWrite)
	if err != nil {
		return api.Token{}, err
	}
	if err := cl.c.refuseOldSecret("reset access tokens"); err != nil {
		return api.Token{}, err
	}
	expiry := in.Expiry
	if v := cl.r.URL.Query().Get("expiry"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return api.Token{}, invalid("expiry", "expiry must be Unix milliseconds")
		}
		if in.Expiry != 0 && in.Expiry != n {
			return api.Token{}, invalid("expiry", "expiry is given twice with different values (query parameter and body); send it once")
		}
		expiry = n
	}
	if expiry < 0 {
		return api.Token{}, invalid("expiry", "expiry must be Unix milliseconds")
	}
	workspaces, err := s.store.ListWorkspaces(cl.ctx, s.orgID)
	if err != nil {
		return api.Token{}, err
	}
	if err := s.checkGrant(cl, t, owner, workspaces); err != nil {
		return api.Token{}, err
	}
	t.PrevDigest, t.PrevExpiresAt = nil, nil
	if expiry > 0 {
		exp := fromMS(expiry)
		if !exp.After(cl.now) {
			return api.Token{}, invalid("expiry", "expiry must be in the future; omit it to stop the old secret at once")
		}
		t.PrevDigest, t.PrevExpiresAt = t.Digest, &exp
	}
	t.UpdatedAt = cl.now
	sec, err := s.issueSecret("secret", in.Secret, kindOf(t))
	if err != nil {
		return api.Token{}, err
	}
	if cl.dryRun {
		return s.apiToken(t, owner, "", cl.now), nil
	}
	t.Digest, t.LastFour = sec.digest, sec.lastFour
	if err := s.store.UpdateToken(cl.ctx, t); err != nil {
		return api.Token{}, sec.stored("secret", err)
	}
	s.audit(cl, "token.reset", "token/"+t.ID, fmt.Sprintf("oldSecretUntil=%d", expiry)+sec.auditNote())
	cl.secret = sec.shown != ""
	return s.apiToken(t, owner, sec.shown, cl.now), nil
}

func (s *Server) deleteToken(cl *call, _ noBody) (noContent, error) {
	t, _, err := s.loadToken(cl, cl.r.PathValue("id"), catalogue.AccessTokenWrite)
	if err != nil {
		return noContent{}, err
	}
	if t.ID == cl.c.token.ID {
		if err := cl.c.refuseOldSecret("delete its own token"); err != nil {
			return noContent{}, err
		}
	}
	if err := s.store.DeleteToken(cl.ctx, s.orgID, t.ID); err != nil {
		return noContent{}, err
	}
	s.lastUsed.forget(t.ID)
	s.audit(cl, "token.delete", "token/"+t.ID, fmt.Sprintf("name=%q", t.Name))
	return noContent{}, nil
}

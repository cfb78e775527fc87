package authz_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/authz"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/policy"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// fakeStore is what the rules read, in memory.
type fakeStore struct {
	roles      map[string]store.CustomRole
	workspaces map[string]store.Workspace
	tokens     []store.Token
}

func (f *fakeStore) GetCustomRole(_ context.Context, _, keyOrID string) (store.CustomRole, error) {
	r, ok := f.roles[keyOrID]
	if !ok {
		return r, store.ErrNotFound
	}
	return r, nil
}

func (f *fakeStore) GetWorkspace(_ context.Context, _, id string) (store.Workspace, error) {
	w, ok := f.workspaces[id]
	if !ok {
		return w, store.ErrNotFound
	}
	return w, nil
}

func (f *fakeStore) ListTokens(_ context.Context, flt store.TokenFilter) ([]store.Token, int, error) {
	n := 0
	for _, t := range f.tokens {
		if flt.MemberID == "" || t.MemberID == flt.MemberID {
			n++
		}
	}
	return nil, n, nil
}

const (
	callerID = "m-caller"
	otherID  = "m-other"
)

var (
	// wsMine has the caller as a member; wsOther does not.
	wsMine  = store.Workspace{ID: "ws-mine", OwnerID: otherID, MemberIDs: []string{otherID, callerID}}
	wsOther = store.Workspace{ID: "ws-other", OwnerID: otherID, MemberIDs: []string{otherID}}
	allWS   = []store.Workspace{wsMine, wsOther}
)

func newRules() *authz.Rules {
	return &authz.Rules{
		Cat:   catalogue.Default(),
		Store: &fakeStore{workspaces: map[string]store.Workspace{wsMine.ID: wsMine, wsOther.ID: wsOther}},
		OrgID: "org",
	}
}

// callerWith is a member with memberRole calling with an all-workspaces
// token of the built-in role tokenRole, presented with its current secret.
func callerWith(t *testing.T, r *authz.Rules, memberRole, tokenRole string) *authz.Caller {
	t.Helper()
	digest := []byte("current")
	tok := store.Token{ID: "t-caller", OrgID: "org", MemberID: callerID, Role: tokenRole, AllWorkspaces: true, Digest: digest}
	c, err := r.Caller(context.Background(), tok, store.Member{ID: callerID, Role: memberRole}, digest)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Outcome codes of the role table: "+" allowed, otherwise the rule that
// refuses.
var codes = map[byte]authz.Reason{
	'L': authz.LacksPermission,
	'W': authz.NotWorkspaceMember,
	'R': authz.OwnerRanksAbove,
	'M': authz.MemberRanksAbove,
	'G': authz.RoleAboveOwn,
	'S': authz.ScopeOutsideMembership,
	'T': authz.OwnerScopeOutsideMembership,
	'A': authz.AccessAboveRole,
	'C': authz.OwnerRoleCeiling,
	'E': authz.Escalation,
	'O': authz.OwnerOnlyRule,
}

func selfToken(role string, ws ...string) store.Token {
	t := store.Token{OrgID: "org", MemberID: callerID, Role: role, WorkspaceIDs: ws}
	t.AllWorkspaces = len(ws) == 0
	return t
}

var (
	readerOther = store.Member{ID: otherID, Role: api.RoleReader}
	adminOther  = store.Member{ID: otherID, Role: api.RoleAdmin}
	ownerOther  = store.Member{ID: otherID, Role: api.RoleOwner}
)

// TestRoleTable runs every operation for each member role (rows: reader,
// writer, admin, owner) calling with each built-in token role (columns:
// reader, writer, admin) and says which are allowed and, for the others,
// which rule refuses them.
func TestRoleTable(t *testing.T) {
	ops := []struct {
		name string
		grid string
		op   func(r *authz.Rules, c *authz.Caller) error
	}{
		{"read own tokens", "+++ +++ +++ +++", func(r *authz.Rules, c *authz.Caller) error { return c.Require(catalogue.AccessTokenRead) }},
		{"write own tokens", "+++ +++ +++ +++", func(r *authz.Rules, c *authz.Caller) error { return c.Require(catalogue.AccessTokenWrite) }},
		{"API_WRITE on org", "LLL L++ L++ L++", func(r *authz.Rules, c *authz.Caller) error { return c.Require("API_WRITE") }},
		{"manage other members' tokens", "LLL LLL LL+ LL+", func(r *authz.Rules, c *authz.Caller) error { return c.ManageTokensOf(otherID) }},
		{"reach own tokens", "+++ +++ +++ +++", func(r *authz.Rules, c *authz.Caller) error { return c.ManageTokensOf(callerID) }},
		{"CONFIGURATION_WRITE (no token role holds it)", "LLL LLL LLL LLL", func(r *authz.Rules, c *authz.Caller) error { return c.Require("CONFIGURATION_WRITE") }},
		{"read a workspace one belongs to", "+++ +++ +++ +++", func(r *authz.Rules, c *authz.Caller) error {
			return c.RequireWorkspace(catalogue.WorkspaceRead, wsMine)
		}},
		{"read a workspace one does not belong to", "WWW WWW +++ +++", func(r *authz.Rules, c *authz.Caller) error {
			return c.RequireWorkspace(catalogue.WorkspaceRead, wsOther)
		}},
		{"write a workspace one belongs to", "LLL LLL LL+ LL+", func(r *authz.Rules, c *authz.Caller) error {
			return c.RequireWorkspace(catalogue.WorkspaceWrite, wsMine)
		}},
		{"authorize WORKSPACE_READ on a workspace one does not belong to", "WWW WWW +++ +++", func(r *authz.Rules, c *authz.Caller) error {
			return r.Decide(context.Background(), c, catalogue.WorkspaceRead, policy.Workspace(wsOther.ID))
		}},
		{"act on a reader's tokens", "+++ +++ +++ +++", func(r *authz.Rules, c *authz.Caller) error { return c.MayActOnTokensOf(readerOther) }},
		{"act on an admin's tokens", "RRR RRR +++ +++", func(r *authz.Rules, c *authz.Caller) error { return c.MayActOnTokensOf(adminOther) }},
		{"act on an owner's tokens", "RRR RRR RRR +++", func(r *authz.Rules, c *authz.Caller) error { return c.MayActOnTokensOf(ownerOther) }},
		{"make a member admin", "GGG GGG +++ +++", func(r *authz.Rules, c *authz.Caller) error { return c.MayManage(readerOther, api.RoleAdmin) }},
		{"change an owner", "MMM MMM MMM +++", func(r *authz.Rules, c *authz.Caller) error { return c.MayManage(ownerOther, "") }},
		{"move the test clock", "OOO OOO OOO +++", func(r *authz.Rules, c *authz.Caller) error { return c.OwnerOnly("move the test clock") }},
		{"mint a writer token for oneself in a workspace one belongs to", "EEE E++ E++ E++", func(r *authz.Rules, c *authz.Caller) error {
			return r.CheckGrant(context.Background(), c, selfToken(api.RoleWriter, wsMine.ID), c.Member, allWS)
		}},
		{"mint a writer token for oneself in a workspace one does not belong to", "SSS SSS E++ E++", func(r *authz.Rules, c *authz.Caller) error {
			return r.CheckGrant(context.Background(), c, selfToken(api.RoleWriter, wsOther.ID), c.Member, allWS)
		}},
		{"mint an admin token for oneself on every workspace", "EEE EEE EE+ EE+", func(r *authz.Rules, c *authz.Caller) error {
			return r.CheckGrant(context.Background(), c, selfToken(api.RoleAdmin), c.Member, allWS)
		}},
		{"mint an access token writing plans (owner-only) for oneself", "AAA AAA AAA EEE", func(r *authz.Rules, c *authz.Caller) error {
			tok := selfToken("")
			tok.Access = map[string]string{"plan": catalogue.AccessReadWrite}
			return r.CheckGrant(context.Background(), c, tok, c.Member, allWS)
		}},
		{"mint a writer token for a reader", "CCC CCC CCC CCC", func(r *authz.Rules, c *authz.Caller) error {
			tok := selfToken(api.RoleWriter)
			tok.MemberID = otherID
			return r.CheckGrant(context.Background(), c, tok, readerOther, allWS)
		}},
		{"mint a reader token for a reader in a workspace they do not belong to", "TTT TTT TTT TTT", func(r *authz.Rules, c *authz.Caller) error {
			tok := selfToken(api.RoleReader, wsMine.ID)
			tok.MemberID = "m-third"
			return r.CheckGrant(context.Background(), c, tok, store.Member{ID: "m-third", Role: api.RoleReader}, allWS)
		}},
		{"create a custom role writing every workspace", "EEE EEE EE+ EE+", func(r *authz.Rules, c *authz.Caller) error {
			cr := store.CustomRole{Policy: []api.Statement{{Effect: api.EffectAllow, Actions: []string{catalogue.WorkspaceWrite}, Resources: []string{"workspace/*"}}}}
			return r.CheckRole(c, cr, allWS)
		}},
	}
	memberRoles := []string{api.RoleReader, api.RoleWriter, api.RoleAdmin, api.RoleOwner}
	tokenRoles := api.TokenRoles()
	for _, op := range ops {
		rows := strings.Fields(op.grid)
		if len(rows) != len(memberRoles) {
			t.Fatalf("%s: the grid has %d rows", op.name, len(rows))
		}
		for i, mr := range memberRoles {
			if len(rows[i]) != len(tokenRoles) {
				t.Fatalf("%s: row %s has %d columns", op.name, mr, len(rows[i]))
			}
			for j, tr := range tokenRoles {
				t.Run(fmt.Sprintf("%s/member %s/token %s", op.name, mr, tr), func(t *testing.T) {
					r := newRules()
					err := op.op(r, callerWith(t, r, mr, tr))
					want := rows[i][j]
					if want == '+' {
						if err != nil {
							t.Fatalf("refused: %v", err)
						}
						return
					}
					var d *authz.Denied
					if !errors.As(err, &d) {
						t.Fatalf("got %v, want a refusal by %s", err, codes[want])
					}
					if d.Reason != codes[want] {
						t.Fatalf("refused by %s (%s), want %s", d.Reason, d.Detail, codes[want])
					}
				})
			}
		}
	}
}

package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// TestTokensForAnotherMemberFollowTheirRules: an owner creating a token for
// a reader is held to the reader's own rules (the role as the ceiling, only
// workspaces they belong to, their quota), in dry runs as in creates and in
// updates, and nothing is written by a refusal; within those rules the token
// is the member's.
func TestTokensForAnotherMemberFollowTheirRules(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(cfg *server.Config) { cfg.Quota.PerMember = 2 }))
	c := newClient(t, ts, ts.OwnerToken)
	var reader api.Member
	c.must(http.StatusCreated, "POST", api.PathMembers, api.MemberCreate{Email: "r@example.com", Role: "reader"}).into(t, &reader)
	var other api.Workspace
	c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "other"}).into(t, &other)
	c.must(http.StatusOK, "PUT", api.PathWorkspaces+"/"+ts.DefaultWorkspaceID+"/members/"+reader.ID, nil)

	for _, path := range []string{api.PathTokens, api.PathTokens + "?dryRun=true"} {
		p := c.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", path,
			api.TokenCreate{Name: "too much", Role: "writer", MemberID: reader.ID})
		if !slices.Contains(p.Missing, "API_WRITE") || !strings.Contains(p.Detail, "role reader does not hold") {
			t.Fatalf("%s: role above the member's: %+v", path, p)
		}
		p = c.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", path,
			api.TokenCreate{Name: "elsewhere", Role: "reader", MemberID: reader.ID, WorkspaceIDs: []string{other.ID}})
		if p.Field != "workspaceIds[0]" || !strings.Contains(p.Detail, "only to workspaces they belong to") {
			t.Fatalf("%s: workspace the member is not in: %+v", path, p)
		}
	}
	tok := c.createToken(api.TokenCreate{Name: "theirs", Role: "reader", MemberID: reader.ID, WorkspaceIDs: []string{ts.DefaultWorkspaceID}})
	if tok.MemberID != reader.ID || tok.Member == nil || tok.Member.Email != "r@example.com" {
		t.Fatalf("token owner: %+v", tok)
	}
	var id api.CallerIdentity
	c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil).into(t, &id)
	if id.MemberID != reader.ID {
		t.Fatalf("the token acts as %s, want %s", id.MemberID, reader.ID)
	}
	p := c.fail(http.StatusForbidden, api.CodePermissionDenied, "PATCH", api.PathTokens+"/"+tok.ID,
		[]api.PatchOperation{{Op: "replace", Path: "/role", Value: "admin"}})
	if !slices.Contains(p.Missing, "MEMBER_WRITE") {
		t.Fatalf("raising the grant above the member's role: %+v", p)
	}
	c.createToken(api.TokenCreate{Name: "second", Role: "reader", MemberID: reader.ID, AllWorkspaces: true})
	c.fail(http.StatusConflict, api.CodeQuotaExceeded, "POST", api.PathTokens+"?dryRun=true",
		api.TokenCreate{Name: "third", Role: "reader", MemberID: reader.ID})

	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil).into(t, &list)
	if list.TotalCount != 3 {
		t.Fatalf("%d tokens, want the owner's and the reader's two", list.TotalCount)
	}
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil).into(t, &tok)
	if tok.Role != "reader" {
		t.Fatalf("the refused patch changed the role to %s", tok.Role)
	}
}

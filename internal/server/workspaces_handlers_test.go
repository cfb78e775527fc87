package server_test

import (
	"net/http"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// memberWithToken creates a member with role and a personal token for them
// (granted grantRole on every workspace), made by the owner.
func memberWithToken(t *testing.T, c *client, email, role, grantRole string) (api.Member, api.Token) {
	t.Helper()
	var m api.Member
	c.must(http.StatusCreated, "POST", api.PathMembers, api.MemberCreate{Email: email, Role: role}).into(t, &m)
	tok := c.createToken(api.TokenCreate{Name: email, Role: grantRole, MemberID: m.ID})
	return m, tok
}

func TestWorkspaces(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)

	var ws api.Workspace
	r := c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "team-a", Description: "A"})
	requireFields(t, r.Obj, "_id", "_links", "name", "ownerId", "memberIds", "creationDate", "lastModified")
	r.into(t, &ws)
	if ws.OwnerID != ts.OwnerID || len(ws.MemberIDs) != 1 {
		t.Fatalf("workspace %s", r.Body)
	}
	p := c.fail(http.StatusConflict, api.CodeConflict, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "team-a"})
	if p.Field != "name" {
		t.Fatalf("field %q", p.Field)
	}
	var list api.List[api.Workspace]
	c.must(http.StatusOK, "GET", api.PathWorkspaces+"?name=team-a", nil).into(t, &list)
	if list.TotalCount != 1 || list.Items[0].ID != ws.ID {
		t.Fatalf("filter by name: %+v", list)
	}
	c.must(http.StatusOK, "GET", api.PathWorkspaces, nil).into(t, &list)
	if list.TotalCount != 2 {
		t.Fatalf("list: %+v", list)
	}

	c.must(http.StatusOK, "PATCH", api.PathWorkspaces+"/"+ws.ID, []api.PatchOperation{{Op: "replace", Path: "/description", Value: "B"}}).into(t, &ws)
	if ws.Description != "B" {
		t.Fatalf("patch: %+v", ws)
	}
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathWorkspaces+"/"+ws.ID, []api.PatchOperation{{Op: "replace", Path: "/ownerId", Value: "x"}})

	m, _ := memberWithToken(t, c, "w@example.com", "writer", "writer")
	c.must(http.StatusOK, "PUT", api.PathWorkspaces+"/"+ws.ID+"/members/"+m.ID, nil).into(t, &ws)
	if len(ws.MemberIDs) != 2 {
		t.Fatalf("add member: %+v", ws)
	}
	var mem api.Member
	c.must(http.StatusOK, "GET", api.PathMembers+"/"+m.ID, nil).into(t, &mem)
	if len(mem.WorkspaceIDs) != 1 || mem.WorkspaceIDs[0] != ws.ID {
		t.Fatalf("member workspaces %v", mem.WorkspaceIDs)
	}
	c.must(http.StatusOK, "DELETE", api.PathWorkspaces+"/"+ws.ID+"/members/"+m.ID, nil).into(t, &ws)
	if len(ws.MemberIDs) != 1 {
		t.Fatalf("remove member: %+v", ws)
	}
	c.fail(http.StatusConflict, api.CodeConflict, "DELETE", api.PathWorkspaces+"/"+ws.ID+"/members/"+ts.OwnerID, nil)
	c.must(http.StatusNoContent, "DELETE", api.PathWorkspaces+"/"+ws.ID, nil)
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathWorkspaces+"/"+ws.ID, nil)
}

func TestWorkspaceMembershipLimitsPersonalTokens(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	var ws api.Workspace
	c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "private"}).into(t, &ws)
	_, tok := memberWithToken(t, c, "r@example.com", "reader", "reader")
	rc := c.with(tok.Token)
	rc.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathWorkspaces+"/"+ws.ID, nil)
	var list api.List[api.Workspace]
	rc.must(http.StatusOK, "GET", api.PathWorkspaces, nil).into(t, &list)
	if list.TotalCount != 0 {
		t.Fatalf("reader sees workspaces they do not belong to: %+v", list)
	}
	// A reader may not scope a token to a workspace they do not belong to.
	p := rc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "x", Role: "reader", WorkspaceIDs: []string{ws.ID}})
	if p.Field != "workspaceIds[0]" {
		t.Fatalf("field %q", p.Field)
	}
}

func TestWorkspaceTransfer(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	var ws, other api.Workspace
	c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "moving"}).into(t, &ws)
	c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "staying"}).into(t, &other)
	newOwner, _ := memberWithToken(t, c, "new@example.com", "admin", "reader")

	only := c.createToken(api.TokenCreate{Name: "only", Role: "reader", WorkspaceIDs: []string{ws.ID}})
	two := c.createToken(api.TokenCreate{Name: "two", Role: "reader", WorkspaceIDs: []string{ws.ID, other.ID}})
	all := c.createToken(api.TokenCreate{Name: "all", Role: "reader", AllWorkspaces: true})
	svc := c.createToken(api.TokenCreate{Name: "svc", Role: "reader", ServiceToken: true, WorkspaceIDs: []string{ws.ID}})
	c.with(all.Token).must(http.StatusOK, "GET", api.PathWorkspaces+"/"+ws.ID, nil)

	var res api.WorkspaceTransferResult
	c.must(http.StatusOK, "POST", api.PathWorkspaces+"/"+ws.ID+"/transfer", api.WorkspaceTransfer{OwnerID: newOwner.ID}).into(t, &res)
	if res.Workspace.OwnerID != newOwner.ID || res.TokensRevoked < 1 || res.TokensNarrowed < 2 {
		t.Fatalf("transfer result %+v", res)
	}
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathTokens+"/"+only.ID, nil)
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+two.ID, nil).into(t, &got)
	if len(got.WorkspaceIDs) != 1 || got.WorkspaceIDs[0] != other.ID {
		t.Fatalf("narrowed token scope %v", got.WorkspaceIDs)
	}
	c.with(all.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathWorkspaces+"/"+ws.ID, nil)
	c.with(all.Token).must(http.StatusOK, "GET", api.PathWorkspaces+"/"+other.ID, nil)
	// Service tokens act for the organisation and keep working.
	c.with(svc.Token).must(http.StatusOK, "GET", api.PathWorkspaces+"/"+ws.ID, nil)
}

// Nobody acts on a member above them: an admin transferring a workspace,
// even the owner's and to themselves, leaves the owner's tokens reaching it,
// while the tokens of members at or below the admin's rank are cut off.
func TestWorkspaceTransferSparesHigherMembers(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	admin, adminTok := memberWithToken(t, c, "admin@example.com", "admin", "admin")
	ac := c.with(adminTok.Token)
	ownerOnly := c.createToken(api.TokenCreate{Name: "owner's, default only", Role: "reader", WorkspaceIDs: []string{ts.DefaultWorkspaceID}})
	peer, _ := memberWithToken(t, c, "peer@example.com", "admin", "reader")
	peerOnly := c.createToken(api.TokenCreate{Name: "peer's", Role: "reader", MemberID: peer.ID, WorkspaceIDs: []string{ts.DefaultWorkspaceID}})

	path := api.PathWorkspaces + "/" + ts.DefaultWorkspaceID
	var res api.WorkspaceTransferResult
	ac.must(http.StatusOK, "POST", path+"/transfer", api.WorkspaceTransfer{OwnerID: admin.ID}).into(t, &res)
	if res.Workspace.OwnerID != admin.ID || res.TokensRevoked != 1 || res.TokensNarrowed != 1 {
		t.Fatalf("transfer result %+v; want the peer's scoped token revoked and the peer's all-workspaces token narrowed", res)
	}
	// The owner's tokens are untouched.
	c.must(http.StatusOK, "GET", path, nil)
	c.with(ownerOnly.Token).must(http.StatusOK, "GET", path, nil)
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+ownerOnly.ID, nil).into(t, &got)
	if len(got.WorkspaceIDs) != 1 || got.WorkspaceIDs[0] != ts.DefaultWorkspaceID {
		t.Fatalf("owner's scoped token now lists %v", got.WorkspaceIDs)
	}
	// The peer's are cut off. See docs/guides/backend-rules.md, "Workspace
	// ownership transfer".
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathTokens+"/"+peerOnly.ID, nil)

	// The owner may transfer it on and cut the admin off.
	c.must(http.StatusOK, "POST", path+"/transfer", api.WorkspaceTransfer{OwnerID: ts.OwnerID})
	ac.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", path, nil)
}

// A reader's or writer's service token reaches a workspace only while its
// owner belongs to it, like a personal token.
func TestWorkspaceRemovalNarrowsServiceTokens(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	m, tok := memberWithToken(t, c, "w@example.com", "writer", "writer")
	var ws api.Workspace
	c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "team", MemberIDs: []string{m.ID}}).into(t, &ws)
	svc := c.with(tok.Token).createToken(api.TokenCreate{Name: "svc", Role: "reader", ServiceToken: true, WorkspaceIDs: []string{ws.ID}})
	sc := c.with(svc.Token)
	sc.must(http.StatusOK, "GET", api.PathWorkspaces+"/"+ws.ID, nil)

	c.must(http.StatusOK, "DELETE", api.PathWorkspaces+"/"+ws.ID+"/members/"+m.ID, nil)
	sc.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathWorkspaces+"/"+ws.ID, nil)
	var id api.CallerIdentity
	sc.must(http.StatusOK, "GET", api.PathCallerIdentity, nil).into(t, &id)
	if len(id.WorkspaceIDs) != 0 {
		t.Fatalf("service token still reaches %v", id.WorkspaceIDs)
	}

	// An all-workspaces service token made while the writer belongs to
	// every workspace does not follow them into workspaces made later.
	all := c.with(tok.Token).createToken(api.TokenCreate{Name: "all", Role: "reader", ServiceToken: true, AllWorkspaces: true})
	var later api.Workspace
	c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "later"}).into(t, &later)
	c.with(all.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathWorkspaces+"/"+later.ID, nil)
}

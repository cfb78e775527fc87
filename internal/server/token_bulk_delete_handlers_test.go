package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// TestDeleteMemberTokensFiltered: the bulk delete takes serviceToken and
// workspaceId, deletes exactly the member's matching tokens, answers how
// many, refuses malformed filters naming them, and records the filters in
// the audit log.
func TestDeleteMemberTokensFiltered(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	m, _ := memberWithToken(t, c, "w@example.com", "writer", "writer") // personal, all workspaces
	c.must(http.StatusOK, "PUT", api.PathWorkspaces+"/"+ts.DefaultWorkspaceID+"/members/"+m.ID, nil)
	var ws api.Workspace
	c.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "ops", MemberIDs: []string{m.ID}}).into(t, &ws)
	svcOps := c.createToken(api.TokenCreate{Name: "svc ops", Role: "reader", MemberID: m.ID, ServiceToken: true, WorkspaceIDs: []string{ws.ID}})
	svcDefault := c.createToken(api.TokenCreate{Name: "svc default", Role: "reader", MemberID: m.ID, ServiceToken: true, WorkspaceIDs: []string{ts.DefaultWorkspaceID}})
	personalDefault := c.createToken(api.TokenCreate{Name: "pat default", Role: "reader", MemberID: m.ID, WorkspaceIDs: []string{ts.DefaultWorkspaceID}})
	ownerSvc := c.createToken(api.TokenCreate{Name: "owner svc", Role: "reader", ServiceToken: true, WorkspaceIDs: []string{ws.ID}})

	for q, field := range map[string]string{
		"&serviceToken=yes":    "serviceToken",
		"&workspaceId=nowhere": "workspaceId",
		"&kind=service":        "kind",
	} {
		p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "DELETE", api.PathTokens+"?memberId="+m.ID+q, nil)
		if p.Field != field {
			t.Fatalf("%s: field %q, want %q: %+v", q, p.Field, field, p)
		}
	}
	c.fail(http.StatusNotFound, api.CodeNotFound, "DELETE", api.PathTokens+"?memberId=000000000000000000000000", nil)

	// Service tokens reaching ops: the one listing it (the personal
	// all-workspaces token is not a service token).
	var res api.TokenBulkDeleteResult
	r := c.must(http.StatusOK, "DELETE", api.PathTokens+"?memberId="+m.ID+"&serviceToken=true&workspaceId="+ws.ID, nil)
	requireFields(t, r.Obj, "memberId", "deletedCount")
	r.into(t, &res)
	if res.MemberID != m.ID || res.DeletedCount != 1 {
		t.Fatalf("service tokens in ops: %+v", res)
	}
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathTokens+"/"+svcOps.ID, nil)
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+ownerSvc.ID, nil)

	// Personal tokens reaching the default workspace: the one listing it
	// and the all-workspaces one.
	c.must(http.StatusOK, "DELETE", api.PathTokens+"?memberId="+m.ID+"&serviceToken=false&workspaceId="+ts.DefaultWorkspaceID, nil).into(t, &res)
	if res.DeletedCount != 2 {
		t.Fatalf("personal tokens in default: %+v", res)
	}
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathTokens+"/"+personalDefault.ID, nil)
	c.with(svcDefault.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)

	// The rest, unfiltered.
	c.must(http.StatusOK, "DELETE", api.PathTokens+"?memberId="+m.ID, nil).into(t, &res)
	if res.DeletedCount != 1 {
		t.Fatalf("remaining tokens: %+v", res)
	}
	c.with(svcDefault.Token).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	c.must(http.StatusOK, "DELETE", api.PathTokens+"?memberId="+m.ID, nil).into(t, &res)
	if res.DeletedCount != 0 {
		t.Fatalf("nothing left: %+v", res)
	}

	audit := string(c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=1000", nil).Body)
	for _, want := range []string{"count=1 serviceToken=true workspace=" + ws.ID, "count=2 serviceToken=false workspace=" + ts.DefaultWorkspaceID, "count=0"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log has no record with %q", want)
		}
	}
}

func TestDeleteMemberTokens(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	m, tok := memberWithToken(t, c, "w@example.com", "writer", "writer")
	c.createToken(api.TokenCreate{Name: "2", Role: "reader", MemberID: m.ID})
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "DELETE", api.PathTokens, nil)
	c.with(tok.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "DELETE", api.PathTokens+"?memberId="+ts.OwnerID, nil)
	c.must(http.StatusOK, "DELETE", api.PathTokens+"?memberId="+m.ID, nil)
	c.with(tok.Token).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathTokens, nil)
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil).into(t, &list)
	if list.TotalCount != 1 {
		t.Fatalf("tokens left %d", list.TotalCount)
	}
}

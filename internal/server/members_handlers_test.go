package server_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestMembers(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	var m api.Member
	r := c.must(http.StatusCreated, "POST", api.PathMembers, api.MemberCreate{Email: "a@example.com", FirstName: "A", Role: "writer"})
	requireFields(t, r.Obj, "_id", "_links", "email", "role", "workspaceIds", "creationDate", "lastModified")
	r.into(t, &m)
	c.fail(http.StatusConflict, api.CodeConflict, "POST", api.PathMembers, api.MemberCreate{Email: "a@example.com", Role: "reader"})
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathMembers, api.MemberCreate{Email: "nope", Role: "reader"})
	if p.Field != "email" {
		t.Fatalf("field %q", p.Field)
	}
	p = c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathMembers, api.MemberCreate{Email: "b@example.com", Role: "king"})
	if p.Field != "role" {
		t.Fatalf("field %q", p.Field)
	}
	var list api.List[api.Member]
	c.must(http.StatusOK, "GET", api.PathMembers, nil).into(t, &list)
	if list.TotalCount != 2 {
		t.Fatalf("members %+v", list)
	}
	c.must(http.StatusOK, "PATCH", api.PathMembers+"/"+m.ID, []api.PatchOperation{{Op: "replace", Path: "/lastName", Value: "B"}}).into(t, &m)
	if m.LastName != "B" {
		t.Fatalf("patch %+v", m)
	}
	c.fail(http.StatusConflict, api.CodeConflict, "PATCH", api.PathMembers+"/"+ts.OwnerID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: "admin"}})
	c.fail(http.StatusConflict, api.CodeConflict, "DELETE", api.PathMembers+"/"+ts.OwnerID, nil)

	// An admin cannot create an owner.
	_, adminTok := memberWithToken(t, c, "admin@example.com", "admin", "admin")
	c.with(adminTok.Token).fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathMembers, api.MemberCreate{Email: "o@example.com", Role: "owner"})

	// Deleting a member removes their tokens.
	_, tok := memberWithToken(t, c, "gone@example.com", "reader", "reader")
	c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	c.must(http.StatusNoContent, "DELETE", api.PathMembers+"/"+tok.MemberID, nil)
	c.with(tok.Token).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathMembers+"/"+tok.MemberID, nil)
}

func TestMemberDemotionNarrowsLiveToken(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	m, tok := memberWithToken(t, c, "admin@example.com", "admin", "admin")
	ac := c.with(tok.Token)
	ac.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil)
	ac.must(http.StatusOK, "GET", api.PathMembers, nil)

	c.must(http.StatusOK, "PATCH", api.PathMembers+"/"+m.ID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: "reader"}})
	p := ac.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathTokens+"?showAll=true", nil)
	if p.ErrorNumber != api.PermissionDeniedNumber {
		t.Fatalf("errorNumber %d", p.ErrorNumber)
	}
	ac.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "x"})

	var id api.CallerIdentity
	ac.must(http.StatusOK, "GET", api.PathCallerIdentity, nil).into(t, &id)
	if id.MemberRole != "reader" || id.TokenID != tok.ID {
		t.Fatalf("identity %+v", id)
	}
	for _, perm := range id.EffectivePermissions {
		if perm == "ACCESS_TOKEN_MANAGE" {
			t.Fatalf("demoted member still holds %s", perm)
		}
	}
}

func TestCallerIdentityAndPermissions(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	r := c.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	requireFields(t, r.Obj, "tokenId", "serviceToken", "organizationId", "memberId", "memberEmail", "memberRole", "effectivePermissions", "workspaceIds", "allWorkspaces")
	var id api.CallerIdentity
	r.into(t, &id)
	if id.OrganizationID != ts.OrgID || id.MemberID != ts.OwnerID || !id.AllWorkspaces || len(id.WorkspaceIDs) != 1 {
		t.Fatalf("identity %+v", id)
	}
	var perms api.List[api.Permission]
	c.must(http.StatusOK, "GET", api.PathPermissions+"?limit=1000", nil).into(t, &perms)
	if perms.TotalCount < 30 || len(perms.Items) != perms.TotalCount {
		t.Fatalf("permissions: %d of %d", len(perms.Items), perms.TotalCount)
	}
	c.must(http.StatusOK, "GET", api.PathPermissions+"?limit=5&offset=5", nil).into(t, &perms)
	for _, rel := range []string{"self", "first", "prev", "next", "last"} {
		if _, ok := perms.Links[rel]; !ok {
			t.Errorf("link %s missing: %+v", rel, perms.Links)
		}
	}
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "GET", api.PathPermissions+"?limit=0", nil)
}

// Service tokens are bounded by their owner's current role: demoting the
// owner narrows them on the very next request, as it does personal tokens.
func TestDemotionNarrowsServiceTokens(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	m, tok := memberWithToken(t, c, "a@example.com", "admin", "admin")
	svc := c.with(tok.Token).createToken(api.TokenCreate{Name: "svc", Role: "admin", ServiceToken: true})
	sc := c.with(svc.Token)
	sc.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil)

	c.must(http.StatusOK, "PATCH", api.PathMembers+"/"+m.ID, []api.PatchOperation{{Op: "replace", Path: "/role", Value: "reader"}})
	sc.fail(http.StatusForbidden, api.CodePermissionDenied, "GET", api.PathTokens+"?showAll=true", nil)
	sc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathMembers, api.MemberCreate{Email: "x@example.com", Role: "reader"})
	var id api.CallerIdentity
	sc.must(http.StatusOK, "GET", api.PathCallerIdentity, nil).into(t, &id)
	if slices.Contains(id.EffectivePermissions, "ACCESS_TOKEN_MANAGE") || slices.Contains(id.EffectivePermissions, "API_WRITE") {
		t.Fatalf("service token of a demoted member holds %v", id.EffectivePermissions)
	}
	// Nor can the demoted member mint a new service token from it.
	sc.fail(http.StatusForbidden, api.CodePermissionDenied, "POST", api.PathTokens, api.TokenCreate{Name: "again", Role: "admin", ServiceToken: true})
}

// Owners demoting or removing themselves concurrently never leave the
// organisation without an owner.
func TestLastOwnerSurvivesConcurrentDemotions(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	type owner struct{ id, token string }
	owners := []owner{{ts.OwnerID, ts.OwnerToken}}
	for i := range 7 {
		m, tok := memberWithToken(t, c, fmt.Sprintf("o%d@example.com", i), "owner", "admin")
		owners = append(owners, owner{m.ID, tok.Token})
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, o := range owners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			oc := c.with(o.token)
			if i%2 == 0 {
				oc.do("PATCH", api.PathMembers+"/"+o.id, []api.PatchOperation{{Op: "replace", Path: "/role", Value: "reader"}})
			} else {
				oc.do("DELETE", api.PathMembers+"/"+o.id, nil)
			}
		}()
	}
	close(start)
	wg.Wait()
	members, err := ts.Store.ListMembers(context.Background(), ts.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	left := 0
	for _, m := range members {
		if m.Role == api.RoleOwner {
			left++
		}
	}
	if left != 1 {
		t.Fatalf("%d owners left, want exactly 1", left)
	}
}

// TestListMembersByEmail: ?email= finds a member whatever the case, and
// answers an empty list for an unknown address.
func TestListMembersByEmail(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	var m api.Member
	c.must(http.StatusCreated, "POST", api.PathMembers, api.MemberCreate{Email: "Ada@Example.com", Role: "writer"}).into(t, &m)
	var list api.List[api.Member]
	c.must(http.StatusOK, "GET", api.PathMembers+"?email=ada%40example.COM", nil).into(t, &list)
	if list.TotalCount != 1 || len(list.Items) != 1 || list.Items[0].ID != m.ID {
		t.Fatalf("by email: %+v", list)
	}
	c.must(http.StatusOK, "GET", api.PathMembers+"?email=nobody%40example.com", nil).into(t, &list)
	if list.TotalCount != 0 || len(list.Items) != 0 {
		t.Fatalf("unknown email: %+v", list)
	}
}

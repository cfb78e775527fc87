package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

var tokenAlways = []string{"_id", "ownerId", "memberId", "creationDate", "lastModified", "_links", "serviceToken", "defaultApiVersion", "_member"}

func TestTokenCreateGetListPatchDelete(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)

	r := c.must(http.StatusCreated, "POST", api.PathTokens, api.TokenCreate{Name: "ci", Description: "for CI", Role: "writer"})
	requireFields(t, r.Obj, tokenAlways...)
	requireFields(t, r.Obj, "name", "role", "token")
	forbidFields(t, r.Obj, "customRoleIds", "inlineRole", "permissions", "lastUsed")
	var tok api.Token
	r.into(t, &tok)
	if !strings.HasPrefix(tok.Token, "tsm_pat_") {
		t.Fatalf("create did not return the whole secret: %q", tok.Token)
	}
	if tok.OwnerID != ts.OrgID || tok.MemberID != ts.OwnerID || tok.DefaultAPIVersion != 20240415 || !tok.AllWorkspaces {
		t.Fatalf("unexpected token %+v", tok)
	}
	if tok.Member == nil || tok.Member.ID != ts.OwnerID {
		t.Fatalf("_member %+v", tok.Member)
	}

	r = c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil)
	requireFields(t, r.Obj, tokenAlways...)
	var got api.Token
	r.into(t, &got)
	if got.Token != tok.Token[len(tok.Token)-4:] {
		t.Fatalf("read shows %q, want last four", got.Token)
	}

	// The new token works and shows lastUsed afterwards.
	c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	r = c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil)
	requireFields(t, r.Obj, "lastUsed")

	r = c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil)
	var list api.List[api.Token]
	r.into(t, &list)
	if list.TotalCount != 2 || len(list.Items) != 2 {
		t.Fatalf("list: %s", r.Body)
	}
	requireFields(t, r.Obj, "items", "totalCount", "_links")

	r = c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{
		{Op: "replace", Path: "/name", Value: "ci-2"},
		{Op: "replace", Path: "/permissions", Value: []string{"ACCESS_TOKEN_READ"}},
	})
	var patched api.Token
	r.into(t, &patched)
	if patched.Name != "ci-2" || patched.Role != "" || len(patched.Permissions) != 1 {
		t.Fatalf("patched %s", r.Body)
	}
	p := c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "PATCH", api.PathTokens+"/"+tok.ID, []api.PatchOperation{{Op: "replace", Path: "/expirationDate", Value: 1}})
	if p.Field != "expirationDate" || !strings.Contains(p.Detail, "expirationDate") {
		t.Fatalf("fixed field problem %+v", p)
	}

	c.must(http.StatusNoContent, "DELETE", api.PathTokens+"/"+tok.ID, nil)
	c.fail(http.StatusNotFound, api.CodeNotFound, "GET", api.PathTokens+"/"+tok.ID, nil)
	c.with(tok.Token).fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
}

func TestAuthentication(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, "")
	c.fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathTokens, nil)
	c.with("tsm_pat_nonsense").fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathTokens, nil)
	c.with("Bearer "+ts.OwnerToken).must(http.StatusOK, "GET", api.PathTokens, nil)
	c.with(ts.OwnerToken).must(http.StatusOK, "GET", api.PathTokens, nil)
}

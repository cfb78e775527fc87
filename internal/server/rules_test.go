package server_test

import (
	"net/http"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestTokenDryRunWritesNothing(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	r := c.must(http.StatusOK, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "x", Role: "reader"})
	requireFields(t, r.Obj, tokenAlways...)
	if r.Obj["_id"] != "" || r.Obj["token"] != nil {
		t.Fatalf("dry run: %s", r.Body)
	}
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+tok.ID+"?dryRun=true", []api.PatchOperation{{Op: "replace", Path: "/name", Value: "y"}})
	var got api.Token
	c.must(http.StatusOK, "GET", api.PathTokens+"/"+tok.ID, nil).into(t, &got)
	if got.Name != "x" {
		t.Fatalf("dry-run patch wrote: %+v", got)
	}
	var list api.List[api.Token]
	c.must(http.StatusOK, "GET", api.PathTokens+"?showAll=true", nil).into(t, &list)
	if list.TotalCount != 2 {
		t.Fatalf("tokens %d", list.TotalCount)
	}
	var audit api.List[api.AuditEntry]
	c.must(http.StatusOK, "GET", api.PathAuditLog, nil).into(t, &audit)
	if audit.TotalCount != 1 || audit.Items[0].Action != "token.create" {
		t.Fatalf("audit %+v", audit)
	}
}

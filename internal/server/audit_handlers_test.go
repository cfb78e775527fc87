package server_test

import (
	"net/http"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestAuditRecordsWrites(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset", nil)
	c.must(http.StatusNoContent, "DELETE", api.PathTokens+"/"+tok.ID, nil)
	var audit api.List[api.AuditEntry]
	c.must(http.StatusOK, "GET", api.PathAuditLog+"?limit=10", nil).into(t, &audit)
	actions := map[string]bool{}
	for _, e := range audit.Items {
		actions[e.Action] = true
		if e.MemberID != ts.OwnerID || e.Target != "token/"+tok.ID {
			t.Errorf("entry %+v", e)
		}
	}
	for _, a := range []string{"token.create", "token.reset", "token.delete"} {
		if !actions[a] {
			t.Errorf("no %s in %+v", a, audit.Items)
		}
	}
}

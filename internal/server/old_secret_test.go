package server_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// After a reset with a grace period, the old secret S0 keeps working for
// what its token may do, but it cannot take the token over (reset it and
// lock out the new secret S1, change or delete it) nor create or reset any
// token. S1 keeps working throughout.
func TestOldSecretCannotTakeOverItsToken(t *testing.T) {
	ts := testserver.New(t)
	c := newClient(t, ts, ts.OwnerToken)
	m, tok := memberWithToken(t, c, "ci@example.com", "admin", "admin")
	s0 := c.with(tok.Token)
	other := s0.createToken(api.TokenCreate{Name: "other", Role: "reader"})

	grace := strconv.FormatInt(ts.Clock.Now().Add(time.Minute).UnixMilli(), 10)
	var reset api.Token
	s0.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?expiry="+grace, nil).into(t, &reset)
	s1 := c.with(reset.Token)

	own := api.PathTokens + "/" + tok.ID
	rename := []api.PatchOperation{{Op: "replace", Path: "/name", Value: "taken"}}
	refused := []struct{ method, path string }{
		{"POST", own + "/reset"},
		{"POST", own + "/reset?dryRun=true"},
		{"POST", own + "/reset?expiry=" + grace},
		{"POST", api.PathTokens + "/" + other.ID + "/reset"},
		{"PATCH", own},
		{"PATCH", own + "?dryRun=true"},
		{"DELETE", own},
		{"DELETE", api.PathTokens + "?memberId=" + m.ID},
		{"POST", api.PathTokens},
		{"POST", api.PathTokens + "?dryRun=true"},
	}
	for _, rq := range refused {
		var body any
		switch {
		case rq.method == "PATCH":
			body = rename
		case rq.path == api.PathTokens || rq.path == api.PathTokens+"?dryRun=true":
			body = api.TokenCreate{Name: "minted", Role: "admin"}
		}
		p := s0.fail(http.StatusForbidden, api.CodePermissionDenied, rq.method, rq.path, body)
		if p.Detail == "" {
			t.Errorf("%s %s: refusal without a reason", rq.method, rq.path)
		}
	}

	// Nothing changed: S1 works, the token keeps its name, nothing was minted.
	var got api.Token
	s1.must(http.StatusOK, "GET", own, nil).into(t, &got)
	if got.Name != tok.Name {
		t.Errorf("token renamed to %q by its old secret", got.Name)
	}
	var list api.List[api.Token]
	s1.must(http.StatusOK, "GET", api.PathTokens, nil).into(t, &list)
	if list.TotalCount != 2 {
		t.Errorf("the member holds %d tokens, want 2 (nothing minted or deleted)", list.TotalCount)
	}

	// S0 keeps working for everything else.
	s0.must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
	s0.must(http.StatusOK, "GET", own, nil)
	s0.must(http.StatusOK, "PATCH", api.PathTokens+"/"+other.ID, rename)
	s0.must(http.StatusCreated, "POST", api.PathWorkspaces, api.WorkspaceCreate{Name: "made-with-s0"})
	s0.must(http.StatusNoContent, "DELETE", api.PathTokens+"/"+other.ID, nil)

	// S1 may do all of it, and its reset ends S0 at once.
	s1.must(http.StatusOK, "PATCH", own, rename)
	s1.createToken(api.TokenCreate{Name: "minted", Role: "reader"})
	s1.must(http.StatusOK, "POST", own+"/reset", nil)
	s0.fail(http.StatusUnauthorized, api.CodeUnauthorized, "GET", api.PathCallerIdentity, nil)
}

package server_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// TestDryRunsWriteNothing runs every dry-runnable operation, each with an
// Idempotency-Key as the client sends on every POST, and counts writes.
func TestDryRunsWriteNothing(t *testing.T) {
	ts, cs := newCountingServer(t)
	c := newClient(t, ts, ts.OwnerToken)
	tok := c.createToken(api.TokenCreate{Name: "x", Role: "reader"})
	c.must(http.StatusCreated, "POST", api.PathRoles, api.CustomRoleCreate{Key: "r", Name: "R", Permissions: []string{"API_READ"}})
	before := cs.total()

	key := func(i int) []string { return []string{api.HeaderIdempotencyKey, fmt.Sprint("dry-", i)} }
	c.must(http.StatusOK, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "y", Role: "reader"}, key(1)...)
	c.must(http.StatusOK, "PATCH", api.PathTokens+"/"+tok.ID+"?dryRun=true", []api.PatchOperation{{Op: "replace", Path: "/name", Value: "z"}})
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?dryRun=true", nil, key(2)...)
	c.must(http.StatusOK, "POST", api.PathTokens+"/"+tok.ID+"/reset?dryRun=true&expiry="+fmt.Sprint(ts.Clock.Now().Add(time.Hour).UnixMilli()), nil, key(3)...)
	c.must(http.StatusOK, "POST", api.PathRoles+"?dryRun=true", api.CustomRoleCreate{Key: "s", Name: "S", Permissions: []string{"API_READ"}}, key(4)...)
	c.must(http.StatusOK, "PATCH", api.PathRoles+"/r?dryRun=true", api.PatchWithComment{Patch: []api.PatchOperation{{Op: "replace", Path: "/name", Value: "Q"}}, Comment: "try"})
	// Refusals found by a dry run write nothing either.
	c.fail(http.StatusBadRequest, api.CodeInvalidRequest, "POST", api.PathTokens+"?dryRun=true", api.TokenCreate{Name: "y"}, key(5)...)
	c.fail(http.StatusConflict, api.CodeConflict, "POST", api.PathRoles+"?dryRun=true", api.CustomRoleCreate{Key: "r", Name: "R", Permissions: []string{"API_READ"}}, key(6)...)

	if after := cs.total(); after != before {
		t.Fatalf("dry runs wrote %d times: %v", after-before, cs.snapshot())
	}
	// The old secret still works: the dry-run reset did not rotate it.
	c.with(tok.Token).must(http.StatusOK, "GET", api.PathCallerIdentity, nil)
}

package provider

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// The dry run of a replacement names the token it replaces; when that token
// is gone already, the dry run is judged without it: against a full quota
// it fails, against a quota with room it passes.
func TestDryRun_replacedTokenGone(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(c *server.Config) { c.Quota.PerMember = 2 }))
	r := &accessTokenResource{data: &providerData{Client: testAccClient(t, ts), Now: time.Now}}
	var diags diag.Diagnostics
	plan := accessTokenModel{
		Name: types.StringValue("ci"), Description: types.StringNull(), Role: types.StringValue("reader"),
		CustomRoles: types.SetNull(types.StringType), InlineRole: types.SetNull(policyStatementType),
		Permissions: types.SetNull(types.StringType), WorkspaceIDs: types.SetNull(types.StringType),
		AllWorkspaces: types.BoolValue(true), ServiceToken: types.BoolValue(false),
		DefaultAPIVersion: types.Int64Unknown(), ExpiresAt: types.StringNull(), ExpiresInDays: types.Int64Null(),
	}
	r.dryRun(context.Background(), plan, nil, "0000deleted0000", &diags)
	if diags.HasError() {
		t.Fatalf("one token of two: %v", diags)
	}

	createOwnerToken(t, ts)
	diags = nil
	r.dryRun(context.Background(), plan, nil, "0000deleted0000", &diags)
	if !diags.HasError() {
		t.Fatal("a full quota passed because a token that no longer exists was named")
	}
}

// createOwnerToken creates one more token of the owner.
func createOwnerToken(t *testing.T, ts *testserver.Server) {
	t.Helper()
	if _, err := testAccClient(t, ts).CreateToken(context.Background(), apiTokenCreate(ts.OwnerID, "reader", nil), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
}

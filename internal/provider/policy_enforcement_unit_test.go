package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

func TestWarnNotEnforced(t *testing.T) {
	ctx := context.Background()
	set, d := statementsFromAPI(ctx, []api.Statement{
		{Effect: "allow", Actions: []string{"API_READ"}, Resources: []string{"workspace/*"}},
		{Effect: "allow", Actions: []string{"API_READ", "updateOn"}, Resources: []string{"proj/*", "org"}},
		{Effect: "allow", Actions: []string{"*"}, NotResources: []string{"proj/*"}},
		{Effect: "deny", NotActions: []string{"updateOn"}, Resources: []string{"workspace/w1"}},
		{Effect: "allow", Actions: []string{"updateOn", "updateOff"}, Resources: []string{"*"}},
		{Effect: "deny", Actions: []string{"*"}, Resources: []string{"proj/*:env/production", "acct"}},
	})
	if d.HasError() {
		t.Fatal(d)
	}
	var diags diag.Diagnostics
	warnNotEnforced(ctx, set, "inline_role", `access token "ci"`, &diags)
	var got []string
	for _, w := range diags {
		if w.Severity() != diag.SeverityWarning || w.Summary() != notEnforcedSummary {
			t.Fatalf("unexpected diagnostic %s: %s", w.Summary(), w.Detail())
		}
		got = append(got, w.Detail())
	}
	want := []string{
		"A statement in inline_role of access token \"ci\": `acct`, `proj/*:env/production` name no resource of this backend: the statement is stored but has no effect here.",
		"A statement in inline_role of access token \"ci\": `updateOff`, `updateOn` name no permission of this backend: the statement is stored but has no effect here.",
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("warnings:\n got %q\nwant %q", got, want)
	}
}

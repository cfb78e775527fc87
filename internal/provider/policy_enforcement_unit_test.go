package provider

import (
	"context"
	"slices"
	"strings"
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
	summaries := map[string]bool{}
	for _, w := range diags {
		if w.Severity() != diag.SeverityWarning || !strings.HasPrefix(w.Summary(), notEnforcedSummary+`: access token "ci": `) {
			t.Fatalf("unexpected diagnostic %s: %s", w.Summary(), w.Detail())
		}
		if summaries[w.Summary()] {
			t.Fatalf("two warnings share the summary %q; the CLIs would print only one", w.Summary())
		}
		summaries[w.Summary()] = true
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

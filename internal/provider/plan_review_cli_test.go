package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// Two tokens widened and reset in one plan: the CLI prints each listing in
// full, with the workspace's name beside its id, and merges none of them
// into "(and one more similar warning elsewhere)".
func TestAccPlanReview_cliPrintsEveryListing(t *testing.T) {
	ts := testserver.New(t)
	platform, err := testAccClient(t, ts).CreateWorkspace(context.Background(), api.WorkspaceCreate{Name: "platform"})
	if err != nil {
		t.Fatal(err)
	}
	cli := newTestAccCLI(t, ts)
	tokens := func(role, trigger string, workspaces ...string) string {
		var b strings.Builder
		b.WriteString(testAccProviderConfig(ts))
		for _, name := range []string{"alpha", "beta"} {
			fmt.Fprintf(&b, "resource \"tokensmith_access_token\" %q {\n  name = %q\n  role = %q\n", name, name, role)
			quoted := make([]string, len(workspaces))
			for i, ws := range workspaces {
				quoted[i] = fmt.Sprintf("%q", ws)
			}
			fmt.Fprintf(&b, "  workspace_ids = [%s]\n  rotation_triggers = { n = %q }\n}\n", strings.Join(quoted, ", "), trigger)
		}
		return b.String()
	}
	cli.write(tokens("reader", "1", ts.DefaultWorkspaceID))
	cli.run("init")
	cli.run("apply", "-auto-approve")
	ids := testAccTokenIDsByName(t, ts)

	cli.write(tokens("writer", "2", ts.DefaultWorkspaceID, platform.ID))
	out := cli.run("plan")
	if strings.Contains(out, "similar warning") {
		t.Errorf("the CLI merged warnings:\n%s", out)
	}
	for _, name := range []string{"alpha", "beta"} {
		subject := fmt.Sprintf("tokensmith_access_token %q (%s)", name, ids[name])
		for _, want := range []string{
			"Warning: Change Widens Access: " + subject + "\n",
			fmt.Sprintf("tokensmith_access_token with name %q widens access:\n", name) +
				"  + role: reader -> writer (adds API_WRITE, APPLICATION_WRITE, SUBSCRIPTIONS_WRITE)\n" +
				fmt.Sprintf("  + workspaces: %s (%q)", platform.ID, "platform"),
			"Warning: Access Token Secret Will Be Reset: " + subject + "\n",
		} {
			if !wordsRegexp(want).MatchString(out) {
				t.Errorf("the plan does not print %q:\n%s", want, out)
			}
		}
	}
}

// testAccTokenIDsByName maps the names of ts's tokens to their ids.
func testAccTokenIDsByName(t *testing.T, ts *testserver.Server) map[string]string {
	t.Helper()
	list, err := testAccClient(t, ts).ListTokens(context.Background(), true, client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, tok := range list.Items {
		ids[tok.Name] = tok.ID
	}
	return ids
}

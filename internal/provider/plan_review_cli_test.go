package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

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

// Two tokens due for rotation and two custom roles in use, in one plan each:
// the CLI prints every warning in full.
func TestAccPlanReview_cliPrintsEveryRotationAndRoleListing(t *testing.T) {
	ts := testserver.New(t)
	cli := newTestAccCLI(t, ts)
	config := func(roles bool) string {
		var b strings.Builder
		b.WriteString(testAccProviderConfig(ts))
		for _, name := range []string{"alpha", "beta"} {
			fmt.Fprintf(&b, "resource \"tokensmith_access_token\" %q {\n  name = %q\n  role = \"reader\"\n", name, name)
			b.WriteString("  all_workspaces = true\n  expires_in_days = 10\n  rotate_before_days = 3\n}\n")
			if roles {
				fmt.Fprintf(&b, "resource \"tokensmith_custom_role\" %q {\n  key = %q\n  name = %q\n", name, name, name)
				b.WriteString("  permissions = [\"WORKSPACE_READ\"]\n}\n")
			}
		}
		return b.String()
	}
	cli.write(config(true))
	cli.run("init")
	cli.run("apply", "-auto-approve")
	ids := testAccTokenIDsByName(t, ts)
	c := testAccClient(t, ts)
	for _, key := range []string{"alpha", "beta"} {
		if _, err := c.CreateToken(context.Background(), api.TokenCreate{
			Name: "uses " + key, CustomRoleIDs: []string{key}, AllWorkspaces: true,
		}, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	ts.Clock.Advance(8 * 24 * time.Hour)
	cli.write(config(false))
	out, _ := cli.try("plan")
	if strings.Contains(out, "similar warning") {
		t.Errorf("the CLI merged warnings:\n%s", out)
	}
	for _, name := range []string{"alpha", "beta"} {
		for _, want := range []string{
			fmt.Sprintf("Warning: Access Token Due for Rotation: tokensmith_access_token %q (%s)", name, ids[name]),
			fmt.Sprintf("Warning: Custom Role In Use: tokensmith_custom_role %q", name),
			fmt.Sprintf("tokensmith_custom_role with key %q is used by access token(s) \"uses %s\"", name, name),
		} {
			if !wordsRegexp(want).MatchString(out) {
				t.Errorf("the plan does not print %q:\n%s", want, out)
			}
		}
	}
}

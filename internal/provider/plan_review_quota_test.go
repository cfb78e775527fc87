package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// A member at its token quota can still replace a token, with -replace or
// by changing an attribute that forces a replacement: the old token is
// deleted before the new one is created. The plan says that
// create_before_destroy would need room for both.
func TestAccPlanReview_replacementAtQuota(t *testing.T) {
	// The owner's bootstrap token and the token below fill the quota of two.
	ts := testserver.New(t, testserver.WithConfig(func(c *server.Config) { c.Quota.PerMember = 2 }))
	cli := newTestAccCLI(t, ts)
	token := func(days, lifecycle string) string {
		return testAccTokenConfig(ts, "  name = \"ci\"\n  role = \"reader\"\n  all_workspaces = true\n  expires_in_days = "+days+"\n"+lifecycle)
	}
	note := wordsRegexp(`Warning: Replacement at Token Quota: tokensmith_access_token "ci"`)
	roomForBoth := wordsRegexp(`With lifecycle { create_before_destroy = true } the new token is created first ` +
		`and the backend refuses it: that needs room for both tokens.`)

	cli.write(token("10", ""))
	cli.run("init")
	cli.run("apply", "-auto-approve")
	first := testAccTokenIDsByName(t, ts)["ci"]

	// The CLIs drop warnings of the plan that knows of -replace, so there is
	// no note here; the plan and the apply succeed.
	out := cli.run("plan", "-replace="+testAccTokenAddr)
	if !strings.Contains(out, "will be replaced, as requested") {
		t.Fatalf("plan -replace at quota:\n%s", out)
	}
	cli.run("apply", "-auto-approve", "-replace="+testAccTokenAddr)
	second := testAccTokenIDsByName(t, ts)["ci"]
	if second == first || second == "" {
		t.Fatalf("apply -replace kept token %s (now %q)", first, second)
	}

	cli.write(token("20", ""))
	if out := cli.run("apply", "-auto-approve"); !note.MatchString(out) || !roomForBoth.MatchString(out) {
		t.Fatalf("a replacement forced by expires_in_days at quota:\n%s", out)
	}
	if third := testAccTokenIDsByName(t, ts)["ci"]; third == second || third == "" {
		t.Fatalf("changing expires_in_days kept token %s (now %q)", second, third)
	}
	if n := testAccTokenCount(t, ts); n != 2 {
		t.Fatalf("%d tokens, want 2", n)
	}

	// create_before_destroy: the plan passes with the note, the apply is
	// refused by the backend, and nothing is lost.
	cli.write(token("30", "  lifecycle {\n    create_before_destroy = true\n  }\n"))
	if out := cli.run("plan"); !roomForBoth.MatchString(out) {
		t.Fatalf("plan with create_before_destroy:\n%s", out)
	}
	out, err := cli.try("apply", "-auto-approve")
	if err == nil || !wordsRegexp("token quota exceeded: at most 2 tokens per member").MatchString(out) {
		t.Fatalf("apply with create_before_destroy at quota (%v):\n%s", err, out)
	}
	if n := testAccTokenCount(t, ts); n != 2 {
		t.Fatalf("%d tokens after the refused apply, want 2", n)
	}
}

// Removing allow_widening plans no update, and the next widening is refused
// again: the review reads the configuration, not state.
func TestAccPlanReview_allowWideningRemoved(t *testing.T) {
	ts := testserver.New(t)
	cfg := func(role, allow string) string {
		return testAccReviewProviderConfig(ts, "error") + testAccReviewToken("  role = \""+role+"\"\n  all_workspaces = true\n"+allow)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{Config: cfg("reader", "")},
			{Config: cfg("writer", "  allow_widening = true\n")},
			{
				Config:           cfg("writer", ""),
				ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionNoop),
			},
			{
				Config:      cfg("admin", ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Change Widens Access: tokensmith_access_token "ci".*role: writer -> admin`),
			},
		},
	})
}

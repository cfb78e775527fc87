package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/review"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// The two statements as the wider service's users keep them.
const testAccForeignStatements = `[
    {
      effect    = "deny"
      actions   = ["*"]
      resources = ["proj/*:env/production"]
    },
    {
      effect    = "allow"
      actions   = ["updateOn", "updateOff"]
      resources = ["proj/mobile:env/test;qa_*:flag/*"]
    },
  ]`

// testAccForeignAPIStatements are the same, ordered by effect as
// checkStoredAsSent orders what the backend returns (the provider sends
// sets, whose order means nothing).
var testAccForeignAPIStatements = []api.Statement{
	{Effect: "allow", Actions: []string{"updateOff", "updateOn"}, Resources: []string{"proj/mobile:env/test;qa_*:flag/*"}},
	{Effect: "deny", Actions: []string{"*"}, Resources: []string{"proj/*:env/production"}},
}

func testAccForeignConfig(ts *testserver.Server, mode, extraRoleStatement string) string {
	return testAccReviewProviderConfig(ts, mode) + `
resource "tokensmith_custom_role" "test" {
  key  = "ld"
  name = "Feature flags"
  policy_statements = concat(` + testAccForeignStatements + `, [` + extraRoleStatement + `])
}

resource "tokensmith_access_token" "test" {
  name           = "ci"
  all_workspaces = true
  inline_role    = ` + testAccForeignStatements + `
}
`
}

// notEnforcedWarnings is what the plan warns about the foreign statements of
// the role and the token.
func notEnforcedWarnings(attr, owner string) []string {
	return []string{
		fmt.Sprintf("A statement in %s of %s: `proj/*:env/production` names no resource of this backend: the statement is stored but has no effect here.", attr, owner),
		fmt.Sprintf("A statement in %s of %s: `proj/mobile:env/test;qa_*:flag/*` names no resource of this backend: the statement is stored but has no effect here.", attr, owner),
	}
}

func checkNotEnforcedWarnings(rec *planDiagnostics) resource.TestCheckFunc {
	return func(*terraform.State) error {
		want := append(notEnforcedWarnings("policy_statements", `custom role "ld"`), notEnforcedWarnings("inline_role", `access token "ci"`)...)
		got := rec.details(tfprotov6.DiagnosticSeverityWarning, notEnforcedSummary)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			return fmt.Errorf("warnings %q:\n got %q\nwant %q", notEnforcedSummary, got, want)
		}
		if errs := rec.details(tfprotov6.DiagnosticSeverityError, notEnforcedSummary); len(errs) > 0 {
			return fmt.Errorf("statements without effect reported as errors: %q", errs)
		}
		return nil
	}
}

// checkStoredAsSent reads the role and the token back from the backend and
// compares their statements with what the configuration says, value for
// value, and their notEnforced flags.
func checkStoredAsSent(t *testing.T, ts *testserver.Server) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		c := testAccClient(t, ts)
		ctx := context.Background()
		role, err := c.GetCustomRole(ctx, "ld")
		if err != nil {
			return err
		}
		id, err := testAccStateID(s, testAccTokenAddr)
		if err != nil {
			return err
		}
		tok, err := c.GetToken(ctx, id)
		if err != nil {
			return err
		}
		for what, got := range map[string][]api.Statement{"role": role.Policy, "token": tok.InlineRole} {
			sorted := slices.Clone(got)
			slices.SortFunc(sorted, func(a, b api.Statement) int { return strings.Compare(a.Effect, b.Effect) })
			if fmt.Sprint(sorted) != fmt.Sprint(testAccForeignAPIStatements) {
				return fmt.Errorf("%s statements stored as %v, want %v", what, got, testAccForeignAPIStatements)
			}
		}
		if !slices.Equal(role.NotEnforced, []int{0, 1}) || !slices.Equal(tok.NotEnforced, []int{0, 1}) {
			return fmt.Errorf("notEnforced: role %v, token %v; want [0 1] for both", role.NotEnforced, tok.NotEnforced)
		}
		return nil
	}
}

func TestAccPolicyStatement_foreignSpecifiers(t *testing.T) {
	ts := testserver.New(t)
	rec := &planDiagnostics{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccRecordingFactories(ts, rec),
		Steps: []resource.TestStep{
			{
				// Accepted as written, warned about, never refused.
				PreConfig: rec.reset,
				Config:    testAccForeignConfig(ts, "error", ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkNotEnforcedWarnings(rec),
					checkStoredAsSent(t, ts),
					resource.TestCheckTypeSetElemNestedAttrs(testAccTokenAddr, "inline_role.*", map[string]string{
						"effect": "allow", "actions.#": "2", "resources.0": "proj/mobile:env/test;qa_*:flag/*",
					}),
					resource.TestCheckTypeSetElemNestedAttrs(testAccRoleAddr, "policy_statements.*", map[string]string{
						"effect": "deny", "actions.0": "*", "resources.0": "proj/*:env/production",
					}),
				),
			},
			{
				// Read back, they plan no change, and are still warned about.
				PreConfig: rec.reset,
				Config:    testAccForeignConfig(ts, "error", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: checkNotEnforcedWarnings(rec),
			},
			{
				// allow with not_resources naming only foreign resources takes
				// effect on every resource, so it is a widening like any other.
				PreConfig: rec.reset,
				Config:    testAccForeignConfig(ts, "error", `{ effect = "allow", actions = ["*"], not_resources = ["proj/*"] }`),
				ExpectError: regexp.MustCompile(`(?s)` + review.Summary + `.*` +
					wordsRegexp("tokensmith_custom_role with key \"ld\" widens access: + allow: * on *").String()),
			},
		},
	})
}

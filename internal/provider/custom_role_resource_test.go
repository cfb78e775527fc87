package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

const testAccRoleAddr = "tokensmith_custom_role.test"

func testAccRoleConfig(ts *testserver.Server, body string) string {
	return testAccProviderConfig(ts) + "resource \"tokensmith_custom_role\" \"test\" {\n" + body + "\n}\n"
}

func TestAccCustomRole_lifecycle(t *testing.T) {
	ts := testserver.New(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config: testAccRoleConfig(ts, `
  key              = "release.manager"
  name             = "Release manager"
  description      = "Ships things"
  permissions = ["WORKSPACE_READ", "ACCESS_TOKEN_READ"]
  policy_statements = [
    {
      effect    = "allow"
      actions   = ["ACCESS_TOKEN_*"]
      resources = ["workspace/*"]
    },
    {
      effect        = "deny"
      actions       = ["ACCESS_TOKEN_WRITE"]
      not_resources = ["workspace/*"]
    },
  ]
`),
				ConfigPlanChecks:  expectAction(testAccRoleAddr, plancheck.ResourceActionCreate),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testAccRoleAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(testAccRoleAddr, "key", "release.manager"),
					resource.TestCheckResourceAttr(testAccRoleAddr, "policy_statements.#", "2"),
					resource.TestCheckResourceAttr(testAccRoleAddr, "permissions.#", "2"),
					resource.TestCheckResourceAttrSet(testAccRoleAddr, "id"),
				),
			},
			{
				// Reordering statements and values changes nothing.
				Config: testAccRoleConfig(ts, `
  key              = "release.manager"
  name             = "Release manager"
  description      = "Ships things"
  permissions = ["ACCESS_TOKEN_READ", "WORKSPACE_READ"]
  policy_statements = [
    {
      effect        = "deny"
      not_resources = ["workspace/*"]
      actions       = ["ACCESS_TOKEN_WRITE"]
    },
    {
      effect    = "allow"
      actions   = ["ACCESS_TOKEN_*"]
      resources = ["workspace/*"]
    },
  ]
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: testAccRoleConfig(ts, `
  key  = "release.manager"
  name = "Release captain"
  policy_statements = [
    {
      effect      = "allow"
      not_actions = ["MEMBER_WRITE"]
      resources   = ["workspace/*", "org"]
    },
  ]
`),
				ConfigPlanChecks:  expectAction(testAccRoleAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testAccRoleAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(testAccRoleAddr, "name", "Release captain"),
					resource.TestCheckNoResourceAttr(testAccRoleAddr, "description"),
					resource.TestCheckNoResourceAttr(testAccRoleAddr, "permissions"),
					resource.TestCheckResourceAttr(testAccRoleAddr, "base_permissions", "no_access"),
					resource.TestCheckResourceAttr(testAccRoleAddr, "policy_statements.#", "1"),
					resource.TestCheckTypeSetElemAttr(testAccRoleAddr, "policy_statements.0.not_actions.*", "MEMBER_WRITE"),
				),
			},
			{
				ResourceName:      testAccRoleAddr,
				ImportState:       true,
				ImportStateId:     "release.manager",
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccCustomRole_keyChangeReplaces(t *testing.T) {
	ts := testserver.New(t)
	differentID := statecheck.CompareValue(compare.ValuesDiffer())
	cfg := func(key string) string {
		return testAccRoleConfig(ts, "  key = \""+key+"\"\n  name = \"Reader\"\n  permissions = [\"WORKSPACE_READ\"]\n")
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config:            cfg("reader-a"),
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(testAccRoleAddr, tfjsonpath.New("id"))},
			},
			{
				Config:            cfg("reader-b"),
				ConfigPlanChecks:  expectAction(testAccRoleAddr, plancheck.ResourceActionReplace),
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(testAccRoleAddr, tfjsonpath.New("id"))},
			},
		},
	})
}

func TestAccCustomRole_deletedOutsideTerraform(t *testing.T) {
	ts := testserver.New(t)
	c := testAccClient(t, ts)
	cfg := testAccRoleConfig(ts, "  key = \"gone\"\n  name = \"Gone\"\n  permissions = [\"WORKSPACE_READ\"]\n")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					if err := c.DeleteCustomRole(context.Background(), "gone"); err != nil {
						t.Fatalf("delete outside Terraform: %v", err)
					}
				},
				Config:           cfg,
				ConfigPlanChecks: expectAction(testAccRoleAddr, plancheck.ResourceActionCreate),
				Check: func(*terraform.State) error {
					_, err := c.GetCustomRole(context.Background(), "gone")
					return err
				},
			},
		},
	})
}

func TestAccCustomRole_validation(t *testing.T) {
	ts := testserver.New(t)
	cases := map[string]testAccPlanError{
		"malformed key":  {"  key = \"-nope\"\n  name = \"n\"\n", `(?s)key.*must start with a letter or digit`},
		"key with space": {"  key = \"a b\"\n  name = \"n\"\n", `(?s)key.*must start with a letter or digit`},
		"both actions forms": {"  key = \"k\"\n  name = \"n\"\n  policy_statements = [{ effect = \"allow\", actions = [\"*\"], not_actions = [\"X\"], resources = [\"org\"] }]\n",
			`(?s)Invalid Attribute Combination.*not_actions`},
		"no resources": {"  key = \"k\"\n  name = \"n\"\n  policy_statements = [{ effect = \"allow\", actions = [\"*\"] }]\n",
			`(?s)Invalid Attribute Combination.*not_resources`},
		"bad effect": {"  key = \"k\"\n  name = \"n\"\n  policy_statements = [{ effect = \"permit\", actions = [\"*\"], resources = [\"org\"] }]\n",
			`(?s)effect.*allow.*deny`},
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps:                    testAccPlanErrorSteps(func(body string) string { return testAccRoleConfig(ts, body) }, cases),
	})
}

func TestAccCustomRole_unknownPermission(t *testing.T) {
	ts := testserver.New(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			// Found during plan, against the catalogue (plan_review.go).
			Config:      testAccRoleConfig(ts, "  key = \"typo\"\n  name = \"Typo\"\n  permissions = [\"WORKSPACE_RAED\"]\n"),
			ExpectError: regexp.MustCompile(`(?s)Unknown Permission.*permissions.*"WORKSPACE_RAED".*"typo".*did\s+you\s+mean\s+"WORKSPACE_READ"`),
		}},
	})
}

// A token created outside Terraform keeps using a custom role whose resource
// is removed from the configuration: the backend refuses, the user sees why.
func TestAccCustomRole_inUse(t *testing.T) {
	ts := testserver.New(t)
	c := testAccClient(t, ts)
	roleCfg := testAccProviderConfig(ts) + `
resource "tokensmith_custom_role" "test" {
  key  = "in-use"
  name = "In use"
  permissions = ["WORKSPACE_READ"]
}
`
	var outside *api.Token
	rec := &planDiagnostics{}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccRecordingFactories(ts, rec),
		Steps: []resource.TestStep{
			{Config: roleCfg},
			{
				PreConfig: func() {
					var err error
					outside, err = c.CreateToken(context.Background(), api.TokenCreate{
						Name: "outside", CustomRoleIDs: []string{"in-use"}, AllWorkspaces: true,
					}, client.WriteOptions{})
					if err != nil {
						t.Fatalf("create token outside Terraform: %v", err)
					}
				},
				Config:      testAccProviderConfig(ts),
				ExpectError: regexp.MustCompile(`(?s)Unable to Delete Custom Role.*"in-use".*used\s+by\s+1\s+access\s+token`),
			},
			{
				PreConfig: func() {
					want := []string{fmt.Sprintf(`tokensmith_custom_role with key "in-use" is used by access `+
						`token(s) "outside" (%s). The backend deletes a role only once no token uses it, so the `+
						`delete is refused unless this run changes or deletes them; Terraform does that first for `+
						`the tokens of this configuration that are destroyed or stop naming the role.`, outside.ID)}
					if got := rec.details(tfprotov6.DiagnosticSeverityWarning, "Custom Role In Use"); !slices.Equal(got, want) {
						t.Fatalf("plan warnings for deleting a role in use:\n got %q\nwant %q", got, want)
					}
					rec.reset()
					if err := c.DeleteToken(context.Background(), outside.ID); err != nil {
						t.Fatalf("delete outside token: %v", err)
					}
				},
				Config: testAccProviderConfig(ts),
				Check: func(*terraform.State) error {
					if got := rec.details(tfprotov6.DiagnosticSeverityWarning, "Custom Role In Use"); len(got) > 0 {
						return fmt.Errorf("a role no token uses was planned for deletion with warnings %q", got)
					}
					return nil
				},
			},
		},
	})
}

// Destroying a custom role together with the tokens that use it works in one
// run: the warning names those tokens and does not say the apply fails.
func TestAccCustomRole_destroyedWithItsTokens(t *testing.T) {
	ts := testserver.New(t)
	rec := &planDiagnostics{}
	cfg := testAccProviderConfig(ts) + `
resource "tokensmith_custom_role" "test" {
  key  = "shared"
  name = "Shared"
  permissions = ["WORKSPACE_READ"]
}

resource "tokensmith_access_token" "user" {
  name           = "user"
  custom_roles   = [tokensmith_custom_role.test.key]
  all_workspaces = true
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccRecordingFactories(ts, rec),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				Config: testAccProviderConfig(ts),
				Check: func(*terraform.State) error {
					got := rec.details(tfprotov6.DiagnosticSeverityWarning, "Custom Role In Use")
					if len(got) != 1 || !strings.Contains(got[0], `"user"`) ||
						!strings.Contains(got[0], "unless this run changes or deletes them") ||
						strings.Contains(got[0], "will fail") {
						return fmt.Errorf("warnings for the role: %q", got)
					}
					if n := testAccTokenCount(t, ts); n != 1 {
						return fmt.Errorf("%d tokens left, want only the bootstrap token", n)
					}
					return nil
				},
			},
		},
	})
}

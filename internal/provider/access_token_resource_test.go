package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

const testAccTokenAddr = "tokensmith_access_token.test"

// testAccTokenConfig is a provider block for ts and one access token with
// the given body.
func testAccTokenConfig(ts *testserver.Server, body string) string {
	return testAccProviderConfig(ts) + "resource \"tokensmith_access_token\" \"test\" {\n" + body + "\n}\n"
}

// expectAction checks before the apply that the plan takes action on addr.
func expectAction(addr string, action plancheck.ResourceActionType) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction(addr, action),
	}}
}

func TestAccAccessToken_lifecycle(t *testing.T) {
	ts := testserver.New(t)
	c := testAccClient(t, ts)
	platform, err := c.CreateWorkspace(context.Background(), api.WorkspaceCreate{Name: "platform"})
	if err != nil {
		t.Fatal(err)
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config: testAccTokenConfig(ts, fmt.Sprintf(`
  name            = "ci"
  description     = "deploys"
  role            = "reader"
  workspace_ids   = [%q]
  expires_in_days = 30
`, ts.DefaultWorkspaceID)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccTokenAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectSensitiveValue(testAccTokenAddr, tfjsonpath.New("token")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id")),
					statecheck.ExpectSensitiveValue(testAccTokenAddr, tfjsonpath.New("token")),
					statecheck.ExpectKnownValue(testAccTokenAddr, tfjsonpath.New("expired"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(testAccTokenAddr, tfjsonpath.New("owner_id"), knownvalue.StringExact(ts.OrgID)),
					statecheck.ExpectKnownValue(testAccTokenAddr, tfjsonpath.New("member_id"), knownvalue.StringExact(ts.OwnerID)),
					statecheck.ExpectKnownValue(testAccTokenAddr, tfjsonpath.New("service_token"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(testAccTokenAddr, tfjsonpath.New("expires_at"),
						knownvalue.StringExact(ts.Clock.Now().UTC().Add(30*24*time.Hour).Truncate(time.Second).Format(time.RFC3339))),
				},
				Check: testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
			},
			{
				// Name, description, grant and scope change in place.
				Config: testAccTokenConfig(ts, `
  name            = "ci-renamed"
  permissions     = ["ACCESS_TOKEN_READ", "WORKSPACE_READ"]
  all_workspaces  = true
  expires_in_days = 30
`),
				ConfigPlanChecks:  expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(testAccTokenAddr, "name", "ci-renamed"),
					resource.TestCheckNoResourceAttr(testAccTokenAddr, "description"),
					resource.TestCheckNoResourceAttr(testAccTokenAddr, "role"),
					resource.TestCheckResourceAttr(testAccTokenAddr, "permissions.#", "2"),
					resource.TestCheckResourceAttr(testAccTokenAddr, "all_workspaces", "true"),
					testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
				),
			},
			{
				Config: testAccTokenConfig(ts, fmt.Sprintf(`
  name            = "ci-renamed"
  workspace_ids   = [%q, %q]
  expires_in_days = 30
  inline_role = [
    {
      effect    = "allow"
      actions   = ["ACCESS_TOKEN_READ", "WORKSPACE_READ"]
      resources = ["workspace/*", "org"]
    },
    {
      effect        = "deny"
      not_actions   = ["WORKSPACE_READ"]
      resources     = ["org"]
    },
  ]
`, ts.DefaultWorkspaceID, platform.ID)),
				ConfigPlanChecks:  expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(testAccTokenAddr, "inline_role.#", "2"),
					resource.TestCheckResourceAttr(testAccTokenAddr, "workspace_ids.#", "2"),
					resource.TestCheckNoResourceAttr(testAccTokenAddr, "all_workspaces"),
					resource.TestCheckNoResourceAttr(testAccTokenAddr, "permissions"),
				),
			},
			{
				// Reordering statements and their values changes nothing.
				Config: testAccTokenConfig(ts, fmt.Sprintf(`
  name            = "ci-renamed"
  workspace_ids   = [%q, %q]
  expires_in_days = 30
  inline_role = [
    {
      effect        = "deny"
      not_actions   = ["WORKSPACE_READ"]
      resources     = ["org"]
    },
    {
      effect    = "allow"
      actions   = ["WORKSPACE_READ", "ACCESS_TOKEN_READ"]
      resources = ["org", "workspace/*"]
    },
  ]
`, platform.ID, ts.DefaultWorkspaceID)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: testAccProviderConfig(ts) + fmt.Sprintf(`
resource "tokensmith_custom_role" "deployer" {
  key  = "deployer"
  name = "Deployer"
  policy_statements = [{
    effect    = "allow"
    actions   = ["WORKSPACE_READ"]
    resources = ["workspace/*"]
  }]
}

resource "tokensmith_access_token" "test" {
  name            = "ci-renamed"
  custom_roles    = [tokensmith_custom_role.deployer.key]
  workspace_ids   = [%q]
  expires_in_days = 30
}
`, platform.ID),
				ConfigPlanChecks:  expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(testAccTokenAddr, "custom_roles.#", "1"),
					resource.TestCheckTypeSetElemAttr(testAccTokenAddr, "custom_roles.*", "deployer"),
					resource.TestCheckNoResourceAttr(testAccTokenAddr, "inline_role"),
					testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
				),
			},
			{
				// The secret is not in the backend any more: import leaves it
				// null. expires_in_days is recovered from the lifetime.
				ResourceName:            testAccTokenAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token"},
				Check:                   resource.TestCheckNoResourceAttr(testAccTokenAddr, "token"),
			},
		},
	})
}

func TestAccAccessToken_replacedOnFixedFields(t *testing.T) {
	ts := testserver.New(t)
	at := func(d time.Duration) string {
		return ts.Clock.Now().UTC().Add(d).Truncate(time.Second).Format(time.RFC3339)
	}
	cfg := func(extra string) string {
		return testAccTokenConfig(ts, "  name = \"svc\"\n  role = \"reader\"\n  all_workspaces = true\n"+extra)
	}
	differentID := statecheck.CompareValue(compare.ValuesDiffer())
	replaced := func() []statecheck.StateCheck {
		return []statecheck.StateCheck{differentID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id"))}
	}
	check := testAccCheckTokenAuthenticates(ts, testAccTokenAddr)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{Config: cfg("  expires_in_days = 10\n"), ConfigStateChecks: replaced(), Check: check},
			{
				Config: cfg("  expires_in_days = 20\n"), ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionReplace),
				ConfigStateChecks: replaced(), Check: check,
			},
			{
				Config: cfg("  expires_at = \"" + at(48*time.Hour) + "\"\n"), ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionReplace),
				ConfigStateChecks: replaced(), Check: check,
			},
			{
				Config: cfg("  expires_at = \"" + at(72*time.Hour) + "\"\n"), ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionReplace),
				ConfigStateChecks: replaced(), Check: check,
			},
			{
				Config: cfg(""), ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionReplace),
				ConfigStateChecks: replaced(), Check: check,
			},
			{
				Config: cfg("  service_token = true\n"), ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionReplace),
				ConfigStateChecks: replaced(),
				Check: resource.ComposeAggregateTestCheckFunc(check,
					resource.TestCheckResourceAttr(testAccTokenAddr, "service_token", "true")),
			},
			{
				Config: cfg("  service_token = true\n  default_api_version = 20220603\n"), ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionReplace),
				ConfigStateChecks: replaced(),
				Check: resource.ComposeAggregateTestCheckFunc(check,
					resource.TestCheckResourceAttr(testAccTokenAddr, "default_api_version", "20220603")),
			},
		},
	})
}

func TestAccAccessToken_deletedOutsideTerraform(t *testing.T) {
	ts := testserver.New(t)
	c := testAccClient(t, ts)
	var id string
	cfg := testAccTokenConfig(ts, "  name = \"gone\"\n  role = \"reader\"\n  all_workspaces = true\n")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) (err error) {
					id, err = testAccStateID(s, testAccTokenAddr)
					return err
				},
			},
			{
				PreConfig: func() {
					if err := c.DeleteToken(context.Background(), id); err != nil {
						t.Fatalf("delete outside Terraform: %v", err)
					}
				},
				Config:           cfg,
				ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionCreate),
				Check:            testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
			},
		},
	})
}

func TestAccAccessToken_expiredIsReplaced(t *testing.T) {
	ts := testserver.New(t)
	cfg := testAccTokenConfig(ts, "  name = \"short\"\n  role = \"reader\"\n  all_workspaces = true\n  expires_in_days = 1\n")
	differentID := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id"))},
			},
			{
				// Refreshing shows the token expired and plans its replacement.
				PreConfig:    func() { ts.Clock.Advance(49 * time.Hour) },
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(testAccTokenAddr, "expired", "true"),
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccTokenAddr, plancheck.ResourceActionReplace),
				}},
				ExpectNonEmptyPlan: true,
			},
			{
				Config:            cfg,
				ConfigPlanChecks:  expectAction(testAccTokenAddr, plancheck.ResourceActionReplace),
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(testAccTokenAddr, "expired", "false"),
					testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
				),
			},
		},
	})
}

func TestAccAccessToken_validation(t *testing.T) {
	ts := testserver.New(t)
	base := "  name = \"bad\"\n"
	cases := map[string]testAccPlanError{
		"two grants":                {base + "  role = \"reader\"\n  permissions = [\"WORKSPACE_READ\"]\n  all_workspaces = true\n", `(?s)Invalid Attribute Combination.*role\s+and\s+permissions\s+are\s+both\s+set`},
		"no grant":                  {base + "  all_workspaces = true\n", `(?s)Missing Attribute Configuration.*None\s+of\s+role,\s+custom_roles,\s+inline_role,\s+permissions\s+and\s+access\s+is\s+set`},
		"two expirations":           {base + "  role = \"reader\"\n  all_workspaces = true\n  expires_in_days = 3\n  expires_at = \"2099-01-01T00:00:00Z\"\n", `(?s)Invalid Attribute Combination.*expires_at.*expires_in_days`},
		"both workspace forms":      {base + "  role = \"reader\"\n  all_workspaces = true\n  workspace_ids = [\"abc\"]\n", `(?s)Invalid Attribute Combination.*workspace_ids.*all_workspaces`},
		"all_workspaces false":      {base + "  role = \"reader\"\n  all_workspaces = false\n", `(?s)all_workspaces.*true`},
		"unknown role":              {base + "  role = \"owner\"\n  all_workspaces = true\n", `(?s)role.*reader.*writer.*admin`},
		"malformed custom role":     {base + "  custom_roles = [\"-bad key\"]\n  all_workspaces = true\n", `(?s)custom role key`},
		"malformed expiry":          {base + "  role = \"reader\"\n  all_workspaces = true\n  expires_at = \"tomorrow\"\n", `(?s)RFC 3339`},
		"statement without actions": {base + "  all_workspaces = true\n  inline_role = [{ effect = \"allow\", resources = [\"org\"] }]\n", `(?s)Invalid Attribute Combination.*not_actions`},
		"unknown effect":            {base + "  all_workspaces = true\n  inline_role = [{ effect = \"maybe\", actions = [\"*\"], resources = [\"org\"] }]\n", `(?s)effect.*allow.*deny`},
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps:                    testAccPlanErrorSteps(func(body string) string { return testAccTokenConfig(ts, body) }, cases),
	})
}

func TestAccAccessToken_unknownPermission(t *testing.T) {
	ts := testserver.New(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			// Found during plan, against the catalogue (plan_review.go).
			Config:      testAccTokenConfig(ts, "  name = \"x\"\n  permissions = [\"NOT_A_PERMISSION\"]\n  all_workspaces = true\n"),
			ExpectError: regexp.MustCompile(`(?s)Unknown Permission.*"NOT_A_PERMISSION"\s+in\s+permissions\s+of\s+access\s+token\s+"x"`),
		}},
	})
}

func TestAccAccessToken_escalation(t *testing.T) {
	ts := testserver.New(t)
	reader := testAccMemberToken(t, ts, api.RoleReader, ts.DefaultWorkspaceID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfigWithToken(ts, reader) + fmt.Sprintf(`
resource "tokensmith_access_token" "test" {
  name          = "more power"
  role          = "admin"
  workspace_ids = [%q]
}
`, ts.DefaultWorkspaceID),
			ExpectError: regexp.MustCompile(`(?s)Unable to Create Access Token.*with tokensmith_access_token\.test.*role\s+= "admin".*` +
				`"more power".*does\s+not\s+hold:.*WORKSPACE_WRITE`),
		}},
	})
}

func TestAccAccessToken_quotaExceeded(t *testing.T) {
	// The owner's bootstrap token counts against the quota.
	ts := testserver.New(t, testserver.WithConfig(func(c *server.Config) { c.Quota.PerMember = 2 }))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(ts) + `
resource "tokensmith_access_token" "one" {
  name           = "one"
  role           = "reader"
  all_workspaces = true
}

resource "tokensmith_access_token" "two" {
  name           = "two"
  role           = "reader"
  all_workspaces = true
  depends_on     = [tokensmith_access_token.one]
}
`,
			ExpectError: regexp.MustCompile(`(?s)Unable to Create Access Token.*with tokensmith_access_token\.two.*` +
				`"two".*quota\s+exceeded:\s+at\s+most\s+2\s+tokens`),
		}},
	})
}

func TestAccAccessToken_expirationBeyondPolicy(t *testing.T) {
	ts := testserver.New(t, testserver.WithConfig(func(c *server.Config) {
		c.MaxLifetime = 30 * 24 * time.Hour
		c.AllowNoExpiry = false
	}))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config: testAccTokenConfig(ts, "  name = \"long\"\n  role = \"reader\"\n  all_workspaces = true\n  expires_in_days = 90\n"),
				ExpectError: regexp.MustCompile(`(?s)Unable to Create Access Token.*with tokensmith_access_token\.test.*expires_in_days = 90.*` +
					`"long".*expirationDate\s+must\s+be\s+at\s+most\s+30\s+days`),
			},
			{
				Config:      testAccTokenConfig(ts, "  name = \"forever\"\n  role = \"reader\"\n  all_workspaces = true\n"),
				ExpectError: regexp.MustCompile(`(?s)Unable to Create Access Token.*with tokensmith_access_token\.test.*"forever".*expir`),
			},
			{
				Config: testAccTokenConfig(ts, "  name = \"ok\"\n  role = \"reader\"\n  all_workspaces = true\n  expires_in_days = 30\n"),
				Check:  testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
			},
		},
	})
}

func TestAccAccessToken_workspaceNotAllowed(t *testing.T) {
	ts := testserver.New(t)
	c := testAccClient(t, ts)
	platform, err := c.CreateWorkspace(context.Background(), api.WorkspaceCreate{Name: "platform"})
	if err != nil {
		t.Fatal(err)
	}
	writer := testAccMemberToken(t, ts, api.RoleWriter, ts.DefaultWorkspaceID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfigWithToken(ts, writer) + fmt.Sprintf(`
resource "tokensmith_access_token" "test" {
  name          = "elsewhere"
  role          = "reader"
  workspace_ids = [%q]
}
`, platform.ID),
			ExpectError: regexp.MustCompile(`(?s)Unable to Create Access Token.*with tokensmith_access_token\.test.*workspace_ids\s+=.*` +
				`"elsewhere".*not\s+a\s+member\s+of\s+` + platform.ID),
		}},
	})
}

// An imported token whose lifetime is a whole number of days gets that
// expires_in_days, so the configuration it came from plans no change: not
// after a CLI import, not with an import block.
func TestAccAccessToken_importKeepsMatchingLifetime(t *testing.T) {
	ts := testserver.New(t)
	tok, err := testAccClient(t, ts).CreateToken(context.Background(), api.TokenCreate{
		Name: "imported", Role: api.RoleReader, AllWorkspaces: true,
		ExpirationDate: ts.Clock.Now().Add(30 * 24 * time.Hour).Truncate(time.Second).UnixMilli(),
	}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testAccTokenConfig(ts, "  name = \"imported\"\n  role = \"reader\"\n  all_workspaces = true\n  expires_in_days = 30\n")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config: cfg + fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", testAccTokenAddr, tok.ID),
				// Imported and nothing else.
				ConfigPlanChecks: expectAction(testAccTokenAddr, plancheck.ResourceActionNoop),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(testAccTokenAddr, "id", tok.ID),
					resource.TestCheckNoResourceAttr(testAccTokenAddr, "token"),
					resource.TestCheckResourceAttr(testAccTokenAddr, "expires_in_days", "30"),
				),
			},
		},
	})
}

// terraform import, then a plan of the configuration the token came from:
// no change (the CLI's plan -detailed-exitcode exits 0).
func TestAccAccessToken_cliImportPlansNoChange(t *testing.T) {
	ts := testserver.New(t)
	tok, err := testAccClient(t, ts).CreateToken(context.Background(), api.TokenCreate{
		Name: "imported", Role: api.RoleReader, AllWorkspaces: true,
		ExpirationDate: ts.Clock.Now().Add(30 * 24 * time.Hour).UnixMilli(),
	}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cli := newTestAccCLI(t, ts)
	cli.write(testAccTokenConfig(ts, "  name = \"imported\"\n  role = \"reader\"\n  all_workspaces = true\n  expires_in_days = 30\n"))
	cli.run("init")
	cli.run("import", testAccTokenAddr, tok.ID)
	if out, err := cli.try("plan", "-detailed-exitcode"); err != nil {
		t.Fatalf("the plan after the import is not empty (%v):\n%s", err, out)
	}
}

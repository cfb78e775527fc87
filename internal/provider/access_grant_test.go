package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/review"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// testAccCheckBackendAccess checks the access grant the backend holds for
// the resource at addr, read with the API rather than from state.
func testAccCheckBackendAccess(t *testing.T, ts *testserver.Server, addr string, role bool, want map[string]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := testAccStateID(s, addr)
		if err != nil {
			return err
		}
		c := testAccClient(t, ts)
		var got map[string]string
		if role {
			r, err := c.GetCustomRole(context.Background(), id)
			if err != nil {
				return err
			}
			got = r.Access
		} else {
			tok, err := c.GetToken(context.Background(), id)
			if err != nil {
				return err
			}
			got = tok.Access
		}
		if !maps.Equal(got, want) {
			return fmt.Errorf("backend holds access %v, want %v", got, want)
		}
		return nil
	}
}

// A token granted object by object is created, widened in place with a
// review warning naming each object raised, narrowed without one, moved to
// another grant form and back, and imported.
func TestAccAccessToken_access(t *testing.T) {
	ts := testserver.New(t)
	rec := &planDiagnostics{}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	token := func(access string) string {
		return testAccReviewProviderConfig(ts, "") + testAccReviewToken("  all_workspaces = true\n"+access)
	}
	narrow := "  access = { api = \"read_only\", plan = \"none\" }\n"
	wide := "  access = { api = \"read_write\", plan = \"read_only\" }\n"
	widening := "tokensmith_access_token with name \"ci\" widens access:\n" +
		"  + access: api: read_only -> read_write (adds API_WRITE)\n" +
		"  + access: plan: none -> read_only (adds PLAN_READ)"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccRecordingFactories(ts, rec),
		Steps: []resource.TestStep{
			{
				PreConfig:         rec.reset,
				Config:            token(narrow),
				ConfigPlanChecks:  expectAction(testAccTokenAddr, plancheck.ResourceActionCreate),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(testAccTokenAddr, "access.%", "2"),
					resource.TestCheckResourceAttr(testAccTokenAddr, "access.api", "read_only"),
					resource.TestCheckResourceAttr(testAccTokenAddr, "access.plan", "none"),
					resource.TestCheckNoResourceAttr(testAccTokenAddr, "permissions"),
					testAccCheckBackendAccess(t, ts, testAccTokenAddr, false, map[string]string{"api": "read_only", "plan": "none"}),
					testAccCheckTokenAuthenticates(ts, testAccTokenAddr),
					checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning),
				),
			},
			{
				PreConfig:         rec.reset,
				Config:            token(wide),
				ConfigPlanChecks:  expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(testAccTokenAddr, "access.api", "read_write"),
					testAccCheckBackendAccess(t, ts, testAccTokenAddr, false, map[string]string{"api": "read_write", "plan": "read_only"}),
					checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning, widening),
				),
			},
			{
				// Narrowing is not reported.
				PreConfig:         rec.reset,
				Config:            token(narrow),
				ConfigPlanChecks:  expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckBackendAccess(t, ts, testAccTokenAddr, false, map[string]string{"api": "read_only", "plan": "none"}),
					checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning),
				),
			},
			{
				// Another grant form replaces access in place.
				Config:            token("  permissions = [\"API_READ\"]\n"),
				ConfigPlanChecks:  expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckNoResourceAttr(testAccTokenAddr, "access.%"),
					testAccCheckBackendAccess(t, ts, testAccTokenAddr, false, nil),
				),
			},
			{
				PreConfig:         rec.reset,
				Config:            token(wide),
				ConfigPlanChecks:  expectAction(testAccTokenAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(testAccTokenAddr, tfjsonpath.New("id"))},
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckBackendAccess(t, ts, testAccTokenAddr, false, map[string]string{"api": "read_write", "plan": "read_only"}),
					checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning, "tokensmith_access_token with name \"ci\" widens access:\n"+
						"  + access: api: none -> read_write (adds API_WRITE)\n"+
						"  + access: plan: none -> read_only (adds PLAN_READ)"),
				),
			},
			{
				ResourceName:            testAccTokenAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token"},
			},
		},
	})
}

// A custom role's access is created with its other grants, refused when
// widened under permission_review "error" with the objects named, widened
// with allow_widening, narrowed and imported.
func TestAccCustomRole_access(t *testing.T) {
	ts := testserver.New(t)
	rec := &planDiagnostics{}
	role := func(mode, extra string) string {
		return testAccReviewProviderConfig(ts, mode) + "resource \"tokensmith_custom_role\" \"test\" {\n  key = \"kb\"\n  name = \"KB\"\n" +
			"  permissions = [\"JOBS_READ\"]\n" + extra + "}\n"
	}
	narrow := "  access = { api = \"read_only\" }\n"
	wide := "  access = { api = \"read_write\", user = \"read_only\" }\n"
	widening := "tokensmith_custom_role with key \"kb\" widens access:\n" +
		"  + access: api: read_only -> read_write (adds API_WRITE)\n" +
		"  + access: user: none -> read_only (adds USER_READ)\n" +
		"  No access token uses this role yet."
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccRecordingFactories(ts, rec),
		Steps: []resource.TestStep{
			{
				Config: role("error", narrow),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(testAccRoleAddr, "access.api", "read_only"),
					resource.TestCheckResourceAttr(testAccRoleAddr, "permissions.#", "1"),
					testAccCheckBackendAccess(t, ts, testAccRoleAddr, true, map[string]string{"api": "read_only"}),
				),
			},
			{
				PreConfig: rec.reset,
				Config:    role("error", wide),
				ExpectError: regexp.MustCompile(`(?s)` + review.Summary + `.*with tokensmith_custom_role\.test.*` +
					wordsRegexp(widening+" "+wideningRefusedHint).String()),
			},
			{
				PreConfig:        rec.reset,
				Config:           role("error", wide+"  allow_widening = true\n"),
				ConfigPlanChecks: expectAction(testAccRoleAddr, plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckBackendAccess(t, ts, testAccRoleAddr, true, map[string]string{"api": "read_write", "user": "read_only"}),
					checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning, widening),
				),
			},
			{
				PreConfig:        rec.reset,
				Config:           role("error", narrow),
				ConfigPlanChecks: expectAction(testAccRoleAddr, plancheck.ResourceActionUpdate),
				Check: resource.ComposeAggregateTestCheckFunc(
					testAccCheckBackendAccess(t, ts, testAccRoleAddr, true, map[string]string{"api": "read_only"}),
					checkRecorded(rec, tfprotov6.DiagnosticSeverityWarning),
				),
			},
			{
				ResourceName:      testAccRoleAddr,
				ImportState:       true,
				ImportStateId:     "kb",
				ImportStateVerify: true,
				// allow_widening is configuration the backend never stores: an
				// import cannot know the true set by an earlier step.
				ImportStateVerifyIgnore: []string{"allow_widening"},
			},
		},
	})
}

// Plan-time refusals of access: a misspelt object with suggestions, a
// level the schema does not know, read_write on an object the member's
// role may only read (the backend's dry run, naming the object and level),
// and two grant forms at once.
func TestAccAccessToken_accessRefusedAtPlan(t *testing.T) {
	ts := testserver.New(t)
	readerToken := testAccMemberToken(t, ts, "reader")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config:   testAccProviderConfig(ts) + testAccReviewToken("  access = { apii = \"read_only\" }\n  all_workspaces = true\n"),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Unknown Permission Object.*with tokensmith_access_token\.test.*access = { apii.*` +
					wordsRegexp(`"apii" in access of access token "ci" is not an object of the backend's permission catalogue; did you mean "api"?`).String()),
			},
			{
				Config:      testAccProviderConfig(ts) + testAccReviewToken("  access = { api = \"write\" }\n  all_workspaces = true\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)access\["api"\].*value must be one of.*"none".*"read_only".*"read_write"`),
			},
			{
				Config:   testAccProviderConfigWithToken(ts, readerToken) + testAccReviewToken("  access = { api = \"read_write\" }\n  all_workspaces = true\n"),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Unable to Create Access Token.*with tokensmith_access_token\.test.*access.*` +
					wordsRegexp(`role reader may hold at most read_only on object "api", not read_write`).String()),
			},
			{
				Config:      testAccProviderConfig(ts) + testAccReviewToken("  access = { api = \"read_only\" }\n  role = \"reader\"\n  all_workspaces = true\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination.*access`),
			},
		},
	})
}

// The permissions data source shows each permission's object and level and
// lists the objects with what each level stands for.
func TestAccPermissionsDataSource_objects(t *testing.T) {
	ts := testserver.New(t)
	const addr = "data.tokensmith_permissions.all"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(ts) + `data "tokensmith_permissions" "all" {}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(addr, "permissions.2.name", "API_READ"),
				resource.TestCheckResourceAttr(addr, "permissions.2.object", "api"),
				resource.TestCheckResourceAttr(addr, "permissions.2.level", "read"),
				resource.TestCheckNoResourceAttr(addr, "permissions.8.object"), // JOBS_READ
				resource.TestCheckResourceAttr(addr, "objects.1.name", "api"),
				resource.TestCheckResourceAttrSet(addr, "objects.1.description"),
				resource.TestCheckResourceAttr(addr, "objects.1.levels.#", "2"),
				resource.TestCheckResourceAttr(addr, "objects.1.levels.1.level", "read_write"),
				resource.TestCheckResourceAttr(addr, "objects.1.levels.1.permissions.#", "2"),
				resource.TestCheckResourceAttr(addr, "objects.1.levels.1.permissions.1", "API_WRITE"),
				resource.TestCheckTypeSetElemAttr(addr, "objects.1.levels.1.roles.*", "writer"),
			),
		}},
	})
}

// The data sources of a token and a custom role show access as sent.
func TestAccAccessDataSources(t *testing.T) {
	ts := testserver.New(t)
	c := testAccClient(t, ts)
	ctx := context.Background()
	if _, err := c.CreateCustomRole(ctx, api.CustomRoleCreate{Key: "kb", Name: "KB", Policy: []api.Statement{},
		Access: api.AccessGrant{"api": "read_write", "plan": "none"}}, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	tok, err := c.CreateToken(ctx, api.TokenCreate{Name: "by access", Access: api.AccessGrant{"plan": "read_only"}}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(ts) + fmt.Sprintf(`
data "tokensmith_custom_role" "kb" { key = "kb" }
data "tokensmith_access_token" "tok" { id = %q }
`, tok.ID),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.tokensmith_custom_role.kb", "access.%", "2"),
				resource.TestCheckResourceAttr("data.tokensmith_custom_role.kb", "access.api", "read_write"),
				resource.TestCheckResourceAttr("data.tokensmith_custom_role.kb", "access.plan", "none"),
				resource.TestCheckResourceAttr("data.tokensmith_access_token.tok", "access.plan", "read_only"),
				resource.TestCheckNoResourceAttr("data.tokensmith_access_token.tok", "permissions.#"),
			),
		}},
	})
}

// An ephemeral token granted object by object holds exactly the
// permissions of the levels while it is open.
func TestAccAccessTokenEphemeral_access(t *testing.T) {
	ts := testserver.New(t)
	identity := "data.tokensmith_caller_identity.ephemeral"
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   testAccEphemeralVersionChecks,
		ProtoV6ProviderFactories: testAccEphemeralFactories(ts),
		CheckDestroy:             testAccCheckNoEphemeralTokens(ts),
		Steps: []resource.TestStep{{
			Config: testAccEphemeralConfig(ts, `
  access         = { api = "read_write", plan = "none" }
  all_workspaces = true
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(identity, tfjsonpath.New("effective_permissions"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("API_READ"), knownvalue.StringExact("API_WRITE"),
				})),
			},
		}},
	})
}

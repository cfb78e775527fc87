package provider

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/server"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// The examples end up in the documentation and the demo; these tests apply
// them against a backend so they cannot rot.

func readExample(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// exampleExpectations is what each example applied by TestAccExamples is
// meant to produce: its resources with their key attributes, and its
// outputs. arrange prepares what the example looks up and returns its
// variables.
var exampleExpectations = map[string]struct {
	arrange func(t *testing.T, ts *testserver.Server) config.Variables
	expect  func(ts *testserver.Server) []statecheck.StateCheck
	// authenticates lists the tokens whose secret must work once applied.
	authenticates []string
}{
	"resources/tokensmith_access_token/resource.tf": {
		expect: func(ts *testserver.Server) []statecheck.StateCheck {
			const ci, metrics, publisher, admin = "tokensmith_access_token.ci", "tokensmith_access_token.metrics", "tokensmith_access_token.api_publisher", "tokensmith_access_token.token_admin"
			return []statecheck.StateCheck{
				exampleAttr(ci, "name", knownvalue.StringExact("ci")),
				exampleAttr(ci, "description", knownvalue.StringExact("Used by the CI pipeline")),
				exampleAttr(ci, "role", knownvalue.StringExact("writer")),
				exampleAttr(ci, "workspace_ids", exampleStrings(ts.DefaultWorkspaceID)),
				exampleAttr(ci, "all_workspaces", knownvalue.Null()),
				exampleAttr(ci, "service_token", knownvalue.Bool(false)),
				exampleAttr(ci, "expires_in_days", knownvalue.Int64Exact(30)),
				exampleAttr(ci, "expires_at", knownvalue.StringExact("2026-01-31T00:00:00Z")),
				exampleAttr(ci, "member_id", knownvalue.StringExact(ts.OwnerID)),
				exampleAttr(ci, "owner_id", knownvalue.StringExact(ts.OrgID)),
				exampleAttr(metrics, "name", knownvalue.StringExact("metrics-exporter")),
				exampleAttr(metrics, "service_token", knownvalue.Bool(true)),
				exampleAttr(metrics, "permissions", exampleStrings("METRICS_READ", "WORKSPACE_READ")),
				exampleAttr(metrics, "all_workspaces", knownvalue.Bool(true)),
				exampleAttr(metrics, "expires_at", knownvalue.StringExact("2030-01-01T00:00:00Z")),
				exampleAttr(metrics, "role", knownvalue.Null()),
				exampleAttr(publisher, "name", knownvalue.StringExact("api-publisher")),
				exampleAttr(publisher, "access", knownvalue.MapExact(map[string]knownvalue.Check{
					"api": knownvalue.StringExact("read_write"), "plan": knownvalue.StringExact("read_only"), "user": knownvalue.StringExact("none"),
				})),
				exampleAttr(publisher, "all_workspaces", knownvalue.Bool(true)),
				exampleAttr(publisher, "expires_at", knownvalue.StringExact("2026-04-01T00:00:00Z")),
				exampleAttr(admin, "name", knownvalue.StringExact("token-admin")),
				exampleAttr(admin, "inline_role", knownvalue.SetExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"effect": knownvalue.StringExact("allow"), "actions": exampleStrings("ACCESS_TOKEN_*"), "resources": exampleStrings("workspace/*", "org"),
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"effect": knownvalue.StringExact("deny"), "actions": exampleStrings("ACCESS_TOKEN_MANAGE"), "resources": exampleStrings("*"),
					}),
				})),
				statecheck.ExpectKnownOutputValue("ci_token", knownvalue.StringRegexp(regexp.MustCompile(`^tsm_pat_`))),
			}
		},
		authenticates: []string{"tokensmith_access_token.ci", "tokensmith_access_token.metrics", "tokensmith_access_token.api_publisher", "tokensmith_access_token.token_admin"},
	},
	"resources/tokensmith_custom_role/resource.tf": {
		expect: func(ts *testserver.Server) []statecheck.StateCheck {
			const deployer, publisher, deploy = "tokensmith_custom_role.deployer", "tokensmith_custom_role.publisher", "tokensmith_access_token.deploy"
			return []statecheck.StateCheck{
				exampleAttr(deployer, "key", knownvalue.StringExact("deployer")),
				exampleAttr(deployer, "name", knownvalue.StringExact("Deployer")),
				exampleAttr(deployer, "description", knownvalue.StringExact("Reads workspaces and manages tokens in them")),
				exampleAttr(deployer, "base_permissions", knownvalue.StringExact("no_access")),
				exampleAttr(deployer, "permissions", exampleStrings("WORKSPACE_READ")),
				exampleAttr(deployer, "policy_statements", knownvalue.SetExact([]knownvalue.Check{
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"effect": knownvalue.StringExact("allow"), "actions": exampleStrings("ACCESS_TOKEN_READ", "ACCESS_TOKEN_WRITE"), "resources": exampleStrings("workspace/*"),
					}),
					knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"effect": knownvalue.StringExact("deny"), "actions": exampleStrings("*"), "not_resources": exampleStrings("workspace/*"),
					}),
				})),
				exampleAttr(publisher, "key", knownvalue.StringExact("publisher")),
				exampleAttr(publisher, "permissions", exampleStrings("METRICS_READ")),
				exampleAttr(publisher, "access", knownvalue.MapExact(map[string]knownvalue.Check{
					"api": knownvalue.StringExact("read_write"), "application": knownvalue.StringExact("read_only"),
				})),
				exampleAttr(deploy, "name", knownvalue.StringExact("deploy")),
				exampleAttr(deploy, "custom_roles", exampleStrings("deployer")),
				exampleAttr(deploy, "all_workspaces", knownvalue.Bool(true)),
			}
		},
		authenticates: []string{"tokensmith_access_token.deploy"},
	},
	"data-sources/tokensmith_workspace/data-source.tf": {
		expect: func(ts *testserver.Server) []statecheck.StateCheck {
			return []statecheck.StateCheck{
				exampleAttr("data.tokensmith_workspace.default", "id", knownvalue.StringExact(ts.DefaultWorkspaceID)),
				exampleAttr("data.tokensmith_workspace.same", "name", knownvalue.StringExact("default")),
				statecheck.ExpectKnownOutputValue("default_workspace_owner", knownvalue.StringExact(ts.OwnerID)),
			}
		},
	},
	"data-sources/tokensmith_workspaces/data-source.tf": {
		expect: func(ts *testserver.Server) []statecheck.StateCheck {
			const tok = "tokensmith_access_token.current_workspaces"
			return []statecheck.StateCheck{
				exampleAttr(tok, "name", knownvalue.StringExact("current-workspaces")),
				exampleAttr(tok, "role", knownvalue.StringExact("reader")),
				exampleAttr(tok, "workspace_ids", exampleStrings(ts.DefaultWorkspaceID)),
				exampleAttr(tok, "all_workspaces", knownvalue.Null()),
				statecheck.ExpectKnownOutputValue("workspace_names", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("default")})),
			}
		},
		authenticates: []string{"tokensmith_access_token.current_workspaces"},
	},
	"data-sources/tokensmith_permissions/data-source.tf": {
		expect: func(ts *testserver.Server) []statecheck.StateCheck {
			return []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("read_permissions", exampleStrings(
					"ACCESS_TOKEN_READ", "API_READ", "APPLICATION_READ", "APPROVAL_REQUEST_READ", "AUDIT_LOG_READ",
					"CONFIGURATION_READ", "CUSTOM_ROLE_READ", "DEV_PORTAL_READ", "ENVIRONMENT_READ", "GIT_CREDENTIALS_READ",
					"JOBS_READ", "MEMBER_READ", "METRICS_READ", "ORGANIZATION_READ", "PLAN_READ", "RULE_SETS_READ",
					"SUBSCRIPTIONS_READ", "USER_READ", "WORKSPACE_READ")),
				statecheck.ExpectKnownOutputValue("reader_permissions", exampleStrings(
					"ACCESS_TOKEN_READ", "ACCESS_TOKEN_WRITE", "API_READ", "APPLICATION_READ", "CUSTOM_ROLE_READ",
					"ENVIRONMENT_READ", "GIT_CREDENTIALS_READ", "JOBS_READ", "MEMBER_READ", "METRICS_READ",
					"ORGANIZATION_READ", "PLAN_READ", "RULE_SETS_READ", "SUBSCRIPTIONS_READ", "WORKSPACE_READ")),
				statecheck.ExpectKnownOutputValue("object_levels", knownvalue.MapPartial(map[string]knownvalue.Check{
					"api":  knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("read_only"), knownvalue.StringExact("read_write")}),
					"plan": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("read_only"), knownvalue.StringExact("read_write")}),
				})),
			}
		},
	},
	"data-sources/tokensmith_caller_identity/data-source.tf": {
		expect: func(ts *testserver.Server) []statecheck.StateCheck {
			return []statecheck.StateCheck{
				exampleAttr("data.tokensmith_caller_identity.current", "member_role", knownvalue.StringExact("owner")),
				statecheck.ExpectKnownOutputValue("provider_member", knownvalue.StringExact(server.BootstrapOwnerEmail)),
				// The owner holds every permission, those only owners hold included.
				statecheck.ExpectKnownOutputValue("provider_permissions", knownvalue.SetPartial([]knownvalue.Check{
					knownvalue.StringExact("ACCESS_TOKEN_MANAGE"), knownvalue.StringExact("CROSS_ORGANIZATION_ACCESS"), knownvalue.StringExact("WORKSPACE_READ"),
				})),
			}
		},
	},
	"data-sources/tokensmith_custom_role/data-source.tf": {
		arrange: func(t *testing.T, ts *testserver.Server) config.Variables {
			_, err := testAccClient(t, ts).CreateCustomRole(context.Background(), api.CustomRoleCreate{
				Key: "auditor", Name: "Auditor", Permissions: []string{"AUDIT_LOG_READ"}, Policy: []api.Statement{},
			}, client.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return nil
		},
		expect: func(ts *testserver.Server) []statecheck.StateCheck {
			return []statecheck.StateCheck{
				exampleAttr("data.tokensmith_custom_role.auditor", "name", knownvalue.StringExact("Auditor")),
				exampleAttr("data.tokensmith_custom_role.auditor", "permissions", exampleStrings("AUDIT_LOG_READ")),
				statecheck.ExpectKnownOutputValue("auditor_tokens", knownvalue.Int64Exact(0)),
			}
		},
	},
	"data-sources/tokensmith_member/data-source.tf": {
		arrange: func(t *testing.T, ts *testserver.Server) config.Variables {
			_, err := testAccClient(t, ts).CreateMember(context.Background(), api.MemberCreate{Email: "deploy-bot@example.com", Role: api.RoleWriter})
			if err != nil {
				t.Fatal(err)
			}
			return nil
		},
		expect: func(ts *testserver.Server) []statecheck.StateCheck {
			const member, tok = "data.tokensmith_member.deploy_bot", "tokensmith_access_token.deploy_bot"
			return []statecheck.StateCheck{
				exampleAttr(member, "role", knownvalue.StringExact("writer")),
				exampleAttr(tok, "name", knownvalue.StringExact("deploy-bot")),
				exampleAttr(tok, "role", knownvalue.StringExact("writer")),
				exampleAttr(tok, "service_token", knownvalue.Bool(true)),
				exampleAttr(tok, "all_workspaces", knownvalue.Bool(true)),
				// The token belongs to the member found, not to the provider's.
				statecheck.CompareValuePairs(tok, tfjsonpath.New("member_id"), member, tfjsonpath.New("id"), compare.ValuesSame()),
			}
		},
		authenticates: []string{"tokensmith_access_token.deploy_bot"},
	},
	"data-sources/tokensmith_access_token/data-source.tf": {
		arrange: func(t *testing.T, ts *testserver.Server) config.Variables {
			tok, err := testAccClient(t, ts).CreateToken(context.Background(), api.TokenCreate{
				Name: "existing", Role: api.RoleReader, AllWorkspaces: true,
			}, client.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return config.Variables{"token_id": config.StringVariable(tok.ID)}
		},
		expect: func(ts *testserver.Server) []statecheck.StateCheck {
			return []statecheck.StateCheck{
				exampleAttr("data.tokensmith_access_token.existing", "name", knownvalue.StringExact("existing")),
				exampleAttr("data.tokensmith_access_token.existing", "role", knownvalue.StringExact("reader")),
				// Never used since it was made: token_last_used is null, and a
				// null output is left out of the state, so the attribute is checked.
				exampleAttr("data.tokensmith_access_token.existing", "last_used_at", knownvalue.Null()),
				statecheck.ExpectKnownOutputValue("token_expired", knownvalue.Bool(false)),
				statecheck.ExpectKnownOutputValue("token_uses_last_30_days", knownvalue.Int64Exact(0)),
			}
		},
	},
}

// exampleAttr expects attr of the resource or data source at addr.
func exampleAttr(addr, attr string, v knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), v)
}

// exampleStrings matches a set, or a list in any order, of exactly these
// strings.
func exampleStrings(want ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(want))
	for i, w := range want {
		checks[i] = knownvalue.StringExact(w)
	}
	return knownvalue.SetExact(checks)
}

// TestAccExamples applies every example of exampleExpectations against its
// own backend and checks what it produced.
func TestAccExamples(t *testing.T) {
	for rel, ex := range exampleExpectations {
		t.Run(rel, func(t *testing.T) {
			ts := testserver.New(t)
			// Examples carry literal dates; judge them on a fixed day.
			ts.Clock.Set(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			var vars config.Variables
			if ex.arrange != nil {
				vars = ex.arrange(t, ts)
			}
			if ex.expect == nil {
				t.Fatalf("%s states no expectations", rel)
			}
			var checks []resource.TestCheckFunc
			for _, addr := range ex.authenticates {
				checks = append(checks, testAccCheckTokenAuthenticates(ts, addr))
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccFactories(ts),
				Steps: []resource.TestStep{{
					Config:            testAccProviderConfig(ts) + readExample(t, rel),
					ConfigVariables:   vars,
					ConfigStateChecks: ex.expect(ts),
					Check:             resource.ComposeAggregateTestCheckFunc(checks...),
				}},
			})
		})
	}
}

// TestAccExampleDemo applies examples/demo as `make demo` does: the provider
// configured from the environment, a second workspace named platform.
func TestAccExampleDemo(t *testing.T) {
	ts := testserver.New(t)
	if _, err := testAccClient(t, ts).CreateWorkspace(context.Background(), api.WorkspaceCreate{Name: "platform"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv(envEndpoint, ts.URL)
	t.Setenv(envToken, ts.OwnerToken)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: withoutTerraformBlock(readExample(t, "demo/main.tf")),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValueAtPath("workspaces", tfjsonpath.New("default"), knownvalue.StringExact(ts.DefaultWorkspaceID)),
				statecheck.ExpectKnownOutputValueAtPath("custom_role", tfjsonpath.New("key"), knownvalue.StringExact("deployer")),
				statecheck.ExpectKnownOutputValueAtPath("tokens", tfjsonpath.New("demo-developer").AtMapKey("kind"), knownvalue.StringExact("personal")),
				statecheck.ExpectKnownOutputValueAtPath("tokens", tfjsonpath.New("demo-pipeline").AtMapKey("kind"), knownvalue.StringExact("service")),
				statecheck.ExpectKnownOutputValueAtPath("tokens", tfjsonpath.New("demo-pipeline").AtMapKey("last_four"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9A-Za-z]{4}$`))),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				testAccCheckTokenAuthenticates(ts, "tokensmith_access_token.developer"),
				testAccCheckTokenAuthenticates(ts, "tokensmith_access_token.pipeline"),
			),
		}},
	})
}

// withoutTerraformBlock drops the top-level terraform block, whose provider
// source address the test harness supplies itself.
func withoutTerraformBlock(hcl string) string {
	start := strings.Index(hcl, "terraform {")
	if start < 0 {
		return hcl
	}
	depth := 0
	for i := start; i < len(hcl); i++ {
		switch hcl[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return hcl[:start] + hcl[i+1:]
			}
		}
	}
	return hcl
}

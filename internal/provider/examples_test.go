package provider

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
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

func TestAccExamples(t *testing.T) {
	examples := map[string]struct {
		arrange func(t *testing.T, ts *testserver.Server) config.Variables
	}{
		"resources/tokensmith_access_token/resource.tf":          {},
		"resources/tokensmith_custom_role/resource.tf":           {},
		"data-sources/tokensmith_workspace/data-source.tf":       {},
		"data-sources/tokensmith_workspaces/data-source.tf":      {},
		"data-sources/tokensmith_permissions/data-source.tf":     {},
		"data-sources/tokensmith_caller_identity/data-source.tf": {},
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
		},
		"data-sources/tokensmith_member/data-source.tf": {
			arrange: func(t *testing.T, ts *testserver.Server) config.Variables {
				_, err := testAccClient(t, ts).CreateMember(context.Background(), api.MemberCreate{Email: "deploy-bot@example.com", Role: api.RoleWriter})
				if err != nil {
					t.Fatal(err)
				}
				return nil
			},
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
		},
	}
	for rel, ex := range examples {
		t.Run(rel, func(t *testing.T) {
			ts := testserver.New(t)
			// Examples carry literal dates; judge them on a fixed day.
			ts.Clock.Set(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			var vars config.Variables
			if ex.arrange != nil {
				vars = ex.arrange(t, ts)
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccFactories(ts),
				Steps: []resource.TestStep{{
					Config:          testAccProviderConfig(ts) + readExample(t, rel),
					ConfigVariables: vars,
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

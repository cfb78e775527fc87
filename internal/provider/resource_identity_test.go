package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// Resource identity needs Terraform 1.12 or OpenTofu 1.12; both report
// themselves as 1.12 or later.
var testAccIdentityVersionChecks = []tfversion.TerraformVersionCheck{
	tfversion.SkipBelow(tfversion.Version1_12_0),
}

func TestAccAccessToken_identity(t *testing.T) {
	ts := testserver.New(t)
	cfg := testAccTokenConfig(ts, "  name = \"ci\"\n  role = \"reader\"\n  all_workspaces = true\n")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		TerraformVersionChecks:   testAccIdentityVersionChecks,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(testAccTokenAddr, map[string]knownvalue.Check{
						"id": knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{24}$`)),
					}),
					statecheck.ExpectIdentityValueMatchesState(testAccTokenAddr, tfjsonpath.New("id")),
				},
			},
			{
				// An import block with identity = { id = ... }; the harness checks
				// the plan is a no-op import with the same identity.
				ResourceName:    testAccTokenAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

// A token made outside Terraform is adopted with an import block by
// identity and applied.
func TestAccAccessToken_importByIdentity(t *testing.T) {
	ts := testserver.New(t)
	tok, err := testAccClient(t, ts).CreateToken(context.Background(), api.TokenCreate{
		Name: "adopted", Role: api.RoleWriter, AllWorkspaces: true,
	}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testAccTokenConfig(ts, "  name = \"adopted\"\n  role = \"writer\"\n  all_workspaces = true\n")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		TerraformVersionChecks:   testAccIdentityVersionChecks,
		Steps: []resource.TestStep{
			{
				Config: cfg + fmt.Sprintf("import {\n  to = %s\n  identity = {\n    id = %q\n  }\n}\n", testAccTokenAddr, tok.ID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccTokenAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(testAccTokenAddr, map[string]knownvalue.Check{"id": knownvalue.StringExact(tok.ID)}),
					statecheck.ExpectKnownValue(testAccTokenAddr, tfjsonpath.New("id"), knownvalue.StringExact(tok.ID)),
					statecheck.ExpectKnownValue(testAccTokenAddr, tfjsonpath.New("token"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccTokenAddr, tfjsonpath.New("token_last_four"), knownvalue.StringExact(tok.Token[len(tok.Token)-4:])),
				},
			},
		},
	})
}

func TestAccCustomRole_identity(t *testing.T) {
	ts := testserver.New(t)
	cfg := testAccProviderConfig(ts) + `
resource "tokensmith_custom_role" "test" {
  key              = "auditor"
  name             = "Auditor"
  permissions = ["AUDIT_LOG_READ"]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		TerraformVersionChecks:   testAccIdentityVersionChecks,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(testAccRoleAddr, map[string]knownvalue.Check{"key": knownvalue.StringExact("auditor")}),
					statecheck.ExpectIdentityValueMatchesState(testAccRoleAddr, tfjsonpath.New("key")),
				},
			},
			{
				ResourceName:    testAccRoleAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

func TestAccCustomRole_importByIdentity(t *testing.T) {
	ts := testserver.New(t)
	role, err := testAccClient(t, ts).CreateCustomRole(context.Background(), api.CustomRoleCreate{
		Key: "deployer", Name: "Deployer", Permissions: []string{"WORKSPACE_READ"}, Policy: []api.Statement{},
	}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		TerraformVersionChecks:   testAccIdentityVersionChecks,
		Steps: []resource.TestStep{
			{
				Config: testAccProviderConfig(ts) + `
resource "tokensmith_custom_role" "test" {
  key              = "deployer"
  name             = "Deployer"
  permissions = ["WORKSPACE_READ"]
}

import {
  to = tokensmith_custom_role.test
  identity = {
    key = "deployer"
  }
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccRoleAddr, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(testAccRoleAddr, map[string]knownvalue.Check{"key": knownvalue.StringExact("deployer")}),
					statecheck.ExpectKnownValue(testAccRoleAddr, tfjsonpath.New("id"), knownvalue.StringExact(role.ID)),
				},
			},
		},
	})
}

package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestAccCustomRoleDataSource(t *testing.T) {
	ts := testserver.New(t)
	role, err := testAccClient(t, ts).CreateCustomRole(context.Background(), api.CustomRoleCreate{
		Key: "auditor", Name: "Auditor", Description: "Reads the audit log",
		Permissions: []string{"AUDIT_LOG_READ"}, BasePermissions: api.BasePermissionsReader,
		Policy: []api.Statement{{Effect: api.EffectAllow, Actions: []string{"WORKSPACE_READ"}, Resources: []string{"workspace/*"}}},
	}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const addr = "data.tokensmith_custom_role.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config: testAccProviderConfig(ts) + `data "tokensmith_custom_role" "test" { key = "auditor" }`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "id", role.ID),
					resource.TestCheckResourceAttr(addr, "name", "Auditor"),
					resource.TestCheckResourceAttr(addr, "description", "Reads the audit log"),
					resource.TestCheckTypeSetElemAttr(addr, "permissions.*", "AUDIT_LOG_READ"),
					resource.TestCheckResourceAttr(addr, "base_permissions", "reader"),
					resource.TestCheckResourceAttr(addr, "policy_statements.#", "1"),
					resource.TestCheckResourceAttr(addr, "policy_statements.0.effect", "allow"),
					resource.TestCheckResourceAttr(addr, "token_count", "0"),
				),
			},
			{
				Config:      testAccProviderConfig(ts) + `data "tokensmith_custom_role" "test" { key = "nobody" }`,
				ExpectError: regexp.MustCompile(`(?s)Custom Role Not Found.*"nobody"`),
			},
		},
	})
}

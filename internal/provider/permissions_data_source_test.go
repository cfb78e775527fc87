package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestAccPermissionsDataSource(t *testing.T) {
	ts := testserver.New(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(ts) + `data "tokensmith_permissions" "all" {}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckTypeSetElemAttr("data.tokensmith_permissions.all", "names.*", "ACCESS_TOKEN_READ"),
				resource.TestCheckTypeSetElemAttr("data.tokensmith_permissions.all", "names.*", "AUDIT_LOG_READ"),
				resource.TestCheckTypeSetElemNestedAttrs("data.tokensmith_permissions.all", "permissions.*", map[string]string{
					"name":    "CUSTOM_ROLE_WRITE",
					"roles.#": "2",
				}),
			),
		}},
	})
}

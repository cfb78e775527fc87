package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestAccCallerIdentityDataSource(t *testing.T) {
	ts := testserver.New(t)
	const addr = "data.tokensmith_caller_identity.this"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(ts) + `data "tokensmith_caller_identity" "this" {}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(addr, "member_id", ts.OwnerID),
				resource.TestCheckResourceAttr(addr, "organization_id", ts.OrgID),
				resource.TestCheckResourceAttr(addr, "member_role", "owner"),
				resource.TestCheckResourceAttrSet(addr, "token_id"),
				resource.TestCheckTypeSetElemAttr(addr, "effective_permissions.*", "ACCESS_TOKEN_WRITE"),
			),
		}},
	})
}

package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

func TestAccWorkspaceDataSource(t *testing.T) {
	ts := testserver.New(t)
	platform, err := testAccClient(t, ts).CreateWorkspace(context.Background(),
		api.WorkspaceCreate{Name: "platform", Description: "Platform team"})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{
			{
				Config:      testAccProviderConfig(ts) + `data "tokensmith_workspace" "x" { name = "nowhere" }`,
				ExpectError: regexp.MustCompile(`(?s)Workspace Not Found.*No\s+workspace\s+named\s+"nowhere"\s+is\s+visible\s+to\s+the\s+provider's\s+credential`),
			},
			{
				Config:      testAccProviderConfig(ts) + `data "tokensmith_workspace" "x" { id = "000000000000000000000000" }`,
				ExpectError: regexp.MustCompile(`(?s)Workspace Not Found.*000000000000000000000000`),
			},
			{
				Config:      testAccProviderConfig(ts) + `data "tokensmith_workspace" "x" {}`,
				ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration`),
			},
			{
				Config: testAccProviderConfig(ts) + `data "tokensmith_workspace" "x" {
  id   = "a"
  name = "b"
}`,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
			},
			{
				Config: testAccProviderConfig(ts) + fmt.Sprintf(`
data "tokensmith_workspace" "by_name" {
  name = "default"
}

data "tokensmith_workspace" "by_id" {
  id = %q
}
`, platform.ID),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.tokensmith_workspace.by_name", "id", ts.DefaultWorkspaceID),
					resource.TestCheckResourceAttr("data.tokensmith_workspace.by_name", "owner_id", ts.OwnerID),
					resource.TestCheckResourceAttrSet("data.tokensmith_workspace.by_name", "created_at"),
					resource.TestCheckResourceAttr("data.tokensmith_workspace.by_id", "name", "platform"),
					resource.TestCheckResourceAttr("data.tokensmith_workspace.by_id", "description", "Platform team"),
				),
			},
		},
	})
}

func TestAccWorkspacesDataSource(t *testing.T) {
	ts := testserver.New(t)
	platform, err := testAccClient(t, ts).CreateWorkspace(context.Background(), api.WorkspaceCreate{Name: "platform"})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(ts) + `
data "tokensmith_workspaces" "all" {}

data "tokensmith_workspaces" "platform" {
  name = "platform"
}

data "tokensmith_workspaces" "none" {
  name = "nowhere"
}
`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.tokensmith_workspaces.all", "workspaces.#", "2"),
				resource.TestCheckTypeSetElemAttr("data.tokensmith_workspaces.all", "ids.*", ts.DefaultWorkspaceID),
				resource.TestCheckTypeSetElemAttr("data.tokensmith_workspaces.all", "ids.*", platform.ID),
				resource.TestCheckResourceAttr("data.tokensmith_workspaces.platform", "ids.#", "1"),
				resource.TestCheckResourceAttr("data.tokensmith_workspaces.platform", "workspaces.0.id", platform.ID),
				resource.TestCheckResourceAttr("data.tokensmith_workspaces.platform", "workspaces.0.name", "platform"),
				resource.TestCheckResourceAttr("data.tokensmith_workspaces.none", "workspaces.#", "0"),
			),
		}},
	})
}

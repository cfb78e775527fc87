package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resource identity (Terraform 1.12 and OpenTofu 1.12 onwards) names a
// managed object independently of its other attributes, so it can be
// imported with an import block's identity argument. An access token is
// identified by its id, a custom role by its key: the names under which
// each is imported by id as well. Each resource declares its identity
// schema and records its identity in its own file; importing is shared.

// importByIDOrIdentity imports from `terraform import` / an import block's
// id, or from an import block's identity, and records the identity either
// way; Read fills in the rest.
func importByIDOrIdentity(ctx context.Context, attr string, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root(attr), path.Root(attr), req, resp)
	if resp.Diagnostics.HasError() || req.ID == "" || resp.Identity == nil {
		return
	}
	resp.Diagnostics.Append(resp.Identity.SetAttribute(ctx, path.Root(attr), req.ID)...)
}

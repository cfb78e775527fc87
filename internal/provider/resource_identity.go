package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12 and OpenTofu 1.12 onwards) names a
// managed object independently of its other attributes, so it can be
// imported with an import block's identity argument. An access token is
// identified by its id, a custom role by its key: the names under which
// each is imported by id as well.

var (
	_ resource.ResourceWithIdentity = (*accessTokenResource)(nil)
	_ resource.ResourceWithIdentity = (*customRoleResource)(nil)
)

type accessTokenIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

type customRoleIdentityModel struct {
	Key types.String `tfsdk:"key"`
}

func (r *accessTokenResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description:       "Identifier of the access token.",
				RequiredForImport: true,
			},
		},
	}
}

func (r *customRoleResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"key": identityschema.StringAttribute{
				Description:       "Unique key of the custom role.",
				RequiredForImport: true,
			},
		},
	}
}

// setAccessTokenIdentity records the identity of the token with the given
// id. identity is nil when the resource is used without identity support.
//
// Read also records it when the token is gone: the framework insists on an
// identity after every Read without error, even one that removes the
// resource, and a CLI without identity support never stored one to carry
// over.
func setAccessTokenIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id string, diags *diag.Diagnostics) {
	if identity == nil || id == "" {
		return
	}
	diags.Append(identity.Set(ctx, accessTokenIdentityModel{ID: types.StringValue(id)})...)
}

// setCustomRoleIdentity records the identity of the role with the given key.
func setCustomRoleIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, key string, diags *diag.Diagnostics) {
	if identity == nil || key == "" {
		return
	}
	diags.Append(identity.Set(ctx, customRoleIdentityModel{Key: types.StringValue(key)})...)
}

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

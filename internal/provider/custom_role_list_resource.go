package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

var _ list.ListResourceWithConfigure = (*customRoleListResource)(nil)

// NewCustomRoleListResource is the constructor of the tokensmith_custom_role
// list resource (terraform query).
func NewCustomRoleListResource() list.ListResource {
	return &customRoleListResource{}
}

// customRoleListResource lists existing custom roles, so that `terraform
// query` can write import blocks and configuration for the unmanaged ones.
type customRoleListResource struct {
	data *providerData
}

type customRoleListModel struct {
	KeyPrefix types.String `tfsdk:"key_prefix"`
}

func (r *customRoleListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_custom_role"
}

func (r *customRoleListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists existing custom roles for `terraform query`, which writes import blocks and " +
			"configuration for them (`-generate-config-out`); the generated configuration plans no changes " +
			"once imported. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"key_prefix": schema.StringAttribute{
				MarkdownDescription: "Only roles whose key starts with this.",
				Optional:            true,
			},
		},
	}
}

func (r *customRoleListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *customRoleListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	f, ok := getModel[customRoleListModel](ctx, r.data, req.Config, &diags)
	if !ok {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	var roles []api.CustomRole
	for offset := 0; ; offset += listPageSize {
		page, err := r.data.Client.ListCustomRoles(ctx, client.ListOptions{Limit: listPageSize, Offset: offset})
		if err != nil {
			addAPIError(&diags, "Unable to List Custom Roles", "Could not list custom roles", err, nil)
			stream.Results = list.ListResultsStreamDiagnostics(diags)
			return
		}
		for _, role := range page.Items {
			if strings.HasPrefix(role.Key, f.KeyPrefix.ValueString()) {
				roles = append(roles, role)
			}
		}
		if len(page.Items) == 0 || offset+len(page.Items) >= page.TotalCount {
			break
		}
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i := range roles {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			role := &roles[i]
			result := req.NewListResult(ctx)
			result.DisplayName = role.Name
			setCustomRoleIdentity(ctx, result.Identity, role.Key, &result.Diagnostics)
			if req.IncludeResource {
				m, d := customRoleFromAPI(ctx, role, customRoleModel{})
				result.Diagnostics.Append(d...)
				result.Diagnostics.Append(result.Resource.Set(ctx, m)...)
			}
			if !push(result) {
				return
			}
		}
	}
}

package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

var _ list.ListResourceWithConfigure = (*accessTokenListResource)(nil)

// NewAccessTokenListResource is the constructor of the
// tokensmith_access_token list resource (terraform query).
func NewAccessTokenListResource() list.ListResource {
	return &accessTokenListResource{}
}

// accessTokenListResource lists existing tokens, so that `terraform query`
// can write import blocks and configuration for the unmanaged ones.
type accessTokenListResource struct {
	data *providerData
}

type accessTokenListModel struct {
	AllMembers    types.Bool   `tfsdk:"all_members"`
	MemberID      types.String `tfsdk:"member_id"`
	ServiceToken  types.Bool   `tfsdk:"service_token"`
	WorkspaceID   types.String `tfsdk:"workspace_id"`
	NamePrefix    types.String `tfsdk:"name_prefix"`
	UnusedForDays types.Int64  `tfsdk:"unused_for_days"`
	Expired       types.Bool   `tfsdk:"expired"`
}

// listPageSize is how many items each request of a listing asks for.
const listPageSize = 100

func (r *accessTokenListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_token"
}

func (r *accessTokenListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists existing access tokens for `terraform query`, which writes import blocks and " +
			"configuration for them (`-generate-config-out`). The generated configuration plans no changes " +
			"once imported; `token` stays null, since the backend never shows a secret again. Every filter " +
			"is optional and they combine. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"all_members": schema.BoolAttribute{
				MarkdownDescription: "List every member's tokens rather than the provider's own member's " +
					"(needs `ACCESS_TOKEN_MANAGE`). Implied by `member_id`.",
				Optional: true,
			},
			"member_id": schema.StringAttribute{
				MarkdownDescription: "Only tokens of this member (see the `tokensmith_member` data source).",
				Optional:            true,
			},
			"service_token": schema.BoolAttribute{
				MarkdownDescription: "`true` lists only service tokens, `false` only personal tokens.",
				Optional:            true,
			},
			"workspace_id": schema.StringAttribute{
				MarkdownDescription: "Only tokens whose scope reaches this workspace (listed, or all workspaces).",
				Optional:            true,
			},
			"name_prefix": schema.StringAttribute{
				MarkdownDescription: "Only tokens whose name starts with this.",
				Optional:            true,
			},
			"unused_for_days": schema.Int64Attribute{
				MarkdownDescription: "Only tokens not used for at least this many days (never used: created at " +
					"least this many days ago), judged by the backend's record of last use.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"expired": schema.BoolAttribute{
				MarkdownDescription: "`true` lists only expired tokens, `false` only tokens still valid.",
				Optional:            true,
			},
		},
	}
}

func (r *accessTokenListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *accessTokenListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	f, ok := getModel[accessTokenListModel](ctx, r.data, req.Config, &diags)
	if !ok {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	showAll := f.AllMembers.ValueBool() || f.MemberID.ValueString() != ""
	var tokens []api.Token
	for offset := 0; ; offset += listPageSize {
		page, err := r.data.Client.ListTokens(ctx, showAll, client.ListOptions{Limit: listPageSize, Offset: offset})
		if err != nil {
			addAPIError(&diags, "Unable to List Access Tokens", "Could not list access tokens", err, nil)
			stream.Results = list.ListResultsStreamDiagnostics(diags)
			return
		}
		for _, t := range page.Items {
			if f.matches(t, r.data.Now()) {
				tokens = append(tokens, t)
			}
		}
		if len(page.Items) == 0 || offset+len(page.Items) >= page.TotalCount {
			break
		}
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i := range tokens {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			t := &tokens[i]
			result := req.NewListResult(ctx)
			result.DisplayName = t.Name
			setAccessTokenIdentity(ctx, result.Identity, t.ID, &result.Diagnostics)
			if req.IncludeResource {
				keys, err := r.data.customRoleKeys(ctx, t.CustomRoleIDs)
				if err != nil {
					addAPIError(&result.Diagnostics, "Unable to Read Custom Role",
						fmt.Sprintf("Could not look up the custom roles of access token %s", t.ID), err, nil)
				}
				m, d := accessTokenFromAPI(ctx, t, accessTokenModel{}, keys)
				result.Diagnostics.Append(d...)
				result.Diagnostics.Append(result.Resource.Set(ctx, m)...)
			}
			if !push(result) {
				return
			}
		}
	}
}

// matches applies the filters to one token; now is the provider's clock.
func (f accessTokenListModel) matches(t api.Token, now time.Time) bool {
	if v := f.MemberID.ValueString(); v != "" && t.MemberID != v {
		return false
	}
	if !f.ServiceToken.IsNull() && t.ServiceToken != f.ServiceToken.ValueBool() {
		return false
	}
	if v := f.WorkspaceID.ValueString(); v != "" && !t.AllWorkspaces && !slices.Contains(t.WorkspaceIDs, v) {
		return false
	}
	if !strings.HasPrefix(t.Name, f.NamePrefix.ValueString()) {
		return false
	}
	if !f.Expired.IsNull() && t.Expired != f.Expired.ValueBool() {
		return false
	}
	if !f.UnusedForDays.IsNull() {
		last := t.LastUsed
		if last == 0 {
			last = t.CreationDate
		}
		if now.Sub(time.UnixMilli(last)) < time.Duration(f.UnusedForDays.ValueInt64())*24*time.Hour {
			return false
		}
	}
	return true
}

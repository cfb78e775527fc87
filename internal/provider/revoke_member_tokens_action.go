package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

var _ action.ActionWithConfigure = (*revokeMemberTokensAction)(nil)

// NewRevokeMemberTokensAction is the constructor of the
// tokensmith_revoke_member_tokens action.
func NewRevokeMemberTokensAction() action.Action {
	return &revokeMemberTokensAction{}
}

// revokeMemberTokensAction deletes a member's tokens in one request to the
// backend's bulk delete, for offboarding and incidents, and reports how many
// went.
type revokeMemberTokensAction struct {
	data *providerData
}

type revokeMemberTokensModel struct {
	MemberID     types.String `tfsdk:"member_id"`
	ServiceToken types.Bool   `tfsdk:"service_token"`
	WorkspaceID  types.String `tfsdk:"workspace_id"`
}

func (a *revokeMemberTokensAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_revoke_member_tokens"
}

func (a *revokeMemberTokensAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Revokes (deletes) the access tokens of one member at once, in a single transaction " +
			"of the backend, and reports how many were revoked. For offboarding and incidents: invoke it with " +
			"`terraform apply -invoke=action.tokensmith_revoke_member_tokens.<name>`, or from a resource's " +
			"`lifecycle` `action_trigger`. Tokens managed by Terraform that it revokes are recreated by the " +
			"next apply unless they are removed from the configuration. Needs `ACCESS_TOKEN_MANAGE` for " +
			"another member's tokens, and a role at least the member's. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"member_id": schema.StringAttribute{
				MarkdownDescription: "Identifier of the member whose tokens are revoked (see the `tokensmith_member` data source).",
				Required:            true,
			},
			"service_token": schema.BoolAttribute{
				MarkdownDescription: "`true` revokes only service tokens, `false` only personal tokens; unset, both.",
				Optional:            true,
			},
			"workspace_id": schema.StringAttribute{
				MarkdownDescription: "Revoke only the tokens whose scope reaches this workspace: those listing it, " +
					"and those scoped to all workspaces.",
				Optional: true,
			},
		},
	}
}

func (a *revokeMemberTokensAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (a *revokeMemberTokensAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	m, ok := getModel[revokeMemberTokensModel](ctx, a.data, req.Config, &resp.Diagnostics)
	if !ok {
		return
	}
	f := client.TokenBulkFilter{WorkspaceID: m.WorkspaceID.ValueString()}
	if !m.ServiceToken.IsNull() {
		f.ServiceToken = m.ServiceToken.ValueBoolPointer()
	}
	res, err := a.data.Client.DeleteMemberTokens(ctx, m.MemberID.ValueString(), f)
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Revoke Member Tokens",
			fmt.Sprintf("Could not revoke the %s of member %s", revokedWhat(m), m.MemberID.ValueString()), err,
			map[string]path.Path{
				"memberId":     path.Root("member_id"),
				"serviceToken": path.Root("service_token"),
				"workspaceId":  path.Root("workspace_id"),
			})
		return
	}
	if resp.SendProgress != nil {
		resp.SendProgress(action.InvokeProgressEvent{
			Message: fmt.Sprintf("Revoked %d %s of member %s.", res.DeletedCount, revokedWhat(m), res.MemberID),
		})
	}
}

// revokedWhat names the tokens an invocation revokes, for messages.
func revokedWhat(m revokeMemberTokensModel) string {
	what := "tokens"
	if !m.ServiceToken.IsNull() {
		if m.ServiceToken.ValueBool() {
			what = "service tokens"
		} else {
			what = "personal tokens"
		}
	}
	if w := m.WorkspaceID.ValueString(); w != "" {
		what += " reaching workspace " + w
	}
	return what
}

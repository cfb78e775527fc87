package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

var (
	_ ephemeral.EphemeralResourceWithConfigure        = (*accessTokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigValidators = (*accessTokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose            = (*accessTokenEphemeralResource)(nil)
)

// NewAccessTokenEphemeralResource is the constructor of the ephemeral
// tokensmith_access_token.
func NewAccessTokenEphemeralResource() ephemeral.EphemeralResource {
	return &accessTokenEphemeralResource{}
}

type accessTokenEphemeralResource struct {
	data *providerData
}

type accessTokenEphemeralModel struct {
	NamePrefix    types.String `tfsdk:"name_prefix"`
	Description   types.String `tfsdk:"description"`
	Role          types.String `tfsdk:"role"`
	CustomRoles   types.Set    `tfsdk:"custom_roles"`
	InlineRole    types.Set    `tfsdk:"inline_role"`
	Permissions   types.Set    `tfsdk:"permissions"`
	Access        types.Map    `tfsdk:"access"`
	WorkspaceIDs  types.Set    `tfsdk:"workspace_ids"`
	AllWorkspaces types.Bool   `tfsdk:"all_workspaces"`
	ServiceToken  types.Bool   `tfsdk:"service_token"`
	TTL           types.String `tfsdk:"ttl"`
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	Token         types.String `tfsdk:"token"`
	ExpiresAt     types.String `tfsdk:"expires_at"`
}

const (
	// defaultEphemeralTokenTTL is the lifetime of a token whose ttl is unset.
	defaultEphemeralTokenTTL = "1h"
	// ephemeralNameSuffixBytes random bytes, hex-encoded, follow name_prefix.
	ephemeralNameSuffixBytes = 6
	// ephemeralTokenIDKey is the private data key the token id is kept under
	// between Open and Close.
	ephemeralTokenIDKey = "token_id"
)

func (r *accessTokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_token"
}

func (r *accessTokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	docs := newTokenArgumentDocs("", "every workspace")
	maxPrefix := api.MaxTokenNameLength - 2*ephemeralNameSuffixBytes
	resp.Schema = schema.Schema{
		MarkdownDescription: "A short-lived access token for the duration of one Terraform run, for example a " +
			"CI job. It is created when Terraform opens the ephemeral resource and deleted when Terraform closes " +
			"it, and it is never written to the plan or the state. If the deletion fails, Terraform shows a " +
			"warning and the token stops working when its `ttl` runs out. Needs Terraform 1.10 or later, or " +
			"OpenTofu 1.11 or later.\n\n" +
			"Terraform and OpenTofu open an ephemeral resource whenever they need its value, during `plan` " +
			"as well as during `apply`, and do not tell the provider which of the two is running. A " +
			"`terraform apply` that plans first therefore creates and deletes two tokens, and a `plan` alone " +
			"one: each appears in the backend's audit log (`token.create` and `token.delete`), and each " +
			"counts against the member's token quota while it exists, so a member needs room for one " +
			"more token than it keeps.",
		Attributes: map[string]schema.Attribute{
			"name_prefix": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Beginning of the token's name, at most %d characters; a unique "+
					"suffix of %d characters is appended.", maxPrefix, 2*ephemeralNameSuffixBytes),
				Required:   true,
				Validators: nameValidators(maxPrefix),
			},
			"description": schema.StringAttribute{
				MarkdownDescription: docs.Description,
				Optional:            true,
				Validators:          descriptionValidators(),
			},
			"role": schema.StringAttribute{
				MarkdownDescription: docs.Role,
				Optional:            true,
				Validators:          tokenRoleValidators(),
			},
			"custom_roles": schema.SetAttribute{
				MarkdownDescription: docs.CustomRoles,
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          tokenCustomRolesValidators(),
			},
			"inline_role": schema.SetNestedAttribute{
				MarkdownDescription: docs.InlineRole,
				Optional:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: policyStatementEphemeralAttributes()},
				Validators:          nonEmptySetValidators(),
			},
			"permissions": schema.SetAttribute{
				MarkdownDescription: docs.Permissions,
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          nonEmptySetValidators(),
			},
			"access": schema.MapAttribute{
				MarkdownDescription: docs.Access,
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          accessValidators(),
			},
			"workspace_ids": schema.SetAttribute{
				MarkdownDescription: docs.WorkspaceIDs,
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          nonEmptySetValidators(),
			},
			"all_workspaces": schema.BoolAttribute{
				MarkdownDescription: docs.AllWorkspaces,
				Optional:            true,
				Validators:          tokenAllWorkspacesValidators(),
			},
			"service_token": schema.BoolAttribute{
				MarkdownDescription: docs.ServiceToken,
				Optional:            true,
			},
			"ttl": schema.StringAttribute{
				MarkdownDescription: "Lifetime of the token from when it is opened, as a duration such as `30m` " +
					"or `2h`. Defaults to `" + defaultEphemeralTokenTTL + "`. The backend refuses lifetimes " +
					"beyond its expiration policy.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{positiveDuration},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier of the token.",
				Computed:            true,
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Name of the token: `name_prefix` and the unique suffix.",
				Computed:            true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The secret.",
				Computed:            true,
				Sensitive:           true,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the token stops working, in RFC 3339 format.",
				Computed:            true,
			},
		},
	}
}

func (r *accessTokenEphemeralResource) ConfigValidators(context.Context) []ephemeral.ConfigValidator {
	return []ephemeral.ConfigValidator{
		tokenGrantArguments,
		tokenScopeArguments,
	}
}

func (r *accessTokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *accessTokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m accessTokenEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data == nil {
		resp.Diagnostics.AddError("Unconfigured Tokensmith Provider",
			"The ephemeral access token cannot be opened before the provider is configured. This happens when "+
				"the provider configuration depends on values that are not known yet.")
		return
	}

	if m.TTL.IsNull() {
		m.TTL = types.StringValue(defaultEphemeralTokenTTL)
	}
	ttl, err := time.ParseDuration(m.TTL.ValueString())
	if err != nil || ttl <= 0 {
		resp.Diagnostics.AddAttributeError(path.Root("ttl"), "Invalid Duration",
			fmt.Sprintf("%q is not a positive duration; use a value such as 30m or 2h.", m.TTL.ValueString()))
		return
	}
	suffix, err := ephemeralNameSuffix()
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Access Token", fmt.Sprintf("Could not generate a unique name: %s", err))
		return
	}
	m.Name = types.StringValue(m.NamePrefix.ValueString() + suffix)

	// The managed resource's conversion builds the grant and the scope; the
	// expiry comes from ttl instead of expires_at or expires_in_days.
	managed := accessTokenModel{
		Name:              m.Name,
		Description:       m.Description,
		Role:              m.Role,
		CustomRoles:       m.CustomRoles,
		InlineRole:        m.InlineRole,
		Permissions:       m.Permissions,
		Access:            m.Access,
		WorkspaceIDs:      m.WorkspaceIDs,
		AllWorkspaces:     m.AllWorkspaces,
		ServiceToken:      m.ServiceToken,
		DefaultAPIVersion: types.Int64Null(),
		ExpiresAt:         types.StringNull(),
		ExpiresInDays:     types.Int64Null(),
	}
	now := r.data.Now()
	body, diags := accessTokenCreateBody(ctx, managed, now)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	body.ExpirationDate = now.UTC().Add(ttl).Truncate(time.Second).UnixMilli()

	fields := accessTokenFields(managed)
	fields["name"] = path.Root("name_prefix")
	fields["expirationDate"] = path.Root("ttl")
	t, err := r.data.Client.CreateToken(ctx, body, client.WriteOptions{})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Create Access Token",
			fmt.Sprintf("Could not create ephemeral access token %q", m.Name.ValueString()), err, fields)
		return
	}

	m.ID = types.StringValue(t.ID)
	m.Token = types.StringValue(t.Token)
	m.ExpiresAt = timestampValue(t.ExpirationDate)
	id, err := json.Marshal(t.ID)
	if err != nil {
		addProviderBug(&resp.Diagnostics, "Unable to Record Access Token", err)
	} else {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, ephemeralTokenIDKey, id)...)
	}
	resp.Diagnostics.Append(resp.Result.Set(ctx, m)...)
	if resp.Diagnostics.HasError() {
		// Terraform does not close what failed to open, so the token would
		// otherwise live until its ttl runs out.
		if err := r.data.Client.DeleteToken(ctx, t.ID); err != nil && !client.IsNotFound(err) {
			resp.Diagnostics.AddWarning("Unable to Delete Access Token",
				fmt.Sprintf("Ephemeral access token %s could not be deleted after the failure above: %s\n\n"+
					"It stops working when its ttl runs out.", t.ID, err))
		}
	}
}

// Close deletes the token. Terraform has finished with it; a token that is
// already gone is fine, and a failure only warns because the token expires
// by itself at the end of its ttl.
func (r *accessTokenEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	raw, diags := req.Private.GetKey(ctx, ephemeralTokenIDKey)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || len(raw) == 0 {
		return
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil || id == "" {
		resp.Diagnostics.AddWarning("Unable to Delete Access Token",
			"The identifier of the ephemeral access token was not recorded, so it could not be deleted. "+
				"It stops working when its ttl runs out. This is a bug in the provider; please report it.")
		return
	}
	if r.data == nil {
		resp.Diagnostics.AddWarning("Unable to Delete Access Token",
			fmt.Sprintf("Ephemeral access token %s could not be deleted because the provider is not configured. "+
				"It stops working when its ttl runs out.", id))
		return
	}
	err := r.data.Client.DeleteToken(ctx, id)
	if err == nil || client.IsNotFound(err) {
		return
	}
	resp.Diagnostics.AddWarning("Unable to Delete Access Token",
		fmt.Sprintf("Ephemeral access token %s could not be deleted: %s\n\nIt stops working when its ttl runs out.", id, err))
}

// ephemeralNameSuffix returns random hex characters that make each opened
// token's name unique.
func ephemeralNameSuffix() (string, error) {
	b := make([]byte, ephemeralNameSuffixBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// policyStatementEphemeralAttributes is the nested object of a statement in
// an ephemeral resource schema, the counterpart of
// policyStatementResourceAttributes.
func policyStatementEphemeralAttributes() map[string]schema.Attribute {
	set := func(doc string, validators []validator.Set) schema.SetAttribute {
		return schema.SetAttribute{MarkdownDescription: doc, ElementType: types.StringType, Optional: true, Validators: validators}
	}
	return map[string]schema.Attribute{
		"effect": schema.StringAttribute{
			MarkdownDescription: effectDoc(),
			Required:            true,
			Validators:          statementEffectValidators(),
		},
		"actions":       set(statementActionsDoc, statementExactlyOneOf("not_actions")),
		"not_actions":   set(statementNotActionsDoc, nonEmptySetValidators()),
		"resources":     set(statementResourcesDoc, statementExactlyOneOf("not_resources")),
		"not_resources": set(statementNotResourcesDoc, nonEmptySetValidators()),
	}
}

package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

var (
	_ resource.ResourceWithConfigure        = (*accessTokenResource)(nil)
	_ resource.ResourceWithConfigValidators = (*accessTokenResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*accessTokenResource)(nil)
	_ resource.ResourceWithImportState      = (*accessTokenResource)(nil)
	_ resource.ResourceWithIdentity         = (*accessTokenResource)(nil)
)

// NewAccessTokenResource is the constructor of tokensmith_access_token.
func NewAccessTokenResource() resource.Resource {
	return &accessTokenResource{}
}

type accessTokenResource struct {
	data *providerData
}

type accessTokenModel struct {
	ID                types.String `tfsdk:"id"`
	Name              types.String `tfsdk:"name"`
	Description       types.String `tfsdk:"description"`
	Role              types.String `tfsdk:"role"`
	CustomRoles       types.Set    `tfsdk:"custom_roles"`
	InlineRole        types.Set    `tfsdk:"inline_role"`
	Permissions       types.Set    `tfsdk:"permissions"`
	Access            types.Map    `tfsdk:"access"`
	WorkspaceIDs      types.Set    `tfsdk:"workspace_ids"`
	AllWorkspaces     types.Bool   `tfsdk:"all_workspaces"`
	ServiceToken      types.Bool   `tfsdk:"service_token"`
	DefaultAPIVersion types.Int64  `tfsdk:"default_api_version"`
	ExpiresAt         types.String `tfsdk:"expires_at"`
	ExpiresInDays     types.Int64  `tfsdk:"expires_in_days"`
	Token             types.String `tfsdk:"token"`
	TokenLastFour     types.String `tfsdk:"token_last_four"`
	OwnerID           types.String `tfsdk:"owner_id"`
	MemberID          types.String `tfsdk:"member_id"`
	CreatedAt         types.String `tfsdk:"created_at"`
	Expired           types.Bool   `tfsdk:"expired"`
	AllowWidening     types.Bool   `tfsdk:"allow_widening"`
	RotateBeforeDays  types.Int64  `tfsdk:"rotate_before_days"`
	RotationTriggers  types.Map    `tfsdk:"rotation_triggers"`
	ResetGracePeriod  types.String `tfsdk:"reset_grace_period"`
	SecretWO          types.String `tfsdk:"secret_wo"`
	SecretWOVersion   types.Int64  `tfsdk:"secret_wo_version"`
}

type accessTokenIdentityModel struct {
	ID types.String `tfsdk:"id"`
}

// lifetimeTolerance is how far an existing token's lifetime may be from
// expires_in_days and still count as matching. The expiry is computed from
// the provider's clock, the creation time comes from the backend's.
const lifetimeTolerance = time.Hour

func (r *accessTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_token"
}

func (r *accessTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	docs := newTokenArgumentDocs("updates the token in place", "every current and future workspace")
	resp.Schema = schema.Schema{
		MarkdownDescription: "An access token of the Tokensmith backend. The secret is returned only when " +
			"the token is created and is kept in the Terraform state from then on, unless the configuration " +
			"supplies it in the write-only `secret_wo`: then it is in neither the plan nor the state.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier of the token.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Name of the token, 1 to %d characters without control characters.", api.MaxTokenNameLength),
				Required:            true,
				Validators:          nameValidators(api.MaxTokenNameLength),
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
				NestedObject:        schema.NestedAttributeObject{Attributes: policyStatementResourceAttributes()},
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
				MarkdownDescription: docs.ServiceToken + " Changing it replaces the token.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				PlanModifiers:       []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"default_api_version": schema.Int64Attribute{
				MarkdownDescription: "API version used for requests made with the token that do not name " +
					"one. The backend chooses when unset. Changing it replaces the token.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.Int64{
					int64planmodifier.UseStateForUnknown(),
					int64planmodifier.RequiresReplace(),
				},
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the token stops working, in RFC 3339 format. Computed when " +
					"`expires_in_days` is used. Conflicts with `expires_in_days`; with neither, the token " +
					"never expires where the backend's policy allows it. Changing it replaces the token.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{rfc3339Validator{}},
			},
			"expires_in_days": schema.Int64Attribute{
				MarkdownDescription: "Lifetime of the token in days from its creation. Conflicts with " +
					"`expires_at`. Changing it replaces the token.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The secret. The backend shows it only once, so it is set when the " +
					"token is created (or replaced) and kept in state afterwards. It is null after an import, " +
					"and always null for a token whose secret comes from `secret_wo`.",
				Computed:  true,
				Sensitive: true,
			},
			"token_last_four": schema.StringAttribute{
				MarkdownDescription: "Last four characters of the secret, safe to display.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"owner_id": schema.StringAttribute{
				MarkdownDescription: "Identifier of the organisation the token belongs to.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"member_id": schema.StringAttribute{
				MarkdownDescription: "Identifier of the member the token belongs to and acts as; the provider's " +
					"own member when unset. An owner or admin (`ACCESS_TOKEN_MANAGE`) may create a token for " +
					"another member of the same or a lower role, for example a service account (see the " +
					"`tokensmith_member` data source): the token then follows that member's rules too, so its " +
					"grant cannot exceed their role, below admin its workspaces must be ones they belong to, " +
					"and it counts against their quota. The plan's dry run checks all of this. Changing it " +
					"replaces the token.",
				Optional: true,
				Computed: true,
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.UseStateForUnknown(),
					stringplanmodifier.RequiresReplace(),
				},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the token was created, in RFC 3339 format.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"expired": schema.BoolAttribute{
				MarkdownDescription: "Whether the token has expired. An expired token is replaced by the next apply.",
				Computed:            true,
			},
		},
	}
	addRotationAttributes(resp.Schema.Attributes)
	addWriteOnlyAttributes(resp.Schema.Attributes)
	resp.Schema.Attributes["allow_widening"] = allowWideningAttribute("token")
}

func (r *accessTokenResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return append([]resource.ConfigValidator{
		tokenGrantArguments,
		tokenScopeArguments,
		conflictingArguments{"expires_at", "expires_in_days"},
	}, writeOnlyConfigValidators()...)
}

func (r *accessTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan decides what the backend cannot be asked to change in place:
// the expiry and an expired token. Both lead to a replacement, planned by
// giving the attribute a value that differs from the state and naming it in
// RequiresReplace.
func (r *accessTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	// The plan-time review (access_token_plan.go) runs last, on the finished plan.
	defer r.reviewPlan(ctx, req, resp)
	defer planAllowWidening(ctx, req, resp)
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, config accessTokenModel
	resp.Diagnostics.Append(readModel(ctx, req.Plan, &plan)...)
	resp.Diagnostics.Append(readModel(ctx, req.Config, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.Expired = types.BoolValue(false)

	if req.State.Raw.IsNull() {
		if config.ExpiresAt.IsNull() && config.ExpiresInDays.IsNull() {
			plan.ExpiresAt = types.StringNull()
		}
		r.planWriteOnly(ctx, config, nil, &plan, resp)
		resp.Diagnostics.Append(writeModel(ctx, &resp.Plan, plan)...)
		return
	}

	var state accessTokenModel
	resp.Diagnostics.Append(readModel(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The backend never shows the secret again, so it carries over unless
	// the token is replaced (Terraform then plans again without a state).
	plan.Token = state.Token
	if state.Expired.ValueBool() {
		resp.RequiresReplace.Append(path.Root("expired"))
	}

	switch {
	case !config.ExpiresAt.IsNull():
		if config.ExpiresAt.IsUnknown() || !sameInstantStrings(config.ExpiresAt, state.ExpiresAt) {
			resp.RequiresReplace.Append(path.Root("expires_at"))
		}
	case !config.ExpiresInDays.IsNull():
		// A token whose lifetime already is the configured number of days
		// (for example one just imported) is kept.
		if !config.ExpiresInDays.IsUnknown() &&
			(config.ExpiresInDays.Equal(state.ExpiresInDays) || lifetimeIsDays(state, config.ExpiresInDays.ValueInt64())) {
			plan.ExpiresAt = state.ExpiresAt
		} else {
			plan.ExpiresAt = types.StringUnknown()
			resp.RequiresReplace.Append(path.Root("expires_in_days"))
		}
	default:
		plan.ExpiresAt = types.StringNull()
		if !state.ExpiresAt.IsNull() {
			resp.RequiresReplace.Append(path.Root("expires_at"))
		}
	}
	r.planRotation(ctx, config, state, &plan, resp)
	r.planWriteOnly(ctx, config, &state, &plan, resp)
	resp.Diagnostics.Append(writeModel(ctx, &resp.Plan, plan)...)
}

func (r *accessTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := getModel[accessTokenModel](ctx, r.data, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	plan.SecretWO = configSecret(ctx, req.Config, &resp.Diagnostics)
	body, diags := accessTokenCreateBody(ctx, plan, r.data.Now())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	t, err := r.data.Client.CreateToken(ctx, body, client.WriteOptions{})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Create Access Token",
			fmt.Sprintf("Could not create access token %q", plan.Name.ValueString()), err, accessTokenFields(plan))
		return
	}
	r.setState(ctx, t, plan, &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *accessTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, ok := getModel[accessTokenModel](ctx, r.data, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	t, err := r.data.Client.GetToken(ctx, state.ID.ValueString())
	if client.IsNotFound(err) {
		setAccessTokenIdentity(ctx, resp.Identity, state.ID.ValueString(), &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read Access Token",
			fmt.Sprintf("Could not read access token %s", state.ID.ValueString()), err, nil)
		return
	}
	if state.CreatedAt.IsNull() && state.ExpiresInDays.IsNull() {
		state.ExpiresInDays = importedLifetimeDays(t)
	}
	r.setState(ctx, t, state, &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *accessTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, ok := getModel[accessTokenModel](ctx, r.data, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	state, ok := getModel[accessTokenModel](ctx, r.data, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	ops, diags := accessTokenPatch(ctx, plan, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var t *api.Token
	var err error
	if len(ops) == 0 {
		t, err = r.data.Client.GetToken(ctx, state.ID.ValueString())
	} else {
		t, err = r.data.Client.PatchToken(ctx, state.ID.ValueString(), ops, client.WriteOptions{})
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Update Access Token",
			fmt.Sprintf("Could not update access token %q (%s)", plan.Name.ValueString(), state.ID.ValueString()),
			err, accessTokenFields(plan))
		return
	}
	plan.Token = state.Token
	t = r.resetOnTrigger(ctx, t, &plan, state, &resp.Diagnostics)
	t = r.resetWriteOnly(ctx, req.Config, t, &plan, state, &resp.Diagnostics)
	r.setState(ctx, t, plan, &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *accessTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := getModel[accessTokenModel](ctx, r.data, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	err := r.data.Client.DeleteToken(ctx, state.ID.ValueString())
	if err != nil && !client.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, "Unable to Delete Access Token",
			fmt.Sprintf("Could not delete access token %q (%s)", state.Name.ValueString(), state.ID.ValueString()), err, nil)
	}
}

func (r *accessTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, "id", req, resp)
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

// setState converts the API answer and writes it, and the token's identity,
// to the response of Create, Read or Update. The custom roles come back as
// ids; they are shown as the keys the configuration uses.
func (r *accessTokenResource) setState(ctx context.Context, t *api.Token, prior accessTokenModel, state stateSetter, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	keys, err := r.data.customRoleKeys(ctx, t.CustomRoleIDs)
	if err != nil {
		addAPIError(diags, "Unable to Read Custom Role",
			fmt.Sprintf("Could not look up the custom roles of access token %s", t.ID), err, nil)
	}
	m, d := accessTokenFromAPI(ctx, t, prior, keys)
	diags.Append(d...)
	diags.Append(writeModel(ctx, state, m)...)
	setAccessTokenIdentity(ctx, identity, t.ID, diags)
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

// accessTokenFromAPI converts an API token to the model. prior (the plan or
// the state) supplies what the API does not echo back: the secret after
// creation, expires_in_days, and the spelling of an expiry or an empty
// description. keys maps custom role ids to keys; an id missing from it is
// shown as is.
func accessTokenFromAPI(ctx context.Context, t *api.Token, prior accessTokenModel, keys map[string]string) (accessTokenModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	m := accessTokenModel{
		ID:                types.StringValue(t.ID),
		Name:              types.StringValue(t.Name),
		Description:       optionalString(t.Description, prior.Description),
		Role:              types.StringNull(),
		CustomRoles:       types.SetNull(types.StringType),
		InlineRole:        types.SetNull(policyStatementType),
		Permissions:       types.SetNull(types.StringType),
		Access:            types.MapNull(types.StringType),
		WorkspaceIDs:      types.SetNull(types.StringType),
		AllWorkspaces:     types.BoolNull(),
		ServiceToken:      types.BoolValue(t.ServiceToken),
		DefaultAPIVersion: types.Int64Value(int64(t.DefaultAPIVersion)),
		ExpiresAt:         timestampValue(t.ExpirationDate),
		ExpiresInDays:     prior.ExpiresInDays,
		Token:             prior.Token,
		TokenLastFour:     types.StringValue(t.Token),
		OwnerID:           types.StringValue(t.OwnerID),
		MemberID:          types.StringValue(t.MemberID),
		CreatedAt:         timestampValue(t.CreationDate),
		Expired:           types.BoolValue(t.Expired),
		AllowWidening:     allowWideningFromPrior(prior.AllowWidening),
		SecretWOVersion:   prior.SecretWOVersion,
	}
	if t.Name == "" && prior.Name.IsNull() {
		m.Name = types.StringNull()
	}
	if len(t.Token) > 4 {
		m.Token = types.StringValue(t.Token)
		m.TokenLastFour = types.StringValue(api.LastFour(t.Token))
	}
	if m.Token.IsUnknown() {
		m.Token = types.StringNull()
	}
	if m.ExpiresInDays.IsUnknown() {
		m.ExpiresInDays = types.Int64Null()
	}
	rotationFromPrior(&m, prior)
	if t.ExpirationDate != 0 && !prior.ExpiresAt.IsNull() && !prior.ExpiresAt.IsUnknown() &&
		sameInstant(prior.ExpiresAt.ValueString(), t.ExpirationDate) {
		m.ExpiresAt = prior.ExpiresAt
	}

	switch {
	case t.Role != "":
		m.Role = types.StringValue(t.Role)
	case len(t.CustomRoleIDs) > 0:
		names := make([]string, len(t.CustomRoleIDs))
		for i, id := range t.CustomRoleIDs {
			names[i] = id
			if k, ok := keys[id]; ok {
				names[i] = k
			}
		}
		m.CustomRoles = stringSet(names, &diags)
	case len(t.InlineRole) > 0:
		set, d := statementsFromAPI(ctx, t.InlineRole)
		diags.Append(d...)
		m.InlineRole = set
	case len(t.Permissions) > 0:
		m.Permissions = stringSet(t.Permissions, &diags)
	case len(t.Access) > 0:
		m.Access = accessMap(t.Access, &diags)
	}

	if t.AllWorkspaces {
		m.AllWorkspaces = types.BoolValue(true)
	} else {
		m.WorkspaceIDs = stringSet(t.WorkspaceIDs, &diags)
	}
	return m, diags
}

// accessTokenCreateBody builds the create request from the plan. now is the
// clock expires_in_days counts from.
func accessTokenCreateBody(ctx context.Context, plan accessTokenModel, now time.Time) (api.TokenCreate, diag.Diagnostics) {
	var diags diag.Diagnostics
	body := api.TokenCreate{
		Name:          plan.Name.ValueString(),
		Description:   plan.Description.ValueString(),
		ServiceToken:  plan.ServiceToken.ValueBool(),
		AllWorkspaces: plan.AllWorkspaces.ValueBool(),
		WorkspaceIDs:  stringsFromSet(ctx, plan.WorkspaceIDs, &diags),
		// Write-only: set from the configuration, null in plans and state.
		Secret: plan.SecretWO.ValueString(),
	}
	if !plan.MemberID.IsUnknown() && !plan.MemberID.IsNull() {
		body.MemberID = plan.MemberID.ValueString()
	}
	if !plan.DefaultAPIVersion.IsUnknown() && !plan.DefaultAPIVersion.IsNull() {
		body.DefaultAPIVersion = int(plan.DefaultAPIVersion.ValueInt64())
	}
	switch {
	case !plan.ExpiresInDays.IsNull():
		days := time.Duration(plan.ExpiresInDays.ValueInt64()) * 24 * time.Hour
		body.ExpirationDate = now.UTC().Add(days).Truncate(time.Second).UnixMilli()
	case !plan.ExpiresAt.IsNull() && !plan.ExpiresAt.IsUnknown():
		at, err := time.Parse(time.RFC3339, plan.ExpiresAt.ValueString())
		if err != nil {
			// The schema validator has already accepted the value.
			addProviderBug(&diags, "Invalid Expiration Time", err)
		}
		body.ExpirationDate = at.UnixMilli()
	}
	grant, d := accessTokenGrant(ctx, plan)
	diags.Append(d...)
	// Only the member of the grant's field is set; the others stay empty.
	body.Role = grant.role
	body.CustomRoleIDs = grant.customRoles
	body.InlineRole = grant.inlineRole
	body.Permissions = grant.permissions
	body.Access = grant.access
	return body, diags
}

// tokenGrant is the grant of a model: field is the API field that carries
// it ("role", "customRoleIds", "inlineRole", "permissions" or "access"; ""
// for none), and the member of the same name holds its value.
type tokenGrant struct {
	field       string
	role        string
	customRoles []string
	inlineRole  []api.Statement
	permissions []string
	access      map[string]string
}

// value is the grant's value as its API field takes it, for a JSON Patch;
// nil for no grant.
func (g tokenGrant) value() any {
	switch g.field {
	case "role":
		return g.role
	case "customRoleIds":
		return g.customRoles
	case "inlineRole":
		return g.inlineRole
	case "permissions":
		return g.permissions
	case "access":
		return g.access
	}
	return nil
}

func accessTokenGrant(ctx context.Context, m accessTokenModel) (tokenGrant, diag.Diagnostics) {
	var diags diag.Diagnostics
	switch {
	case !m.Role.IsNull():
		return tokenGrant{field: "role", role: m.Role.ValueString()}, diags
	case !m.CustomRoles.IsNull():
		return tokenGrant{field: "customRoleIds", customRoles: stringsFromSet(ctx, m.CustomRoles, &diags)}, diags
	case !m.InlineRole.IsNull():
		stmts, d := statementsToAPI(ctx, m.InlineRole)
		diags.Append(d...)
		return tokenGrant{field: "inlineRole", inlineRole: stmts}, diags
	case !m.Permissions.IsNull():
		return tokenGrant{field: "permissions", permissions: stringsFromSet(ctx, m.Permissions, &diags)}, diags
	case !m.Access.IsNull():
		return tokenGrant{field: "access", access: accessFromMap(ctx, m.Access, &diags)}, diags
	}
	return tokenGrant{}, diags
}

// accessTokenPatch is the JSON Patch that turns the token in state into the
// planned one. A grant or scope of another kind is removed and the new one
// added, so the token never holds two grants.
func accessTokenPatch(ctx context.Context, plan, state accessTokenModel) ([]api.PatchOperation, diag.Diagnostics) {
	var diags diag.Diagnostics
	var ops []api.PatchOperation
	if !plan.Name.Equal(state.Name) {
		ops = append(ops, api.PatchOperation{Op: "replace", Path: "/name", Value: plan.Name.ValueString()})
	}
	if plan.Description.ValueString() != state.Description.ValueString() {
		ops = append(ops, api.PatchOperation{Op: "replace", Path: "/description", Value: plan.Description.ValueString()})
	}

	if !plan.Role.Equal(state.Role) || !plan.CustomRoles.Equal(state.CustomRoles) ||
		!plan.InlineRole.Equal(state.InlineRole) || !plan.Permissions.Equal(state.Permissions) ||
		!plan.Access.Equal(state.Access) {
		newGrant, d := accessTokenGrant(ctx, plan)
		diags.Append(d...)
		oldGrant, d := accessTokenGrant(ctx, state)
		diags.Append(d...)
		if oldGrant.field == newGrant.field {
			ops = append(ops, api.PatchOperation{Op: "replace", Path: "/" + newGrant.field, Value: newGrant.value()})
		} else {
			if oldGrant.field != "" {
				ops = append(ops, api.PatchOperation{Op: "remove", Path: "/" + oldGrant.field})
			}
			ops = append(ops, api.PatchOperation{Op: "add", Path: "/" + newGrant.field, Value: newGrant.value()})
		}
	}

	if !plan.WorkspaceIDs.Equal(state.WorkspaceIDs) || !plan.AllWorkspaces.Equal(state.AllWorkspaces) {
		if plan.AllWorkspaces.ValueBool() {
			if !state.WorkspaceIDs.IsNull() {
				ops = append(ops, api.PatchOperation{Op: "remove", Path: "/workspaceIds"})
			}
			ops = append(ops, api.PatchOperation{Op: "replace", Path: "/allWorkspaces", Value: true})
		} else {
			ids := stringsFromSet(ctx, plan.WorkspaceIDs, &diags)
			if state.AllWorkspaces.ValueBool() {
				ops = append(ops, api.PatchOperation{Op: "replace", Path: "/allWorkspaces", Value: false})
				ops = append(ops, api.PatchOperation{Op: "add", Path: "/workspaceIds", Value: ids})
			} else {
				ops = append(ops, api.PatchOperation{Op: "replace", Path: "/workspaceIds", Value: ids})
			}
		}
	}
	return ops, diags
}

// accessTokenFields maps the API's field names to attributes, for
// diagnostics. The expiry is reported where the configuration sets it.
func accessTokenFields(plan accessTokenModel) map[string]path.Path {
	expiry := path.Root("expires_at")
	if !plan.ExpiresInDays.IsNull() {
		expiry = path.Root("expires_in_days")
	}
	return map[string]path.Path{
		"name":              path.Root("name"),
		"description":       path.Root("description"),
		"role":              path.Root("role"),
		"customRoleIds":     path.Root("custom_roles"),
		"inlineRole":        path.Root("inline_role"),
		"permissions":       path.Root("permissions"),
		"access":            path.Root("access"),
		"workspaceIds":      path.Root("workspace_ids"),
		"allWorkspaces":     path.Root("all_workspaces"),
		"serviceToken":      path.Root("service_token"),
		"defaultApiVersion": path.Root("default_api_version"),
		"expirationDate":    expiry,
		"secret":            path.Root("secret_wo"),
		"memberId":          path.Root("member_id"),
	}
}

// importedLifetimeDays is expires_in_days for a token just imported (its
// prior state holds nothing but the id): the lifetime in whole days when it
// is one, as it is for tokens created with expires_in_days, so that a
// configuration using expires_in_days plans no change after the import.
// Otherwise, and for a token without expiry, it stays null.
func importedLifetimeDays(t *api.Token) types.Int64 {
	if t.ExpirationDate == 0 || t.CreationDate == 0 {
		return types.Int64Null()
	}
	lifetime := time.Duration(t.ExpirationDate-t.CreationDate) * time.Millisecond
	days := (lifetime + 12*time.Hour) / (24 * time.Hour)
	if diff := lifetime - days*24*time.Hour; days < 1 || diff >= lifetimeTolerance || diff <= -lifetimeTolerance {
		return types.Int64Null()
	}
	return types.Int64Value(int64(days))
}

// lifetimeIsDays reports whether the token in state lives days days from its
// creation.
func lifetimeIsDays(state accessTokenModel, days int64) bool {
	created, errC := time.Parse(time.RFC3339, state.CreatedAt.ValueString())
	expires, errE := time.Parse(time.RFC3339, state.ExpiresAt.ValueString())
	if errC != nil || errE != nil {
		return false
	}
	diff := expires.Sub(created) - time.Duration(days)*24*time.Hour
	return diff < lifetimeTolerance && diff > -lifetimeTolerance
}

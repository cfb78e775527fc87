package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
)

var (
	_ resource.ResourceWithConfigure    = (*customRoleResource)(nil)
	_ resource.ResourceWithModifyPlan   = (*customRoleResource)(nil)
	_ resource.ResourceWithImportState  = (*customRoleResource)(nil)
	_ resource.ResourceWithIdentity     = (*customRoleResource)(nil)
	_ resource.ResourceWithUpgradeState = (*customRoleResource)(nil)
)

// NewCustomRoleResource is the constructor of tokensmith_custom_role.
func NewCustomRoleResource() resource.Resource {
	return &customRoleResource{}
}

type customRoleResource struct {
	data *providerData
}

type customRoleModel struct {
	ID               types.String `tfsdk:"id"`
	Key              types.String `tfsdk:"key"`
	Name             types.String `tfsdk:"name"`
	Description      types.String `tfsdk:"description"`
	BasePermissions  types.String `tfsdk:"base_permissions"`
	Permissions      types.Set    `tfsdk:"permissions"`
	Access           types.Map    `tfsdk:"access"`
	PolicyStatements types.Set    `tfsdk:"policy_statements"`
	AllowWidening    types.Bool   `tfsdk:"allow_widening"`
}

type customRoleIdentityModel struct {
	Key types.String `tfsdk:"key"`
}

var customRoleFields = map[string]path.Path{
	"key":             path.Root("key"),
	"name":            path.Root("name"),
	"description":     path.Root("description"),
	"basePermissions": path.Root("base_permissions"),
	"permissions":     path.Root("permissions"),
	"access":          path.Root("access"),
	"policy":          path.Root("policy_statements"),
}

// customRoleSchemaVersion is the version of the resource's schema; version 0
// had base_permissions as the set now called permissions.
const customRoleSchemaVersion = 1

func (r *customRoleResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_custom_role"
}

func (r *customRoleResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Version: customRoleSchemaVersion,
		MarkdownDescription: "A custom role: a named set of permissions and policy statements that access " +
			"tokens can be granted through their `custom_roles` attribute.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Identifier of the role.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"key": schema.StringAttribute{
				MarkdownDescription: "Unique key of the role, matching `" + customRoleKeyPattern + "`. " +
					"Tokens refer to the role by it. Changing it replaces the role.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.RegexMatches(customRoleKeyRegexp,
						"must start with a letter or digit and contain only letters, digits, '_', '.' and '-'"),
					stringvalidator.LengthAtMost(api.MaxCustomRoleKeyLength),
				},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Human-readable name of the role, 1 to %d characters without control characters.", api.MaxCustomRoleNameLength),
				Required:            true,
				Validators:          nameValidators(api.MaxCustomRoleNameLength),
			},
			"description": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Description of the role, at most %d characters.", api.MaxDescriptionLength),
				Optional:            true,
				Validators:          descriptionValidators(),
			},
			"base_permissions": schema.StringAttribute{
				MarkdownDescription: "What a holder of the role may do outside its policy statements and permissions: " +
					oneOfMarkdown(basePermissions) + ". `" + api.BasePermissionsReader + "` grants every read " +
					"permission of the catalogue (names ending in `_READ`) that the holder's member role holds; `" +
					api.BasePermissionsNoAccess + "` (the default) grants nothing.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(api.BasePermissionsNoAccess),
				Validators: []validator.String{stringvalidator.OneOf(basePermissions...)},
			},
			"permissions": schema.SetAttribute{
				MarkdownDescription: "Catalogue permission names the role grants on every resource. Before version " +
					"1 of this resource's schema this list was called `base_permissions`.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.Set{setvalidator.SizeAtLeast(1)},
			},
			"access": schema.MapAttribute{
				MarkdownDescription: accessDescription("role", " It adds to `permissions`, `policy_statements` and "+
					"`base_permissions`; `permissions` must not also name a permission of an object that `access` sets."),
				ElementType: types.StringType,
				Optional:    true,
				Validators:  accessValidators(),
			},
			"policy_statements": schema.SetNestedAttribute{
				MarkdownDescription: "Policy statements of the role. The order of statements and of their " +
					"values has no meaning.",
				Optional:     true,
				NestedObject: schema.NestedAttributeObject{Attributes: policyStatementResourceAttributes()},
				Validators:   []validator.Set{setvalidator.SizeAtLeast(1)},
			},
		},
	}
	resp.Schema.Attributes["allow_widening"] = allowWideningAttribute("custom role")
}

func (r *customRoleResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan of a custom role changes nothing of its own: it plans
// allow_widening, warns when the plan deletes a role that tokens still use,
// and runs the plan-time review (custom_role_plan.go).
func (r *customRoleResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planAllowWidening(ctx, req, resp)
	if req.Plan.Raw.IsNull() || resp.RequiresReplace.Contains(path.Root("key")) || keyChanges(ctx, req) {
		r.warnIfInUse(ctx, req, resp)
	}
	if !req.Plan.Raw.IsNull() {
		r.reviewPlan(ctx, req, resp)
	}
}

func (r *customRoleResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, ok := getModel[customRoleModel](ctx, r.data, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	body, diags := customRoleCreateBody(ctx, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	role, err := r.data.Client.CreateCustomRole(ctx, body, client.WriteOptions{})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Create Custom Role",
			fmt.Sprintf("Could not create custom role %q", body.Key), err, customRoleFields)
		return
	}
	setCustomRoleState(ctx, role, plan, &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *customRoleResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, ok := getModel[customRoleModel](ctx, r.data, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	role, err := r.data.Client.GetCustomRole(ctx, customRoleRef(state))
	if client.IsNotFound(err) {
		setCustomRoleIdentity(ctx, resp.Identity, state.Key.ValueString(), &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Read Custom Role",
			fmt.Sprintf("Could not read custom role %q", state.Key.ValueString()), err, nil)
		return
	}
	setCustomRoleState(ctx, role, state, &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *customRoleResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan, ok := getModel[customRoleModel](ctx, r.data, req.Plan, &resp.Diagnostics)
	if !ok {
		return
	}
	state, ok := getModel[customRoleModel](ctx, r.data, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	ops, diags := customRolePatch(ctx, plan, state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var role *api.CustomRole
	var err error
	if len(ops) == 0 {
		role, err = r.data.Client.GetCustomRole(ctx, customRoleRef(state))
	} else {
		role, err = r.data.Client.PatchCustomRole(ctx, customRoleRef(state), ops, client.WriteOptions{})
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Unable to Update Custom Role",
			fmt.Sprintf("Could not update custom role %q", state.Key.ValueString()), err, customRoleFields)
		return
	}
	setCustomRoleState(ctx, role, plan, &resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *customRoleResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, ok := getModel[customRoleModel](ctx, r.data, req.State, &resp.Diagnostics)
	if !ok {
		return
	}
	err := r.data.Client.DeleteCustomRole(ctx, customRoleRef(state))
	if err != nil && !client.IsNotFound(err) {
		addAPIError(&resp.Diagnostics, "Unable to Delete Custom Role",
			fmt.Sprintf("Could not delete custom role %q", state.Key.ValueString()), err, nil)
	}
}

// ImportState takes the role's key; Read fills in the rest.
func (r *customRoleResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, "key", req, resp)
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

// setCustomRoleState converts the API answer and writes it, and the role's
// identity, to the response of Create, Read or Update.
func setCustomRoleState(ctx context.Context, role *api.CustomRole, prior customRoleModel, state stateSetter, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	m, d := customRoleFromAPI(ctx, role, prior)
	diags.Append(d...)
	diags.Append(writeModel(ctx, state, m)...)
	setCustomRoleIdentity(ctx, identity, role.Key, diags)
}

// setCustomRoleIdentity records the identity of the role with the given key.
func setCustomRoleIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, key string, diags *diag.Diagnostics) {
	if identity == nil || key == "" {
		return
	}
	diags.Append(identity.Set(ctx, customRoleIdentityModel{Key: types.StringValue(key)})...)
}

// customRoleFromAPI converts an API role to the model. prior tells whether
// an absent list was configured as null or empty, and an absent description
// as null or "".
func customRoleFromAPI(ctx context.Context, role *api.CustomRole, prior customRoleModel) (customRoleModel, diag.Diagnostics) {
	var diags diag.Diagnostics
	m := customRoleModel{
		ID:               types.StringValue(role.ID),
		Key:              types.StringValue(role.Key),
		Name:             types.StringValue(role.Name),
		Description:      optionalString(role.Description, prior.Description),
		BasePermissions:  types.StringValue(role.BasePermissions),
		Permissions:      stringSetOrNull(role.Permissions, &diags),
		Access:           accessMap(role.Access, &diags),
		PolicyStatements: types.SetNull(policyStatementType),
		AllowWidening:    allowWideningFromPrior(prior.AllowWidening),
	}
	if len(role.Policy) > 0 {
		set, d := statementsFromAPI(ctx, role.Policy)
		diags.Append(d...)
		m.PolicyStatements = set
	}
	return m, diags
}

// customRoleCreateBody builds the create request from the plan.
func customRoleCreateBody(ctx context.Context, plan customRoleModel) (api.CustomRoleCreate, diag.Diagnostics) {
	policy, diags := statementsToAPI(ctx, plan.PolicyStatements)
	if policy == nil {
		policy = []api.Statement{}
	}
	return api.CustomRoleCreate{
		Key:             plan.Key.ValueString(),
		Name:            plan.Name.ValueString(),
		Description:     plan.Description.ValueString(),
		Policy:          policy,
		BasePermissions: plan.BasePermissions.ValueString(),
		Permissions:     stringsFromSet(ctx, plan.Permissions, &diags),
		Access:          accessFromMap(ctx, plan.Access, &diags),
	}, diags
}

// customRolePatch is the JSON Patch that turns the role in state into the
// planned one.
func customRolePatch(ctx context.Context, plan, state customRoleModel) ([]api.PatchOperation, diag.Diagnostics) {
	var diags diag.Diagnostics
	var ops []api.PatchOperation
	if !plan.Name.Equal(state.Name) {
		ops = append(ops, api.PatchOperation{Op: "replace", Path: "/name", Value: plan.Name.ValueString()})
	}
	if plan.Description.ValueString() != state.Description.ValueString() {
		ops = append(ops, api.PatchOperation{Op: "replace", Path: "/description", Value: plan.Description.ValueString()})
	}
	if !plan.BasePermissions.Equal(state.BasePermissions) {
		ops = append(ops, api.PatchOperation{Op: "replace", Path: "/basePermissions", Value: plan.BasePermissions.ValueString()})
	}
	if !plan.Permissions.Equal(state.Permissions) {
		perms := stringsFromSet(ctx, plan.Permissions, &diags)
		if perms == nil {
			perms = []string{}
		}
		ops = append(ops, api.PatchOperation{Op: "replace", Path: "/permissions", Value: perms})
	}
	if !plan.Access.Equal(state.Access) {
		access := accessFromMap(ctx, plan.Access, &diags)
		if access == nil {
			access = map[string]string{}
		}
		ops = append(ops, api.PatchOperation{Op: "replace", Path: "/access", Value: access})
	}
	if !plan.PolicyStatements.Equal(state.PolicyStatements) {
		policy, d := statementsToAPI(ctx, plan.PolicyStatements)
		diags.Append(d...)
		if policy == nil {
			policy = []api.Statement{}
		}
		ops = append(ops, api.PatchOperation{Op: "replace", Path: "/policy", Value: policy})
	}
	return ops, diags
}

// customRoleRef is what the API accepts to name the role: its id once known,
// its key right after an import.
func customRoleRef(m customRoleModel) string {
	if id := m.ID.ValueString(); id != "" {
		return id
	}
	return m.Key.ValueString()
}

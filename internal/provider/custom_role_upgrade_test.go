package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	tfresource "github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/review"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// oldShapeProvider serves tokensmith_custom_role as releases before schema
// version 1 did: base_permissions is the list of catalogue names, and the
// state is written with schema version 0. It exists so that an acceptance
// test can start from a state the previous provider wrote.
type oldShapeProvider struct{ *tokensmithProvider }

func (p oldShapeProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &oldShapeCustomRole{} }}
}

// ListResources is empty: list resources need their managed resource type,
// which this provider does not serve.
func (p oldShapeProvider) ListResources(context.Context) []func() list.ListResource { return nil }

type oldShapeCustomRole struct{ data *providerData }

func (r *oldShapeCustomRole) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_custom_role"
}

func (r *oldShapeCustomRole) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = customRoleSchemaV0()
}

func (r *oldShapeCustomRole) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *oldShapeCustomRole) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m customRoleModelV0
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	policy, diags := statementsToAPI(ctx, m.PolicyStatements)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	role, err := r.data.Client.CreateCustomRole(ctx, api.CustomRoleCreate{
		Key: m.Key.ValueString(), Name: m.Name.ValueString(), Description: m.Description.ValueString(),
		Policy: policy, Permissions: stringsFromSet(ctx, m.BasePermissions, &resp.Diagnostics),
	}, client.WriteOptions{})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Custom Role", err.Error())
		return
	}
	m.ID = types.StringValue(role.ID)
	m.AllowWidening = allowWideningFromPrior(m.AllowWidening)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (r *oldShapeCustomRole) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *oldShapeCustomRole) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("Not Supported", "the old-shape custom role only creates")
}

func (r *oldShapeCustomRole) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m customRoleModelV0
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if err := r.data.Client.DeleteCustomRole(ctx, m.ID.ValueString()); err != nil && !client.IsNotFound(err) {
		resp.Diagnostics.AddError("Unable to Delete Custom Role", err.Error())
	}
}

func oldShapeFactories(ts *testserver.Server) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"tokensmith": providerserver.NewProtocol6WithError(oldShapeProvider{&tokensmithProvider{version: "old"}}),
	}
}

var _ provider.Provider = oldShapeProvider{}

// A state written before base_permissions became reader/no_access upgrades
// cleanly: once the configuration renames base_permissions to permissions,
// the only edit the upgrade note asks for, the plan is empty.
func TestAccCustomRole_upgradeFromListBasePermissions(t *testing.T) {
	ts := testserver.New(t)
	body := func(listAttr string) string {
		return fmt.Sprintf(`  key         = "auditor"
  name        = "Auditor"
  description = "Reads the audit log"
  %s = ["AUDIT_LOG_READ", "MEMBER_READ"]
  policy_statements = [
    { effect = "allow", actions = ["WORKSPACE_READ"], resources = ["workspace/*"] },
  ]
`, listAttr)
	}
	tfresource.ParallelTest(t, tfresource.TestCase{
		Steps: []tfresource.TestStep{
			{
				ProtoV6ProviderFactories: oldShapeFactories(ts),
				Config:                   testAccRoleConfig(ts, body("base_permissions")),
			},
			{
				ProtoV6ProviderFactories: testAccFactories(ts),
				Config:                   testAccRoleConfig(ts, body("permissions")),
				ConfigPlanChecks: tfresource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: tfresource.ComposeAggregateTestCheckFunc(
					tfresource.TestCheckResourceAttr(testAccRoleAddr, "base_permissions", "no_access"),
					tfresource.TestCheckResourceAttr(testAccRoleAddr, "permissions.#", "2"),
					tfresource.TestCheckTypeSetElemAttr(testAccRoleAddr, "permissions.*", "AUDIT_LOG_READ"),
					tfresource.TestCheckResourceAttr(testAccRoleAddr, "description", "Reads the audit log"),
				),
			},
			{
				ProtoV6ProviderFactories: testAccFactories(ts),
				Config:                   testAccRoleConfig(ts, body("permissions")),
				PlanOnly:                 true,
			},
		},
	})
}

// Raising base_permissions from no_access to reader widens the role: with
// permission_review = "error" the plan refuses it.
func TestAccPlanReview_customRoleBasePermissionsReader(t *testing.T) {
	ts := testserver.New(t)
	role := func(base string) string {
		return testAccReviewProviderConfig(ts, "error") + "resource \"tokensmith_custom_role\" \"test\" {\n" +
			"  key = \"viewer\"\n  name = \"Viewer\"\n  permissions = [\"API_READ\"]\n" + base + "}\n"
	}
	tfresource.ParallelTest(t, tfresource.TestCase{
		ProtoV6ProviderFactories: testAccFactories(ts),
		Steps: []tfresource.TestStep{
			{Config: role("")},
			{
				Config: role("  base_permissions = \"reader\"\n"),
				ExpectError: regexp.MustCompile(`(?s)` + review.Summary + `.*` +
					wordsRegexp(`+ base permissions: no_access -> reader (adds`).String()),
			},
			{
				Config:           role("  base_permissions = \"reader\"\n  allow_widening = true\n"),
				ConfigPlanChecks: expectAction(testAccRoleAddr, plancheck.ResourceActionUpdate),
				Check:            tfresource.TestCheckResourceAttr(testAccRoleAddr, "base_permissions", "reader"),
			},
			{Config: role("  base_permissions = \"no_access\"\n")},
		},
	})
}

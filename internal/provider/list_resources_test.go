package provider

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/client"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// listResources runs ListResource as `terraform query` does and returns the
// results; it fails the test on any error diagnostic.
func listResources(t *testing.T, ps tfprotov6.ProviderServer, schema *tfprotov6.GetProviderSchemaResponse, typeName string, args map[string]tftypes.Value, include bool) []tfprotov6.ListResourceResult {
	t.Helper()
	srv, ok := ps.(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatal("the provider server does not serve list resources")
	}
	ls, ok := schema.ListResourceSchemas[typeName]
	if !ok {
		t.Fatalf("no list resource %s", typeName)
	}
	stream, err := srv.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName: typeName, Config: dynamicValue(t, ls, args), IncludeResource: include, Limit: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []tfprotov6.ListResourceResult
	for r := range stream.Results {
		if e := protocolErrors(r.Diagnostics); e != "" {
			t.Fatalf("ListResource %s: %s", typeName, e)
		}
		out = append(out, r)
	}
	return out
}

// listedIDs reads the identity attribute attr of each result.
func listedIDs(t *testing.T, results []tfprotov6.ListResourceResult, attr string) []string {
	t.Helper()
	var ids []string
	for _, r := range results {
		v, err := r.Identity.IdentityData.Unmarshal(tftypes.Object{AttributeTypes: map[string]tftypes.Type{attr: tftypes.String}})
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]tftypes.Value
		if err := v.As(&m); err != nil {
			t.Fatal(err)
		}
		var id string
		if err := m[attr].As(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// checkRoundTrip does what Terraform does with a listed resource after
// `terraform query -generate-config-out` and an import: it reads the
// resource from its listed state, then plans it with the generated
// configuration (every attribute the configuration may set, as listed). The
// read must change nothing and the plan must be empty.
func checkRoundTrip(t *testing.T, ps tfprotov6.ProviderServer, schema *tfprotov6.GetProviderSchemaResponse, typeName string, r tfprotov6.ListResourceResult) {
	t.Helper()
	ctx := context.Background()
	rs := schema.ResourceSchemas[typeName]
	typ := rs.ValueType()
	listed, err := r.Resource.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	read, err := ps.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: r.Resource, CurrentIdentity: r.Identity})
	if err != nil || protocolErrors(read.Diagnostics) != "" {
		t.Fatalf("ReadResource: %v %s", err, protocolErrors(read.Diagnostics))
	}
	state, err := read.NewState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !state.Equal(listed) {
		t.Fatalf("%s %s: reading the listed resource changes it:\nlisted %s\nread   %s", typeName, r.DisplayName, listed, state)
	}
	var attrs map[string]tftypes.Value
	if err := state.As(&attrs); err != nil {
		t.Fatal(err)
	}
	config := map[string]tftypes.Value{}
	for _, a := range rs.Block.Attributes {
		v := attrs[a.Name]
		if a.Computed && !a.Optional {
			v = tftypes.NewValue(v.Type(), nil)
		}
		config[a.Name] = v
	}
	configDV, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, config))
	if err != nil {
		t.Fatal(err)
	}
	// Terraform proposes the configuration, with the prior value of every
	// computed attribute the configuration leaves null.
	proposed := map[string]tftypes.Value{}
	for _, a := range rs.Block.Attributes {
		proposed[a.Name] = config[a.Name]
		if a.Computed && config[a.Name].IsNull() {
			proposed[a.Name] = attrs[a.Name]
		}
	}
	proposedDV, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, proposed))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := ps.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: typeName, PriorState: read.NewState, ProposedNewState: &proposedDV, Config: &configDV,
		PriorIdentity: read.NewIdentity,
	})
	if err != nil || protocolErrors(plan.Diagnostics) != "" {
		t.Fatalf("PlanResourceChange: %v %s", err, protocolErrors(plan.Diagnostics))
	}
	planned, err := plan.PlannedState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !planned.Equal(state) || len(plan.RequiresReplace) > 0 {
		t.Fatalf("%s %s: the generated configuration plans changes (replace %v):\nstate   %s\nplanned %s",
			typeName, r.DisplayName, plan.RequiresReplace, state, planned)
	}
}

// TestProtocolListAccessTokens lists tokens through the protocol with each
// filter, checks the identities and display names, and round-trips every
// listed token through a read and a plan with no diff.
func TestProtocolListAccessTokens(t *testing.T) {
	ts := testserver.New(t)
	ctx := context.Background()
	c := testAccClient(t, ts)
	bot := testAccServiceAccount(t, ts, "bot@example.com")
	mk := func(in api.TokenCreate) string {
		tok, err := c.CreateToken(ctx, in, client.WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return tok.ID
	}
	role, err := c.CreateCustomRole(ctx, api.CustomRoleCreate{Key: "auditor", Name: "Auditor", Permissions: []string{"AUDIT_LOG_READ"}, Policy: []api.Statement{}}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	old := mk(api.TokenCreate{Name: "ci-old", Role: api.RoleReader, MemberID: bot.ID, ServiceToken: true, WorkspaceIDs: []string{ts.DefaultWorkspaceID},
		ExpirationDate: ts.Clock.Now().Add(24 * time.Hour).UnixMilli()})
	ts.Clock.Set(ts.Clock.Now().Add(40 * 24 * time.Hour))
	fresh := mk(api.TokenCreate{Name: "ci-fresh", Role: api.RoleReader, MemberID: bot.ID, WorkspaceIDs: []string{ts.DefaultWorkspaceID}, Description: "new"})
	mine := mk(api.TokenCreate{Name: "owner-audit", CustomRoleIDs: []string{role.Key}, AllWorkspaces: true,
		ExpirationDate: ts.Clock.Now().Add(30 * 24 * time.Hour).UnixMilli()})
	inline := mk(api.TokenCreate{Name: "owner-inline", InlineRole: []api.Statement{{Effect: "allow", Actions: []string{"API_READ"}, Resources: []string{"workspace/*"}}},
		AllWorkspaces: true, DefaultAPIVersion: 20250101})

	srv, schema := protocolServer(t, ts)
	str := func(v string) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	boolean := func(v bool) tftypes.Value { return tftypes.NewValue(tftypes.Bool, v) }
	for name, tc := range map[string]struct {
		args map[string]tftypes.Value
		want []string
	}{
		"own":             {nil, []string{mine, inline}},
		"all members":     {map[string]tftypes.Value{"all_members": boolean(true)}, []string{old, fresh, mine, inline}},
		"member":          {map[string]tftypes.Value{"member_id": str(bot.ID)}, []string{old, fresh}},
		"service":         {map[string]tftypes.Value{"all_members": boolean(true), "service_token": boolean(true)}, []string{old}},
		"name prefix":     {map[string]tftypes.Value{"all_members": boolean(true), "name_prefix": str("ci-")}, []string{old, fresh}},
		"expired":         {map[string]tftypes.Value{"all_members": boolean(true), "expired": boolean(true)}, []string{old}},
		"unused 30 days":  {map[string]tftypes.Value{"all_members": boolean(true), "unused_for_days": tftypes.NewValue(tftypes.Number, 30)}, []string{old}},
		"workspace scope": {map[string]tftypes.Value{"all_members": boolean(true), "workspace_id": str(ts.DefaultWorkspaceID), "service_token": boolean(false)}, []string{fresh, mine, inline}},
	} {
		t.Run(name, func(t *testing.T) {
			want := slices.Clone(tc.want)
			if name == "own" || name == "all members" || name == "workspace scope" {
				want = append(want, ownerTokenID(t, c, ts))
			}
			slices.Sort(want)
			got := listedIDs(t, listResources(t, srv, schema, "tokensmith_access_token", tc.args, false), "id")
			if !slices.Equal(got, want) {
				t.Fatalf("listed %v, want %v", got, want)
			}
		})
	}

	// An expired token is replaced by the next plan whatever its
	// configuration (as a managed one is), so only valid ones round-trip.
	results := listResources(t, srv, schema, "tokensmith_access_token",
		map[string]tftypes.Value{"all_members": boolean(true), "expired": boolean(false)}, true)
	names := []string{}
	for _, r := range results {
		names = append(names, r.DisplayName)
		if r.Resource == nil {
			t.Fatalf("%s: no resource object although asked for", r.DisplayName)
		}
		checkRoundTrip(t, srv, schema, "tokensmith_access_token", r)
	}
	slices.Sort(names)
	if len(names) != 4 || !slices.Contains(names, "ci-fresh") || !slices.Contains(names, "owner-audit") || !slices.Contains(names, "owner-inline") {
		t.Fatalf("display names %v", names)
	}
}

// ownerTokenID is the id of the testserver's bootstrap owner token.
func ownerTokenID(t *testing.T, c *client.Client, ts *testserver.Server) string {
	t.Helper()
	id, err := c.CallerIdentity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id.TokenID
}

// TestProtocolListCustomRoles lists roles through the protocol, with and
// without the key filter, and round-trips each through a read and a plan
// with no diff.
func TestProtocolListCustomRoles(t *testing.T) {
	ts := testserver.New(t)
	ctx := context.Background()
	c := testAccClient(t, ts)
	for _, in := range []api.CustomRoleCreate{
		{Key: "team-a-deployer", Name: "Deployer", Description: "deploys", Policy: []api.Statement{
			{Effect: "allow", Actions: []string{"API_*"}, Resources: []string{"workspace/*"}},
			{Effect: "deny", Actions: []string{"API_WRITE"}, Resources: []string{"workspace/prod"}}}},
		{Key: "team-a-auditor", Name: "Auditor", Permissions: []string{"AUDIT_LOG_READ"}, Policy: []api.Statement{}},
		{Key: "other", Name: "Other", Permissions: []string{"API_READ"}, Policy: []api.Statement{}},
	} {
		if _, err := c.CreateCustomRole(ctx, in, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	srv, schema := protocolServer(t, ts)
	got := listedIDs(t, listResources(t, srv, schema, "tokensmith_custom_role",
		map[string]tftypes.Value{"key_prefix": tftypes.NewValue(tftypes.String, "team-a-")}, false), "key")
	if !slices.Equal(got, []string{"team-a-auditor", "team-a-deployer"}) {
		t.Fatalf("listed %v", got)
	}
	results := listResources(t, srv, schema, "tokensmith_custom_role", nil, true)
	if len(results) != 3 {
		t.Fatalf("%d roles listed, want 3", len(results))
	}
	for _, r := range results {
		checkRoundTrip(t, srv, schema, "tokensmith_custom_role", r)
	}
}

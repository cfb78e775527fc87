package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/testserver"
)

// Terraform 1.14 (actions, list resources) cannot run on these machines, so
// those features are tested at the protocol level: the provider served as
// Terraform would serve it, driven with terraform-plugin-go requests.

// protocolServer returns the provider's protocol 6 server, configured for
// ts as the owner, and its schema.
func protocolServer(t *testing.T, ts *testserver.Server) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	return protocolServerAs(t, ts, ts.OwnerToken)
}

// protocolServerAs is protocolServer acting with token.
func protocolServerAs(t *testing.T, ts *testserver.Server, token string) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	ctx := context.Background()
	srv, err := testAccFactories(ts)["tokensmith"]()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || protocolErrors(schema.Diagnostics) != "" {
		t.Fatalf("GetProviderSchema: %v %s", err, protocolErrors(schema.Diagnostics))
	}
	resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		Config: dynamicValue(t, schema.Provider, map[string]tftypes.Value{
			"endpoint": tftypes.NewValue(tftypes.String, ts.URL),
			"token":    tftypes.NewValue(tftypes.String, token),
		}),
	})
	if err != nil || protocolErrors(resp.Diagnostics) != "" {
		t.Fatalf("ConfigureProvider: %v %s", err, protocolErrors(resp.Diagnostics))
	}
	return srv, schema
}

// dynamicValue encodes an object of schema's type: values for the given
// attributes, null for every other.
func dynamicValue(t *testing.T, schema *tfprotov6.Schema, values map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	typ := schema.ValueType().(tftypes.Object)
	all := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, at := range typ.AttributeTypes {
		all[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range values {
		if _, ok := typ.AttributeTypes[name]; !ok {
			t.Fatalf("the schema has no attribute %q", name)
		}
		all[name] = v
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, all))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// protocolErrors joins the summaries and details of the error diagnostics.
func protocolErrors(diags []*tfprotov6.Diagnostic) string {
	out := ""
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			out += d.Summary + ": " + d.Detail + "\n"
		}
	}
	return out
}

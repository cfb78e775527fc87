package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
)

// TestExport writes the schema as make docs does and reads it back as
// tfplugindocs does: it is valid, keyed where tfplugindocs looks, and holds
// every kind of type the provider serves, with the details docs render
// (write-only, sensitivity, nesting, function signatures, identity).
func TestExport(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	var got tfjson.ProviderSchemas
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if err := got.Validate(); err != nil {
		t.Fatalf("invalid schema JSON: %v", err)
	}
	ps, ok := got.Schemas[providerAddress]
	if !ok {
		t.Fatalf("no provider under %s", providerAddress)
	}
	if a := ps.ConfigSchema.Block.Attributes["token"]; a == nil || !a.Sensitive || !a.Optional {
		t.Errorf("provider token: %+v", a)
	}
	tok := ps.ResourceSchemas["tokensmith_access_token"]
	if a := tok.Block.Attributes["secret_wo"]; a == nil || !a.WriteOnly || !a.Sensitive || a.AttributeType != cty.String {
		t.Errorf("secret_wo: %+v", a)
	}
	if a := tok.Block.Attributes["inline_role"]; a == nil || a.AttributeNestedType == nil ||
		a.AttributeNestedType.NestingMode != tfjson.SchemaNestingModeSet || a.AttributeNestedType.Attributes["effect"] == nil {
		t.Errorf("inline_role: %+v", a)
	}
	if a := tok.Block.Attributes["custom_roles"]; a == nil || a.AttributeType != cty.Set(cty.String) {
		t.Errorf("custom_roles: %+v", a)
	}
	if tok.Block.DescriptionKind != tfjson.SchemaDescriptionKindMarkdown || tok.Block.Description == "" {
		t.Errorf("access token description: %q (%s)", tok.Block.Description, tok.Block.DescriptionKind)
	}
	if id := ps.ResourceIdentitySchemas["tokensmith_access_token"]; id == nil || id.Attributes["id"] == nil || !id.Attributes["id"].RequiredForImport {
		t.Errorf("access token identity: %+v", id)
	}
	if ps.DataSourceSchemas["tokensmith_member"] == nil || ps.EphemeralResourceSchemas["tokensmith_secret"] == nil {
		t.Error("the member data source or the secret ephemeral resource is missing")
	}
	for _, name := range []string{"tokensmith_access_token", "tokensmith_custom_role"} {
		if ls := ps.ListResourceSchemas[name]; ls == nil || len(ls.Block.Attributes) == 0 {
			t.Errorf("list resource %s: %+v", name, ls)
		}
	}
	if a := ps.ListResourceSchemas["tokensmith_access_token"].Block.Attributes["unused_for_days"]; a == nil || a.AttributeType != cty.Number || !a.Optional {
		t.Errorf("unused_for_days: %+v", a)
	}
	act := ps.ActionSchemas["tokensmith_revoke_member_tokens"]
	if act == nil || act.Block.Attributes["member_id"] == nil || !act.Block.Attributes["member_id"].Required {
		t.Fatalf("revoke action: %+v", act)
	}
	f := ps.Functions["policy_allows"]
	if f == nil || f.ReturnType != cty.Bool || len(f.Parameters) != 3 || f.Parameters[0].Type != cty.DynamicPseudoType || f.Parameters[1].Name != "action" {
		t.Fatalf("policy_allows: %+v", f)
	}
	if f := ps.Functions["parse_token"]; f == nil || !f.ReturnType.IsObjectType() || !f.ReturnType.HasAttribute("checksum_valid") {
		t.Fatalf("parse_token: %+v", f)
	}
}

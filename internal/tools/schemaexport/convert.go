package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
)

// exportSchemas asks srv for every schema it serves and converts them to
// the JSON shape of `terraform providers schema -json`.
func exportSchemas(ctx context.Context, srv tfprotov6.ProviderServer) (*tfjson.ProviderSchemas, error) {
	resp, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagnosticsError("GetProviderSchema", resp.Diagnostics); err != nil {
		return nil, err
	}
	ids, err := srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagnosticsError("GetResourceIdentitySchemas", ids.Diagnostics); err != nil {
		return nil, err
	}
	c := &converter{}
	ps := &tfjson.ProviderSchema{
		ConfigSchema:             c.schema(resp.Provider),
		ResourceSchemas:          c.schemas(resp.ResourceSchemas),
		DataSourceSchemas:        c.schemas(resp.DataSourceSchemas),
		EphemeralResourceSchemas: c.schemas(resp.EphemeralResourceSchemas),
		ListResourceSchemas:      c.schemas(resp.ListResourceSchemas),
	}
	if len(resp.ActionSchemas) > 0 {
		ps.ActionSchemas = map[string]*tfjson.ActionSchema{}
		for name, a := range resp.ActionSchemas {
			ps.ActionSchemas[name] = &tfjson.ActionSchema{Block: c.block(a.Schema.Block)}
		}
	}
	if len(resp.Functions) > 0 {
		ps.Functions = map[string]*tfjson.FunctionSignature{}
		for name, f := range resp.Functions {
			ps.Functions[name] = c.function(f)
		}
	}
	if len(ids.IdentitySchemas) > 0 {
		ps.ResourceIdentitySchemas = map[string]*tfjson.IdentitySchema{}
		for name, s := range ids.IdentitySchemas {
			is := &tfjson.IdentitySchema{Version: uint64(s.Version), Attributes: map[string]*tfjson.IdentityAttribute{}}
			for _, a := range s.IdentityAttributes {
				is.Attributes[a.Name] = &tfjson.IdentityAttribute{
					IdentityType: c.ctyType(a.Type), Description: a.Description,
					RequiredForImport: a.RequiredForImport, OptionalForImport: a.OptionalForImport,
				}
			}
			ps.ResourceIdentitySchemas[name] = is
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	return &tfjson.ProviderSchemas{
		FormatVersion: "1.0",
		Schemas:       map[string]*tfjson.ProviderSchema{providerAddress: ps},
	}, nil
}

func diagnosticsError(rpc string, diags []*tfprotov6.Diagnostic) error {
	var msgs []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, d.Summary+": "+d.Detail)
		}
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%s: %s", rpc, strings.Join(msgs, "; "))
	}
	return nil
}

// converter keeps the first type conversion error, so that the walk over
// the schemas reads straight.
type converter struct{ err error }

func (c *converter) schemas(in map[string]*tfprotov6.Schema) map[string]*tfjson.Schema {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]*tfjson.Schema, len(in))
	for name, s := range in {
		out[name] = c.schema(s)
	}
	return out
}

func (c *converter) schema(s *tfprotov6.Schema) *tfjson.Schema {
	if s == nil {
		return nil
	}
	return &tfjson.Schema{Version: uint64(s.Version), Block: c.block(s.Block)}
}

func (c *converter) block(b *tfprotov6.SchemaBlock) *tfjson.SchemaBlock {
	if b == nil {
		return &tfjson.SchemaBlock{}
	}
	out := &tfjson.SchemaBlock{
		Description: b.Description, DescriptionKind: descriptionKind(b.DescriptionKind), Deprecated: b.Deprecated,
	}
	if len(b.Attributes) > 0 {
		out.Attributes = c.attributes(b.Attributes)
	}
	if len(b.BlockTypes) > 0 {
		out.NestedBlocks = map[string]*tfjson.SchemaBlockType{}
		for _, nb := range b.BlockTypes {
			out.NestedBlocks[nb.TypeName] = &tfjson.SchemaBlockType{
				NestingMode: blockNesting(nb.Nesting), Block: c.block(nb.Block),
				MinItems: uint64(nb.MinItems), MaxItems: uint64(nb.MaxItems),
			}
		}
	}
	return out
}

func (c *converter) attributes(in []*tfprotov6.SchemaAttribute) map[string]*tfjson.SchemaAttribute {
	out := make(map[string]*tfjson.SchemaAttribute, len(in))
	for _, a := range in {
		sa := &tfjson.SchemaAttribute{
			Description: a.Description, DescriptionKind: descriptionKind(a.DescriptionKind), Deprecated: a.Deprecated,
			Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive, WriteOnly: a.WriteOnly,
		}
		if a.NestedType != nil {
			sa.AttributeNestedType = &tfjson.SchemaNestedAttributeType{
				Attributes:  c.attributes(a.NestedType.Attributes),
				NestingMode: objectNesting(a.NestedType.Nesting),
			}
		} else {
			sa.AttributeType = c.ctyType(a.Type)
		}
		out[a.Name] = sa
	}
	return out
}

func (c *converter) function(f *tfprotov6.Function) *tfjson.FunctionSignature {
	out := &tfjson.FunctionSignature{
		Description: f.Description, Summary: f.Summary, DeprecationMessage: f.DeprecationMessage,
	}
	if f.Return != nil {
		out.ReturnType = c.ctyType(f.Return.Type)
	}
	param := func(p *tfprotov6.FunctionParameter) *tfjson.FunctionParameter {
		return &tfjson.FunctionParameter{Name: p.Name, Description: p.Description, IsNullable: p.AllowNullValue, Type: c.ctyType(p.Type)}
	}
	for _, p := range f.Parameters {
		out.Parameters = append(out.Parameters, param(p))
	}
	if f.VariadicParameter != nil {
		out.VariadicParameter = param(f.VariadicParameter)
	}
	return out
}

// ctyType converts a protocol type through its JSON form, which the two
// type systems share.
func (c *converter) ctyType(t tftypes.Type) cty.Type {
	if t == nil {
		return cty.NilType
	}
	raw, err := json.Marshal(t)
	if err != nil {
		c.fail(err)
		return cty.NilType
	}
	var out cty.Type
	if err := json.Unmarshal(raw, &out); err != nil {
		c.fail(fmt.Errorf("type %s: %w", raw, err))
	}
	return out
}

func (c *converter) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

func descriptionKind(k tfprotov6.StringKind) tfjson.SchemaDescriptionKind {
	if k == tfprotov6.StringKindMarkdown {
		return tfjson.SchemaDescriptionKindMarkdown
	}
	return tfjson.SchemaDescriptionKindPlain
}

func blockNesting(n tfprotov6.SchemaNestedBlockNestingMode) tfjson.SchemaNestingMode {
	switch n {
	case tfprotov6.SchemaNestedBlockNestingModeSingle:
		return tfjson.SchemaNestingModeSingle
	case tfprotov6.SchemaNestedBlockNestingModeList:
		return tfjson.SchemaNestingModeList
	case tfprotov6.SchemaNestedBlockNestingModeSet:
		return tfjson.SchemaNestingModeSet
	case tfprotov6.SchemaNestedBlockNestingModeMap:
		return tfjson.SchemaNestingModeMap
	case tfprotov6.SchemaNestedBlockNestingModeGroup:
		return tfjson.SchemaNestingModeGroup
	}
	return ""
}

func objectNesting(n tfprotov6.SchemaObjectNestingMode) tfjson.SchemaNestingMode {
	switch n {
	case tfprotov6.SchemaObjectNestingModeSingle:
		return tfjson.SchemaNestingModeSingle
	case tfprotov6.SchemaObjectNestingModeList:
		return tfjson.SchemaNestingModeList
	case tfprotov6.SchemaObjectNestingModeSet:
		return tfjson.SchemaNestingModeSet
	case tfprotov6.SchemaObjectNestingModeMap:
		return tfjson.SchemaNestingModeMap
	}
	return ""
}

package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
)

var _ function.Function = (*parseTokenFunction)(nil)

// NewParseTokenFunction is the constructor of provider::tokensmith::parse_token.
func NewParseTokenFunction() function.Function {
	return &parseTokenFunction{}
}

// parseTokenFunction reads what a token value says about itself, offline:
// its kind from the prefix, its last four characters and whether it is well
// formed (the checksum among the rest). It logs nothing of its input.
type parseTokenFunction struct{}

var parsedTokenAttrTypes = map[string]attr.Type{
	"kind":           types.StringType,
	"last_four":      types.StringType,
	"checksum_valid": types.BoolType,
}

func (f *parseTokenFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "parse_token"
}

func (f *parseTokenFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Reads the kind, the last four characters and the validity of a token value, offline.",
		MarkdownDescription: "Reads what an access token value says about itself, without contacting the backend: " +
			"`kind` (`personal` for the prefix `" + secret.PrefixPersonal + "`, `service` for `" +
			secret.PrefixService + "`, null for any other), `last_four` (the part that may be displayed) and " +
			"`checksum_valid`, true only for a well-formed value: a known prefix, the right length, the base62 " +
			"alphabet and a matching checksum. A valid checksum catches typos and truncation; it does not " +
			"say that the backend knows the token. The result is as sensitive as the argument.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "token",
				MarkdownDescription: "The token value, for example `ephemeral.tokensmith_secret.ci.value`.",
			},
		},
		Return: function.ObjectReturn{AttributeTypes: parsedTokenAttrTypes},
	}
}

func (f *parseTokenFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var value string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &value))
	if resp.Error != nil {
		return
	}
	kind := types.StringNull()
	if k, ok := secret.KindOfPrefix(value); ok {
		kind = types.StringValue(string(k))
	}
	_, err := secret.Parse(value)
	out, diags := types.ObjectValue(parsedTokenAttrTypes, map[string]attr.Value{
		"kind":           kind,
		"last_four":      types.StringValue(api.LastFour(value)),
		"checksum_valid": types.BoolValue(err == nil),
	})
	resp.Error = function.ConcatFuncErrors(resp.Error, function.FuncErrorFromDiags(ctx, diags))
	if resp.Error != nil {
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, out))
}

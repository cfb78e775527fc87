package provider

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// Names and descriptions are checked against the limits the backend
// enforces (package api), counted as the backend counts them: in
// characters, not bytes, so "é" is one.

// nameValidators accept names of 1 to max characters without control
// characters.
func nameValidators(max int) []validator.String {
	return []validator.String{
		charLength{min: 1, max: max},
		stringvalidator.RegexMatches(noControlCharacters, "must not contain control characters"),
	}
}

// descriptionValidators accept descriptions of at most
// api.MaxDescriptionLength characters.
func descriptionValidators() []validator.String {
	return []validator.String{charLength{max: api.MaxDescriptionLength}}
}

// charLength accepts strings of min to max characters.
type charLength struct{ min, max int }

var _ validator.String = charLength{}

func (v charLength) Description(context.Context) string {
	if v.min > 0 {
		return fmt.Sprintf("string length must be between %d and %d characters", v.min, v.max)
	}
	return fmt.Sprintf("string length must be at most %d characters", v.max)
}

func (v charLength) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v charLength) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if n := utf8.RuneCountInString(req.ConfigValue.ValueString()); n < v.min || n > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value Length",
			fmt.Sprintf("Attribute %s %s, got: %d", req.Path, v.Description(ctx), n))
	}
}

package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var (
	customRoleKeyRegexp = regexp.MustCompile(customRoleKeyPattern)
	noControlCharacters = regexp.MustCompile(`^[^\x00-\x1f\x7f]*$`)
)

// rfc3339Validator accepts times such as 2030-01-31T12:00:00Z.
type rfc3339Validator struct{}

var _ validator.String = rfc3339Validator{}

func (rfc3339Validator) Description(context.Context) string {
	return "value must be a time in RFC 3339 format, such as 2030-01-31T12:00:00Z"
}

func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.RFC3339, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Time",
			fmt.Sprintf("%q is not a time in RFC 3339 format, such as 2030-01-31T12:00:00Z.", req.ConfigValue.ValueString()))
	}
}

// durationValidator accepts strings time.ParseDuration understands that
// denote a duration greater than zero, or also zero with allowZero.
type durationValidator struct {
	allowZero bool
}

var (
	positiveDuration    validator.String = durationValidator{}
	nonNegativeDuration validator.String = durationValidator{allowZero: true}
)

// expected says what the validator accepts, with examples.
func (v durationValidator) expected() string {
	if v.allowZero {
		return "a duration of zero or more; use a value such as 1h or 30m"
	}
	return "a positive duration; use a value such as 30s or 2m"
}

func (v durationValidator) Description(context.Context) string {
	return "value must be " + v.expected()
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d < 0 || (d == 0 && !v.allowZero) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%q is not %s.", req.ConfigValue.ValueString(), v.expected()))
	}
}

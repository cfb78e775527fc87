package provider

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The helpers here convert and inspect framework values (types.String,
// types.Set, types.Map, attr.Value, tftypes.Value) for the resources, data
// sources, functions and the plan-time review. They know nothing of any one
// resource: a helper that does belongs in that resource's file.

// stringOrEnv returns the configured value, or the environment variable when
// the attribute is unset or empty.
func stringOrEnv(v types.String, env string) string {
	if s := v.ValueString(); s != "" {
		return s
	}
	return os.Getenv(env)
}

// optionalString is s, or null when s is empty and the prior value was not
// an explicit empty string.
func optionalString(s string, prior types.String) types.String {
	if s == "" && (prior.IsNull() || prior.IsUnknown() || prior.ValueString() != "") {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// labelOf quotes a name for a diagnostic.
func labelOf(s types.String) string {
	if s.IsUnknown() {
		return "(known after apply)"
	}
	return fmt.Sprintf("%q", s.ValueString())
}

// timestampValue renders ms as RFC 3339 in UTC, or null for zero: the API
// speaks Unix milliseconds, Terraform users read RFC 3339.
func timestampValue(ms int64) types.String {
	if ms == 0 {
		return types.StringNull()
	}
	return types.StringValue(time.UnixMilli(ms).UTC().Format(time.RFC3339Nano))
}

// sameInstant reports whether s is an RFC 3339 time equal to ms.
func sameInstant(s string, ms int64) bool {
	t, err := time.Parse(time.RFC3339, s)
	return err == nil && t.UnixMilli() == ms
}

// sameInstantStrings reports whether two RFC 3339 values denote the same time.
func sameInstantStrings(a, b types.String) bool {
	if a.IsNull() || b.IsNull() || a.IsUnknown() || b.IsUnknown() {
		return a.Equal(b)
	}
	ta, errA := time.Parse(time.RFC3339, a.ValueString())
	tb, errB := time.Parse(time.RFC3339, b.ValueString())
	return errA == nil && errB == nil && ta.Equal(tb)
}

// stringsFromSet returns the sorted strings of a set; nil when it is null or
// unknown.
func stringsFromSet(ctx context.Context, set types.Set, diags *diag.Diagnostics) []string {
	if set.IsNull() || set.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(set.ElementsAs(ctx, &out, false)...)
	sort.Strings(out)
	return out
}

// stringSet is a set of the values, empty when there are none.
func stringSet(values []string, diags *diag.Diagnostics) types.Set {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	set, d := types.SetValue(types.StringType, elems)
	diags.Append(d...)
	return set
}

// stringSetOrNull is a set of the values, or null when there are none.
func stringSetOrNull(values []string, diags *diag.Diagnostics) types.Set {
	if len(values) == 0 {
		return types.SetNull(types.StringType)
	}
	return stringSet(values, diags)
}

// knownStrings returns the known elements of a set of strings, sorted, and
// whether every element was known.
func knownStrings(set types.Set) ([]string, bool) {
	if set.IsNull() {
		return nil, true
	}
	if set.IsUnknown() {
		return nil, false
	}
	complete := true
	var out []string
	for _, e := range set.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			complete = false
			continue
		}
		out = append(out, s.ValueString())
	}
	sort.Strings(out)
	return out, complete
}

// stringMap is the string elements of a map, unknown and null ones as "".
func stringMap(m types.Map) map[string]string {
	out := make(map[string]string, len(m.Elements()))
	for k, v := range m.Elements() {
		if s, ok := v.(types.String); ok {
			out[k] = s.ValueString()
		}
	}
	return out
}

// accessFromMap returns an access map's known entries, or nil for a null
// or unknown map.
func accessFromMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	var out map[string]string
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

// accessMap renders an access grant as the backend returned it, or null
// when there is none.
func accessMap(access map[string]string, diags *diag.Diagnostics) types.Map {
	if len(access) == 0 {
		return types.MapNull(types.StringType)
	}
	m, d := types.MapValueFrom(context.Background(), types.StringType, access)
	diags.Append(d...)
	return m
}

// knownAccess returns the known entries of an access map and whether
// every entry was known.
func knownAccess(m types.Map) (map[string]string, bool) {
	if m.IsNull() {
		return nil, true
	}
	if m.IsUnknown() {
		return nil, false
	}
	complete := true
	out := map[string]string{}
	for k, v := range m.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			complete = false
			continue
		}
		out[k] = s.ValueString()
	}
	return out, complete
}

// fullyKnown reports whether none of the values is or contains an unknown.
func fullyKnown(ctx context.Context, values ...attr.Value) bool {
	for _, v := range values {
		tv, err := v.ToTerraformValue(ctx)
		if err != nil || !tv.IsFullyKnown() {
			return false
		}
	}
	return true
}

// collectionElements is the elements of a list, set or tuple; false for
// any other value.
func collectionElements(v attr.Value) ([]attr.Value, bool) {
	switch c := v.(type) {
	case basetypes.ListValue:
		return c.Elements(), true
	case basetypes.SetValue:
		return c.Elements(), true
	case basetypes.TupleValue:
		return c.Elements(), true
	}
	return nil, false
}

// objectAttributes is the attributes of an object or the elements of a map;
// false for any other value.
func objectAttributes(v attr.Value) (map[string]attr.Value, bool) {
	switch o := v.(type) {
	case basetypes.ObjectValue:
		return o.Attributes(), true
	case basetypes.MapValue:
		return o.Elements(), true
	}
	return nil, false
}

// stringsOfValue is the strings of a list, set or tuple of known strings.
func stringsOfValue(v attr.Value) ([]string, error) {
	elems, ok := collectionElements(v)
	if !ok {
		return nil, fmt.Errorf("want a list of strings, got %s", typeName(v))
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		s, ok := e.(basetypes.StringValue)
		if !ok || s.IsNull() || s.IsUnknown() {
			return nil, fmt.Errorf("want a list of known strings")
		}
		out = append(out, s.ValueString())
	}
	return out, nil
}

// typeName describes the type of v for error messages.
func typeName(v attr.Value) string {
	if v == nil {
		return "null"
	}
	ctx := context.Background()
	return strings.ToLower(strings.TrimPrefix(v.Type(ctx).TerraformType(ctx).String(), "tftypes."))
}

// rawAttribute is the top-level attribute name of an object value without
// going through the schema; a null value when obj is null or unknown.
func rawAttribute(obj tftypes.Value, name string) tftypes.Value {
	if obj.IsNull() || !obj.IsKnown() {
		return tftypes.NewValue(tftypes.DynamicPseudoType, nil)
	}
	v, err := obj.ApplyTerraform5AttributePathStep(tftypes.AttributeName(name))
	if err != nil {
		return tftypes.NewValue(tftypes.DynamicPseudoType, nil)
	}
	return v.(tftypes.Value)
}

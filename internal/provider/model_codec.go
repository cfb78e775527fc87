package provider

import (
	"context"
	"reflect"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The framework's Get and Set convert a whole plan, state or configuration
// to and from a model struct by reflection, and check every tfsdk tag of the
// struct with a regular expression compiled anew each time. In a plan of
// hundreds of resources that was a seventh of the provider's CPU. Our models
// are flat structs of framework values (types.String, types.Set, ...), for
// which the conversion is a field-by-field copy: readModel and writeModel do
// that copy, with the field list of each model type worked out once, and
// leave anything else (another kind of field, a value of an unexpected
// type, a null object) to the framework, whose diagnostics are then the
// ones the user sees.

// modelField is one tfsdk-tagged field of a model struct.
type modelField struct {
	index int
	name  string
}

// modelFieldsCache maps a model's reflect.Type to its []modelField, or to
// nil when the struct is not flat framework values.
var modelFieldsCache sync.Map

var attrValueType = reflect.TypeFor[attr.Value]()

// modelFields lists the fields of the struct type t, or returns nil when
// the fast conversion does not apply to it.
func modelFields(t reflect.Type) []modelField {
	if v, ok := modelFieldsCache.Load(t); ok {
		return v.([]modelField)
	}
	var fields []modelField
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			f := t.Field(i)
			name := f.Tag.Get("tfsdk")
			if name == "-" {
				continue
			}
			if !f.IsExported() || f.Anonymous || name == "" || !validAttributeName(name) ||
				f.Type.Kind() == reflect.Interface || !f.Type.Implements(attrValueType) {
				fields = nil
				break
			}
			fields = append(fields, modelField{index: i, name: name})
		}
	}
	modelFieldsCache.Store(t, fields)
	return fields
}

// validAttributeName is the framework's rule for tfsdk tags: lower-case
// letters, digits and underscores, starting with a letter.
func validAttributeName(name string) bool {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	return strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_')
	}) < 0
}

// modelSource is a plan, state or configuration to read a model from.
type modelSource interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

// readModel is from.Get(ctx, target) for a pointer to a model struct.
func readModel(ctx context.Context, from modelSource, target any) diag.Diagnostics {
	raw, typ, ok := rawAndType(from)
	if ok && decodeModel(ctx, raw, typ, target) {
		return nil
	}
	return from.Get(ctx, target)
}

// writeModel is to.Set(ctx, val) for a model struct.
func writeModel(ctx context.Context, to stateSetter, val any) diag.Diagnostics {
	var typed interface{ Type() attr.Type }
	switch t := to.(type) {
	case *tfsdk.Plan:
		typed = t.Schema
	case *tfsdk.State:
		typed = t.Schema
	}
	if typed != nil && !reflect.ValueOf(typed).IsZero() {
		typ := typed.Type()
		if v, ok := encodeModel(ctx, typ, val); ok {
			// Set checks that the value has the schema's type.
			return to.Set(ctx, v)
		}
	}
	return to.Set(ctx, val)
}

func rawAndType(from modelSource) (tftypes.Value, attr.Type, bool) {
	var raw tftypes.Value
	var typed interface{ Type() attr.Type }
	switch f := from.(type) {
	case tfsdk.Plan:
		raw, typed = f.Raw, f.Schema
	case *tfsdk.Plan:
		raw, typed = f.Raw, f.Schema
	case tfsdk.State:
		raw, typed = f.Raw, f.Schema
	case *tfsdk.State:
		raw, typed = f.Raw, f.Schema
	case tfsdk.Config:
		raw, typed = f.Raw, f.Schema
	case *tfsdk.Config:
		raw, typed = f.Raw, f.Schema
	}
	if typed == nil || reflect.ValueOf(typed).IsZero() {
		return raw, nil, false
	}
	return raw, typed.Type(), true
}

// decodeModel copies the attributes of raw into the model target points
// to; false when it cannot, and target must then be filled another way.
func decodeModel(ctx context.Context, raw tftypes.Value, typ attr.Type, target any) bool {
	rv := reflect.ValueOf(target)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || !raw.IsKnown() || raw.IsNull() {
		return false
	}
	rv = rv.Elem()
	fields := modelFields(rv.Type())
	if fields == nil {
		return false
	}
	v, err := typ.ValueFromTerraform(ctx, raw)
	if err != nil {
		return false
	}
	obj, ok := v.(basetypes.ObjectValue)
	if !ok {
		return false
	}
	attrs := obj.Attributes()
	if len(attrs) != len(fields) {
		return false
	}
	values := make([]reflect.Value, len(fields))
	for i, f := range fields {
		a, ok := attrs[f.name]
		if !ok || a == nil {
			return false
		}
		av := reflect.ValueOf(a)
		if av.Type() != rv.Field(f.index).Type() {
			return false
		}
		values[i] = av
	}
	for i, f := range fields {
		rv.Field(f.index).Set(values[i])
	}
	return true
}

// encodeModel is the value of the model val as an object of type typ;
// false when it cannot be built this way.
func encodeModel(ctx context.Context, typ attr.Type, val any) (tftypes.Value, bool) {
	objType, ok := typ.(basetypes.ObjectType)
	rv := reflect.ValueOf(val)
	if !ok || rv.Kind() != reflect.Struct {
		return tftypes.Value{}, false
	}
	fields := modelFields(rv.Type())
	if fields == nil || len(fields) != len(objType.AttrTypes) {
		return tftypes.Value{}, false
	}
	attrs := make(map[string]attr.Value, len(fields))
	for _, f := range fields {
		a, ok := rv.Field(f.index).Interface().(attr.Value)
		if !ok {
			return tftypes.Value{}, false
		}
		attrs[f.name] = a
	}
	obj, diags := basetypes.NewObjectValue(objType.AttrTypes, attrs)
	if diags.HasError() {
		return tftypes.Value{}, false
	}
	v, err := obj.ToTerraformValue(ctx)
	if err != nil {
		return tftypes.Value{}, false
	}
	return v, true
}

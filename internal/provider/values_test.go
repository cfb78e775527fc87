package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestFullyKnown(t *testing.T) {
	ctx := context.Background()
	if !fullyKnown(ctx, types.StringValue("a"), types.SetNull(types.StringType), types.BoolNull()) {
		t.Error("known and null values are not fully known")
	}
	if fullyKnown(ctx, types.StringValue("a"), types.SetValueMust(types.StringType, []attr.Value{types.StringUnknown()})) {
		t.Error("a set with an unknown element is fully known")
	}
	if fullyKnown(ctx, types.Int64Unknown()) {
		t.Error("an unknown value is fully known")
	}
}

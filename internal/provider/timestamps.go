package provider

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The API speaks Unix milliseconds; Terraform users read RFC 3339.

// timestampValue renders ms as RFC 3339 in UTC, or null for zero.
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

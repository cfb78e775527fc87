package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// configuredProviderData extracts the provider data handed to a resource or
// data source. It returns nil before the provider is configured, which
// Terraform does during validation.
func configuredProviderData(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return pd
}

// ready reports whether the provider is configured, adding an error when it
// is not. Terraform reads data sources and refreshes resources during plan
// even when the provider's own configuration is not known until apply.
func (d *providerData) ready(diags *diag.Diagnostics) bool {
	if d != nil && d.Client != nil {
		return true
	}
	diags.AddError("Unconfigured Tokensmith Provider",
		"The tokensmith provider is not configured yet: its endpoint or token depends on a value that "+
			"is only known after apply. Set them from values known at plan time, or apply the resources "+
			"they depend on first (-target).")
	return false
}

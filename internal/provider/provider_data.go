package provider

import (
	"context"
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

// getModel decodes a plan, state or configuration into the model M at the
// start of a CRUD method or a data source's Read. ok is false when the
// method cannot go on: the provider is not configured or the value does not
// decode; diags then says why.
func getModel[M any](ctx context.Context, d *providerData, from interface {
	Get(context.Context, any) diag.Diagnostics
}, diags *diag.Diagnostics) (m M, ok bool) {

	if !d.ready(diags) {
		return m, false
	}
	diags.Append(readModel(ctx, from, &m)...)
	return m, !diags.HasError()
}

// stateSetter is what Create, Read and Update responses have in common.
type stateSetter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// customRoleKeys maps custom role ids to their keys. A role's key is fixed
// when it is created and ids are never reused, so each id is looked up once
// per configured provider rather than on every read of every token.
func (d *providerData) customRoleKeys(ctx context.Context, ids []string) (map[string]string, error) {
	keys := make(map[string]string, len(ids))
	for _, id := range ids {
		if k, ok := d.roleKeys.Load(id); ok {
			keys[id] = k.(string)
			continue
		}
		role, err := d.Client.GetCustomRole(ctx, id)
		if err != nil {
			return keys, err
		}
		d.roleKeys.Store(id, role.Key)
		keys[id] = role.Key
	}
	return keys, nil
}

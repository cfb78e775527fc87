package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// The types the provider offers, in one place.

func providerResources() []func() resource.Resource {
	return []func() resource.Resource{
		NewAccessTokenResource,
		NewCustomRoleResource,
	}
}

func providerDataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewAccessTokenDataSource,
		NewCallerIdentityDataSource,
		NewCustomRoleDataSource,
		NewMemberDataSource,
		NewPermissionsDataSource,
		NewWorkspaceDataSource,
		NewWorkspacesDataSource,
	}
}

func providerEphemeralResources() []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewAccessTokenEphemeralResource,
		NewSecretEphemeralResource,
	}
}

func providerFunctions() []func() function.Function {
	return []func() function.Function{
		NewParseTokenFunction,
		NewPolicyAllowsFunction,
	}
}

func providerActions() []func() action.Action {
	return []func() action.Action{
		NewRevokeMemberTokensAction,
	}
}

func providerListResources() []func() list.ListResource {
	return []func() list.ListResource{
		NewAccessTokenListResource,
		NewCustomRoleListResource,
	}
}

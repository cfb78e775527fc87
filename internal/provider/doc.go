// Package provider is the Terraform-facing side of Tokensmith: the provider
// configuration, the resources and data sources, and the conversion between
// Terraform models and the API types of internal/api.
//
// Every resource, data source, ephemeral resource, list resource, action
// and function has a file of its own named after it
// (access_token_resource.go, custom_role_data_source.go, ...), laid out in
// one order, which the next one follows too:
//
//  1. the interface assertions, one for each optional interface the type
//     implements (var _ resource.ResourceWithModifyPlan = ...);
//  2. the constructor that registry.go lists (NewAccessTokenResource);
//  3. the type and its model, with what belongs to the model: its identity
//     model, its constants, the map of API fields to attributes;
//  4. the framework's methods in this order: Metadata, Schema,
//     ConfigValidators, Configure, ModifyPlan, Create, Read, Update, Delete,
//     ImportState, IdentitySchema. Ephemeral resources have Open, Renew and
//     Close in place of Create to Delete, list resources
//     ListResourceConfigSchema and List, actions Invoke, functions
//     Definition and Run;
//  5. the helpers of that type alone: the conversions of its model from and
//     to the API, its JSON Patch, how it writes its state.
//
// What a resource does beyond that is beside it, in a file named after the
// resource and the topic: its plan-time review in access_token_plan.go and
// custom_role_plan.go (what the reviews share is in plan_review.go), its
// state upgrade in custom_role_resource_upgrade.go, the token's rotation in
// access_token_rotation.go. Helpers on framework values that no one
// resource owns are in values.go. The provider takes its clock from its
// constructor (NewWithClock) and hands it to all of them in providerData.
package provider

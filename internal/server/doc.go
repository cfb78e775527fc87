// Package server is tokensmithd's HTTP API: routes (routes.go), middleware
// (middleware.go), one JSON adapter that decodes, maps errors and encodes
// (adapter.go), and one handler file per entity.
//
// # Member roles
//
// A member is an owner, admin, writer or reader. The roles come from the
// roles of the source permission catalogue (source 003) and are cumulative,
// owner ⊇ admin ⊇ writer ⊇ reader:
//
//	owner  <- Global_Admin
//	admin  <- Admin
//	writer <- Basic_User
//	reader <- Basic_User, read permissions only (names ending in _READ), plus
//	          ACCESS_TOKEN_WRITE so that every member manages their own tokens
//
// With the default catalogue (package catalogue; GET /api/v2/permissions
// lists every permission with the member roles and the source roles that may
// hold it) each role holds:
//
//	reader: ACCESS_TOKEN_READ, ACCESS_TOKEN_WRITE, API_READ, APPLICATION_READ, CUSTOM_ROLE_READ, ENVIRONMENT_READ, GIT_CREDENTIALS_READ, JOBS_READ, MEMBER_READ, METRICS_READ, ORGANIZATION_READ, PLAN_READ, RULE_SETS_READ, SUBSCRIPTIONS_READ, WORKSPACE_READ
//	writer: reader + API_WRITE, APPLICATION_WRITE, SUBSCRIPTIONS_WRITE
//	admin:  writer + ACCESS_TOKEN_MANAGE, APPROVAL_REQUEST_READ, APPROVAL_REQUEST_WRITE, AUDIT_LOG_READ, CUSTOM_ROLE_WRITE, MEMBER_WRITE, ORGANIZATION_WRITE, PLAN_ASSIGN_APIS, TOKEN_INTROSPECT, USER_INVITATION, USER_READ, USER_WRITE, WORKSPACE_WRITE
//	owner:  admin + ACCESS_TENANT_DATA, CONFIGURATION_READ, CONFIGURATION_WRITE, CROSS_ORGANIZATION_ACCESS, DEV_PORTAL_READ, DEV_PORTAL_WRITE, DISCOVERY, ENVIRONMENT_WRITE, GIT_CREDENTIALS_WRITE, PLAN_WRITE, RULE_SETS_WRITE
//
// (doc_test.go checks this table against the catalogue.) An operator who
// replaces the catalogue in the config file changes these sets accordingly.
// Owners and admins may act on other members' tokens (ACCESS_TOKEN_MANAGE);
// nobody acts on a member above them or grants a member role above their own,
// and the last owner cannot be demoted or removed.
//
// The built-in token roles reader, writer and admin (source 004's `role`)
// grant exactly the permissions of the member role of the same name.
//
// # Resources
//
// Every request is evaluated on one resource: workspace-scoped operations on
// "workspace/<id>", everything else on "org". Statements name resources with
// specifiers: "*", "org", or "<kind>/<pattern>" with kind workspace, token,
// role or member and pattern "*", an exact id or a prefix ending in "*"
// ("workspace/*", "workspace/0f3a*"). The full grammar, with actions ("*",
// a catalogue name or a trailing-"*" prefix) and notActions/notResources,
// is in the documentation of package policy.
//
// # Evaluation
//
// Default deny; an explicit deny anywhere wins over every allow; statement
// order never matters. A request is allowed only when every policy of its
// subject allows the action on the resource:
//   - the token's grant (built-in role, custom roles with their base
//     permissions, inline role, or permissions);
//   - for personal tokens, the owner member's current role, read on every
//     request, so demoting or removing a member narrows their tokens on the
//     very next request;
//   - the token's workspace scope, which allows everything on "org" and on
//     the workspaces in scope only.
//
// Service tokens are owned by a member too but act for the organisation:
// they are limited by their grant and their scope only, not by the owner's
// current role or workspace memberships. Nobody can mint a service token
// beyond their own power, because every create, patch and reset passes the
// no-escalation check against the caller's subject. A personal token of a
// reader or writer additionally reaches a workspace only while its owner is
// a member of it; admins' and owners' personal tokens reach every workspace in
// their scope.
//
// # No escalation
//
// Creating, changing or resetting a token or a custom role is refused (403,
// code permission_denied, errorNumber 4101, `missing` listing the
// permissions) when the new grant allows anything the caller does not hold.
// The check evaluates the grant on "org", on every workspace the token will
// reach and on a placeholder for future workspaces when it covers all of
// them. For a reader's or writer's own personal calling token only the
// workspaces they belong to count as held, so such a member cannot mint an
// all-workspaces service token carrying workspace permissions. Readers and
// writers may scope tokens only to workspaces they belong to; admins and
// owners to any.
//
// # Workspace ownership transfer
//
// Transferring a workspace (POST /api/v2/workspaces/{id}/transfer) makes
// every personal token issued for it by a member other than the new owner
// stop working for it (source 002), in the same transaction as the change
// of owner: a token listing the workspace drops it from workspaceIds and is
// revoked (deleted) when no workspace is left; an all-workspaces token keeps
// its other workspaces and excludes this one from then on. Service tokens
// act for the organisation and are not touched. The answer counts the
// tokens narrowed and revoked.
//
// # Tokens
//
// defaultApiVersion is fixed at creation; a token created without one gets
// DefaultAPIVersion (20240415). Expiration, kind (serviceToken) and owner
// are fixed too: a PATCH touching them is refused naming the field. Tokens
// without a workspace scope cover every current and future workspace.
// `lastUsed` is kept in memory and written in one batch every
// Config.LastUsedFlush and on Close, so authenticating a request never
// writes to the store.
//
// # Request rules
//
// Request bodies are decoded strictly: a field the API does not define is a
// 400 naming it with its path ("inlineRole[0].efect") and the fields allowed
// there, as is a value of the wrong JSON type. Query parameters an endpoint
// does not take are refused the same way. `?dryRun=true` is accepted on
// token create, update and reset and on custom role create and update, runs
// every check and writes nothing (not even an idempotency record); anywhere
// else it is refused rather than ignored. A known path called with another
// method is a 405 with an Allow header. Every error is an
// application/problem+json document; no error detail and no log line ever
// holds a token-like value, even one the client sent in the wrong place.
//
// # Caching
//
// Authentication results are cached by digest; every write made through the
// server invalidates the cache, which assumes the server is its store's only
// writer.
package server

// Package authz holds the authorization rules of tokensmithd: who may do
// what. The server authenticates a request and hands the caller (Caller:
// its token, its owner as they are now and the subject built from both) to
// these rules; they answer with nil or a typed refusal (Denied, naming the
// rule and what is missing; Invalid; NotFound), which the server turns into
// its problem documents. The package knows nothing of HTTP.
//
// # Member roles
//
// A member is an owner, admin, writer or reader. The roles come from the
// roles of the default permission catalogue (see docs/guides/backend-rules.md,
// "Member roles" and "Permission catalogue") and are cumulative,
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
// and the last owner cannot be demoted or removed. Reading another member's
// token needs only ACCESS_TOKEN_MANAGE; creating one for them (memberId),
// changing, resetting or deleting theirs also needs a rank at least theirs,
// since a token acts with its owner's rank and a reset hands its new secret
// to whoever asked for it. Such a token is also held to its owner's own
// rules (Rules.CheckGrant): their role is the ceiling of its grant, below
// admin it reaches only workspaces they belong to, and it counts against
// their quota.
//
// The built-in token roles reader, writer and admin (the `role` field; see
// docs/guides/backend-rules.md, "Token roles")
// grant exactly the permissions of the member role of the same name.
//
// # Resources
//
// Every request is evaluated on one resource: workspace-scoped operations on
// "workspace/<id>", everything else on "org". Statements name resources with
// the specifier grammar of the wider service whose API this is
// ("proj/*:env/production", "proj/mobile:env/test;qa_*:flag/*"); ours are
// "*", "org" and "workspace/<id, * or prefix*>". Specifiers and actions of
// other kinds ("proj/...", "updateOn") are accepted and returned exactly as
// sent but match nothing here; tokens and custom roles list the statements
// left without effect in notEnforced, and the audit records of their writes
// name them. The full grammar, with actions ("*", a catalogue name or a
// trailing-"*" prefix) and notActions/notResources, is in the documentation
// of package policy.
//
// # Evaluation
//
// Default deny; an explicit deny anywhere wins over every allow; statement
// order never matters. A request is allowed only when every policy of its
// subject allows the action on the resource:
//   - the token's grant (built-in role, custom roles with their statements,
//     permissions and access, inline role, permissions, or access), custom
//     roles read as they are now; a custom role whose basePermissions is
//     reader also grants every read permission (name ending in _READ) the
//     owner member's role holds, no_access nothing more; an access grant
//     (object -> none, read_only, read_write) stands for the permissions of
//     each object's levels, exactly as if they were named;
//   - the owner member's current role, read on every request, so demoting
//     or removing a member narrows their tokens on the very next request;
//   - the token's workspace scope, which allows everything on "org" and on
//     the workspaces in scope only.
//
// A token of a reader or writer additionally reaches a workspace only while
// its owner is a member of it; admins' and owners' tokens reach every
// workspace in their scope.
//
// Personal and service tokens follow the same rules: both are bounded by
// their owner's current role and workspace memberships. A service token
// differs in its prefix (tsm_svc_) and in that a workspace ownership
// transfer leaves it alone (below). Removing a member deletes all their
// tokens, service tokens included; demoting one narrows all of them, so a
// member never keeps through a token more than their role now allows. To
// keep an integration working across staff changes, give its service token
// to a member whose role fits it.
//
// Editing a custom role changes every token that uses it on the next
// request. Only holders of CUSTOM_ROLE_WRITE (admins and owners) may edit
// roles, never beyond what they hold themselves, and what the edit adds to
// another member's token is still bounded by that member's current role
// and memberships.
//
// # No escalation
//
// Creating, changing or resetting a token or a custom role is refused (403,
// code permission_denied, errorNumber 4101, `missing` listing the
// permissions) when the new grant allows anything the caller does not hold.
// The check evaluates the grant on "org", on every workspace the token will
// reach and, when it covers all workspaces (custom roles always may), on
// stand-ins for workspaces created later: one matching no id prefix and one
// per "workspace/<prefix>*" named by the grant or the caller's policies, so
// a grant on "workspace/*" or "workspace/ab*" needs the caller to hold that
// too. An access level the token owner's member role (for a custom role,
// the caller's) may not hold is refused before that check, naming the
// object and the widest level the role may hold. For a reader or writer
// only the workspaces they belong to count as
// held. Readers and writers may scope tokens only to workspaces they belong
// to; admins and owners to any.
//
// # Old secrets
//
// A reset may give the old secret a grace period (expiry). Until then the
// old secret works for everything its token may do, so automation using it
// survives the rotation, with two exceptions that stop a stolen old secret
// from taking the token over: it cannot reset, change or delete its own
// token (nor delete all its member's tokens), and it cannot create or reset
// any token. Those are refused (403) naming the rule; the new secret may do
// them.
package authz

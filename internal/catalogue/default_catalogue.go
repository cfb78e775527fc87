package catalogue

import (
	"slices"
	"strings"
)

// Roles of the source catalogue.
const (
	GlobalAdmin = "Global_Admin"
	Admin       = "Admin"
	BasicUser   = "Basic_User"
)

// sourceRoles lists the source catalogue's roles, strongest first.
func sourceRoles() []string { return []string{GlobalAdmin, Admin, BasicUser} }

// The backend's own permissions. Their member roles follow the general
// mapping from the catalogue roles given in backendPermissions.
const (
	AccessTokenRead   = "ACCESS_TOKEN_READ"   // all roles: read own tokens
	AccessTokenWrite  = "ACCESS_TOKEN_WRITE"  // all roles: create/update/reset/delete own tokens
	AccessTokenManage = "ACCESS_TOKEN_MANAGE" // owner, admin: read/act on other members' tokens, showAll
	CustomRoleRead    = "CUSTOM_ROLE_READ"    // all roles
	CustomRoleWrite   = "CUSTOM_ROLE_WRITE"   // owner, admin
	WorkspaceRead     = "WORKSPACE_READ"      // all roles
	WorkspaceWrite    = "WORKSPACE_WRITE"     // owner, admin
	MemberRead        = "MEMBER_READ"         // all roles
	MemberWrite       = "MEMBER_WRITE"        // owner, admin
	AuditLogRead      = "AUDIT_LOG_READ"      // owner, admin (Global_Admin, Admin in the permission table)
	TokenIntrospect   = "TOKEN_INTROSPECT"    // owner, admin
	MetricsRead       = "METRICS_READ"        // all roles (as in the permission table): GET /metrics
)

var (
	allRoles   = []string{GlobalAdmin, Admin, BasicUser}
	adminsOnly = []string{GlobalAdmin, Admin}
	globalOnly = []string{GlobalAdmin}
)

// sourcePermissions is the permission table (see docs/guides/backend-rules.md,
// "Permission catalogue"), in its order,
// with its descriptions and the roles it lists for each permission.
// AUDIT_LOG_READ is both in the source and one of the backend's own.
var sourcePermissions = []entry{
	{"ENVIRONMENT_READ", "Read environments and agent information.", allRoles},
	{"ENVIRONMENT_WRITE", "Write environments, generate or delete agent tokens.", globalOnly},
	{"API_READ", "Read APIs and associated data (icon, API versions, spec files, lint results, …). As global admin, this also lets you read the allowed organizations of a restricted API.", allRoles},
	{"API_WRITE", "Write APIs and associated data (icon, API versions, spec files, …). As global admin this also lets you write the allowed organizations of a restricted API.", allRoles},
	{"USER_READ", "Read users.", adminsOnly},
	{"USER_WRITE", "Write users. Does not allow invitation of new users, for which USER_INVITATION scope is required.", adminsOnly},
	{"APPLICATION_READ", "Read applications.", allRoles},
	{"APPLICATION_WRITE", "Write applications. Deploy applications to environments.", allRoles},
	{"JOBS_READ", "Get currently running background jobs.", allRoles},
	{"PLAN_READ", "Read plans.", allRoles},
	{"PLAN_WRITE", "Write plans. Deploy plans to environments.", globalOnly},
	{"GIT_CREDENTIALS_READ", "Read git credentials.", allRoles},
	{"GIT_CREDENTIALS_WRITE", "Write git credentials.", globalOnly},
	{"SUBSCRIPTIONS_READ", "Read subscriptions.", allRoles},
	{"SUBSCRIPTIONS_WRITE", "Write subscriptions. Deploy subscriptions to environments.", allRoles},
	{"CONFIGURATION_READ", "Read configuration.", globalOnly},
	{"CONFIGURATION_WRITE", "Write configuration.", globalOnly},
	{MetricsRead, "Read API/application metrics.", allRoles},
	{"ORGANIZATION_READ", "Read organizations.", allRoles},
	{"ORGANIZATION_WRITE", "Write organizations.", adminsOnly},
	{"DISCOVERY", "Run discovery of APIs/applications/plans/subscriptions.", globalOnly},
	{"USER_INVITATION", "Invite new users.", adminsOnly},
	{"APPROVAL_REQUEST_READ", "Read (pending) approval requests.", adminsOnly},
	{"APPROVAL_REQUEST_WRITE", "Approve/Decline approval requests.", adminsOnly},
	{AuditLogRead, "Read audit logs.", adminsOnly},
	{"RULE_SETS_READ", "Read rule sets.", allRoles},
	{"RULE_SETS_WRITE", "Write rule sets.", globalOnly},
	{"DEV_PORTAL_READ", "Read dev portals.", globalOnly},
	{"DEV_PORTAL_WRITE", "Write dev portals.", globalOnly},
	{"PLAN_ASSIGN_APIS", "Assign plans to APIs.", adminsOnly},
	{"ACCESS_TENANT_DATA", "Read tier history. Change tier. Read/Write billing information.", globalOnly},
	// The source lists this one apart: "Global_Admin gets the following scope automatically".
	{"CROSS_ORGANIZATION_ACCESS", "Grants access to organizations other than the user's own organization. For example, in combination with API_READ, this grants read access to all APIs, while API_READ on its own would only grant access to APIs owned by the user's organization.", globalOnly},
}

// backendPermissions are the backend's own permissions, added to every
// catalogue that lacks them. AUDIT_LOG_READ is also in the source table,
// with the same roles; in the default catalogue it keeps its place there.
var backendPermissions = []entry{
	{AccessTokenRead, "Read your own access tokens.", allRoles},
	{AccessTokenWrite, "Create, update, reset and delete your own access tokens.", allRoles},
	{AccessTokenManage, "Read and act on other members' access tokens; list every token of the organisation.", adminsOnly},
	{CustomRoleRead, "Read custom roles.", allRoles},
	{CustomRoleWrite, "Create, update and delete custom roles.", adminsOnly},
	{WorkspaceRead, "Read workspaces and their members.", allRoles},
	{WorkspaceWrite, "Create, update, delete and transfer workspaces; change their members.", adminsOnly},
	{MemberRead, "Read members of the organisation.", allRoles},
	{MemberWrite, "Create, update and remove members of the organisation.", adminsOnly},
	{AuditLogRead, "Read audit logs.", adminsOnly},
	{TokenIntrospect, "Introspect access tokens presented to other services.", adminsOnly},
}

type entry struct {
	name, description string
	roles             []string
}

// Default returns the permission table's catalogue (see
// docs/guides/backend-rules.md, "Permission catalogue") plus the backend's own permissions,
// with every X_READ / X_WRITE pair grouped into the object x (see
// pairObjects).
func Default() *Catalogue {
	perms := make([]Permission, 0, len(sourcePermissions)+len(backendPermissions))
	for _, e := range sourcePermissions {
		perms = append(perms, Permission{Name: e.name, Description: e.description, CatalogueRoles: append([]string(nil), e.roles...)})
	}
	for _, e := range backendPermissions {
		if !slices.ContainsFunc(perms, func(p Permission) bool { return p.Name == e.name }) {
			perms = append(perms, Permission{Name: e.name, Description: e.description, CatalogueRoles: append([]string(nil), e.roles...)})
		}
	}
	objects := pairObjects(perms)
	c, err := build(perms, objects)
	if err != nil {
		panic("catalogue: default catalogue is invalid: " + err.Error())
	}
	return c
}

// pairObjects groups every pair of permissions X_READ and X_WRITE into the
// object named x in lower case (API_READ and API_WRITE become "api"), and
// sets Object and Level on the pair. A permission without its pair
// (JOBS_READ, DISCOVERY, CROSS_ORGANIZATION_ACCESS) stays a plain
// permission. The object's description is the pair's, read first.
func pairObjects(perms []Permission) []Object {
	index := map[string]int{}
	for i, p := range perms {
		index[p.Name] = i
	}
	var objects []Object
	for i, p := range perms {
		stem, ok := strings.CutSuffix(p.Name, "_READ")
		if !ok {
			continue
		}
		j, ok := index[stem+"_WRITE"]
		if !ok {
			continue
		}
		name := strings.ToLower(stem)
		perms[i].Object, perms[i].Level = name, LevelRead
		perms[j].Object, perms[j].Level = name, LevelWrite
		objects = append(objects, Object{Name: name, Description: p.Description + " " + perms[j].Description})
	}
	return objects
}

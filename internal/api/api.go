// Package api is the contract between tokensmithd and its clients: the JSON
// wire types, the error codes and the paths. The server and the Go client
// both import it, so a field renamed here is renamed on both sides at once.
//
// Tokens and custom roles follow the REST API v2 shape that existing clients
// of the token service already decode strictly: field names, the presence of
// always-present fields and times in Unix milliseconds must not change.
// Everything beyond that shape is an extension and is marked as such.
package api

// Paths of the API, relative to the server's base URL.
const (
	PathTokens         = "/api/v2/tokens"
	PathRoles          = "/api/v2/roles"
	PathWorkspaces     = "/api/v2/workspaces"
	PathMembers        = "/api/v2/members"
	PathPermissions    = "/api/v2/permissions"
	PathObjects        = "/api/v2/permissions/objects"
	PathCallerIdentity = "/api/v2/caller-identity"
	PathAuditLog       = "/api/v2/auditlog"
)

// Headers with a meaning in this API.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderRequestID      = "X-Request-Id"
	HeaderRetryAfter     = "Retry-After"
	HeaderRateLimitReset = "X-Ratelimit-Reset"
)

// QueryReplaces is the query parameter of a token create dry run that names
// the token the new one would replace, so that the quotas count the two once.
const QueryReplaces = "replaces"

// Base permissions of a custom role (the wider service's basePermissions):
// what a member holding the role may do outside its policy statements.
// reader grants every catalogue permission whose name ends in _READ, bounded
// like every grant by the holder's member role; no_access grants nothing and
// is what a role created without basePermissions gets.
const (
	BasePermissionsReader   = "reader"
	BasePermissionsNoAccess = "no_access"
)

// BasePermissions returns the values the `basePermissions` field of a
// custom role accepts, in a slice of the caller's own.
func BasePermissions() []string {
	return []string{BasePermissionsNoAccess, BasePermissionsReader}
}

// CustomRoleKeyPattern is the regular expression a custom role's key matches.
const CustomRoleKeyPattern = `^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`

// Policy statement effects.
const (
	EffectAllow = "allow"
	EffectDeny  = "deny"
)

// Link is one entry of a `_links` object.
type Link struct {
	Href string `json:"href"`
	Type string `json:"type"`
}

// Links is the `_links` object every resource and list carries.
type Links map[string]Link

// Statement is one policy statement of an inline role or a custom role.
// Exactly one of Resources and NotResources, and exactly one of Actions and
// NotActions, is set (a statement with neither matches nothing).
//
// It is the only statement type: the server, the store's records, package
// policy (which evaluates it) and package review use it as it is, so a
// statement crosses from the wire to storage and evaluation unconverted.
// This package imports nothing of ours, so each of them, and the Go client,
// can depend on it without a cycle.
type Statement struct {
	Effect       string   `json:"effect"`
	Resources    []string `json:"resources,omitempty"`
	NotResources []string `json:"notResources,omitempty"`
	Actions      []string `json:"actions,omitempty"`
	NotActions   []string `json:"notActions,omitempty"`
}

// MemberSummary is the `_member` object embedded in a token.
type MemberSummary struct {
	Links     Links  `json:"_links"`
	ID        string `json:"_id"`
	Role      string `json:"role"`
	Email     string `json:"email"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
}

// Token is an access token as the API returns it.
//
// Token holds the whole secret only in the response to a create or a reset
// (and an idempotent replay of either); everywhere else it holds the last four
// characters. Exactly one of Role, CustomRoleIDs, InlineRole, Permissions and
// Access is present.
type Token struct {
	ID                string         `json:"_id"`
	OwnerID           string         `json:"ownerId"`
	MemberID          string         `json:"memberId"`
	Member            *MemberSummary `json:"_member,omitempty"`
	CreationDate      int64          `json:"creationDate"`
	LastModified      int64          `json:"lastModified"`
	Name              string         `json:"name,omitempty"`
	Description       string         `json:"description,omitempty"`
	Role              string         `json:"role,omitempty"`
	CustomRoleIDs     []string       `json:"customRoleIds,omitempty"`
	InlineRole        []Statement    `json:"inlineRole,omitempty"`
	Token             string         `json:"token,omitempty"`
	ServiceToken      bool           `json:"serviceToken"`
	DefaultAPIVersion int            `json:"defaultApiVersion"`
	LastUsed          int64          `json:"lastUsed,omitempty"`
	Links             Links          `json:"_links"`

	// Extensions beyond the REST API v2 shape. See
	// docs/guides/backend-rules.md, "Wire shape".
	Permissions    []string `json:"permissions,omitempty"`
	WorkspaceIDs   []string `json:"workspaceIds,omitempty"`
	AllWorkspaces  bool     `json:"allWorkspaces"`
	ExpirationDate int64    `json:"expirationDate,omitempty"`
	Expired        bool     `json:"expired"`
	// Access is the access grant exactly as sent: object -> none,
	// read_only or read_write (see AccessGrant).
	Access AccessGrant `json:"access,omitempty"`
	// NotEnforced lists the 0-based indexes in InlineRole of the statements
	// that have no effect on this backend, because every resource or every
	// action they name is the wider service's ("proj/*:env/production",
	// "updateOn"); such statements are stored and returned exactly as sent.
	// Absent when every statement takes effect.
	NotEnforced []int `json:"notEnforced,omitempty"`
}

// TokenCreate is the body of POST /api/v2/tokens.
//
// Exactly one grant (Role, CustomRoleIDs, InlineRole, Permissions, Access)
// is required. CustomRoleIDs accepts role keys or ids. The workspace scope is
// WorkspaceIDs or AllWorkspaces; when both are absent the token is scoped to
// every workspace. ExpirationDate is Unix milliseconds; zero means no expiry
// where policy allows it.
type TokenCreate struct {
	Name              string      `json:"name,omitempty"`
	Description       string      `json:"description,omitempty"`
	Role              string      `json:"role,omitempty"`
	CustomRoleIDs     []string    `json:"customRoleIds,omitempty"`
	InlineRole        []Statement `json:"inlineRole,omitempty"`
	ServiceToken      bool        `json:"serviceToken,omitempty"`
	DefaultAPIVersion int         `json:"defaultApiVersion,omitempty"`

	// Extensions.
	Permissions    []string    `json:"permissions,omitempty"`
	WorkspaceIDs   []string    `json:"workspaceIds,omitempty"`
	AllWorkspaces  bool        `json:"allWorkspaces,omitempty"`
	ExpirationDate int64       `json:"expirationDate,omitempty"`
	Access         AccessGrant `json:"access,omitempty"`
	// MemberID lets an admin create a token owned by another member.
	MemberID string `json:"memberId,omitempty"`
	// Secret is a client-supplied secret, accepted only where the server
	// allows it: a well-formed token of the token's kind that no token has
	// ever held. The answer then carries only its last four characters.
	Secret string `json:"secret,omitempty"`
}

// TokenReset is the optional JSON body of POST /api/v2/tokens/{id}/reset.
// Expiry (Unix milliseconds) is when the old secret stops working; zero means
// at once. The same value may be sent as the `expiry` query parameter.
type TokenReset struct {
	Expiry int64 `json:"expiry,omitempty"`
	// Secret is a client-supplied new secret, with the rules of
	// TokenCreate.Secret.
	Secret string `json:"secret,omitempty"`
}

// TokenBulkDeleteResult is the answer of DELETE /api/v2/tokens?memberId=,
// which deletes a member's tokens at once: all of them, or with
// serviceToken=true|false only service or personal ones, and with
// workspaceId only those whose scope reaches that workspace (listed in
// workspaceIds, or allWorkspaces). Both filters may be combined.
type TokenBulkDeleteResult struct {
	MemberID string `json:"memberId"`
	// DeletedCount is how many tokens were deleted.
	DeletedCount int `json:"deletedCount"`
}

// PatchOperation is one RFC 6902 JSON Patch operation.
type PatchOperation struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// PatchWithComment is the second accepted PATCH body shape for roles.
type PatchWithComment struct {
	Patch   []PatchOperation `json:"patch"`
	Comment string           `json:"comment,omitempty"`
}

// CustomRole is a custom role as the API returns it. `_id`, `_links`, `key`,
// `name` and `policy` are always present, and so is `basePermissions`;
// statements and their arrays keep the order in which they were sent.
type CustomRole struct {
	ID              string      `json:"_id"`
	Links           Links       `json:"_links"`
	Key             string      `json:"key"`
	Name            string      `json:"name"`
	Description     string      `json:"description,omitempty"`
	Policy          []Statement `json:"policy"`
	BasePermissions string      `json:"basePermissions"`

	// Extensions.
	// Permissions are catalogue permission names the role grants on every
	// resource, like a token's permissions.
	Permissions []string `json:"permissions,omitempty"`
	// Access is the role's access grant exactly as sent; it adds to
	// Permissions, Policy and BasePermissions (see AccessGrant).
	Access       AccessGrant `json:"access,omitempty"`
	CreationDate int64       `json:"creationDate,omitempty"`
	LastModified int64       `json:"lastModified,omitempty"`
	TokenCount   int         `json:"tokenCount"`
	// NotEnforced lists the 0-based indexes in Policy of the statements that
	// have no effect on this backend, as for Token.NotEnforced.
	NotEnforced []int `json:"notEnforced,omitempty"`
}

// CustomRoleCreate is the body of POST /api/v2/roles. BasePermissions
// defaults to no_access.
type CustomRoleCreate struct {
	Key             string      `json:"key"`
	Name            string      `json:"name"`
	Description     string      `json:"description,omitempty"`
	Policy          []Statement `json:"policy"`
	BasePermissions string      `json:"basePermissions,omitempty"`

	// Extensions.
	Permissions []string    `json:"permissions,omitempty"`
	Access      AccessGrant `json:"access,omitempty"`

	// Fields of the wider service that tokensmithd accepts and ignores, so
	// its clients work unchanged.
	ResourceCategory string `json:"resourceCategory,omitempty"`
}

// Workspace is a workspace of the organisation.
type Workspace struct {
	ID           string   `json:"_id"`
	Links        Links    `json:"_links"`
	Name         string   `json:"name"`
	Description  string   `json:"description,omitempty"`
	OwnerID      string   `json:"ownerId"`
	MemberIDs    []string `json:"memberIds"`
	CreationDate int64    `json:"creationDate"`
	LastModified int64    `json:"lastModified"`
}

// WorkspaceCreate is the body of POST /api/v2/workspaces. OwnerID defaults
// to the caller's member.
type WorkspaceCreate struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	OwnerID     string   `json:"ownerId,omitempty"`
	MemberIDs   []string `json:"memberIds,omitempty"`
}

// WorkspaceTransfer is the body of POST /api/v2/workspaces/{id}/transfer.
type WorkspaceTransfer struct {
	OwnerID string `json:"ownerId"`
}

// WorkspaceTransferResult reports what a transfer did to personal tokens.
type WorkspaceTransferResult struct {
	Workspace Workspace `json:"workspace"`
	// TokensNarrowed counts personal tokens that lost the workspace from
	// their scope; TokensRevoked counts those deleted because nothing was left.
	TokensNarrowed int `json:"tokensNarrowed"`
	TokensRevoked  int `json:"tokensRevoked"`
}

// Member is a member of the organisation.
type Member struct {
	ID           string   `json:"_id"`
	Links        Links    `json:"_links"`
	Email        string   `json:"email"`
	FirstName    string   `json:"firstName,omitempty"`
	LastName     string   `json:"lastName,omitempty"`
	Role         string   `json:"role"`
	WorkspaceIDs []string `json:"workspaceIds"`
	CreationDate int64    `json:"creationDate"`
	LastModified int64    `json:"lastModified"`
}

// MemberCreate is the body of POST /api/v2/members.
type MemberCreate struct {
	Email     string `json:"email"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	Role      string `json:"role"`
}

// Permission is one entry of the permission catalogue.
type Permission struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Roles are the member roles (owner, admin, writer, reader) that may hold it.
	Roles []string `json:"roles"`
	// CatalogueRoles are the roles of the source catalogue (Global_Admin,
	// Admin, Basic_User) that may hold it.
	CatalogueRoles []string `json:"catalogueRoles"`
	// Object and Level place the permission in an object of the catalogue
	// (level read or write); both are absent for a plain permission.
	Object string `json:"object,omitempty"`
	Level  string `json:"level,omitempty"`
}

// AccessGrant maps catalogue objects to an access level: none, read_only
// (the object's read permissions) or read_write (its read and write
// permissions). On a token it is a grant form of its own, exclusive like
// the others; on a custom role it adds to the role's other grants, and
// its permissions must not also name a permission of an object it sets.
type AccessGrant map[string]string

// AccessObject is one object of the catalogue as GET
// /api/v2/permissions/objects lists it.
type AccessObject struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Levels are the access levels beyond none that the object offers,
	// narrowest first: read_only, and read_write when it can be written.
	Levels []AccessObjectLevel `json:"levels"`
}

// AccessObjectLevel says what one access level on an object stands for.
type AccessObjectLevel struct {
	Level string `json:"level"`
	// Permissions are the catalogue names the level grants.
	Permissions []string `json:"permissions"`
	// Roles are the member roles that may hold the level.
	Roles []string `json:"roles"`
}

// CallerIdentity describes the token a request was made with.
type CallerIdentity struct {
	TokenID              string   `json:"tokenId"`
	TokenName            string   `json:"tokenName,omitempty"`
	ServiceToken         bool     `json:"serviceToken"`
	OrganizationID       string   `json:"organizationId"`
	MemberID             string   `json:"memberId"`
	MemberEmail          string   `json:"memberEmail"`
	MemberRole           string   `json:"memberRole"`
	EffectivePermissions []string `json:"effectivePermissions"`
	WorkspaceIDs         []string `json:"workspaceIds"`
	AllWorkspaces        bool     `json:"allWorkspaces"`
	ExpirationDate       int64    `json:"expirationDate,omitempty"`
}

// AuditEntry is one record of the audit log. It never holds a secret.
type AuditEntry struct {
	ID       string `json:"_id"`
	Date     int64  `json:"date"`
	Action   string `json:"action"`
	MemberID string `json:"memberId"`
	TokenID  string `json:"tokenId,omitempty"`
	Target   string `json:"target"`
	Detail   string `json:"detail,omitempty"`
}

// List is the envelope of every collection response.
type List[T any] struct {
	Items      []T   `json:"items"`
	TotalCount int   `json:"totalCount"`
	Links      Links `json:"_links"`
}

// PathConsole is where tokensmithd serves its web console: HTML for
// people, not part of the API or its document.
const PathConsole = "/console/"

// PathMemberPassword is the console password of a member ({id}).
const PathMemberPassword = PathMembers + "/{id}/password"

// MemberPassword sets a member's console password. CurrentPassword is
// required when members change their own password once one is set. Neither
// is ever echoed, logged or recorded.
type MemberPassword struct {
	Password        string `json:"password"`
	CurrentPassword string `json:"currentPassword,omitempty"`
}

package api

// Paths of the endpoints relying services call to check the tokens presented
// to them. Both need a caller holding TOKEN_INTROSPECT.
const (
	PathIntrospect = "/api/v2/introspect"
	PathAuthorize  = "/api/v2/authorize"
)

// Token types of an introspection answer.
const (
	TokenTypePersonal = "personal"
	TokenTypeService  = "service"
)

// IntrospectRequest is the body of POST /api/v2/introspect: RFC 7662's
// form field `token` (application/x-www-form-urlencoded), or the same as
// JSON. TokenTypeHint is accepted and ignored, as RFC 7662 allows.
type IntrospectRequest struct {
	Token         string `json:"token"`
	TokenTypeHint string `json:"token_type_hint,omitempty"`
}

// Introspection is the answer of POST /api/v2/introspect (RFC 7662). An
// inactive token (unknown, malformed, expired, deleted, past its grace
// period, owner removed) is exactly {"active":false}.
type Introspection struct {
	Active bool `json:"active"`
	// TokenType is TokenTypePersonal or TokenTypeService.
	TokenType string `json:"token_type,omitempty"`
	// Sub is the id of the member who owns the token.
	Sub string `json:"sub,omitempty"`
	// ClientID is the token's id; Username the owner's email, for personal
	// tokens only.
	ClientID string `json:"client_id,omitempty"`
	Username string `json:"username,omitempty"`
	// Exp (absent when the token never expires) and Iat are Unix seconds.
	Exp int64 `json:"exp,omitempty"`
	Iat int64 `json:"iat,omitempty"`
	// Scope is the space-separated list of the permissions the token holds
	// on "org" now, as caller-identity's effectivePermissions.
	Scope string `json:"scope,omitempty"`

	// Extensions.
	TokenID        string `json:"token_id,omitempty"`
	OrganizationID string `json:"organization_id,omitempty"`
	// WorkspaceIDs is the token's workspace scope unless AllWorkspaces;
	// ExcludedWorkspaceIDs are workspaces an all-workspaces token lost.
	WorkspaceIDs         []string `json:"workspace_ids,omitempty"`
	AllWorkspaces        bool     `json:"all_workspaces,omitempty"`
	ExcludedWorkspaceIDs []string `json:"excluded_workspace_ids,omitempty"`
	// Policy is the effective policy: an action on a resource is allowed
	// when every one of these policies allows it (the token's grant, its
	// owner's current role, its workspace scope). A reader's or writer's
	// token additionally reaches only workspaces its owner belongs to, which
	// POST /api/v2/authorize takes into account.
	Policy [][]Statement `json:"policy,omitempty"`
}

// AuthorizeRequest is the body of POST /api/v2/authorize: may Token perform
// Action (a catalogue permission) on Resource ("org" or "workspace/<id>", for
// example "workspace/<id>")?
type AuthorizeRequest struct {
	Token    string `json:"token"`
	Action   string `json:"action"`
	Resource string `json:"resource"`
}

// AuthorizeResult is the answer of POST /api/v2/authorize, always 200.
// Refused for a missing permission: Code is PermissionDeniedNumber and
// Missing lists it. Refused because the token is not active: Active is
// false and nothing else is said.
type AuthorizeResult struct {
	Allowed bool     `json:"allowed"`
	Active  *bool    `json:"active,omitempty"`
	Code    int      `json:"code,omitempty"`
	Missing []string `json:"missing,omitempty"`
	// Detail says why, in the words the server's own endpoints use.
	Detail string `json:"detail,omitempty"`
}

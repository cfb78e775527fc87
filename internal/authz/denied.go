package authz

import "fmt"

// Reason names the rule behind a refusal.
type Reason string

// The rules a request can be refused by.
const (
	// LacksPermission: the caller's subject does not allow the action on
	// the resource.
	LacksPermission Reason = "lacks_permission"
	// NotWorkspaceMember: a reader's or writer's token reaches only the
	// workspaces its owner belongs to.
	NotWorkspaceMember Reason = "not_workspace_member"
	// OldSecret: an old secret in its grace period may not take its token
	// over nor mint or reset tokens.
	OldSecret Reason = "old_secret"
	// OwnerRanksAbove: nobody acts on the tokens of a member ranked above them.
	OwnerRanksAbove Reason = "owner_ranks_above"
	// MemberRanksAbove: nobody changes a member ranked above them.
	MemberRanksAbove Reason = "member_ranks_above"
	// RoleAboveOwn: nobody grants a member role above their own.
	RoleAboveOwn Reason = "role_above_own"
	// ScopeOutsideMembership: a reader or writer scopes tokens only to
	// workspaces they belong to.
	ScopeOutsideMembership Reason = "scope_outside_membership"
	// OwnerScopeOutsideMembership: a token made for a reader or writer is
	// scoped only to workspaces they belong to.
	OwnerScopeOutsideMembership Reason = "owner_scope_outside_membership"
	// AccessAboveRole: an access level the member role may not hold.
	AccessAboveRole Reason = "access_above_role"
	// OwnerRoleCeiling: a token made for another member grants nothing their
	// role does not hold.
	OwnerRoleCeiling Reason = "owner_role_ceiling"
	// OwnerOnlyRule: what only an owner may do.
	OwnerOnlyRule Reason = "owner_only"
	// Escalation: a grant allows something the caller does not hold.
	Escalation Reason = "escalation"
)

// Denied is a request refused by one of the rules: Reason says which,
// Missing lists the permissions lacking (when the rule is about
// permissions), Field the request field at fault (when there is one) and
// Detail says it in words.
type Denied struct {
	Reason  Reason
	Missing []string
	Field   string
	Detail  string
}

func (d *Denied) Error() string { return d.Detail }

func deny(reason Reason, missing []string, format string, args ...any) *Denied {
	return &Denied{Reason: reason, Missing: missing, Detail: fmt.Sprintf(format, args...)}
}

// Invalid is a request whose Field breaks a rule of this package (an
// expiration date beyond the policy, a malformed resource). Detail does not
// repeat the field's name unless it says it in its own words.
type Invalid struct {
	Field  string
	Detail string
}

func (e *Invalid) Error() string { return e.Field + ": " + e.Detail }

func invalid(field, format string, args ...any) *Invalid {
	return &Invalid{Field: field, Detail: fmt.Sprintf(format, args...)}
}

// NotFound is a resource named in a decision that does not exist.
type NotFound struct{ Detail string }

func (e *NotFound) Error() string { return e.Detail }

package api

import "slices"

// Built-in roles a token can be granted and that a member holds (see
// docs/guides/backend-rules.md, "Token roles" and "Member roles").
// A member can additionally be an owner; a token cannot be granted "owner".
const (
	RoleReader = "reader"
	RoleWriter = "writer"
	RoleAdmin  = "admin"
	RoleOwner  = "owner"
)

// memberRoles is the one definition of the roles' order, weakest first.
// Roles are cumulative: each holds everything the ones before it hold.
var memberRoles = [...]string{RoleReader, RoleWriter, RoleAdmin, RoleOwner}

// MemberRoles returns the values the `role` field of a member accepts,
// weakest first, in a slice of the caller's own.
func MemberRoles() []string { return slices.Clone(memberRoles[:]) }

// TokenRoles returns the values the `role` field of a token accepts, weakest
// first, in a slice of the caller's own: every member role but owner.
func TokenRoles() []string {
	return slices.DeleteFunc(MemberRoles(), func(r string) bool { return r == RoleOwner })
}

// RoleRank orders the member roles: 0 for reader up to 3 for owner, so a
// higher rank holds more. It is -1 for anything else, below every role.
func RoleRank(role string) int { return slices.Index(memberRoles[:], role) }

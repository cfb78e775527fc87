package authz

import (
	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Rank orders the member roles, reader 0 to owner 3; an unknown role ranks
// -1, below all. It is api.RoleRank, the contract's one definition of the
// order; authz names it so that every comparison here reads as a rule.
func Rank(role string) int { return api.RoleRank(role) }

// RolesAbove lists the member roles ranked above role, lowest first.
func RolesAbove(role string) []string {
	return api.MemberRoles()[Rank(role)+1:]
}

// IsAdmin reports whether m is an admin or an owner, who reach every
// workspace and act on every member's tokens.
func IsAdmin(m store.Member) bool {
	return m.Role == api.RoleAdmin || m.Role == api.RoleOwner
}

// MayManage: nobody acts on a member above them or grants a role above
// their own.
func (c *Caller) MayManage(target store.Member, newRole string) error {
	mine := Rank(c.Member.Role)
	if Rank(target.Role) > mine {
		return deny(MemberRanksAbove, nil, "a member with role %s cannot change a member with role %s", c.Member.Role, target.Role)
	}
	if newRole != "" && Rank(newRole) > mine {
		return deny(RoleAboveOwn, nil, "a member with role %s cannot grant role %s", c.Member.Role, newRole)
	}
	return nil
}

// MayActOnTokensOf: a token acts with its owner's rank, so changing,
// resetting (which hands over the new secret) or minting a token of a member
// ranked above the caller would let the caller act as that member.
func (c *Caller) MayActOnTokensOf(owner store.Member) error {
	if Rank(owner.Role) > Rank(c.Member.Role) {
		return deny(OwnerRanksAbove, nil, "a member with role %s cannot act on the access tokens of a member with role %s", c.Member.Role, owner.Role)
	}
	return nil
}

// IsOwner reports whether m is an owner.
func IsOwner(m store.Member) bool { return m.Role == api.RoleOwner }

// LastOwner reports whether m is the only owner among members, all the
// organisation's: the last owner may be neither demoted nor removed.
func LastOwner(m store.Member, members []store.Member) bool {
	if !IsOwner(m) {
		return false
	}
	owners := 0
	for _, x := range members {
		if IsOwner(x) {
			owners++
		}
	}
	return owners <= 1
}

// OwnerOnly refuses what only an owner may do unless the caller is one.
func (c *Caller) OwnerOnly(what string) error {
	if IsOwner(c.Member) {
		return nil
	}
	return deny(OwnerOnlyRule, nil, "only an owner may %s; member %s is %s", what, c.Member.ID, c.Member.Role)
}

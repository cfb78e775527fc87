package authz

import (
	"slices"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Rank orders the member roles, reader 0 to owner 3; an unknown role ranks
// -1, below all. Every comparison of member roles goes through it.
func Rank(role string) int {
	i := slices.Index(catalogue.MemberRoles, role)
	if i < 0 {
		return -1
	}
	return len(catalogue.MemberRoles) - 1 - i
}

// rolesByRank lists the member roles from the lowest rank to the highest.
func rolesByRank() []string {
	out := make([]string, len(catalogue.MemberRoles))
	for _, r := range catalogue.MemberRoles {
		out[Rank(r)] = r
	}
	return out
}

// RolesAbove lists the member roles ranked above role, lowest first.
func RolesAbove(role string) []string {
	return rolesByRank()[Rank(role)+1:]
}

// IsAdmin reports whether m is an admin or an owner, who reach every
// workspace and act on every member's tokens.
func IsAdmin(m store.Member) bool {
	return m.Role == catalogue.RoleAdmin || m.Role == catalogue.RoleOwner
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
func IsOwner(m store.Member) bool { return m.Role == catalogue.RoleOwner }

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

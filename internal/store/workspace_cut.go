package store

import "slices"

// ScopeCut is what taking a workspace out of a token's scope does to it.
type ScopeCut int

const (
	// ScopeUnchanged: the token did not reach the workspace.
	ScopeUnchanged ScopeCut = iota
	// ScopeNarrowed: the token keeps other workspaces.
	ScopeNarrowed
	// ScopeRevoked: the workspace was the token's last one; the token goes.
	ScopeRevoked
)

// CutWorkspace is the one rule every engine applies when a workspace is
// taken from a token (a transfer of the workspace): an all-workspaces token
// gets it excluded, a token listing it loses it, and a token left with no
// workspace is revoked. It returns the token's new lists.
func CutWorkspace(all bool, listed, excluded []string, wsID string) (newListed, newExcluded []string, cut ScopeCut) {
	if all {
		if slices.Contains(excluded, wsID) {
			return listed, excluded, ScopeUnchanged
		}
		return listed, append(slices.Clone(excluded), wsID), ScopeNarrowed
	}
	if !slices.Contains(listed, wsID) {
		return listed, excluded, ScopeUnchanged
	}
	left := slices.DeleteFunc(slices.Clone(listed), func(x string) bool { return x == wsID })
	if len(left) == 0 {
		return nil, excluded, ScopeRevoked
	}
	return left, excluded, ScopeNarrowed
}

package server

// Limits on lists in request bodies. Each item costs a lookup or widens
// every later policy evaluation, so a body within MaxBodyBytes could
// otherwise cost seconds of work; beyond these the request is a 400 naming
// the field. Statements and their lists are capped by package policy.
const (
	maxCustomRoles = 50   // customRoleIds of one token
	maxListItems   = 1000 // permissions, workspaceIds, memberIds
	maxPatchOps    = 1000 // operations in one JSON Patch
)

// listCap is one list of a request and its limit.
type listCap struct {
	field    string
	n, limit int
}

func capLists(caps ...listCap) error {
	for _, c := range caps {
		if c.n > c.limit {
			return invalid(c.field, "%s holds %d items; at most %d are allowed", c.field, c.n, c.limit)
		}
	}
	return nil
}

package store

// Snapshot is everything a store holds, for moving an installation from
// one engine to another: the copy keeps every id, digest and time, so
// existing secrets keep authenticating and idempotent retries still replay.
type Snapshot struct {
	Organization Organization
	Members      []Member
	Workspaces   []Workspace
	CustomRoles  []CustomRole
	Tokens       []Token
	Idempotency  []IdempotencyRecord
	Audit        []AuditEvent // in the order they were appended
	// Usage is every stored daily count, of every token.
	Usage []UsageCount
	// SpentDigests is every digest a token ever held, current ones
	// included, so that the copy refuses them as its source does.
	SpentDigests [][]byte
	// Passwords are the members' console password hashes, by member id
	// (members without one are absent). Console sessions are not copied:
	// people sign in again on the new engine.
	Passwords map[string]string
}

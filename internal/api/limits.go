package api

// Length limits of the free-text fields, in characters (Unicode code
// points, not bytes). The server enforces them and the provider validates
// configurations against the same values, so a plan never accepts what the
// API will refuse.
const (
	MaxTokenNameLength      = 64
	MaxCustomRoleNameLength = 256
	// Keys match CustomRoleKeyPattern, so characters are bytes.
	MaxCustomRoleKeyLength = 256
	MaxWorkspaceNameLength = 100
	// MaxMemberNameLength bounds firstName and lastName.
	MaxMemberNameLength  = 100
	MaxDescriptionLength = 1000
)

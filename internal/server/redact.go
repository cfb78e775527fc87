package server

import (
	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
)

const redacted = "[redacted]"

// redact replaces every token-like run in s (api.TokenPattern: anything
// carrying a token prefix, in any case) whole. Problem documents and log
// lines pass through it, so no handler has to remember which values it
// echoes.
func redact(s string) string { return api.RedactTokens(s, redacted, false) }

// holdsToken reports whether s contains a well-formed token (checksum
// included), so that a secret pasted into a name or description is refused
// before it is stored, audited or echoed.
func holdsToken(s string) bool {
	for _, m := range api.TokenLikeRuns(s) {
		if len(m) >= secret.Length {
			if _, err := secret.Parse(m[:secret.Length]); err == nil {
				return true
			}
		}
	}
	return false
}

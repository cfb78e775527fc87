package server

import (
	"regexp"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/secret"
)

// tokenLike matches anything carrying a token prefix, well-formed or not: a
// value a client sent where it did not belong may be a real secret with a
// typo, and it must not come back in an error or reach a log line.
var tokenLike = regexp.MustCompile(`(?i)tsm_(?:pat|svc)_[0-9A-Za-z]*`)

const redacted = "[redacted]"

// redact replaces every token-like run in s. Problem documents and log lines
// pass through it, so no handler has to remember which values it echoes.
func redact(s string) string {
	if !strings.Contains(strings.ToLower(s), "tsm_") {
		return s
	}
	return tokenLike.ReplaceAllString(s, redacted)
}

// holdsToken reports whether s contains a well-formed token (checksum
// included), so that a secret pasted into a name or description is refused
// before it is stored, audited or echoed.
func holdsToken(s string) bool {
	for _, m := range tokenLike.FindAllString(s, -1) {
		if len(m) >= secret.Length {
			if _, err := secret.Parse(m[:secret.Length]); err == nil {
				return true
			}
		}
	}
	return false
}

package api

import (
	"regexp"
	"strings"
)

// Prefixes of access token values: a personal token starts with
// TokenPrefixPersonal and a service token with TokenPrefixService. Package
// secret generates and checks the rest of the format; what a client or a log
// needs to recognise a token is here, because the client imports only this
// package.
const (
	TokenPrefixPersonal = "tsm_pat_"
	TokenPrefixService  = "tsm_svc_"
)

// TokenPattern is the regular expression of anything that carries a token
// prefix, well-formed or not: a value sent where it did not belong may be a
// real secret with a typo, and it must not come back in an error or reach a
// log line. It matches whatever the case, though real tokens are always
// lower-case in their prefix: a redactor should err on the side of
// redacting, and a secret retyped as "TSM_PAT_..." is still a secret.
const TokenPattern = `(?i)(` + TokenPrefixPersonal + `|` + TokenPrefixService + `)[0-9A-Za-z]*`

var tokenLike = regexp.MustCompile(TokenPattern)

// mayHoldToken is a cheap first test that no match of TokenPattern can
// fail: every match holds an underscore, a character no case folding
// reaches.
func mayHoldToken(s string) bool { return strings.IndexByte(s, '_') >= 0 }

// TokenLikeRuns returns every run of s that matches TokenPattern, in order.
func TokenLikeRuns(s string) []string {
	if !mayHoldToken(s) {
		return nil
	}
	return tokenLike.FindAllString(s, -1)
}

// RedactTokens returns s with every run matching TokenPattern replaced by
// mask. With keepPrefix the run's prefix stays in front of the mask
// ("tsm_pat_[REDACTED]"), so a reader still sees which kind of token was
// there; nothing after the prefix is ever kept, and a bare prefix, which
// hides nothing, is left alone so that redacting twice changes nothing.
func RedactTokens(s, mask string, keepPrefix bool) string {
	if !mayHoldToken(s) {
		return s
	}
	return tokenLike.ReplaceAllStringFunc(s, func(run string) string {
		if !keepPrefix {
			return mask
		}
		prefix := tokenLike.FindStringSubmatch(run)[1]
		if prefix == run {
			return run
		}
		return prefix + mask
	})
}

// LastFour returns the last four characters of a token value, the part that
// may be shown after creation. Values of four characters or fewer are
// returned whole.
func LastFour(s string) string {
	if len(s) <= 4 {
		return s
	}
	return s[len(s)-4:]
}

package secret

import "strings"

// KindOfPrefix returns the kind whose prefix s starts with. It says nothing
// about the rest of s: Parse checks a whole token.
func KindOfPrefix(s string) (Kind, bool) {
	switch {
	case strings.HasPrefix(s, PrefixPersonal):
		return KindPersonal, true
	case strings.HasPrefix(s, PrefixService):
		return KindService, true
	}
	return "", false
}

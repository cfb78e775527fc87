package server

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// Validators shared by the handlers of tokens, custom roles, members and
// workspaces. Each refuses with a 400 naming the field it was given.

func validName(field, v string, maxLen int, required bool) error {
	n := utf8.RuneCountInString(v)
	if required && strings.TrimSpace(v) == "" {
		return invalid(field, "%s is required (1 to %d characters)", field, maxLen)
	}
	if n > maxLen {
		return invalid(field, "%s must be at most %d characters, got %d", field, maxLen, n)
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return invalid(field, "%s must not contain control characters", field)
	}
	if strings.IndexFunc(v, isBidiControl) >= 0 {
		return invalid(field, "%s must not contain bidirectional override or isolate characters", field)
	}
	if i := strings.IndexFunc(v, isInvisible); i >= 0 {
		r, _ := utf8.DecodeRuneInString(v[i:])
		return invalid(field, "%s must not contain invisible characters (zero-width, other format characters, line or paragraph separators); found U+%04X", field, r)
	}
	return noSecret(field, v)
}

// isInvisible reports characters that show nothing yet make two names that
// look alike differ ("admin\u200b"): format characters (zero-width space,
// joiners, word joiner, byte order mark, soft hyphen) and the line and
// paragraph separators.
func isInvisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// isBidiControl reports the explicit embedding, override and isolate
// characters, which make a name display differently from what it is
// ("admin\u202etxt.exe").
func isBidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// validDescription checks a free-text description of at most
// api.MaxDescriptionLength characters. Line breaks and tabs are text; other
// control characters (an escape sequence rewriting a terminal, a NUL cutting
// a log line) are not.
func validDescription(field, v string) error {
	if n := utf8.RuneCountInString(v); n > api.MaxDescriptionLength {
		return invalid(field, "%s must be at most %d characters, got %d", field, api.MaxDescriptionLength, n)
	}
	if strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0 {
		return invalid(field, "%s must not contain control characters other than line breaks and tabs", field)
	}
	return noSecret(field, v)
}

// noSecret refuses text holding a well-formed access token: names and
// descriptions are stored, audited and shown to every reader.
func noSecret(field, v string) error {
	if holdsToken(v) {
		return invalid(field, "%s must not contain an access token; if this was a real token, reset it", field)
	}
	return nil
}

// noSecretInPolicy applies noSecret to every entry of every statement:
// policies are stored and shown to every reader of roles and tokens, so a
// secret pasted into a resource ("token/<secret>") must not be kept either.
// It looks at the statements as a whole rather than at the specifier
// grammar, which decides separately what a resource may be.
func noSecretInPolicy(field string, stmts []api.Statement) error {
	for i, st := range stmts {
		for _, l := range []struct {
			name string
			list []string
		}{{"actions", st.Actions}, {"notActions", st.NotActions}, {"resources", st.Resources}, {"notResources", st.NotResources}} {
			for j, v := range l.list {
				if err := noSecret(fmt.Sprintf("%s[%d].%s[%d]", field, i, l.name, j), v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *Server) knownPermission(field, name string) error {
	if _, ok := s.cat.Lookup(name); ok {
		return nil
	}
	msg := fmt.Sprintf("unknown permission %q", name)
	if sug := s.cat.Suggest(name, 3); len(sug) > 0 {
		msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(sug, ", "))
	}
	return invalid(field, "%s", msg)
}

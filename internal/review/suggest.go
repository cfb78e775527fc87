package review

import (
	"fmt"
	"strings"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/catalogue"
)

// maxSuggestions bounds the names offered for one misspelt permission.
const maxSuggestions = 3

// Suggest renders the catalogue names closest to an unknown permission name
// as `did you mean "ENVIRONMENT_READ"?`, or "" when none is close.
func Suggest(cat *catalogue.Catalogue, name string) string {
	if cat == nil {
		return ""
	}
	return didYouMean(cat.Suggest(name, maxSuggestions))
}

// SuggestPattern is Suggest for a pattern that matches no permission:
// `did you mean "ACCESS_TOKEN_*"?`, or "".
func SuggestPattern(cat *catalogue.Catalogue, pattern string) string {
	if cat == nil {
		return ""
	}
	return didYouMean(cat.SuggestPattern(pattern, maxSuggestions))
}

// SuggestObject is Suggest for the name of a catalogue object.
func SuggestObject(cat *catalogue.Catalogue, name string) string {
	if cat == nil {
		return ""
	}
	return didYouMean(cat.SuggestObject(name, maxSuggestions))
}

// didYouMean renders names as `did you mean "A", "B" or "C"?`, or "" for
// none.
func didYouMean(names []string) string {
	if len(names) == 0 {
		return ""
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	list := quoted[0]
	if len(quoted) > 1 {
		list = strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
	}
	return "did you mean " + list + "?"
}

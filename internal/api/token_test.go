package api

import (
	"slices"
	"strings"
	"testing"
)

// A value shaped like a personal token (its checksum is not checked here)
// and what follows its prefix.
const (
	sampleToken = "tsm_pat_0123456789abcdefghijABCDEFGHIJ0a1B2c"
	sampleBody  = "0123456789abcdefghijABCDEFGHIJ0a1B2c"
)

func TestRedactTokens(t *testing.T) {
	for _, tc := range []struct{ in, whole, kept string }{
		{"key " + sampleToken + ".", "key [x].", "key tsm_pat_[x]."},
		{"svc tsm_svc_" + sampleBody, "svc [x]", "svc tsm_svc_[x]"},
		// Whatever the case: a secret retyped in capitals is still one.
		{"TSM_PAT_" + sampleBody, "[x]", "TSM_PAT_[x]"},
		{"Tsm_Svc_" + sampleBody + " and " + sampleToken, "[x] and [x]", "Tsm_Svc_[x] and tsm_pat_[x]"},
		// A malformed body is masked too; a bare prefix has nothing to hide.
		{"tsm_pat_", "[x]", "tsm_pat_"},
		{"tsm_pat_abc-def", "[x]-def", "tsm_pat_[x]-def"},
		{"plain text, tsm_other_x, tsm_patabc", "plain text, tsm_other_x, tsm_patabc", "plain text, tsm_other_x, tsm_patabc"},
	} {
		if got := RedactTokens(tc.in, "[x]", false); got != tc.whole {
			t.Errorf("RedactTokens(%q, whole) = %q, want %q", tc.in, got, tc.whole)
		}
		if got := RedactTokens(tc.in, "[x]", true); got != tc.kept {
			t.Errorf("RedactTokens(%q, keepPrefix) = %q, want %q", tc.in, got, tc.kept)
		}
		for _, got := range []string{RedactTokens(tc.in, "[x]", false), RedactTokens(tc.in, "[x]", true)} {
			if strings.Contains(strings.ToLower(got), strings.ToLower(sampleBody)) {
				t.Errorf("a token body survived redaction: %q", got)
			}
		}
	}
	// Redacting twice is redacting once.
	in := "a " + sampleToken + " b"
	for _, keep := range []bool{false, true} {
		once := RedactTokens(in, "[x]", keep)
		if twice := RedactTokens(once, "[x]", keep); twice != once {
			t.Errorf("keepPrefix %v: redacting again gave %q, not %q", keep, twice, once)
		}
	}
}

func TestTokenLikeRuns(t *testing.T) {
	got := TokenLikeRuns("a " + sampleToken + " b TSM_SVC_x c tsm_pat")
	if want := []string{sampleToken, "TSM_SVC_x"}; !slices.Equal(got, want) {
		t.Errorf("TokenLikeRuns = %q, want %q", got, want)
	}
	if got := TokenLikeRuns("no token here"); got != nil {
		t.Errorf("TokenLikeRuns without a token = %q", got)
	}
}

func TestLastFour(t *testing.T) {
	for in, want := range map[string]string{sampleToken: "1B2c", "abcd": "abcd", "abc": "abc", "": ""} {
		if got := LastFour(in); got != want {
			t.Errorf("LastFour(%q) = %q, want %q", in, got, want)
		}
	}
}

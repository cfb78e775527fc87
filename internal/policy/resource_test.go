package policy

import (
	"strings"
	"testing"
)

func TestParseResource(t *testing.T) {
	for _, tc := range []struct{ in, kind, id string }{
		{"org", "", ""},
		{"workspace/abc123", KindWorkspace, "abc123"},
		{"workspace/w.1_2-3", KindWorkspace, "w.1_2-3"},
	} {
		kind, id, err := ParseResource(tc.in)
		if err != nil || kind != tc.kind || id != tc.id {
			t.Errorf("ParseResource(%q) = %q, %q, %v; want %q, %q", tc.in, kind, id, err, tc.kind, tc.id)
		}
	}
	for in, want := range map[string]string{
		"":              "want \"org\"",
		"*":             "want \"org\"",
		"workspace/*":   "no patterns",
		"workspace/a*":  "no patterns",
		"workspace/":    "no patterns",
		"bucket/x":      "unknown kind \"bucket\"",
		"workspace/a b": "no patterns",
		"workspace/a:b": "no patterns",
		"token/t1":      "unknown kind \"token\"",
	} {
		if _, _, err := ParseResource(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseResource(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}

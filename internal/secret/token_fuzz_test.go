package secret

import (
	"errors"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// FuzzParse: Parse never panics; its errors are one of a fixed set of
// messages (so they can never echo the input); whatever it accepts has the
// token shape, and changing any one character after the prefix of an
// accepted value makes it malformed.
func FuzzParse(f *testing.F) {
	for _, k := range []Kind{KindPersonal, KindService} {
		tok, err := Generate(k)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
		f.Add(tok[:Length-1])
		f.Add(tok + "0")
		f.Add(strings.ToUpper(tok))
		f.Add(tok[:10] + "é" + tok[12:])
	}
	for _, s := range []string{"", "tsm_", PrefixPersonal, PrefixService, "Bearer tsm_pat_x", strings.Repeat("0", Length), "tsm_pat_" + strings.Repeat("!", BodyLength+ChecksumLength)} {
		f.Add(s)
	}
	messages := map[string]bool{}
	for _, s := range []string{"x", PrefixPersonal, PrefixPersonal + strings.Repeat("!", BodyLength+ChecksumLength), PrefixPersonal + strings.Repeat("0", BodyLength+ChecksumLength)} {
		_, err := Parse(s)
		if err == nil {
			f.Fatalf("Parse(%q) accepted", s)
		}
		messages[err.Error()] = true
	}
	if len(messages) != 4 {
		f.Fatalf("expected four distinct messages, got %v", messages)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || !messages[err.Error()] {
				t.Fatalf("unexpected error %q", err)
			}
			return
		}
		if len(s) != Length || !strings.HasPrefix(s, k.Prefix()) {
			t.Fatalf("accepted a value of length %d for kind %q", len(s), k)
		}
		if api.LastFour(s) != s[Length-4:] {
			t.Fatal("LastFour")
		}
		for i := len(k.Prefix()); i < Length; i++ {
			b := []byte(s)
			j := strings.IndexByte(alphabet, b[i])
			b[i] = alphabet[(j+1+i%61)%62]
			if _, err := Parse(string(b)); err == nil {
				t.Fatalf("a change at %d went undetected", i)
			}
		}
	})
}

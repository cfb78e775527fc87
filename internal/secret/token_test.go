package secret

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

func mustGenerate(t testing.TB, k Kind) string {
	t.Helper()
	s, err := Generate(k)
	if err != nil {
		t.Fatalf("Generate(%q): %v", k, err)
	}
	return s
}

func TestGenerateParseRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		kind   Kind
		prefix string
	}{{KindPersonal, "tsm_pat_"}, {KindService, "tsm_svc_"}} {
		for range 100 {
			s := mustGenerate(t, tc.kind)
			if !strings.HasPrefix(s, tc.prefix) {
				t.Fatalf("token of kind %q lacks prefix %q", tc.kind, tc.prefix)
			}
			if len(s) != Length {
				t.Fatalf("token length %d, want %d", len(s), Length)
			}
			got, err := Parse(s)
			if err != nil {
				t.Fatalf("Parse of a generated token: %v", err)
			}
			if got != tc.kind {
				t.Fatalf("Parse kind = %q, want %q", got, tc.kind)
			}
		}
	}
}

func TestGenerateUnknownKind(t *testing.T) {
	if _, err := Generate(Kind("robot")); err == nil {
		t.Fatal("Generate accepted an unknown kind")
	}
}

func TestEntropyAtLeast160Bits(t *testing.T) {
	// Each body character is drawn uniformly (rejection sampling) from 62
	// symbols, so the body carries BodyLength*log2(62) bits.
	bits := float64(BodyLength) * math.Log2(62)
	if bits < 160 {
		t.Fatalf("body carries %.1f bits, want >= 160", bits)
	}
	if Length != 8+BodyLength+ChecksumLength {
		t.Fatalf("Length = %d, want prefix+body+checksum = %d", Length, 8+BodyLength+ChecksumLength)
	}
	if math.Pow(62, ChecksumLength) < math.Pow(2, 32) {
		t.Fatal("checksum field cannot hold every CRC32 value")
	}
}

func TestGenerateUnique(t *testing.T) {
	const n = 20000
	seen := make(map[string]struct{}, n)
	bodies := make(map[string]struct{}, n)
	for range n {
		s := mustGenerate(t, KindPersonal)
		if _, dup := seen[s]; dup {
			t.Fatal("duplicate token generated")
		}
		seen[s] = struct{}{}
		body := s[len(PrefixPersonal) : len(PrefixPersonal)+BodyLength]
		bodies[body] = struct{}{}
	}
	if len(bodies) != n {
		t.Fatalf("%d distinct bodies for %d tokens", len(bodies), n)
	}
}

func TestGenerateUsesWholeAlphabet(t *testing.T) {
	// A biased or truncated alphabet would show up as characters that never occur.
	counts := map[byte]int{}
	for range 500 {
		s := mustGenerate(t, KindService)
		for i := len(PrefixService); i < len(PrefixService)+BodyLength; i++ {
			counts[s[i]]++
		}
	}
	if len(counts) != 62 {
		t.Fatalf("body used %d distinct characters, want 62", len(counts))
	}
	// 15000 draws, 62 symbols: expected ~242 each; 120 is far outside any plausible deviation.
	for c, n := range counts {
		if n < 120 {
			t.Errorf("character %q occurred %d times, distribution looks biased", c, n)
		}
	}
}

func TestParseCatchesEverySingleCharacterTypo(t *testing.T) {
	for _, k := range []Kind{KindPersonal, KindService} {
		s := mustGenerate(t, k)
		for i := len(PrefixPersonal); i < len(s); i++ {
			for j := 0; j < len(alphabet); j++ {
				c := alphabet[j]
				if c == s[i] {
					continue
				}
				typo := s[:i] + string(c) + s[i+1:]
				if _, err := Parse(typo); err == nil {
					t.Fatalf("typo at position %d accepted", i)
				}
			}
		}
	}
}

func TestParseCatchesEveryAdjacentTransposition(t *testing.T) {
	for range 20 {
		s := mustGenerate(t, KindPersonal)
		for i := len(PrefixPersonal); i+1 < len(s); i++ {
			if s[i] == s[i+1] {
				continue
			}
			b := []byte(s)
			b[i], b[i+1] = b[i+1], b[i]
			if _, err := Parse(string(b)); err == nil {
				t.Fatalf("transposition at position %d accepted", i)
			}
		}
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	valid := mustGenerate(t, KindPersonal)
	body := valid[len(PrefixPersonal):]
	cases := map[string]string{
		"empty":                "",
		"no prefix":            body,
		"wrong prefix":         "tsm_xyz_" + body,
		"uppercase prefix":     "TSM_PAT_" + body,
		"other product prefix": "ghp_" + body,
		"too short":            valid[:len(valid)-1],
		"too long":             valid + "0",
		"underscore in body":   valid[:12] + "_" + valid[13:],
		"dash in body":         valid[:12] + "-" + valid[13:],
		"non-ascii in body":    valid[:12] + "é" + valid[14:],
		"space in checksum":    valid[:len(valid)-1] + " ",
		"prefix only":          PrefixService,
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(s)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not a *FormatError", err)
			}
			assertNotEchoed(t, err, s)
		})
	}
}

func TestParseErrorNeverEchoesInput(t *testing.T) {
	valid := mustGenerate(t, KindService)
	inputs := []string{
		valid[:len(valid)-1] + string(alphabet[(strings.IndexByte(alphabet, valid[len(valid)-1])+1)%62]), // checksum mismatch
		valid + "extra",
		"tsm_pat_" + strings.Repeat("x", 200),
		"password=hunter2hunter2",
	}
	for _, s := range inputs {
		_, err := Parse(s)
		if err == nil {
			t.Fatal("malformed input accepted")
		}
		assertNotEchoed(t, err, s)
	}
}

// assertNotEchoed fails if the error text contains s or any 8-character
// piece of s that is not part of the fixed prefixes.
func assertNotEchoed(t *testing.T, err error, s string) {
	t.Helper()
	msg := err.Error()
	if s != "" && strings.Contains(msg, s) {
		t.Fatalf("error %q contains the input", msg)
	}
	for i := 0; i+8 <= len(s); i++ {
		piece := s[i : i+8]
		if piece == PrefixPersonal || piece == PrefixService {
			continue
		}
		if strings.Contains(msg, piece) {
			t.Fatalf("error %q contains part of the input", msg)
		}
	}
}

func TestLastFour(t *testing.T) {
	s := mustGenerate(t, KindPersonal)
	if got := api.LastFour(s); got != s[len(s)-4:] {
		t.Fatalf("LastFour = %q, want %q", got, s[len(s)-4:])
	}
	if got := api.LastFour("abc"); got != "abc" {
		t.Fatalf("api.LastFour(short) = %q", got)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(KindPersonal); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	s := mustGenerate(b, KindPersonal)
	for b.Loop() {
		if _, err := Parse(s); err != nil {
			b.Fatal(err)
		}
	}
}

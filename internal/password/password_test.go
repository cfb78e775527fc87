package password

import (
	"strings"
	"testing"
)

func TestHashAndVerify(t *testing.T) {
	const p = "correct horse battery"
	h, err := Hash(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, p) || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash has an unexpected form")
	}
	other, err := Hash(p)
	if err != nil {
		t.Fatal(err)
	}
	if other == h {
		t.Fatalf("two hashes of one password are equal: the salt is not fresh")
	}
	if ok, err := Verify(h, p); err != nil || !ok {
		t.Fatalf("Verify(right password) = %v, %v", ok, err)
	}
	if ok, err := Verify(h, p+"x"); err != nil || ok {
		t.Fatalf("Verify(wrong password) = %v, %v", ok, err)
	}
}

func TestVerifyRefusesMalformedHashes(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=18$m=8,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=8,t=1,p=1$!!$aGFzaA", "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$"} {
		if ok, err := Verify(h, "whatever password"); err == nil || ok {
			t.Errorf("Verify(%q) = %v, %v; want an error", h, ok, err)
		}
	}
}

func TestCheckNamesTheRule(t *testing.T) {
	for p, want := range map[string]string{
		"short":                   "at least 12",
		strings.Repeat("a", 129):  "at most 128",
		strings.Repeat(" ", 12):   "only spaces",
		"good enough password ok": "",
	} {
		err := Check(p)
		if want == "" {
			if err != nil {
				t.Errorf("Check(%d chars) = %v", len(p), err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), p) {
			t.Errorf("Check(%d chars) = %v; want it to say %q without the password", len(p), err, want)
		}
	}
}

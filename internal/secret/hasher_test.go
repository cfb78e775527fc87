package secret

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"sync"
	"testing"
)

func mustHasher(t testing.TB) *Hasher {
	t.Helper()
	p, err := NewPepper()
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHasher(p)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestNewHasherRejectsShortPepper(t *testing.T) {
	for _, n := range []int{0, 1, 16, 31} {
		if _, err := NewHasher(make([]byte, n)); err == nil {
			t.Errorf("NewHasher accepted a %d-byte pepper", n)
		}
	}
	if _, err := NewHasher(make([]byte, 32)); err != nil {
		t.Errorf("NewHasher refused a 32-byte pepper: %v", err)
	}
}

func TestNewPepper(t *testing.T) {
	a, err := NewPepper()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewPepper()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 32 || len(b) != 32 {
		t.Fatalf("pepper lengths %d, %d, want 32", len(a), len(b))
	}
	if bytes.Equal(a, b) {
		t.Fatal("two peppers are equal")
	}
}

func TestDigestIsHMACSHA256(t *testing.T) {
	pepper := bytes.Repeat([]byte{7}, 32)
	h, err := NewHasher(pepper)
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, pepper)
	m.Write([]byte("tsm_pat_example"))
	want := m.Sum(nil)
	for range 3 { // pooled state must be reset between uses
		if got := h.Digest("tsm_pat_example"); !bytes.Equal(got, want) {
			t.Fatalf("Digest = %x, want %x", got, want)
		}
	}
}

func TestDigestDependsOnPepperAndInput(t *testing.T) {
	h1, h2 := mustHasher(t), mustHasher(t)
	s := mustGenerate(t, KindPersonal)
	if bytes.Equal(h1.Digest(s), h2.Digest(s)) {
		t.Fatal("different peppers gave the same digest")
	}
	if bytes.Equal(h1.Digest(s), h1.Digest(s+"x")) {
		t.Fatal("different inputs gave the same digest")
	}
	if bytes.Contains(h1.Digest(s), []byte(s)) {
		t.Fatal("digest contains the input")
	}
}

func TestNewHasherCopiesPepper(t *testing.T) {
	p := bytes.Repeat([]byte{1}, 32)
	h, err := NewHasher(p)
	if err != nil {
		t.Fatal(err)
	}
	before := h.Digest("x")
	p[0] = 2
	if !bytes.Equal(before, h.Digest("x")) {
		t.Fatal("changing the caller's pepper slice changed the digest")
	}
}

func TestDigestConcurrent(t *testing.T) {
	h := mustHasher(t)
	s := mustGenerate(t, KindService)
	want := h.Digest(s)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if !Equal(h.Digest(s), want) {
					errs <- "concurrent digest differed"
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func TestEqual(t *testing.T) {
	cases := []struct {
		a, b []byte
		want bool
	}{
		{[]byte("abc"), []byte("abc"), true},
		{[]byte("abc"), []byte("abd"), false},
		{[]byte("abc"), []byte("ab"), false},
		{nil, nil, true},
		{nil, []byte{}, true},
		{[]byte{0}, nil, false},
	}
	for _, c := range cases {
		if got := Equal(c.a, c.b); got != c.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func BenchmarkDigest(b *testing.B) {
	h := mustHasher(b)
	s := mustGenerate(b, KindPersonal)
	b.ReportAllocs()
	for b.Loop() {
		h.Digest(s)
	}
}

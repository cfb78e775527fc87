package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"hash"
	"sync"
)

// PepperLength is the minimum pepper length, and the length NewPepper returns.
const PepperLength = 32

// Hasher computes peppered digests of token values. Only digests are stored,
// so a copy of the database without the pepper cannot be used to check
// guesses offline. A Hasher is safe for concurrent use.
type Hasher struct {
	pepper []byte
	pool   sync.Pool
}

// NewHasher returns a Hasher keyed with pepper, which must be at least
// PepperLength bytes. The pepper is copied.
func NewHasher(pepper []byte) (*Hasher, error) {
	if len(pepper) < PepperLength {
		return nil, fmt.Errorf("secret: pepper is %d bytes, want at least %d", len(pepper), PepperLength)
	}
	h := &Hasher{pepper: append([]byte(nil), pepper...)}
	h.pool.New = func() any { return hmac.New(sha256.New, h.pepper) }
	return h, nil
}

// Digest returns HMAC-SHA256(pepper, s).
func (h *Hasher) Digest(s string) []byte {
	m := h.pool.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(s))
	sum := m.Sum(make([]byte, 0, sha256.Size))
	h.pool.Put(m)
	return sum
}

// Equal reports whether a and b are equal, in time that depends only on
// their lengths.
func Equal(a, b []byte) bool {
	return subtle.ConstantTimeCompare(a, b) == 1
}

// NewPepper returns PepperLength random bytes from crypto/rand.
func NewPepper() ([]byte, error) {
	p := make([]byte, PepperLength)
	if _, err := rand.Read(p); err != nil {
		return nil, fmt.Errorf("secret: reading random bytes: %w", err)
	}
	return p, nil
}

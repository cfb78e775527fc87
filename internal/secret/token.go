// Package secret defines the access token format and how token values are
// stored: a peppered HMAC-SHA256 digest compared in constant time.
//
// A token is a readable prefix per kind ("tsm_pat_" personal, "tsm_svc_"
// service), BodyLength characters drawn uniformly from the base62 alphabet
// with crypto/rand, and a ChecksumLength-character base62 encoding of the
// CRC32 (IEEE) of everything before it. The prefix lets scanners find leaked
// tokens; the checksum lets them, and Parse, reject typos and look-alikes
// without a database round trip. CRC32 detects every error burst of at most
// 32 bits, so any single mistyped character and any swap of two adjacent
// characters is always caught.
package secret

import (
	"crypto/rand"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
)

// Kind is the kind of a token, fixed at creation.
type Kind string

const (
	KindPersonal Kind = "personal"
	KindService  Kind = "service"
)

const (
	// The prefixes are part of the API's contract, which defines them.
	PrefixPersonal = api.TokenPrefixPersonal
	PrefixService  = api.TokenPrefixService

	// BodyLength random base62 characters carry BodyLength*log2(62) ≈ 178.6
	// bits of entropy, above the 160 bits the format promises.
	BodyLength = 30
	// ChecksumLength base62 characters hold any 32-bit value (62^6 > 2^32).
	ChecksumLength = 6
	// Length is the length of every well-formed token.
	Length = len(PrefixPersonal) + BodyLength + ChecksumLength
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ErrMalformed is matched (errors.Is) by every error Parse returns.
var ErrMalformed = errors.New("malformed token")

// FormatError says why a value is not a well-formed token. It never holds
// the value itself, so it is safe to log and to return to clients.
type FormatError struct {
	Reason string
}

func (e *FormatError) Error() string { return "malformed token: " + e.Reason }

// Is makes errors.Is(err, ErrMalformed) hold for every FormatError.
func (e *FormatError) Is(target error) bool { return target == ErrMalformed }

// Prefix returns the prefix of tokens of kind k, or "" for an unknown kind.
func (k Kind) Prefix() string {
	switch k {
	case KindPersonal:
		return PrefixPersonal
	case KindService:
		return PrefixService
	}
	return ""
}

// Generate returns a new token of kind k.
func Generate(k Kind) (string, error) {
	prefix := k.Prefix()
	if prefix == "" {
		return "", fmt.Errorf("secret: unknown token kind %q", string(k))
	}
	buf := make([]byte, Length)
	copy(buf, prefix)
	if err := randomBase62(buf[len(prefix) : len(prefix)+BodyLength]); err != nil {
		return "", err
	}
	putChecksum(buf[len(prefix)+BodyLength:], crc32.ChecksumIEEE(buf[:len(prefix)+BodyLength]))
	return string(buf), nil
}

// randomBase62 fills dst with characters drawn uniformly from the alphabet.
// Bytes >= 248 (the largest multiple of 62 below 256) are rejected so that
// the modulo introduces no bias.
func randomBase62(dst []byte) error {
	var pool [64]byte
	i := 0
	for i < len(dst) {
		if _, err := rand.Read(pool[:]); err != nil {
			return fmt.Errorf("secret: reading random bytes: %w", err)
		}
		for _, b := range pool {
			if b >= 248 {
				continue
			}
			dst[i] = alphabet[b%62]
			i++
			if i == len(dst) {
				break
			}
		}
	}
	return nil
}

func putChecksum(dst []byte, sum uint32) {
	v := uint64(sum)
	for i := ChecksumLength - 1; i >= 0; i-- {
		dst[i] = alphabet[v%62]
		v /= 62
	}
}

func base62Value(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10, true
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 36, true
	}
	return 0, false
}

// Parse checks the prefix, length, alphabet and checksum of s and returns its
// kind. Errors are *FormatError and never contain s or any part of it.
func Parse(s string) (Kind, error) {
	kind, ok := KindOfPrefix(s)
	if !ok {
		return "", &FormatError{Reason: fmt.Sprintf("unknown prefix (want %q or %q)", PrefixPersonal, PrefixService)}
	}
	if len(s) != Length {
		return "", &FormatError{Reason: fmt.Sprintf("wrong length (want %d characters)", Length)}
	}
	for i := len(PrefixPersonal); i < len(s); i++ {
		if _, ok := base62Value(s[i]); !ok {
			return "", &FormatError{Reason: "character outside the base62 alphabet"}
		}
	}
	var want uint64
	for i := Length - ChecksumLength; i < Length; i++ {
		v, _ := base62Value(s[i])
		want = want*62 + uint64(v)
	}
	if uint64(crc32.ChecksumIEEE([]byte(s[:Length-ChecksumLength]))) != want {
		return "", &FormatError{Reason: "checksum mismatch"}
	}
	return kind, nil
}

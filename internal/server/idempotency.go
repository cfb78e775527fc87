package server

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Stored idempotent responses start with two marker bytes: plain or
// encrypted, and JSON or problem.
const (
	recPlain     = 'p'
	recEncrypted = 'e'
	recJSON      = 'j'
	recProblem   = 'x'
)

// idempotent runs a POST at most once per (token, Idempotency-Key). The key
// is stored only as a SHA-256 hash; a response holding a secret is stored
// AES-GCM encrypted under a key derived from the raw Idempotency-Key and the
// calling token's own secret, neither of which the server keeps, so a copy
// of the database opens no record even where clients pick guessable keys.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, cl *call, key string, body []byte, run func() (int, []byte, bool)) {
	kh := sha256.Sum256([]byte(key))
	recKey := cl.c.token.ID + ":" + hex.EncodeToString(kh[:])
	h := sha256.New()
	h.Write([]byte(r.Method + "\n" + r.URL.Path + "\n" + r.URL.RawQuery + "\n"))
	h.Write(body)
	reqHash := h.Sum(nil)

	bearer := tokenFromHeader(r)
	// Completing or abandoning the record must not fail because the client
	// went away: a record left running would answer 409 for a day.
	bg := context.WithoutCancel(cl.ctx)
	rec := store.IdempotencyRecord{Key: recKey, RequestHash: reqHash, CreatedAt: s.now()}
	existing, err := s.store.BeginIdempotent(cl.ctx, rec)
	if err == nil && existing != nil && existing.CreatedAt.Before(s.now().Add(-idempotencyTTL)) {
		if err = s.store.AbandonIdempotent(cl.ctx, recKey); err == nil {
			existing, err = s.store.BeginIdempotent(cl.ctx, rec)
		}
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if existing != nil {
		switch {
		case !bytes.Equal(existing.RequestHash, reqHash):
			s.writeError(w, r, &Error{Code: api.CodeIdempotencyReuse, Field: api.HeaderIdempotencyKey,
				Detail: "this Idempotency-Key was already used with a different request"})
		case !existing.Done:
			s.writeError(w, r, &Error{Code: api.CodeInProgress, Field: api.HeaderIdempotencyKey,
				Detail: "a request with this Idempotency-Key is still in progress"})
		default:
			b, problem, err := openRecord(existing.Body, key, bearer)
			if err != nil {
				s.writeError(w, r, &Error{Code: api.CodeIdempotencyReuse, Field: api.HeaderIdempotencyKey,
					Detail: "the stored response for this Idempotency-Key cannot be replayed"})
				return
			}
			w.Header().Set("Idempotent-Replayed", "true")
			writeResponse(w, existing.Status, b, problem)
		}
		return
	}

	completed := false
	defer func() {
		if !completed {
			_ = s.store.AbandonIdempotent(bg, recKey)
		}
	}()
	status, out, problem := run()
	if status >= 500 {
		writeResponse(w, status, out, problem)
		return
	}
	sealed, err := sealRecord(out, problem, cl.secret, key, bearer)
	if err == nil {
		err = s.store.CompleteIdempotent(bg, recKey, status, sealed)
	}
	if err != nil {
		s.log.Error("store idempotent response", "request_id", info(r.Context()).id, "error", err.Error())
	} else {
		completed = true
	}
	writeResponse(w, status, out, problem)
}

// replayAEAD is the cipher of the records of one Idempotency-Key and caller.
func replayAEAD(raw, bearer string) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, []byte(raw), []byte(bearer), "tokensmith idempotent replay v2", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func sealRecord(body []byte, problem, encrypt bool, raw, bearer string) ([]byte, error) {
	kind := byte(recJSON)
	if problem {
		kind = recProblem
	}
	if !encrypt {
		return append([]byte{recPlain, kind}, body...), nil
	}
	gcm, err := replayAEAD(raw, bearer)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append([]byte{recEncrypted, kind}, nonce...)
	return gcm.Seal(out, nonce, body, []byte{recEncrypted, kind}), nil
}

func openRecord(rec []byte, raw, bearer string) ([]byte, bool, error) {
	if len(rec) < 2 {
		return nil, false, errors.New("short record")
	}
	problem := rec[1] == recProblem
	if rec[0] == recPlain {
		return rec[2:], problem, nil
	}
	gcm, err := replayAEAD(raw, bearer)
	if err != nil {
		return nil, false, err
	}
	rest := rec[2:]
	if len(rest) < gcm.NonceSize() {
		return nil, false, errors.New("short record")
	}
	b, err := gcm.Open(nil, rest[:gcm.NonceSize()], rest[gcm.NonceSize():], rec[:2])
	return b, problem, err
}

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

// afterIdempotentEffect, when set (only in test builds, see crashpoint.go),
// runs once an idempotent request has had its effect and before that effect
// and its response are committed.
var afterIdempotentEffect func()

// idempotentRetryAfter is the Retry-After, in seconds, of a request whose
// Idempotency-Key is in use by a request still running.
const idempotentRetryAfter = "1"

// idempotent runs a POST at most once per (token, Idempotency-Key). The
// request's writes and its stored response commit in one transaction, so a
// crash leaves either both or neither: a retry then replays the response or
// runs the request afresh, and never finds the key stuck. A duplicate sent
// while the first is running gets 409 request_in_progress with Retry-After.
//
// The key is stored only as a SHA-256 hash; a response holding a secret is
// stored AES-GCM encrypted under a key derived from the raw Idempotency-Key
// and the calling token's own secret, neither of which the server keeps, so
// a copy of the database opens no record even where clients pick guessable
// keys.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, cl *call, key string, body []byte, run func() (int, []byte, bool)) {
	kh := sha256.Sum256([]byte(key))
	recKey := cl.c.Token.ID + ":" + hex.EncodeToString(kh[:])
	h := sha256.New()
	h.Write([]byte(r.Method + "\n" + r.URL.Path + "\n" + r.URL.RawQuery + "\n"))
	h.Write(body)
	reqHash := h.Sum(nil)
	bearer := tokenFromHeader(r)

	// A duplicate in this process answers at once while the request runs
	// instead of queueing for the store; one in another process, or one
	// arriving while the first commits, is the store's to order.
	claim := new(byte)
	if _, running := s.idempotentRunning.LoadOrStore(recKey, claim); running {
		s.writeInProgress(w, r)
		return
	}
	release := func() { s.idempotentRunning.CompareAndDelete(recKey, claim) }
	defer release()

	var (
		ran     bool
		status  int
		out     []byte
		problem bool
		sealErr error
		outer   = cl.ctx
		rec     = store.IdempotencyRecord{Key: recKey, RequestHash: reqHash, CreatedAt: s.now()}
	)
	existing, err := s.store.RunIdempotent(cl.ctx, rec, s.now().Add(-idempotencyTTL), func(ctx context.Context) (int, []byte, bool) {
		ran = true
		cl.ctx = ctx
		defer func() { cl.ctx = outer; release() }()
		status, out, problem = run()
		if afterIdempotentEffect != nil {
			afterIdempotentEffect()
		}
		if status >= 500 {
			return 0, nil, false
		}
		sealed, err := sealRecord(out, problem, cl.secret, key, bearer)
		if err != nil {
			sealErr = err
			return 0, nil, false
		}
		return status, sealed, true
	})
	if ran {
		// Writes bump the auth cache's generation as they happen; bump it
		// again now they are committed, so no lookup made in between stays.
		s.auth.invalidate()
	}
	switch {
	case errors.Is(err, store.ErrInProgress):
		s.writeInProgress(w, r)
	case err == nil && sealErr != nil:
		s.writeError(w, r, sealErr)
	case err != nil:
		// Nothing was committed: the response, which may name a token that
		// does not exist, must not reach the client.
		s.writeError(w, r, err)
	case existing == nil:
		writeResponse(w, status, out, problem)
	case !bytes.Equal(existing.RequestHash, reqHash):
		s.writeError(w, r, &Error{Code: api.CodeIdempotencyReuse, Field: api.HeaderIdempotencyKey,
			Detail: "this Idempotency-Key was already used with a different request"})
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
}

func (s *Server) writeInProgress(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(api.HeaderRetryAfter, idempotentRetryAfter)
	s.writeError(w, r, &Error{Code: api.CodeInProgress, Field: api.HeaderIdempotencyKey,
		Detail: "a request with this Idempotency-Key is still in progress; retry after " + idempotentRetryAfter + "s"})
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

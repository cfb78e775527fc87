package postgres

import (
	"encoding/json"
	"time"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/api"
	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// ms keeps whole milliseconds, the precision the API exposes and the
// SQLite engine stores, so both engines read back the same times.
func ms(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }

func msPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := ms(*t)
	return &v
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC()
	return &v
}

// list stores nil and empty alike as an empty array.
func list(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// unlist reads an empty array back as nil.
func unlist(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	return xs
}

func encodeStatements(stmts []api.Statement) []byte { return store.EncodeStatements(stmts) }

func decodeStatements(b []byte) ([]api.Statement, error) { return store.DecodeStatements(b) }

func nullBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// encodeAccess stores an access grant as a JSON object; nil and empty
// both become {}.
func encodeAccess(m map[string]string) []byte {
	if len(m) == 0 {
		return []byte("{}")
	}
	b, _ := json.Marshal(m)
	return b
}

// decodeAccess reads what encodeAccess wrote; an empty grant reads back as nil.
func decodeAccess(b []byte) (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

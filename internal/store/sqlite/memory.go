package sqlite

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
)

// OpenInMemory opens a new, empty database that lives in this process's
// memory and nowhere else: nothing is written to disk, and everything is
// gone once the store is closed. It is for throwaway backends (tests, CI).
//
// SQLite's memdb VFS shares a database between the connections of one
// process when its name starts with "/", so the read and write pools see
// the same data. memdb has no WAL: readers and the writer take turns,
// waiting for each other up to the busy timeout.
func OpenInMemory() (*Store, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	name := "/tokensmith-" + hex.EncodeToString(b[:])
	return open(name, func(readOnly bool) string {
		q := url.Values{}
		q.Set("vfs", "memdb")
		q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
		q.Add("_pragma", "foreign_keys(1)")
		if readOnly {
			q.Add("_pragma", "query_only(1)")
		} else {
			q.Set("_txlock", "immediate")
		}
		return name + "?" + q.Encode()
	})
}

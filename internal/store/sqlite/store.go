// Package sqlite is the SQLite engine of store.Store, built on the pure-Go
// modernc.org/sqlite driver.
//
// Writes go through a pool of exactly one connection whose transactions
// start with BEGIN IMMEDIATE, so writers queue in Go instead of failing with
// SQLITE_BUSY, and a check followed by an insert (the token quota) sees no
// concurrent writer. Reads use a separate read-only pool; in WAL mode they
// never wait for the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store kept in one SQLite database file (plus its -wal
// and -shm companions).
type Store struct {
	path  string
	write *sql.DB
	read  *sql.DB

	byDigest *sql.Stmt
}

// busyTimeoutMillis bounds how long a connection waits for a lock held by
// another process using the same file (or by a checkpoint).
const busyTimeoutMillis = 10000

// Open opens, creating it if needed, the database at path and brings its
// schema up to date. path must name a file: an in-memory database cannot be
// shared between the read and write pools.
func Open(path string) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite store: %q is not a usable database file path", path)
	}
	// The database holds no secrets, but nobody else needs to read it; the
	// -wal and -shm files take the permissions of the main file.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}

	return open(path, func(readOnly bool) string { return dsn(path, readOnly) })
}

// open sets up the write and read pools over the database dsnOf names.
func open(path string, dsnOf func(readOnly bool) string) (*Store, error) {
	s := &Store{path: path}
	var err error
	s.write, err = sql.Open("sqlite", dsnOf(false))
	if err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	s.write.SetConnMaxLifetime(0)
	s.write.SetConnMaxIdleTime(0)

	if err := migrate(context.Background(), s.write); err != nil {
		s.write.Close()
		return nil, fmt.Errorf("sqlite store: migrating %s: %w", path, err)
	}

	s.read, err = sql.Open("sqlite", dsnOf(true))
	if err != nil {
		s.write.Close()
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	s.read.SetMaxOpenConns(readers)
	s.read.SetMaxIdleConns(readers)
	s.read.SetConnMaxLifetime(0)
	s.read.SetConnMaxIdleTime(0)

	s.byDigest, err = s.read.Prepare(selectTokenByDigest)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	return s, nil
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "foreign_keys(1)")
	// NORMAL in WAL mode never corrupts the file but may lose the last
	// commits on a power loss; inDurableTx raises it to FULL for writes
	// that take access away, so a revoked token stays revoked.
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	return path + "?" + q.Encode()
}

// Path is the database file the store was opened on.
func (s *Store) Path() string { return s.path }

// Close closes both pools; it checkpoints the WAL when it is the last
// connection to the file.
func (s *Store) Close() error {
	var errs []error
	if s.byDigest != nil {
		errs = append(errs, s.byDigest.Close())
	}
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	if s.write != nil {
		errs = append(errs, s.write.Close())
	}
	return errors.Join(errs...)
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE on the single write
// connection) and commits it if fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.runTx(ctx, false, fn)
}

// inDurableTx is inTx for writes that revoke or narrow access: the commit
// is synced to disk before it returns (together with every earlier one).
func (s *Store) inDurableTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.runTx(ctx, true, fn)
}

func (s *Store) runTx(ctx context.Context, durable bool, fn func(tx *sql.Tx) error) error {
	if tx := s.joinedTx(ctx); tx != nil {
		return inSavepoint(ctx, tx, fn)
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if durable {
		if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
			return err
		}
		// If this fails the connection stays at FULL: slower, never less safe.
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = NORMAL")
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return mapErr(err)
	}
	return mapErr(tx.Commit())
}

// txKey is the context key of the transaction an idempotent request runs
// in (see RunIdempotent).
type txKey struct{}

type joined struct {
	s  *Store
	tx *sql.Tx
}

// withTx returns a context under which every method of s reads and writes
// inside tx.
func (s *Store) withTx(ctx context.Context, tx *sql.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, &joined{s: s, tx: tx})
}

// joinedTx returns the transaction ctx carries for s, or nil.
func (s *Store) joinedTx(ctx context.Context) *sql.Tx {
	if j, ok := ctx.Value(txKey{}).(*joined); ok && j.s == s {
		return j.tx
	}
	return nil
}

// reader is where a read goes: the joined transaction, the only place that
// sees its own uncommitted writes, or else the read pool.
func (s *Store) reader(ctx context.Context) querier {
	if tx := s.joinedTx(ctx); tx != nil {
		return tx
	}
	return s.read
}

// snapshot gives reads of several statements one consistent view: the
// joined transaction, or a read-only transaction that done ends.
func (s *Store) snapshot(ctx context.Context) (q querier, done func(), err error) {
	if tx := s.joinedTx(ctx); tx != nil {
		return tx, func() {}, nil
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, err
	}
	return tx, func() { _ = tx.Rollback() }, nil
}

// inSavepoint runs fn inside a joined transaction; if fn fails its writes
// alone are undone, as its own transaction would have been.
func inSavepoint(ctx context.Context, tx *sql.Tx, fn func(tx *sql.Tx) error) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT store_method"); err != nil {
		return mapErr(err)
	}
	if err := fn(tx); err != nil {
		_, _ = tx.ExecContext(ctx, "ROLLBACK TO store_method")
		_, _ = tx.ExecContext(ctx, "RELEASE store_method")
		return mapErr(err)
	}
	_, err := tx.ExecContext(ctx, "RELEASE store_method")
	return mapErr(err)
}

// mapErr turns constraint violations into the store's sentinel errors.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %s", store.ErrConflict, se.Error())
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: a referenced record does not exist", store.ErrNotFound)
		}
	}
	return err
}

// mustAffect returns store.ErrNotFound when res changed no row.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// exists reports whether query (a SELECT 1 ...) yields a row.
func exists(ctx context.Context, q querier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// scanner is what both *sql.Row and *sql.Rows offer.
type scanner interface {
	Scan(dest ...any) error
}

// limitClause gives SQLite's LIMIT/OFFSET; limit 0 means no limit.
func limitClause(limit, offset int) (string, []any) {
	if limit <= 0 {
		limit = -1
	}
	return " LIMIT ? OFFSET ?", []any{limit, max(offset, 0)}
}

// Package postgres is the PostgreSQL engine of store.Store, built on pgx.
//
// Several tokensmithd processes may share one database. Every rule that
// must hold across them rests on the database itself, never on a lock in
// one process: a token create under a quota locks the row of the
// organisation (or of the member) it counts against (SELECT ... FOR NO KEY
// UPDATE) before counting, removing or demoting an owner locks the
// organisation's row,
// and an idempotent request holds a transaction-scoped advisory lock on its
// key. Transactions run at READ COMMITTED, so a statement that follows a
// lock sees every write committed before the lock was granted; those that
// still fail on a deadlock or a serialisation error are retried.
//
// pgx prepares each statement once per connection and reuses it.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

var _ store.Store = (*Store)(nil)

// Options tune the connection pool. Zero values take the defaults.
type Options struct {
	// MaxConns bounds the pool; the default is pgx's (4 or the number of
	// CPUs, whichever is larger).
	MaxConns int
	// StatementTimeout makes the server cancel any statement running
	// longer; 0 leaves the server's setting.
	StatementTimeout time.Duration
}

// Store is a store.Store in a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
}

// Open connects to the database url names and brings its schema up to
// date. Errors never repeat the URL, which may hold a password.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	s, err := Connect(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Connect is Open without applying migrations; Ready reports whether the
// schema is current.
func Connect(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse errors quote the connection string; say only what is wrong.
		return nil, errors.New("postgres store: the database URL is not a valid PostgreSQL connection string")
	}
	if opts.MaxConns < 0 || opts.StatementTimeout < 0 {
		return nil, errors.New("postgres store: pool size and statement timeout must not be negative")
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = int32(opts.MaxConns)
	}
	if opts.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "tokensmithd"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", redact(err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres store: connecting to %s: %w", describe(cfg.ConnConfig), redact(err))
	}
	return &Store{pool: pool}, nil
}

// describe names a server without its credentials.
func describe(c *pgx.ConnConfig) string {
	return fmt.Sprintf("database %q on %s:%d as %q", c.Database, c.Host, c.Port, c.User)
}

// redact keeps what a connection error says about the server and drops
// the connection string pgconn may quote.
func redact(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		if u := errors.Unwrap(ce); u != nil {
			return u
		}
		return errors.New("cannot connect")
	}
	return err
}

// Pool is the connection pool, for the parts of tokensmithd that listen
// for notifications or check readiness.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// querier is what both the pool and a transaction offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// txKey is the context key of the transaction an idempotent request runs
// in (see RunIdempotent).
type txKey struct{}

type joined struct {
	s  *Store
	tx pgx.Tx
}

func (s *Store) withTx(ctx context.Context, tx pgx.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, &joined{s: s, tx: tx})
}

func (s *Store) joinedTx(ctx context.Context) pgx.Tx {
	if j, ok := ctx.Value(txKey{}).(*joined); ok && j.s == s {
		return j.tx
	}
	return nil
}

// reader is where a single-statement read goes: the joined transaction,
// which alone sees its own uncommitted writes, or else the pool.
func (s *Store) reader(ctx context.Context) querier {
	if tx := s.joinedTx(ctx); tx != nil {
		return tx
	}
	return s.pool
}

// snapshot gives reads of several statements one consistent view.
func (s *Store) snapshot(ctx context.Context) (q querier, done func(), err error) {
	if tx := s.joinedTx(ctx); tx != nil {
		return tx, func() {}, nil
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, nil, err
	}
	return tx, func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }, nil
}

// maxAttempts bounds the retries of a transaction that lost a deadlock or
// a serialisation conflict.
const maxAttempts = 5

// inTx runs fn in a transaction and commits it if fn returns nil. Inside a
// joined transaction fn runs in a savepoint, so a failure undoes its own
// writes only, as its own transaction would have.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if outer := s.joinedTx(ctx); outer != nil {
		sp, err := outer.Begin(ctx)
		if err != nil {
			return mapErr(err)
		}
		if err := fn(sp); err != nil {
			_ = sp.Rollback(ctx)
			return mapErr(err)
		}
		return mapErr(sp.Commit(ctx))
	}
	var err error
	for range maxAttempts {
		err = s.attempt(ctx, fn)
		if !retryable(err) {
			break
		}
	}
	return mapErr(err)
}

func (s *Store) attempt(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	return tx.Commit(ctx)
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// mapErr turns constraint violations into the store's sentinel errors.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%w: %s", store.ErrConflict, pe.Message)
		case "23503":
			return fmt.Errorf("%w: a referenced record does not exist", store.ErrNotFound)
		}
	}
	return err
}

// mustAffect returns store.ErrNotFound when tag reports no row changed.
func mustAffect(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// exists reports whether query (a SELECT 1 ...) yields a row.
func exists(ctx context.Context, q querier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// limitArgs gives LIMIT/OFFSET values; limit 0 means no limit (NULL).
func limitArgs(limit, offset int) (any, int) {
	if limit <= 0 {
		return nil, max(offset, 0)
	}
	return limit, max(offset, 0)
}

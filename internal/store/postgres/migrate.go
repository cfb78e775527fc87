package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/store"
)

// Migrations are files named <version>_<name>.sql with increasing versions.
// A released file is never edited: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

func loadMigrations() ([]store.Migration, error) {
	return store.LoadMigrations(migrationFiles, "migrations")
}

// migrateLock is the advisory lock key replicas migrating the same
// database at once queue on ("tsmmigr" in ASCII).
const migrateLock int64 = 0x74736d6d69677200

// Migrate applies, in order, each migration the database has not seen, in
// one transaction that holds an advisory lock: replicas started together
// queue, and the later ones find the work done.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return fmt.Errorf("postgres store: %w", err)
	}
	err = s.attempt(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		newest, err := schemaVersion(ctx, tx)
		if err != nil {
			return err
		}
		if known := ms[len(ms)-1].Version; newest > known {
			return fmt.Errorf("database schema version %d is newer than this program knows (%d)", newest, known)
		}
		for _, m := range ms {
			if m.Version <= newest {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres store: migrating: %w", err)
	}
	return nil
}

func schemaVersion(ctx context.Context, q querier) (int, error) {
	var newest *int
	if err := q.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return 0, err
	}
	if newest == nil {
		return 0, nil
	}
	return *newest, nil
}

// ErrSchemaBehind: the database lacks migrations this program needs.
var ErrSchemaBehind = errors.New("the database schema is not up to date (run tokensmithd migrate)")

// Ready checks that the database answers and its schema is the one this
// program knows.
func (s *Store) Ready(ctx context.Context) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var present bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&present); err != nil {
		return fmt.Errorf("postgres store: %w", redact(err))
	}
	if !present {
		return ErrSchemaBehind
	}
	v, err := schemaVersion(ctx, s.pool)
	if err != nil {
		return fmt.Errorf("postgres store: %w", redact(err))
	}
	switch known := ms[len(ms)-1].Version; {
	case v < known:
		return ErrSchemaBehind
	case v > known:
		return fmt.Errorf("postgres store: database schema version %d is newer than this program knows (%d)", v, known)
	}
	return nil
}

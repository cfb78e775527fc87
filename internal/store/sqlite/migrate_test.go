package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
)

// openAt opens the database at path with the migrations up to and including
// version only, as a release that knew no later one left it.
func openAt(t *testing.T, path string, version int) *sql.DB {
	t.Helper()
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Version <= version {
			if err := applyMigration(context.Background(), db, m); err != nil {
				t.Fatalf("%s: %v", m.Name, err)
			}
		}
	}
	return db
}

// A role written before basePermissions became reader/no_access keeps its
// catalogue names as permissions and gets no_access, so it gains nothing.
func TestMigrateRoleBasePermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db := openAt(t, path, 1)
	for _, q := range []string{
		`INSERT INTO organizations (id, name, created_at) VALUES ('org1', 'Acme', 0)`,
		`INSERT INTO custom_roles (id, org_id, key, name, description, base_permissions, policy, created_at, updated_at)
		 VALUES ('r1', 'org1', 'auditor', 'Auditor', '', '["AUDIT_LOG_READ","MEMBER_READ"]', '[]', 0, 0)`,
		`INSERT INTO custom_roles (id, org_id, key, name, description, base_permissions, policy, created_at, updated_at)
		 VALUES ('r2', 'org1', 'deployer', 'Deployer', '', '[]', '[{"effect":"allow","actions":["*"],"resources":["*"]}]', 0, 0)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	for key, want := range map[string][]string{"auditor": {"AUDIT_LOG_READ", "MEMBER_READ"}, "deployer": nil} {
		r, err := s.GetCustomRole(context.Background(), "org1", key)
		if err != nil {
			t.Fatalf("GetCustomRole(%s): %v", key, err)
		}
		if r.BasePermissions != "no_access" {
			t.Errorf("%s: basePermissions %q after the migration, want no_access", key, r.BasePermissions)
		}
		if !slices.Equal(r.Permissions, want) {
			t.Errorf("%s: permissions %q after the migration, want %q", key, r.Permissions, want)
		}
	}
}

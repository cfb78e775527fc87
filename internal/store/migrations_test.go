package store

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadMigrations(t *testing.T) {
	ms, err := LoadMigrations(fstest.MapFS{
		"m/0010_later.sql": {Data: []byte("later")},
		"m/0002_first.sql": {Data: []byte("first")},
	}, "m")
	if err != nil || len(ms) != 2 || ms[0].Version != 2 || ms[1].Version != 10 || ms[0].SQL != "first" || ms[1].Name != "0010_later.sql" {
		t.Fatalf("LoadMigrations = %+v, %v; want 0002 then 0010, gaps allowed", ms, err)
	}
	for files, want := range map[string]string{
		"m/notes.txt":     "name must be",
		"m/0000_zero.sql": "bad version",
		"m/x_bad.sql":     "bad version",
	} {
		if _, err := LoadMigrations(fstest.MapFS{files: {}}, "m"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error containing %q", files, err, want)
		}
	}
	_, err = LoadMigrations(fstest.MapFS{"m/0003_a.sql": {}, "m/0003_b.sql": {}}, "m")
	if err == nil || !strings.Contains(err.Error(), "share version 3") {
		t.Errorf("two files of one version: %v", err)
	}
}

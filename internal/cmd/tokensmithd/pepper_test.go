package main

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPepperFileEmptyOrTruncated: a pepper file left empty or cut short
// stops startup with an error naming the file and the way out, and the
// error shows nothing of what the file holds.
func TestPepperFileEmptyOrTruncated(t *testing.T) {
	t.Setenv("TOKENSMITH_PEPPER", "")
	whole := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	for name, content := range map[string]string{
		"empty":      "",
		"truncated":  whole[:20],
		"not base64": whole[:len(whole)-3] + "!!!",
	} {
		t.Run(name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "t.db")
			if err := os.WriteFile(data+".pepper", []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := loadPepper("", data)
			if err == nil {
				t.Fatal("a damaged pepper file was accepted")
			}
			msg := err.Error()
			for _, want := range []string{data + ".pepper", "empty or damaged", "restore it from a backup"} {
				if !strings.Contains(msg, want) {
					t.Fatalf("error %q does not say %q", msg, want)
				}
			}
			if content != "" && strings.Contains(msg, content[:8]) {
				t.Fatalf("the error shows the file's content: %q", msg)
			}
		})
	}
}

// TestPepperWrittenAtomically: the pepper file appears whole, private and
// without a temporary file beside it, and a second writer never replaces
// the first one's pepper.
func TestPepperWrittenAtomically(t *testing.T) {
	t.Setenv("TOKENSMITH_PEPPER", "")
	dir := t.TempDir()
	data := filepath.Join(dir, "t.db")
	p, err := loadPepper("", data)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "t.db.pepper" {
		t.Fatalf("directory holds %v, want only the pepper file", entries)
	}
	err = writeFileAtomic(data+".pepper", []byte("other\n"), 0o600, false)
	if !errors.Is(err, os.ErrExist) {
		t.Fatalf("a second create of the pepper file: %v, want ErrExist", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("a failed create left %v", entries)
	}
	again, err := loadPepper("", data)
	if err != nil || string(again) != string(p) {
		t.Fatalf("the pepper changed: %v", err)
	}
}

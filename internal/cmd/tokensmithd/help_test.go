package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// -h prints every flag and exits 0: asking for help is not an error.
func TestBinaryHelpExitsZero(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		cmd := exec.Command(daemonBinary(t), arg)
		cmd.Dir = t.TempDir()
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("tokensmithd %s: %v\n%s", arg, err, out.String())
		}
		if !strings.Contains(out.String(), "-listen") || strings.Contains(out.String(), "help requested") {
			t.Fatalf("tokensmithd %s printed:\n%s", arg, out.String())
		}
	}
}

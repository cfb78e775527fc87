package main

import "testing"

func TestQuietFrameworkLogs(t *testing.T) {
	cases := []struct {
		name    string
		environ []string
		want    map[string]string
	}{
		{"no log variable", []string{"HOME=/root", "PATH=/bin", "MY_TF_LOG=1"}, map[string]string{frameworkLogLevel: "OFF"}},
		{"TF_LOG", []string{"TF_LOG=DEBUG"}, map[string]string{}},
		{"TF_LOG_PROVIDER", []string{"TF_LOG_PROVIDER=TRACE"}, map[string]string{}},
		{"TF_LOG_SDK_FRAMEWORK", []string{"TF_LOG_SDK_FRAMEWORK=DEBUG"}, map[string]string{}},
		{"TF_LOG_PATH only", []string{"TF_LOG_PATH=/tmp/log"}, map[string]string{}},
		{"empty TF_LOG", []string{"TF_LOG="}, map[string]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := map[string]string{}
			quietFrameworkLogs(c.environ, func(k, v string) error { got[k] = v; return nil })
			if len(got) != len(c.want) || got[frameworkLogLevel] != c.want[frameworkLogLevel] {
				t.Errorf("set %v, want %v", got, c.want)
			}
		})
	}
}

func TestGarbageCollectorPercent(t *testing.T) {
	cases := []struct {
		environ []string
		want    int
	}{
		{[]string{"HOME=/root", "MY_GOGC=50"}, providerGCPercent},
		{[]string{"GOGC=100"}, 0},
		{[]string{"GOGC=off"}, 0},
		{[]string{"GOMEMLIMIT=1GiB"}, 0},
	}
	for _, c := range cases {
		if got := garbageCollectorPercent(c.environ); got != c.want {
			t.Errorf("%q: %d, want %d", c.environ, got, c.want)
		}
	}
}

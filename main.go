// Command terraform-provider-tokensmith serves the Tokensmith provider to
// Terraform and OpenTofu over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/tokensmith/terraform-provider-tokensmith/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	var cpuProfile string
	var cpuProfileFor time.Duration
	flag.BoolVar(&debug, "debug", false, "start the provider with support for debuggers such as delve")
	flag.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the provider to this file (use with -debug)")
	flag.DurationVar(&cpuProfileFor, "cpuprofile-for", 60*time.Second, "how long -cpuprofile records, from the start")
	flag.Parse()

	quietFrameworkLogs(os.Environ(), os.Setenv)
	setGCPercent(garbageCollectorPercent(os.Environ()))
	if cpuProfile != "" {
		stop, err := startCPUProfile(cpuProfile, cpuProfileFor)
		if err != nil {
			log.Fatal(err.Error())
		}
		defer stop()
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/tokensmith/tokensmith",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// frameworkLogLevel is the variable with which terraform-plugin-framework's
// own log entries are filtered.
const frameworkLogLevel = "TF_LOG_SDK_FRAMEWORK"

// quietFrameworkLogs turns the framework's own log entries off when the
// user asked for no logs at all, that is set no TF_LOG* variable. Without
// it the framework builds trace and debug entries for every request even
// though nothing writes them, which costs about a third of the CPU of a plan
// of hundreds of resources. Any TF_LOG* variable the user did set is left to
// decide, as the framework documents.
func quietFrameworkLogs(environ []string, setenv func(key, value string) error) {
	for _, kv := range environ {
		if strings.HasPrefix(kv, "TF_LOG") {
			return
		}
	}
	if err := setenv(frameworkLogLevel, "OFF"); err != nil {
		log.Printf("[WARN] could not set %s: %s", frameworkLogLevel, err)
	}
}

// providerGCPercent is the garbage collector's target for a provider
// process. Its live heap is small (schemas, caches) while every request of
// a plan allocates afresh, so at Go's default of 100 the collector runs
// after every few megabytes: a third of the CPU of a plan of hundreds of
// resources. At 400 a plan of 300 tokens took about 40 % less of the
// provider's CPU, and its peak memory went from about 75 to 130-190 MiB
// (make bench-terraform prints it).
const providerGCPercent = 400

// garbageCollectorPercent is the GC percent to set, or 0 to leave the
// runtime's own choice: the user's GOGC or GOMEMLIMIT, when set, decides.
func garbageCollectorPercent(environ []string) int {
	for _, kv := range environ {
		if strings.HasPrefix(kv, "GOGC=") || strings.HasPrefix(kv, "GOMEMLIMIT=") {
			return 0
		}
	}
	return providerGCPercent
}

// setGCPercent sets the garbage collector's target unless percent is 0.
func setGCPercent(percent int) {
	if percent > 0 {
		debug.SetGCPercent(percent)
	}
}

// startCPUProfile writes a CPU profile to path for the given time, or until
// the returned stop is called. A provider started with -debug runs until it
// is interrupted, and the interrupt ends it without running deferred calls,
// so the profile is bounded by time rather than by a signal.
func startCPUProfile(path string, d time.Duration) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			f.Close()
		})
	}
	timer := time.AfterFunc(d, stop)
	return func() { timer.Stop(); stop() }, nil
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/web/bundle"
	"github.com/mtlsplay/mtlsplay/web/chromium"
)

// TestRunComparesTwoBuilds loads a fresh build of the page, as both builds, in
// Chromium started by chromium.Start, and checks that every load's marks were read.
func TestRunComparesTwoBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	exe := chromium.Find()
	if exe == "" {
		t.Skip("Chromium not found: install it (apt-get install -y chromium) or set MTLSPLAY_CHROMIUM")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "@codemirror", "view")); err != nil {
		t.Skip("node_modules missing: run `npm ci` in the repository root")
	}
	assets := os.Getenv("MTLSPLAY_ASSETS")
	if assets == "" {
		assets = t.TempDir()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if _, err := bundle.Build(ctx, bundle.Options{Root: root, Out: assets, WASM: true}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := run(&out, assets, assets, 1, exe, true, "", nil); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	report := out.String()
	for _, b := range []string{"old", "new"} {
		// A measured median, not "-" (a mark not read).
		line := regexp.MustCompile(`(?m)^` + b + ` first verdict +\d+ \[`)
		if !line.MatchString(report) {
			t.Errorf("no first verdict measured for the %s build:\n%s", b, report)
		}
	}
	if n := strings.Count(report, "inspector ready "); n != 2 || regexp.MustCompile(`inspector ready +- `).MatchString(report) {
		t.Errorf("inspector ready not measured for both builds:\n%s", report)
	}
	if !regexp.MustCompile(`new/old: first verdict shown \d\.\d\d×, complete verdict \d\.\d\d×`).MatchString(report) {
		t.Errorf("no ratio of the builds:\n%s", report)
	}
}

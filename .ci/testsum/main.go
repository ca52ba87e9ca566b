// Command testsum reads `go test -json` on standard input, prints each package's
// result line as `go test` would, every failing test's output, and one closing line
// "N passed, N failed, N skipped" that CI reads. It exits 1 when anything failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	var passed, failed, skipped int
	output := map[string][]string{} // package/test → its output lines, kept until it passes
	failedIn := map[string]int{}    // package → failed tests, so a build failure counts once
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	for in.Scan() {
		var e event
		if err := json.Unmarshal(in.Bytes(), &e); err != nil {
			fmt.Println(in.Text()) // build errors come as plain text
			continue
		}
		key := e.Package + "/" + e.Test
		switch e.Action {
		case "build-output":
			fmt.Print(e.Output)
		case "output":
			if len(output[key]) < 400 {
				output[key] = append(output[key], e.Output)
			}
		case "pass", "fail", "skip":
			if e.Test == "" {
				if e.Action == "fail" {
					fmt.Print(strings.Join(output[key], ""))
					if failedIn[e.Package] == 0 {
						failed++ // the package failed without a failing test: it did not build
					}
				}
				fmt.Printf("%-4s %s %.2fs\n", map[string]string{"pass": "ok", "fail": "FAIL", "skip": "?"}[e.Action], e.Package, e.Elapsed)
				delete(output, key)
				continue
			}
			switch e.Action {
			case "pass":
				passed++
			case "fail":
				failed++
				failedIn[e.Package]++
				fmt.Print(strings.Join(output[key], ""))
			case "skip":
				skipped++
			}
			delete(output, key)
		}
	}
	fmt.Printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 {
		os.Exit(1)
	}
}

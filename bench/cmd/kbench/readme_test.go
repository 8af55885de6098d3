package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readmeFiles are committed result files the README tests read: produce
// and consume of 1 KB values, latency with its floor, and e2e.
var readmeFiles = []string{
	"../../results/20261126T071341Z.json",
	"../../results/20261126T071440Z.json",
	"../../results/20261126T071540Z.json",
}

// readJSONReport decodes a result file for the tests to compare with.
func readJSONReport(t *testing.T, path string) *Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep := &Report{}
	if err := json.Unmarshal(b, rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

func generateReadme(t *testing.T, paths []string) string {
	t.Helper()
	var b strings.Builder
	if err := readmeMain(paths, &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// mdTable is a Markdown table of the output: its header and its rows by
// first cell.
type mdTable struct {
	header []string
	rows   map[string][]string
}

// tableAfter parses the first table that follows the line starting with
// title.
func tableAfter(t *testing.T, out, title string) mdTable {
	t.Helper()
	i := strings.Index(out, "\n"+title)
	if i < 0 {
		t.Fatalf("no %q in the output:\n%s", title, out)
	}
	tab := mdTable{rows: map[string][]string{}}
	inTable := false
	for _, line := range strings.Split(out[i+1:], "\n") {
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for k := range cells {
			cells[k] = strings.TrimSpace(cells[k])
		}
		switch {
		case tab.header == nil:
			tab.header = cells
		case strings.HasPrefix(cells[0], "---"):
		default:
			tab.rows[cells[0]] = cells
		}
	}
	return tab
}

// cell returns the cell of row and column col.
func (tab mdTable) cell(t *testing.T, row, col string) string {
	t.Helper()
	r, ok := tab.rows[row]
	if !ok {
		t.Fatalf("no row %q (have %v)", row, slices.Collect(maps.Keys(tab.rows)))
	}
	k := slices.Index(tab.header, col)
	if k < 0 || k >= len(r) {
		t.Fatalf("no column %q in %v", col, tab.header)
	}
	return r[k]
}

var numberCell = regexp.MustCompile(`^\d{1,3}(,\d{3})*(\.\d+)?( µs)?$`)

// checkNumber checks that cell is want written with thousands separators,
// rounded to decimals places.
func checkNumber(t *testing.T, where, cell string, want float64, decimals int) {
	t.Helper()
	if !numberCell.MatchString(cell) {
		t.Errorf("%s: cell %q is not a number with thousands separators", where, cell)
		return
	}
	s := strings.TrimSuffix(strings.ReplaceAll(cell, ",", ""), " µs")
	got, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	if frac := len(s) - strings.Index(s, ".") - 1; !strings.Contains(s, ".") && decimals != 0 || strings.Contains(s, ".") && frac != decimals {
		t.Errorf("%s: cell %q: want %d decimals", where, cell, decimals)
	}
	if half := 0.5 * math.Pow(10, -float64(decimals)); math.Abs(got-want) > half+1e-9 {
		t.Errorf("%s: cell %q, want %v rounded to %d decimals", where, cell, want, decimals)
	}
}

// TestReadmeTables generates the section from three committed result files
// and checks its cells, load averages, commands and links against what the
// files hold.
func TestReadmeTables(t *testing.T) {
	out := generateReadme(t, readmeFiles)
	reps := make([]*Report, len(readmeFiles))
	for i, p := range readmeFiles {
		reps[i] = readJSONReport(t, p)
	}
	cpu := tableAfter(t, out, "CPU ns per message")
	allocs := tableAfter(t, out, "Go heap allocations per message")
	rate := tableAfter(t, out, "Messages per second")
	latency := tableAfter(t, out, "Synchronous produce")
	e2e := tableAfter(t, out, "End to end at 5,000 messages/s")

	wantCols := append([]string{"run"}, clientNames()...)
	for _, tab := range []mdTable{cpu, allocs, rate} {
		if !slices.Equal(tab.header, wantCols) {
			t.Errorf("columns %v, want %v", tab.header, wantCols)
		}
	}
	if len(cpu.rows) != 2 || len(rate.rows) != 2 || len(allocs.rows) != 4 {
		t.Errorf("rows: %d CPU, %d msgs/s, %d allocs; want 2, 2, 4", len(cpu.rows), len(rate.rows), len(allocs.rows))
	}
	labels := map[string]string{
		"produce": "produce 1024 B acks=1 (200,000)",
		"consume": "consume 1024 B (200,000)",
		"latency": "latency 100 B",
		"e2e":     "e2e 100 B",
	}
	n := 0
	for _, rep := range reps {
		for _, r := range rep.Results {
			where := r.Client + " " + r.Scenario
			switch r.Scenario {
			case "produce", "consume":
				checkNumber(t, where+" CPU", cpu.cell(t, labels[r.Scenario], r.Client), r.CPUPerMsg, 0)
				checkNumber(t, where+" msgs/s", rate.cell(t, labels[r.Scenario], r.Client), r.MsgsPerSec, 0)
			case "latency", "e2e":
				tab := latency
				if r.Scenario == "e2e" {
					tab = e2e
				}
				for col, d := range map[string]time.Duration{"p50": r.P50, "p99": r.P99, "p99.9": r.P999} {
					checkNumber(t, where+" "+col, tab.cell(t, r.Client, col), float64(d)/1e3, 0)
				}
				if r.Scenario == "latency" {
					checkNumber(t, where+" floor p50", tab.cell(t, r.Client, "floor p50"), float64(r.FloorP50)/1e3, 0)
					checkNumber(t, where+" floor p99", tab.cell(t, r.Client, "floor p99"), float64(r.FloorP99)/1e3, 0)
					checkNumber(t, where+" p99 / floor p99", strings.TrimSuffix(tab.cell(t, r.Client, "p99 / floor p99"), "x"), float64(r.P99)/float64(r.FloorP99), 2)
				}
				checkNumber(t, where+" CPU", tab.cell(t, r.Client, "CPU ns/msg"), r.CPUPerMsg, 0)
				checkNumber(t, where+" allocs", tab.cell(t, r.Client, "allocs/msg"), r.AllocsMsg, 2)
			}
			checkNumber(t, where+" allocs", allocs.cell(t, labels[r.Scenario], r.Client), r.AllocsMsg, 2)
			n++
		}
	}
	if n != 7*2+7+7 {
		t.Errorf("checked %d results, want %d", n, 7*2+7+7)
	}

	var loads []string
	for _, rep := range reps {
		loads = append(loads, strings.Fields(rep.Machine.LoadStart)[0]+"–"+strings.Fields(rep.Machine.LoadEnd)[0])
		m := rep.Machine
		for _, want := range []string{m.GoVersion, m.Kernel, "commit " + m.Commit, m.Modules["github.com/twmb/franz-go"], m.Modules["librdkafka (bundled)"]} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
	}
	flat := strings.Join(strings.Fields(out), " ")
	if want := "each run was " + strings.Join(loads, ", ") + ":"; !strings.Contains(flat, want) {
		t.Errorf("output lacks %q", want)
	}

	// Each command parses back to its file's options.
	cmds := regexp.MustCompile(`(?m)^make bench(?: ARGS="([^"]*)")?$`).FindAllStringSubmatch(out, -1)
	if len(cmds) != len(reps) {
		t.Fatalf("%d commands, want %d:\n%s", len(cmds), len(reps), out)
	}
	for i, c := range cmds {
		o, err := parseRunner(strings.Fields(c[1]))
		if err != nil {
			t.Fatalf("command %q: %v", c[0], err)
		}
		w := reps[i].Options
		o.Brokers, o.Out, w.Brokers, w.Out = nil, "", nil, ""
		w.Repeat = max(w.Repeat, 1) // files from before -repeat ran one round
		if g, _ := json.Marshal(o); string(g) != string(mustJSON(t, w)) {
			t.Errorf("command %q runs\n%s\nnot the file's\n%s", c[0], g, mustJSON(t, w))
		}
	}

	for _, p := range readmeFiles {
		name := strings.TrimSuffix(filepath.Base(p), ".json")
		if !strings.Contains(out, "["+name+"](bench/results/"+name+".md)") {
			t.Errorf("no link to %s's report", name)
		}
	}
	if first := strings.TrimSuffix(filepath.Base(readmeFiles[0]), ".json"); !strings.Contains(out, "](bench/results/"+first+".svg)\n") {
		t.Error("the chart is not the first file's")
	}
	if !strings.HasSuffix(out, "\n<!-- where we stand: written by hand -->\n") || strings.Contains(out, "Where we stand") {
		t.Error("the output does not end with the placeholder for the prose")
	}
	if strings.Contains(out, "disagree") {
		t.Error("the files agree, the output says they do not")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReadmeDisagree checks that files from different commits or machines
// are said to disagree, naming each.
func TestReadmeDisagree(t *testing.T) {
	rep := readJSONReport(t, readmeFiles[0])
	rep.Machine.Commit = "0123abc"
	rep.Machine.GoVersion = "go1.99.0"
	other := filepath.Join(t.TempDir(), "other.json")
	if err := os.WriteFile(other, mustJSON(t, rep), 0o644); err != nil {
		t.Fatal(err)
	}
	out := strings.Join(strings.Fields(generateReadme(t, []string{readmeFiles[0], other})), " ")
	want := readJSONReport(t, readmeFiles[0]).Machine
	first := strings.TrimSuffix(filepath.Base(readmeFiles[0]), ".json")
	for _, s := range []string{
		`this module at commit the reports disagree: "` + want.Commit + `" in ` + first + `; "0123abc" in other.`,
		want.GoVersion + `" in ` + first + `; "`,
		`go1.99.0" in other;`,
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

// TestReadmeBadFiles checks that a missing, corrupt or foreign file stops
// the generator with an error that names it.
func TestReadmeBadFiles(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(readmeFiles[0])
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"truncated.json": good[:len(good)/2],
		"trailing.json":  append(slices.Clip(good), []byte("}\n")...),
		"empty.json":     {},
		"foreign.json":   []byte(`{"name": "not a report"}`),
		"noresults.json": []byte(`{"started": "2026-11-26T03:12:49Z", "options": {"scenarios": ["produce"]}, "results": []}`),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name := range files {
		path := filepath.Join(dir, name)
		err := readmeMain([]string{readmeFiles[0], path}, &strings.Builder{})
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not a kbench result file") {
			t.Errorf("%s: error %v, want one that names the file and says it is not a result file", name, err)
		}
	}
	missing := filepath.Join(dir, "missing.json")
	if err := readmeMain([]string{missing}, &strings.Builder{}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: error %v", err)
	}
	if err := readmeMain(nil, &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no files: error %v, want the usage", err)
	}
}

// TestReadmeIsGenerated checks that the README's Performance section, up
// to the prose written by hand, is what kbench readme makes of the result
// files its first line names.
func TestReadmeIsGenerated(t *testing.T) {
	b, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	m := regexp.MustCompile(`<!-- made by: make bench-readme RESULTS="([^"]+)" -->`).FindStringSubmatch(readme)
	if m == nil {
		t.Fatal("the README names no result files for its Performance section")
	}
	var paths []string
	for _, p := range strings.Fields(m[1]) {
		paths = append(paths, "../../../"+p)
	}
	out := generateReadme(t, paths)
	if !strings.Contains(readme, out) {
		t.Errorf("the README's Performance section is not what make bench-readme makes of %s; it makes:\n%s", m[1], out)
	}
}

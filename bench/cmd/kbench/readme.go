package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// readmeMain prints the body of the README's Performance section, made
// from the result files named by args (kbench readme A.json B.json ...).
func readmeMain(args []string, w io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("usage: kbench readme results/A.json [results/B.json ...]")
	}
	runs := make([]*readmeRun, 0, len(args))
	for _, path := range args {
		run, err := loadReadmeRun(path)
		if err != nil {
			return err
		}
		runs = append(runs, run)
	}
	_, err := io.WriteString(w, readmeSection(runs))
	return err
}

// readmeRun is one result file for the README.
type readmeRun struct {
	// name is the file's base name without .json; link its path without
	// .json, relative to the repository's root where it is inside it.
	name, link string
	rep        *Report
}

// loadReadmeRun reads and checks one result file.
func loadReadmeRun(path string) (*readmeRun, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rep := &Report{}
	if err := json.Unmarshal(b, rep); err != nil {
		return nil, fmt.Errorf("%s: not a kbench result file: %w", path, err)
	}
	switch {
	case rep.Started.IsZero():
		return nil, fmt.Errorf("%s: not a kbench result file: no start time", path)
	case len(rep.Results) == 0:
		return nil, fmt.Errorf("%s: not a kbench result file: no results", path)
	case len(rep.Options.Scenarios) == 0:
		return nil, fmt.Errorf("%s: not a kbench result file: no scenarios in its options", path)
	}
	link := filepath.ToSlash(path)
	if root, err := repoRoot(); err == nil {
		if abs, err := filepath.Abs(path); err == nil {
			if rel, err := filepath.Rel(root, abs); err == nil && !strings.HasPrefix(rel, "..") {
				link = filepath.ToSlash(rel)
			}
		}
	}
	link = strings.TrimSuffix(link, ".json")
	for _, ext := range []string{".md", ".svg"} {
		if _, err := os.Stat(strings.TrimSuffix(path, ".json") + ext); err != nil {
			fmt.Fprintf(os.Stderr, "kbench: warning: the README links %s%s, which is missing\n", link, ext)
		}
	}
	return &readmeRun{name: filepath.Base(link), link: link, rep: rep}, nil
}

// readmeSection returns the Markdown of the Performance section for runs,
// in their order, with a placeholder for the prose written by hand.
func readmeSection(runs []*readmeRun) string {
	var b strings.Builder
	paths := make([]string, len(runs))
	for i, r := range runs {
		paths[i] = r.link + ".json"
	}
	fmt.Fprintf(&b, "<!-- made by: make bench-readme RESULTS=\"%s\" -->\n\n", strings.Join(paths, " "))
	b.WriteString(wrap(readmeIntro(runs)) + "\n")
	b.WriteString("```sh\n")
	for _, r := range runs {
		b.WriteString(benchCommand(r.rep.Options) + "\n")
	}
	b.WriteString("```\n\n")
	b.WriteString(wrap(readmeReports(runs)) + "\n")
	first := runs[0]
	fmt.Fprintf(&b, "![messages/s and CPU ns per message, %s](%s.svg)\n\n", chartTitle(first.rep.Options), first.link)

	clients := readmeClients(runs)
	throughput := func(sc string) bool { return sc == "produce" || sc == "consume" }
	every := func(string) bool { return true }
	cpu := func(r *Result) string { return thousands(fmt.Sprintf("%.0f", r.CPUPerMsg)) + r.cpuRange() }
	allocs := func(r *Result) string { return thousands(fmt.Sprintf("%.2f", r.AllocsMsg)) }
	rate := func(r *Result) string { return thousands(fmt.Sprintf("%.0f", r.MsgsPerSec)) }
	if t := runTable(runs, clients, throughput, cpu); t != "" {
		head := "CPU ns per message (lower is better)"
		if slices.ContainsFunc(runs, func(r *readmeRun) bool { return r.rep.Options.Repeat > 1 }) {
			head += "; for runs of several rounds, the client's median round and, in brackets, the lowest and highest of its rounds"
		}
		b.WriteString(wrap(head+":") + "\n" + t + "\n")
	}
	b.WriteString("Go heap allocations per message (librdkafka's C allocations are not seen):\n\n")
	b.WriteString(runTable(runs, clients, every, allocs) + "\n")
	if t := runTable(runs, clients, throughput, rate); t != "" {
		b.WriteString("Messages per second:\n\n" + t + "\n")
	}
	for _, r := range runs {
		o := r.rep.Options
		for _, sc := range o.Scenarios {
			var intro string
			switch sc {
			case "latency":
				intro = fmt.Sprintf("Synchronous produce, one %d B message at a time%s", o.Size, configExtras(o, false))
				if slices.ContainsFunc(r.rep.Results, func(x *Result) bool { return x.FloorP50 > 0 }) {
					intro += ", against the floor: a bare ApiVersions round trip on a connection of its own, timed in the client's process just before each of its sends (CPU ns/msg leaves the floor out)"
				}
			case "e2e":
				intro = "End to end"
				if n := e2eRateOf(r.rep); n > 0 {
					intro += " at " + thousands(fmt.Sprint(n)) + " messages/s"
				}
				intro += ", send to read in one process" + configExtras(o, true)
			default:
				continue
			}
			intro += fmt.Sprintf(" ([%s](%s.md)):", r.name, r.link)
			b.WriteString(wrap(intro) + "\n" + latencyTable(r.rep, sc, clients) + "\n")
		}
	}
	b.WriteString("<!-- where we stand: written by hand -->\n")
	return b.String()
}

// readmeIntro returns the section's first paragraph: how the numbers were
// made, where, and the load on the machine.
func readmeIntro(runs []*readmeRun) string {
	var s strings.Builder
	s.WriteString("Numbers from `make bench` (kbench, see \"Comparing clients\" below and [bench/README.md](bench/README.md)): every client in its own process against the same broker, matched settings")
	if m := agree(runs, produceSettings); m != "" {
		s.WriteString(" (" + m + ")")
	}
	var bad []string
	for _, r := range runs {
		for _, x := range r.rep.Results {
			if !x.Verified {
				bad = append(bad, fmt.Sprintf("%s %s in %s", x.Client, x.Scenario, r.name))
			}
		}
	}
	if len(bad) == 0 {
		s.WriteString(", every message verified against the topic's end offsets. ")
	} else {
		s.WriteString(", every message verified against the topic's end offsets except in these runs, which did NOT verify and are marked in the tables: " + strings.Join(bad, ", ") + ". ")
	}
	s.WriteString("Machine: " + agree(runs, func(rep *Report) string {
		m := rep.Machine
		osName, arch, _ := strings.Cut(m.OS, "/")
		if osName != "" {
			osName = strings.ToUpper(osName[:1]) + osName[1:]
		}
		return fmt.Sprintf("%d-core %s (%s), %s %s, %s", m.Cores, m.CPU, arch, osName, m.Kernel, m.GoVersion)
	}))
	s.WriteString("; " + agree(runs, kafkaText))
	s.WriteString("; peers " + agree(runs, peersText))
	s.WriteString("; this module at commit " + agree(runs, func(rep *Report) string { return orNone(rep.Machine.Commit) }) + ". ")
	loads := make([]string, len(runs))
	for i, r := range runs {
		loads[i] = firstField(r.rep.Machine.LoadStart) + "–" + firstField(r.rep.Machine.LoadEnd)
	}
	if rounds := agree(runs, func(rep *Report) string { return fmt.Sprint(max(rep.Options.Repeat, 1)) }); rounds != "1" {
		s.WriteString("Each command ran every client " + rounds + " times, the clients taking turns, and every figure below is from the client's median round (by CPU ns/msg; in the latency run by p99 over the floor's p99). ")
	}
	s.WriteString("The 1-minute load average at the start–end of each run was " + strings.Join(loads, ", ") +
		": throughput (msgs/s) moves with the load, so **CPU ns/msg** (user+system time of the client's own process over the measured section, all its threads) is the column to compare. ")
	first, last := runs[0].rep.Started.UTC(), runs[0].rep.Started.UTC()
	for _, r := range runs {
		t := r.rep.Started.UTC()
		if t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	switch {
	case first.Equal(last):
		s.WriteString("The command, run on " + first.Format("2006-01-02 at 15:04") + " UTC:")
	case first.Format(time.DateOnly) == last.Format(time.DateOnly):
		s.WriteString("The commands, started on " + first.Format("2006-01-02 between 15:04") + " and " + last.Format("15:04") + " UTC:")
	default:
		s.WriteString("The commands, started between " + first.Format("2006-01-02 15:04") + " and " + last.Format("2006-01-02 15:04") + " UTC:")
	}
	return s.String()
}

// readmeReports returns the paragraph that links the reports and names the
// clients.
func readmeReports(runs []*readmeRun) string {
	links := make([]string, len(runs))
	for i, r := range runs {
		links[i] = fmt.Sprintf("[%s](%s.md)", r.name, r.link)
	}
	return "Reports (`.json`, `.md`, `.svg` each): " + strings.Join(links, ", ") +
		". `zeroalloc` is this module's `Writer` and `Reader` (kafka-go's API; `ReadInto` into one reused `Message`), `zeroalloc-conn` its low-level `Conn`, `kafka-go-conn` kafka-go's `Conn` used the same way."
}

// agree returns f of every run's report when they all give the same, else
// each value followed by the files that give it.
func agree(runs []*readmeRun, f func(*Report) string) string {
	var values []string
	files := map[string][]string{}
	for _, r := range runs {
		v := f(r.rep)
		if files[v] == nil {
			values = append(values, v)
		}
		files[v] = append(files[v], r.name)
	}
	if len(values) == 1 {
		return values[0]
	}
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprintf("%q in %s", v, strings.Join(files[v], ", "))
	}
	return "the reports disagree: " + strings.Join(parts, "; ")
}

var (
	produceSettingsRe = regexp.MustCompile(`^async produce: batches up to (\d+) bytes and \d+ messages, linger ([^,]+), no idempotence`)
	e2eSettingsRe     = regexp.MustCompile(`^e2e: (\d+) messages/s`)
)

// produceSettings returns the matched producer settings of rep as the
// README words them, or "" where the report does not say them that way.
func produceSettings(rep *Report) string {
	for _, s := range rep.Settings {
		m := produceSettingsRe.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		batch := m[1] + " byte"
		if m[1] == "1000000" {
			batch = "1 MB"
		}
		lg := m[2]
		if d, err := time.ParseDuration(lg); err == nil && d%time.Millisecond == 0 {
			lg = fmt.Sprintf("%d ms", d/time.Millisecond)
		}
		return fmt.Sprintf("no client idempotent, %s linger, %s batches", lg, batch)
	}
	return ""
}

// e2eRateOf returns the paced rate of rep's e2e scenario, 0 if unknown.
func e2eRateOf(rep *Report) int {
	for _, s := range rep.Settings {
		if m := e2eSettingsRe.FindStringSubmatch(s); m != nil {
			var n int
			fmt.Sscan(m[1], &n)
			return n
		}
	}
	return 0
}

// kafkaText says which Kafka the run used and where.
func kafkaText(rep *Report) string {
	v := rep.Machine.KafkaVersion
	s := "Kafka " + v
	if v == "" || strings.HasPrefix(v, "unknown") {
		s = fmt.Sprintf("Kafka of a version the report does not record (%q)", orNone(v))
	}
	var hosts []string
	for _, b := range rep.Options.Brokers {
		if h := brokerHost(b); !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	if len(hosts) > 0 && !slices.ContainsFunc(hosts, func(h string) bool {
		return h != "localhost" && h != "::1" && !strings.HasPrefix(h, "127.")
	}) {
		return s + " on the same machine over loopback"
	}
	return s + " at " + orNone(strings.Join(hosts, ","))
}

// brokerHost returns the host of a broker address.
func brokerHost(addr string) string {
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		return strings.Trim(addr[:i], "[]")
	}
	return addr
}

// peersText names the peer clients' versions, in the order of peerModules.
func peersText(rep *Report) string {
	mods := rep.Machine.Modules
	var out []string
	for _, p := range peerModules {
		v, ok := mods[p]
		if !ok {
			continue
		}
		name := strings.TrimSuffix(p, "/v2")
		name = name[strings.LastIndex(name, "/")+1:]
		s := name + " " + v
		if lib, ok := mods["librdkafka (bundled)"]; ok && strings.HasPrefix(p, "github.com/confluentinc/") {
			s += " (librdkafka " + lib + ")"
		}
		out = append(out, s)
	}
	var rest []string
	for k, v := range mods {
		if !slices.Contains(peerModules, k) && k != "librdkafka (bundled)" {
			rest = append(rest, k+" "+v)
		}
	}
	slices.Sort(rest)
	out = append(out, rest...)
	if len(out) == 0 {
		return "not recorded"
	}
	return strings.Join(out, ", ")
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// benchCommand returns the make bench command line that runs o again: the
// flags that differ from the runner's defaults (brokers and output left
// out).
func benchCommand(o options) string {
	def, err := parseRunner(nil)
	if err != nil {
		def = &options{}
	}
	var f []string
	add := func(name, value, dflt string) {
		if value != dflt {
			f = append(f, name, shellWord(value))
		}
	}
	add("-clients", strings.Join(o.Clients, ","), strings.Join(def.Clients, ","))
	add("-scenarios", strings.Join(o.Scenarios, ","), strings.Join(def.Scenarios, ","))
	add("-size", fmt.Sprint(o.Size), fmt.Sprint(def.Size))
	add("-codec", o.Codec, def.Codec)
	add("-acks", o.Acks, def.Acks)
	add("-count", fmt.Sprint(o.Count), fmt.Sprint(def.Count))
	add("-partitions", fmt.Sprint(o.Partitions), fmt.Sprint(def.Partitions))
	add("-duration", o.Duration.String(), def.Duration.String())
	add("-kafka-version", o.KafkaVersion, def.KafkaVersion)
	add("-timeout", o.Timeout.String(), def.Timeout.String())
	add("-profile", o.Profile, def.Profile)
	add("-repeat", fmt.Sprint(max(o.Repeat, 1)), fmt.Sprint(def.Repeat))
	add("-security", cmp.Or(o.Security, "none"), cmp.Or(def.Security, "none"))
	if o.KeepTopics {
		f = append(f, "-keep-topics")
	}
	if len(f) == 0 {
		return "make bench"
	}
	return `make bench ARGS="` + strings.Join(f, " ") + `"`
}

// shellWord quotes s for a place inside ARGS="..." where it is not one
// plain word.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._:/=+-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// chartTitle describes the first report's chart.
func chartTitle(o options) string {
	return fmt.Sprintf("%d B%s %s", o.Size, configExtras(o, false), joinAnd(o.Scenarios))
}

// configExtras lists o's codec, acks and partitions where they are not the
// defaults, as ", lz4, acks=all, 3 partitions"; the size too if withSize
// and it is not the default.
func configExtras(o options, withSize bool) string {
	var s []string
	if withSize && o.Size != 100 {
		s = append(s, fmt.Sprintf("%d B values", o.Size))
	}
	if o.Codec != "" && o.Codec != "none" {
		s = append(s, o.Codec)
	}
	if o.Acks != "" && o.Acks != "1" {
		s = append(s, "acks="+o.Acks)
	}
	if o.Partitions > 1 {
		s = append(s, fmt.Sprintf("%d partitions", o.Partitions))
	}
	if len(s) == 0 {
		return ""
	}
	return ", " + strings.Join(s, ", ")
}

func joinAnd(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// runLabel names the row of scenario sc of a run with options o.
func runLabel(sc string, o options) string {
	s := fmt.Sprintf("%s %d B", sc, o.Size)
	if o.Codec != "" && o.Codec != "none" {
		s += " " + o.Codec
	}
	if sc == "produce" || o.Acks != "1" && sc != "consume" {
		s += " acks=" + o.Acks
	}
	if o.Partitions > 1 {
		s += fmt.Sprintf(" %d partitions", o.Partitions)
	}
	switch {
	case sc == "latency" || sc == "e2e":
		// The README names these runs by their own tables.
	case o.Duration > 0 && sc != "consume":
		s += " (" + o.Duration.String() + ")"
	default:
		n := o.Count
		if n == 0 {
			n = defaultCount(sc)
		}
		s += " (" + thousands(fmt.Sprint(n)) + ")"
	}
	return s
}

// readmeClients returns the clients of runs in the runner's table order,
// those it no longer knows last.
func readmeClients(runs []*readmeRun) []string {
	var seen []string
	for _, r := range runs {
		for _, c := range r.rep.clients() {
			if !slices.Contains(seen, c) {
				seen = append(seen, c)
			}
		}
	}
	var out []string
	for _, c := range clientNames() {
		if slices.Contains(seen, c) {
			out = append(out, c)
		}
	}
	for _, c := range seen {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// runTable returns a table of one row per run and scenario (those that
// keep says), one column per client, the cells made by cell; "" if no row.
func runTable(runs []*readmeRun, clients []string, keep func(string) bool, cell func(*Result) string) string {
	var rows []string
	for _, r := range runs {
		for _, sc := range r.rep.Options.Scenarios {
			if !keep(sc) {
				continue
			}
			cells := []string{runLabel(sc, r.rep.Options)}
			for _, c := range clients {
				cells = append(cells, resultCell(r.rep.result(c, sc), cell))
			}
			rows = append(rows, mdRow(cells))
		}
	}
	if len(rows) == 0 {
		return ""
	}
	return mdHeader(append([]string{"run"}, clients...)) + strings.Join(rows, "")
}

// latencyTable returns the per-client table of a latency or e2e scenario;
// a latency run's table adds each client's floor and its p99 over the
// floor's.
func latencyTable(rep *Report, sc string, clients []string) string {
	floors := slices.ContainsFunc(rep.Results, func(r *Result) bool { return r.Scenario == sc && r.FloorP50 > 0 })
	head := []string{"client", "p50", "p99", "p99.9"}
	if floors {
		head = append(head, "floor p50", "floor p99", "p99 / floor p99")
	}
	t := mdHeader(append(head, "CPU ns/msg", "allocs/msg"))
	for _, c := range clients {
		r := rep.result(c, sc)
		if r == nil {
			continue
		}
		mark := func(s string) string { return resultCell(r, func(*Result) string { return s }) }
		row := []string{c, micros(r.P50), micros(r.P99), micros(r.P999)}
		if floors {
			ratio := ""
			if r.FloorP99 > 0 {
				ratio = fmt.Sprintf("%.2fx", float64(r.P99)/float64(r.FloorP99))
			}
			row = append(row, micros(r.FloorP50), micros(r.FloorP99), ratio)
		}
		t += mdRow(append(row, mark(thousands(fmt.Sprintf("%.0f", r.CPUPerMsg))+r.cpuRange()), mark(thousands(fmt.Sprintf("%.2f", r.AllocsMsg)))))
	}
	return t
}

// result returns the result of client c in scenario sc, nil if none.
func (rep *Report) result(c, sc string) *Result {
	for _, r := range rep.Results {
		if r.Client == c && r.Scenario == sc {
			return r
		}
	}
	return nil
}

// resultCell formats r with f, marked where it did not verify; "" for no
// result.
func resultCell(r *Result, f func(*Result) string) string {
	if r == nil {
		return ""
	}
	if !r.Verified {
		return f(r) + " (NOT verified)"
	}
	return f(r)
}

func mdHeader(cols []string) string {
	align := make([]string, len(cols))
	for i := range cols {
		align[i] = "---:"
	}
	align[0] = "---"
	return mdRow(cols) + mdRow(align)
}

func mdRow(cells []string) string {
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// micros formats d in whole microseconds with thousands separators.
func micros(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return thousands(fmt.Sprint(int64(d.Round(time.Microsecond)/time.Microsecond))) + " µs"
}

// thousands puts commas between the thousands of the integer part of a
// formatted number.
func thousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if dot {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

// wrap breaks a paragraph into lines of at most 72 columns (longer words
// stand alone; no line starts with what Markdown would take for a list or
// a heading) and ends it with a blank line.
func wrap(p string) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(p) {
		l := len([]rune(w))
		if n > 0 && n+1+l > 72 && !blockMarker(w) {
			b.WriteByte('\n')
			n = 0
		}
		if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += l
	}
	return b.String() + "\n"
}

// blockMarker tells whether a line that starts with the word w would start
// a list, a heading or a quote.
func blockMarker(w string) bool {
	switch w {
	case "-", "+", "*", ">":
		return true
	}
	if strings.HasPrefix(w, "#") {
		return true
	}
	digits := strings.TrimLeft(w, "0123456789")
	return len(digits) < len(w) && (digits == "." || digits == ")")
}

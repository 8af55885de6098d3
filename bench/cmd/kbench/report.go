package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is a whole run: where, with what settings, and every result.
type Report struct {
	Started  time.Time `json:"started"`
	Machine  Machine   `json:"machine"`
	Options  options   `json:"options"`
	Settings []string  `json:"settings"`
	Results  []*Result `json:"results"`
}

func (rep *Report) failures() int {
	n := 0
	for _, r := range rep.Results {
		if !r.Verified {
			n++
		}
	}
	return n
}

var tableHeader = []string{"scenario", "client", "msgs/s", "MB/s", "CPU ns/msg", "sys ns/msg", "allocs/msg", "B/msg", "p50", "p99", "p99.9", "floor p50", "floor p99", "RSS MB", "proc CPU", "CPU ns/msg of each round", "verified"}

// row formats r for the tables.
func (r *Result) row() []string {
	v := "yes"
	if !r.Verified {
		v = "NO: " + r.Problem
	}
	return []string{
		r.Scenario, r.Client,
		fmt.Sprintf("%.0f", r.MsgsPerSec),
		fmt.Sprintf("%.1f", r.MBPerSec),
		fmt.Sprintf("%.0f", r.CPUPerMsg),
		fmt.Sprintf("%.0f", r.sysPerMsg()),
		fmt.Sprintf("%.2f", r.AllocsMsg),
		fmt.Sprintf("%.0f", r.BytesMsg),
		dur(r.P50), dur(r.P99), dur(r.P999), dur(r.FloorP50), dur(r.FloorP99),
		fmt.Sprintf("%.1f", float64(r.MaxRSSKB)/1024),
		r.ProcessCPU.Round(time.Millisecond).String(),
		r.roundsText(),
		v,
	}
}

// roundsText lists the CPU ns/msg of every round ("" for one round).
func (r *Result) roundsText() string {
	if len(r.RoundsCPU) < 2 {
		return ""
	}
	s := make([]string, len(r.RoundsCPU))
	for i, x := range r.RoundsCPU {
		s[i] = fmt.Sprintf("%.0f", x)
	}
	return strings.Join(s, " ")
}

// cpuRange is " (min–max)" of the rounds' CPU ns/msg, "" for one round.
func (r *Result) cpuRange() string {
	if len(r.RoundsCPU) < 2 {
		return ""
	}
	return " (" + thousands(fmt.Sprintf("%.0f", slices.Min(r.RoundsCPU))) + "–" + thousands(fmt.Sprintf("%.0f", slices.Max(r.RoundsCPU))) + ")"
}

func dur(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.Round(time.Microsecond).String()
}

func (rep *Report) header() []string {
	m := rep.Machine
	o := rep.Options
	mods := make([]string, 0, len(m.Modules))
	for k, v := range m.Modules {
		mods = append(mods, k+" "+v)
	}
	slices.Sort(mods)
	count := "scenario default"
	if o.Count > 0 {
		count = fmt.Sprint(o.Count)
	}
	run := "count " + count
	if o.Duration > 0 {
		run = fmt.Sprintf("duration %v (consume: count %s)", o.Duration, count)
	}
	if o.Repeat > 1 {
		run += fmt.Sprintf(", %d rounds per client taking turns, each client's median round shown (latency: by p99 over the floor's p99, else by CPU ns/msg)", o.Repeat)
	}
	h := []string{
		fmt.Sprintf("machine: %s, %d cores, %s, %s (kernel %s)", m.CPU, m.Cores, m.GoVersion, m.OS, m.Kernel),
		fmt.Sprintf("Kafka %s at %s; zeroalloc/kafka commit %s", m.KafkaVersion, strings.Join(o.Brokers, ","), m.Commit),
		"peers: " + strings.Join(mods, ", "),
		fmt.Sprintf("run: %s UTC; size %d B, codec %s, acks %s, %s, %s", rep.Started.Format(time.DateTime), o.Size, o.Codec, o.Acks, run, partitionsText(o.Partitions)),
		fmt.Sprintf("load average (1, 5, 15 min): %s at the start, %s at the end", orNone(m.LoadStart), orNone(m.LoadEnd)),
	}
	if o.Profile != "" {
		h = append(h, "PROFILED: CPU profile and every allocation recorded during the measured section, which slows it; read the profiles, do not compare these figures")
	}
	return h
}

func partitionsText(n int) string {
	if n <= 1 {
		return "1 partition"
	}
	return fmt.Sprintf("%d partitions per topic, all read by every consumer", n)
}

func orNone(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// writeTable prints the machine, the settings and the results table.
func (rep *Report) writeTable(w io.Writer) error {
	for _, l := range rep.header() {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(tableHeader, "\t")+"\t")
	for _, r := range rep.Results {
		fmt.Fprintln(tw, strings.Join(r.row(), "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "settings:")
	for _, s := range rep.Settings {
		fmt.Fprintln(w, "  -", s)
	}
	for _, name := range rep.clients() {
		fmt.Fprintf(w, "  - %s: %s\n", name, rep.settingsOf(name))
	}
	_, err := fmt.Fprintln(w)
	return err
}

// clients returns the clients of the results in order of appearance.
func (rep *Report) clients() []string {
	var names []string
	for _, r := range rep.Results {
		if !slices.Contains(names, r.Client) {
			names = append(names, r.Client)
		}
	}
	return names
}

// settingsOf returns the settings text a worker of the client reported.
func (rep *Report) settingsOf(name string) string {
	for _, r := range rep.Results {
		if r.Client == name && r.Settings != "" {
			return r.Settings
		}
	}
	return "(no worker reported its settings)"
}

// markdown returns the report as a Markdown document.
func (rep *Report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# kbench %s\n\n", rep.Started.Format(time.RFC3339))
	for _, l := range rep.header() {
		fmt.Fprintf(&b, "- %s\n", l)
	}
	b.WriteString("\n| " + strings.Join(tableHeader, " | ") + " |\n|")
	for i := range tableHeader {
		if i < 2 {
			b.WriteString(" --- |")
		} else {
			b.WriteString(" ---: |")
		}
	}
	b.WriteString("\n")
	for _, r := range rep.Results {
		cells := r.row()
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteString("\n## Settings\n\n")
	for _, s := range rep.Settings {
		fmt.Fprintf(&b, "- %s\n", s)
	}
	for _, name := range rep.clients() {
		fmt.Fprintf(&b, "- **%s**: %s\n", name, strings.ReplaceAll(rep.settingsOf(name), "|", `\|`))
	}
	b.WriteString("\nCommand: `cd bench && go run ./cmd/kbench " + strings.Join(rep.flags(), " ") + "`\n")
	return b.String()
}

// flags rebuilds the command line of the run (brokers left out).
func (rep *Report) flags() []string {
	o := rep.Options
	f := []string{
		"-clients", strings.Join(o.Clients, ","),
		"-scenarios", strings.Join(o.Scenarios, ","),
		"-size", fmt.Sprint(o.Size), "-codec", o.Codec, "-acks", o.Acks,
	}
	if o.Count > 0 {
		f = append(f, "-count", fmt.Sprint(o.Count))
	}
	if o.Partitions > 1 {
		f = append(f, "-partitions", fmt.Sprint(o.Partitions))
	}
	if o.Duration > 0 {
		f = append(f, "-duration", o.Duration.String())
	}
	if o.Repeat > 1 {
		f = append(f, "-repeat", fmt.Sprint(o.Repeat))
	}
	if o.KeepTopics {
		f = append(f, "-keep-topics")
	}
	if o.Profile != "" {
		f = append(f, "-profile", o.Profile)
	}
	return f
}

// save writes the report as dir/<UTC time>.json, .md and .svg and returns
// the file names.
func (rep *Report) save(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	name := rep.Started.Format("20060102T150405Z")
	if rep.Options.Profile != "" {
		// A profiled run's report goes with its profiles, which have
		// fixed names too.
		name = "kbench"
	}
	base := filepath.Join(dir, name)
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return nil, err
	}
	files := []struct {
		name string
		data []byte
	}{
		{base + ".json", append(js, '\n')},
		{base + ".md", []byte(rep.markdown())},
		{base + ".svg", []byte(rep.svg())},
	}
	var names []string
	for _, f := range files {
		if err := os.WriteFile(f.name, f.data, 0o644); err != nil {
			return names, err
		}
		names = append(names, f.name)
	}
	return names, nil
}

// sysPerMsg is the kernel's part of CPUPerMsg.
func (r *Result) sysPerMsg() float64 {
	if r.Messages == 0 {
		return 0
	}
	return float64(r.SysCPU.Nanoseconds()) / float64(r.Messages)
}

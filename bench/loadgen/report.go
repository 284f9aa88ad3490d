package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
)

// report is the results file bench/run.sh writes: the machine, the command, every result.
type report struct {
	Date    string          `json:"date"`
	Command string          `json:"command"`
	Machine json.RawMessage `json:"machine"`
	Results []Result        `json:"results"`
}

// reportMain reads the JSON lines of a run (both servers) and writes OUT.json and OUT.md.
func reportMain(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	in := fs.String("in", "", "JSON lines written by loadgen runs (required)")
	machine := fs.String("machine", "", "JSON file describing the machine")
	command := fs.String("command", "", "the command that produced the run")
	date := fs.String("date", "", "date of the run")
	out := fs.String("out", "", "output prefix: writes PREFIX.json and PREFIX.md (required)")
	base := fs.String("base", "node", "server label of the reference")
	cand := fs.String("cand", "go", "server label of the candidate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return fmt.Errorf("-in and -out are required")
	}
	data, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	rep := report{Date: *date, Command: *command, Machine: json.RawMessage("null")}
	if *machine != "" {
		m, err := os.ReadFile(*machine)
		if err != nil {
			return err
		}
		if !json.Valid(m) {
			return fmt.Errorf("%s: not valid JSON", *machine)
		}
		rep.Machine = bytes.TrimSpace(m)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r Result
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("%s: %w", *in, err)
		}
		rep.Results = append(rep.Results, r)
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out+".json", append(js, '\n'), 0o644); err != nil {
		return err
	}
	md := markdown(&rep, *base, *cand)
	if err := os.WriteFile(*out+".md", []byte(md), 0o644); err != nil {
		return err
	}
	os.Stdout.WriteString(md)
	return nil
}

// metric is one row of the comparison table.
type metric struct {
	label  string
	value  func(Result) float64
	unit   string
	target float64 // ratio cand/base to meet; 0 = none
	lower  bool    // lower is better (target is a maximum ratio)
}

func markdown(rep *report, base, cand string) string {
	type key struct{ server, name string }
	byKey := map[key]Result{}
	var names []string
	seen := map[string]bool{}
	runs := map[key]int{}
	for _, r := range rep.Results {
		k := key{r.Server, r.Name}
		runs[k]++
		if prev, ok := byKey[k]; !ok || better(r, prev) {
			byKey[k] = r
		}
		if !seen[r.Name] {
			seen[r.Name] = true
			names = append(names, r.Name)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# sockspec benchmark %s\n\n", rep.Date)
	if rep.Command != "" {
		fmt.Fprintf(&b, "Command: `%s`\n\n", rep.Command)
	}
	if len(rep.Machine) > 0 && string(rep.Machine) != "null" {
		var m map[string]any
		if json.Unmarshal(rep.Machine, &m) == nil {
			b.WriteString("Machine:\n\n")
			for _, k := range slices.Sorted(maps.Keys(m)) {
				fmt.Fprintf(&b, "- %s: %v\n", k, m[k])
			}
			b.WriteString("\n")
		}
	}
	maxRuns := 0
	for _, n := range runs {
		maxRuns = max(maxRuns, n)
	}
	if maxRuns > 1 {
		fmt.Fprintf(&b, "Each scenario ran up to %d times per server (alternating which server goes first); the table shows the best run "+
			"(highest throughput, lowest RSS per connection); every run is in the JSON file.\n\n", maxRuns)
	}
	// Columns: base, cand, then any other server labels (e.g. go-validate), each with its ratio
	// to base; the targets apply to cand.
	servers := []string{base, cand}
	for _, r := range rep.Results {
		if !slices.Contains(servers, r.Server) {
			servers = append(servers, r.Server)
		}
	}
	b.WriteString("| scenario | metric |")
	for _, sv := range servers {
		fmt.Fprintf(&b, " %s |", sv)
	}
	for _, sv := range servers[1:] {
		fmt.Fprintf(&b, " %s/%s |", sv, base)
	}
	b.WriteString(" target | met |\n|---|---|")
	b.WriteString(strings.Repeat("---:|", 2*len(servers)-1))
	b.WriteString("---|---|\n")
	for _, name := range names {
		kind := ""
		for _, sv := range servers {
			if r, ok := byKey[key{sv, name}]; ok {
				kind = r.Scenario
				break
			}
		}
		for _, m := range metricsFor(kind) {
			vals := make([]float64, len(servers))
			cells := make([]string, len(servers))
			for i, sv := range servers {
				r, ok := byKey[key{sv, name}]
				vals[i] = math.NaN()
				if ok && r.Errors == 0 {
					vals[i] = m.value(r)
				}
				cells[i] = num(vals[i], ok, r)
			}
			fmt.Fprintf(&b, "| %s | %s (%s) |", name, m.label, m.unit)
			for _, c := range cells {
				fmt.Fprintf(&b, " %s |", c)
			}
			for i := 1; i < len(servers); i++ {
				fmt.Fprintf(&b, " %s |", ratioStr(vals[i]/vals[0]))
			}
			ratio := vals[1] / vals[0]
			target, met := "", ""
			if m.target > 0 {
				if m.lower {
					target = fmt.Sprintf("≤ %.1f×", m.target)
					met = yesNo(ratio, ratio <= m.target)
				} else {
					target = fmt.Sprintf("≥ %.1f×", m.target)
					met = yesNo(ratio, ratio >= m.target)
				}
			}
			fmt.Fprintf(&b, " %s | %s |\n", target, met)
		}
	}
	if maxRuns > 1 {
		writeMedians(&b, rep.Results, servers, names)
	}
	b.WriteString("\nErrors (a failed scenario shows `error` above):\n\n")
	any := false
	for _, r := range rep.Results {
		if r.Errors > 0 {
			any = true
			fmt.Fprintf(&b, "- %s %s: %d errors, first: %s\n", r.Server, r.Name, r.Errors, r.FirstError)
		}
	}
	if !any {
		b.WriteString("- none\n")
	}
	return b.String()
}

func metricsFor(kind string) []metric {
	rate := func(r Result) float64 { return r.Rate }
	p50 := func(r Result) float64 { return r.P50us }
	p99 := func(r Result) float64 { return r.P99us }
	cpu := metric{"server CPU", func(r Result) float64 { return r.ServerCPU }, "% of a core", 0, true}
	switch kind {
	case "echo":
		return []metric{
			{"throughput", rate, "round trips/s", 1.5, false},
			{"p50", p50, "µs", 0, true},
			{"p99", p99, "µs", 0, true},
			cpu,
		}
	case "broadcast":
		return []metric{{"throughput", rate, "deliveries/s", 2, false}, cpu}
	case "idle":
		return []metric{{"RSS per idle connection", func(r Result) float64 { return r.BytesPerConn }, "bytes", 1, true}}
	case "connect":
		return []metric{
			{"throughput", rate, "connects/s", 0, false},
			{"p50", p50, "µs", 0, true},
			{"p99", p99, "µs", 0, true},
		}
	}
	return nil
}

func num(v float64, ok bool, r Result) string {
	switch {
	case !ok:
		return "n/a"
	case r.Errors > 0:
		return "error"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.1f", v)
	}
}

func ratioStr(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", r)
}

func yesNo(ratio float64, b bool) string {
	if math.IsNaN(ratio) || math.IsInf(ratio, 0) {
		return "n/a"
	}
	if b {
		return "yes"
	}
	return "**no**"
}

// better reports whether result a should be shown instead of b (same server and scenario):
// a run without errors beats one with errors; then the higher throughput, or for idle memory
// the lower RSS per connection (interference from other processes only makes numbers worse).
func better(a, b Result) bool {
	if (a.Errors == 0) != (b.Errors == 0) {
		return a.Errors == 0
	}
	if a.Scenario == "idle" {
		return a.BytesPerConn < b.BytesPerConn
	}
	return a.Rate > b.Rate
}

// writeMedians adds the median over the runs of each throughput (or RSS) beside the best
// runs of the main table: the median is what a noisy machine would most likely give, the
// best is what the server can do when nothing disturbs it.
func writeMedians(b *strings.Builder, results []Result, servers, names []string) {
	b.WriteString("\nMedian of the runs (runs without errors):\n\n| scenario | metric |")
	for _, sv := range servers {
		fmt.Fprintf(b, " %s |", sv)
	}
	for _, sv := range servers[1:] {
		fmt.Fprintf(b, " %s/%s |", sv, servers[0])
	}
	b.WriteString(" runs |\n|---|---|")
	b.WriteString(strings.Repeat("---:|", 2*len(servers)-1))
	b.WriteString("---:|\n")
	for _, name := range names {
		var m metric
		vals := make([]float64, len(servers))
		n := 0
		for i, sv := range servers {
			var xs []float64
			for _, r := range results {
				if r.Server != sv || r.Name != name || r.Errors > 0 {
					continue
				}
				m = metricsFor(r.Scenario)[0]
				xs = append(xs, m.value(r))
			}
			vals[i] = median(xs)
			n = max(n, len(xs))
		}
		if m.value == nil {
			continue
		}
		fmt.Fprintf(b, "| %s | %s (%s) |", name, m.label, m.unit)
		for _, v := range vals {
			fmt.Fprintf(b, " %s |", num(v, !math.IsNaN(v), Result{}))
		}
		for i := 1; i < len(servers); i++ {
			fmt.Fprintf(b, " %s |", ratioStr(vals[i]/vals[0]))
		}
		fmt.Fprintf(b, " %d |\n", n)
	}
}

// median returns the median of xs (NaN when empty).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

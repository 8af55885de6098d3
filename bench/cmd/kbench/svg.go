package main

import (
	"fmt"
	"html"
	"strings"
)

// svg draws, for each scenario, two horizontal bar charts side by side:
// messages/s (longer is better) and CPU ns per message (shorter is
// better), one bar per client. Runs that were not verified are drawn in
// grey and marked.
func (rep *Report) svg() string {
	const (
		width  = 960
		labelW = 130
		panelW = (width - 2*labelW - 60) / 2
		rowH   = 22
		barH   = 16
		titleH = 44
	)
	var body strings.Builder
	y := 40
	fmt.Fprintf(&body, `<text x="10" y="24" font-size="16" font-weight="bold">%s</text>`+"\n",
		html.EscapeString(fmt.Sprintf("kbench %s: %s, %d cores, Kafka %s; %d B values, %s, acks=%s",
			rep.Started.Format("2006-01-02 15:04 UTC"), rep.Machine.CPU, rep.Machine.Cores, rep.Machine.KafkaVersion,
			rep.Options.Size, rep.Options.Codec, rep.Options.Acks)))
	for _, sc := range rep.Options.Scenarios {
		var rs []*Result
		var maxRate, maxCPU float64
		for _, r := range rep.Results {
			if r.Scenario == sc {
				rs = append(rs, r)
				maxRate = max(maxRate, r.MsgsPerSec)
				maxCPU = max(maxCPU, r.CPUPerMsg)
			}
		}
		if len(rs) == 0 {
			continue
		}
		fmt.Fprintf(&body, `<text x="10" y="%d" font-size="14" font-weight="bold">%s</text>`+"\n", y+16, sc)
		fmt.Fprintf(&body, `<text x="%d" y="%d" font-size="12">messages/s (more is better)</text>`+"\n", labelW, y+36)
		fmt.Fprintf(&body, `<text x="%d" y="%d" font-size="12">CPU ns/message (less is better)</text>`+"\n", 2*labelW+panelW+40, y+36)
		y += titleH
		for _, r := range rs {
			color, mark := "#3b7dd8", ""
			cpuColor := "#d8823b"
			if !r.Verified {
				color, cpuColor, mark = "#aaaaaa", "#aaaaaa", " (not verified)"
			}
			for panel := range 2 {
				x0 := labelW
				value, top, text, fill := r.MsgsPerSec, maxRate, fmt.Sprintf("%.0f", r.MsgsPerSec), color
				if panel == 1 {
					x0 = 2*labelW + panelW + 40
					value, top, text, fill = r.CPUPerMsg, maxCPU, fmt.Sprintf("%.0f", r.CPUPerMsg), cpuColor
				}
				w := 0
				if top > 0 {
					w = int(value / top * float64(panelW-70))
				}
				fmt.Fprintf(&body, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`+"\n", x0-6, y+12, html.EscapeString(r.Client+mark))
				fmt.Fprintf(&body, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`+"\n", x0, y, max(w, 1), barH, fill)
				fmt.Fprintf(&body, `<text x="%d" y="%d" font-size="11">%s</text>`+"\n", x0+max(w, 1)+4, y+12, text)
			}
			y += rowH
		}
		y += 12
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">`+"\n", width, y+10, width, y+10)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, y+10)
	b.WriteString(body.String())
	b.WriteString("</svg>\n")
	return b.String()
}

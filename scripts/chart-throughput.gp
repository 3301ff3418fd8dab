# chart-throughput.gp: what a transfer moves for what it costs, in two panels side by side.
# Left, the strategies that copied the frame and the memcpy reference: their copy bandwidth,
# frame bytes per second (GB/s, log scale).  Right, the zero-copy strategies: they move no frame
# byte, so they have no bandwidth to show (frame bytes over a few nanoseconds would read as
# hundreds of thousands of GB/s); their bar is the median time relative to memcpy's instead, 1
# being as slow as a bare memcpy of the frame (log scale).  A panel with no figure is left out.
# Variables: bw, rel (report-data.jq's bandwidth and relative tables), nb, nr (their rows),
# vb, vr (those of their rows that hold a figure), ttl.
set style fill solid 0.85 border rgb "black"
set boxwidth 0.65
set xtics rotate by -30 nomirror
set ytics nomirror
set grid ytics
set logscale y
set format y "%g"
set key outside top center horizontal
set offsets 0, 0, graph 0.15, graph 0.05

# Each panel is as wide as its share of the bars, but never narrower than 40% of the chart.
share = (vb > 0 && vr > 0) ? nb / (nb + nr + 0.0) : (vb > 0 ? 1.0 : 0.0)
share = (vb > 0 && vr > 0) ? (share < 0.4 ? 0.4 : share > 0.6 ? 0.6 : share) : share

set multiplot title ttl
if (vb > 0) {
	set origin 0, 0
	set size share, 0.94
	set title "copied: copy bandwidth\n(frame bytes / median time)"
	set ylabel "GB/s (log scale)"
	set xrange [-0.6:nb - 0.4]
	plot bw using 1:5:4:xtic(2) with boxes lc rgb variable notitle, \
	     '' using 1:5:6 with labels offset 0,0.7 font ",9" notitle, \
	     NaN with boxes lc rgb copy_rgb title "copy", \
	     NaN with boxes lc rgb ref_rgb title "memcpy reference"
}
if (vr > 0) {
	set origin share, 0
	set size 1 - share, 0.94
	set title "zero-copy: no bytes moved, no bandwidth;\nmedian time relative to memcpy's"
	set ylabel "time / memcpy's time (log scale)"
	set xrange [-0.6:nr - 0.4]
	plot rel using 1:5:4:xtic(2) with boxes lc rgb variable notitle, \
	     '' using 1:5:6 with labels offset 0,0.7 font ",9" notitle, \
	     NaN with boxes lc rgb zc_rgb title "zero-copy", \
	     1 with lines dt 2 lw 1.5 lc rgb ref_rgb title "memcpy = 1"
}
if (vb == 0 && vr == 0) {
	unset logscale y
	set title "no time or bandwidth figures recorded"
	set xrange [0:1]
	set yrange [0:1]
	plot NaN notitle
}
unset multiplot

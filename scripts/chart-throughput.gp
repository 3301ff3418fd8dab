# chart-throughput.gp: what a transfer moves for what it costs, in two panels side by side.
# Left, the strategies that copied the frame and the memcpy reference: frame bytes per second
# (time.gb_per_s: the frame's size over the median time, GB/s, log scale).  It is a row's copy
# bandwidth only when the row copies the frame once: one that copies it N times moves N times
# the bytes drawn, and its name on the axis says "(N frames)".  Right, the zero-copy strategies: they move no frame
# byte, so they have no bandwidth to show (frame bytes over a few nanoseconds would read as
# hundreds of thousands of GB/s); their bar is the median time relative to memcpy's instead, 1
# being as slow as a bare memcpy of the frame (log scale).  A panel with no figure is left out (charts.sh says so).
# Variables: bw, rel (report-data.jq's bandwidth and relative tables), nb, nr (their rows),
# vb, vr (those of their rows that hold a figure; charts.sh draws no chart when both are 0),
# ttl, labels (chart-labels.gp), W, H.
set style fill solid 0.85 border rgb "black"
set boxwidth 0.65
set ytics nomirror
set grid ytics
set logscale y
set format y "%g"
set key outside top center horizontal

# Each panel is as wide as its share of the bars, but never narrower than 40% of the chart.
share = (vb > 0 && vr > 0) ? nb / (nb + nr + 0.0) : (vb > 0 ? 1.0 : 0.0)
share = (vb > 0 && vr > 0) ? (share < 0.4 ? 0.4 : share > 0.6 ? 0.6 : share) : share

# Each panel's labels (chart-labels.gp), before either is drawn: the two share a bottom margin
# that holds the longer names.
room = 0
if (vb > 0) {
	LAB_dat = bw; LAB_col = 6; LAB_n = nb; LAB_w = share * W - 100; LAB_h = H * 0.55; LAB_pt = 9; LAB_ticpt = 10
	load labels
	bw_mode = LAB_mode; bw_top = LAB_top; bw_angle = TIC_angle; room = TIC_room
}
if (vr > 0) {
	LAB_dat = rel; LAB_col = 6; LAB_n = nr; LAB_w = (1 - share) * W - 100; LAB_h = H * 0.55; LAB_pt = 9; LAB_ticpt = 10
	load labels
	rel_mode = LAB_mode; rel_top = LAB_top; rel_angle = TIC_angle; room = TIC_room > room ? TIC_room : room
}
set bmargin at screen room / H

set multiplot title ttl
if (vb > 0) {
	set origin 0, 0
	set size share, 0.94
	set xtics rotate by -bw_angle nomirror
	set offsets 0, 0, graph bw_top, graph 0.05
	set title "copied: frame bytes per second\n(frame size / median time)"
	set ylabel "GB/s (log scale)"
	set xrange [-0.6:nb - 0.4]
	plot bw using 1:5:4:xtic(2) with boxes lc rgb variable notitle, \
	     '' using 1:5:(bw_mode == 0 ? strcol(6) : "") with labels center offset 0,0.7 font ",9" notitle, \
	     '' using 1:5:(bw_mode == 90 ? strcol(6) : "") with labels rotate by 90 left offset 0,0.4 font ",9" notitle, \
	     NaN with boxes lc rgb copy_rgb title "copy", \
	     NaN with boxes lc rgb ref_rgb title "memcpy reference"
}
if (vr > 0) {
	set origin share, 0
	set size 1 - share, 0.94
	set title "zero-copy: median time / memcpy's\n(no bytes moved: no bandwidth)"
	set ylabel "time / memcpy's time (log scale)"
	# The ratios as the report writes them (report-data.jq's fmt_ratio): 1/1000x, not 1e-03.
	set ytics ("1000x" 1000, "100x" 100, "10x" 10, "1x" 1, "1/10x" 0.1, "1/100x" 0.01, \
	           "1/1000x" 1e-3, "1/10000x" 1e-4, "1/100000x" 1e-5, "1/1000000x" 1e-6, \
	           "1/10000000x" 1e-7, "1/100000000x" 1e-8) nomirror
	set xrange [-0.6:nr - 0.4]
	set xtics rotate by -rel_angle nomirror
	set offsets 0, 0, graph rel_top, graph 0.05
	plot rel using 1:5:4:xtic(2) with boxes lc rgb variable notitle, \
	     '' using 1:5:(rel_mode == 0 ? strcol(6) : "") with labels center offset 0,0.7 font ",9" notitle, \
	     '' using 1:5:(rel_mode == 90 ? strcol(6) : "") with labels rotate by 90 left offset 0,0.4 font ",9" notitle, \
	     NaN with boxes lc rgb zc_rgb title "zero-copy", \
	     1 with lines dt 2 lw 1.5 lc rgb ref_rgb title "memcpy = 1"
}
unset multiplot

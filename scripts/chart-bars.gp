# chart-bars.gp: one bar per strategy, coloured by verdict, with a key for the colours.
# Variables: dat (a table from charts.sh's field_table), col (the column to draw), lab (the
# column holding the bar's label), ttl, ylab, logy (1 for a log scale), labels
# (chart-labels.gp), W, H.
set title ttl
set ylabel ylab
set style fill solid 0.85 border rgb "black"
set boxwidth 0.65
stats dat using 1 nooutput
n = STATS_records
LAB_dat = dat; LAB_col = lab; LAB_n = n; LAB_w = W - 110; LAB_h = H * 0.55; LAB_pt = 9; LAB_ticpt = 10
load labels
set xtics rotate by -TIC_angle nomirror
set bmargin at screen TIC_room / H
set ytics nomirror
set grid ytics
set key outside top center horizontal
set xrange [-0.6:n - 0.4]
if (logy) {
	set logscale y
	set format y "%g"
	set offsets 0, 0, graph LAB_top, graph 0.05
} else {
	set yrange [0:*]
	set offsets 0, 0, graph LAB_top, 0
}
plot dat using 1:(column(col)):4:xtic(2) with boxes lc rgb variable notitle, \
     '' using 1:(column(col)):(LAB_mode == 0 ? strcol(lab) : "") with labels center offset 0,0.7 font ",9" notitle, \
     '' using 1:(column(col)):(LAB_mode == 90 ? strcol(lab) : "") with labels rotate by 90 left offset 0,0.4 font ",9" notitle, \
     NaN with boxes lc rgb zc_rgb title "zero-copy", \
     NaN with boxes lc rgb copy_rgb title "copy", \
     NaN with boxes lc rgb ref_rgb title "memcpy reference"

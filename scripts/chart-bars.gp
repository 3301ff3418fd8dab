# chart-bars.gp: one bar per strategy, coloured by verdict, with a key for the colours.
# Variables: dat (a table from report-data.jq's bars), col (the column to draw), ttl, ylab,
# logy (1 for a log scale), lab (the column holding the bar's label, 0 for the number itself).
set title ttl
set ylabel ylab
set style fill solid 0.85 border rgb "black"
set boxwidth 0.65
set xtics rotate by -30 nomirror
set ytics nomirror
set grid ytics
set key outside top center horizontal
stats dat using 1 nooutput
set xrange [-0.6:STATS_max + 0.6]
set offsets 0, 0, graph 0.15, 0
if (logy) {
	set logscale y
	set format y "%g"
	set offsets 0, 0, graph 0.15, graph 0.05
} else {
	set yrange [0:*]
}
plot dat using 1:(column(col)):4:xtic(2) with boxes lc rgb variable notitle, \
     '' using 1:(column(col)):(lab > 0 ? stringcolumn(lab) : sprintf("%.4g", column(col))) \
        with labels offset 0,0.7 font ",9" notitle, \
     NaN with boxes lc rgb zc_rgb title "zero-copy", \
     NaN with boxes lc rgb copy_rgb title "copy", \
     NaN with boxes lc rgb ref_rgb title "memcpy reference"

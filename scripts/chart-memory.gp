# chart-memory.gp: four panels per strategy: frames copied, frame-sized allocations and minor page
# faults per transfer, and the process's peak RSS.
# Variables: dat (report-data.jq's bars), ttl.
set multiplot layout 2,2 title ttl
set style fill solid 0.85 border rgb "black"
set boxwidth 0.65
set xtics rotate by -30 nomirror font ",9"
set ytics nomirror
set grid ytics
set yrange [0:*]
stats dat using 1 nooutput
set xrange [-0.6:STATS_max + 0.6]
set offsets 0, 0, graph 0.18, 0
unset key
do for [p in "9 10 11 12"] {
	c = int(p)
	set title (c == 9 ? "frames copied per transfer (bytes copied / frame size)" : c == 10 ? "frame-sized allocations per transfer" : \
	           c == 11 ? "minor page faults per transfer" : "peak RSS (MiB)")
	plot dat using 1:(column(c)):4:xtic(2) with boxes lc rgb variable notitle, \
	     '' using 1:(column(c)):(sprintf("%.4g", column(c))) with labels offset 0,0.6 font ",8" notitle
}
unset multiplot

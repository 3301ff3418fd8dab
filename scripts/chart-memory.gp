# chart-memory.gp: a panel per figure with something to show, of: frames copied, frame-sized
# allocations and minor page faults per transfer, and the process's peak RSS.  A figure that is
# zero (or absent) in every row has no panel: charts.sh leaves it out and says so.  The panels
# are stacked over the chart's whole width and share one axis: the strategies are named once,
# under the last panel.
# Variables: dat (report-data.jq's bars), panels (the columns to draw, of "9 10 11 12"; the
# label of column c is column c + 8), ttl, labels (chart-labels.gp), W, H.
np = words(panels)
stats dat using 1 nooutput
n = STATS_records
stats dat using (strlen(strcol(2))) name "NAME" nooutput
# The names' turn is the same for every panel (same bars, same width): from chart-labels.gp.
LAB_dat = dat; LAB_col = 2; LAB_n = n; LAB_w = W - 110; LAB_h = H; LAB_pt = 8; LAB_ticpt = 9
load labels
# Screen shares: the title at the top, the names under the last panel, a panel title between.
names = (NAME_max * 9 * PX_PT * 0.6 * sin(TIC_angle * pi / 180) + 30) / H
names = names > 0.35 ? 0.35 : names
gap = 28.0 / H
# The last name, turned, runs right of its bar: the right margin holds it.
stats dat using (strlen(strcol(2))) every ::(n - 1)::(n - 1) name "LAST" nooutput
right = (LAST_max * 9 * PX_PT * 0.6 * cos(TIC_angle * pi / 180) - (W - 110) / n / 2 + 20) / W
right = right < 20.0 / W ? 20.0 / W : right
top = 1 - 50.0 / H
ph = ((top - names) - (np - 1) * gap) / np     # a panel's height, screen share
# A step of 1, 2 or 5 times a power of ten giving about three tics up to the highest bar.
nice(x) = x <= 0 ? 1 : (m = x / 10**floor(log10(x)), \
          (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * 10**floor(log10(x)))
panel_title(c) = c == 9 ? "frames copied per transfer (bytes copied / frame size)" : \
                 c == 10 ? "frame-sized allocations per transfer" : \
                 c == 11 ? "minor page faults per transfer" : "peak RSS of the process (MiB)"
set multiplot title ttl
set style fill solid 0.85 border rgb "black"
set boxwidth 0.65
set grid ytics
set yrange [0:*]
set xrange [-0.6:n - 0.4]
set lmargin at screen 90.0 / W
set rmargin at screen 1 - right
unset key
i = 0
do for [p in panels] {
	c = int(p)
	i = i + 1
	t = top - (i - 1) * (ph + gap)
	set tmargin at screen t
	set bmargin at screen t - ph
	LAB_dat = dat; LAB_col = c + 8; LAB_n = n; LAB_w = W - 110; LAB_h = ph * H; LAB_pt = 8; LAB_ticpt = 9
	load labels
	stats dat using c name "V" nooutput
	set ytics 0, nice(V_max / 3) nomirror font ",8"
	set offsets 0, 0, graph LAB_top, 0
	set label 1 panel_title(c) at graph 0, graph 1 left offset 0,0.6 font ",9"
	if (i == np) {
		set xtics rotate by -TIC_angle nomirror font ",9"
		plot dat using 1:(column(c)):4:xtic(2) with boxes lc rgb variable notitle, \
		     '' using 1:(column(c)):(LAB_mode == 0 ? strcol(c + 8) : "") with labels center offset 0,0.7 font ",8" notitle, \
		     '' using 1:(column(c)):(LAB_mode == 90 ? strcol(c + 8) : "") with labels rotate by 90 left offset 0,0.4 font ",8" notitle
	} else {
		set xtics 1 format "" scale 0 nomirror
		plot dat using 1:(column(c)):4 with boxes lc rgb variable notitle, \
		     '' using 1:(column(c)):(LAB_mode == 0 ? strcol(c + 8) : "") with labels center offset 0,0.7 font ",8" notitle, \
		     '' using 1:(column(c)):(LAB_mode == 90 ? strcol(c + 8) : "") with labels rotate by 90 left offset 0,0.4 font ",8" notitle
	}
}
unset multiplot

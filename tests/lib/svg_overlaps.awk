# svg_overlaps.awk: the pairs of texts of a gnuplot SVG chart that run into each other.
#
#   awk -f tests/lib/svg_overlaps.awk CHART.svg    prints one line per pair, and per text that
#                                                  leaves the chart, exit 1 when any
#
# gnuplot's SVG terminal writes each text as <g transform="translate(X,Y) [rotate(A)]" ...
# font-size="S" text-anchor="start|middle|end"> then <text>...</text>: the baseline starts at
# X,Y and turns by A degrees (clockwise on screen).  Each text is taken as a box as wide as its
# characters in DejaVu Sans (gnuplot's "sans": digits 0.64 em, a space 0.32, ...; chars()),
# from 0.7 em above its baseline to 0.15 em below, at the PNG's size: the PNG that
# the reports show is drawn at the same positions with a point 1.33 pixels, and the chart's own
# font (12 in the SVG) at 10 points (scripts/chart-render.gp; scripts/chart-labels.gp estimates
# with the same figures).  Two boxes overlap when they overlap along
# each of their four sides' directions (separating axes) by more than one pixel.
BEGIN { PX = 1.33; n = 0; W = H = 0 }

# The width of S in em, DejaVu Sans's advances rounded up.
function chars(s,   i, c, w) {
	w = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c ~ /[il.,:;'|!]/) w += 0.32
		else if (c ~ /[ \/()\[\]ftrj-]/) w += 0.42
		else if (c ~ /[mw@%]/) w += 1.0
		else if (c ~ /[A-Z]/) w += 0.78
		else w += 0.64
	}
	return w
}

/^ width="[0-9.]*" height="[0-9.]*"/ && !W {     # the root <svg>'s size, on a line of its own
	w = $0; sub(/.*width="/, "", w); sub(/".*/, "", w); W = w + 0
	h = $0; sub(/.*height="/, "", h); sub(/".*/, "", h); H = h + 0
}

/<g transform="translate\(/ {
	s = $0
	sub(/.*translate\(/, "", s); split(s, xy, /[,)]/)
	x = xy[1] + 0; y = xy[2] + 0; a = 0
	if ($0 ~ /rotate\(/) { r = $0; sub(/.*rotate\(/, "", r); sub(/\).*/, "", r); a = r + 0 }
	fs = 12
	if ($0 ~ /font-size="/) { f = $0; sub(/.*font-size="/, "", f); sub(/".*/, "", f); fs = f + 0 }
	anchor = "start"
	if ($0 ~ /text-anchor="/) { t = $0; sub(/.*text-anchor="/, "", t); sub(/".*/, "", t); anchor = t }
	pending = 1
	next
}

pending && /<text>/ {
	pending = 0
	s = $0
	sub(/.*<text>/, "", s); sub(/<\/text>.*/, "", s)
	gsub(/<[^>]*>/, "", s)
	gsub(/&[a-z]+;|&#[0-9]+;/, "_", s)
	if (s ~ /^[ \t]*$/) next
	em = (fs == 12 ? 10 : fs) * PX
	w = chars(s) * em
	x0 = anchor == "middle" ? -w / 2 : anchor == "end" ? -w : 0
	n++
	txt[n] = s
	# corners in the text's own frame: along the baseline u, across it v (down positive)
	rad = a * 3.14159265358979 / 180
	c = cos(rad); sn = sin(rad)
	ux[n] = c; uy[n] = sn; vx[n] = -sn; vy[n] = c
	split(x0 " " x0 + w " " x0 + w " " x0, us, " ")
	split(-0.7 * em " " -0.7 * em " " 0.15 * em " " 0.15 * em, vs, " ")
	for (k = 1; k <= 4; k++) {
		cx[n, k] = x + us[k] * c - vs[k] * sn
		cy[n, k] = y + us[k] * sn + vs[k] * c
	}
	next
}

# The overlap of boxes i and j along the direction (dx, dy), in pixels (negative: apart).
function depth(i, j, dx, dy,   k, p, mini, maxi, minj, maxj) {
	mini = minj = 1e9; maxi = maxj = -1e9
	for (k = 1; k <= 4; k++) {
		p = cx[i, k] * dx + cy[i, k] * dy
		if (p < mini) mini = p; if (p > maxi) maxi = p
		p = cx[j, k] * dx + cy[j, k] * dy
		if (p < minj) minj = p; if (p > maxj) maxj = p
	}
	return (maxi < maxj ? maxi : maxj) - (mini > minj ? mini : minj)
}

END {
	bad = 0
	for (i = 1; i <= n; i++) for (k = 1; k <= 4; k++)
		if (W > 0 && (cx[i, k] < -1 || cx[i, k] > W + 1 || cy[i, k] < -1 || cy[i, k] > H + 1)) {
			printf "%s: '%s' leaves the %dx%d chart\n", FILENAME, txt[i], W, H
			bad++
			break
		}
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) {
		if (depth(i, j, ux[i], uy[i]) <= 1 || depth(i, j, vx[i], vy[i]) <= 1) continue
		if (depth(i, j, ux[j], uy[j]) <= 1 || depth(i, j, vx[j], vy[j]) <= 1) continue
		printf "%s: '%s' overlaps '%s'\n", FILENAME, txt[i], txt[j]
		bad++
	}
	exit bad > 0
}

# report.mk: charts and reports drawn from the results JSON (gnuplot, jq, headless Chromium).
#
#   make charts              results/charts/<scenario>-{time,throughput,memory,gc}.{svg,png}
#   make report              the charts, then results/report.md, results/summary.md (the same
#                            without images, for a CI job summary) and results/report.html, and
#                            results/bridges.md (scripts/bridges.sh) when a bridge was run
#   make charts-and-report   the same as report; make bench ends with it and prints the paths
#   make sweep               every scenario over SWEEP_SIZES into results/sweep/, then
#                            results/charts/<scenario>-scaling.{svg,png} and the reports
#   make check-report        the report in headless Chromium: the screenshot must not be blank,
#                            the answer matrix must be on the first screen (1280x800) before
#                            any other section or chart and hold every result; checks a report
#                            of the test fixtures, that the check fails on two broken copies of
#                            it (answer moved to the end, a matrix row dropped), and
#                            results/report.html too when there is one
#
# Variables: SWEEP_SIZES (frame sizes for sweep), SWEEP_ARGS (scenario options, default one
#            measuring process), QUICK=1 (short runs), CHROMIUM (browser),
#            REPORT=0 (charts-and-report does nothing: for runs into results/baseline/, say)

SWEEP_SIZES ?= 256x256 640x480 1280x720 1920x1080 3840x2160 7680x4320
# One measuring process per size: the scaling chart shows slopes over a factor of 500 in
# size, not differences of a few percent.
SWEEP_ARGS ?= --processes 1
REPORT_FIXTURES = tests/fixtures/report

.PHONY: charts report charts-and-report sweep check-report report-deps

report-deps:
	@scripts/deps.sh report

# The results present are the input: no scenario list is kept here.  Globs are expanded by the
# shell when the recipe runs, so that results written earlier in the same make run are seen.
charts: report-deps
	@set -- $(RESULTS)/*.json; \
	if [ ! -e "$$1" ]; then echo "no results in $(RESULTS)/ (run: make bench)" >&2; exit 2; fi; \
	scripts/charts.sh $(RESULTS)/charts "$$@" >/dev/null
	@if ls $(RESULTS)/sweep/*.json >/dev/null 2>&1; then \
		scripts/charts.sh --sweep $(RESULTS)/charts $(RESULTS)/sweep/*.json >/dev/null; fi

ifeq ($(REPORT),0)
charts-and-report:
	@echo "charts and report skipped (REPORT=0)"
else
charts-and-report: report
endif

report: charts
	@scripts/report.sh $(RESULTS) $$(ls $(RESULTS)/*.json 2>/dev/null) >/dev/null
	@echo "charts:  $(RESULTS)/charts/ ($$(ls $(RESULTS)/charts/*.svg | wc -l) charts, SVG and PNG)"
	@echo "report:  $(RESULTS)/report.html"
	@echo "markdown: $(RESULTS)/report.md (charts linked), $(RESULTS)/summary.md (for a CI job summary: no images)"
	@b=$$(for s in $(BRIDGE_SCENARIOS); do [ ! -e $(RESULTS)/$$s.json ] || echo $(RESULTS)/$$s.json; done); \
	if [ -n "$$b" ]; then \
		scripts/bridges.sh $$b >$(RESULTS)/.bridges.md && mv $(RESULTS)/.bridges.md $(RESULTS)/bridges.md && \
		echo "bridges: $(RESULTS)/bridges.md (What your bridge does)"; \
	else rm -f $(RESULTS)/bridges.md; fi

# Each run writes its own results/sweep/<scenario>-<size>.json; the scaling charts and the
# reports are drawn from all of them.
sweep: all report-deps
	@mkdir -p $(RESULTS)/sweep
	@set -e; for s in $(SCENARIOS); do for size in $(SWEEP_SIZES); do \
		echo "== $$s $$size"; \
		$(BUILD)/bin/$$s --frame $$size $(if $(filter 1,$(QUICK)),--quick) $(SWEEP_ARGS) \
			--out $(RESULTS)/sweep/$$s-$$size.json; \
	done; done
	@scripts/charts.sh --sweep $(RESULTS)/charts $(RESULTS)/sweep/*.json
	@scripts/report.sh $(RESULTS) $$(ls $(RESULTS)/*.json 2>/dev/null)

# The fixtures make the check independent of a bench run (CI runs it after make test).
check-report: report-deps
	@scripts/deps.sh browser
	@rm -rf $(BUILD)/check-report && mkdir -p $(BUILD)/check-report/sweep
	@cp $(REPORT_FIXTURES)/*.json $(BUILD)/check-report/
	@cp $(REPORT_FIXTURES)/sweep/*.json $(BUILD)/check-report/sweep/
	@scripts/charts.sh $(BUILD)/check-report/charts $(BUILD)/check-report/*.json >/dev/null
	@scripts/charts.sh --sweep $(BUILD)/check-report/charts $(BUILD)/check-report/sweep/*.json >/dev/null
	@scripts/report.sh $(BUILD)/check-report $(BUILD)/check-report/*.json >/dev/null
	@scripts/check-report.sh $(BUILD)/check-report
	@# The check must be able to fail: on the same report with its answer section moved to the
	@# end of the page, and with the matrix's last row dropped.
	@rm -rf $(BUILD)/check-report-broken && mkdir -p $(BUILD)/check-report-broken/moved \
		$(BUILD)/check-report-broken/dropped
	@cp $(BUILD)/check-report/*.json $(BUILD)/check-report-broken/moved/
	@cp $(BUILD)/check-report/*.json $(BUILD)/check-report-broken/dropped/
	@sed '/^<section id="answer">/,/^<\/section>/{H;d}; /^<\/body>/{x;s/^\n//;G}' \
		$(BUILD)/check-report/report.html >$(BUILD)/check-report-broken/moved/report.html
	@n=$$(grep -n '^<tr data-scenario=' $(BUILD)/check-report/report.html | tail -n 1 | cut -d: -f1); \
	sed "$${n}d" $(BUILD)/check-report/report.html >$(BUILD)/check-report-broken/dropped/report.html
	@for broken in moved dropped; do \
		d=$(BUILD)/check-report-broken/$$broken; \
		case $$broken in moved) want="first screen:";; *) want="missing from the answer matrix";; esac; \
		if scripts/check-report.sh $$d >$$d.log 2>&1; then \
			echo "check-report: the check passed the broken report $$d/report.html" >&2; exit 1; fi; \
		grep -q "$$want" $$d.log || { cat $$d.log >&2; exit 1; }; \
		echo "check-report.sh: fails as it should on $$d/report.html: $$(grep -m1 "$$want" $$d.log | cut -c18-)"; \
	done
	@if [ -s $(RESULTS)/report.html ]; then scripts/check-report.sh $(RESULTS); fi

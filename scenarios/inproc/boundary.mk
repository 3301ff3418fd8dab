# boundary.mk: what the inproc boundary adds to the project's lists. Google Benchmark and the
# counting hooks run on the calling thread here: ThreadSanitizer checks that they stay quiet.
TSAN_SCENARIOS += inproc

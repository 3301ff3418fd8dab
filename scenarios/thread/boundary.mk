# boundary.mk: what the thread boundary adds to the project's lists. Its producer and consumer
# are threads, so ThreadSanitizer checks it (make check-sanitize).
TSAN_SCENARIOS += thread

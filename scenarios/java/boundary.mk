# boundary.mk: java is a runtime boundary (the Makefile's RUNTIME_SCENARIOS): a real JVM in
# the process, built only where a JDK with its JNI headers and libjvm.so is installed.
#
# The JDK is the one javac belongs to (readlink -f, through the alternatives' links); every
# variable is recursive, so that it is read after scripts/deps.sh had its chance to install.
RUNTIME_SCENARIOS += java
java_PACKAGES = default-jdk-headless
java_HOME = $(shell j=$$(command -v javac) && dirname "$$(dirname "$$(readlink -f "$$j")")")
java_PRESENT = j=$$(command -v javac) && h=$$(dirname "$$(dirname "$$(readlink -f "$$j")")") && \
	test -f "$$h/include/jni.h" && test -f "$$h/include/linux/jni_md.h" && \
	test -f "$$h/lib/server/libjvm.so"
# libjvm.so is not linked: the measuring processes dlopen it when they create the JVM
# (jvm.c says why), from the path the objects are compiled with.
java_LIBS =
$(BUILD)/obj/scenarios/java/%.o: private ALL_CFLAGS += -isystem $(java_HOME)/include \
	-isystem $(java_HOME)/include/linux \
	-DZC_JAVA_LIBJVM='"$(java_HOME)/lib/server/libjvm.so"'

# The Java consumer, compiled beside the program (build/lib/java/), where it finds it at run
# time (-Djava.class.path), as its test does.
$(BUILD)/lib/java/Consumer.class: scenarios/java/Consumer.java
	@mkdir -p $(@D)
	javac -Xlint:all $(WERROR) -d $(@D) $<
$(BUILD)/bin/java: $(BUILD)/lib/java/Consumer.class
$(BUILD)/tests/test_java: $(BUILD)/lib/java/Consumer.class

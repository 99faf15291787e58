# tldb -- a thin front to CMake.  `make run` and `make test` set up
# everything on a fresh Debian 12 machine (scripts/deps.sh installs what is
# missing when run as root), build, and run.
BUILD     ?= build
PREFIX    ?= /usr/local
CMAKE_ARGS ?=
TLDB      := $(BUILD)/tldb
RUN_DB    := $(BUILD)/run/tldb.db

.PHONY: all deps test-deps configure build build-programs run test sanitize fuzz install bench format check-format clean

all: build

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test
	@scripts/npm-deps.sh $(BUILD)

# CMake runs on every build, not only when the cache is missing: a configure
# that failed half-way (a package missing, an interrupt) leaves a cache and no
# Makefile, and the next run must recover from that by itself.  Re-running it
# on a complete cache takes about a second.  TESTS=ON requires Criterion,
# AUTO (the default) builds the tests only when it is installed.
TESTS ?= AUTO
configure:
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) -DTLDB_TESTS=$(TESTS) $(CMAKE_ARGS)

build: configure
	cmake --build $(BUILD) -j2

# The command, the library and the plugins only: what `make run` needs.
build-programs: configure
	cmake --build $(BUILD) -j2 --target tldb-programs

# Loads the bundled timelines into an embedded database under the build
# folder, queries them, and serves them as calendar feeds until Ctrl-C
# (LISTEN=HOST:PORT to move it; SERVE_PREFIX="timeout -s TERM 5" to stop
# it by itself, as CI does).
LISTEN       ?= 127.0.0.1:8080
SERVE_PREFIX ?=
run: deps
	@$(MAKE) --no-print-directory build-programs
	@mkdir -p $(BUILD)/run
	$(TLDB) --db $(RUN_DB) import timelines/*.json
	$(TLDB) --db $(RUN_DB) timeline list
	$(TLDB) --db $(RUN_DB) query 2022-02..2022-09
	$(SERVE_PREFIX) $(TLDB) --db $(RUN_DB) serve --listen $(LISTEN)

# Every test: the Criterion suites through CTest, then the SDK as a third
# party meets it (install into a temporary prefix, build the plugin template
# out of tree, check it).
test: test-deps
	@$(MAKE) --no-print-directory TESTS=ON build
	cd $(BUILD) && ctest --output-on-failure
	tests/install/check.sh

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: test-deps
	@$(MAKE) --no-print-directory BUILD=build-asan TESTS=ON CMAKE_ARGS="-DTLDB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_ARGS)" build
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure

# libFuzzer on every harness of tests/fuzz (FUZZ=NAME for one), each for
# FUZZ_SECONDS, in its own build folder (clang, ASan, UBSan).  A crash
# stops it non-zero, naming the saved input to copy into
# tests/fuzz/crashes/NAME/.
FUZZ_SECONDS ?= 60
FUZZ         ?=
fuzz:
	@scripts/deps.sh fuzz
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ)

install: deps
	@$(MAKE) --no-print-directory build-programs
	cmake --install $(BUILD)

# BENCH_SUITE=store, formats, article or serve runs one benchmark.
# scripts/deps.sh bench: the test packages (the format benchmark's peers
# sqlite3 and python3-icalendar) and the feed server's (wrk, nginx-light).
BENCH_SUITE ?= all
bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory build
	cmake --build $(BUILD) --target bench-store bench-series bench-libical bench-article
	bench/run.sh $(BUILD) $(BENCH_SUITE)

SOURCES = include/tldb/*.h core/*.[ch] core/*/*.[ch] cli/*.[ch] checker/*.[ch] plugins/*/*.[ch] server/*.[ch] \
	  tests/*/*.[ch] tests/plugins/fixtures/*.[ch] \
	  bench/*.c examples/plugin-template/*.c

format:
	clang-format -i $(SOURCES)

check-format:
	clang-format --dry-run -Werror $(SOURCES)

clean:
	rm -rf $(BUILD) build-asan build-install build-fuzz

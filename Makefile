# dutlab: the two commands (make demo, make check) and the long runs, around Meson and Ninja.
BUILD ?= build
FUZZ_BUILD ?= build-fuzz
MESON_FLAGS ?= -Dwerror=true
FUZZ_SECONDS ?= 600

.PHONY: all deps deps-build build check check-unit check-lab check-peers check-fuzz lint format demo bench fuzz soak clean lab-down

all: build

deps:
	./tools/install-deps.sh all

deps-build:
	./tools/install-deps.sh build

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_FLAGS)

build: deps-build $(BUILD)/build.ninja
	ninja -C $(BUILD)

# Every test: unit and protocol tests, the fuzz smoke run (ASan+UBSan), the
# lab tests against real daemons in network namespaces, format and lint.
check: deps build
	./tools/check-sources.sh
	meson test -C $(BUILD) --print-errorlogs --suite unit --suite proto
	$(MAKE) check-fuzz
	$(MAKE) lint
	$(MAKE) check-lab

check-unit: build
	meson test -C $(BUILD) --print-errorlogs --suite unit --suite proto

check-lab: build
	./tests/lab/run-lab-tests.sh $(BUILD)

# The TLS audit against testssl.sh on every server of the lab's TLS matrix (the sslscan
# comparison is part of check-lab); apart because testssl.sh takes minutes.
check-peers: deps build
	./tests/lab/tls/compare-testssl.sh $(BUILD)

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzzers=true -Dtests=true -Db_lundef=false

check-fuzz: deps-build $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD) $$(./tests/fuzz/smoke-targets.sh $(FUZZ_BUILD))
	meson test -C $(FUZZ_BUILD) --no-rebuild --print-errorlogs --suite fuzz-smoke

# The long fuzzing run: every target for FUZZ_SECONDS each.
fuzz: deps-build $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	./tests/fuzz/run-all.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

lint:
	./tools/lint.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

demo: deps build
	./lab/demo.sh $(BUILD)

# The robustness campaigns at the standard's length (8 h) against the good firewall and switch.
SOAK_SECONDS ?= 28800
soak: deps build
	./lab/soak.sh $(BUILD) $(SOAK_SECONDS)

# Speed and memory, side by side with the peer tool, reported as ratios. Every bench runs even
# when an earlier one misses its goal; the target fails at the end naming those that did.
BENCHES = scan-vs-nmap campaign-memory tls-vs-peers l2-vs-trafgen sessions-vs-scapy
bench: deps build
	@failed=""; \
	for b in $(BENCHES); do \
		DUTLAB=$(BUILD)/src/cli/dutlab ./bench/$$b.sh || failed="$$failed $$b"; \
	done; \
	if [ -n "$$failed" ]; then echo "bench: failed:$$failed" >&2; exit 1; fi

lab-down:
	for name in $$(./lab/lab list | awk 'NR > 1 {print $$1}'); do ./lab/lab down "$$name"; done

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)

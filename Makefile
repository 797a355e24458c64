# SPDX-License-Identifier: Apache-2.0
# The two quick-start commands: `make run` and `make test`. Both install what they need.
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
TSAN_BUILD ?= build-tsan
LISTEN ?= 127.0.0.1:8443
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CERTS = $(BUILD)/dev-certs

PREFIX ?= /usr/local

.PHONY: all deps build install run test test-release test-asan test-tsan test-fuzz clean

all: build

deps:
	@bash scripts/deps.sh test

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMG_WERROR=ON >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# PREFIX/bin/migguard, and kubectl-migguard and oc-migguard linked to it (kubectl and oc
# plugins: `kubectl migguard report --node worker-3`). PREFIX/bin must be on PATH.
install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

$(CERTS)/tls.crt: build
	@$(BUILD)/cli/migguard certs create --out $(CERTS) --ip 127.0.0.1 --ip ::1 --dns localhost \
		--service migguard --namespace migguard

# Runs the webhook on loopback with the embedded default configuration.
run: build $(CERTS)/tls.crt
	@echo "Send it a review (in another shell):"
	@echo "  curl --cacert $(CERTS)/ca.crt -H 'Content-Type: application/json' \\"
	@echo "       --data @tests/data/migrationpolicy-create.review.json https://$(LISTEN)/validate"
	@echo "Or offline: $(BUILD)/cli/migguard review tests/data/migrationpolicy-create.review.json"
	@exec $(BUILD)/cli/migguard serve --listen $(LISTEN) \
		--tls-cert $(CERTS)/tls.crt --tls-key $(CERTS)/tls.key

# The whole suite: a -Werror build, then again under AddressSanitizer + UBSan, the
# threaded parts under ThreadSanitizer, then a short libFuzzer run of every parser.
test: test-release test-asan test-tsan test-fuzz

test-release: build
	@ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMG_WERROR=ON \
		-DMG_SANITIZE=address,undefined >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS)

# Concurrency: the engine under parallel policy writes and VM reviews, the server, the
# batched decision log, pending policies and their expiry thread, the periodic ticker, the
# replicas' Lease.
test-tsan: deps
	@cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMG_WERROR=ON -DMG_SANITIZE=thread >/dev/null
	@cmake --build $(TSAN_BUILD) -j$(JOBS)
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		ctest --test-dir $(TSAN_BUILD) --output-on-failure -R 'concurrency|server|https|policy_conflict|kube|rotation|state_reload|logbuf|metrics|port_in_use|pending|ticker|background|policy_replicas|policy_audit|client_auth|stop_blocked'

test-fuzz: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DMG_FUZZ=ON \
		-DMG_SANITIZE=address,undefined >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz_review fuzz_json fuzz_quantity fuzz_yaml fuzz_labels \
		fuzz_state fuzz_jsonlist fuzz_jsonpatch
	@ctest --test-dir $(FUZZ_BUILD) --output-on-failure -R '^fuzz_'

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)

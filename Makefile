# drtop — plain make. `make demo` and `make test` are all a fresh Debian
# machine needs: both depend on `deps`, which installs what is missing.

PREFIX ?= /usr/local
BUILD ?= build
CC ?= cc
PKGS := ncursesw libcurl libcjson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wpointer-arith
OPT ?= -O2 -g
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE $(WARN) $(OPT) -MMD -MP -Icore \
	$(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL := $(PKG_LIBS) -lresolv -lpthread -lm $(LDLIBS)

# `make SAN=thread BUILD=build-tsan` builds with ThreadSanitizer.
ifeq ($(SAN),thread)
CFLAGS_ALL += -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS += -fsanitize=thread
OPT = -O1 -g
endif
# `make SAN=1 BUILD=build-asan` builds everything with ASan + UBSan.
ifeq ($(SAN),1)
CFLAGS_ALL += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

CORE_SRC := $(sort $(wildcard core/*/*.c))
TUI_SRC := $(sort $(wildcard tui/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
TUI_OBJ := $(TUI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB := $(BUILD)/libdrtop.a
# tui/ objects except main, so unit tests can link views and layout.
TUI_LIB := $(BUILD)/libdrtop-tui.a
TUI_LIB_OBJ := $(filter-out $(BUILD)/tui/main.o,$(TUI_OBJ))
ifeq ($(BUILD),build)
BIN := drtop
else
BIN := $(BUILD)/drtop
endif

.PHONY: all deps demo test test-asan test-tsan test-unit bench soak install clean \
	man-keys \
	fmt fmt-check fuzz-check check-layers tests

all: $(BIN)

deps:
	@sh tools/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIB): $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(TUI_LIB): $(TUI_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(TUI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(TUI_OBJ) $(LIB) $(LDLIBS_ALL)

# tests/unit/*.c that are not test_*.c (helpers.c, fixtures): what the
# unit tests share, linked into each.
TEST_SUPPORT := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
TEST_HELPERS := $(TEST_SUPPORT:tests/unit/%.c=$(BUILD)/tests/%.o)
# kept between builds (not intermediate files make deletes)
.SECONDARY: $(TEST_HELPERS)
$(BUILD)/tests/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/tests/%: tests/unit/%.c $(TEST_HELPERS) $(LIB) $(TUI_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itui $(LDFLAGS) -o $@ $< $(TEST_HELPERS) \
		$(TUI_LIB) $(LIB) $(CMOCKA_LIBS) $(LDLIBS_ALL)

tests: $(BIN) $(UNIT_BIN)

demo: deps
	@$(MAKE) --no-print-directory all
	./drtop --demo

test: deps
	@$(MAKE) --no-print-directory tests
	@sh tests/run.sh $(BUILD) $(BIN)

test-unit: tests
	@sh tests/run.sh --unit-only $(BUILD) $(BIN)

test-asan: deps
	@$(MAKE) --no-print-directory SAN=1 BUILD=build-asan tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		sh tests/run.sh build-asan build-asan/drtop

# ThreadSanitizer over the threaded modules: the queue, the probe thread,
# the DNS observer, the simulator, the action runner, and their shutdown.
TSAN_TESTS := test_queue test_probe_http test_probe_sched test_probe_tls \
	test_probe_faults test_probe_public test_dns_answers test_dns_hostile \
	test_dns_scripted test_dns_dnsmasq test_simdns test_sim_config \
	test_sim_answers test_sim_clients test_sim_tm test_sim_control \
	test_httpd test_actions test_runbook test_demo test_session
test-tsan: deps
	@$(MAKE) --no-print-directory SAN=thread BUILD=build-tsan \
		$(TSAN_TESTS:%=build-tsan/tests/%)
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		sh tests/run.sh --unit-only --only "$(TSAN_TESTS)" build-tsan \
		build-tsan/drtop

bench: deps
	@$(MAKE) --no-print-directory all
	@sh tests/bench/run.sh

# An hour at 1,000 endpoints (not in CI): RSS and descriptors every
# minute, the slope after warm-up. SOAK_MINUTES, SOAK_ENDPOINTS change it.
soak: deps
	@$(MAKE) --no-print-directory all
	@sh tests/bench/soak.sh

FMT_FILES = $(wildcard core/*/*.[ch] tui/*.[ch] tests/unit/*.[ch] \
	tests/fuzz/*.c tests/bench/*.c)
fmt:
	clang-format -i $(FMT_FILES)

fmt-check:
	clang-format --dry-run -Werror $(FMT_FILES)

# Builds the fuzz harnesses (clang, libFuzzer) and replays their seed
# corpora once; CI runs it. `make -f tests/fuzz/Makefile fuzz` fuzzes.
fuzz-check: deps
	@$(MAKE) --no-print-directory -f tests/fuzz/Makefile fuzz-replay

check-layers:
	@sh tools/check-layers.sh

# Everything under $(DESTDIR)$(PREFIX): the binary, the manual (its
# FILES section names $(PREFIX) instead of /usr/local), the themes, and
# the documents the manual points to, laid out as in the source tree so
# their links work: share/doc/drtop/{README.md,doc/,examples/}.
DOCDIR = $(PREFIX)/share/doc/drtop
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/drtop/themes $(DESTDIR)$(DOCDIR)/doc \
		$(DESTDIR)$(DOCDIR)/examples/actions
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/drtop
	sed 's|/usr/local|$(PREFIX)|g' man/drtop.1 \
		>$(DESTDIR)$(PREFIX)/share/man/man1/drtop.1
	chmod 644 $(DESTDIR)$(PREFIX)/share/man/man1/drtop.1
	install -m 644 themes/* $(DESTDIR)$(PREFIX)/share/drtop/themes/
	install -m 644 README.md LICENSE $(DESTDIR)$(DOCDIR)/
	install -m 644 doc/*.md $(DESTDIR)$(DOCDIR)/doc/
	install -m 644 examples/*.json $(DESTDIR)$(DOCDIR)/examples/
	install -m 755 examples/actions/*.sh $(DESTDIR)$(DOCDIR)/examples/actions/

# The manual's KEYS section, from the key tables (`drtop --keys-man`);
# tests/integration/test_manpage.py fails when it is out of date.
man-keys: $(BIN)
	@sh tools/man-keys.sh ./$(BIN) man/drtop.1

clean:
	rm -rf build build-asan build-tsan drtop

-include $(CORE_OBJ:.o=.d) $(TUI_OBJ:.o=.d) $(TEST_HELPERS:.o=.d)

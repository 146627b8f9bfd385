# siyu — build, test and demo.
#
#   make          build bin/siyu (installs missing Debian packages first: make deps)
#   make check    unit tests (cmocka), SQL tests (pgTAP), integration tests; ASan+UBSan
#   make demo     the nightly job end to end on a private PostgreSQL under var/
#   make validate slow checks outside make check: the real-data cross-check on Online Retail
#                 (a missing dataset fails it: validating nothing is no success)
#   make bench    throughput ratios (see README)
#   make mutants  deliberate bugs (tests/mutants) each in a scratch copy: the tests named
#                 must catch every one (~1 min each; make check only checks they still apply)
#   make fuzz     libFuzzer targets (clang, ASan+UBSan) of tests/fuzz/, each run FUZZ_TIME s
#   make install  PREFIX=/usr/local DESTDIR=: the binary, the SQL, man pages, docs,
#                 systemd units (README "Install and schedule")
#   make docs     regenerate docs/warehouse.md from the database's COMMENT ON text
#
# SAN=1 builds everything with AddressSanitizer and UndefinedBehaviorSanitizer
# into build/san (make check does this by itself).

.DELETE_ON_ERROR:
.SUFFIXES:

PKG_CONFIG ?= pkg-config
CC ?= cc
PKGS := libpq libcurl zlib json-c libcrypto libmicrohttpd libzip expat xlsxwriter

ifeq ($(SAN),1)
BUILD ?= build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT ?= -O1 -g
else
BUILD ?= build/rel
SAN_FLAGS :=
OPT ?= -O2 -g
endif

WARNINGS := -Wall -Wextra -Werror -pedantic -Wstrict-prototypes -Wmissing-prototypes \
	-Wshadow -Wformat-security -Wwrite-strings -Wvla
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
FINAL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude $(WARNINGS) \
	$(OPT) $(SAN_FLAGS) $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
FINAL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lcsv -lpthread -lm

# Quiet by default; make V=1 shows the commands.
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

LIB_SRC := $(sort $(wildcard common/*.c extract/*.c transform/*.c load/*.c source/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
FAKE_SRC := $(sort $(wildcard tests/fakes/*.c))
# the fake servers' shared HTTP plumbing (tests/fakes/lib/fake_server.h)
FAKELIB_SRC := $(sort $(wildcard tests/fakes/lib/*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FAKE_BIN := $(FAKE_SRC:tests/fakes/%.c=$(BUILD)/fakes/%)
FAKELIB := $(BUILD)/libfake.a
LIBSIYU := $(BUILD)/libsiyu.a
SIYU_BIN := $(BUILD)/bin/siyu

.PHONY: all deps check unit-tests sql-tests integration-tests demo bench clean distclean \
	check-build valgrind validate mutants fuzz fuzz-build install docs

# deps first, then the build in a second make: with -j the two prerequisites of one rule
# run at once, and a fresh machine compiled before libpq-dev was installed
all: deps
	@$(MAKE) --no-print-directory bin/siyu

bin/siyu: $(SIYU_BIN)
	@mkdir -p bin
	$(Q)cp $< $@

deps:
	@scripts/deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(CC) $(FINAL_CFLAGS) -c $< -o $@

$(LIBSIYU): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(SIYU_BIN): $(CLI_OBJ) $(LIBSIYU)
	@mkdir -p $(dir $@)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIBSIYU) $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBSIYU)
	@mkdir -p $(dir $@)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $< $(LIBSIYU) -lcmocka $(LIBS)

$(FAKELIB): $(FAKELIB_SRC:%.c=$(BUILD)/%.o)
	@mkdir -p $(dir $@)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/fakes/%: $(BUILD)/tests/fakes/%.o $(FAKELIB) $(LIBSIYU)
	@mkdir -p $(dir $@)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $< $(FAKELIB) $(LIBSIYU) $(LIBS)

# Every public header compiles on its own (postgres' headerscheck).
HEADERS := $(sort $(wildcard include/siyu/*/*.h))
HEADER_STAMPS := $(HEADERS:include/siyu/%.h=$(BUILD)/headers/%.ok)
$(BUILD)/headers/%.ok: include/siyu/%.h
	@mkdir -p $(dir $@)
	$(call msg,HDR,$<)
	$(Q)printf '#include "siyu/%s.h"\n' $* | $(CC) $(FINAL_CFLAGS) -MF /dev/null -x c -fsyntax-only - && touch $@

# Fuzzing (tests/fuzz/README.md): every tests/fuzz/fuzz_NAME.c is a libFuzzer target,
# linked with the library built by clang with coverage, ASan and UBSan into build/fuzz.
FUZZ_CC ?= clang-14
FUZZ_BUILD := build/fuzz
FUZZ_TIME ?= 60
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude $(WARNINGS) \
	-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -MMD -MP $(CFLAGS)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,FUZZCC,$<)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/libsiyu.a: $(FUZZ_LIB_OBJ)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# kept, so that make does not delete them after linking (nor compile them again next
# time) and make demo's output ends with the report's path, not make's "rm ..."
.SECONDARY: $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.o) \
	$(FAKE_SRC:tests/fakes/%.c=$(BUILD)/tests/fakes/%.o)

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_BUILD)/libsiyu.a
	$(call msg,LINK,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libsiyu.a $(LIBS)

# kept, so that a second make fuzz-build does not compile them again
.SECONDARY: $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/tests/fuzz/%.o)

fuzz-build: $(FUZZ_BIN)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TIME)

# The programs make check needs, built by a recursive make with SAN=1.
check-build: $(SIYU_BIN) $(TEST_BIN) $(FAKE_BIN) $(HEADER_STAMPS)

check: deps
	@$(MAKE) --no-print-directory SAN=1 check-build
	@$(MAKE) --no-print-directory fuzz-build
	@scripts/check.sh build/san

demo: deps
	@$(MAKE) --no-print-directory bin/siyu $(addprefix $(BUILD)/fakes/fake_,wecom youzan taobao jd pdd douyin channels) \
		$(BUILD)/fakes/wecom_push
	@scripts/demo.sh

validate: deps
	@$(MAKE) --no-print-directory $(SIYU_BIN)
	@scripts/check.sh $(BUILD) validate

bench: all
	@scripts/bench.sh

mutants: deps
	@$(MAKE) --no-print-directory SAN=1 check-build
	@scripts/mutants.sh run

valgrind: deps
	@$(MAKE) --no-print-directory check-build
	@VALGRIND=1 scripts/check.sh build/rel unit

docs: deps
	@$(MAKE) --no-print-directory $(SIYU_BIN)
	@scripts/docs.sh $(SIYU_BIN)

# Install what was built ($(SIYU_BIN): make install SAN=1 installs the sanitizer build).
# The binary finds its SQL in $(PREFIX)/share/siyu/sql (cli_sql_dir), also below
# DESTDIR, so a staged tree runs as it is. Units and the crontab get $(PREFIX)'s paths.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(DESTDIR)$(PREFIX)/bin
SHAREDIR = $(DESTDIR)$(PREFIX)/share/siyu
MANDIR = $(DESTDIR)$(PREFIX)/share/man
DOCDIR = $(DESTDIR)$(PREFIX)/share/doc/siyu
UNITDIR = $(DESTDIR)$(PREFIX)/lib/systemd/system
SYSUSERSDIR = $(DESTDIR)$(PREFIX)/lib/sysusers.d
SQL_FILES := $(shell find sql -type f \( -name '*.sql' -o -name '*.sha256' \) | sort)
UNITS := siyu.service siyu.timer siyu-wecom-callback.service

install: $(SIYU_BIN)
	install -d $(BINDIR) $(MANDIR)/man1 $(MANDIR)/man5 $(DOCDIR)/docs $(UNITDIR) $(SYSUSERSDIR)
	install -m 0755 $(SIYU_BIN) $(BINDIR)/siyu
	for f in $(SQL_FILES); do install -D -m 0644 $$f $(SHAREDIR)/$$f || exit 1; done
	install -m 0644 man/siyu.1 $(MANDIR)/man1/siyu.1
	install -m 0644 man/pipeline.conf.5 $(MANDIR)/man5/pipeline.conf.5
	install -m 0644 README.md pipeline.conf $(DOCDIR)/
	install -m 0644 docs/*.md $(DOCDIR)/docs/
	for u in $(UNITS); do \
		sed 's|/usr/local/|$(PREFIX)/|g' contrib/systemd/$$u >$(UNITDIR)/$$u && \
		chmod 0644 $(UNITDIR)/$$u || exit 1; \
	done
	install -m 0644 contrib/systemd/siyu.sysusers.conf $(SYSUSERSDIR)/siyu.conf
	sed 's|/usr/local/|$(PREFIX)/|g' contrib/systemd/siyu.crontab >$(DOCDIR)/siyu.crontab

clean:
	rm -rf build bin

distclean: clean
	-scripts/pg.sh destroy var/demo-pg 2>/dev/null
	-scripts/pg.sh destroy var/test-pg 2>/dev/null
	rm -rf var

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.d) \
	$(FAKE_SRC:tests/fakes/%.c=$(BUILD)/tests/fakes/%.d) \
	$(FAKELIB_SRC:%.c=$(BUILD)/%.d) $(FUZZ_LIB_OBJ:.o=.d) \
	$(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/tests/fuzz/%.d)

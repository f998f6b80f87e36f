# callhome: GNU make.
#
#   make            check/install build packages, then build into obj/
#   make regress    build, run unit tests (plain and ASan/UBSan), fuzzers,
#                   integration tests; ends with "N passed, N failed"
#   make demo       run one cycle on a simulated fleet
#   make bench      collector benchmark, then end to end: collected,
#                   stored, uploaded in parts to commsd (regress/bench)
#   make loadtest   commsd against loadgen's simulated gateways (10,000 by
#                   default; not a timed test, not in make regress):
#                   regress/load/loadtest.sh, figures in docs/loadtest.md;
#                   LOAD_DATABASE=postgresql://... for the two-node one
#   make linkmap    what each program links, in lines, and the rules on it
#   make fuzz-campaign  every fuzz target for RUNS executions (10 million),
#                   its corpus in regress/fuzz/corpus/ growing; the figures
#                   in docs/fuzz-campaign.md (regress/fuzz/campaign.sh)
#   make install    PREFIX=/usr/local DESTDIR=
#
# The first three check their Debian packages first (mk/deps.sh).

SHELL		:= /bin/sh
# no built-in rules: they would make common/parse.c from parse.y in place
.SUFFIXES:
MAKEFLAGS	+= --no-builtin-rules
BUILD		?= obj
PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
LIBEXECDIR	?= $(PREFIX)/libexec/callhome
MANDIR		?= $(PREFIX)/share/man
SHAREDIR	?= $(PREFIX)/share/callhome
SYSCONFDIR	?= /etc/callhome
DESTDIR		?=

CC		?= cc
O		 = $(BUILD)/o
YACC		:= byacc
PKGS		:= libevent libtls libxml-2.0 sqlite3 libpq libcrypto zlib \
		   libbsd-overlay
PKG_CFLAGS	 = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS	 = $(shell pkg-config --libs $(PKGS))

WARN		:= -Wall -Wextra -Werror -Wshadow -Wpointer-arith \
		   -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 \
		   -Wno-unused-parameter
CFLAGS		?= -O2 -g
CFLAGS		+= -std=c11 -D_GNU_SOURCE $(WARN) -fstack-protector-strong \
		   -D_FORTIFY_SOURCE=2 -fPIE
# --as-needed: a program depends only on the libraries it really calls
LDFLAGS		+= -pie -Wl,-z,relro,-z,now -Wl,--as-needed

ifeq ($(SANITIZE),1)
CFLAGS		:= $(filter-out -D_FORTIFY_SOURCE=2 -O2,$(CFLAGS)) -O1 \
		   -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
LDFLAGS		+= -fsanitize=address,undefined
endif
ifeq ($(FUZZ),1)
CC		:= clang
CFLAGS		:= $(filter-out -D_FORTIFY_SOURCE=2 -O2,$(CFLAGS)) -O1 \
		   -fsanitize=fuzzer-no-link,address,undefined \
		   -fno-sanitize-recover=all -fno-omit-frame-pointer \
		   -DFUZZING
LDFLAGS		+= -fsanitize=address,undefined
endif

CPPFLAGS	+= -Icommon
ALL_CFLAGS	 = $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS)
LIBS		 = $(PKG_LIBS) -lm

# the in-tree build runs its children from $(BUILD); "make install" relinks
# callhomed against the installed libexec directory
TREE_LIBEXEC	:= $(abspath $(BUILD))
TREE_SHARE	:= $(abspath .)

DAEMONS		:= callhomed collectd auditd signerd uplinkd
ALLPROGS	:= $(DAEMONS) callhomectl commsd
PROGS		:= $(foreach p,$(ALLPROGS),$(if $(wildcard $(p)/$(p).c),$(p)))
CHILDREN	:= collectd auditd signerd uplinkd

# the rules made by prog_rules below must not become the default
.DEFAULT_GOAL	:= all

COMMON_SRC	:= $(wildcard common/*.c) $(wildcard common/chan/*.c)
COMMON_Y	:= $(wildcard common/*.y)
COMMON_OBJ	:= $(COMMON_SRC:%.c=$(O)/%.o) $(COMMON_Y:%.y=$(O)/%.o)

# each program: <prog>/<prog>.c holds main(); the other files of the
# directory form lib<prog>.a, which unit tests may link
define prog_rules
$(1)_SRC	:= $$(filter-out $(1)/$(1).c,$$(wildcard $(1)/*.c))
$(1)_Y		:= $$(wildcard $(1)/*.y)
$(1)_OBJ	:= $$($(1)_SRC:%.c=$$(O)/%.o) $$($(1)_Y:%.y=$$(O)/%.o)
$$(BUILD)/lib$(1).a: $$($(1)_OBJ)
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
$$(BUILD)/$(1): $$(O)/$(1)/$(1).o $$(BUILD)/lib$(1).a $$(BUILD)/libcommon.a
	$$(CC) $$(LDFLAGS) -Wl,-Map=$$@.map -o $$@ $$^ $$(LIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rules,$(p))))

PROG_LIBS	:= $(PROGS:%=$(BUILD)/lib%.a)

UNIT_SRC	:= $(wildcard regress/unit/test_*.c)
UNIT_BIN	:= $(UNIT_SRC:%.c=$(BUILD)/%)
UNIT_HELPERS	:= $(filter-out $(UNIT_SRC),$(wildcard regress/unit/*.c))
FUZZ_SRC	:= $(wildcard regress/fuzz/fuzz_*.c)
FUZZ_BIN	:= $(FUZZ_SRC:%.c=$(BUILD)/%)
TOOL_SRC	:= $(wildcard regress/tools/*.c) $(wildcard regress/bench/*.c) \
		   $(wildcard regress/load/*.c)
TOOL_BIN	:= $(TOOL_SRC:%.c=$(BUILD)/%)

.PHONY: all build deps regress demo bench loadtest install clean unit fuzz \
	tools \
	run-unit linkmap fuzz-campaign testclock

all:
	@sh mk/deps.sh build
	@$(MAKE) --no-print-directory build

build: $(PROGS:%=$(BUILD)/%) $(BUILD)/commsd-check $(BUILD)/sandbox-probe \
    tools testclock

$(BUILD)/libcommon.a: $(COMMON_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -I$(dir $<) -c -o $@ $<

# generated parsers: byacc output is not held to every warning
$(O)/%.c: %.y
	@mkdir -p $(@D)
	$(YACC) -o $@ $<
$(O)/%.o: $(O)/%.c
	$(CC) $(ALL_CFLAGS) -MMD -MP -I$(patsubst $(O)/%,%,$(dir $<)) \
	    -Wno-unused-but-set-variable -Wno-missing-prototypes \
	    -c -o $@ $<

$(O)/callhomed/callhomed.o: CPPFLAGS += \
	-DLIBEXECDIR='"$(TREE_LIBEXEC)"' \
	-DSCHEMA_PATH='"$(TREE_SHARE)/etc/callhome.xsd"'
$(O)/callhomed/callhomed.install.o: callhomed/callhomed.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -Icallhomed -DLIBEXECDIR='"$(LIBEXECDIR)"' \
	    -DSCHEMA_PATH='"$(SHAREDIR)/callhome.xsd"' -c -o $@ $<
$(BUILD)/callhomed.install: $(O)/callhomed/callhomed.install.o \
    $(BUILD)/libcallhomed.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/commsd/conf.o: CPPFLAGS += -DSHAREDIR='"$(SHAREDIR)"'

# commsd-check: the spawner and workers commsd execs (commsd/worker.h),
# from the tree here; "make install" relinks commsd for LIBEXECDIR
$(O)/commsd/spawner.o: CPPFLAGS += \
	-DCOMMS_CHECKER='"$(TREE_LIBEXEC)/commsd-check"'
$(BUILD)/commsd-check: $(O)/commsd-check/commsd-check.o \
    $(BUILD)/libcommsd.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -Wl,-Map=$@.map -o $@ $^ $(LIBS)
$(O)/commsd/spawner.install.o: commsd/spawner.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -Icommsd \
	    -DCOMMS_CHECKER='"$(LIBEXECDIR)/commsd-check"' -c -o $@ $<
$(BUILD)/commsd.install: $(O)/commsd/commsd.o $(O)/commsd/spawner.install.o \
    $(BUILD)/libcommsd.a $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# The daemons again, with a clock the tests can move (common/clock.h):
# common/clock.c compiled with -DCALLHOME_TEST_CLOCK and linked before
# libcommon, in $(BUILD)/testclock/ only; callhomed there runs the
# children there.  Never installed: "make install" takes $(BUILD)/PROG.
TC		:= $(BUILD)/testclock
$(O)/common/clock.test.o: common/clock.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -Icommon -DCALLHOME_TEST_CLOCK -c -o $@ $<
$(O)/callhomed/callhomed.testclock.o: callhomed/callhomed.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -Icallhomed \
	    -DLIBEXECDIR='"$(abspath $(TC))"' \
	    -DSCHEMA_PATH='"$(TREE_SHARE)/etc/callhome.xsd"' -c -o $@ $<
$(TC)/callhomed: $(O)/callhomed/callhomed.testclock.o \
    $(O)/common/clock.test.o $(BUILD)/libcallhomed.a $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
define tc_rules
$$(TC)/$(1): $$(O)/$(1)/$(1).o $$(O)/common/clock.test.o \
    $$(BUILD)/lib$(1).a $$(BUILD)/libcommon.a
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach p,$(CHILDREN),$(eval $(call tc_rules,$(p))))
testclock: $(DAEMONS:%=$(TC)/%)

# auditd's schema: SQL files, compiled in as strings
$(O)/auditd/%.sql.h: auditd/%.sql mk/sql2c.sh
	@mkdir -p $(@D)
	sh mk/sql2c.sh $< >$@
$(O)/auditd/db.o: $(patsubst %.sql,$(O)/%.sql.h,$(wildcard auditd/schema-*.sql))
$(O)/auditd/db.o: CPPFLAGS += -I$(O)/auditd

# tests name program headers by path: #include "uplinkd/http.h"
$(O)/regress/%.o: CPPFLAGS += -I.

$(BUILD)/sandbox-probe: $(O)/regress/sandbox/probe.o \
    $(DAEMONS:%=$(BUILD)/lib%.a) $(BUILD)/libcommon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/regress/unit/%: $(O)/regress/unit/%.o \
    $(UNIT_HELPERS:%.c=$(O)/%.o) $(PROG_LIBS) $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(UNIT_HELPERS:%.c=$(O)/%.o) \
	    $(PROG_LIBS) $(BUILD)/libcommon.a $(LIBS)

# tools may use a program's library, as unit tests do (sigverify: signerd's)
$(BUILD)/regress/tools/%: $(O)/regress/tools/%.o $(PROG_LIBS) \
    $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
$(BUILD)/regress/bench/%: $(O)/regress/bench/%.o $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)
# the load generator speaks as uplinkd does: its HTTP response parser
$(BUILD)/regress/load/%: $(O)/regress/load/%.o $(BUILD)/libuplinkd.a \
    $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/regress/fuzz/%: $(O)/regress/fuzz/%.o \
    $(UNIT_HELPERS:%.c=$(O)/%.o) $(PROG_LIBS) $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

unit: $(UNIT_BIN)
fuzz: $(FUZZ_BIN)
tools: $(TOOL_BIN)

regress:
	@sh mk/deps.sh regress
	@sh regress/run.sh

demo:
	@sh mk/deps.sh demo
	@sh regress/demo/demo.sh

linkmap: build
	@sh mk/linkmap.sh $(BUILD)
RUNS		?= 10000000
MAX_TIME	?= 0
fuzz-campaign:
	@sh mk/deps.sh regress
	@RUNS=$(RUNS) MAX_TIME=$(MAX_TIME) sh regress/fuzz/campaign.sh

bench:
	@sh mk/deps.sh regress
	@$(MAKE) --no-print-directory build
	@BENCH_NOBUILD=1 sh regress/bench/bench.sh
	@BENCH_NOBUILD=1 sh regress/bench/e2e.sh

loadtest:
	@sh mk/deps.sh regress
	@$(MAKE) --no-print-directory build
	@sh regress/load/loadtest.sh $(SCENARIOS)

install: all
	@rm -f $(O)/callhomed/callhomed.install.o $(O)/commsd/conf.o \
	    $(O)/commsd/spawner.install.o
	@$(MAKE) --no-print-directory $(BUILD)/callhomed.install \
	    $(BUILD)/commsd.install
	@sh mk/install.sh "$(BUILD)" "$(DESTDIR)" "$(SBINDIR)" \
	    "$(LIBEXECDIR)" "$(MANDIR)" "$(SHAREDIR)" "$(SYSCONFDIR)"

clean:
	rm -rf obj obj-asan obj-fuzz

# keep the parsers byacc generates (a bare .SECONDARY: would make every
# object intermediate, and a missing one would not be rebuilt)
.PRECIOUS: $(O)/%.c

-include $(shell find $(O) -name '*.d' 2>/dev/null)

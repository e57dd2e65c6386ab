# Skiff's build, test and benchmark entry points. CI and release scripts call these targets:
# keep their names and meanings stable.
#   make                  release build of skiff (static Swift stdlib)
#   make check            install missing Debian packages, build, unit tests, functional tests
#   make check-unit       unit tests only (unprivileged)
#   make check-functional functional tests only (drive the skiff binary; later ones need root)
#   make bench            every benchmark; make bench-expect (Expect vs pexpect and Tcl expect),
#                         make bench-fetch (fetch+render vs gpgv+tar, SHA-512 vs sha512sum),
#                         make bench-archive (the extractor vs GNU tar)
#   make install          install skiff under $(PREFIX) (default /usr/local)

# The toolchain lives in /opt/swift on the machines this project targets; honour PATH first.
export PATH := $(PATH):/opt/swift/usr/bin
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all release build-tests deps deps-build deps-bench check check-unit check-functional bench bench-expect bench-fetch bench-archive install clean

all: release

release: deps-build
	$(SWIFT) build -c release --product skiff --static-swift-stdlib

deps:
	ci/install-deps check

deps-build:
	ci/install-deps build

deps-bench:
	ci/install-deps bench

build-tests:
	$(SWIFT) build --build-tests

check: deps
	$(MAKE) build-tests
	$(MAKE) check-unit
	$(MAKE) check-functional

check-unit: build-tests
	$(SWIFT) test --skip-build --filter '^Unit\.'

check-functional: build-tests
	$(SWIFT) test --skip-build --filter '^Functional\.'

bench: bench-expect bench-fetch bench-archive

bench-expect: deps-bench
	$(SWIFT) build -c release --product expect-bench
	bench/expect/run

bench-fetch: deps-bench release
	$(SWIFT) build -c release --product fetch-bench
	bench/fetch/run

bench-archive: deps-bench
	$(SWIFT) build -c release --product archive-bench
	bench/archive/run

install: release
	install -D -m 0755 .build/release/skiff $(DESTDIR)$(PREFIX)/bin/skiff

clean:
	rm -rf .build .build-*

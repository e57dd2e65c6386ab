# Skiff's build, test and benchmark entry points. CI and release scripts call these targets:
# keep their names and meanings stable.
#   make                  release build of skiff (fully static) and the stage1 images
#   make demo             install what is missing, build, run a signed demo pod under each stage1
#   make check            install missing Debian packages, build, unit tests, functional tests
#   make check-unit       unit tests only (unprivileged)
#   make check-functional functional tests only (drive the skiff binary; later ones need root)
#   make bench            every benchmark; make bench-expect (Expect vs pexpect and Tcl expect),
#                         make bench-fetch (fetch+render vs gpgv+tar, SHA-512 vs sha512sum,
#                         OCI fetch+render vs skopeo+umoci, a gzip layer vs tar -xzf),
#                         make bench-archive (the extractor vs GNU tar),
#                         make bench-run (skiff run under container and fly vs chroot, crun,
#                         runc, systemd-nspawn; the pod init's peak RSS vs crun; then
#                         make bench-isolation: the secure defaults vs --insecure-options=all-run)
#   make install          install skiff under $(PREFIX) (default /usr/local)

# The toolchain lives in /opt/swift on the machines this project targets; honour PATH first.
export PATH := $(PATH):/opt/swift/usr/bin
SWIFT ?= ci/swift
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all demo deps-demo release stage1-images build-tests deps deps-build deps-bench check check-unit check-functional bench bench-expect bench-fetch bench-archive bench-run bench-isolation install clean

all: release

# Stage1 programs run inside roots that hold nothing else: linked fully static, in their own
# build directory (other flags than the skiff binary's).
STAGE1_BUILD := .build-stage1
STAGE1_FLAVORS := fly container
VERSION := $(shell sed -n 's/.*static let skiff = "\(.*\)"/\1/p' Sources/Engine/Version.swift)

# skiff links fully static (no dynamic loader at all): it starts in 1.4 ms instead of 3.5 ms
# with only the Swift runtime static, and run pays that on every pod. Its own build directory,
# since the flags differ from the other release products'. Generic metadata of concrete types
# through accessor calls, not mangled names the runtime demangles at first use (and checks
# conformances for, scanning all 3,600 conformance records of the binary): A/B, run-prepared
# 0.96-0.98x, run 0.97x, for 50 KB of code. The stage1 programs build with the same flags.
STATIC_SWIFTFLAGS := -Xswiftc -static-executable -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors
release: deps-build stage1-images
	$(SWIFT) build -c release --scratch-path .build-static --product skiff $(STATIC_SWIFTFLAGS)
	mkdir -p .build/release
	cp .build-static/release/skiff .build/release/skiff
	cp .build/stage1/stage1-*.aci .build/release/

stage1-images: deps-build
	mkdir -p .build/stage1
	for flavor in $(STAGE1_FLAVORS); do \
		$(SWIFT) build -c release --scratch-path $(STAGE1_BUILD) --product stage1-$$flavor $(STATIC_SWIFTFLAGS) && \
		SKIFF_VERSION=$(VERSION) ci/build-stage1 $$flavor $(STAGE1_BUILD)/release/stage1-$$flavor .build/stage1/stage1-$$flavor.aci \
		|| exit 1; \
	done

deps:
	ci/install-deps check

# make demo: everything it needs installed and built, then a signed pod under every stage1.
demo: deps-demo release
	ci/demo

deps-demo:
	ci/install-deps run build demo

deps-build:
	ci/install-deps build

deps-bench:
	ci/install-deps bench

# The tests run the debug skiff, which finds stage1 images beside itself.
build-tests: stage1-images
	$(SWIFT) build --build-tests
	cp .build/stage1/stage1-*.aci .build/debug/
	mkdir -p .build/debug/stub
	SKIFF_VERSION=$(VERSION) ci/build-stage1 stub .build/debug/stage1-stub .build/debug/stub/stage1-stub.aci

# The Debian tree of the OCI tests (debootstrap, cached outside the repository) is made first so
# its ~30 s are not charged to a test's timeout; the script does nothing once it exists.
check: deps
	ci/debian-rootfs >/dev/null
	$(MAKE) build-tests
	$(MAKE) check-unit
	$(MAKE) check-functional

check-unit: build-tests
	$(SWIFT) test --skip-build --filter '^Unit\.'

check-functional: build-tests
	$(SWIFT) test --skip-build --filter '^Functional\.'

bench: bench-expect bench-fetch bench-archive bench-run

bench-expect: deps-bench
	$(SWIFT) build -c release --product expect-bench
	bench/expect/run

# The first `swift build -c release` of a clean clone turns .build/release into a symlink,
# dropping the skiff that `release` copied there: copy it again after the bench builds.
bench-fetch: deps-bench release
	$(SWIFT) build -c release --product fetch-bench
	$(SWIFT) build -c release --product archive-bench
	cp .build-static/release/skiff .build/release/skiff
	bench/fetch/run

bench-run: deps-bench release
	bench/run/run
	bench/isolation/run

bench-isolation: deps-bench release
	bench/isolation/run

bench-archive: deps-bench
	$(SWIFT) build -c release --product archive-bench
	bench/archive/run

install: release
	install -D -m 0755 .build/release/skiff $(DESTDIR)$(PREFIX)/bin/skiff
	for aci in .build/stage1/stage1-*.aci; do install -D -m 0644 $$aci $(DESTDIR)/usr/lib/skiff/stage1-images/$$(basename $$aci); done

clean:
	rm -rf .build .build-*

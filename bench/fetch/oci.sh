# Sourced by bench/fetch/run: the OCI part. The Debian 12 minbase tree the tests use (made once
# by ci/debian-rootfs, cached in /var/cache/skiff-test), packed as an OCI image with GNU tar and
# gzip, pushed with skopeo to a docker-registry on 127.0.0.1; then, each round from scratch:
#   skiff:  skiff fetch docker://… (download, verify, render the tree) + skiff image render DIR
#   peer:   skopeo copy docker://… oci:DIR + umoci unpack
# and the image's gzip layer extracted by skiff's extractor (archive-bench, as an OCI layer)
# against GNU tar -xzf. Sets oci_median, umoci_median, layer_median, tarx_median, layer_size.
rootfs=$(ci/debian-rootfs)
[[ -n "$rootfs" ]] || { echo "fetch-bench: no Debian tree (ci/debian-rootfs needs root; OCI=0 leaves this part out)" >&2; exit 1; }

# The image, by hand: one layer, its config, the manifest, a layout.
layout=$work/layout
mkdir -p "$layout/blobs/sha256"
tar --create --format=pax --sort=name --numeric-owner --xattrs --xattrs-include='*' -C "$rootfs" . >"$work/layer.tar"
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -6 <"$work/layer.tar" >"$work/layer.tar.gz"
rm "$work/layer.tar"
layer=$(sha256sum "$work/layer.tar.gz" | cut -d' ' -f1)
layer_size=$(stat -c %s "$work/layer.tar.gz")
cp "$work/layer.tar.gz" "$layout/blobs/sha256/$layer"
printf '{"architecture":"%s","os":"linux","config":{"Cmd":["bash"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$(dpkg --print-architecture)" \
    "$diff_id" >"$work/config.json"
config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
cp "$work/config.json" "$layout/blobs/sha256/$config"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config" "$(stat -c %s "$work/config.json")" "$layer" "$layer_size" >"$work/manifest.json"
manifest=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
cp "$work/manifest.json" "$layout/blobs/sha256/$manifest"
printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"debian"}}]}' \
    "$manifest" "$(stat -c %s "$work/manifest.json")" >"$layout/index.json"
echo "== OCI image: Debian 12 minbase, $((layer_size / 1000000)) MB gzip layer, $(du -sm "$rootfs" | cut -f1) MiB unpacked"

# The registry, on a free port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: "127.0.0.1:$port", secret: skiff-bench}
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.05; done
skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$layout:debian" "docker://127.0.0.1:$port/debian:12"
image=docker://127.0.0.1:$port/debian:12

oci_times=() umoci_times=()
for round in $(seq "$ROUNDS"); do
    rm -rf "$work/ostore" "$work/oout" "$work/sk" "$work/bundle"
    flags=(--dir="$work/ostore" --local-config="$work/etc" --system-config="$work/lib" --insecure-options=http,image)
    sync
    t0=$(now)
    "$SKIFF" "${flags[@]}" fetch --no-progress "$image" >/dev/null 2>&1
    "$SKIFF" "${flags[@]}" image render --rootfs-only "$image" "$work/oout"
    t1=$(now)
    oci_times+=("$(echo "$t1 - $t0" | bc -l)")
    sync
    t0=$(now)
    skopeo --insecure-policy copy --quiet --src-tls-verify=false "$image" "oci:$work/sk:debian"
    umoci unpack --image "$work/sk:debian" "$work/bundle" >/dev/null
    t1=$(now)
    umoci_times+=("$(echo "$t1 - $t0" | bc -l)")
    echo "  round $round: skiff fetch+render $(printf %.3f "${oci_times[-1]}") s, skopeo+umoci $(printf %.3f "${umoci_times[-1]}") s"
done
oci_median=$(printf '%s\n' "${oci_times[@]}" | median)
umoci_median=$(printf '%s\n' "${umoci_times[@]}" | median)
rm -rf "$work/ostore" "$work/oout" "$work/sk" "$work/bundle"

layer_times=() tarx_times=()
cat "$work/layer.tar.gz" >/dev/null
for round in $(seq "$ROUNDS"); do
    rm -rf "$work/lx" "$work/tx"
    mkdir "$work/lx" "$work/tx"
    sync
    t0=$(now); tar -xzf "$work/layer.tar.gz" -C "$work/tx"; t1=$(now)
    tarx_times+=("$(echo "$t1 - $t0" | bc -l)")
    sync
    layer_times+=("$(.build/release/archive-bench "$work/layer.tar.gz" "$work/lx" layer | sed -E 's/.*seconds=([0-9.]+).*/\1/')")
    echo "  round $round: layer extraction $(printf %.3f "${layer_times[-1]}") s, tar -xzf $(printf %.3f "${tarx_times[-1]}") s"
done
layer_median=$(printf '%s\n' "${layer_times[@]}" | median)
tarx_median=$(printf '%s\n' "${tarx_times[@]}" | median)
rm -rf "$work/lx" "$work/tx"
kill "$registry_pid" 2>/dev/null || true
wait "$registry_pid" 2>/dev/null || true
registry_pid=

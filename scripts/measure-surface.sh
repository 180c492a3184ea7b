#!/usr/bin/env bash
# The figures of README.md "Performance", "The whole v1.0 surface": generation time, package
# size, build times and memory, and the docs.rs build, with every imported area of DingTalk's
# v1.0 API description, in a scratch copy of the repository (the checkout is not touched).
#
# Usage: scripts/measure-surface.sh PACKAGE_DIR
#   PACKAGE_DIR: an unpacked alibabacloud-dingtalk wheel (spec/IMPORT.md says how to get one).
# Runs for about 10 minutes on 2 cores; needs about 10 GB of disk for its target directory.
set -euo pipefail

package=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$root" ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$work")
cd "$work"
export CARGO_TARGET_DIR="$work/target"
timed() { /usr/bin/time -f "$1: wall %e s, cpu %U+%S s, peak %M KB" "${@:2}"; }

cargo build -q --release -p xtask
xtask="$CARGO_TARGET_DIR/release/xtask"
"$xtask" import --package "$package" | tail -1

echo "== generating the whole spec (the first run writes the files)"
for run in 1 2 3; do timed "gen, run $run" "$xtask" gen | tail -1; done

echo "== sizes"
du -sb generated/src generated/openapi.json
echo "operations in openapi.json: $(grep -o '"operationId"' generated/openapi.json | wc -l)"
# What `cargo package` puts in the .crate: a gzipped tar of the files of `include`.
echo ".crate: $(tar czf - -C generated src openapi.json Cargo.toml README.md LICENSE-APACHE LICENSE-MIT | wc -c) bytes"

echo "== builds of the crate alone, dev profile, its dependencies prebuilt"
cargo build -q -p dingtalk-openapi --no-default-features --features contact
for features in contact full; do
    for run in 1 2; do
        touch generated/src/lib.rs
        timed "build --features $features, run $run" \
            cargo build -q -p dingtalk-openapi --no-default-features --features "$features"
    done
done

echo "== docs of every area, as docs.rs builds them"
touch generated/src/lib.rs
timed "doc --all-features" cargo doc -q --no-deps -p dingtalk-openapi --all-features

#!/usr/bin/env bash
# Train the parity data sets with the native CLI and dump, for every held-out row, the raw
# instance, the preprocessed features, Burn's outputs and the native runtime's prediction.
# The Node (wasm) and Python (onnxruntime) parity tests read target/parity/.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${TANDEM_BIN:-target/debug/tandem}
out=target/parity
rm -rf "$out"
# titanic's bundle is signed with the test key (tests/fixtures/keys): every suite then loads
# a signed bundle without a key, and tests/js/signed.test.mjs with one.
for spec in titanic:survived iris:target breast_cancer:target; do
  name=${spec%%:*}
  label=${spec#*:}
  sign=()
  [ "$name" = titanic ] && sign=(--sign-key tests/fixtures/keys/openssl.key)
  mkdir -p "$out/$name"
  "$bin" train --data "examples/data/$name.csv" --label "$label" --runs-dir "$out/runs" \
    --json --emit-parity "$out/$name" "${sign[@]}" > "$out/$name/summary.json"
  echo "parity: trained $name -> $(grep -o '"run_id":"[0-9a-f]*"' "$out/$name/summary.json")"
done
# Pipelines declared in specs: the examples, and one that uses every shared node.
for spec in titanic_spec:examples/titanic/tandem.toml cps1985_spec:examples/cps1985/tandem.toml \
            nodes:tests/parity/nodes.toml; do
  name=${spec%%:*}
  mkdir -p "$out/$name"
  "$bin" train --spec "${spec#*:}" --runs-dir "$out/runs" \
    --json --emit-parity "$out/$name" > "$out/$name/summary.json"
  echo "parity: trained $name -> $(grep -o '"run_id":"[0-9a-f]*"' "$out/$name/summary.json")"
done
# Explanations of the first held-out rows, natively (seed 7; breast_cancer's 30 fields take
# the sampled path): the Node, Chromium and edge worker tests must give the same values.
for name in titanic iris breast_cancer titanic_spec cps1985_spec nodes; do
  model=$(grep -o '"model":"[^"]*"' "$out/$name/summary.json" | cut -d'"' -f4)
  head -n 5 "$out/$name/instances.jsonl" > "$out/$name/explain-input.jsonl"
  "$bin" explain --model "$model" --input "$out/$name/explain-input.jsonl" --seed 7 \
    --output "$out/$name/explanations.jsonl" 2>/dev/null
done
echo "parity: explained 5 rows of each data set"

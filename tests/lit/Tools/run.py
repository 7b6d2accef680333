# kiln run --reference: .npy inputs in, .npy outputs out, seeded random inputs for the
# rest, and clear errors for a wrong shape, an unknown input or a missing --reference.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t
# RUN: kiln run %t/model.onnx --reference --input a=%t/a.npy --output-dir %t/out --seed 3 | FileCheck %s
# CHECK: input  'a': f32 [2, 3] min -1 max 5 mean 2 <- {{.*}}a.npy
# CHECK: input  'b': random f32 [3] {{.*}} (seed 3) -> {{.*}}input_b.npy
# CHECK: output 'sum': f32 [2, 3]
# CHECK: output 'count/total': i64 [] min 6 max 6 mean 6 -> {{.*}}count_total.npy
# RUN: %python %s %t check
# RUN: not kiln run %t/model.onnx --reference --input a=%t/wrong.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
# SHAPE: input 'a' needs shape [2, 3], the file holds [3, 2]
# RUN: not kiln run %t/model.onnx --reference --input nope=%t/a.npy 2>&1 | FileCheck %s --check-prefix=NAME
# NAME: the model has no input named 'nope'
# RUN: not kiln run %t/model.onnx 2>&1 | FileCheck %s --check-prefix=REF
# REF: pass --reference
import os
import sys

import numpy as np
from onnx_builder import F32, I64, node, save, tensor

d = sys.argv[1]
if len(sys.argv) > 2:
    # The output must be a + b for the a we gave and the b kiln generated and saved.
    a = np.load(os.path.join(d, "a.npy"))
    b = np.load(os.path.join(d, "out", "input_b.npy"))
    got = np.load(os.path.join(d, "out", "sum.npy"))
    assert np.array_equal(got, a + b), (got, a + b)
    assert np.any(b != 0) and np.all(np.abs(b) <= 1)
    assert np.load(os.path.join(d, "out", "count_total.npy")) == 6
    sys.exit(0)
np.save(os.path.join(d, "a.npy"), np.array([[-1, 0, 1], [2, 5, 5]], np.float32))
np.save(os.path.join(d, "wrong.npy"), np.zeros((3, 2), np.float32) + 1)
save(
    [node("Add", ["a", "b"], ["sum"]), node("Size", ["sum"], ["count/total"])],
    [tensor("a", F32, [2, 3]), tensor("b", F32, [3])],
    [tensor("sum", F32, [2, 3]), tensor("count/total", I64, [])],
    path=os.path.join(d, "model.onnx"),
)

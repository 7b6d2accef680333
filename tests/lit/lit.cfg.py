# lit configuration: .mlir tests run kiln-opt, .py tests generate an ONNX model and run kiln.
import os
import lit.formats

config.name = "kiln"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".py", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "lib"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "tests", "lit")

# Model builders shared by the .py tests live in tests/lit/lib.
config.environment["PYTHONPATH"] = os.path.join(config.test_source_root, "lib")
config.environment["PATH"] = os.pathsep.join(
    [config.kiln_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.substitutions.append(("%python", config.python_executable))

# Tests whose kernels call math functions need libdevice (from the CUDA toolkit).
_libdevice = [os.environ.get("KILN_LIBDEVICE", "")] + [
    os.path.join(root, "nvvm", "libdevice", "libdevice.10.bc")
    for root in (os.environ.get("CUDA_HOME", ""), os.environ.get("CUDA_PATH", ""), "/usr/local/cuda")
    if root]
if any(p and os.path.exists(p) for p in _libdevice):
    config.available_features.add("libdevice")
for var in ("KILN_LIBDEVICE", "CUDA_HOME", "CUDA_PATH"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

# Tests that assemble PTX (--cubin) need ptxas.
import shutil
_ptxas = [os.environ.get("KILN_PTXAS", "")] + [
    os.path.join(root, "bin", "ptxas")
    for root in (os.environ.get("CUDA_HOME", ""), "/usr/local/cuda") if root]
if any(p and os.access(p, os.X_OK) for p in _ptxas) or shutil.which("ptxas"):
    config.available_features.add("ptxas")
if "KILN_PTXAS" in os.environ:
    config.environment["KILN_PTXAS"] = os.environ["KILN_PTXAS"]

# Tests that run generated kernels use the PTX emulator (tests/emulator) in place of a GPU.
if os.path.exists(config.kiln_emulator):
    config.available_features.add("emulator")
    config.substitutions.append(("%emulator", config.kiln_emulator))

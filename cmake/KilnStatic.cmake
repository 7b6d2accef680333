# -DKILN_STATIC=ON: a self-contained `kiln` that needs only libc, libm and the loader at run time.
#
# Debian's LLVM/MLIR, protobuf, zlib, zstd and fmt imports are rewired to static archives.
#
# Debian builds LLVM with LLVM_LINK_LLVM_DYLIB=ON, so every imported MLIR archive (and every
# target made by add_llvm_executable/llvm_add_library) links the imported target `LLVM`, which is
# libLLVM.so. We cannot change that target's type, so instead every reference to it is replaced by
# kiln::llvm_static, an interface target listing the static LLVM component archives. The linker
# only pulls the archive members that are referenced, so listing every usable component costs
# link time, not binary size.

# Static archives of the libraries that LLVM and kiln link dynamically by default.
foreach(_kiln_lib z zstd protobuf)
  string(TOUPPER ${_kiln_lib} _kiln_var)
  find_library(KILN_STATIC_${_kiln_var}_ARCHIVE NAMES lib${_kiln_lib}.a)
  if(NOT KILN_STATIC_${_kiln_var}_ARCHIVE)
    message(FATAL_ERROR "KILN_STATIC needs lib${_kiln_lib}.a (zlib1g-dev, libzstd-dev, libprotobuf-dev)")
  endif()
endforeach()
if(NOT TARGET fmt::fmt-header-only)
  message(FATAL_ERROR "KILN_STATIC needs fmt::fmt-header-only (Debian ships no libfmt.a)")
endif()

# Components we must not link: LLVMExtensions/LTO/DTLTO need libPolly.a, which Debian does not
# ship; CFIVerify/Diff/OptDriver/Debuginfod link libLLVM.so themselves.
set(KILN_STATIC_LLVM_EXCLUDED
  LLVMExtensions LLVMLTO LLVMDTLTO LLVMCFIVerify LLVMDiff LLVMOptDriver LLVMDebuginfod)

# Anything a component links besides other components must have a static replacement or be a
# glibc library. A component that needs something else (libedit, libxml2, libcurl, libffi, libpfm,
# libLLVM.so) is dropped together with its dependants: if kiln ever needs one of them, the link
# fails with undefined symbols instead of a shared library sneaking into the binary.
function(_kiln_static_rewrite_component_deps component out_ok)
  get_target_property(deps ${component} INTERFACE_LINK_LIBRARIES)
  if(NOT deps)
    set(deps "")
  endif()
  set(rewritten "")
  set(ok TRUE)
  foreach(dep IN LISTS deps)
    set(bare "${dep}")
    if(bare MATCHES "^\\$<LINK_ONLY:(.*)>$")
      set(bare "${CMAKE_MATCH_1}")
    endif()
    if(bare STREQUAL "ZLIB::ZLIB")
      list(APPEND rewritten "${KILN_STATIC_Z_ARCHIVE}")
    elseif(bare STREQUAL "zstd::libzstd_shared")
      list(APPEND rewritten "${KILN_STATIC_ZSTD_ARCHIVE}")
    elseif(bare MATCHES "/libz3\\.so$")
      # Only LLVMSupport's Z3Solver.o (used by clang's static analyzer) references Z3; no static
      # libz3 exists, and a link that pulls that object in fails loudly on the Z3_ symbols.
    elseif(bare MATCHES "^(rt|dl|m|pthread)$")
      # glibc >= 2.34 folds librt/libdl/libpthread into libc (their .a are empty).
      list(APPEND rewritten "${dep}")
    elseif(bare MATCHES "^LLVM." AND TARGET ${bare})
      list(APPEND rewritten "${dep}")
    else()
      set(ok FALSE)
    endif()
  endforeach()
  if(ok)
    set_property(TARGET ${component} PROPERTY INTERFACE_LINK_LIBRARIES "${rewritten}")
  endif()
  set(${out_ok} ${ok} PARENT_SCOPE)
endfunction()

function(_kiln_static_archive_exists target out)
  set(found FALSE)
  foreach(prop IMPORTED_LOCATION IMPORTED_LOCATION_RELWITHDEBINFO IMPORTED_LOCATION_RELEASE
               IMPORTED_LOCATION_NOCONFIG IMPORTED_LOCATION_DEBUG)
    get_target_property(loc ${target} ${prop})
    if(loc AND EXISTS "${loc}")
      set(found TRUE)
    endif()
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

set(_kiln_candidates "")
set(_kiln_dropped "")
foreach(lib IN LISTS LLVM_AVAILABLE_LIBS)
  if(NOT lib MATCHES "^LLVM." OR NOT TARGET ${lib} OR lib IN_LIST KILN_STATIC_LLVM_EXCLUDED)
    continue()
  endif()
  get_target_property(_kiln_type ${lib} TYPE)
  if(NOT _kiln_type STREQUAL "STATIC_LIBRARY")
    continue()
  endif()
  _kiln_static_archive_exists(${lib} _kiln_exists)
  _kiln_static_rewrite_component_deps(${lib} _kiln_ok)
  if(_kiln_exists AND _kiln_ok)
    list(APPEND _kiln_candidates ${lib})
  else()
    list(APPEND _kiln_dropped ${lib})
  endif()
endforeach()

# Drop the dependants of dropped components until nothing changes.
set(_kiln_changed TRUE)
while(_kiln_changed)
  set(_kiln_changed FALSE)
  foreach(lib IN LISTS _kiln_candidates)
    get_target_property(_kiln_deps ${lib} INTERFACE_LINK_LIBRARIES)
    foreach(dep IN LISTS _kiln_deps)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" dep "${dep}")
      if(dep MATCHES "^LLVM." AND NOT dep IN_LIST _kiln_candidates)
        list(REMOVE_ITEM _kiln_candidates ${lib})
        list(APPEND _kiln_dropped ${lib})
        set(_kiln_changed TRUE)
        break()
      endif()
    endforeach()
  endforeach()
endwhile()
foreach(_kiln_needed LLVMSupport LLVMCore LLVMNVPTXCodeGen)
  if(NOT _kiln_needed IN_LIST _kiln_candidates)
    message(FATAL_ERROR "KILN_STATIC: no usable static ${_kiln_needed} (is llvm-22-dev installed?)")
  endif()
endforeach()
list(LENGTH _kiln_candidates _kiln_count)
message(STATUS "KILN_STATIC: ${_kiln_count} static LLVM components; not linkable statically: ${_kiln_dropped}")

add_library(kiln::llvm_static INTERFACE IMPORTED GLOBAL)
set_property(TARGET kiln::llvm_static PROPERTY INTERFACE_LINK_LIBRARIES "${_kiln_candidates}")

# Replaces libLLVM.so by the static components and the compiled fmt by its header-only form
# (Debian ships no libfmt.a) in the link interface of `target`.
function(_kiln_static_rewire target)
  get_target_property(type ${target} TYPE)
  set(props INTERFACE_LINK_LIBRARIES)
  if(NOT type STREQUAL "INTERFACE_LIBRARY")
    get_target_property(imported ${target} IMPORTED)
    if(NOT imported)
      list(APPEND props LINK_LIBRARIES)
    endif()
  endif()
  foreach(prop IN LISTS props)
    get_target_property(libs ${target} ${prop})
    if(NOT libs)
      continue()
    endif()
    set(rewritten "")
    foreach(lib IN LISTS libs)
      if(lib STREQUAL "LLVM")
        set(lib kiln::llvm_static)
      elseif(lib STREQUAL "$<LINK_ONLY:LLVM>")
        set(lib "$<LINK_ONLY:kiln::llvm_static>")
      elseif(lib STREQUAL "fmt::fmt")
        set(lib fmt::fmt-header-only)
      elseif(lib STREQUAL "$<LINK_ONLY:fmt::fmt>")
        set(lib "$<LINK_ONLY:fmt::fmt-header-only>")
      endif()
      list(APPEND rewritten "${lib}")
    endforeach()
    set_property(TARGET ${target} PROPERTY ${prop} "${rewritten}")
  endforeach()
endfunction()

foreach(_kiln_target IN LISTS MLIR_EXPORTED_TARGETS)
  if(TARGET ${_kiln_target})
    _kiln_static_rewire(${_kiln_target})
  endif()
endforeach()

# kiln's own libraries and tools do not exist yet; rewire them once the whole tree is configured
# (kiln-opt and llvm_add_library targets link `LLVM` directly).
function(_kiln_static_rewire_directory dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target IN LISTS targets)
    _kiln_static_rewire(${target})
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(subdir IN LISTS subdirs)
    _kiln_static_rewire_directory(${subdir})
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _kiln_static_rewire_directory ${CMAKE_SOURCE_DIR})

# protobuf::libprotobuf comes from FindProtobuf as an UNKNOWN imported target, so pointing its
# locations at the archive is enough for KilnOnnxProto and everything that links it.
foreach(_kiln_prop IMPORTED_LOCATION IMPORTED_LOCATION_RELEASE IMPORTED_LOCATION_DEBUG)
  get_target_property(_kiln_loc protobuf::libprotobuf ${_kiln_prop})
  if(_kiln_loc)
    set_property(TARGET protobuf::libprotobuf PROPERTY ${_kiln_prop} "${KILN_STATIC_PROTOBUF_ARCHIVE}")
  endif()
endforeach()
set(Protobuf_LIBRARY "${KILN_STATIC_PROTOBUF_ARCHIVE}")
set(Protobuf_LIBRARIES "${KILN_STATIC_PROTOBUF_ARCHIVE}")

# Identical code folding collapses the many identical template instantiations of MLIR/LLVM: it
# took a static probe of the whole MLIR -> PTX path (NVVM target, gpu-module-to-binary) from 56 to
# 49 MB stripped. Only gold (binutils) does it with GCC's objects: lld's safe mode needs the
# address-significance tables that GCC does not emit. `safe` folds only functions whose address
# is never taken, so code comparing function pointers keeps working.
include(CheckLinkerFlag)
check_linker_flag(CXX "-fuse-ld=gold;-Wl,--icf=safe" KILN_STATIC_HAVE_GOLD_ICF)
if(KILN_STATIC_HAVE_GOLD_ICF)
  set(KILN_STATIC_LINKER_FLAGS -fuse-ld=gold -Wl,--icf=safe)
else()
  message(WARNING "KILN_STATIC: ld.gold with --icf=safe is not available; kiln will be larger")
  set(KILN_STATIC_LINKER_FLAGS "")
endif()

# Makes `target` self-contained: the C++ runtime and libgcc linked in, unreferenced sections
# dropped, symbols stripped at link time (the stripped binary is what ships; a separate strip
# step would leave an unstripped file behind for anyone who copies bin/ by hand).
function(kiln_link_static target)
  target_link_options(${target} PRIVATE ${KILN_STATIC_LINKER_FLAGS}
    -static-libstdc++ -static-libgcc -Wl,--gc-sections -Wl,--strip-all)
endfunction()

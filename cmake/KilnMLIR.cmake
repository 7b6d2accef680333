# Finds Debian's LLVM/MLIR 22 and the other compiler-side libraries, and sets the
# include paths and TableGen helpers that compiler/, passes/ and codegen/ use.
find_package(MLIR REQUIRED CONFIG HINTS /usr/lib/llvm-22/lib/cmake/mlir)
message(STATUS "Using MLIR ${MLIR_DIR} (LLVM ${LLVM_PACKAGE_VERSION})")
if(NOT LLVM_PACKAGE_VERSION VERSION_GREATER_EQUAL 22)
  message(FATAL_ERROR "kiln needs LLVM/MLIR 22, found ${LLVM_PACKAGE_VERSION}")
endif()

list(APPEND CMAKE_MODULE_PATH "${MLIR_CMAKE_DIR}" "${LLVM_CMAKE_DIR}")
set(LLVM_RUNTIME_OUTPUT_INTDIR ${CMAKE_BINARY_DIR}/bin)
set(LLVM_LIBRARY_OUTPUT_INTDIR ${CMAKE_BINARY_DIR}/lib)
set(MLIR_BINARY_DIR ${CMAKE_BINARY_DIR})
include(TableGen)
include(AddLLVM)
include(AddMLIR)
include(HandleLLVMOptions)

include_directories(SYSTEM ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
include_directories(${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
link_directories(${LLVM_BUILD_LIBRARY_DIR})
separate_arguments(kiln_llvm_definitions NATIVE_COMMAND "${LLVM_DEFINITIONS}")
add_definitions(${kiln_llvm_definitions})

find_package(Protobuf REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(fmt REQUIRED)

if(KILN_STATIC)
  include(cmake/KilnStatic.cmake)
endif()

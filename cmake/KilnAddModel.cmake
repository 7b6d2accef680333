# kiln_add_model: compiles an ONNX model (or wraps a prebuilt .kiln plan) into a typed C API at
# build time and adds it to a target. Included by the installed kilnConfig.cmake and by kiln's own
# tests; it needs KILN_EXECUTABLE (the kiln CLI, for MODEL) or KILN_EMBED_EXECUTABLE (kiln-embed,
# for PLAN) and a kiln::runtime target.
#
#   kiln_add_model(TARGET app NAME mymodel MODEL path/model.onnx
#                  [SHAPES x=1x3x224x224 ...] [CONSTS sr=16000 ...] [ARCH sm_90]
#                  [OPTIONS --no-fuse ...] [PLAN_FILE])
#   kiln_add_model(TARGET app NAME mymodel PLAN path/model.kiln [PLAN_FILE])
#
# Writes ${CMAKE_CURRENT_BINARY_DIR}/kiln/NAME/NAME.{h,c}, reruns when the model, the plan or the
# compiler changes, adds NAME.c to TARGET, puts NAME.h on its include path and links kiln::runtime.
# With PLAN_FILE the plan is not embedded: NAME.kiln is copied next to TARGET's binary, where
# NAME_create finds it.
include_guard(GLOBAL)

function(kiln_add_model)
  cmake_parse_arguments(PARSE_ARGV 0 K "PLAN_FILE" "TARGET;NAME;MODEL;PLAN;ARCH" "SHAPES;CONSTS;OPTIONS")
  if(K_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "kiln_add_model: unknown arguments: ${K_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT K_TARGET OR NOT TARGET ${K_TARGET})
    message(FATAL_ERROR "kiln_add_model: TARGET must name an existing target (got '${K_TARGET}')")
  endif()
  if(NOT K_NAME MATCHES "^[A-Za-z][A-Za-z0-9_]*$")
    message(FATAL_ERROR "kiln_add_model: NAME must be a C identifier starting with a letter (got '${K_NAME}')")
  endif()
  if((K_MODEL AND K_PLAN) OR (NOT K_MODEL AND NOT K_PLAN))
    message(FATAL_ERROR "kiln_add_model(${K_NAME}): give exactly one of MODEL (an .onnx file) or PLAN (a .kiln file)")
  endif()
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/kiln/${K_NAME}")
  set(outputs "${dir}/${K_NAME}.h" "${dir}/${K_NAME}.c")
  set(plan_flag)
  if(K_PLAN_FILE)
    list(APPEND outputs "${dir}/${K_NAME}.kiln")
    set(plan_flag --plan-file)
  endif()
  if(K_MODEL)
    if(NOT KILN_EXECUTABLE)
      message(FATAL_ERROR "kiln_add_model(${K_NAME}): this kiln package has no compiler (a runtime-only "
                          "install); compile the model elsewhere and give PLAN model.kiln")
    endif()
    get_filename_component(source "${K_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    set(args compile "${source}" --emit=c --name ${K_NAME} -o "${dir}" ${plan_flag})
    foreach(s IN LISTS K_SHAPES)
      list(APPEND args --shape "${s}")
    endforeach()
    foreach(c IN LISTS K_CONSTS)
      list(APPEND args --const "${c}")
    endforeach()
    if(K_ARCH)
      list(APPEND args --arch ${K_ARCH})
    endif()
    list(APPEND args ${K_OPTIONS})
    set(tool "${KILN_EXECUTABLE}")
    set(what "Compiling model ${K_NAME} (${K_MODEL}) with kiln")
  else()
    if(K_SHAPES OR K_CONSTS OR K_ARCH OR K_OPTIONS)
      message(FATAL_ERROR "kiln_add_model(${K_NAME}): SHAPES, CONSTS, ARCH and OPTIONS go with MODEL, not PLAN")
    endif()
    if(NOT KILN_EMBED_EXECUTABLE)
      message(FATAL_ERROR "kiln_add_model(${K_NAME}): kiln-embed not found in this kiln package")
    endif()
    get_filename_component(source "${K_PLAN}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    set(args "${source}" --name ${K_NAME} -o "${dir}" ${plan_flag})
    set(tool "${KILN_EMBED_EXECUTABLE}")
    set(what "Generating the C API of plan ${K_NAME} (${K_PLAN})")
  endif()
  # The tool may be a target of the same project (kiln's own tests): depend on it too.
  set(tool_dep)
  if(TARGET "${tool}")
    set(tool_dep "${tool}")
    set(tool "$<TARGET_FILE:${tool}>")
  elseif(EXISTS "${tool}")
    set(tool_dep "${tool}")
  endif()
  add_custom_command(OUTPUT ${outputs}
    COMMAND ${tool} ${args}
    DEPENDS "${source}" ${tool_dep}
    COMMENT "${what}"
    VERBATIM)
  target_sources(${K_TARGET} PRIVATE ${outputs})
  target_include_directories(${K_TARGET} PRIVATE "${dir}")
  target_link_libraries(${K_TARGET} PRIVATE kiln::runtime)
  if(K_PLAN_FILE)
    add_custom_command(TARGET ${K_TARGET} POST_BUILD
      COMMAND ${CMAKE_COMMAND} -E copy_if_different "${dir}/${K_NAME}.kiln" "$<TARGET_FILE_DIR:${K_TARGET}>"
      VERBATIM)
  endif()
endfunction()

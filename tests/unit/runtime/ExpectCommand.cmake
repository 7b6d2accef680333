# Runs COMMAND (a ;-list) and checks its exit status and combined output: a ctest driver for CLI tests.
# cmake -DCOMMAND="a;b" -DEXPECT_RC=1 -DEXPECT_REGEX="..." [-DFORBID_REGEX="..."] -P ExpectCommand.cmake
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
message("${all}")
if(NOT "${rc}" STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "exit status ${rc}, expected ${EXPECT_RC}")
endif()
if(DEFINED EXPECT_REGEX AND NOT all MATCHES "${EXPECT_REGEX}")
  message(FATAL_ERROR "output does not match '${EXPECT_REGEX}'")
endif()
if(DEFINED FORBID_REGEX AND all MATCHES "${FORBID_REGEX}")
  message(FATAL_ERROR "output matches forbidden '${FORBID_REGEX}'")
endif()

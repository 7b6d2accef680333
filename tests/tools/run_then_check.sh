#!/bin/sh
# Runs a kiln command, then (only if it succeeded) a checker; a skip (77) or failure is passed through.
# Usage: run_then_check.sh CHECKER_COMMAND -- KILN_COMMAND...   (CHECKER_COMMAND is one shell word list in a string)
checker=$1
shift
[ "$1" = "--" ] && shift
"$@"
rc=$?
[ $rc -ne 0 ] && exit $rc
exec $checker

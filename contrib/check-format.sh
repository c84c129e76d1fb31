#!/bin/sh
# Fails when a C file is not formatted as .clang-format says (clang-format -i fixes it).
set -eu
cd "$(dirname "$0")/.."
clang-format --dry-run --Werror src/lib/*.c src/cli/*.c src/cli/*.h include/*.h tests/unit/*.c tests/fuzz/*.c tests/hog.c tests/mlock-test.c bench/*.c
echo "check-format: all C files formatted"

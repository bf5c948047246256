#!/bin/bash
# Usage: kit/check_import.sh FILE.jsonl
# A dry run of the directory's import (nothing is written): prints every error and warning.
set -e
KIT=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
cp "$KIT/db/broker.sqlite" "$TMP/broker.sqlite"
BROKER_INSTANCE_PATH="$TMP" BROKER_SECRET_KEY=kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk \
  /work/main/.venv/bin/broker import "$1" --dry-run
rc=$?
rm -rf "$TMP"
exit $rc

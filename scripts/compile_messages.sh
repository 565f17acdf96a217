#!/usr/bin/env bash
# Compile each app's and the project's .po catalogues (only those that changed).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
count=0
while IFS= read -r -d '' po; do
    mo="${po%.po}.mo"
    if [[ ! -f "$mo" || "$po" -nt "$mo" ]]; then
        msgfmt --check-format -o "$mo" "$po" || die "msgfmt failed on $po"
        count=$((count + 1))
    fi
done < <(find "$ROOT/sciday" -path '*/locale/*/LC_MESSAGES/*.po' -print0)
((count == 0)) || say "Compiled $count message catalogue(s)"

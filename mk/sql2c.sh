#!/bin/sh
# An SQL file as a C string literal (for #include): each line quoted, with
# its newline; backslashes and double quotes escaped.
#   sh mk/sql2c.sh IN.sql > OUT.h
set -eu
echo "/* made from $1 by mk/sql2c.sh: edit that file */"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$1"

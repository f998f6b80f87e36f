#!/bin/sh
# Manual pages: every *.[1-9] of the tree is clean under
# "mandoc -Tlint -Wall", and the usage line of each program with a page
# names the same flags as the page's SYNOPSIS.
#
# -Wall includes the "referenced manual not found" check, which under
# -Wall looks only in the base system's /usr/share/man.  The pages of
# this tree are never there, so references to them are expected; so are
# references to system pages that are not installed on this machine
# (the manpages-dev package, say).  Every other message fails the page.
. "$TOP/regress/lib.sh"

if ! command -v mandoc >/dev/null 2>&1; then
	skip "mandoc" "mandoc is not installed (apt-get install mandoc)"
	exit 0
fi

find "$TOP" -path "$TOP/obj*" -prune -o -path "$TOP/.git" -prune -o \
    -type f -name '*.[1-9]' -print | sort >"$T/pages"
if [ ! -s "$T/pages" ]; then
	fail "the tree has manual pages"
	exit 0
fi
# "name.section" of every page of the tree
sed 's|.*/||' "$T/pages" >"$T/known"

# lint PAGE: print the messages that count; fail when there is one
lint() {
	mandoc -Tlint -Wall "$1" >"$T/lint.raw" 2>&1
	_bad=0
	while IFS= read -r _l; do
		case $_l in
		*"outdated mandoc.db"*)
			# about the system's index, not about the page
			continue ;;
		*"referenced manual not found: Xr "*)
			_ref=$(echo "$_l" | sed -n \
			    's/.*not found: Xr \([^ ]*\) \([^ ]*\).*/\1.\2/p')
			grep -qxF "$_ref" "$T/known" && continue
			_name=${_ref%.*} _sec=${_ref##*.}
			if ! ls /usr/share/man/man"$_sec"/"$_name".* \
			    >/dev/null 2>&1; then
				echo "# note: $1: $_name($_sec) is not" \
				    "installed here" >>"$T/notes"
				continue
			fi ;;
		esac
		echo "$_l"
		_bad=1
	done <"$T/lint.raw"
	return $_bad
}

: >"$T/notes"
while read -r page; do
	check "mandoc -Tlint -Wall ${page#"$TOP"/}" lint "$page"
done <"$T/pages"
cat "$T/notes"

# flags PROGRAM: the flags of its usage message, one per line, sorted
usage_flags() {
	timeout 10 "$OBJ/$1" -Z </dev/null 2>&1 >/dev/null |
	    grep -E "^usage: |^ +$1 " |
	    grep -oE '(^|[[ |])-[A-Za-z0-9]+' | sed 's/^.*-//' |
	    fold -w1 | sort -u
}

# synopsis_flags PAGE: the flags its SYNOPSIS names (".Fl dnv", ".Fl f")
synopsis_flags() {
	sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$1" |
	    grep -oE 'Fl [A-Za-z0-9]+' | sed 's/^Fl //' |
	    fold -w1 | sort -u
}

# same_flags PROGRAM PAGE
same_flags() {
	usage_flags "$1" >"$T/usage.flags"
	synopsis_flags "$2" >"$T/page.flags"
	if [ ! -s "$T/usage.flags" ]; then
		echo "no usage message from $OBJ/$1"
		return 1
	fi
	if ! cmp -s "$T/usage.flags" "$T/page.flags"; then
		echo "usage: $(tr -d '\n' <"$T/usage.flags");" \
		    "page: $(tr -d '\n' <"$T/page.flags")"
		return 1
	fi
}

for prog in callhomed collectd auditd signerd uplinkd callhomectl commsd; do
	page=$(grep "/$prog\.[18]\$" "$T/pages" | head -n 1)
	[ -n "$page" ] || continue
	if [ ! -x "$OBJ/$prog" ]; then
		fail "usage of $prog matches its page" "$OBJ/$prog not built"
		continue
	fi
	check "usage of $prog matches the SYNOPSIS of ${page#"$TOP"/}" \
	    same_flags "$prog" "$page"
done

# Flattens block YAML (maps, scalars, lists as index keys) into "a.b.0.c=value" lines so the
# stand-ins can read configs with grep. Good enough for the files the installer renders.
function strip(v) {
  if (v !~ /^["']/) sub(/[ \t]+#.*$/, "", v)
  sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
  if (v ~ /^".*"$/ || v ~ /^'.*'$/) v = substr(v, 2, length(v) - 2)
  return v
}
{
  line = $0; sub(/\r$/, "", line)
  if (line ~ /^[ \t]*(#.*)?$/ || line ~ /^(---|\.\.\.)/) next
  if (line ~ /^\t/) { print "tab indentation at line " NR > "/dev/stderr"; exit 1 }
  match(line, /^ */); indent = RLENGTH; body = substr(line, indent + 1)
  if (body ~ /^-( |$)/) {
    while (depth > 0 && (indent < ind[depth] || (indent == ind[depth] && list[depth]))) depth--
    parent = depth ? path[depth] : ""
    n = cnt[parent]++
    depth++; ind[depth] = indent; list[depth] = 1; path[depth] = (parent == "" ? "" : parent ".") n
    body = substr(body, 3); indent += 2
    if (body !~ /^[^:]+:( |$)/) { print path[depth] "=" strip(body); next }
  } else {
    while (depth > 0 && indent <= ind[depth]) depth--
  }
  if (body ~ /^[^:]+:( |$)/) {
    key = substr(body, 1, index(body, ":") - 1); sub(/[ \t]+$/, "", key)
    if (key ~ /^".*"$/ || key ~ /^'.*'$/) key = substr(key, 2, length(key) - 2)
    val = strip(substr(body, index(body, ":") + 1))
    p = (depth ? path[depth] "." : "") key
    print p "=" val
    if (val == "" || val == "|" || val == ">") { depth++; ind[depth] = indent; list[depth] = 0; path[depth] = p }
  }
}

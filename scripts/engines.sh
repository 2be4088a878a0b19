#!/usr/bin/env bash
# The real engines over tenantctl's synthesized output: checkov, terraform (init, validate, test),
# helm (lint, template), the API server's admission (test/engines/admission, Go, against
# k8s.io/apiserver's CEL environment), Prometheus' PromQL parser (test/engines/promql, Go),
# actionlint with shellcheck, zizmor, headless Chromium (the cost report). Each tool is installed pinned into a
# cache outside the repository and reused by later runs; a tool that cannot be installed fails the
# run (an engine that did not run proves nothing).
#
#   bash scripts/engines.sh                              # every engine, then the self-test
#   bash scripts/engines.sh checkov|terraform|helm|admission|promql|workflows|report|selftest ...
#
# TENANTCTL_ENGINES_CACHE     the cache (default: ~/.cache/tenantctl-engines)
# TENANTCTL_TF_PLUGIN_MIRROR  filesystem mirror holding the AWS provider (default: /opt/tf-plugins)
# TENANTCTL_ENGINES_KEEP=1    keep the fixtures and the engines' inputs (the path is printed)
set -euo pipefail

readonly CHECKOV_VERSION=3.3.30
readonly ZIZMOR_VERSION=1.32.0
readonly HELM_PACKAGE=helm.sh/helm/v3/cmd/helm
readonly HELM_VERSION=v3.22.0
readonly ACTIONLINT_PACKAGE=github.com/rhysd/actionlint/cmd/actionlint
readonly ACTIONLINT_VERSION=v1.7.12
readonly SHELLCHECK_VERSION=0.9.0
readonly SHELLCHECK_DEBIAN_VERSION=0.9.0-1
readonly TERRAFORM_VERSION=1.11.4
# The one provider binary the machine image ships. The bindings name aws 6.25.0, but no 6.x binary
# exists here and the Go module proxy serves no HashiCorp provider: the harness strips what 6.x added.
readonly AWS_PROVIDER_VERSION=5.100.0

repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${TENANTCTL_ENGINES_CACHE:-$HOME/.cache/tenantctl-engines}"
mirror="${TENANTCTL_TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
export CHECKPOINT_DISABLE=1 DEBIAN_FRONTEND=noninteractive
mkdir -p "$cache"
started=$SECONDS

fail() { echo "engines: $*" >&2; echo "engines: 0 passed, 1 failed"; exit 1; }
step() { echo "== $*"; }
# Removes what a directory of the cache holds besides the given entries: versions no longer
# pinned go, so the cache does not grow with every bump.
prune() { # <dir> <kept entry>...
  local dir="$1" entry kept
  shift
  for entry in "$dir"/* "$dir"/.[!.]*; do
    [[ -e "$entry" ]] || continue
    for kept in "$@"; do [[ "$entry" == "$kept" ]] && continue 2; done
    rm -rf "$entry"
  done
}

# --- checkov and zizmor (PyPI): one venv per set of exact versions ---------------------------
constraints="$repo/scripts/engines-python-constraints.txt"
venv="$cache/python/$(sha256sum "$constraints" | cut -c1-16)"
if [[ ! -e "$venv/.installed" ]]; then
  step "installing checkov $CHECKOV_VERSION and zizmor $ZIZMOR_VERSION (PyPI) into $venv"
  command -v python3 >/dev/null || fail "python3 is not installed: checkov and zizmor need it"
  rm -rf "$venv"
  python3 -m venv "$venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --constraint "$constraints" "checkov==$CHECKOV_VERSION" "zizmor==$ZIZMOR_VERSION" \
    || { rm -rf "$venv"; fail "pip could not install checkov==$CHECKOV_VERSION and zizmor==$ZIZMOR_VERSION"; }
  touch "$venv/.installed"
fi
prune "$cache/python" "$venv"

# --- helm and actionlint (Go modules): one GOBIN per pinned version --------------------------
go_tool() { # <binary> <package> <version>; sets go_tool_bin
  go_tool_bin="$cache/go/$1-$3/$1"
  if [[ ! -x "$go_tool_bin" ]]; then
    step "building $2@$3"
    command -v go >/dev/null || fail "go is not installed: $1 is built from its Go module"
    GOBIN="$(dirname "$go_tool_bin")" go install "$2@$3" || fail "go install $2@$3 failed"
  fi
}
go_tool helm "$HELM_PACKAGE" "$HELM_VERSION"
helm_bin="$go_tool_bin"
go_tool actionlint "$ACTIONLINT_PACKAGE" "$ACTIONLINT_VERSION"
actionlint_bin="$go_tool_bin"
# The admission evaluator: built from test/engines/admission, whose go.mod and go.sum pin
# k8s.io/apiserver; one build per content of those files.
admission_src="$repo/test/engines/admission"
admission_hash="$(cat "$admission_src/go.mod" "$admission_src/go.sum" "$admission_src/main.go" | sha256sum | cut -c1-16)"
admission_bin="$cache/go/admission-$admission_hash/admission"
if [[ ! -x "$admission_bin" ]]; then
  step "building the admission evaluator (k8s.io/apiserver CEL)"
  command -v go >/dev/null || fail "go is not installed: the admission evaluator is built from test/engines/admission"
  (cd "$admission_src" && go build -mod=readonly -trimpath -o "$admission_bin" .) || fail "go build of test/engines/admission failed"
fi
# The PromQL checker: built from test/engines/promql, whose go.mod and go.sum pin Prometheus' parser.
promql_src="$repo/test/engines/promql"
promql_hash="$(cat "$promql_src/go.mod" "$promql_src/go.sum" "$promql_src/main.go" | sha256sum | cut -c1-16)"
promql_bin="$cache/go/promql-$promql_hash/promql"
if [[ ! -x "$promql_bin" ]]; then
  step "building the PromQL checker (github.com/prometheus/prometheus/promql/parser)"
  command -v go >/dev/null || fail "go is not installed: the PromQL checker is built from test/engines/promql"
  (cd "$promql_src" && go build -mod=readonly -trimpath -o "$promql_bin" .) || fail "go build of test/engines/promql failed"
fi
prune "$cache/go" "$(dirname "$helm_bin")" "$(dirname "$actionlint_bin")" "$(dirname "$admission_bin")" "$(dirname "$promql_bin")"

# --- shellcheck (Debian), which actionlint runs on every `run:` script -------------------------
shellcheck_found="$(shellcheck --version 2>/dev/null || true)"
if [[ "$shellcheck_found" != *"version: $SHELLCHECK_VERSION"* ]]; then
  step "installing shellcheck $SHELLCHECK_DEBIAN_VERSION (Debian)"
  command -v apt-get >/dev/null || fail "shellcheck $SHELLCHECK_VERSION is not installed and there is no apt-get to install it"
  [[ $(id -u) == 0 ]] || fail "shellcheck $SHELLCHECK_VERSION is not installed: run apt-get install shellcheck=$SHELLCHECK_DEBIAN_VERSION as root"
  apt-get update -qq || fail "apt-get update failed"
  apt-get install -y -qq "shellcheck=$SHELLCHECK_DEBIAN_VERSION" >/dev/null || fail "apt-get install shellcheck=$SHELLCHECK_DEBIAN_VERSION failed"
fi
shellcheck_bin="$(command -v shellcheck)"

# --- headless Chromium (Debian), which opens the `tenantctl cost --output html` report -------------
# Not pinned to a version: Debian's security archive carries only the latest Chromium, replaced in
# place by every security release, so a pinned version stops being installable. The one found is
# printed with the other tools.
if ! command -v chromium-headless-shell >/dev/null; then
  step "installing chromium-headless-shell (Debian)"
  command -v apt-get >/dev/null || fail "chromium-headless-shell is not installed and there is no apt-get to install it"
  [[ $(id -u) == 0 ]] || fail "chromium-headless-shell is not installed: run apt-get install chromium-headless-shell as root"
  apt-get update -qq || fail "apt-get update failed"
  apt-get install -y -qq chromium-headless-shell >/dev/null || fail "apt-get install chromium-headless-shell failed"
fi
chromium_bin="$(command -v chromium-headless-shell)"
chromium_version="$(dpkg-query -W -f='${Version}' chromium-headless-shell 2>/dev/null || echo unknown)"

# --- terraform: the machine's, at the pinned version ------------------------------------------
# It cannot be built here: github.com/hashicorp/terraform's go.mod replaces nested modules
# (internal/backend/remote-state/*, internal/legacy) that its module zip does not hold, so
# `go install` refuses it.
terraform_bin="$(command -v terraform || true)"
terraform_found="$([[ -n "$terraform_bin" ]] && "$terraform_bin" version -json 2>/dev/null || true)"
[[ "$terraform_found" == *"\"terraform_version\": \"$TERRAFORM_VERSION\""* ]] \
  || fail "terraform $TERRAFORM_VERSION is not on PATH (found: ${terraform_bin:-none}${terraform_found:+, $(grep -o '"terraform_version": "[^"]*"' <<<"$terraform_found")}); install terraform $TERRAFORM_VERSION (the machine image has it in /usr/local/bin)"

# --- the AWS provider: from the local filesystem mirror only, never the network ----------------
provider_dir="$mirror/registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION/linux_amd64"
compgen -G "$provider_dir/terraform-provider-aws_v${AWS_PROVIDER_VERSION}_x*" >/dev/null \
  || fail "the AWS provider $AWS_PROVIDER_VERSION is missing: expected $provider_dir/terraform-provider-aws_v${AWS_PROVIDER_VERSION}_x5 (a filesystem mirror; set TENANTCTL_TF_PLUGIN_MIRROR to its root). No provider can be downloaded or built here."
mkdir -p "$cache/terraform/plugin-cache"
cat >"$cache/terraform/cli.tfrc" <<EOF
# Written by scripts/engines.sh: providers come from the local mirror only, never the network.
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
# One unpacked copy of the 700 MB provider, linked into each working directory.
plugin_cache_dir = "$cache/terraform/plugin-cache"
EOF

echo "engines: tools ready in $((SECONDS - started)) s (cache $cache): checkov $CHECKOV_VERSION, zizmor $ZIZMOR_VERSION, helm $HELM_VERSION, actionlint $ACTIONLINT_VERSION, shellcheck $SHELLCHECK_VERSION, chromium-headless-shell $chromium_version, terraform $TERRAFORM_VERSION, hashicorp/aws $AWS_PROVIDER_VERSION"

# --- the harness ----------------------------------------------------------------------------------
cd "$repo"
[[ -e node_modules ]] || fail "node_modules is missing: run npm ci first"
npx tsc -b tsconfig.json || fail "the TypeScript build failed"
export TENANTCTL_ENGINE_CHECKOV="$venv/bin/checkov" TENANTCTL_ENGINE_ZIZMOR="$venv/bin/zizmor" \
  TENANTCTL_ENGINE_HELM="$helm_bin" TENANTCTL_ENGINE_ACTIONLINT="$actionlint_bin" \
  TENANTCTL_ENGINE_SHELLCHECK="$shellcheck_bin" TENANTCTL_ENGINE_TERRAFORM="$terraform_bin" \
  TENANTCTL_ENGINE_ADMISSION="$admission_bin" TENANTCTL_ENGINE_PROMQL="$promql_bin" TENANTCTL_ENGINE_CHROMIUM="$chromium_bin" \
  TENANTCTL_ENGINE_AWS_PROVIDER_VERSION="$AWS_PROVIDER_VERSION" \
  TF_CLI_CONFIG_FILE="$cache/terraform/cli.tfrc" TF_IN_AUTOMATION=1 TF_INPUT=0
exec node dist/test/engines/main.js "$@"

#!/usr/bin/env bash
# Formats every main and test source of the tree in place, once, so that the formatter and the static checks can be
# switched on (format.skip / checkstyle.skip in the parent POM). Changes Java files only; review with git diff.
#
#   1. braces on every if / else / for / while / do body: OpenRewrite's NeedBraces (rewrite-static-analysis),
#      which google-java-format does not do and Checkstyle's NeedBraces asks for;
#   2. google-java-format (AOSP style) through Spotless, with unused imports removed;
#   3. Checkstyle (build-config/checkstyle.xml) must then pass, and the tree must still compile.
#
# Usage: build-config/format-tree.sh [extra Maven options, e.g. -o once the plugins are in ~/.m2]
# The first run downloads the OpenRewrite plugin and recipes, google-java-format and Checkstyle (Maven Central).
set -euo pipefail
cd "$(dirname "$0")/.."

# OpenRewrite 6.46.1 / rewrite-static-analysis 2.41.1 run on Java 17; pinned so that every run adds the same braces.
REWRITE_PLUGIN=org.openrewrite.maven:rewrite-maven-plugin:6.46.1
REWRITE_RECIPES=org.openrewrite.recipe:rewrite-static-analysis:2.41.1

step() { printf '\n== %s\n' "$*"; }

step "1/4 braces (OpenRewrite NeedBraces)"
# runNoFork: no forked build, so the validate-phase checks do not run on the tree before it is formatted
mvn -B "$@" "$REWRITE_PLUGIN:runNoFork" \
    -Drewrite.recipeArtifactCoordinates="$REWRITE_RECIPES" \
    -Drewrite.activeRecipes=org.openrewrite.staticanalysis.NeedBraces \
    -Drewrite.exportDatatables=false

step "2/4 google-java-format, AOSP (Spotless)"
mvn -B -q "$@" spotless:apply -Dformat.skip=false

step "3/4 Checkstyle"
mvn -B -q "$@" checkstyle:check -Dcheckstyle.skip=false

step "4/4 the tree still compiles (main and tests)"
mvn -B -q "$@" -DskipTests test-compile

step "done: $(git diff --name-only -- '*.java' | wc -l) Java files changed; CI checks them once the two skips are false"

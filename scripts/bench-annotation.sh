#!/usr/bin/env bash
# The annotation page with a scripted annotator (tests/S4AL.BrowserTests, Playwright driving Debian's
# chromium against a real `s4al run --annotator human`): how long from a submit to the next region
# drawn, and how many regions a minute in the one-click case (choose a class by key, Fill region,
# Submit). Writes docs/results/annotation-page-DATE.json and the README's screenshots
# (docs/annotation-page.png, docs/annotation-page-initial.png). Needs /usr/bin/chromium (apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build tests/S4AL.BrowserTests -c Release --nologo -v q
S4AL_DOCS="$PWD/docs" S4AL_COMMIT="$(git rev-parse --short HEAD)" \
  dotnet test tests/S4AL.BrowserTests -c Release --no-build --nologo --logger "console;verbosity=detailed" \
  --filter "FullyQualifiedName~Fill_and_brush|FullyQualifiedName~one_click_pace"
ls -l docs/results/annotation-page-*.json docs/annotation-page*.png
